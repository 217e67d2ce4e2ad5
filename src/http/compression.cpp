#include "compression.hpp"

#include "mediabase/http/static_files.hpp"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <zlib.h>

#include <climits>

namespace mediabase {

content_coding negotiate_coding(std::string_view accept_encoding) {
    if (accept_encoding.empty()) return content_coding::identity;
    if (accepts_encoding(accept_encoding, "br")) return content_coding::br;
    if (accepts_encoding(accept_encoding, "gzip")) return content_coding::gzip;
    return content_coding::identity;
}

bool compressible_type(std::string_view content_type) {
    return content_type.starts_with("application/json") || content_type.starts_with("text/") ||
           content_type.starts_with("application/manifest+json") || content_type.starts_with("image/svg+xml") ||
           content_type.starts_with("application/javascript");
}

std::string_view coding_token(content_coding coding) {
    switch (coding) {
    case content_coding::gzip: return "gzip";
    case content_coding::br: return "br";
    case content_coding::identity: break;
    }
    return {};
}

namespace {

constexpr int gzip_window_bits = 15 + 16; // 15: the largest window; +16: a gzip header and trailer

std::optional<std::string> gzip_compress(std::string_view body) {
    if (body.size() > UINT_MAX) return std::nullopt;
    z_stream stream{};
    if (deflateInit2(&stream, 6, Z_DEFLATED, gzip_window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) return std::nullopt;
    std::string out(deflateBound(&stream, static_cast<uLong>(body.size())), '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    stream.avail_in = static_cast<uInt>(body.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&stream, Z_FINISH);
    const auto written = stream.total_out;
    deflateEnd(&stream);
    if (rc != Z_STREAM_END) return std::nullopt;
    out.resize(written);
    return out;
}

std::optional<std::string> gzip_decompress(std::string_view encoded) {
    z_stream stream{};
    if (inflateInit2(&stream, gzip_window_bits) != Z_OK) return std::nullopt;
    std::string out;
    char chunk[16384];
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(encoded.data()));
    stream.avail_in = static_cast<uInt>(encoded.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
        stream.next_out = reinterpret_cast<Bytef*>(chunk);
        stream.avail_out = sizeof chunk;
        rc = inflate(&stream, Z_NO_FLUSH);
        out.append(chunk, sizeof chunk - stream.avail_out);
        if (rc == Z_BUF_ERROR && stream.avail_in == 0) break; // truncated input
    }
    inflateEnd(&stream);
    if (rc != Z_STREAM_END) return std::nullopt;
    return out;
}

std::optional<std::string> brotli_compress(std::string_view body) {
    std::string out(BrotliEncoderMaxCompressedSize(body.size()), '\0');
    if (out.empty()) return std::nullopt;
    std::size_t size = out.size();
    if (!BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, body.size(),
                               reinterpret_cast<const uint8_t*>(body.data()), &size,
                               reinterpret_cast<uint8_t*>(out.data())))
        return std::nullopt;
    out.resize(size);
    return out;
}

std::optional<std::string> brotli_decompress(std::string_view encoded) {
    auto* state = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
    if (!state) return std::nullopt;
    std::string out;
    std::size_t available_in = encoded.size();
    const auto* next_in = reinterpret_cast<const uint8_t*>(encoded.data());
    auto result = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
    while (result == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
        uint8_t chunk[16384];
        std::size_t available_out = sizeof chunk;
        uint8_t* next_out = chunk;
        result = BrotliDecoderDecompressStream(state, &available_in, &next_in, &available_out, &next_out, nullptr);
        out.append(reinterpret_cast<const char*>(chunk), sizeof chunk - available_out);
    }
    BrotliDecoderDestroyInstance(state);
    if (result != BROTLI_DECODER_RESULT_SUCCESS || available_in != 0) return std::nullopt;
    return out;
}

} // namespace

std::optional<std::string> compress(std::string_view body, content_coding coding) {
    switch (coding) {
    case content_coding::gzip: return gzip_compress(body);
    case content_coding::br: return brotli_compress(body);
    case content_coding::identity: break;
    }
    return std::nullopt;
}

std::optional<std::string> decompress(std::string_view encoded, content_coding coding) {
    switch (coding) {
    case content_coding::gzip: return gzip_decompress(encoded);
    case content_coding::br: return brotli_decompress(encoded);
    case content_coding::identity: break;
    }
    return std::nullopt;
}

} // namespace mediabase
