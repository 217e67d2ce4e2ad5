#include "mediabase/http/static_files.hpp"

#include <fstream>
#include <sstream>

namespace mediabase {
namespace {

std::string_view content_type_for(std::string_view path) {
    const auto dot = path.rfind('.');
    const auto ext = dot == std::string_view::npos ? std::string_view() : path.substr(dot);
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".json") return "application/json";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".ico") return "image/x-icon";
    if (ext == ".webmanifest") return "application/manifest+json";
    return "application/octet-stream";
}

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

} // namespace

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
        return static_file{std::string(asset.body), std::string(asset.gzip_body), std::string(asset.content_type),
                           std::string(asset.etag)};
    }
    return std::nullopt;
}

} // namespace mediabase
