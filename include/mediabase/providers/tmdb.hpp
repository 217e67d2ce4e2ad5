#pragma once
/// TMDB answers mapped to Mediabase types. Pure code (Boost.JSON), no Asio. Defensive: a missing, null or
/// wrongly typed field is left empty; only a body that is not a JSON object of the expected shape is an
/// error.

#include "mediabase/model/model.hpp"
#include "mediabase/providers/provider_error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mediabase::providers {

/// `/configuration`: where TMDB's images live and in which sizes.
struct tmdb_image_config {
    std::string secure_base_url;             ///< "https://image.tmdb.org/t/p/"
    std::vector<std::string> poster_sizes;   ///< "w92" ... "w780", "original"
    std::vector<std::string> backdrop_sizes; ///< "w300", "w780", "w1280", "original"
};

/// One result of `/search/movie` or of `/find/{imdb_id}` (`movie_results`).
struct search_candidate {
    std::int64_t tmdb_id = 0;
    std::string title;
    std::optional<std::string> original_title;
    std::optional<int> year; ///< from release_date ("1999-03-30")
    std::optional<std::string> overview;
    double popularity = 0;
    std::int64_t vote_count = 0;
    std::optional<std::string> poster_path; ///< provider path ("/f89U3ADr1oiB1s9GkdPOEpXUk5H.jpg")
};

/// Provider image paths of a movie. Kept apart from movie.poster/backdrop, which are art cache keys the
/// Cache sets once it has downloaded the image.
struct tmdb_art {
    std::optional<std::string> poster_path;
    std::optional<std::string> backdrop_path;
};

/// `/movie/{id}?append_to_response=credits,release_dates,external_ids`.
struct tmdb_movie {
    movie details; ///< title, year, overview, people, certification, ids, collection, TMDB votes ...
    tmdb_art art;
    double popularity = 0;
};

/// How many cast members a movie keeps (top billed).
inline constexpr std::size_t max_cast = 15;

[[nodiscard]] result<tmdb_image_config> parse_configuration(std::string_view body);
[[nodiscard]] result<std::vector<search_candidate>> parse_search_results(std::string_view body);
/// `/find/{imdb_id}?external_source=imdb_id`: its `movie_results` (empty when the id is unknown).
[[nodiscard]] result<std::vector<search_candidate>> parse_find_results(std::string_view body);
/// Fails when the body has no numeric `id` or no title.
[[nodiscard]] result<tmdb_movie> parse_movie_details(std::string_view body);

/// TMDB's own error text (`{"status_code": 7, "status_message": "Invalid API key ..."}`), if the body has
/// one.
[[nodiscard]] std::optional<std::string> parse_error_message(std::string_view body);

/// The year of a date "YYYY-MM-DD" (or "YYYY"), nullopt for anything else.
[[nodiscard]] std::optional<int> year_of_date(std::string_view date);

/// The full URL of an image: base ("https://image.tmdb.org/t/p/") + size ("w500") + path ("/x.jpg"), with
/// exactly one slash between the parts.
[[nodiscard]] std::string image_url(std::string_view base_url, std::string_view size, std::string_view path);

/// `wanted` when the configuration offers it (or lists no sizes at all), "original" otherwise.
[[nodiscard]] std::string pick_image_size(const std::vector<std::string>& offered, std::string_view wanted);

} // namespace mediabase::providers
