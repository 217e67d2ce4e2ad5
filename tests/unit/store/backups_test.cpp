#define BOOST_TEST_MODULE backups
#include <boost/test/unit_test.hpp>

#include "mediabase/store/backups.hpp"
#include "mediabase/store/catalogue.hpp"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "temp_dir.hpp"

using namespace mediabase;
using mediabase::testing::temp_dir;
namespace fs = std::filesystem;

namespace {

found_movie movie_at(const std::string& title, int year, const std::string& path) {
    media_file f;
    f.path = path;
    f.root = "/media";
    f.stamp = {1000, 1};
    found_movie m;
    m.title = title;
    m.year = year;
    m.files.push_back(std::move(f));
    return m;
}

std::chrono::system_clock::time_point at(std::time_t seconds) { return std::chrono::system_clock::from_time_t(seconds); }

} // namespace

BOOST_AUTO_TEST_CASE(backup_names_sort_in_time_order_and_list_newest_first) {
    temp_dir dir;
    BOOST_TEST(backup_name("manual", at(1'796'000'000)) == "mediabase-20261130T005320Z-manual.db");
    for (const auto t : {1'796'000'000, 1'796'000'100, 1'795'000'000})
        std::ofstream(dir.path / backup_name("scheduled", at(t))) << "x";
    std::ofstream(dir.path / "notes.txt") << "not a backup";
    std::ofstream(dir.path / "mediabase-garbage-manual.db") << "not a backup name";
    const auto backups = list_backups(dir.path);
    BOOST_REQUIRE_EQUAL(backups.size(), 3u);
    BOOST_TEST(backups[0].created_at == "2026-11-30T00:55:00Z");
    BOOST_TEST(backups[0].reason == "scheduled");
    BOOST_TEST(backups[2].created_at < backups[1].created_at);
}

BOOST_AUTO_TEST_CASE(only_the_newest_backups_are_kept) {
    temp_dir dir;
    for (int i = 0; i < 9; ++i) std::ofstream(dir.path / backup_name("scheduled", at(1'796'000'000 + i * 86400))) << i;
    BOOST_TEST(remove_old_backups(dir.path, 7) == 2);
    const auto backups = list_backups(dir.path);
    BOOST_REQUIRE_EQUAL(backups.size(), 7u);
    BOOST_TEST(backups.back().name == backup_name("scheduled", at(1'796'000'000 + 2 * 86400)));
}

BOOST_AUTO_TEST_CASE(the_next_backup_is_due_an_interval_after_the_newest) {
    temp_dir dir;
    const auto now = at(1'796'000'000);
    BOOST_TEST(next_backup_due(dir.path, std::chrono::hours(24), now).count() == 0, "no backup yet: due now");
    std::ofstream(dir.path / backup_name("scheduled", now - std::chrono::hours(1))) << "x";
    BOOST_TEST(next_backup_due(dir.path, std::chrono::hours(24), now).count() == 23 * 3600);
    BOOST_TEST(next_backup_due(dir.path, std::chrono::hours(1), now).count() == 0);
}

BOOST_AUTO_TEST_CASE(backup_change_restore_gives_back_the_catalogue_as_it_was) {
    temp_dir dir;
    const auto db_file = dir.path / "data" / "mediabase.db";
    const auto backups = catalogue::backup_dir(db_file);
    BOOST_TEST(backups == dir.path / "data" / "backups");
    fs::path backup;
    {
        auto db = catalogue::open(db_file);
        std::vector<found_movie> batch{movie_at("Heat", 1995, "/media/Heat.mkv")};
        const auto stored = db.store_found(batch);
        movie_patch watched;
        watched.watched = true;
        db.patch_movie(stored.ids[0], watched);
        const auto outcome = make_backup(db, backups, "manual", 7);
        BOOST_REQUIRE_MESSAGE(outcome.file.has_value(), outcome.error);
        backup = outcome.file->path;
        BOOST_TEST(outcome.file->size > 0);

        // After the backup: one movie more, Heat unwatched.
        std::vector<found_movie> more{movie_at("Alien", 1979, "/media/Alien.mkv")};
        db.store_found(more);
        movie_patch unwatched;
        unwatched.watched = false;
        db.patch_movie(stored.ids[0], unwatched);
        BOOST_TEST(db.movie_count() == 2);
    }
    catalogue::restore(backup, db_file);
    auto db = catalogue::open(db_file);
    BOOST_TEST(db.movie_count() == 1);
    const auto page = db.list_movies({});
    BOOST_REQUIRE_EQUAL(page.movies.size(), 1u);
    BOOST_TEST(page.movies[0].title == "Heat");
    BOOST_TEST(page.movies[0].watched);
    BOOST_TEST(!db.quick_check().has_value());
}

BOOST_AUTO_TEST_CASE(restore_refuses_a_file_that_is_not_a_sound_catalogue) {
    temp_dir dir;
    const auto db_file = dir.path / "mediabase.db";
    std::ofstream(dir.path / "junk.db") << "this is not SQLite at all, just text that is long enough";
    BOOST_CHECK_THROW(catalogue::restore(dir.path / "junk.db", db_file), std::runtime_error);
    BOOST_CHECK_THROW(catalogue::restore(dir.path / "missing.db", db_file), std::runtime_error);
    {
        soci::session other(soci::sqlite3, (dir.path / "other.db").string());
        other << "CREATE TABLE notes (text TEXT)";
    }
    BOOST_CHECK_THROW(catalogue::restore(dir.path / "other.db", db_file), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(a_current_catalogue_opens_without_a_backup) {
    temp_dir dir;
    const auto db_file = dir.path / "mediabase.db";
    for (int i = 0; i < 2; ++i) {
        auto db = catalogue::open(db_file);
        (void)db;
    }
    // Only a migration makes one (catalogue_test: migrates_a_version_1_database_without_losing_rows).
    BOOST_TEST(list_backups(catalogue::backup_dir(db_file)).empty());
}
