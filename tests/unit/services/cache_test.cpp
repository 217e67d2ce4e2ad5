#define BOOST_TEST_MODULE cache
#include <boost/test/unit_test.hpp>

#include "mediabase/services/cache.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>

#include "temp_dir.hpp"

using namespace mediabase;
using mediabase::testing::temp_dir;
namespace fs = std::filesystem;

namespace {

const std::string jpeg("\xFF\xD8\xFF\xE0 a tiny jpeg \xFF\xD9", 18);
const std::string png("\x89PNG\r\n\x1A\n and the rest", 20);

std::string read(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir))
        names.push_back(entry.path().filename().string());
    return names;
}

} // namespace

BOOST_AUTO_TEST_CASE(images_are_recognised_by_their_signature) {
    BOOST_TEST(*image_extension(jpeg) == "jpg");
    BOOST_TEST(*image_extension(png) == "png");
    BOOST_TEST(*image_extension(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)) == "webp");
    BOOST_TEST(!image_extension("<html>Not Found</html>"));
    BOOST_TEST(!image_extension("GIF89a"));
    BOOST_TEST(!image_extension(""));
    BOOST_TEST(!image_extension("\xFF\xD8"));
}

BOOST_AUTO_TEST_CASE(a_key_is_the_sha256_of_the_bytes_and_safe_as_a_file_name) {
    BOOST_TEST(art_key("abc", "jpg") ==
               "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.jpg");
    const auto key = art_key(jpeg, "jpg");
    BOOST_TEST(key.size() == 64u + 4u);
    BOOST_TEST(key.find_first_not_of("0123456789abcdef.jpg") == std::string::npos);
    BOOST_TEST(art_key(jpeg, "jpg") != art_key(png, "jpg"));
}

BOOST_AUTO_TEST_CASE(an_image_is_stored_once_under_its_key_without_temp_files) {
    temp_dir dir;
    const auto art = dir.path / "art";
    const auto first = store_image(art, jpeg);
    BOOST_REQUIRE(std::holds_alternative<std::string>(first));
    const auto& key = std::get<std::string>(first);
    BOOST_TEST(key == art_key(jpeg, "jpg"));
    BOOST_TEST(read(art / key) == jpeg);
    const auto again = store_image(art, jpeg);
    BOOST_TEST(std::get<std::string>(again) == key);
    BOOST_TEST(names_in(art) == std::vector<std::string>{key}, boost::test_tools::per_element());

    // A file cut short by a crash under the key is written again.
    std::ofstream(art / key, std::ios::trunc) << "x";
    BOOST_TEST(std::get<std::string>(store_image(art, jpeg)) == key);
    BOOST_TEST(read(art / key) == jpeg);
}

BOOST_AUTO_TEST_CASE(what_is_not_an_image_or_too_large_is_refused) {
    temp_dir dir;
    BOOST_TEST(std::holds_alternative<art_error>(store_image(dir.path, "<html>oops</html>")));
    BOOST_TEST(std::holds_alternative<art_error>(store_image(dir.path, "")));
    std::string huge = jpeg;
    huge.resize(max_art_bytes + 1, '\0');
    BOOST_TEST(std::holds_alternative<art_error>(store_image(dir.path, huge)));
    BOOST_TEST(names_in(dir.path).empty());
}

BOOST_AUTO_TEST_CASE(local_art_is_copied_under_its_key) {
    temp_dir dir;
    const auto poster = dir.path / "movie" / "poster.jpg";
    fs::create_directories(poster.parent_path());
    std::ofstream(poster, std::ios::binary) << jpeg;
    const auto copied = copy_local_art(dir.path / "art", poster);
    BOOST_REQUIRE(std::holds_alternative<std::string>(copied));
    BOOST_TEST(read(dir.path / "art" / std::get<std::string>(copied)) == jpeg);

    const auto missing = copy_local_art(dir.path / "art", dir.path / "movie" / "fanart.jpg");
    BOOST_REQUIRE(std::holds_alternative<art_error>(missing));
    BOOST_TEST(std::get<art_error>(missing).message.find("fanart.jpg") != std::string::npos);

    const auto big = dir.path / "movie" / "backdrop.jpg";
    std::ofstream(big, std::ios::binary) << jpeg;
    fs::resize_file(big, max_art_bytes + 1);
    BOOST_TEST(std::holds_alternative<art_error>(copy_local_art(dir.path / "art", big)));
}

// ---- sweeping: images no movie uses go, everything else stays ----

namespace {

std::string image_number(int n) { return jpeg + "image " + std::to_string(n); }

std::string key_of(const art_outcome& outcome) {
    BOOST_REQUIRE(std::holds_alternative<std::string>(outcome));
    return std::get<std::string>(outcome);
}

} // namespace

BOOST_AUTO_TEST_CASE(only_cache_names_count_as_keys) {
    const std::string hex(64, 'a');
    BOOST_TEST(is_art_key(hex + ".jpg"));
    BOOST_TEST(is_art_key(hex + ".webp"));
    BOOST_TEST(!is_art_key(hex + ".gif"));
    BOOST_TEST(!is_art_key(std::string(64, 'A') + ".jpg"));
    BOOST_TEST(!is_art_key(std::string(63, 'a') + ".jpg"));
    BOOST_TEST(!is_art_key("poster.jpg"));
    BOOST_TEST(!is_art_key(".tmp-1-2-" + hex + ".jpg"));
}

BOOST_AUTO_TEST_CASE(a_sweep_removes_unused_released_images_and_keeps_the_rest) {
    temp_dir dir;
    art_store store(dir.path / "art");
    const auto used = key_of(store.store(image_number(1)));
    const auto unused = key_of(store.store(image_number(2)));
    const auto claimed = key_of(store.store(image_number(3)));
    store.release({used, unused}); // stored on their movies (or not wanted); `claimed` is still in flight
    BOOST_TEST(store.claimed() == 1u);
    // Files the cache did not write are never touched.
    std::ofstream(dir.path / "art" / "notes.txt") << "mine";

    store.begin_sweep();
    const auto result = store.finish_sweep({used});
    BOOST_TEST(result.removed == 1);
    BOOST_TEST(result.bytes == static_cast<std::int64_t>(image_number(2).size()));
    BOOST_TEST(fs::exists(dir.path / "art" / used));
    BOOST_TEST(!fs::exists(dir.path / "art" / unused));
    BOOST_TEST(fs::exists(dir.path / "art" / claimed), "a key handed out and not released is kept");
    BOOST_TEST(fs::exists(dir.path / "art" / "notes.txt"));

    // Released at last and still unused: the next sweep takes it.
    store.release({claimed});
    store.begin_sweep();
    BOOST_TEST(store.finish_sweep({used}).removed == 1);
    BOOST_TEST(!fs::exists(dir.path / "art" / claimed));
}

BOOST_AUTO_TEST_CASE(a_key_claimed_while_a_sweep_runs_is_kept_even_if_released) {
    // The sweep's catalogue read may predate the movie that stores the key: it must not remove it.
    temp_dir dir;
    art_store store(dir.path / "art");
    const auto old_key = key_of(store.store(image_number(1)));
    store.release({old_key});
    store.begin_sweep();
    const auto again = key_of(store.store(image_number(1))); // the same image, handed out for a new movie
    BOOST_TEST(again == old_key);
    store.release({again}); // stored on the movie, after the sweep read the catalogue
    BOOST_TEST(store.finish_sweep({}).removed == 0);
    BOOST_TEST(fs::exists(dir.path / "art" / old_key));
}

BOOST_AUTO_TEST_CASE(a_key_claimed_twice_needs_two_releases) {
    temp_dir dir;
    art_store store(dir.path / "art");
    const auto key = key_of(store.store(image_number(1)));
    BOOST_TEST(key_of(store.store(image_number(1))) == key); // poster and backdrop the same image
    store.release({key});
    store.begin_sweep();
    BOOST_TEST(store.finish_sweep({}).removed == 0);
    store.release({key});
    store.begin_sweep();
    BOOST_TEST(store.finish_sweep({}).removed == 1);
}

BOOST_AUTO_TEST_CASE(a_crash_s_old_temp_files_are_swept_and_fresh_ones_kept) {
    temp_dir dir;
    art_store store(dir.path / "art");
    fs::create_directories(dir.path / "art");
    const auto old_temp = dir.path / "art" / ".tmp-1-0-x.jpg";
    const auto fresh_temp = dir.path / "art" / ".tmp-1-1-y.jpg";
    std::ofstream(old_temp) << "half";
    std::ofstream(fresh_temp) << "half";
    fs::last_write_time(old_temp, fs::file_time_type::clock::now() - std::chrono::hours(2));
    store.begin_sweep();
    BOOST_TEST(store.finish_sweep({}).removed == 0); // temp files are cleaned, not counted as images
    BOOST_TEST(!fs::exists(old_temp));
    BOOST_TEST(fs::exists(fresh_temp), "a temp file being written right now stays");
}

BOOST_AUTO_TEST_CASE(a_shared_art_dir_keeps_young_unused_images_of_other_servers) {
    // Another server wrote these (no claim here) and may not have stored their keys yet.
    temp_dir dir;
    art_store store(dir.path / "art");
    store.set_shared(true);
    const auto young = key_of(store.store(image_number(1)));
    const auto old = key_of(store.store(image_number(2)));
    store.release({young, old});
    fs::last_write_time(dir.path / "art" / old, fs::file_time_type::clock::now() - std::chrono::hours(2));
    store.begin_sweep();
    BOOST_TEST(store.finish_sweep({}).removed == 1);
    BOOST_TEST(fs::exists(dir.path / "art" / young));
    BOOST_TEST(!fs::exists(dir.path / "art" / old));
}

BOOST_AUTO_TEST_CASE(a_cancelled_sweep_removes_nothing) {
    temp_dir dir;
    art_store store(dir.path / "art");
    const auto key = key_of(store.store(image_number(1)));
    store.release({key});
    store.begin_sweep();
    store.cancel_sweep();
    BOOST_TEST(store.finish_sweep({}).removed == 0);
    BOOST_TEST(fs::exists(dir.path / "art" / key));
}

BOOST_AUTO_TEST_CASE(a_sweep_of_some_keys_looks_at_those_only) {
    temp_dir dir;
    art_store store(dir.path / "art");
    const auto gone = key_of(store.store(image_number(1)));
    const auto used = key_of(store.store(image_number(2)));
    const auto orphan = key_of(store.store(image_number(3)));
    store.release({gone, used, orphan});
    std::ofstream(dir.path / "outside.jpg") << "not the cache's";
    store.begin_sweep();
    const std::vector<std::string> only{gone, used, "../outside.jpg", gone};
    const auto result = store.finish_sweep({used}, only);
    BOOST_TEST(result.removed == 1);
    BOOST_TEST(!fs::exists(dir.path / "art" / gone));
    BOOST_TEST(fs::exists(dir.path / "art" / used));
    BOOST_TEST(fs::exists(dir.path / "art" / orphan), "a key not asked about stays (the start-up sweep takes it)");
    BOOST_TEST(fs::exists(dir.path / "outside.jpg"), "a name that is no key is never touched");
}
