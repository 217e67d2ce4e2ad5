#define BOOST_TEST_MODULE library_walk
#include <boost/test/unit_test.hpp>

#include "mediabase/library_walk.hpp"

#include <filesystem>
#include <fstream>
#include <random>

#include <sys/stat.h>
#include <unistd.h>

using namespace mediabase;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> default_test_extensions() { return {"mkv", "mp4", "avi", "iso", "m2ts", "vob"}; }

/// A media root made for one test and removed after it.
struct temp_library {
    fs::path root;
    temp_library() {
        std::random_device rd;
        root = fs::temp_directory_path() / ("mediabase-walk-" + std::to_string(rd()));
        fs::create_directories(root);
        // Readable by an unprivileged user too (see as_unprivileged_user).
        fs::permissions(root, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
    }
    ~temp_library() {
        std::error_code ec;
        fs::permissions(root, fs::perms::all, fs::perm_options::add, ec);
        for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
             it != fs::recursive_directory_iterator(); it.increment(ec))
            if (it->is_directory(ec) && !it->is_symlink(ec)) fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(root, ec);
    }
    fs::path file(const std::string& relative, const std::string& content = "video") const {
        const auto path = root / relative;
        fs::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary) << content;
        return path;
    }
};

struct walk_result {
    std::vector<found_movie> movies;
    std::int64_t unchanged_movies = 0;
    walk_totals totals;
};

walk_result walk_all(const std::vector<std::string>& roots, std::shared_ptr<const known_files> known = nullptr) {
    library_walk walker({roots, default_test_extensions(), std::move(known), {}});
    walk_result result;
    walk_batch batch;
    while (walker.next(batch, 4)) {
        for (auto& m : batch.movies) result.movies.push_back(std::move(m));
        result.unchanged_movies += batch.unchanged_movies;
    }
    result.totals = walker.totals();
    return result;
}

const found_movie* find_movie(const walk_result& r, const std::string& title) {
    for (const auto& m : r.movies)
        if (m.title == title) return &m;
    return nullptr;
}

/// Known files as the catalogue would return them after storing `movies`.
std::shared_ptr<const known_files> known_from(const std::vector<found_movie>& movies) {
    auto known = std::make_shared<known_files>();
    movie_id id = 1;
    for (const auto& m : movies) {
        for (const auto& f : m.files) (*known)[f.path] = known_file{f.stamp, id};
        ++id;
    }
    return known;
}

} // namespace



BOOST_AUTO_TEST_CASE(finds_movies_in_common_layouts) {
    temp_library lib;
    lib.file("Heat (1995)/Heat (1995).mkv");
    lib.file("Alien (1979) 720p.mp4");
    lib.file("Collections/Star Wars/Star Wars (1977)/Star Wars (1977).mkv");
    lib.file("notes.txt");
    const auto r = walk_all({lib.root.string()});
    BOOST_TEST(r.movies.size() == 3u);
    BOOST_TEST(r.totals.video_files == 3);
    const auto* heat = find_movie(r, "Heat");
    BOOST_REQUIRE(heat);
    BOOST_TEST(heat->year.value_or(0) == 1995);
    BOOST_REQUIRE_EQUAL(heat->files.size(), 1u);
    BOOST_TEST(heat->files[0].path == (lib.root / "Heat (1995)/Heat (1995).mkv").string());
    BOOST_TEST(heat->files[0].root == lib.root.string());
    BOOST_TEST(heat->files[0].stamp.size == 5);
    BOOST_TEST(heat->files[0].stamp.mtime_ns > 0);
}

BOOST_AUTO_TEST_CASE(disc_structures_are_one_movie_named_after_their_folder) {
    temp_library lib;
    lib.file("The Matrix (1999)/BDMV/index.bdmv");
    lib.file("The Matrix (1999)/BDMV/STREAM/00001.m2ts");
    lib.file("The Matrix (1999)/BDMV/STREAM/00002.m2ts");
    lib.file("Casablanca (1942)/VIDEO_TS/VIDEO_TS.IFO");
    lib.file("Casablanca (1942)/VIDEO_TS/VTS_01_1.VOB");
    const auto r = walk_all({lib.root.string()});
    BOOST_TEST(r.movies.size() == 2u);
    const auto* matrix = find_movie(r, "The Matrix");
    BOOST_REQUIRE(matrix);
    BOOST_TEST(matrix->year.value_or(0) == 1999);
    BOOST_REQUIRE_EQUAL(matrix->files.size(), 1u);
    BOOST_TEST(matrix->files[0].path.ends_with("BDMV/index.bdmv"));
    BOOST_TEST(find_movie(r, "Casablanca"));
}

BOOST_AUTO_TEST_CASE(parts_in_one_folder_are_one_movie_in_order) {
    temp_library lib;
    lib.file("Gone with the Wind (1939)/Gone with the Wind (1939) cd2.avi", "part two");
    lib.file("Gone with the Wind (1939)/Gone with the Wind (1939) cd1.avi", "part one");
    const auto r = walk_all({lib.root.string()});
    BOOST_REQUIRE_EQUAL(r.movies.size(), 1u);
    BOOST_REQUIRE_EQUAL(r.movies[0].files.size(), 2u);
    BOOST_TEST(r.movies[0].files[0].part.value_or(0) == 1);
    BOOST_TEST(r.movies[0].files[1].part.value_or(0) == 2);
}

BOOST_AUTO_TEST_CASE(extras_are_not_movies) {
    temp_library lib;
    lib.file("Heat (1995)/Heat (1995).mkv");
    lib.file("Heat (1995)/Heat (1995)-trailer.mkv");
    lib.file("Heat (1995)/Extras/Making of.mkv");
    lib.file("Heat (1995)/sample.mkv");
    const auto r = walk_all({lib.root.string()});
    BOOST_TEST(r.movies.size() == 1u);
    BOOST_TEST(r.totals.extras == 3);
}

BOOST_AUTO_TEST_CASE(symlink_loops_are_not_followed_forever) {
    temp_library lib;
    lib.file("Heat (1995)/Heat (1995).mkv");
    fs::create_directory_symlink(lib.root, lib.root / "Heat (1995)" / "loop");
    fs::create_directory_symlink(lib.root / "Heat (1995)", lib.root / "again");
    const auto r = walk_all({lib.root.string()});
    BOOST_TEST(r.movies.size() == 1u);
}

BOOST_AUTO_TEST_CASE(names_that_are_not_utf8_survive) {
    temp_library lib;
    const std::string odd = "Caf\xe9 Society (2016).mkv"; // Latin-1 bytes, invalid UTF-8
    lib.file(odd);
    const auto r = walk_all({lib.root.string()});
    BOOST_REQUIRE_EQUAL(r.movies.size(), 1u);
    BOOST_TEST(r.movies[0].files[0].path == (lib.root.string() + "/" + odd));
    BOOST_TEST(r.movies[0].year.value_or(0) == 2016);
}

BOOST_AUTO_TEST_CASE(missing_roots_are_reported_and_others_still_walked) {
    temp_library lib;
    lib.file("Heat (1995)/Heat (1995).mkv");
    const auto missing = (lib.root / "unmounted").string();
    const auto r = walk_all({missing, lib.root.string()});
    BOOST_TEST(r.movies.size() == 1u);
    BOOST_REQUIRE_EQUAL(r.totals.missing_roots.size(), 1u);
    BOOST_TEST(r.totals.missing_roots[0] == missing);
}

BOOST_AUTO_TEST_CASE(unreadable_folders_are_logged_and_skipped) {
    temp_library lib;
    lib.file("Heat (1995)/Heat (1995).mkv");
    lib.file("Private/Alien (1979).mkv");
    fs::permissions(lib.root / "Private", fs::perms::none);
    // Root reads every folder regardless of permissions: walk as an unprivileged user then.
    const bool was_root = ::geteuid() == 0;
    if (was_root) BOOST_REQUIRE(::seteuid(65534) == 0);
    const auto r = walk_all({lib.root.string()});
    if (was_root) BOOST_REQUIRE(::seteuid(0) == 0);
    BOOST_TEST(r.movies.size() == 1u);
    BOOST_REQUIRE_EQUAL(r.totals.unreadable.size(), 1u);
    BOOST_TEST(r.totals.unreadable[0] == (lib.root / "Private").string());
}

BOOST_AUTO_TEST_CASE(unchanged_files_are_skipped_and_changed_ones_reread) {
    temp_library lib;
    lib.file("Heat (1995)/Heat (1995).mkv");
    lib.file("Alien (1979)/Alien (1979).mkv");
    const auto first = walk_all({lib.root.string()});
    BOOST_REQUIRE_EQUAL(first.movies.size(), 2u);
    const auto known = known_from(first.movies);

    const auto again = walk_all({lib.root.string()}, known);
    BOOST_TEST(again.movies.empty());
    BOOST_TEST(again.unchanged_movies == 2);
    BOOST_TEST(again.totals.unchanged_files == 2);

    lib.file("Alien (1979)/Alien (1979).mkv", "a longer re-encode");
    lib.file("Ran (1985)/Ran (1985).mkv");
    const auto third = walk_all({lib.root.string()}, known);
    BOOST_TEST(third.movies.size() == 2u);
    BOOST_TEST(third.unchanged_movies == 1);
    BOOST_TEST(find_movie(third, "Alien"));
    BOOST_TEST(find_movie(third, "Ran"));
}

BOOST_AUTO_TEST_CASE(a_stop_request_ends_the_walk) {
    temp_library lib;
    for (int i = 0; i < 20; ++i) lib.file("Movie " + std::to_string(i) + " (2000)/m.mkv");
    std::stop_source stop;
    library_walk walker({{lib.root.string()}, default_test_extensions(), nullptr, stop.get_token()});
    walk_batch batch;
    BOOST_REQUIRE(walker.next(batch, 1));
    stop.request_stop();
    while (walker.next(batch, 1)) {
    }
    BOOST_TEST(walker.totals().cancelled);
    BOOST_TEST(walker.totals().folders < 21);
}

BOOST_AUTO_TEST_CASE(video_extensions_match_case_insensitively) {
    BOOST_TEST(has_video_extension("A.MKV", {"mkv"}));
    BOOST_TEST(has_video_extension("a.b.mp4", {"mkv", "mp4"}));
    BOOST_TEST(!has_video_extension("a.mkv.txt", {"mkv"}));
    BOOST_TEST(!has_video_extension("mkv", {"mkv"}));
    BOOST_TEST(!has_video_extension("a.", {"mkv"}));
}
