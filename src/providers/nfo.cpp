#include "mediabase/providers/nfo.hpp"

#include "mediabase/providers/tmdb.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <iterator>
#include <system_error>
#include <unordered_map>

namespace mediabase::providers {

namespace fs = std::filesystem;

namespace {

constexpr std::uintmax_t max_nfo_bytes = 1024 * 1024;
/// A folder with more entries than this is a flat folder of many movies: folder-wide names (movie.nfo,
/// poster.jpg) do not belong to any one of them, and listing it for every movie would be slow.
constexpr std::size_t max_movie_folder_entries = 512;

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::optional<std::string> text_of(const pugi::xml_node& node) {
    if (!node) return std::nullopt;
    const auto value = trim(node.child_value());
    if (value.empty()) return std::nullopt;
    return std::string(value);
}

std::optional<std::string> child_text(const pugi::xml_node& parent, const char* name) {
    return text_of(parent.child(name));
}

/// Leading digits of "136", "136 min" -> 136.
std::optional<std::int64_t> leading_number(std::string_view s) {
    s = trim(s);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || end == s.data()) return std::nullopt;
    return value;
}

/// Vote counts written with thousands separators: "1,234,567", "1.234.567", "1 234 567".
std::optional<std::int64_t> vote_count(std::string_view s) {
    std::string digits;
    for (char c : trim(s)) {
        if (c >= '0' && c <= '9')
            digits += c;
        else if (c != ',' && c != '.' && c != ' ')
            return std::nullopt;
    }
    if (digits.empty() || digits.size() > 18) return std::nullopt;
    return leading_number(digits);
}

std::optional<double> decimal(std::string_view s) {
    s = trim(s);
    std::string text(s);
    std::replace(text.begin(), text.end(), ',', '.'); // "8,7" from a European locale
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

bool is_imdb_id(std::string_view s) {
    if (s.size() < 9 || s.size() > 12 || s.substr(0, 2) != "tt") return false;
    return std::all_of(s.begin() + 2, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::int64_t> positive_id(std::string_view s) {
    s = trim(s);
    if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    const auto id = leading_number(s);
    if (!id || *id <= 0) return std::nullopt;
    return id;
}

std::optional<int> plausible_year(std::optional<std::int64_t> y) {
    // value_or rather than `!y || *y < ...`: GCC merges the latter into a branch on the unset payload.
    const auto year = y.value_or(0);
    if (year < 1870 || year > 2200) return std::nullopt;
    return static_cast<int>(year);
}

/// Ids in links: "https://www.imdb.com/title/tt0133093/", "https://www.themoviedb.org/movie/603-the-matrix".
void scan_links(std::string_view text, nfo_data& nfo) {
    if (!nfo.imdb_id) {
        for (auto pos = text.find("tt"); pos != std::string_view::npos; pos = text.find("tt", pos + 2)) {
            auto end = pos + 2;
            while (end < text.size() && text[end] >= '0' && text[end] <= '9')
                ++end;
            const bool starts_word = pos == 0 || !std::isalnum(static_cast<unsigned char>(text[pos - 1]));
            const bool ends_word = end == text.size() || !std::isalnum(static_cast<unsigned char>(text[end]));
            if (starts_word && ends_word && is_imdb_id(text.substr(pos, end - pos))) {
                nfo.imdb_id = std::string(text.substr(pos, end - pos));
                break;
            }
        }
    }
    if (!nfo.tmdb_id) {
        constexpr std::string_view marker = "themoviedb.org/movie/";
        const auto pos = text.find(marker);
        if (pos != std::string_view::npos) {
            auto rest = text.substr(pos + marker.size());
            std::size_t digits = 0;
            while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9')
                ++digits;
            nfo.tmdb_id = positive_id(rest.substr(0, digits));
        }
    }
}

std::vector<std::string> split_list(std::string_view value) {
    // Some writers put "Action / Drama" into one element.
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= value.size()) {
        auto slash = value.find('/', pos);
        if (slash == std::string_view::npos) slash = value.size();
        const auto part = trim(value.substr(pos, slash - pos));
        if (!part.empty()) out.emplace_back(part);
        pos = slash + 1;
    }
    return out;
}

void append_unique(std::vector<std::string>& list, std::string value) {
    if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

void read_people(const pugi::xml_node& root, const char* element, std::vector<credit>& out) {
    for (auto node : root.children(element))
        if (auto name = text_of(node)) out.push_back(credit{std::move(*name), std::nullopt});
}

void read_ratings(const pugi::xml_node& root, nfo_data& nfo) {
    for (auto rating : root.child("ratings").children("rating")) {
        const auto value = decimal(rating.child_value("value"));
        if (!value) continue;
        nfo_rating r;
        r.name = trim(rating.attribute("name").as_string());
        r.value = *value;
        const double max = rating.attribute("max").as_double(10.0);
        // Ratings are kept on a 0..10 scale whatever scale the NFO used.
        if (max > 0 && max != 10.0) r.value = r.value * 10.0 / max;
        r.votes = vote_count(rating.child_value("votes"));
        r.is_default = rating.attribute("default").as_bool(false);
        nfo.ratings.push_back(std::move(r));
    }
    if (auto legacy = decimal(root.child_value("rating")); legacy && nfo.ratings.empty()) {
        nfo_rating r;
        r.name = "default";
        r.value = *legacy;
        r.votes = vote_count(root.child_value("votes"));
        r.is_default = true;
        nfo.ratings.push_back(std::move(r));
    }
}

void read_ids(const pugi::xml_node& root, nfo_data& nfo) {
    for (auto node : root.children("uniqueid")) {
        const auto type = lower(trim(node.attribute("type").as_string()));
        const auto value = trim(node.child_value());
        if (type == "tmdb" && !nfo.tmdb_id) nfo.tmdb_id = positive_id(value);
        if (type == "imdb" && !nfo.imdb_id && is_imdb_id(value)) nfo.imdb_id = std::string(value);
    }
    if (!nfo.tmdb_id) nfo.tmdb_id = positive_id(root.child_value("tmdbid"));
    for (const char* name : {"imdbid", "imdb_id", "id"}) {
        const auto value = trim(root.child(name).child_value());
        if (!nfo.imdb_id && is_imdb_id(value)) nfo.imdb_id = std::string(value);
    }
}

void read_movie(const pugi::xml_node& root, nfo_data& nfo) {
    nfo.title = child_text(root, "title");
    nfo.original_title = child_text(root, "originaltitle");
    nfo.year = plausible_year(leading_number(root.child_value("year")));
    for (const char* name : {"premiered", "releasedate", "aired"})
        if (!nfo.year) nfo.year = year_of_date(trim(root.child_value(name)));
    nfo.plot = child_text(root, "plot");
    if (!nfo.plot) nfo.plot = child_text(root, "outline");
    nfo.tagline = child_text(root, "tagline");
    if (const auto runtime = leading_number(root.child_value("runtime")).value_or(0);
        runtime > 0 && runtime < 10000)
        nfo.runtime = static_cast<int>(runtime);
    for (auto node : root.children("genre"))
        for (auto& genre : split_list(node.child_value()))
            append_unique(nfo.genres, std::move(genre));
    for (auto node : root.children("country"))
        for (auto& country : split_list(node.child_value()))
            append_unique(nfo.countries, std::move(country));
    read_people(root, "director", nfo.directors);
    read_people(root, "credits", nfo.writers);
    read_people(root, "writer", nfo.writers);

    struct ordered_actor {
        credit person;
        std::optional<std::int64_t> order;
    };
    std::vector<ordered_actor> actors;
    for (auto node : root.children("actor")) {
        auto name = child_text(node, "name");
        if (!name) continue;
        actors.push_back(
            {credit{std::move(*name), child_text(node, "role")}, leading_number(node.child_value("order"))});
    }
    if (std::all_of(actors.begin(), actors.end(), [](const auto& a) { return a.order.has_value(); }))
        std::stable_sort(actors.begin(), actors.end(),
                         [](const auto& a, const auto& b) { return *a.order < *b.order; });
    for (auto& a : actors)
        nfo.actors.push_back(std::move(a.person));

    read_ratings(root, nfo);
    nfo.certification = child_text(root, "mpaa");
    read_ids(root, nfo);

    if (auto set = root.child("set")) {
        nfo.collection = child_text(set, "name");
        if (!nfo.collection) nfo.collection = text_of(set); // legacy <set>Name</set>
    }
}

std::optional<std::string> read_small_file(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return std::nullopt;
    const auto size = fs::file_size(path, ec);
    if (ec || size > max_nfo_bytes) return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return std::nullopt;
    return text;
}

bool is_disc_folder(const fs::path& dir) {
    const auto name = lower(dir.filename().string());
    return name == "bdmv" || name == "video_ts";
}

/// The folder that holds a movie file and the name its per-file extras start with.
struct movie_place {
    fs::path folder;
    std::string stem;
    std::optional<fs::path> disc_parent; ///< the movie's folder above BDMV/VIDEO_TS
};

movie_place place_of(const fs::path& movie_file) {
    std::error_code ec;
    movie_place place;
    if (fs::is_directory(movie_file, ec)) {
        // A disc structure handed over as its folder.
        place.folder = movie_file;
        place.stem = movie_file.filename().string();
    } else {
        place.folder = movie_file.parent_path();
        place.stem = movie_file.stem().string();
    }
    if (is_disc_folder(place.folder)) place.disc_parent = place.folder.parent_path();
    return place;
}

/// Lower-cased names of a folder's entries, or nullopt when it is a large flat folder (or unreadable).
std::optional<std::unordered_map<std::string, fs::path>> list_movie_folder(const fs::path& folder) {
    std::error_code ec;
    fs::directory_iterator it(folder, ec);
    if (ec) return std::nullopt;
    std::unordered_map<std::string, fs::path> names;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
        if (ec) return std::nullopt;
        if (names.size() >= max_movie_folder_entries) return std::nullopt;
        names.emplace(lower(it->path().filename().string()), it->path());
    }
    return names;
}

bool usable_file(const fs::path& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec) && fs::file_size(path, ec) > 0 && !ec;
}

/// The first existing file among `names` (lower-case) in `folder`. In a listed (small) folder names match
/// case-insensitively; otherwise only the exact names are tried, and only the per-file ones.
std::optional<fs::path>
first_existing(const fs::path& folder,
               const std::optional<std::unordered_map<std::string, fs::path>>& listing,
               const std::vector<std::string>& per_file, const std::vector<std::string>& folder_wide) {
    if (listing) {
        for (const auto* names : {&per_file, &folder_wide})
            for (const auto& name : *names)
                if (auto it = listing->find(lower(name)); it != listing->end() && usable_file(it->second))
                    return it->second;
        return std::nullopt;
    }
    for (const auto& name : per_file)
        if (usable_file(folder / name)) return folder / name;
    return std::nullopt;
}

std::vector<std::string> with_image_extensions(const std::vector<std::string>& bases) {
    std::vector<std::string> out;
    for (const auto& base : bases)
        for (const char* ext : {".jpg", ".jpeg", ".png", ".webp"})
            out.push_back(base + ext);
    return out;
}

} // namespace

bool nfo_data::empty() const {
    return !title && !original_title && !year && !plot && !tagline && !runtime && genres.empty() &&
           countries.empty() && directors.empty() && writers.empty() && actors.empty() && ratings.empty() &&
           !certification && !tmdb_id && !imdb_id && !collection;
}

result<nfo_data> parse_nfo(std::string_view text) {
    nfo_data nfo;
    pugi::xml_document doc;
    const auto parsed = doc.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_auto);
    const auto root = parsed ? doc.child("movie") : pugi::xml_node{};
    if (root) read_movie(root, nfo);
    // A "URL NFO" holds a link instead of (or after) the XML.
    scan_links(text, nfo);
    if (!root && !nfo.tmdb_id && !nfo.imdb_id) {
        if (!parsed)
            return make_error(error_kind::bad_response, std::string("not a movie NFO: ") +
                                                            parsed.description() + " at offset " +
                                                            std::to_string(parsed.offset));
        return make_error(error_kind::bad_response,
                          "not a movie NFO: no <movie> element and no IMDb/TMDB link");
    }
    return nfo;
}

std::optional<nfo_data> read_nfo_for(const fs::path& movie_file) {
    try {
        const auto place = place_of(movie_file);
        std::vector<fs::path> candidates{place.folder / (place.stem + ".nfo")};
        if (list_movie_folder(place.folder)) candidates.push_back(place.folder / "movie.nfo");
        if (place.disc_parent) {
            candidates.push_back(*place.disc_parent / "movie.nfo");
            candidates.push_back(*place.disc_parent / (place.disc_parent->filename().string() + ".nfo"));
        }
        for (const auto& candidate : candidates) {
            auto text = read_small_file(candidate);
            if (!text) continue;
            auto nfo = parse_nfo(*text);
            if (nfo && !nfo->empty()) return std::move(*nfo);
        }
    } catch (const std::exception&) {
        // Paths that cannot be represented (filesystem_error, bad_alloc on absurd input): no NFO.
    }
    return std::nullopt;
}

movie movie_from_nfo(const nfo_data& nfo) {
    movie m;
    apply_nfo(nfo, m);
    return m;
}

void apply_nfo(const nfo_data& nfo, movie& m) {
    if (nfo.title) m.title = *nfo.title;
    if (nfo.original_title) m.original_title = nfo.original_title;
    if (nfo.year) m.year = nfo.year;
    if (nfo.plot) m.overview = nfo.plot;
    if (nfo.tagline) m.tagline = nfo.tagline;
    if (nfo.runtime) m.runtime = nfo.runtime;
    if (!nfo.genres.empty()) m.genres = nfo.genres;
    if (!nfo.countries.empty()) m.countries = nfo.countries;
    if (!nfo.directors.empty()) m.directors = nfo.directors;
    if (!nfo.writers.empty()) m.writers = nfo.writers;
    if (!nfo.actors.empty()) m.cast = nfo.actors;
    if (nfo.certification) m.certification = nfo.certification;
    if (nfo.collection) m.collection = nfo.collection;
    if (!m.tmdb_id) m.tmdb_id = nfo.tmdb_id;
    if (!m.imdb_id) m.imdb_id = nfo.imdb_id;
    for (const auto& rating : nfo.ratings) {
        if (rating.name == "imdb" && !m.imdb_rating) {
            m.imdb_rating = rating.value;
            if (!m.imdb_votes) m.imdb_votes = rating.votes;
        }
        if ((rating.name == "themoviedb" || rating.name == "tmdb") && !m.vote_average) {
            m.vote_average = rating.value;
            if (!m.vote_count) m.vote_count = rating.votes;
        }
    }
}

local_art find_local_art(const fs::path& movie_file) {
    local_art art;
    try {
        const auto place = place_of(movie_file);
        const auto listing = list_movie_folder(place.folder);
        const auto& stem = place.stem;
        art.poster = first_existing(place.folder, listing, with_image_extensions({stem + "-poster"}),
                                    with_image_extensions({"poster", "folder", "cover"}));
        art.backdrop = first_existing(place.folder, listing,
                                      with_image_extensions({stem + "-fanart", stem + "-backdrop"}),
                                      with_image_extensions({"fanart", "backdrop", "background"}));
        if (place.disc_parent && (!art.poster || !art.backdrop)) {
            const auto parent = *place.disc_parent;
            const auto parent_listing = list_movie_folder(parent);
            const auto name = parent.filename().string();
            if (!art.poster)
                art.poster = first_existing(parent, parent_listing, with_image_extensions({name + "-poster"}),
                                            with_image_extensions({"poster", "folder", "cover"}));
            if (!art.backdrop)
                art.backdrop =
                    first_existing(parent, parent_listing, with_image_extensions({name + "-fanart"}),
                                   with_image_extensions({"fanart", "backdrop", "background"}));
        }
    } catch (const std::exception&) {
        // An unreadable folder or an unrepresentable path: no local art.
    }
    return art;
}

} // namespace mediabase::providers
