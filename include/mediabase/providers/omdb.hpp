#pragma once
/// OMDB answers (`?apikey=&i=tt...`) mapped to ratings. Pure code (Boost.JSON), no Asio. OMDB writes missing
/// values as "N/A" and numbers with thousands separators ("1,234,567").

#include "mediabase/model/model.hpp"
#include "mediabase/providers/provider_error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mediabase::providers {

/// What Mediabase takes from OMDB.
struct omdb_ratings {
    std::optional<double> imdb_rating;
    std::optional<std::int64_t> imdb_votes;
    std::optional<int> metascore;
    std::optional<std::string> awards;
};

/// Parses an OMDB answer. `"Response": "False"` gives an error value with OMDB's `Error` text (not_found for
/// an unknown id, unauthorized for a bad key); a body that is not a JSON object gives bad_response.
[[nodiscard]] result<omdb_ratings> parse_omdb(std::string_view body);

/// "1,234,567" -> 1234567; nullopt for "N/A", empty or anything else that is not a number.
[[nodiscard]] std::optional<std::int64_t> parse_omdb_count(std::string_view text);

/// Copies the ratings that are present into the movie.
void apply_omdb(const omdb_ratings& ratings, movie& m);

} // namespace mediabase::providers
