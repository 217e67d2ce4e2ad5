#pragma once
// Content-Encoding for responses: gzip (zlib) and br (libbrotli), chosen from the client's Accept-Encoding.
// No Asio: tested on its own, and used by rest_api for every compressible answer and by the response cache.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mediabase {

/// A content coding this server can produce.
enum class content_coding { identity, gzip, br };

/// Bodies smaller than this go out as they are: under a kilobyte the coding costs more than it saves.
inline constexpr std::size_t compression_threshold = 1024;

/// The coding to answer with: br when the client accepts it, else gzip, else identity (q-values honoured,
/// RFC 9110 12.5.3; a coding refused with q=0 is never chosen).
[[nodiscard]] content_coding negotiate_coding(std::string_view accept_encoding);

/// Whether a Content-Type is worth compressing (JSON, text, JavaScript, SVG); images and fonts are already.
[[nodiscard]] bool compressible_type(std::string_view content_type);

/// The Content-Encoding token of a coding ("gzip", "br"; empty for identity).
[[nodiscard]] std::string_view coding_token(content_coding coding);

/// `body` encoded with `coding` (gzip level 6, brotli quality 5: fast enough for answers built per
/// request), or nullopt when the library failed or the coding is identity.
[[nodiscard]] std::optional<std::string> compress(std::string_view body, content_coding coding);

/// The inverse, for tests and tools: nullopt when `encoded` is not a valid stream of that coding.
[[nodiscard]] std::optional<std::string> decompress(std::string_view encoded, content_coding coding);

} // namespace mediabase
