// libFuzzer target: bytes as a video file through probe_media_bytes (libavformat with the Prober's limits:
// video demuxers only, a time budget). libavformat itself is Debian's build, not instrumented: what is
// checked is our use of it (contexts, custom I/O, the streams read back) under ASan and UBSan.
#include "mediabase/providers/media_probe.hpp"
#include "mediabase/model/movie_json.hpp"

#include <boost/json/serialize.hpp>

#include <cstdint>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto info = mediabase::providers::probe_media_bytes(std::span(data, size), std::chrono::milliseconds{2000});
    const bool ok = info.state == mediabase::media_info::state_type::ok;
    // An unreadable file says why; a readable one has a stream, and a picture size only with a video codec.
    if (!ok && !info.error) std::abort();
    if (ok && !info.video_codec && info.audio.empty()) std::abort();
    if (info.width && (!info.video_codec || *info.width <= 0)) std::abort();
    if (info.audio.size() > 32 || info.subtitles.size() > 32) std::abort();
    (void)boost::json::serialize(mediabase::to_json(info));
    return 0;
}
