// The NFO reader on any text: parse_nfo (XML or a "URL NFO"), then what the importer does with its result:
// a movie made from it, laid over a movie, and the movie's JSON.

#include "mediabase/model/movie_json.hpp"
#include "mediabase/providers/nfo.hpp"

#include <boost/json/serialize.hpp>

#include <cstdint>
#include <string_view>

using namespace mediabase;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = providers::parse_nfo(text);
    if (!parsed) return 0;
    const auto& nfo = *parsed;
    (void)nfo.empty();
    auto from_nfo = providers::movie_from_nfo(nfo);
    movie laid_over;
    laid_over.title = "Heat";
    laid_over.year = 1995;
    laid_over.tmdb_id = 949;
    laid_over.genres = {"Action", "Crime"};
    providers::apply_nfo(nfo, laid_over);
    (void)boost::json::serialize(to_json(from_nfo));
    (void)boost::json::serialize(to_json(laid_over));
    return 0;
}
