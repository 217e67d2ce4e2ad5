#include "mediabase/http/static_files.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

namespace mediabase {
namespace {

/// Plain segments only: no "..", no hidden files, no backslashes.
bool safe_url_path(std::string_view path) {
    if (path.empty() || path.front() != '/') return false;
    if (path.find('\\') != std::string_view::npos || path.find('\0') != std::string_view::npos) return false;
    std::size_t start = 1;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        const auto segment = path.substr(start, end - start);
        if (segment == ".." || (!segment.empty() && segment.front() == '.')) return false;
        start = end + 1;
    }
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](unsigned char x, unsigned char y) {
        return std::tolower(x) == std::tolower(y);
    });
}

/// The q-value of one Accept-Encoding element's parameters ("q=0.5"); 1 when absent, 0 when malformed
/// (a sender that garbles its weights is not taken to want the coding).
double q_value(std::string_view parameters) {
    while (!parameters.empty()) {
        const auto semicolon = parameters.find(';');
        auto parameter = trim(parameters.substr(0, semicolon));
        parameters = semicolon == std::string_view::npos ? std::string_view() : parameters.substr(semicolon + 1);
        if (parameter.size() < 2 || (parameter[0] != 'q' && parameter[0] != 'Q') || parameter[1] != '=') continue;
        const auto number = trim(parameter.substr(2));
        double q = 0;
        const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), q);
        if (ec != std::errc{} || end != number.data() + number.size() || q < 0 || q > 1) return 0;
        return q;
    }
    return 1;
}

} // namespace

std::string_view content_type_for(std::string_view file_name) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> types{{
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".json", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".txt", "text/plain; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".webp", "image/webp"},
        {".gif", "image/gif"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
    }};
    const auto slash = file_name.rfind('/');
    const auto base = slash == std::string_view::npos ? file_name : file_name.substr(slash + 1);
    const auto dot = base.rfind('.');
    if (dot == std::string_view::npos) return "application/octet-stream";
    const auto ext = base.substr(dot);
    for (const auto& [known, type] : types)
        if (iequals(ext, known)) return type;
    return "application/octet-stream";
}

bool accepts_encoding(std::string_view accept_encoding, std::string_view coding) {
    std::optional<double> named, wildcard;
    while (!accept_encoding.empty()) {
        const auto comma = accept_encoding.find(',');
        const auto element = accept_encoding.substr(0, comma);
        accept_encoding = comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
        const auto semicolon = element.find(';');
        const auto name = trim(element.substr(0, semicolon));
        const double q = semicolon == std::string_view::npos ? 1.0 : q_value(element.substr(semicolon + 1));
        if (iequals(name, coding)) named = q;
        else if (name == "*") wildcard = q;
    }
    if (named) return *named > 0;
    return wildcard && *wildcard > 0;
}

std::optional<static_file> find_static_file(std::string_view url_path,
                                            const std::optional<std::filesystem::path>& dev_dir) {
    if (url_path == "/") url_path = "/index.html";
    if (!safe_url_path(url_path)) return std::nullopt;
    if (dev_dir) {
        const auto file = *dev_dir / std::string(url_path.substr(1));
        std::error_code ec;
        if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
        std::ifstream in(file, std::ios::binary);
        std::ostringstream body;
        body << in.rdbuf();
        static_file out;
        out.body = std::move(body).str();
        out.content_type = content_type_for(url_path);
        out.etag = "\"dev-" + std::to_string(out.body.size()) + "-" +
                   std::to_string(std::hash<std::string>{}(out.body)) + "\"";
        return out;
    }
    for (const auto& asset : embedded_assets()) {
        if (asset.path != url_path) continue;
        return static_file{std::string(asset.body), std::string(asset.gzip_body),
                           std::string(content_type_for(url_path)), std::string(asset.etag)};
    }
    return std::nullopt;
}

} // namespace mediabase
