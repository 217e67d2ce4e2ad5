#define BOOST_TEST_MODULE file_io
#include <boost/test/unit_test.hpp>

#include "mediabase/config/file_io.hpp"
#include "temp_dir.hpp"

#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

using namespace mediabase;
namespace errc = boost::system::errc;

BOOST_AUTO_TEST_SUITE(file_io)

BOOST_AUTO_TEST_CASE(reads_a_small_regular_file) {
    testing::temp_dir dir;
    std::ofstream(dir.path / "a.json") << "{\"x\": 1}";
    auto text = read_small_regular_file(dir.path / "a.json", 100);
    BOOST_REQUIRE(text.has_value());
    BOOST_TEST(*text == "{\"x\": 1}");
}

BOOST_AUTO_TEST_CASE(refuses_what_is_not_a_small_regular_file) {
    testing::temp_dir dir;
    BOOST_TEST(read_small_regular_file(dir.path / "missing", 100).error() == errc::no_such_file_or_directory);
    // A FIFO with no writer: the read must not block, and must not be taken.
    BOOST_REQUIRE(::mkfifo((dir.path / "fifo").c_str(), 0600) == 0);
    BOOST_TEST(read_small_regular_file(dir.path / "fifo", 100).error() == errc::invalid_argument);
    std::filesystem::create_symlink("/dev/zero", dir.path / "zero");
    BOOST_TEST(read_small_regular_file(dir.path / "zero", 100).error() == errc::invalid_argument);
    BOOST_TEST(read_small_regular_file(dir.path, 100).error() == errc::invalid_argument);
    std::ofstream(dir.path / "big") << std::string(101, 'x');
    const auto big = read_small_regular_file(dir.path / "big", 100);
    BOOST_TEST(big.error() == errc::file_too_large);
    BOOST_TEST(describe(big.error(), 100) == "larger than 100 bytes");
}

BOOST_AUTO_TEST_CASE(writes_atomically_with_owner_only_mode) {
    testing::temp_dir dir;
    const auto target = dir.path / "config.json";
    std::ofstream(target) << "old";
    ::chmod(target.c_str(), 0644);
    // A leftover temporary file of an interrupted write is replaced, not followed.
    std::filesystem::create_symlink(dir.path / "elsewhere", dir.path / "config.json.tmp");
    BOOST_TEST(!write_private_file(target, "new\n").has_value());
    auto text = read_small_regular_file(target, 100);
    BOOST_REQUIRE(text.has_value());
    BOOST_TEST(*text == "new\n");
    struct stat st {};
    BOOST_REQUIRE(::stat(target.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    BOOST_TEST(!std::filesystem::exists(dir.path / "elsewhere"));
    BOOST_TEST(!std::filesystem::exists(dir.path / "config.json.tmp"));
}

BOOST_AUTO_TEST_CASE(a_write_into_a_missing_folder_is_an_error_message) {
    testing::temp_dir dir;
    const auto error = write_private_file(dir.path / "no" / "config.json", "x");
    BOOST_REQUIRE(error.has_value());
    BOOST_TEST(error->find("cannot write") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
