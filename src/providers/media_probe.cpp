// Media information from the file itself: libavformat reads the container's headers (and, where those say
// little, the first packets) under a time budget enforced by its interrupt callback. Only local files are
// read (protocol whitelist "file") and only demuxers of video containers are tried: a file that claims
// to be a playlist or an image sequence never makes libavformat open other files or addresses.
#include "mediabase/providers/media_probe.hpp"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
#include <libavutil/pixfmt.h>
}

#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>
#include <string_view>

namespace mediabase::providers {
namespace {

// The demuxers of the containers movies come in (libavformat's names), nothing that references other files.
// Raw elementary streams (h264, m4v, mpegvideo ...) are left out: their probes accept almost any bytes.
constexpr const char* video_demuxers = "matroska,webm,mov,mp4,m4a,3gp,3g2,mj2,avi,mpegts,mpeg,asf,flv,ogg,rm,wtv,"
                                       "dv,nuv,mxf";
// Streams listed per kind at most: a hostile file may declare thousands.
constexpr std::size_t max_streams = 32;

using clock = std::chrono::steady_clock;

struct interrupt_state {
    clock::time_point deadline;
    const std::atomic<bool>* stop = nullptr;
    bool timed_out = false;
    bool stopped = false;
};

int on_interrupt(void* opaque) {
    auto* state = static_cast<interrupt_state*>(opaque);
    if (state->stop && state->stop->load(std::memory_order_relaxed)) {
        state->stopped = true;
        return 1;
    }
    if (clock::now() >= state->deadline) {
        state->timed_out = true;
        return 1;
    }
    return 0;
}

void quiet_libav() {
    // libavformat writes its complaints about bad files to stderr; the Prober logs its own line instead.
    static std::once_flag once;
    std::call_once(once, [] { av_log_set_level(AV_LOG_QUIET); });
}

std::string av_error_text(int code) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    if (av_strerror(code, text, sizeof text) < 0) return "error " + std::to_string(code);
    return text;
}

/// A tag value fit to show: short, letters, digits and dashes ("eng", "pt-BR"); anything else is dropped.
std::optional<std::string> language_of(const AVDictionary* metadata) {
    const AVDictionaryEntry* entry = av_dict_get(metadata, "language", nullptr, 0);
    if (!entry || !entry->value) return std::nullopt;
    std::string_view value = entry->value;
    if (value.empty() || value.size() > 16 || value == "und") return std::nullopt;
    for (char c : value)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            return std::nullopt;
    return std::string(value);
}

std::optional<std::string> hdr_of(const AVStream* stream) {
    if (av_stream_get_side_data(stream, AV_PKT_DATA_DOVI_CONF, nullptr)) return "Dolby Vision";
    switch (stream->codecpar->color_trc) {
    case AVCOL_TRC_SMPTE2084:
        return "HDR10";
    case AVCOL_TRC_ARIB_STD_B67:
        return "HLG";
    default:
        return std::nullopt;
    }
}

media_info unreadable(file_stamp stamp, std::string why) {
    media_info info;
    info.state = media_info::state_type::unreadable;
    info.stamp = stamp;
    info.error = std::move(why);
    return info;
}

/// Opens `url` (or the custom I/O already set on `context`), reads the stream headers and describes them.
/// Takes ownership of `context`.
media_info describe(AVFormatContext* context, const char* url, file_stamp stamp, std::chrono::milliseconds budget,
                    const std::atomic<bool>* stop) {
    quiet_libav();
    interrupt_state state{clock::now() + budget, stop};
    context->interrupt_callback = {on_interrupt, &state};
    AVDictionary* options = nullptr;
    av_dict_set(&options, "protocol_whitelist", "file", 0);
    av_dict_set(&options, "format_whitelist", video_demuxers, 0);
    const auto failure = [&](int code) {
        if (state.stopped) return unreadable(stamp, "not read: the server is shutting down");
        if (state.timed_out)
            return unreadable(stamp, "reading the file took longer than " + std::to_string(budget.count() / 1000) +
                                         " s: damaged, or on a slow share");
        return unreadable(stamp, "not a video file that can be read (" + av_error_text(code) + ")");
    };
    // avformat_open_input frees the context when it fails.
    int code = avformat_open_input(&context, url, nullptr, &options);
    av_dict_free(&options);
    if (code < 0) return failure(code);
    struct closer {
        AVFormatContext** context;
        ~closer() { avformat_close_input(context); }
    } close_at_end{&context};
    code = avformat_find_stream_info(context, nullptr);
    if (code < 0) return failure(code);
    if (state.timed_out || state.stopped) return failure(AVERROR_EXIT);

    media_info info;
    info.stamp = stamp;
    if (context->iformat && context->iformat->name) {
        std::string_view name = context->iformat->name;
        info.container = std::string(name.substr(0, name.find(',')));
    }
    if (context->duration != AV_NOPTS_VALUE && context->duration > 0)
        info.duration_ms = context->duration / (AV_TIME_BASE / 1000);
    const int best_video = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    for (unsigned i = 0; i < context->nb_streams; ++i) {
        const AVStream* stream = context->streams[i];
        const AVCodecParameters* par = stream->codecpar;
        if (!par) continue;
        const std::string codec = avcodec_get_name(par->codec_id);
        switch (par->codec_type) {
        case AVMEDIA_TYPE_VIDEO:
            // The main picture, not a cover image attached to the file.
            if (static_cast<int>(i) != best_video || (stream->disposition & AV_DISPOSITION_ATTACHED_PIC)) break;
            // A picture without a size is no picture that was found.
            if (par->width <= 0 || par->height <= 0) break;
            info.video_codec = codec;
            info.width = par->width;
            info.height = par->height;
            info.hdr = hdr_of(stream);
            break;
        case AVMEDIA_TYPE_AUDIO:
            if (info.audio.size() < max_streams) {
                audio_stream audio{codec, std::nullopt, language_of(stream->metadata)};
                if (par->ch_layout.nb_channels > 0) audio.channels = par->ch_layout.nb_channels;
                info.audio.push_back(std::move(audio));
            }
            break;
        case AVMEDIA_TYPE_SUBTITLE:
            if (info.subtitles.size() < max_streams)
                info.subtitles.push_back({codec, language_of(stream->metadata)});
            break;
        default:
            break;
        }
    }
    if (!info.video_codec && info.audio.empty()) return unreadable(stamp, "the file holds no video or audio stream");
    return info;
}

/// Bytes in memory read through a custom AVIOContext (the fuzz target).
struct memory_reader {
    std::span<const unsigned char> bytes;
    std::size_t at = 0;

    static int read(void* opaque, std::uint8_t* buffer, int size) {
        auto* self = static_cast<memory_reader*>(opaque);
        const std::size_t left = self->bytes.size() - self->at;
        if (left == 0) return AVERROR_EOF;
        const std::size_t n = std::min<std::size_t>(left, static_cast<std::size_t>(size));
        std::memcpy(buffer, self->bytes.data() + self->at, n);
        self->at += n;
        return static_cast<int>(n);
    }

    static std::int64_t seek(void* opaque, std::int64_t offset, int whence) {
        auto* self = static_cast<memory_reader*>(opaque);
        const auto size = static_cast<std::int64_t>(self->bytes.size());
        if (whence & AVSEEK_SIZE) return size;
        std::int64_t target = 0;
        switch (whence & ~AVSEEK_FORCE) {
        case SEEK_SET:
            target = offset;
            break;
        case SEEK_CUR:
            target = static_cast<std::int64_t>(self->at) + offset;
            break;
        case SEEK_END:
            target = size + offset;
            break;
        default:
            return -1;
        }
        if (target < 0 || target > size) return -1;
        self->at = static_cast<std::size_t>(target);
        return target;
    }
};

} // namespace

media_info probe_media(const std::string& path, file_stamp stamp, std::chrono::milliseconds budget,
                       const std::atomic<bool>* stop) {
    AVFormatContext* context = avformat_alloc_context();
    if (!context) return unreadable(stamp, "out of memory");
    // "file:" makes a path with a colon in it a path, never a protocol name.
    return describe(context, ("file:" + path).c_str(), stamp, budget, stop);
}

media_info probe_media_bytes(std::span<const unsigned char> bytes, std::chrono::milliseconds budget) {
    constexpr int buffer_size = 4096;
    memory_reader reader{bytes};
    auto* buffer = static_cast<unsigned char*>(av_malloc(buffer_size));
    if (!buffer) return unreadable({}, "out of memory");
    AVIOContext* io = avio_alloc_context(buffer, buffer_size, 0, &reader, memory_reader::read, nullptr,
                                         memory_reader::seek);
    if (!io) {
        av_free(buffer);
        return unreadable({}, "out of memory");
    }
    AVFormatContext* context = avformat_alloc_context();
    media_info info;
    if (!context) {
        info = unreadable({}, "out of memory");
    } else {
        context->pb = io;
        context->flags |= AVFMT_FLAG_CUSTOM_IO;
        info = describe(context, nullptr, {}, budget, nullptr);
    }
    // The buffer may have been replaced by libavformat: free the one the context holds now.
    av_freep(&io->buffer);
    avio_context_free(&io);
    return info;
}

} // namespace mediabase::providers
