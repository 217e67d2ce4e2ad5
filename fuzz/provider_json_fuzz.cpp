// TMDB and OMDB answers mapped to Mediabase types: every parser reads the same body (a body shaped for one
// is garbage to the others, which must give an error value, never a crash), then what the Scraper does with
// the results: image URLs, the choice of a match, OMDB ratings laid over a movie, the movie's JSON.

#include "mediabase/model/movie_json.hpp"
#include "mediabase/providers/matching.hpp"
#include "mediabase/providers/omdb.hpp"
#include "mediabase/providers/tmdb.hpp"

#include <boost/json/serialize.hpp>

#include <cstdint>
#include <string_view>

using namespace mediabase;
using namespace mediabase::providers;

namespace {

void choose(const std::vector<search_candidate>& candidates) {
    movie_hints hints;
    hints.title = "The Matrix";
    hints.year = 1999;
    (void)choose_best(candidates, hints);
    for (const auto& c : candidates) {
        (void)match_key(c.title);
        if (c.poster_path) (void)image_url("https://image.tmdb.org/t/p/", "w500", *c.poster_path);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);

    if (auto config = parse_configuration(body)) {
        (void)pick_image_size(config->poster_sizes, "w500");
        (void)pick_image_size(config->backdrop_sizes, "w1280");
        (void)image_url(config->secure_base_url, "original", "/x.jpg");
    }
    if (auto found = parse_search_results(body)) choose(*found);
    if (auto found = parse_find_results(body)) choose(*found);
    (void)parse_error_message(body);
    (void)year_of_date(body);

    movie m;
    if (auto details = parse_movie_details(body)) {
        m = std::move(details->details);
        if (details->art.poster_path) (void)image_url("https://image.tmdb.org/t/p", "/w500/", *details->art.poster_path);
        if (details->art.backdrop_path) (void)image_url("", "", *details->art.backdrop_path);
    }
    if (auto ratings = parse_omdb(body)) apply_omdb(*ratings, m);
    (void)parse_omdb_count(body);
    (void)boost::json::serialize(to_json(m));
    return 0;
}
