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

/// The Content-Type for a file by its extension (case-insensitive): one table for the embedded UI,
/// --static-dir and the art, so all three answer alike. Unknown extensions are application/octet-stream.
std::string_view content_type_for(std::string_view file_name);

/// Whether an Accept-Encoding header value accepts `coding` ("gzip"): listed by name or as "*" with a
/// q-value above 0 (RFC 9110 12.5.3); "gzip;q=0" refuses it, as does "*;q=0" without an explicit entry.
bool accepts_encoding(std::string_view accept_encoding, std::string_view coding);

/// Looks up a UI file by URL path ("/" means "/index.html"). With `dev_dir` set, the file is read from that
/// folder on each request instead (for UI development); path traversal outside it is refused.
std::optional<static_file> find_static_file(std::string_view url_path,
                                            const std::optional<std::filesystem::path>& dev_dir);

} // namespace mediabase
