#define BOOST_TEST_MODULE cache
#include <boost/test/unit_test.hpp>

#include "mediabase/cache.hpp"

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
