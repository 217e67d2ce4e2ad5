// Settings from JSON: the text of config.json as the start-up reads it (parse, then apply_config_json over
// the defaults), then what `PUT /api/v1/config` does with a valid change (normalised folders, the file it
// saves, the public view). What is saved must load again to the same settings: otherwise a change
// the server accepted would stop the next start.

#include "mediabase/config/settings.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace json = boost::json;
using namespace mediabase;

namespace {

settings defaults() {
    settings s;
    s.data_dir = "/var/lib/mediabase";
    s.extensions = default_extensions();
    return s;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec || !value.is_object()) return 0;

    auto changed = defaults();
    if (apply_config_json(changed, value.as_object())) return 0;
    for (auto& folder : changed.media_folders) folder = normalized_folder(folder);
    const auto saved = json::serialize(to_config_file_json(changed));

    // The saved file read back at the next start.
    auto reloaded = defaults();
    auto saved_value = json::parse(saved, ec);
    if (ec || !saved_value.is_object()) std::abort();
    if (auto e = apply_config_json(reloaded, saved_value.as_object())) std::abort();
    if (json::serialize(to_config_file_json(reloaded)) != saved) std::abort();

    (void)to_public_json(changed);
    return 0;
}
