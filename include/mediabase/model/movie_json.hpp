#pragma once
/// The JSON shapes of the REST API and WebSocket events (PRODUCT.md, "Shapes"). Field names are a contract.

#include "mediabase/store/catalogue.hpp"
#include "mediabase/model/model.hpp"

#include <boost/json/value.hpp>

#include <string>

namespace mediabase {

/// A movie as the API shows it: art keys become URLs under /img, files are listed with their fields.
boost::json::object to_json(const movie& m);
/// A movie as every event-stream client may see it: without the per-person fields (`watched`, `rating`,
/// `on_list`), which belong to one person; each client fetches its own.
boost::json::object to_shared_json(const movie& m);
/// What the file itself says (the Prober's read; a file's "media", in one movie's answer only, once read): `{"state": "ok|unreadable", "error", "container",
/// "duration_ms", "video": {"codec", "width", "height", "hdr"} or null, "audio": [{"codec", "channels",
/// "language"}], "subtitles": [{"codec", "language"}]}`.
boost::json::object to_json(const media_info& m);
boost::json::object to_json(const media_file& f);
boost::json::object to_json(const import_job& job);
boost::json::object to_json(const import_counts& counts);
boost::json::object to_json(const import_progress& progress);
boost::json::object to_json(const movie_page& page);

/// Raw filesystem bytes as valid UTF-8 for display: invalid sequences become U+FFFD.
std::string display_utf8(std::string_view raw);

} // namespace mediabase
