// Placeholder until the parser lands: takes the file stem as the title.
#include "mediabase/name_parser.hpp"

namespace mediabase {

parsed_name parse_name(std::string_view relative_path) {
    parsed_name name;
    auto slash = relative_path.rfind('/');
    auto file = slash == std::string_view::npos ? relative_path : relative_path.substr(slash + 1);
    auto dot = file.rfind('.');
    name.title = std::string(file.substr(0, dot));
    return name;
}

bool is_extra(std::string_view) { return false; }

boost::json::object to_json(const parsed_name& name) {
    boost::json::object o;
    o["title"] = name.title;
    return o;
}

std::string normalized_title(std::string_view title) { return std::string(title); }

} // namespace mediabase
