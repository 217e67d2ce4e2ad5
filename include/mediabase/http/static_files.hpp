#pragma once
/// The web UI files embedded into the binary at build time (tools/embed_static.py), or read from disk.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mediabase {

struct static_asset {
    std::string_view path;         ///< "/index.html"
    std::string_view body;         ///< raw bytes
    std::string_view gzip_body;    ///< gzip-compressed bytes, empty when compression does not pay
    std::string_view content_type; ///< "text/html; charset=utf-8"
    std::string_view etag;         ///< strong ETag, quoted
};

/// Every file of static/ as built into this binary.
const std::vector<static_asset>& embedded_assets();

/// A file of the UI, owned (a copy when read from disk in development mode).
struct static_file {
    std::string body;
    std::string gzip_body;
    std::string content_type;
    std::string etag;
};

/// Looks up a UI file by URL path ("/" means "/index.html"). With `dev_dir` set, the file is read from that
/// folder on each request instead (for UI development); path traversal outside it is refused.
std::optional<static_file> find_static_file(std::string_view url_path,
                                            const std::optional<std::filesystem::path>& dev_dir);

} // namespace mediabase
