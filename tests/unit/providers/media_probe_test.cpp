// The media probe against real files: tiny videos made by ffmpeg for the test (a test pattern, a tone, a
// subtitle track), a truncated copy and garbage. Without ffmpeg the tests are skipped (exit 77), unless
// CI=true, where a missing ffmpeg is a failure.
#define BOOST_TEST_MODULE media_probe
#include <boost/test/unit_test.hpp>

#include "mediabase/providers/media_probe.hpp"
#include "temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

using namespace mediabase;
using namespace mediabase::providers;
namespace fs = std::filesystem;

namespace {

bool have_ffmpeg() {
    return std::system("ffmpeg -hide_banner -version > /dev/null 2>&1") == 0;
}

/// Skips the whole executable when ffmpeg is missing (meson counts exit 77 as skipped), except in CI.
struct ffmpeg_required {
    ffmpeg_required() {
        if (have_ffmpeg()) return;
        const char* ci = std::getenv("CI");
        if (ci && std::string(ci) == "true") return; // the tests fail below instead
        std::fprintf(stderr, "ffmpeg is not installed: skipped\n");
        std::exit(77);
    }
};
BOOST_TEST_GLOBAL_FIXTURE(ffmpeg_required);

/// Makes a `seconds` long video of `width`x`height` with an AAC stereo tone tagged German and an English
/// SubRip track, in the container `path`'s extension names.
bool make_video(const fs::path& path, int width, int height, int seconds) {
    const fs::path srt = path.parent_path() / "sub.srt";
    std::ofstream(srt) << "1\n00:00:00,000 --> 00:00:01,000\nHello\n";
    const std::string command =
        "ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=" + std::to_string(width) + "x" +
        std::to_string(height) + ":rate=24:duration=" + std::to_string(seconds) +
        " -f lavfi -i sine=frequency=440:duration=" + std::to_string(seconds) + " -i '" + srt.string() +
        "' -map 0 -map 1 -map 2 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -ac 2 -c:s srt"
        " -metadata:s:a:0 language=deu -metadata:s:s:0 language=eng '" + path.string() + "'";
    return std::system(command.c_str()) == 0;
}

std::vector<unsigned char> bytes_of(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

BOOST_AUTO_TEST_SUITE(media_probe)

BOOST_AUTO_TEST_CASE(a_real_video_gives_its_container_duration_and_streams) {
    testing::temp_dir dir;
    const fs::path file = dir.path / "Tiny (2020).mkv";
    BOOST_TEST_REQUIRE(make_video(file, 320, 180, 2));
    const auto info = probe_media(file.string(), {123, 456});
    BOOST_TEST((info.state == media_info::state_type::ok), info.error.value_or(""));
    BOOST_TEST(info.stamp.size == 123);
    BOOST_TEST(info.container.value_or("") == "matroska");
    BOOST_TEST(info.video_codec.value_or("") == "h264");
    BOOST_TEST(info.width.value_or(0) == 320);
    BOOST_TEST(info.height.value_or(0) == 180);
    BOOST_TEST(!info.hdr.has_value());
    BOOST_TEST_REQUIRE(info.duration_ms.has_value());
    BOOST_TEST(*info.duration_ms >= 1900);
    BOOST_TEST(*info.duration_ms <= 2200);
    BOOST_TEST_REQUIRE(info.audio.size() == 1u);
    BOOST_TEST(info.audio[0].codec == "aac");
    BOOST_TEST(info.audio[0].channels.value_or(0) == 2);
    BOOST_TEST(info.audio[0].language.value_or("") == "deu");
    BOOST_TEST_REQUIRE(info.subtitles.size() == 1u);
    BOOST_TEST(info.subtitles[0].language.value_or("") == "eng");
    // The same bytes from memory say the same.
    auto from_memory = probe_media_bytes(bytes_of(file));
    from_memory.stamp = info.stamp;
    BOOST_TEST((from_memory == info));
}

BOOST_AUTO_TEST_CASE(an_mp4_names_its_demuxer) {
    testing::temp_dir dir;
    const fs::path file = dir.path / "clip.mp4";
    BOOST_TEST_REQUIRE(std::system(("ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=240x136:rate=24:"
                                    "duration=1 -c:v libx264 -preset ultrafast -pix_fmt yuv420p '" +
                                    file.string() + "'").c_str()) == 0);
    const auto info = probe_media(file.string(), {});
    BOOST_TEST((info.state == media_info::state_type::ok), info.error.value_or(""));
    BOOST_TEST(info.container.value_or("") == "mov");
    BOOST_TEST(info.height.value_or(0) == 136);
    BOOST_TEST(info.audio.empty());
}

BOOST_AUTO_TEST_CASE(garbage_and_truncated_files_are_unreadable_with_a_reason) {
    testing::temp_dir dir;
    const fs::path garbage = dir.path / "garbage.mkv";
    {
        std::ofstream out(garbage, std::ios::binary);
        for (int i = 0; i < 4096; ++i)
            out.put(static_cast<char>((i * 7919) & 0xff));
    }
    auto info = probe_media(garbage.string(), {4096, 1});
    BOOST_TEST((info.state == media_info::state_type::unreadable));
    BOOST_TEST(!info.error.value_or("").empty());
    BOOST_TEST(info.stamp.size == 4096);
    BOOST_TEST(!info.video_codec.has_value());

    // Text named like a video (the demo's placeholders): raw-stream probes would take it for MPEG-4.
    const fs::path text = dir.path / "placeholder.m4v";
    std::ofstream(text) << "The Hateful Eight (2015)/The Hateful Eight (2015).m4v" << std::string(200, ' ');
    BOOST_TEST((probe_media(text.string(), {}).state == media_info::state_type::unreadable));

    const fs::path empty = dir.path / "empty.mkv";
    std::ofstream(empty).close();
    BOOST_TEST((probe_media(empty.string(), {}).state == media_info::state_type::unreadable));
    BOOST_TEST((probe_media((dir.path / "missing.mkv").string(), {}).state == media_info::state_type::unreadable));

    // The first kilobytes of a real file: the header only, or less.
    const fs::path real = dir.path / "real.mkv";
    BOOST_TEST_REQUIRE(make_video(real, 320, 180, 2));
    const auto bytes = bytes_of(real);
    for (std::size_t keep : {std::size_t{16}, std::size_t{200}, bytes.size() / 3}) {
        const auto cut = probe_media_bytes(std::span(bytes).first(keep));
        // Unreadable, or what the header says: never a crash, never a made-up stream.
        if (cut.state == media_info::state_type::ok) BOOST_TEST(cut.width.value_or(320) == 320);
    }
}

BOOST_AUTO_TEST_CASE(a_read_past_its_budget_or_stopped_is_unreadable) {
    testing::temp_dir dir;
    const fs::path file = dir.path / "Tiny.mkv";
    BOOST_TEST_REQUIRE(make_video(file, 320, 180, 1));
    std::atomic<bool> stop{true};
    const auto stopped = probe_media(file.string(), {}, probe_budget, &stop);
    BOOST_TEST((stopped.state == media_info::state_type::unreadable));
    const auto late = probe_media(file.string(), {}, std::chrono::milliseconds{0});
    BOOST_TEST((late.state == media_info::state_type::unreadable));
    BOOST_TEST(late.error.value_or("").find("longer than") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_playlist_never_opens_other_files) {
    // An HLS playlist or an ffconcat list named .mkv would make a permissive libavformat read the files it
    // lists: only video demuxers are allowed.
    testing::temp_dir dir;
    const fs::path real = dir.path / "real.mkv";
    BOOST_TEST_REQUIRE(make_video(real, 320, 180, 1));
    const fs::path concat = dir.path / "list.mkv";
    std::ofstream(concat) << "ffconcat version 1.0\nfile '" << real.string() << "'\n";
    BOOST_TEST((probe_media(concat.string(), {}).state == media_info::state_type::unreadable));
    const fs::path hls = dir.path / "hls.mkv";
    std::ofstream(hls) << "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n" << real.string() << "\n#EXT-X-ENDLIST\n";
    BOOST_TEST((probe_media(hls.string(), {}).state == media_info::state_type::unreadable));
}

BOOST_AUTO_TEST_SUITE_END()
