#define BOOST_TEST_MODULE library_walk
#include <boost/test/unit_test.hpp>

#include "mediabase/naming/library_walk.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "temp_dir.hpp"

using namespace mediabase;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> default_test_extensions() { return {"mkv", "mp4", "avi", "iso", "m2ts", "vob"}; }

/// A media root made for one test and removed after it.
struct temp_library : mediabase::testing::temp_dir {
    fs::path root = path;
    temp_library() : mediabase::testing::temp_dir("mediabase-walk-") {
        // Readable by an unprivileged user too (see as_unprivileged_user).
        fs::permissions(root, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
    }
    /// Folders a test made unreadable become removable again before temp_dir removes the tree.
    ~temp_library() {
        std::error_code ec;
        fs::permissions(root, fs::perms::all, fs::perm_options::add, ec);
        for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
             it != fs::recursive_directory_iterator(); it.increment(ec))
            if (it->is_directory(ec) && !it->is_symlink(ec)) fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
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
        for (const auto& f : m.files) (*known)[f.path] = known_file{f.stamp, id, f.sidecar_stamp};
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

BOOST_AUTO_TEST_CASE(movies_with_an_nfo_or_art_beside_them_are_marked_for_local_metadata) {
    temp_library lib;
    lib.file("Heat (1995)/Heat (1995).mkv");
    lib.file("Heat (1995)/movie.nfo", "<movie/>");
    lib.file("Alien (1979)/Alien (1979).mkv");
    lib.file("Alien (1979)/Poster.JPG");
    lib.file("Casablanca (1942)/VIDEO_TS/VIDEO_TS.IFO");
    lib.file("Casablanca (1942)/Casablanca (1942).nfo", "<movie/>");
    lib.file("Plain (2001)/Plain (2001).mkv");
    lib.file("Plain (2001)/Plain (2001).srt");
    lib.file("Plain (2001)/grp-plain.nfo", "release notes"); // a release group's NFO says nothing of the film
    lib.file("Flat/Brazil (1985).mkv");
    lib.file("Flat/Brazil (1985)-fanart.png");
    lib.file("Flat/Gattaca (1997).mkv");
    const auto r = walk_all({lib.root.string()});
    BOOST_REQUIRE_EQUAL(r.movies.size(), 6u);
    BOOST_TEST(find_movie(r, "Heat")->local_metadata);
    BOOST_TEST(find_movie(r, "Alien")->local_metadata, "image names match case-insensitively");
    BOOST_TEST(find_movie(r, "Casablanca")->local_metadata, "a disc's NFO lies in the folder above it");
    BOOST_TEST(!find_movie(r, "Plain")->local_metadata, "subtitles and release notes are not metadata");
    BOOST_TEST(find_movie(r, "Brazil")->local_metadata, "art named after the file");
    BOOST_TEST(!find_movie(r, "Gattaca")->local_metadata, "another movie's art in a shared folder");
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

BOOST_AUTO_TEST_CASE(an_edited_nfo_or_new_art_makes_its_movie_changed) {
    temp_library lib;
    lib.file("Heat (1995)/Heat (1995).mkv");
    const auto nfo = lib.file("Heat (1995)/movie.nfo", "<movie><title>Heat</title></movie>");
    lib.file("Alien (1979)/Alien (1979).mkv");
    lib.file("Alien (1979)/grp-alien.nfo", "release notes");
    lib.file("Plain (2001)/Plain (2001).mkv");
    const auto first = walk_all({lib.root.string()});
    BOOST_REQUIRE_EQUAL(first.movies.size(), 3u);
    BOOST_TEST(find_movie(first, "Heat")->files[0].sidecar_stamp != 0);
    BOOST_TEST(find_movie(first, "Alien")->files[0].sidecar_stamp == 0, "a release group's NFO is no metadata");
    const auto known = known_from(first.movies);
    BOOST_TEST(walk_all({lib.root.string()}, known).movies.empty(), "nothing changed");

    // Same size, later mtime: an edit.
    fs::last_write_time(nfo, fs::last_write_time(nfo) + std::chrono::seconds(5));
    lib.file("Alien (1979)/grp-alien.nfo", "other release notes");
    lib.file("Plain (2001)/Plain (2001)-poster.jpg", "\xFF\xD8\xFF");
    const auto again = walk_all({lib.root.string()}, known);
    std::vector<std::string> changed;
    for (const auto& m : again.movies) changed.push_back(m.title);
    std::sort(changed.begin(), changed.end());
    BOOST_TEST(changed == (std::vector<std::string>{"Heat", "Plain"}), boost::test_tools::per_element());
    BOOST_TEST(find_movie(again, "Plain")->local_metadata);
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

// ---- moves: a known file found at a new place (same name, size and mtime) is a move, not a new movie ----

namespace {

/// Moves `from` to `to` under the library (creating folders), keeping its mtime as rename does.
void move_within(const temp_library& lib, const std::string& from, const std::string& to) {
    fs::create_directories((lib.root / to).parent_path());
    fs::rename(lib.root / from, lib.root / to);
}

/// Walks once to learn the files, as a first import would store them.
std::shared_ptr<const known_files> learn(const temp_library& lib) {
    return known_from(walk_all({lib.root.string()}).movies);
}

struct walk_with_moves {
    std::vector<found_movie> movies;
    std::vector<file_move> moves;
    walk_totals totals;
};

walk_with_moves walk_moves(const std::vector<std::string>& roots, std::shared_ptr<const known_files> known) {
    library_walk walker({roots, default_test_extensions(), std::move(known), {}});
    walk_with_moves result;
    walk_batch batch;
    while (walker.next(batch, 4)) {
        for (auto& m : batch.movies)
            result.movies.push_back(std::move(m));
        for (auto& m : batch.moves)
            result.moves.push_back(std::move(m));
    }
    result.totals = walker.totals();
    return result;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_file_moved_to_another_folder_is_a_move_of_its_movie) {
    temp_library lib;
    lib.file("Heat (1995)/Heat (1995).mkv");
    lib.file("Alien (1979)/Alien (1979).mkv");
    const auto known = learn(lib);
    const auto old_path = (lib.root / "Heat (1995)/Heat (1995).mkv").string();
    const auto heat_id = known->at(old_path).movie;

    move_within(lib, "Heat (1995)/Heat (1995).mkv", "Crime/Heat (1995) 1080p/Heat (1995).mkv");
    const auto r = walk_moves({lib.root.string()}, known);
    BOOST_TEST(r.movies.empty());
    BOOST_REQUIRE_EQUAL(r.moves.size(), 1u);
    const auto& move = r.moves[0];
    BOOST_TEST(move.from == old_path);
    BOOST_TEST(move.movie == heat_id);
    BOOST_TEST(move.found.title == "Heat");
    BOOST_REQUIRE_EQUAL(move.found.files.size(), 1u);
    BOOST_TEST(move.found.files[0].path == (lib.root / "Crime/Heat (1995) 1080p/Heat (1995).mkv").string());
    BOOST_TEST(move.found.files[0].root == lib.root.string());
    BOOST_TEST((move.found.files[0].stamp == known->at(old_path).stamp));
    BOOST_TEST(r.totals.moved_files == 1);
}

BOOST_AUTO_TEST_CASE(a_renamed_folder_moves_its_files) {
    temp_library lib;
    lib.file("Gone with the Wind/Gone with the Wind (1939) cd1.avi", "part one");
    lib.file("Gone with the Wind/Gone with the Wind (1939) cd2.avi", "part two");
    const auto known = learn(lib);
    fs::rename(lib.root / "Gone with the Wind", lib.root / "Gone with the Wind (1939)");
    const auto r = walk_moves({lib.root.string()}, known);
    BOOST_TEST(r.movies.empty());
    BOOST_TEST(r.moves.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_copy_is_a_new_file_while_the_original_is_on_disk) {
    temp_library lib;
    lib.file("Heat (1995)/Heat (1995).mkv");
    const auto known = learn(lib);
    fs::create_directories(lib.root / "Backup");
    fs::copy_file(lib.root / "Heat (1995)/Heat (1995).mkv", lib.root / "Backup/Heat (1995).mkv");
    fs::last_write_time(lib.root / "Backup/Heat (1995).mkv",
                        fs::last_write_time(lib.root / "Heat (1995)/Heat (1995).mkv"));
    const auto r = walk_moves({lib.root.string()}, known);
    BOOST_TEST(r.moves.empty());
    BOOST_REQUIRE_EQUAL(r.movies.size(), 1u);
    BOOST_TEST(r.movies[0].files[0].path == (lib.root / "Backup/Heat (1995).mkv").string());
}

BOOST_AUTO_TEST_CASE(a_new_file_with_another_name_or_size_is_not_a_move) {
    temp_library lib;
    lib.file("Heat (1995)/Heat (1995).mkv", "video");
    const auto known = learn(lib);
    fs::remove(lib.root / "Heat (1995)/Heat (1995).mkv");
    lib.file("Heat (1995)/Heat.1995.mkv", "video");           // another name
    lib.file("Other/Heat (1995).mkv", "a bigger video file"); // another size
    const auto r = walk_moves({lib.root.string()}, known);
    BOOST_TEST(r.moves.empty());
    BOOST_TEST(r.movies.size() == 2u);
}

BOOST_AUTO_TEST_CASE(one_vanished_file_is_the_source_of_one_move_only) {
    temp_library lib;
    const auto original = lib.file("Heat (1995)/Heat (1995).mkv");
    const auto known = learn(lib);
    const auto mtime = fs::last_write_time(original);
    move_within(lib, "Heat (1995)/Heat (1995).mkv", "A/Heat (1995).mkv");
    fs::create_directories(lib.root / "B");
    fs::copy_file(lib.root / "A/Heat (1995).mkv", lib.root / "B/Heat (1995).mkv");
    fs::last_write_time(lib.root / "B/Heat (1995).mkv", mtime);
    const auto r = walk_moves({lib.root.string()}, known);
    BOOST_TEST(r.moves.size() == 1u);
    BOOST_TEST(r.movies.size() == 1u);
}

BOOST_AUTO_TEST_CASE(files_of_a_missing_or_empty_root_are_not_taken_for_moved) {
    temp_library lib;
    temp_library other;
    lib.file("Heat (1995)/Heat (1995).mkv");
    const auto known = learn(lib);
    // The drive with the library is unmounted (its mount point is empty) and a copy shows up elsewhere.
    const auto source = lib.root / "Heat (1995)/Heat (1995).mkv";
    const auto mtime = fs::last_write_time(source);
    fs::create_directories(other.root / "Heat (1995)");
    fs::copy_file(source, other.root / "Heat (1995)/Heat (1995).mkv");
    fs::last_write_time(other.root / "Heat (1995)/Heat (1995).mkv", mtime);
    fs::remove_all(lib.root / "Heat (1995)");

    auto r = walk_moves({lib.root.string(), other.root.string()}, known);
    BOOST_TEST(r.moves.empty());
    BOOST_TEST(r.movies.size() == 1u);

    // Missing altogether: the same.
    const auto missing = (lib.root / "gone").string();
    auto moved_known = std::make_shared<known_files>();
    (*moved_known)[missing + "/Heat (1995)/Heat (1995).mkv"] = known->begin()->second;
    r = walk_moves({missing, other.root.string()}, moved_known);
    BOOST_TEST(r.moves.empty());
    BOOST_TEST(r.movies.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_moved_disc_keeps_its_folder_name) {
    temp_library lib;
    lib.file("The Matrix (1999)/BDMV/index.bdmv", "disc index");
    lib.file("Casablanca (1942)/BDMV/index.bdmv", "disc index");
    const auto known = learn(lib);
    // Both index files look alike; only the one whose disc folder moved is its source.
    move_within(lib, "The Matrix (1999)", "Sci-Fi/The Matrix (1999)");
    const auto r = walk_moves({lib.root.string()}, known);
    BOOST_TEST(r.movies.empty());
    BOOST_REQUIRE_EQUAL(r.moves.size(), 1u);
    BOOST_TEST(r.moves[0].from == (lib.root / "The Matrix (1999)/BDMV/index.bdmv").string());
}

BOOST_AUTO_TEST_CASE(move_names_are_file_names_or_disc_folders) {
    BOOST_TEST(move_name("/m/Heat (1995)/Heat (1995).mkv") == "Heat (1995).mkv");
    BOOST_TEST(move_name("Heat.mkv") == "Heat.mkv");
    BOOST_TEST(move_name("/m/The Matrix (1999)/BDMV/index.bdmv") == "The Matrix (1999)/BDMV/index.bdmv");
    BOOST_TEST(move_name("/m/Casablanca/VIDEO_TS/video_ts.ifo") == "Casablanca/VIDEO_TS/video_ts.ifo");
    BOOST_TEST(move_name("BDMV/index.bdmv") == "BDMV/index.bdmv");
}

BOOST_AUTO_TEST_CASE(a_root_the_system_cannot_open_is_a_failure_not_just_skipped) {
    temp_library lib;
    lib.file("Heat (1995)/Heat (1995).mkv");
    // No descriptor left: the lowest free one is the limit.
    rlimit saved{};
    BOOST_REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
    const int probe = ::dup(0);
    BOOST_REQUIRE(probe >= 0);
    ::close(probe);
    rlimit tight = saved;
    tight.rlim_cur = static_cast<rlim_t>(probe);
    BOOST_REQUIRE(::setrlimit(RLIMIT_NOFILE, &tight) == 0);
    const auto r = walk_all({lib.root.string()});
    BOOST_REQUIRE(::setrlimit(RLIMIT_NOFILE, &saved) == 0);
    BOOST_TEST(r.movies.empty());
    BOOST_REQUIRE_EQUAL(r.totals.failures.size(), 1u);
    BOOST_TEST(r.totals.failures[0].find("Too many open files") != std::string::npos);
    BOOST_TEST(r.totals.failures[0].starts_with(lib.root.string()));
}
