// Placeholder until the JSON mapping lands.
#include "mediabase/movie_json.hpp"

namespace mediabase {
boost::json::object to_json(const movie& m) { return {{"id", m.id}, {"title", m.title}}; }
boost::json::object to_json(const media_file& f) { return {{"path", f.path}}; }
boost::json::object to_json(const import_counts& c) { return {{"found", c.found}}; }
boost::json::object to_json(const import_job& job) { return {{"id", job.id}}; }
boost::json::object to_json(const movie_page& page) { return {{"total", page.total}}; }
std::string display_utf8(std::string_view raw) { return std::string(raw); }
} // namespace mediabase
