// The name parser on any path: parse_name, is_extra, normalized_title and the JSON of `mediabase parse`.
// Input: a path relative to a media root, as bytes (file names need not be UTF-8).

#include "mediabase/naming/name_parser.hpp"

#include <boost/json/serialize.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

using namespace mediabase;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view path(reinterpret_cast<const char*>(data), size);
    const auto parsed = parse_name(path);
    // What the header promises: parts are 1-based, IMDb ids look like "tt0133093".
    if (parsed.part && *parsed.part < 1) std::abort();
    if (parsed.imdb_id && !parsed.imdb_id->starts_with("tt")) std::abort();
    (void)is_extra(path);
    (void)normalized_title(parsed.title);
    (void)normalized_title(path);
    (void)boost::json::serialize(to_json(parsed));
    return 0;
}
