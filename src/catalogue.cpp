// Placeholder until the catalogue lands.
#include "mediabase/catalogue.hpp"

#include <stdexcept>

namespace mediabase {
struct catalogue::impl {};
catalogue catalogue::open(const std::filesystem::path&) { throw std::runtime_error("catalogue not built yet"); }
catalogue::catalogue(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
catalogue::~catalogue() = default;
catalogue::catalogue(catalogue&&) noexcept = default;
catalogue& catalogue::operator=(catalogue&&) noexcept = default;
int catalogue::current_schema_version() { return 0; }
int catalogue::schema_version() { return 0; }
store_result catalogue::store_found(std::span<const found_movie>) { return {}; }
std::vector<movie_change> catalogue::remove_files(std::span<const std::string>) { return {}; }
bool catalogue::move_file(const std::string&, const std::string&, const file_stamp&, const std::string&) { return false; }
std::optional<movie> catalogue::patch_movie(movie_id, const movie_patch&) { return std::nullopt; }
std::optional<movie> catalogue::update_metadata(movie_id, const movie&) { return std::nullopt; }
known_files catalogue::load_known_files() { return {}; }
movie_page catalogue::list_movies(const movie_query&) { return {}; }
std::optional<movie> catalogue::get_movie(movie_id) { return std::nullopt; }
std::vector<duplicate_group> catalogue::duplicates() { return {}; }
std::vector<catalogued_file> catalogue::files_under_root(const std::string&) { return {}; }
std::int64_t catalogue::movie_count() { return 0; }
std::vector<std::string> catalogue::genres() { return {}; }
std::optional<movie_sort> movie_sort_from_string(std::string_view) { return std::nullopt; }
} // namespace mediabase
