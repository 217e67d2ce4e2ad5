#define BOOST_TEST_MODULE catalogue
#include <boost/test/unit_test.hpp>

#include "mediabase/store/backups.hpp"
#include "mediabase/store/catalogue.hpp"
#include "mediabase/model/movie_json.hpp"
#include "catalogue_schema.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <boost/json/serialize.hpp>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <memory>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.hpp"

// How failed checks print optionals and enums.
namespace boost::test_tools::tt_detail {
template <class T> struct print_log_value<std::optional<T>> {
    void operator()(std::ostream& os, const std::optional<T>& v) {
        if (v)
            print_log_value<T>()(os, *v);
        else
            os << "nullopt";
    }
};
template <> struct print_log_value<mediabase::match_state> {
    void operator()(std::ostream& os, mediabase::match_state s) { os << mediabase::to_string(s); }
};
} // namespace boost::test_tools::tt_detail

using namespace mediabase;
namespace fs = std::filesystem;

namespace {

// One suite, two engines: SQLite by default; PostgreSQL when MEDIABASE_TEST_ENGINE=postgresql, on the database
// MEDIABASE_TEST_POSTGRES names (a libpq conninfo), each test in a schema of its own.
bool on_postgres() {
    static const bool postgres = [] {
        const char* engine = std::getenv("MEDIABASE_TEST_ENGINE");
        return engine && std::string(engine) == "postgresql";
    }();
    return postgres;
}

std::string postgres_conninfo() {
    const char* conninfo = std::getenv("MEDIABASE_TEST_POSTGRES");
    return conninfo ? conninfo : "";
}

/// Tests of what only SQLite has (files, WAL, PRAGMA, SQLite's own migrations).
boost::test_tools::assertion_result sqlite_only(boost::unit_test::test_unit_id) {
    return !on_postgres();
}

/// Without a PostgreSQL to test on, the PostgreSQL run is skipped (exit 77), or fails under CI=true. The
/// extensions go into `public` once, so that dropping a test's schema keeps them.
struct engine_setup {
    engine_setup() {
        if (!on_postgres()) return;
        if (postgres_conninfo().empty()) {
            const char* ci = std::getenv("CI");
            std::cerr << "MEDIABASE_TEST_POSTGRES is not set: no PostgreSQL to run the catalogue suite on\n";
            std::exit(ci && std::string(ci) == "true" ? 1 : 77);
        }
        soci::session sql(soci::postgresql, postgres_conninfo());
        sql << "SET client_min_messages = warning";
        for (const char* extension : {"unaccent", "pg_trgm", "citext"})
            sql << std::string("CREATE EXTENSION IF NOT EXISTS ") + extension + " SCHEMA public";
    }
};

/// A folder for one test's database, removed afterwards; on PostgreSQL also a schema, dropped afterwards.
struct temp_dir : mediabase::testing::temp_dir {
    std::string schema;
    temp_dir() : mediabase::testing::temp_dir("mediabase-catalogue-test-") {
        if (!on_postgres()) return;
        std::random_device random;
        schema = "mb_test_" + std::to_string(random()) + "_" + std::to_string(random());
        soci::session sql(soci::postgresql, postgres_conninfo());
        sql << "CREATE SCHEMA " + schema;
    }
    ~temp_dir() {
        if (schema.empty()) return;
        try {
            soci::session sql(soci::postgresql, postgres_conninfo());
            sql << "SET client_min_messages = warning";
            sql << "DROP SCHEMA " + schema + " CASCADE";
        } catch (const std::exception& e) {
            std::cerr << "cannot drop the test schema " << schema << ": " << e.what() << "\n";
        }
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    [[nodiscard]] fs::path db() const { return path / "data" / "catalogue.db"; }
    [[nodiscard]] database_url url() const {
        database_url url;
        if (on_postgres()) {
            url.engine = database_engine::postgresql;
            url.conninfo = postgres_conninfo() + " options='-csearch_path=" + schema + ",public'";
        } else {
            url.file = db();
        }
        return url;
    }
    [[nodiscard]] catalogue open() const { return catalogue::open(url()); }
    /// A connection of the test's own to the same database.
    [[nodiscard]] std::unique_ptr<soci::session> raw() const {
        if (on_postgres()) return std::make_unique<soci::session>(soci::postgresql, url().conninfo);
        return std::make_unique<soci::session>(soci::sqlite3, db().string());
    }
};

media_file file_at(std::string path, std::optional<std::string> resolution = std::nullopt,
                   std::optional<int> part = std::nullopt) {
    media_file f;
    f.path = std::move(path);
    f.root = "/media";
    f.stamp = {1'000'000, 1'700'000'000'000'000'000};
    f.resolution = std::move(resolution);
    f.part = part;
    f.container = "mkv";
    return f;
}

found_movie found(std::string title, std::optional<int> year, std::vector<media_file> files) {
    found_movie m;
    m.title = std::move(title);
    m.year = year;
    m.files = std::move(files);
    return m;
}

/// Stores one found movie and returns what the catalogue did with it.
movie_change store(catalogue& c, const found_movie& m) {
    const auto result = c.store_found(std::span(&m, 1));
    BOOST_REQUIRE_EQUAL(result.stored, 1);
    BOOST_REQUIRE_EQUAL(result.changes.size(), 1u);
    return result.changes.front();
}

movie_id add(catalogue& c, std::string title, std::optional<int> year, std::string path,
             std::optional<std::string> resolution = std::nullopt) {
    return store(c, found(std::move(title), year, {file_at(std::move(path), std::move(resolution))})).id;
}

std::vector<std::string> titles(const movie_page& page) {
    std::vector<std::string> result;
    for (const auto& m : page.movies)
        result.push_back(m.title);
    return result;
}

std::vector<std::string> search(catalogue& c, std::string text) {
    movie_query q;
    q.text = std::move(text);
    return titles(c.list_movies(q));
}

std::vector<std::string> sorted_titles(catalogue& c, movie_sort sort, bool descending) {
    movie_query q;
    q.sort = sort;
    q.descending = descending;
    return titles(c.list_movies(q));
}

/// The schema exactly as version 1 shipped it.
void create_version_1(soci::session& sql) {
    sql << R"(CREATE TABLE movies (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,
    year INTEGER,
    tmdb_id INTEGER,
    imdb_id TEXT,
    overview TEXT,
    runtime INTEGER,
    genres TEXT NOT NULL DEFAULT '[]',
    poster TEXT,
    backdrop TEXT,
    watched INTEGER NOT NULL DEFAULT 0,
    rating INTEGER CHECK (rating BETWEEN 1 AND 10),
    added_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
))";
    sql << "CREATE INDEX movies_title_key ON movies (title_key, year)";
    sql << "CREATE INDEX movies_tmdb_id ON movies (tmdb_id)";
    sql << R"(CREATE TABLE media_files (
    id INTEGER PRIMARY KEY,
    movie_id INTEGER NOT NULL REFERENCES movies (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    root TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    resolution TEXT,
    source TEXT,
    video_codec TEXT,
    audio_codec TEXT,
    edition TEXT,
    container TEXT,
    part INTEGER,
    three_d INTEGER NOT NULL DEFAULT 0
))";
    sql << "CREATE UNIQUE INDEX media_files_path ON media_files (path)";
    sql << "CREATE INDEX media_files_movie ON media_files (movie_id)";
    sql << "PRAGMA user_version = 1";
}

} // namespace

BOOST_TEST_GLOBAL_FIXTURE(engine_setup);

BOOST_AUTO_TEST_CASE(open_creates_the_folder_and_a_current_wal_database, *boost::unit_test::precondition(sqlite_only)) {
    temp_dir dir;
    {
        auto c = dir.open();
        BOOST_TEST(fs::exists(dir.db()));
        BOOST_TEST(c.schema_version() == catalogue::current_schema_version());
        BOOST_TEST(catalogue::current_schema_version() == 9);
        BOOST_TEST(c.movie_count() == 0);
        BOOST_TEST(c.list_movies({}).total == 0);
    }
    soci::session raw(soci::sqlite3, dir.db().string());
    std::string mode;
    raw << "PRAGMA journal_mode", soci::into(mode);
    BOOST_TEST(mode == "wal");
}

// The writer's commits leave the write-ahead log to a second connection (the Checkpointer): the log grows
// past SQLite's own checkpoint size (1,000 pages) without the commits copying it, a passive checkpoint of the
// other connection copies it whole, and a restart lets the next commit write the log from its start again.
BOOST_AUTO_TEST_CASE(a_writer_with_deferred_checkpoints_leaves_them_to_another_connection,
                     *boost::unit_test::precondition(sqlite_only)) {
    temp_dir dir;
    auto writer = dir.open();
    auto checkpointer = dir.open();
    writer.defer_checkpoints(1'000'000);
    std::int64_t last = 0;
    for (int batch = 0; writer.wal_pages() < 2000 && batch < 400; ++batch) {
        std::vector<found_movie> movies;
        for (int i = 0; i < 50; ++i) {
            const auto name = "Movie " + std::to_string(batch) + "-" + std::to_string(i);
            movies.push_back(found(name, 2000, {file_at("/media/" + name + "/" + name + ".mkv")}));
        }
        BOOST_REQUIRE_EQUAL(writer.store_found(movies).stored, 50);
        // Never cut back while nobody checkpoints: the log only grows.
        BOOST_TEST(writer.wal_pages() >= last);
        last = writer.wal_pages();
    }
    BOOST_REQUIRE_GE(writer.wal_pages(), 2000);

    const auto passive = checkpointer.checkpoint(wal_checkpoint::passive);
    BOOST_TEST(passive.in_log == writer.wal_pages());
    BOOST_TEST(passive.copied == passive.in_log);
    const auto restart = checkpointer.checkpoint(wal_checkpoint::restart);
    BOOST_TEST(restart.copied == restart.in_log);

    add(writer, "After the Restart", 2001, "/media/After/After.mkv");
    BOOST_TEST(writer.wal_pages() > 0);
    BOOST_TEST(writer.wal_pages() < 100);
    // Nothing was lost on the way: the other connection sees every movie.
    BOOST_TEST(checkpointer.movie_count() == writer.movie_count());
}

BOOST_AUTO_TEST_CASE(open_accepts_paths_with_spaces_and_equals_signs, *boost::unit_test::precondition(sqlite_only)) {
    temp_dir dir;
    const auto file = dir.path / "my movies" / "key=value db" / "catalogue.db";
    {
        auto c = catalogue::open(file);
        add(c, "Heat", 1995, "/media/Heat (1995)/Heat.mkv");
    }
    BOOST_TEST(fs::exists(file));
    auto c = catalogue::open(file);
    BOOST_TEST(c.movie_count() == 1);
}

BOOST_AUTO_TEST_CASE(open_accepts_paths_with_uri_syntax_and_non_ascii_letters, *boost::unit_test::precondition(sqlite_only)) {
    // With '=' the path goes as a percent-encoded URI: '?', '#', '%' and UTF-8 must reach the file system whole.
    temp_dir dir;
    const auto file = dir.path / "a=b ?x=1#frag 100% Amélie" / "catalogue.db";
    {
        auto c = catalogue::open(file);
        add(c, "Amélie", 2001, "/media/Amélie (2001)/Amélie.mkv");
    }
    BOOST_TEST(fs::exists(file));
    BOOST_TEST(std::distance(fs::directory_iterator(file.parent_path()), fs::directory_iterator()) >= 1);
    auto c = catalogue::open(file);
    BOOST_TEST(c.movie_count() == 1);
}

BOOST_AUTO_TEST_CASE(migrates_a_version_1_database_without_losing_rows, *boost::unit_test::precondition(sqlite_only)) {
    temp_dir dir;
    fs::create_directories(dir.db().parent_path());
    {
        soci::session raw(soci::sqlite3, dir.db().string());
        create_version_1(raw);
        raw << "INSERT INTO movies (id, title, title_key, year, tmdb_id, imdb_id, overview, runtime, genres, "
               "poster,"
               " watched, rating, added_at, updated_at) VALUES (1, 'Heat', 'heat', 1995, 949, 'tt0113277',"
               " 'A group of professional bank robbers', 170, '[\"Crime\",\"Drama\"]', 'heat.jpg', 1, 9,"
               " '2025-01-02T03:04:05Z', '2025-01-02T03:04:05Z')";
        raw << "INSERT INTO movies (id, title, title_key, year, added_at, updated_at)"
               " VALUES (2, 'Alien', 'alien', 1979, '2025-01-03T00:00:00Z', '2025-01-03T00:00:00Z')";
        raw << "INSERT INTO media_files (movie_id, path, root, size, mtime_ns, resolution, part)"
               " VALUES (1, '/media/Heat (1995)/Heat.2160p.mkv', '/media', 42, 7, '2160p', NULL)";
        raw << "INSERT INTO media_files (movie_id, path, root, size, mtime_ns, resolution)"
               " VALUES (1, '/media/Heat (1995)/Heat.1080p.mkv', '/media', 41, 6, '1080p')";
        raw << "INSERT INTO media_files (movie_id, path, root, size, mtime_ns)"
               " VALUES (2, '/media/Alien (1979)/Alien.mkv', '/media', 40, 5)";
    }
    BOOST_TEST(!fs::exists(catalogue::backup_dir(dir.db())));
    auto c = dir.open();
    BOOST_TEST(c.schema_version() == catalogue::current_schema_version());
    BOOST_TEST(c.movie_count() == 2);
    // The catalogue as it was before the migration is kept (DATA/backups), still at version 1.
    const auto backups = list_backups(catalogue::backup_dir(dir.db()));
    BOOST_REQUIRE_EQUAL(backups.size(), 1u);
    BOOST_TEST(backups[0].reason == "before-v" + std::to_string(catalogue::current_schema_version()));
    {
        soci::session copy(soci::sqlite3, backups[0].path.string());
        int version = 0;
        int movies = 0;
        copy << "PRAGMA user_version", soci::into(version);
        copy << "SELECT count(*) FROM movies", soci::into(movies);
        BOOST_TEST(version == 1);
        BOOST_TEST(movies == 2);
    }

    const auto heat = c.get_movie(1);
    BOOST_REQUIRE(heat);
    BOOST_TEST(heat->title == "Heat");
    BOOST_TEST(heat->year == 1995);
    BOOST_TEST(heat->tmdb_id == 949);
    BOOST_TEST(heat->imdb_id == "tt0113277");
    BOOST_TEST(heat->runtime == 170);
    BOOST_TEST(heat->genres == (std::vector<std::string>{"Crime", "Drama"}),
               boost::test_tools::per_element());
    BOOST_TEST(heat->poster == "heat.jpg");
    BOOST_TEST(heat->watched);
    BOOST_TEST(heat->rating == 9);
    BOOST_TEST(heat->added_at == "2025-01-02T03:04:05Z");
    BOOST_TEST(heat->match == match_state::unidentified);
    BOOST_TEST(heat->files.size() == 2u);

    // The new indexes cover the old rows.
    BOOST_TEST(search(c, "robbers") == std::vector<std::string>{"Heat"}, boost::test_tools::per_element());
    BOOST_TEST(search(c, "alie") == std::vector<std::string>{"Alien"}, boost::test_tools::per_element());
    movie_query by_genre;
    by_genre.genre = "drama";
    BOOST_TEST(c.list_movies(by_genre).total == 1);
    BOOST_TEST(c.genres() == (std::vector<std::string>{"Crime", "Drama"}), boost::test_tools::per_element());
    BOOST_TEST(c.load_known_files().size() == 3u);
    // The files stored before servers had names are the first named server's.
    c.set_server("alpha");
    BOOST_TEST(c.load_known_files().empty());
    BOOST_TEST(c.claim_unowned_files() == 3);
    BOOST_TEST(c.claim_unowned_files() == 0);
    BOOST_TEST(c.load_known_files().size() == 3u);
    BOOST_TEST(c.get_movie(1)->files.front().server == "alpha");

    // And the migrated database takes new rows like a fresh one.
    add(c, "Heat", 1995, "/media/Heat (1995)/Heat.720p.mkv", "720p");
    BOOST_TEST(c.get_movie(1)->files.size() == 3u);
}

BOOST_AUTO_TEST_CASE(refuses_a_database_newer_than_this_build) {
    temp_dir dir;
    fs::create_directories(dir.db().parent_path());
    {
        auto raw = dir.raw();
        if (on_postgres()) {
            *raw << "CREATE TABLE mediabase_schema (version INTEGER NOT NULL)";
            *raw << "INSERT INTO mediabase_schema (version) VALUES (99)";
        } else {
            *raw << "PRAGMA user_version = 99";
        }
    }
    try {
        auto c = dir.open();
        BOOST_FAIL("a newer database was opened");
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        BOOST_TEST_MESSAGE(message);
        BOOST_TEST(message.find("newer") != std::string::npos);
        BOOST_TEST(message.find("99") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(refuses_a_file_that_is_not_a_database, *boost::unit_test::precondition(sqlite_only)) {
    temp_dir dir;
    fs::create_directories(dir.db().parent_path());
    {
        std::ofstream garbage(dir.db());
        garbage << std::string(8192, 'x');
    }
    BOOST_CHECK_THROW(dir.open(), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(movie_sort_names) {
    BOOST_TEST((movie_sort_from_string("title") == movie_sort::title));
    BOOST_TEST((movie_sort_from_string("year") == movie_sort::year));
    BOOST_TEST((movie_sort_from_string("added") == movie_sort::added));
    BOOST_TEST((movie_sort_from_string("rating") == movie_sort::rating));
    BOOST_TEST((movie_sort_from_string("runtime") == movie_sort::runtime));
    BOOST_TEST(!movie_sort_from_string("Title"));
    BOOST_TEST(!movie_sort_from_string(""));
}

BOOST_AUTO_TEST_CASE(store_adds_a_movie_then_updates_its_known_file) {
    temp_dir dir;
    auto c = dir.open();
    auto first =
        found("The Matrix", 1999, {file_at("/media/The Matrix (1999)/The.Matrix.1999.mkv", "1080p")});
    const auto added = store(c, first);
    BOOST_TEST((added.kind == change_kind::added));

    auto changed = first;
    changed.files[0].stamp = {2'000'000, 1'800'000'000'000'000'000};
    changed.files[0].source = "BluRay";
    const auto updated = store(c, changed);
    BOOST_TEST((updated.kind == change_kind::updated));
    BOOST_TEST(updated.id == added.id);
    BOOST_TEST(c.movie_count() == 1);

    const auto m = c.get_movie(added.id);
    BOOST_REQUIRE(m);
    BOOST_TEST(m->title == "The Matrix");
    BOOST_TEST(m->year == 1999);
    BOOST_TEST(!m->added_at.empty());
    BOOST_REQUIRE_EQUAL(m->files.size(), 1u);
    BOOST_TEST(m->files[0].source == "BluRay");
    BOOST_TEST(m->files[0].resolution == "1080p");
    BOOST_TEST(m->files[0].container == "mkv");

    const auto known = c.load_known_files();
    BOOST_REQUIRE_EQUAL(known.size(), 1u);
    const auto& k = known.at("/media/The Matrix (1999)/The.Matrix.1999.mkv");
    BOOST_TEST(k.movie == added.id);
    BOOST_TEST((k.stamp == file_stamp{2'000'000, 1'800'000'000'000'000'000}));
}

BOOST_AUTO_TEST_CASE(versions_with_the_same_title_and_year_are_one_movie) {
    temp_dir dir;
    auto c = dir.open();
    const auto id = add(c, "Heat", 1995, "/media/Heat (1995)/Heat.1995.1080p.mkv", "1080p");
    const auto second = store(c, found("Heat", 1995, {file_at("/media/4k/Heat.1995.2160p.mkv", "2160p")}));
    BOOST_TEST(second.id == id);
    BOOST_TEST((second.kind == change_kind::updated));
    // Case, punctuation and a moved article do not make another film.
    BOOST_TEST(add(c, "HEAT!", 1995, "/media/other/HEAT.mkv") == id);
    BOOST_TEST(add(c, "Matrix, The", 1999, "/media/a/Matrix, The.mkv") ==
               add(c, "The Matrix", 1999, "/media/b/The.Matrix.mkv"));

    BOOST_TEST(c.movie_count() == 2);
    BOOST_TEST(c.get_movie(id)->files.size() == 3u);
    // Another year is another film; so is the same title without a year.
    BOOST_TEST(add(c, "Heat", 1986, "/media/Heat (1986)/Heat.mkv") != id);
    BOOST_TEST(add(c, "Heat", std::nullopt, "/media/Heat.mkv") != id);
    BOOST_TEST(c.movie_count() == 4);
    // Versions inside one movie are not duplicates.
    BOOST_TEST(c.duplicates().empty());
}

BOOST_AUTO_TEST_CASE(a_provider_id_joins_files_under_different_names) {
    temp_dir dir;
    auto c = dir.open();
    auto a = found("The Matrix", 1999, {file_at("/media/a.mkv")});
    a.tmdb_id = 603;
    auto b = found("Matrix Reloaded?", 2003, {file_at("/media/b.mkv")});
    b.tmdb_id = 603;
    const auto first = store(c, a).id;
    BOOST_TEST(store(c, b).id == first);

    auto d = found("Blade Runner", 1982, {file_at("/media/d.mkv")});
    d.imdb_id = "tt0083658";
    auto e = found("Blade Runner Final Cut", 2007, {file_at("/media/e.mkv")});
    e.imdb_id = "tt0083658";
    const auto runner = store(c, d).id;
    BOOST_TEST(store(c, e).id == runner);
    BOOST_TEST(runner != first);

    // A title match does not join movies whose provider ids disagree.
    auto remake = found("The Matrix", 1999, {file_at("/media/f.mkv")});
    remake.tmdb_id = 999'999;
    BOOST_TEST(store(c, remake).id != first);
    // But an unidentified file joins the identified movie with its title and year.
    auto plain = found("The Matrix", 1999, {file_at("/media/g.mkv")});
    BOOST_TEST(store(c, plain).id == first);
}

BOOST_AUTO_TEST_CASE(parts_of_a_movie_are_one_movie_in_part_order) {
    temp_dir dir;
    auto c = dir.open();
    const auto change = store(c, found("Lawrence of Arabia", 1962,
                                       {file_at("/media/Lawrence/Lawrence.cd2.avi", std::nullopt, 2),
                                        file_at("/media/Lawrence/Lawrence.cd1.avi", std::nullopt, 1)}));
    BOOST_TEST((change.kind == change_kind::added));
    const auto m = c.get_movie(change.id);
    BOOST_REQUIRE(m);
    BOOST_REQUIRE_EQUAL(m->files.size(), 2u);
    BOOST_TEST(m->files[0].part == 1);
    BOOST_TEST(m->files[1].part == 2);
    BOOST_TEST(m->files[0].path == "/media/Lawrence/Lawrence.cd1.avi");
}

BOOST_AUTO_TEST_CASE(one_bad_movie_does_not_fail_the_batch) {
    temp_dir dir;
    auto c = dir.open();
    std::vector<found_movie> batch{
        found("Alien", 1979, {file_at("/media/Alien.mkv")}),
        found("Nothing", 2000, {}),
        found("Brazil", 1985, {file_at("/media/Brazil.mkv")}),
        // The same movie twice in one batch: added once.
        found("Alien", 1979, {file_at("/media/Alien.2160p.mkv")}),
    };
    const auto result = c.store_found(batch);
    BOOST_TEST(result.stored == 3);
    BOOST_TEST(result.failed == 1);
    BOOST_REQUIRE_EQUAL(result.changes.size(), 2u);
    BOOST_TEST((result.changes[0].kind == change_kind::added));
    BOOST_TEST((result.changes[1].kind == change_kind::added));
    BOOST_TEST(c.movie_count() == 2);
    BOOST_TEST(c.get_movie(result.changes[0].id)->files.size() == 2u);
    BOOST_TEST(c.store_found({}).stored == 0);
}

// A batch is looked up at once before it is stored: what its own earlier movies add and learn must count for the
// later ones just as it would one movie at a time.
BOOST_AUTO_TEST_CASE(a_batch_joins_what_its_own_earlier_movies_added_and_learned) {
    temp_dir dir;
    auto c = dir.open();
    const auto heat = add(c, "Heat", 1995, "/media/Heat.mkv");
    const auto brazil = add(c, "Brazil", 1985, "/media/Brazil.mkv");
    auto heat_with_id = found("Heat", 1995, {file_at("/media/Heat.2160p.mkv")});
    heat_with_id.tmdb_id = 949;
    // Another name, the TMDB id the first movie of the batch gave Heat.
    auto cut = found("Heat Director's Cut", 1995, {file_at("/media/Heat.Cut.mkv")});
    cut.tmdb_id = 949;
    // Heat's title and year, but another film by its id.
    auto other_heat = found("Heat", 1995, {file_at("/media/Heat.1986.mkv")});
    other_heat.tmdb_id = 12345;
    auto other_again = found("Heat", 1995, {file_at("/media/Heat.1986.part2.mkv")});
    other_again.tmdb_id = 12345;
    std::vector<found_movie> batch{
        heat_with_id,
        cut,
        other_heat,
        other_again,
        // A known file keeps its movie, whatever the name says; the new file beside it joins that movie.
        found("Brasil", 1985, {file_at("/media/Brazil.mkv"), file_at("/media/Brazil.Extended.mkv")}),
        found("Zardoz", std::nullopt, {file_at("/media/Zardoz.mkv")}),
        found("Zardoz", std::nullopt, {file_at("/media/Zardoz.2.mkv")}),
    };
    const auto result = c.store_found(batch);
    BOOST_TEST(result.stored == 7);
    BOOST_TEST(result.failed == 0);
    BOOST_REQUIRE_EQUAL(result.ids.size(), 7u);
    BOOST_TEST(result.ids[0] == heat);
    BOOST_TEST(result.ids[1] == heat);
    BOOST_TEST(result.ids[2] != heat);
    BOOST_TEST(result.ids[3] == result.ids[2]);
    BOOST_TEST(result.ids[4] == brazil);
    // Without a year a shared title proves little: two movies.
    BOOST_TEST(result.ids[5] != result.ids[6]);
    BOOST_TEST(c.movie_count() == 5);
    BOOST_TEST(c.get_movie(heat)->files.size() == 3u);
    BOOST_TEST(c.get_movie(heat)->tmdb_id == std::optional<std::int64_t>(949));
    BOOST_TEST(c.get_movie(brazil)->files.size() == 2u);
    BOOST_TEST(c.get_movie(result.ids[2])->files.size() == 2u);
}

// Every movie as the catalogue holds it: id, title, year, provider ids and its files' paths, in id order.
std::vector<std::string> catalogue_state(catalogue& c) {
    movie_query q;
    q.sort = movie_sort::added;
    q.limit = 1000; // the most a page holds
    std::vector<std::string> state;
    for (const auto& m : c.list_movies(q).movies) {
        std::string row = std::to_string(m.id) + " " + m.title + " " + (m.year ? std::to_string(*m.year) : "-") +
                          " " + (m.tmdb_id ? std::to_string(*m.tmdb_id) : "-") + " " + m.imdb_id.value_or("-");
        std::vector<std::string> paths;
        for (const auto& f : m.files) paths.push_back(f.path + (f.resolution ? ":" + *f.resolution : ""));
        std::sort(paths.begin(), paths.end());
        for (const auto& p : paths) row += " " + p;
        state.push_back(row);
    }
    return state;
}

// PostgreSQL stores a batch with a few statements for all of it (store_at_once), SQLite row by row: the same
// batches must give the same movies, ids and files. Random batches over few titles, years, provider ids and
// paths, so that found movies join catalogued ones, earlier ones of their batch, and known files; some batches
// hold a path twice (stored row by row on every engine). On SQLite both sides are SQLite.
BOOST_AUTO_TEST_CASE(a_batch_stored_at_once_gives_what_row_by_row_gives) {
    temp_dir dir;
    mediabase::testing::temp_dir reference_dir("mediabase-catalogue-reference-");
    database_url reference_url;
    reference_url.file = reference_dir.path / "reference.db";
    auto c = dir.open();
    auto reference = catalogue::open(reference_url);
    std::mt19937 random(20261207);
    const auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
    const std::vector<std::string> titles{"Heat", "Brazil", "Alien", "Heat II", "Zardoz", "Léon"};
    const std::vector<std::string> resolutions{"720p", "1080p", "2160p"};
    for (int round = 0; round < 60; ++round) {
        std::vector<found_movie> batch;
        const int size = 1 + pick(12);
        std::set<int> used;
        for (int i = 0; i < size; ++i) {
            std::optional<int> year;
            if (pick(5) != 0) year = 1980 + pick(3);
            std::vector<media_file> files;
            for (int k = 0, count = 1 + pick(2); k < count; ++k) {
                int path = pick(40);
                // Mostly unique within the batch; now and then a path twice.
                if (used.contains(path) && pick(8) != 0) continue;
                used.insert(path);
                files.push_back(file_at("/media/f" + std::to_string(path) + ".mkv", resolutions[pick(3)]));
            }
            if (files.empty()) continue;
            auto f = found(titles[pick(static_cast<int>(titles.size()))], year, std::move(files));
            if (pick(3) == 0) f.tmdb_id = 100 + pick(4);
            if (pick(4) == 0) f.imdb_id = "tt" + std::to_string(pick(3));
            batch.push_back(std::move(f));
        }
        const auto got = c.store_found(batch);
        const auto expected = reference.store_found(batch);
        BOOST_TEST_CONTEXT("round " << round) {
            BOOST_TEST(got.stored == expected.stored);
            BOOST_TEST(got.failed == expected.failed);
            BOOST_TEST(got.ids == expected.ids, boost::test_tools::per_element());
            BOOST_REQUIRE_EQUAL(got.changes.size(), expected.changes.size());
            for (std::size_t i = 0; i < got.changes.size(); ++i) {
                BOOST_TEST(got.changes[i].id == expected.changes[i].id);
                BOOST_TEST((got.changes[i].kind == expected.changes[i].kind));
                BOOST_TEST(got.changes[i].source_index == expected.changes[i].source_index);
            }
        }
    }
    const auto state = catalogue_state(c);
    BOOST_TEST(state.size() > 10u); // the batches made many movies, not one or none
    BOOST_TEST(state == catalogue_state(reference), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(removing_files_removes_a_movie_only_with_its_last_file) {
    temp_dir dir;
    auto c = dir.open();
    const auto heat =
        store(c, found("Heat", 1995, {file_at("/media/Heat.1080p.mkv"), file_at("/media/Heat.2160p.mkv")}));
    const auto alien = add(c, "Alien", 1979, "/media/Alien.mkv");

    const std::vector<std::string> first{"/media/Heat.1080p.mkv", "/media/not-catalogued.mkv"};
    auto changes = c.remove_files(first);
    BOOST_REQUIRE_EQUAL(changes.size(), 1u);
    BOOST_TEST((changes[0].kind == change_kind::updated));
    BOOST_TEST(changes[0].id == heat.id);
    BOOST_TEST(c.get_movie(heat.id)->files.size() == 1u);

    const std::vector<std::string> second{"/media/Heat.2160p.mkv", "/media/Alien.mkv"};
    changes = c.remove_files(second);
    BOOST_REQUIRE_EQUAL(changes.size(), 2u);
    for (const auto& change : changes)
        BOOST_TEST((change.kind == change_kind::removed));
    BOOST_TEST(!c.get_movie(heat.id));
    BOOST_TEST(!c.get_movie(alien));
    BOOST_TEST(c.movie_count() == 0);
    BOOST_TEST(c.load_known_files().empty());
    BOOST_TEST(search(c, "heat").empty());
}

BOOST_AUTO_TEST_CASE(moving_a_file_keeps_its_movie_watched_state_and_rating) {
    temp_dir dir;
    auto c = dir.open();
    const auto id = add(c, "Alien", 1979, "/media/old/Alien.mkv", "1080p");
    add(c, "Brazil", 1985, "/media/Brazil.mkv");
    movie_patch patch;
    patch.watched = true;
    patch.rating = std::optional<int>(8);
    BOOST_REQUIRE(c.patch_movie(id, patch));

    BOOST_TEST(c.move_file("/media/old/Alien.mkv", "/other/new/Alien.mkv", {5, 6}, "/other"));
    const auto m = c.get_movie(id);
    BOOST_REQUIRE(m);
    BOOST_TEST(m->watched);
    BOOST_TEST(m->rating == 8);
    BOOST_REQUIRE_EQUAL(m->files.size(), 1u);
    BOOST_TEST(m->files[0].path == "/other/new/Alien.mkv");
    BOOST_TEST(m->files[0].root == "/other");
    BOOST_TEST(m->files[0].resolution == "1080p");
    BOOST_TEST((m->files[0].stamp == file_stamp{5, 6}));
    const auto known = c.load_known_files();
    BOOST_TEST(known.count("/other/new/Alien.mkv") == 1u);
    BOOST_TEST(known.count("/media/old/Alien.mkv") == 0u);

    // Unknown sources and occupied targets are refused.
    BOOST_TEST(!c.move_file("/media/old/Alien.mkv", "/x.mkv", {1, 1}, "/"));
    BOOST_TEST(!c.move_file("/other/new/Alien.mkv", "/media/Brazil.mkv", {1, 1}, "/media"));
    BOOST_TEST(c.get_movie(id)->files[0].path == "/other/new/Alien.mkv");
}

BOOST_AUTO_TEST_CASE(patch_sets_and_clears_watched_and_rating) {
    temp_dir dir;
    auto c = dir.open();
    const auto id = add(c, "Alien", 1979, "/media/Alien.mkv");

    movie_patch watched;
    watched.watched = true;
    auto m = c.patch_movie(id, watched);
    BOOST_REQUIRE(m);
    BOOST_TEST(m->watched);
    BOOST_TEST(!m->rating);

    movie_patch rate;
    rate.rating = std::optional<int>(10);
    m = c.patch_movie(id, rate);
    BOOST_TEST(m->rating == 10);
    BOOST_TEST(m->watched); // untouched

    movie_patch clear;
    clear.rating = std::optional<int>();
    m = c.patch_movie(id, clear);
    BOOST_TEST(!m->rating);
    BOOST_TEST(m->watched);

    movie_patch bad;
    bad.rating = std::optional<int>(11);
    BOOST_CHECK_THROW(c.patch_movie(id, bad), std::invalid_argument);
    bad.rating = std::optional<int>(0);
    BOOST_CHECK_THROW(c.patch_movie(id, bad), std::invalid_argument);
    BOOST_TEST(!c.patch_movie(id + 100, watched));
}

BOOST_AUTO_TEST_CASE(each_person_reads_and_writes_only_their_own_marks) {
    temp_dir dir;
    auto c = dir.open();
    const auto alien = add(c, "Alien", 1979, "/media/Alien.mkv");
    const auto heat = add(c, "Heat", 1995, "/media/Heat.mkv");
    const auto se7en = add(c, "Se7en", 1995, "/media/Se7en.mkv");
    // Marks kept before accounts: the shared columns, which the first admin inherits.
    movie_patch before;
    before.watched = true;
    before.rating = std::optional<int>(3);
    BOOST_REQUIRE(c.patch_movie(se7en, before));
    const auto ann = c.add_account("ann", "hash", "admin");
    const auto bob = c.add_account("bob", "hash", "viewer");
    BOOST_REQUIRE(ann);
    BOOST_REQUIRE(bob);
    BOOST_TEST(c.get_movie(se7en, ann->id)->watched);
    BOOST_TEST(c.get_movie(se7en, ann->id)->rating == 3);
    BOOST_TEST(!c.get_movie(se7en, bob->id)->watched);
    BOOST_TEST(!c.get_movie(se7en, bob->id)->rating);

    movie_patch watched_8;
    watched_8.watched = true;
    watched_8.rating = std::optional<int>(8);
    auto m = c.patch_movie(alien, watched_8, ann->id);
    BOOST_REQUIRE(m);
    BOOST_TEST(m->watched);
    BOOST_TEST(m->rating == 8);
    movie_patch listed_9;
    listed_9.rating = std::optional<int>(9);
    listed_9.on_list = true;
    m = c.patch_movie(heat, listed_9, bob->id);
    BOOST_TEST(!m->watched);
    BOOST_TEST(m->rating == 9);
    BOOST_TEST(m->on_list);
    movie_patch bob_alien;
    bob_alien.rating = std::optional<int>(2);
    BOOST_REQUIRE(c.patch_movie(alien, bob_alien, bob->id));

    // get: each sees their own; the shared columns are untouched by a person's change.
    BOOST_TEST(!c.get_movie(alien, bob->id)->watched);
    BOOST_TEST(c.get_movie(alien, bob->id)->rating == 2);
    BOOST_TEST(c.get_movie(alien, ann->id)->rating == 8);
    BOOST_TEST(!c.get_movie(heat, ann->id)->on_list);
    BOOST_TEST(!c.get_movie(alien)->watched);
    BOOST_TEST(!c.get_movie(alien)->rating);

    using v = std::vector<std::string>;
    const auto list = [&](person_id who, auto&& adjust) {
        movie_query q;
        adjust(q);
        const auto page = c.list_movies(q, who);
        BOOST_TEST(page.total == static_cast<std::int64_t>(page.movies.size()));
        return titles(page);
    };
    const auto watched = [](bool w) { return [w](movie_query& q) { q.watched = w; }; };
    BOOST_TEST(list(ann->id, watched(true)) == (v{"Alien", "Se7en"}), boost::test_tools::per_element());
    BOOST_TEST(list(ann->id, watched(false)) == (v{"Heat"}), boost::test_tools::per_element());
    BOOST_TEST(list(bob->id, watched(true)).empty());
    BOOST_TEST(list(bob->id, watched(false)).size() == 3u);
    BOOST_TEST(list(shared_state, watched(true)) == (v{"Se7en"}), boost::test_tools::per_element());
    BOOST_TEST(list(bob->id, [](movie_query& q) { q.on_list = true; }) == (v{"Heat"}),
               boost::test_tools::per_element());
    BOOST_TEST(list(ann->id, [](movie_query& q) { q.on_list = true; }).empty());
    const auto by_rating = [](movie_query& q) {
        q.sort = movie_sort::rating;
        q.descending = true;
    };
    BOOST_TEST(list(ann->id, by_rating) == (v{"Alien", "Se7en", "Heat"}), boost::test_tools::per_element());
    BOOST_TEST(list(bob->id, by_rating) == (v{"Heat", "Alien", "Se7en"}), boost::test_tools::per_element());
    BOOST_TEST(c.figures(ann->id).watched == 2);
    BOOST_TEST(c.figures(bob->id).watched == 0);
    BOOST_TEST(c.figures().watched == 1);
    // The marks shown in a list are the reader's.
    movie_query all;
    for (const auto& movie : c.list_movies(all, bob->id).movies)
        BOOST_TEST(!movie.watched);

    // A row with no mark left is dropped; the shared columns have no list.
    movie_patch clear;
    clear.rating = std::optional<int>();
    clear.on_list = false;
    BOOST_REQUIRE(c.patch_movie(heat, clear, bob->id));
    auto raw_session = dir.raw();
    auto& raw = *raw_session;
    long long rows = -1;
    raw << "SELECT count(*) FROM user_movie_state WHERE user_id = :u AND movie_id = :m", soci::use(bob->id),
        soci::use(heat), soci::into(rows);
    BOOST_TEST(rows == 0);
    movie_patch list_only;
    list_only.on_list = true;
    BOOST_CHECK_THROW(c.patch_movie(heat, list_only), std::invalid_argument);
    BOOST_TEST(!c.patch_movie(heat + 100, list_only, ann->id));
}

BOOST_AUTO_TEST_CASE(update_metadata_replaces_provider_fields_and_keeps_the_users) {
    temp_dir dir;
    auto c = dir.open();
    const auto id = add(c, "Alien 1979 Directors Cut", 1979, "/media/Alien.mkv");
    movie_patch patch;
    patch.watched = true;
    patch.rating = std::optional<int>(9);
    const auto before = c.patch_movie(id, patch);

    movie m;
    m.title = "Alien";
    m.original_title = "Alien (Original)";
    m.year = 1979;
    m.overview = "The crew of a commercial spacecraft encounters a deadly lifeform.";
    m.tagline = "In space no one can hear you scream.";
    m.runtime = 117;
    m.genres = {"Horror", "Science Fiction"};
    m.countries = {"GB", "US"};
    m.directors = {{"Ridley Scott", "Director"}};
    m.writers = {{"Dan O'Bannon", "Screenplay"}};
    m.cast = {{"Sigourney Weaver", "Ellen Ripley"}, {"Tom Skerritt", std::nullopt}};
    m.certification = "R";
    m.collection = "Alien Collection";
    m.tmdb_id = 348;
    m.imdb_id = "tt0078748";
    m.poster = "348-poster.jpg";
    m.backdrop = "348-backdrop.jpg";
    m.imdb_rating = 8.5;
    m.imdb_votes = 912'000;
    m.metascore = 89;
    m.awards = "Won 1 Oscar";
    m.vote_average = 8.1;
    m.vote_count = 14'000;
    m.match = match_state::review;
    m.match_confidence = 0.6;
    m.identify_error = std::nullopt;
    m.watched = false;       // not the provider's to change
    m.rating = std::nullopt; // nor this
    m.added_at = "1999-01-01T00:00:00Z";

    const auto after = c.update_metadata(id, m);
    BOOST_REQUIRE(after);
    BOOST_TEST(after->title == "Alien");
    BOOST_TEST(after->original_title == "Alien (Original)");
    BOOST_TEST(after->tagline == "In space no one can hear you scream.");
    BOOST_TEST(after->runtime == 117);
    BOOST_TEST(after->genres == m.genres, boost::test_tools::per_element());
    BOOST_TEST(after->countries == m.countries, boost::test_tools::per_element());
    BOOST_REQUIRE_EQUAL(after->cast.size(), 2u);
    BOOST_TEST(after->cast[0].name == "Sigourney Weaver");
    BOOST_TEST(after->cast[0].role == "Ellen Ripley");
    BOOST_TEST(!after->cast[1].role);
    BOOST_TEST(after->directors.at(0).name == "Ridley Scott");
    BOOST_TEST(after->writers.at(0).name == "Dan O'Bannon");
    BOOST_TEST(after->certification == "R");
    BOOST_TEST(after->collection == "Alien Collection");
    BOOST_TEST(after->tmdb_id == 348);
    BOOST_TEST(after->imdb_id == "tt0078748");
    BOOST_TEST(after->poster == "348-poster.jpg");
    BOOST_TEST(after->imdb_rating == 8.5);
    BOOST_TEST(after->imdb_votes == 912'000);
    BOOST_TEST(after->metascore == 89);
    BOOST_TEST(after->awards == "Won 1 Oscar");
    BOOST_TEST(after->vote_average == 8.1);
    BOOST_TEST(after->vote_count == 14'000);
    BOOST_TEST((after->match == match_state::review));
    BOOST_TEST(after->match_confidence == 0.6);
    // The user's fields and the files stay.
    BOOST_TEST(after->watched);
    BOOST_TEST(after->rating == 9);
    BOOST_TEST(after->added_at == before->added_at);
    BOOST_TEST(after->files.size() == 1u);

    // Search sees the new text, people included; the old title is gone from the index.
    BOOST_TEST(search(c, "ridley") == std::vector<std::string>{"Alien"}, boost::test_tools::per_element());
    BOOST_TEST(search(c, "weaver") == std::vector<std::string>{"Alien"}, boost::test_tools::per_element());
    BOOST_TEST(search(c, "spacecraft") == std::vector<std::string>{"Alien"},
               boost::test_tools::per_element());
    BOOST_TEST(search(c, "original") == std::vector<std::string>{"Alien"}, boost::test_tools::per_element());
    BOOST_TEST(search(c, "directors").empty());
    BOOST_TEST(c.genres() == m.genres, boost::test_tools::per_element());

    // New genres replace the old ones in the filter.
    m.genres = {"Thriller"};
    c.update_metadata(id, m);
    BOOST_TEST(c.genres() == std::vector<std::string>{"Thriller"}, boost::test_tools::per_element());
    BOOST_TEST(!c.update_metadata(id + 100, m));
}

BOOST_AUTO_TEST_CASE(search_finds_prefixes_and_survives_hostile_input) {
    temp_dir dir;
    auto c = dir.open();
    add(c, "The Matrix", 1999, "/media/matrix.mkv");
    add(c, "Amélie", 2001, "/media/amelie.mkv");
    add(c, "Spider-Man: No Way Home", 2021, "/media/spider.mkv");
    add(c, "Andromeda Strain", 1971, "/media/andromeda.mkv");

    BOOST_TEST(search(c, "matr") == std::vector<std::string>{"The Matrix"}, boost::test_tools::per_element());
    BOOST_TEST(search(c, "MATRIX") == std::vector<std::string>{"The Matrix"},
               boost::test_tools::per_element());
    BOOST_TEST(search(c, "amelie") == std::vector<std::string>{"Amélie"}, boost::test_tools::per_element());
    BOOST_TEST(search(c, "spider-man way") == std::vector<std::string>{"Spider-Man: No Way Home"},
               boost::test_tools::per_element());
    BOOST_TEST(search(c, "the matrix") == std::vector<std::string>{"The Matrix"},
               boost::test_tools::per_element());
    BOOST_TEST(search(c, "matrix home").empty()); // every word must match
    BOOST_TEST(search(c, "AND") == std::vector<std::string>{"Andromeda Strain"},
               boost::test_tools::per_element());
    BOOST_TEST(search(c, "\"matrix") == std::vector<std::string>{"The Matrix"},
               boost::test_tools::per_element());
    BOOST_TEST(search(c, "-matrix") == std::vector<std::string>{"The Matrix"},
               boost::test_tools::per_element());
    BOOST_TEST(search(c, "(matrix)") == std::vector<std::string>{"The Matrix"},
               boost::test_tools::per_element());
    BOOST_TEST(search(c, "matrix*") == std::vector<std::string>{"The Matrix"},
               boost::test_tools::per_element());
    BOOST_TEST(search(c, "").size() == 4u);
    BOOST_TEST(search(c, "   ").size() == 4u);

    // Hostile input is data, never syntax: each has a known answer. Input without a word is an empty search
    // (the whole catalogue); words must each start a word of the title; operators are plain words.
    const std::vector<std::string> everything{"Amélie", "Andromeda Strain", "Spider-Man: No Way Home", "The Matrix"};
    const std::vector<std::string> nothing;
    const std::vector<std::string> matrix{"The Matrix"};
    const std::vector<std::string> andromeda{"Andromeda Strain"};
    const std::vector<std::pair<std::string, std::vector<std::string>>> hostile{
        {"\"", everything},
        {"\"\"", everything},
        {"\"\"\"", everything},
        {"*", everything},
        {"**", everything},
        {"(", everything},
        {")", everything},
        {"()", everything},
        {"AND", andromeda},
        {"OR", nothing},
        {"NOT", nothing},
        {"NEAR", nothing},
        {"NEAR(matrix home)", nothing},
        {"-", everything},
        {"--", everything},
        {"+", everything},
        {"^", everything},
        {"^matrix", matrix},
        {":", everything},
        {"title:matrix", nothing},
        {"{title}: matrix", nothing},
        {"matrix AND", nothing},
        {"AND OR NOT", nothing},
        {"'", everything},
        {"'; DROP TABLE movies; --", nothing},
        {"\"; DROP TABLE movies; --", nothing},
        {"\\", everything},
        {"%", everything},
        {"_", everything},
        {"a\"b", nothing},
        {"\"*\"", everything},
        {std::string("mat\0rix", 7), nothing}, // NUL splits the words: "rix" starts no word of a title
        {"\xff\xfe", nothing},
        {"\xe2\x82", nothing},
        {"ünïcödé", nothing},
        {std::string(10'000, 'x'), nothing},
        {std::string(5'000, '"'), everything},
        {"a b c d e f g h i j k l m n o p q r s t u v w x y z", nothing},
    };
    for (const auto& [input, expected] : hostile) {
        BOOST_TEST_CONTEXT("search for " << input.substr(0, 40)) {
            auto found = search(c, input);
            std::sort(found.begin(), found.end());
            BOOST_TEST(found == expected, boost::test_tools::per_element());
        }
    }
    BOOST_TEST(c.movie_count() == 4);

    // PostgreSQL also finds words with a typo when the words as typed found nothing (pg_trgm); SQLite does not.
    const auto typo = on_postgres() ? matrix : nothing;
    BOOST_TEST(search(c, "matirx") == typo, boost::test_tools::per_element());
    BOOST_TEST(search(c, "MATIRX") == typo, boost::test_tools::per_element());
    BOOST_TEST(search(c, "the matirx").empty()); // a short word is never looked for with a typo
    BOOST_TEST(search(c, "andromdea") == (on_postgres() ? andromeda : nothing), boost::test_tools::per_element());
    BOOST_TEST(search(c, "matirx home").empty()); // still every word
}

BOOST_AUTO_TEST_CASE(every_sort_key_orders_both_ways_with_stable_ties) {
    temp_dir dir;
    auto c = dir.open();
    struct spec {
        std::string title;
        std::optional<int> year;
        std::optional<int> runtime;
        std::optional<int> rating;
        std::optional<double> vote_average;
    };
    const std::vector<spec> specs{
        {"The Zebra", 2001, 90, std::nullopt, 7.0},
        {"alien", 1979, 117, 9, 8.4},
        {"Brazil", 1985, 142, 9, 7.9},
        {"A Beautiful Mind", 2001, 135, std::nullopt, 7.9},
        {"Casablanca", 1942, 102, 5, 8.5},
        {"Dune", std::nullopt, std::nullopt, std::nullopt, std::nullopt},
    };
    for (const auto& s : specs) {
        const auto id = add(c, s.title, s.year, "/media/" + s.title + ".mkv");
        auto m = *c.get_movie(id);
        m.runtime = s.runtime;
        m.vote_average = s.vote_average;
        BOOST_REQUIRE(c.update_metadata(id, m));
        movie_patch patch;
        patch.rating = s.rating;
        BOOST_REQUIRE(c.patch_movie(id, patch));
    }
    using v = std::vector<std::string>;
    const auto check = [&](movie_sort sort, const v& ascending) {
        BOOST_TEST(sorted_titles(c, sort, false) == ascending, boost::test_tools::per_element());
        const v descending(ascending.rbegin(), ascending.rend());
        BOOST_TEST(sorted_titles(c, sort, true) == descending, boost::test_tools::per_element());
    };
    // Titles ignore case and a leading article.
    check(movie_sort::title, {"alien", "A Beautiful Mind", "Brazil", "Casablanca", "Dune", "The Zebra"});
    // Unknown values count as the lowest; equal years fall back to the title.
    check(movie_sort::year, {"Dune", "Casablanca", "alien", "Brazil", "A Beautiful Mind", "The Zebra"});
    check(movie_sort::runtime, {"Dune", "The Zebra", "Casablanca", "alien", "A Beautiful Mind", "Brazil"});
    // The user's rating first, then the audience's.
    check(movie_sort::rating, {"Dune", "The Zebra", "A Beautiful Mind", "Casablanca", "Brazil", "alien"});
    // Added in the same second: the order they were added in.
    check(movie_sort::added, {"The Zebra", "alien", "Brazil", "A Beautiful Mind", "Casablanca", "Dune"});
}

BOOST_AUTO_TEST_CASE(pages_cover_the_list_once_with_a_total) {
    temp_dir dir;
    auto c = dir.open();
    std::vector<found_movie> batch;
    for (int i = 0; i < 25; ++i)
        batch.push_back(
            found("Movie " + std::to_string(100 + i), 2000, {file_at("/media/" + std::to_string(i))}));
    BOOST_REQUIRE_EQUAL(c.store_found(batch).stored, 25);

    std::vector<std::string> seen;
    for (int offset = 0; offset < 30; offset += 10) {
        movie_query q;
        q.limit = 10;
        q.offset = offset;
        const auto page = c.list_movies(q);
        BOOST_TEST(page.total == 25);
        BOOST_TEST(page.movies.size() == (offset < 20 ? 10u : 5u));
        for (const auto& m : page.movies) {
            BOOST_TEST(m.files.size() == 1u);
            seen.push_back(m.title);
        }
    }
    BOOST_REQUIRE_EQUAL(seen.size(), 25u);
    for (int i = 0; i < 25; ++i)
        BOOST_TEST(seen[static_cast<std::size_t>(i)] == "Movie " + std::to_string(100 + i));

    movie_query beyond;
    beyond.offset = 100;
    const auto empty = c.list_movies(beyond);
    BOOST_TEST(empty.total == 25);
    BOOST_TEST(empty.movies.empty());

    // Out-of-range limits are clamped, not errors.
    movie_query odd;
    odd.limit = 0;
    odd.offset = -5;
    BOOST_TEST(c.list_movies(odd).movies.size() == 1u);
    odd.limit = 1'000'000;
    BOOST_TEST(c.list_movies(odd).movies.size() == 25u);
}

BOOST_AUTO_TEST_CASE(filters_combine_with_search_and_count_all_matches) {
    temp_dir dir;
    auto c = dir.open();
    const auto set_genres = [&](movie_id id, std::vector<std::string> genres) {
        auto m = *c.get_movie(id);
        m.genres = std::move(genres);
        BOOST_REQUIRE(c.update_metadata(id, m));
    };
    const auto heat = add(c, "Heat", 1995, "/media/Heat.mkv", "2160p");
    const auto alien = add(c, "Alien", 1979, "/media/Alien.mkv", "1080p");
    const auto seven = add(c, "Se7en", 1995, "/media/Se7en.720p.mkv", "720p");
    add(c, "Se7en", 1995, "/media/Se7en.1080p.mkv", "1080p");
    set_genres(heat, {"Crime", "Drama"});
    set_genres(alien, {"Horror", "Science Fiction"});
    set_genres(seven, {"Crime", "Mystery"});
    movie_patch watched;
    watched.watched = true;
    c.patch_movie(heat, watched);

    const auto run = [&](auto&& adjust) {
        movie_query q;
        adjust(q);
        const auto page = c.list_movies(q);
        BOOST_TEST(page.total == static_cast<std::int64_t>(page.movies.size()));
        return titles(page);
    };
    using v = std::vector<std::string>;
    BOOST_TEST(run([](movie_query& q) { q.genre = "crime"; }) == (v{"Heat", "Se7en"}),
               boost::test_tools::per_element());
    BOOST_TEST(run([](movie_query& q) { q.genre = "Western"; }).empty());
    BOOST_TEST(run([](movie_query& q) { q.year_from = 1990; }) == (v{"Heat", "Se7en"}),
               boost::test_tools::per_element());
    BOOST_TEST(run([](movie_query& q) { q.year_to = 1980; }) == (v{"Alien"}),
               boost::test_tools::per_element());
    BOOST_TEST(run([](movie_query& q) {
                   q.year_from = 1979;
                   q.year_to = 1979;
               }) == (v{"Alien"}),
               boost::test_tools::per_element());
    BOOST_TEST(run([](movie_query& q) { q.watched = true; }) == (v{"Heat"}),
               boost::test_tools::per_element());
    {
        auto failed = *c.get_movie(alien);
        failed.match = match_state::failed;
        failed.identify_error = "provider unavailable";
        BOOST_REQUIRE(c.update_metadata(alien, failed));
    }
    BOOST_TEST(run([](movie_query& q) { q.match = match_state::failed; }) == (v{"Alien"}),
               boost::test_tools::per_element());
    BOOST_TEST(run([](movie_query& q) {
                   q.match = match_state::unidentified;
                   q.genre = "Crime";
               }) == (v{"Heat", "Se7en"}),
               boost::test_tools::per_element());
    BOOST_TEST(run([](movie_query& q) { q.watched = false; }) == (v{"Alien", "Se7en"}),
               boost::test_tools::per_element());
    BOOST_TEST(run([](movie_query& q) { q.resolution = "1080p"; }) == (v{"Alien", "Se7en"}),
               boost::test_tools::per_element());
    BOOST_TEST(run([](movie_query& q) {
                   q.genre = "Crime";
                   q.resolution = "1080P";
               }) == (v{"Se7en"}),
               boost::test_tools::per_element());
    BOOST_TEST(run([](movie_query& q) {
                   q.text = "heat";
                   q.genre = "Drama";
               }) == (v{"Heat"}),
               boost::test_tools::per_element());
    BOOST_TEST(run([](movie_query& q) {
                   q.text = "heat";
                   q.genre = "Horror";
               }).empty());
    BOOST_TEST(c.genres() == (v{"Crime", "Drama", "Horror", "Mystery", "Science Fiction"}),
               boost::test_tools::per_element());
    // The files of every movie on the page come along.
    movie_query all;
    all.resolution = "1080p";
    const auto page = c.list_movies(all);
    BOOST_REQUIRE_EQUAL(page.movies.size(), 2u);
    BOOST_TEST(page.movies[1].files.size() == 2u);
}

BOOST_AUTO_TEST_CASE(duplicates_are_same_provider_id_or_same_title_and_year) {
    temp_dir dir;
    auto c = dir.open();
    const auto a = add(c, "The Matrix", 1999, "/media/a.mkv");
    const auto b = add(c, "Matrix", 2000, "/media/b.mkv"); // a wrong year in the name
    for (const auto id : {a, b}) {
        auto m = *c.get_movie(id);
        m.tmdb_id = 603;
        c.update_metadata(id, m);
    }
    const auto untitled1 = add(c, "Untitled", std::nullopt, "/media/u1.mkv");
    const auto untitled2 = add(c, "Untitled", std::nullopt, "/media/u2.mkv");
    add(c, "Heat", 1995, "/media/h1.mkv");
    add(c, "Heat", 1995, "/media/h2.mkv"); // a version, not a duplicate

    const auto groups = c.duplicates();
    BOOST_REQUIRE_EQUAL(groups.size(), 2u);
    BOOST_TEST(groups[0].reason == "tmdb_id");
    BOOST_REQUIRE_EQUAL(groups[0].movies.size(), 2u);
    BOOST_TEST(groups[0].movies[0].id == a);
    BOOST_TEST(groups[0].movies[1].id == b);
    BOOST_TEST(groups[1].reason == "title_year");
    BOOST_REQUIRE_EQUAL(groups[1].movies.size(), 2u);
    BOOST_TEST(groups[1].movies[0].id == untitled1);
    BOOST_TEST(groups[1].movies[1].id == untitled2);
    BOOST_TEST(groups[1].movies[0].files.size() == 1u);
}

BOOST_AUTO_TEST_CASE(files_under_a_root_are_found_by_path_prefix) {
    temp_dir dir;
    auto c = dir.open();
    add(c, "Alien", 1979, "/media/a/Alien.mkv");
    add(c, "Brazil", 1985, "/media/a/sub/Brazil.mkv");
    add(c, "Heat", 1995, "/media/ab/Heat.mkv");
    add(c, "Dune", 2021, "/media/a0/Dune.mkv");

    auto files = c.files_under_root("/media/a");
    BOOST_REQUIRE_EQUAL(files.size(), 2u);
    BOOST_TEST(files[0].path == "/media/a/Alien.mkv");
    BOOST_TEST(files[1].path == "/media/a/sub/Brazil.mkv");
    BOOST_TEST(files[0].movie != 0);
    BOOST_TEST(c.files_under_root("/media/a/").size() == 2u);
    BOOST_TEST(c.files_under_root("/media").size() == 4u);
    BOOST_TEST(c.files_under_root("/").size() == 4u);
    BOOST_TEST(c.files_under_root("/elsewhere").empty());
}

BOOST_AUTO_TEST_CASE(each_server_stores_prunes_and_rescans_only_its_own_files) {
    temp_dir dir;
    auto a = dir.open();
    auto b = dir.open();
    a.set_server("alpha");
    b.set_server("beta");
    const std::string path = "/media/Alien (1979)/Alien.mkv";
    const auto alien = add(a, "Alien", 1979, path);
    // The same path on another machine is another file; the same film is the same movie.
    BOOST_TEST(add(b, "Alien", 1979, path) == alien);
    add(b, "Heat", 1995, "/media/Heat (1995)/Heat.mkv");
    BOOST_TEST(a.files_under_root("/media").size() == 1u);
    BOOST_TEST(b.files_under_root("/media").size() == 2u);
    BOOST_TEST(a.load_known_files().size() == 1u);
    BOOST_TEST(b.load_known_files().size() == 2u);
    BOOST_TEST(a.files_to_probe(0, 10).size() == 1u);

    // Every server reads every movie, and which server holds each file.
    BOOST_TEST(a.movie_count() == 2);
    const auto both = a.get_movie(alien);
    BOOST_REQUIRE(both);
    BOOST_REQUIRE_EQUAL(both->files.size(), 2u);
    const std::set<std::string> holders{both->files[0].server, both->files[1].server};
    BOOST_TEST((holders == std::set<std::string>{"alpha", "beta"}));

    // alpha removing its file (a prune) leaves beta's copy, and so the movie.
    const auto changes = a.remove_files(std::span(&path, 1));
    BOOST_REQUIRE_EQUAL(changes.size(), 1u);
    BOOST_TEST((changes[0].kind == change_kind::updated));
    BOOST_TEST(b.files_under_root("/media").size() == 2u);
    const auto left = a.get_movie(alien);
    BOOST_REQUIRE(left);
    BOOST_REQUIRE_EQUAL(left->files.size(), 1u);
    BOOST_TEST(left->files[0].server == "beta");
    BOOST_TEST(a.remove_files(std::span(&path, 1)).empty());

    // A server that scans nothing serves the whole catalogue.
    auto front = dir.open();
    front.set_server("gamma");
    BOOST_TEST(front.list_movies(movie_query{}).total == 2);
    BOOST_TEST(front.files_under_root("/").empty());
    BOOST_TEST(front.claim_unowned_files() == 0);
}

BOOST_AUTO_TEST_CASE(one_import_per_root_and_server_at_a_time) {
    temp_dir dir;
    auto first = dir.open();
    auto second = dir.open();
    auto other = dir.open();
    first.set_server("alpha");
    second.set_server("alpha");
    other.set_server("beta");
    const std::vector<std::string> roots{"/media/a", "/media/b"};
    BOOST_TEST(first.lock_import_roots(roots).empty());
    // The same server's roots in another process: refused on PostgreSQL, all or none; SQLite has one server.
    const std::vector<std::string> overlapping{"/media/c", "/media/b"};
    const auto refused = second.lock_import_roots(overlapping);
    if (on_postgres()) {
        BOOST_TEST(refused == std::vector<std::string>{"/media/b"}, boost::test_tools::per_element());
        // "/media/c" was not kept: a third process may take it.
        auto third = dir.open();
        third.set_server("alpha");
        const std::vector<std::string> c{"/media/c"};
        BOOST_TEST(third.lock_import_roots(c).empty());
        third.unlock_import_roots();
    } else {
        BOOST_TEST(refused.empty());
        second.unlock_import_roots();
    }
    // Another server's roots of the same name are other folders.
    BOOST_TEST(other.lock_import_roots(roots).empty());
    first.unlock_import_roots();
    BOOST_TEST(second.lock_import_roots(roots).empty());
    second.unlock_import_roots();
    other.unlock_import_roots();
}

BOOST_AUTO_TEST_CASE(invalid_utf8_paths_are_stored_as_they_are, *boost::unit_test::precondition(sqlite_only)) {
    temp_dir dir;
    auto c = dir.open();
    const std::string path = "/media/Caf\xe9 (1999)/Caf\xe9.mkv"; // Latin-1, not UTF-8
    const auto id = add(c, "Caf\xe9", 1999, path);
    BOOST_TEST(c.get_movie(id)->files.at(0).path == path);
    BOOST_TEST(c.load_known_files().count(path) == 1u);
    const std::vector<std::string> gone{path};
    BOOST_TEST(c.remove_files(gone).size() == 1u);
}

BOOST_AUTO_TEST_CASE(reopening_keeps_everything) {
    temp_dir dir;
    movie_id id = 0;
    {
        auto c = dir.open();
        id = add(c, "Alien", 1979, "/media/Alien.mkv", "1080p");
        movie_patch patch;
        patch.watched = true;
        patch.rating = std::optional<int>(7);
        c.patch_movie(id, patch);
    }
    auto c = dir.open();
    const auto m = c.get_movie(id);
    BOOST_REQUIRE(m);
    BOOST_TEST(m->title == "Alien");
    BOOST_TEST(m->watched);
    BOOST_TEST(m->rating == 7);
    BOOST_TEST(m->files.at(0).resolution == "1080p");
    BOOST_TEST(search(c, "alien").size() == 1u);
}

BOOST_AUTO_TEST_CASE(reads_do_not_wait_for_an_open_write_transaction) {
    temp_dir dir;
    auto writer = dir.open();
    auto reader = dir.open();
    const auto alien = add(writer, "Alien", 1979, "/media/Alien.mkv");
    BOOST_REQUIRE(reader.get_movie(alien));

    // Another connection holds the write lock with uncommitted rows, as an import in progress would.
    auto raw_session = dir.raw();
    auto& raw = *raw_session;
    raw << (on_postgres() ? "BEGIN" : "BEGIN IMMEDIATE");
    raw << "INSERT INTO movies (title, title_key, year, added_at, updated_at)"
           " VALUES ('Brazil', 'brazil', 1985, '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z')";

    BOOST_TEST(reader.movie_count() == 1);
    BOOST_TEST(reader.list_movies({}).total == 1);
    BOOST_TEST(reader.get_movie(alien).has_value());
    BOOST_TEST(reader.load_known_files().size() == 1u);
    BOOST_TEST(search(reader, "brazil").empty());
    // No clock: a read blocked by the lock would throw "database is locked" after the busy timeout, and
    // the answers show the committed state, not the open transaction's rows.

    raw << "COMMIT";
    // The reader holds no stale snapshot: it sees the commit at once.
    BOOST_TEST(reader.movie_count() == 2);
    BOOST_TEST(reader.list_movies({}).total == 2);

    // And the writer's own batch, running on another thread, does not hold the reader up either.
    std::vector<found_movie> batch;
    for (int i = 0; i < 20'000; ++i)
        batch.push_back(
            found("Film " + std::to_string(i), 2000, {file_at("/media/batch/" + std::to_string(i))}));
    // Each read sees the batch whole or not at all (one transaction), and none fails on the lock.
    std::thread import([&] { writer.store_found(batch); });
    for (int i = 0; i < 20; ++i) {
        const auto total = reader.list_movies({}).total;
        BOOST_TEST((total == 2 || total == 20'002), "a read saw " << total << " movies");
    }
    import.join();
    BOOST_TEST(reader.movie_count() == 20'002);
}

BOOST_AUTO_TEST_CASE(list_totals_follow_every_write_of_either_connection) {
    // list_movies keeps the total per filter while the data is unchanged; a write by this connection or
    // another must show in the next page's total.
    temp_dir dir;
    auto writer = dir.open();
    auto reader = dir.open();
    for (int i = 0; i < 5; ++i) add(writer, "Film " + std::to_string(i), 2000 + i, "/m/" + std::to_string(i) + ".mkv");
    movie_query unwatched;
    unwatched.watched = false;
    unwatched.limit = 2;
    BOOST_TEST(reader.list_movies(unwatched).total == 5);
    unwatched.offset = 2;
    BOOST_TEST(reader.list_movies(unwatched).total == 5); // another page, the same total
    // Another connection's write.
    add(writer, "Late", 2020, "/m/late.mkv");
    BOOST_TEST(reader.list_movies(unwatched).total == 6);
    // A change that moves a movie out of the filter without adding or removing any.
    movie_patch seen;
    seen.watched = true;
    BOOST_REQUIRE(writer.patch_movie(reader.list_movies({}).movies.front().id, seen));
    BOOST_TEST(reader.list_movies(unwatched).total == 5);
    // This connection's own writes (the catalogue used alone, as `scan` and the tests do).
    BOOST_TEST(writer.list_movies(unwatched).total == 5);
    add(writer, "Own", 2021, "/m/own.mkv");
    BOOST_TEST(writer.list_movies(unwatched).total == 6);
    BOOST_REQUIRE(writer.patch_movie(writer.list_movies(unwatched).movies.front().id, seen));
    BOOST_TEST(writer.list_movies(unwatched).total == 5);
}

BOOST_AUTO_TEST_CASE(a_large_catalogue_answers_listings_search_and_grouping_correctly) {
    // Correctness at a size where paging, indexes and batching matter; the speed of the same work at 100,000
    // movies is measured by bench/catalogue_bench.cpp, not asserted here.
    temp_dir dir;
    auto c = dir.open();
    const std::vector<std::string> words{
        "Love",  "War",    "Night",  "Dark",  "Star",   "Blood", "City",  "Dead",   "Man",    "Woman",
        "Last",  "Lost",   "King",   "Queen", "Ghost",  "Fire",  "Ice",   "Storm",  "Shadow", "Heart",
        "Dream", "Silent", "Secret", "Home",  "Road",   "River", "Sky",   "Sea",    "Moon",   "Sun",
        "Black", "White",  "Red",    "Blue",  "Golden", "Iron",  "Glass", "Paper",  "Stone",  "Wild",
        "Young", "Old",    "Little", "Big",   "Long",   "Final", "First", "Broken", "Hidden", "Fallen"};
    constexpr int total = 6'000;
    constexpr std::size_t batch_size = 500;
    std::vector<found_movie> all;
    int love_titles = 0;
    for (int i = 0; i < total; ++i) {
        const auto& w1 = words[static_cast<std::size_t>(i) % words.size()];
        const auto& w2 = words[static_cast<std::size_t>(i / 50) % words.size()];
        if (w1 == "Love" || w2 == "Love") ++love_titles;
        const int year = 1930 + i % 95;
        const auto title = w1 + " " + w2 + " " + std::to_string(i);
        const auto folder = "/media/movies/" + title + " (" + std::to_string(year) + ")/";
        auto m = found(title, year,
                       {file_at(folder + title + "." + std::to_string(year) + ".1080p.BluRay.x264.mkv",
                                i % 4 == 0 ? "2160p" : "1080p")});
        m.files[0].stamp = {1'000'000 + i, 1'700'000'000'000'000'000 + i};
        all.push_back(std::move(m));
    }
    std::sort(all.begin(), all.end(),
              [](const auto& a, const auto& b) { return a.files[0].path < b.files[0].path; });
    const auto store_all = [&] {
        std::int64_t stored = 0;
        for (std::size_t at = 0; at < all.size(); at += batch_size)
            stored += c.store_found(std::span(all).subspan(at, std::min(batch_size, all.size() - at))).stored;
        return stored;
    };
    BOOST_TEST(store_all() == total);
    BOOST_TEST(c.movie_count() == total);
    // A rescan where every file changed updates the same movies: no new ones, no duplicates.
    for (auto& m : all)
        m.files[0].stamp.size += 1;
    BOOST_TEST(store_all() == total);
    BOOST_TEST(c.movie_count() == total);
    {
        auto raw_session = dir.raw();
        auto& raw = *raw_session;
        raw << "UPDATE movies SET genres = '[\"Drama\"]', runtime = 80 + id % 100, rating = 1 + id % 10 "
               "WHERE id % 3 = 0";
    }
    auto reader = dir.open();
    BOOST_TEST(reader.load_known_files().size() == static_cast<std::size_t>(total));

    // Pages join up: offsets 0, 50, 100 ... give exactly the first 200 of one long page, in order.
    movie_query q;
    q.limit = 200;
    const auto long_page = titles(reader.list_movies(q));
    std::vector<std::string> paged;
    q.limit = 50;
    for (q.offset = 0; q.offset < 200; q.offset += 50) {
        const auto page = reader.list_movies(q);
        BOOST_TEST(page.total == total);
        const auto t = titles(page);
        paged.insert(paged.end(), t.begin(), t.end());
    }
    BOOST_TEST(paged == long_page, boost::test_tools::per_element());
    q = {};
    q.offset = total - 10;
    BOOST_TEST(reader.list_movies(q).movies.size() == 10u); // the last page is short, not empty or padded

    q = {};
    q.sort = movie_sort::rating;
    q.descending = true;
    q.limit = 1000;
    const auto by_rating = reader.list_movies(q);
    BOOST_TEST(by_rating.movies.front().rating == 10);
    BOOST_TEST(std::is_sorted(by_rating.movies.begin(), by_rating.movies.end(),
                              [](const auto& a, const auto& b) { return a.rating.value_or(0) > b.rating.value_or(0); }));
    q = {};
    q.genre = "Drama";
    q.sort = movie_sort::year;
    q.limit = 1000;
    const auto drama = reader.list_movies(q);
    BOOST_TEST(drama.total == total / 3);
    BOOST_TEST(std::is_sorted(drama.movies.begin(), drama.movies.end(),
                              [](const auto& a, const auto& b) { return a.year.value_or(0) < b.year.value_or(0); }));
    q = {};
    q.resolution = "2160p";
    BOOST_TEST(reader.list_movies(q).total == total / 4);
    q = {};
    q.text = "love";
    BOOST_TEST(reader.list_movies(q).total == love_titles); // "Love" as the first or the second word
    q.text = "dark night 1"; // both words in either order, and a number starting with 1
    auto dark_night = titles(reader.list_movies(q));
    std::sort(dark_night.begin(), dark_night.end());
    BOOST_TEST(dark_night == (std::vector<std::string>{"Dark Night 103", "Night Dark 152"}),
               boost::test_tools::per_element());

    BOOST_TEST(reader.files_under_root("/media/movies").size() == static_cast<std::size_t>(total));
    BOOST_TEST(reader.duplicates().empty());
}

BOOST_AUTO_TEST_CASE(figures_count_movies_files_decades_and_resolutions) {
    temp_dir dir;
    auto c = dir.open();
    add(c, "Heat", 1995, "/media/Heat (1995)/Heat.mkv", "1080p");
    add(c, "Alien", 1979, "/media/Alien (1979)/Alien.mkv", "2160p");
    add(c, "The Brood", 1979, "/media/The Brood (1979)/The Brood.mkv", "1080p");
    const auto unknown_year = add(c, "Mystery Reel", std::nullopt, "/media/Mystery Reel.mkv");
    movie_patch watched;
    watched.watched = true;
    c.patch_movie(unknown_year, watched);

    const auto f = c.figures();
    BOOST_TEST(f.movies == 4);
    BOOST_TEST(f.files == 4);
    BOOST_TEST(f.total_size == 4 * 1'000'000);
    BOOST_TEST(f.watched == 1);
    BOOST_REQUIRE_EQUAL(f.by_decade.size(), 2u);
    BOOST_TEST(f.by_decade[0].label == "1970");
    BOOST_TEST(f.by_decade[0].count == 2);
    BOOST_TEST(f.by_decade[1].label == "1990");
    BOOST_REQUIRE(!f.by_resolution.empty());
    BOOST_TEST(f.by_resolution[0].label == "1080p");
    BOOST_TEST(f.by_resolution[0].count == 2);
    BOOST_REQUIRE_EQUAL(f.recently_added.size(), 4u);
    BOOST_TEST(f.recently_added[0].id == unknown_year);
}

BOOST_AUTO_TEST_CASE(stored_moves_keep_the_movie_and_take_what_the_new_name_says) {
    temp_dir dir;
    auto c = dir.open();
    const auto id = add(c, "Alien", 1979, "/media/old/Alien (1979).mkv", "720p");
    movie_patch patch;
    patch.watched = true;
    patch.rating = std::optional<int>(9);
    BOOST_REQUIRE(c.patch_movie(id, patch));

    file_move move;
    move.from = "/media/old/Alien (1979).mkv";
    move.movie = id;
    move.found = found("Alien", 1979, {file_at("/media/Sci-Fi/Alien (1979).mkv", "1080p")});
    const auto result = c.store_moves(std::span(&move, 1));
    BOOST_TEST(result.stored == 1);
    BOOST_TEST(result.failed == 0);
    BOOST_REQUIRE_EQUAL(result.changes.size(), 1u);
    BOOST_TEST((result.changes[0].kind == change_kind::updated));
    BOOST_TEST(result.changes[0].id == id);
    BOOST_TEST(result.changes[0].source_index == 0u);

    const auto m = c.get_movie(id);
    BOOST_REQUIRE(m);
    BOOST_TEST(m->watched);
    BOOST_TEST(m->rating == 9);
    BOOST_REQUIRE_EQUAL(m->files.size(), 1u);
    BOOST_TEST(m->files[0].path == "/media/Sci-Fi/Alien (1979).mkv");
    BOOST_TEST(m->files[0].resolution == "1080p");
    BOOST_TEST(c.movie_count() == 1);
}

BOOST_AUTO_TEST_CASE(moves_of_several_files_report_their_movie_once) {
    temp_dir dir;
    auto c = dir.open();
    const auto id = store(c, found("Gone with the Wind", 1939,
                                   {file_at("/media/a/Gone cd1.avi", std::nullopt, 1),
                                    file_at("/media/a/Gone cd2.avi", std::nullopt, 2)}))
                        .id;
    std::vector<file_move> moves(2);
    for (int part = 1; part <= 2; ++part) {
        auto& move = moves[static_cast<std::size_t>(part - 1)];
        move.from = "/media/a/Gone cd" + std::to_string(part) + ".avi";
        move.movie = id;
        move.found = found("Gone with the Wind", 1939,
                           {file_at("/media/b/Gone cd" + std::to_string(part) + ".avi", std::nullopt, part)});
    }
    const auto result = c.store_moves(moves);
    BOOST_TEST(result.stored == 2);
    BOOST_REQUIRE_EQUAL(result.changes.size(), 1u);
    BOOST_TEST(result.changes[0].id == id);
    const auto m = c.get_movie(id);
    BOOST_REQUIRE_EQUAL(m->files.size(), 2u);
    BOOST_TEST(m->files[0].path == "/media/b/Gone cd1.avi");
    BOOST_TEST(m->files[1].path == "/media/b/Gone cd2.avi");
}

BOOST_AUTO_TEST_CASE(a_move_whose_source_is_gone_from_the_catalogue_is_stored_as_found) {
    temp_dir dir;
    auto c = dir.open();
    const auto id = add(c, "Alien", 1979, "/media/old/Alien (1979).mkv");
    // A prune removed the source meanwhile.
    const std::vector<std::string> pruned{"/media/old/Alien (1979).mkv"};
    c.remove_files(pruned);

    file_move move;
    move.from = "/media/old/Alien (1979).mkv";
    move.movie = id;
    move.found = found("Alien", 1979, {file_at("/media/new/Alien (1979).mkv")});
    const auto result = c.store_moves(std::span(&move, 1));
    BOOST_TEST(result.stored == 1);
    BOOST_REQUIRE_EQUAL(result.changes.size(), 1u);
    BOOST_TEST((result.changes[0].kind == change_kind::added));
    const auto m = c.get_movie(result.changes[0].id);
    BOOST_REQUIRE(m);
    BOOST_TEST(m->files[0].path == "/media/new/Alien (1979).mkv");
    // The new movie is searchable like any other.
    movie_query q;
    q.text = "alien";
    BOOST_TEST(c.list_movies(q).total == 1);
}

BOOST_AUTO_TEST_CASE(a_move_onto_a_catalogued_path_leaves_the_source_alone) {
    temp_dir dir;
    auto c = dir.open();
    const auto alien = add(c, "Alien", 1979, "/media/Alien (1979).mkv");
    const auto other = add(c, "Alien", 1979, "/media/copy/Alien (1979).mkv");
    file_move move;
    move.from = "/media/Alien (1979).mkv";
    move.movie = alien;
    move.found = found("Alien", 1979, {file_at("/media/copy/Alien (1979).mkv", "2160p")});
    const auto result = c.store_moves(std::span(&move, 1));
    BOOST_TEST(result.stored == 1);
    const auto known = c.load_known_files();
    BOOST_TEST(known.count("/media/Alien (1979).mkv") == 1u);
    BOOST_TEST(known.at("/media/copy/Alien (1979).mkv").movie == other);
}

BOOST_AUTO_TEST_CASE(stored_metadata_is_laid_over_new_movies_in_the_batch_and_indexed) {
    temp_dir dir;
    auto c = dir.open();
    const std::vector<found_movie> batch{found("Max", 2015, {file_at("/media/Max (2015).mkv")}),
                                         found("Unknown Home Video", 2001, {file_at("/media/home.mkv")})};
    movie max;
    max.title = "Max";
    max.year = 2015;
    max.overview = "A dog that helped soldiers in Afghanistan returns to the U.S.";
    max.genres = {"Family"};
    max.tmdb_id = 272878;
    max.imdb_id = "tt3369806";
    max.match = match_state::identified;
    max.match_confidence = 1.0;
    max.poster = "ignored-by-an-import.jpg";
    std::vector<std::optional<movie>> metadata{max, std::nullopt};

    const auto result = c.store_found(batch, metadata);
    BOOST_REQUIRE_EQUAL(result.stored, 2);
    BOOST_REQUIRE_EQUAL(result.ids.size(), 2u);
    const auto stored = c.get_movie(result.ids[0]);
    BOOST_REQUIRE(stored);
    BOOST_TEST(stored->tmdb_id == std::optional<std::int64_t>(272878));
    BOOST_TEST(stored->match == match_state::identified);
    BOOST_TEST(stored->genres == std::vector<std::string>{"Family"}, boost::test_tools::per_element());
    // Art keys are the Cache's: an import's metadata leaves them alone.
    BOOST_TEST(!stored->poster);
    BOOST_TEST(c.get_movie(result.ids[1])->match == match_state::unidentified);
    // The full-text index has the provider's words, not only the file name's.
    BOOST_TEST(search(c, "afghanistan") == std::vector<std::string>{"Max"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_failed_lookup_never_erases_a_match_and_art_keys_stay_until_replaced) {
    temp_dir dir;
    auto c = dir.open();
    const auto id = add(c, "The Matrix", 1999, "/media/The Matrix (1999).mkv");
    movie matrix;
    matrix.title = "The Matrix";
    matrix.year = 1999;
    matrix.tmdb_id = 603;
    matrix.match = match_state::identified;
    BOOST_REQUIRE(c.update_metadata(id, matrix));
    art_update art;
    art.id = id;
    art.poster = "aa.jpg";
    art.backdrop = "bb.jpg";
    BOOST_TEST(c.store_art(std::span(&art, 1)) == 1);

    // The file changed and the provider was down this time.
    auto changed = found("The Matrix", 1999, {file_at("/media/The Matrix (1999).mkv")});
    changed.files[0].stamp.size += 1;
    movie failed;
    failed.title = "The Matrix";
    failed.match = match_state::failed;
    failed.identify_error = "provider unavailable: TMDB answered 503";
    const std::vector<std::optional<movie>> metadata{failed};
    const auto result = c.store_found(std::span(&changed, 1), metadata);
    BOOST_REQUIRE_EQUAL(result.stored, 1);
    auto kept = c.get_movie(id);
    BOOST_REQUIRE(kept);
    BOOST_TEST(kept->match == match_state::identified);
    BOOST_TEST(kept->tmdb_id == std::optional<std::int64_t>(603));
    BOOST_TEST(!kept->identify_error);
    BOOST_TEST(kept->poster == std::optional<std::string>("aa.jpg"));

    // A key left out keeps the current one.
    art_update poster_only;
    poster_only.id = id;
    poster_only.poster = "cc.jpg";
    c.store_art(std::span(&poster_only, 1));
    kept = c.get_movie(id);
    BOOST_TEST(kept->poster == std::optional<std::string>("cc.jpg"));
    BOOST_TEST(kept->backdrop == std::optional<std::string>("bb.jpg"));
}

BOOST_AUTO_TEST_CASE(movies_to_identify_are_the_unmatched_the_failed_and_the_matched_whose_art_failed) {
    temp_dir dir;
    auto c = dir.open();
    const auto never = add(c, "Imported Offline", 2001, "/media/a.mkv");
    const auto outage = add(c, "During An Outage", 2002, "/media/b.mkv");
    const auto no_match = add(c, "Home Video", 2003, "/media/c.mkv");
    const auto no_art = add(c, "Art Download Failed", 2004, "/media/d.mkv");
    const auto done = add(c, "Identified With Art", 2005, "/media/e.mkv");
    const auto posterless = add(c, "TMDB Has No Poster", 2006, "/media/f.mkv");
    auto set = [&](movie_id id, match_state state, std::optional<std::string> error, std::optional<std::int64_t> tmdb,
                   std::optional<std::string> poster) {
        movie m = *c.get_movie(id);
        m.match = state;
        m.identify_error = std::move(error);
        m.tmdb_id = tmdb;
        m.poster = std::move(poster);
        BOOST_REQUIRE(c.update_metadata(id, m));
    };
    set(outage, match_state::failed, "provider unavailable: TMDB answered 503", std::nullopt, std::nullopt);
    set(no_match, match_state::failed, "no match: nothing on TMDB looks like \"Home Video\"", std::nullopt,
        std::nullopt);
    set(no_art, match_state::identified, std::nullopt, 11, std::nullopt);
    set(done, match_state::review, std::nullopt, 12, "ab.jpg");
    set(posterless, match_state::identified, std::nullopt, 13, std::nullopt);
    // The import's art step: the download for no_art failed; posterless had no art to fetch at all, and done's
    // backdrop came through on a later try.
    std::vector<art_update> art{{no_art, std::nullopt, std::nullopt, true}, {done, std::nullopt, "bd.jpg", false}};
    BOOST_TEST(c.store_art(art) == 2);

    auto ids = c.movies_to_identify();
    std::sort(ids.begin(), ids.end());
    BOOST_TEST(ids == (std::vector<movie_id>{never, outage, no_art}), boost::test_tools::per_element());
    BOOST_TEST(c.get_movie(done)->poster == std::optional<std::string>("ab.jpg"), "a key left out keeps the art");

    // Identified again, now with its art: no longer retried.
    set(no_art, match_state::identified, std::nullopt, 11, "cd.jpg");
    ids = c.movies_to_identify();
    std::sort(ids.begin(), ids.end());
    BOOST_TEST(ids == (std::vector<movie_id>{never, outage}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(art_keys_are_every_poster_and_backdrop_in_use) {
    temp_dir dir;
    auto c = dir.open();
    const auto heat = add(c, "Heat", 1995, "/media/heat.mkv");
    const auto alien = add(c, "Alien", 1979, "/media/alien.mkv");
    add(c, "No Art", 2000, "/media/none.mkv");
    std::vector<art_update> art{{heat, "p1.jpg", "shared.jpg", false}, {alien, "p2.jpg", "shared.jpg", false}};
    c.store_art(art);
    BOOST_TEST((c.art_keys() == std::unordered_set<std::string>{"p1.jpg", "p2.jpg", "shared.jpg"}));
    std::vector<std::string> gone{"/media/heat.mkv"};
    c.remove_files(gone);
    BOOST_TEST((c.art_keys() == std::unordered_set<std::string>{"p2.jpg", "shared.jpg"}));
    std::vector<std::string> candidates{"p1.jpg", "shared.jpg", "p2.jpg", "never.jpg"};
    BOOST_TEST((c.art_keys_in_use(candidates) == std::unordered_set<std::string>{"p2.jpg", "shared.jpg"}));
    BOOST_TEST(c.art_keys_in_use({}).empty());
}

BOOST_AUTO_TEST_CASE(imports_are_recorded_and_listed_newest_first) {
    temp_dir dir;
    {
        auto c = dir.open();
        BOOST_TEST(c.recent_imports(10).empty());
        for (std::int64_t id = 1; id <= 3; ++id) {
            import_job job;
            job.id = id;
            job.trigger = id == 2 ? import_trigger::watcher : import_trigger::manual;
            job.started_at = "2026-11-25T12:00:0" + std::to_string(id) + "Z";
            job.finished_at = "2026-11-25T12:01:00Z";
            job.duration_ms = 1000 * id;
            job.folders = 10 * id;
            job.counts.found = 5;
            job.counts.added = 4;
            job.counts.updated = 1;
            job.counts.files = 6;
            if (id == 3) {
                job.error = "the server is shutting down";
                job.warnings = {"media folder /gone is missing or not a folder"};
            }
            c.record_import(job);
        }
    }
    auto c = dir.open(); // survives a restart
    const auto imports = c.recent_imports(2);
    BOOST_REQUIRE(imports.size() == 2u);
    BOOST_TEST(imports[0].id == 3);
    BOOST_TEST(imports[1].id == 2);
    BOOST_TEST(*imports[0].error == "the server is shutting down");
    BOOST_REQUIRE(imports[0].warnings.size() == 1u);
    BOOST_TEST((imports[1].trigger == import_trigger::watcher));
    BOOST_TEST(imports[1].folders == 20);
    BOOST_TEST(*imports[1].duration_ms == 2000);
    BOOST_TEST(imports[1].counts.added == 4);
    BOOST_TEST(imports[1].counts.updated == 1);
    BOOST_TEST(imports[1].counts.files == 6);
    BOOST_TEST(!imports[1].error.has_value());
}

// ---- names folded by one rule (schema version 6) ----

namespace {
const std::string amelie_nfc = "Am\xC3\xA9lie";
const std::string amelie_nfd = "Ame\xCC\x81lie";
const std::string lodz = "\xC5\x81\xC3\xB3\x64\xC5\xBA"; // Łódź
} // namespace

BOOST_AUTO_TEST_CASE(composed_and_decomposed_titles_are_one_movie) {
    temp_dir dir;
    auto c = dir.open();
    const auto a = add(c, amelie_nfc, 2001, "/media/" + amelie_nfc + " (2001)/a.mkv", "1080p");
    const auto b = add(c, amelie_nfd, 2001, "/media/" + amelie_nfd + " (2001)/b.mkv", "2160p");
    const auto d = add(c, "AM\xC3\x89LIE", 2001, "/media/x/AMELIE.mkv", "720p");
    BOOST_TEST(a == b);
    BOOST_TEST(a == d);
    BOOST_TEST(c.movie_count() == 1);
}

BOOST_AUTO_TEST_CASE(search_finds_titles_in_any_form_of_their_letters) {
    temp_dir dir;
    auto c = dir.open();
    add(c, lodz + " Story", 2010, "/media/l.mkv");
    add(c, amelie_nfd, 2001, "/media/a.mkv");
    add(c, "\xC3\x98resund", 2015, "/media/o.mkv"); // Øresund
    add(c, "Stra\xC3\x9F" "e der Nacht", 1999, "/media/s.mkv"); // Straße
    const std::vector<std::string> want_lodz{lodz + " Story"};
    for (const std::string& q : {std::string("lodz"), lodz, std::string("\xC5\x82\xC3\xB3\x64\xC5\xBA"),
                                std::string("LODZ"), std::string("\xC5\x81o")})
        BOOST_TEST(search(c, q) == want_lodz, boost::test_tools::per_element());
    // The decomposed title is found by composed, decomposed, upper-case and plain spellings.
    for (const std::string& q : {amelie_nfc, amelie_nfd, std::string("AM\xC3\x89LIE"), std::string("amelie")})
        BOOST_TEST(search(c, q).size() == 1u, q);
    BOOST_TEST(search(c, "oresund").size() == 1u);
    BOOST_TEST(search(c, "\xC3\xB8resund").size() == 1u);
    BOOST_TEST(search(c, "strasse").size() == 1u);
    BOOST_TEST(search(c, "Stra\xC3\x9F" "e").size() == 1u);
}

BOOST_AUTO_TEST_CASE(migration_6_keeps_each_persons_marks_of_merged_movies, *boost::unit_test::precondition(sqlite_only)) {
    temp_dir dir;
    fs::create_directories(dir.db().parent_path());
    {
        // A catalogue at version 5 with an account whose marks sit on two spellings of one film.
        soci::session raw(soci::sqlite3, dir.db().string());
        for (const auto& step : schema::migrations) {
            if (step.version > 5) break;
            for (const auto statement : step.statements)
                raw << std::string(statement);
        }
        raw << "PRAGMA user_version = 5";
        raw << "INSERT INTO users (id, name, password_hash, role, created_at) VALUES (1, 'ann', 'h', 'admin', 'x')";
        raw << "INSERT INTO users (id, name, password_hash, role, created_at) VALUES (2, 'bob', 'h', 'viewer', 'x')";
        const auto movie = [&](int id, const std::string& title, const std::string& key, const std::string& state) {
            raw << "INSERT INTO movies (id, title, title_key, year, match_state, added_at, updated_at)"
                   " VALUES (:id, :title, :key, 2001, :state, 'x', 'x')",
                soci::use(id), soci::use(title), soci::use(key), soci::use(state);
            std::string path = "/media/" + std::to_string(id) + ".mkv";
            raw << "INSERT INTO media_files (movie_id, path, root, size, mtime_ns) VALUES (:m, :p, '/media', 1, 1)",
                soci::use(id), soci::use(path);
        };
        movie(1, amelie_nfc, "amelie", "unidentified");
        movie(2, amelie_nfd, "ame\xCC\x81lie", "identified");
        raw << "INSERT INTO user_movie_state (user_id, movie_id, watched, rating, on_list) VALUES (1, 1, 1, 8, 0)";
        raw << "INSERT INTO user_movie_state (user_id, movie_id, watched, rating, on_list) VALUES (1, 2, 0, NULL, 1)";
        raw << "INSERT INTO user_movie_state (user_id, movie_id, watched, rating, on_list) VALUES (2, 1, 0, 3, 0)";
        raw << "INSERT INTO movies_fts (movies_fts) VALUES ('rebuild')";
    }
    auto c = dir.open();
    BOOST_TEST(c.movie_count() == 1);
    const auto ann = c.get_movie(2, 1);
    BOOST_REQUIRE(ann);
    BOOST_TEST(ann->watched);
    BOOST_TEST(ann->rating == 8);
    BOOST_TEST(ann->on_list);
    const auto bob = c.get_movie(2, 2);
    BOOST_TEST(!bob->watched);
    BOOST_TEST(bob->rating == 3);
}

BOOST_AUTO_TEST_CASE(migration_6_merges_movies_the_old_title_keys_split, *boost::unit_test::precondition(sqlite_only)) {
    temp_dir dir;
    fs::create_directories(dir.db().parent_path());
    {
        // A catalogue at version 4, with the title keys the old rule wrote: only Latin-1 accents of
        // composed letters folded, anything else kept byte for byte.
        soci::session raw(soci::sqlite3, dir.db().string());
        for (const auto& step : schema::migrations) {
            if (step.version > 4) break;
            for (const auto statement : step.statements)
                raw << std::string(statement);
        }
        raw << "PRAGMA user_version = 4";
        const auto movie = [&](int id, const std::string& title, const std::string& key, int year,
                               std::optional<long long> tmdb, const std::string& state) {
            soci::indicator tmdb_ind = tmdb ? soci::i_ok : soci::i_null;
            long long tmdb_value = tmdb.value_or(0);
            raw << "INSERT INTO movies (id, title, title_key, year, tmdb_id, match_state, added_at, updated_at)"
                   " VALUES (:id, :title, :key, :year, :tmdb, :state, '2025-01-01T00:00:00Z',"
                   " '2025-01-01T00:00:00Z')",
                soci::use(id), soci::use(title), soci::use(key), soci::use(year), soci::use(tmdb_value, tmdb_ind),
                soci::use(state);
        };
        const auto file = [&](int movie_id, const std::string& path) {
            raw << "INSERT INTO media_files (movie_id, path, root, size, mtime_ns) VALUES (:m, :p, '/media', 1, 1)",
                soci::use(movie_id), soci::use(path);
        };
        movie(1, amelie_nfc, "amelie", 2001, std::nullopt, "unidentified");
        movie(2, amelie_nfd, "ame\xCC\x81lie", 2001, 194, "identified");
        movie(3, lodz, "\xC5\x81od\xC5\xBA", 2010, std::nullopt, "unidentified");
        movie(4, "\xC5\x82\xC3\xB3\x64\xC5\xBA", "\xC5\x82od\xC5\xBA", 2010, std::nullopt, "unidentified");
        // Same folded title, other films by their ids: kept apart.
        movie(5, "\xC3\x98resund", "\xC3\x98resund", 2015, 11, "identified");
        movie(6, "oresund", "oresund", 2015, 12, "identified");
        // Another year: another film.
        movie(7, lodz, "\xC5\x81od\xC5\xBA", 1980, std::nullopt, "unidentified");
        raw << "UPDATE movies SET watched = 1, rating = 8 WHERE id = 1";
        file(1, "/media/a1.mkv");
        file(2, "/media/a2.mkv");
        file(3, "/media/l3.mkv");
        file(4, "/media/l4.mkv");
        file(5, "/media/o5.mkv");
        file(6, "/media/o6.mkv");
        file(7, "/media/l7.mkv");
        raw << "INSERT INTO movies_fts (movies_fts) VALUES ('rebuild')";
    }
    auto c = dir.open();
    BOOST_TEST(c.schema_version() == catalogue::current_schema_version());
    BOOST_TEST(c.movie_count() == 5);
    // The identified one keeps the files, and takes the other's watched flag and rating.
    const auto amelie = c.get_movie(2);
    BOOST_REQUIRE(amelie);
    BOOST_TEST(!c.get_movie(1).has_value());
    BOOST_TEST(amelie->files.size() == 2u);
    BOOST_TEST(amelie->tmdb_id == 194);
    BOOST_TEST(amelie->watched);
    BOOST_TEST(amelie->rating == 8);
    // Neither identified: the older one stays.
    const auto l = c.get_movie(3);
    BOOST_REQUIRE(l);
    BOOST_TEST(!c.get_movie(4).has_value());
    BOOST_TEST(l->files.size() == 2u);
    BOOST_TEST(c.get_movie(5).has_value());
    BOOST_TEST(c.get_movie(6).has_value());
    BOOST_TEST(c.get_movie(7).has_value());
    // The rebuilt index finds the merged movies by any spelling.
    BOOST_TEST(search(c, "lodz").size() == 2u);
    BOOST_TEST(search(c, amelie_nfd).size() == 1u);
    BOOST_TEST(search(c, "oresund").size() == 2u);
    // A file found again lands on the merged movie.
    BOOST_TEST(add(c, amelie_nfd, 2001, "/media/a3.mkv") == 2);
}BOOST_AUTO_TEST_CASE(media_information_is_kept_per_file_and_read_again_when_the_file_changes) {
    temp_dir dir;
    auto c = catalogue::open(dir.db());
    const auto id = add(c, "Harbour Lights", 2011, "/media/Harbour Lights (2011).mkv");
    auto disc_file = file_at("/media/Disc Film (2001)/BDMV/index.bdmv");
    disc_file.container = "bdmv";
    store(c, found("Disc Film", 2001, {disc_file}));
    {
        // The disc structure is no file to read.
        auto due = c.files_to_probe(0, 10);
        BOOST_REQUIRE_EQUAL(due.size(), 1u);
        BOOST_TEST(due[0].path == "/media/Harbour Lights (2011).mkv");
    }
    auto due = c.files_to_probe(0, 10);
    media_info info;
    info.stamp = due[0].stamp;
    info.container = "matroska";
    info.duration_ms = 6'000'000;
    info.video_codec = "hevc";
    info.width = 3840;
    info.height = 2160;
    info.hdr = "HDR10";
    info.audio = {{"truehd", 8, "eng"}, {"ac3", 6, std::nullopt}};
    info.subtitles = {{"subrip", "fra"}};
    probed_file stale{due[0].file_id, info};
    stale.info.stamp.size += 1; // read from another state of the file: not stored
    const std::vector<probed_file> results{probed_file{due[0].file_id, info}, stale};
    BOOST_TEST(c.store_media_info(std::span(results).first(1)) == 1);
    BOOST_TEST(c.store_media_info(std::span(results).subspan(1)) == 0);
    auto m = c.get_movie(id);
    BOOST_REQUIRE(m.has_value());
    BOOST_REQUIRE(m->files.front().media.has_value());
    BOOST_TEST((*m->files.front().media == info));
    BOOST_TEST(c.files_to_probe(0, 10).empty());
    // Past the cursor: nothing; the cursor only moves forward in a pass.
    BOOST_TEST(c.files_to_probe(due[0].file_id, 10).empty());

    // The file changes: its old information is no longer shown, and it is due again.
    auto changed = file_at("/media/Harbour Lights (2011).mkv");
    changed.stamp.mtime_ns += 1'000'000'000;
    store(c, found("Harbour Lights", 2011, {changed}));
    m = c.get_movie(id);
    BOOST_TEST(!m->files.front().media.has_value());
    BOOST_REQUIRE_EQUAL(c.files_to_probe(0, 10).size(), 1u);

    // An unreadable file is stored as such and not due again; removing the file removes its row.
    media_info bad;
    bad.state = media_info::state_type::unreadable;
    bad.error = "not a video file";
    bad.stamp = changed.stamp;
    const std::vector<probed_file> unreadable{probed_file{due[0].file_id, bad}};
    BOOST_TEST(c.store_media_info(unreadable) == 1);
    BOOST_TEST(c.files_to_probe(0, 10).empty());
    BOOST_TEST((c.get_movie(id)->files.front().media->state == media_info::state_type::unreadable));
    const std::vector<std::string> gone{"/media/Harbour Lights (2011).mkv"};
    c.remove_files(gone);
    BOOST_TEST(c.store_media_info(unreadable) == 0);
}



// ---- mediabase db copy ----

namespace {

/// Everything the catalogue answers about `c`, as text: every movie (with files, art keys, media information)
/// as the shared state and as each person sees it, the accounts and their keys, the import history, genres.
std::string everything(catalogue& c) {
    std::string out;
    movie_query q;
    q.limit = 1000;
    std::vector<person_id> people{shared_state};
    for (const auto& a : c.list_accounts()) {
        people.push_back(a.id);
        out += "account " + std::to_string(a.id) + " " + a.name + " " + a.role + "\n";
        for (const auto& k : c.list_api_keys(a.id)) out += "  key " + std::to_string(k.id) + " " + k.name + "\n";
    }
    for (auto who : people)
        for (const auto& listed : c.list_movies(q, who).movies)
            out += std::to_string(who) + ": " + boost::json::serialize(to_json(*c.get_movie(listed.id, who))) + "\n";
    for (const auto& job : c.recent_imports(100)) out += boost::json::serialize(to_json(job)) + "\n";
    for (const auto& g : c.genres()) out += "genre " + g + "\n";
    return out;
}

/// A catalogue with a row in every table, and ids with gaps (a removed movie, a removed account).
void fill_every_table(catalogue& c, soci::session& raw) {
    const auto gone = add(c, "Gone", 2001, "/media/Gone (2001).mkv");
    const auto alien = add(c, "Alien", 1979, "/media/Alien (1979).mkv");
    add(c, "Heat", 1995, "/media/Heat (1995).mkv");
    // The test's own SQLite connection does not enforce foreign keys: the files go first.
    raw << "DELETE FROM media_files WHERE movie_id = " + std::to_string(gone);
    raw << "DELETE FROM movies WHERE id = " + std::to_string(gone);
    movie m;
    m.title = "Alien";
    m.year = 1979;
    m.tmdb_id = 348;
    m.genres = {"Horror", "Science Fiction"};
    m.overview = "The crew of a commercial spacecraft encounters a deadly lifeform.";
    m.vote_average = 8.148;
    m.match = match_state::identified;
    BOOST_REQUIRE(c.update_metadata(alien, m));
    const std::vector<art_update> art{{alien, std::string("348-poster.jpg"), std::string("348-backdrop.jpg"), false}};
    BOOST_REQUIRE(c.store_art(art) == 1);

    const auto old = c.add_account("old", "hash-old", "viewer");
    const auto ann = c.add_account("ann", "hash-ann", "admin");
    const auto bob = c.add_account("bob", "hash-bob", "viewer");
    BOOST_REQUIRE(old && ann && bob);
    c.remove_account("old");
    movie_patch mark;
    mark.watched = true;
    mark.rating = std::optional<int>(8);
    mark.on_list = true;
    BOOST_REQUIRE(c.patch_movie(alien, mark, bob->id));
    c.create_session(ann->id, "session-digest", "2099-01-01T00:00:00Z", "127.0.0.1");
    c.create_api_key(bob->id, "phone", "read", "key-digest", "mb_abc");

    import_job job;
    job.id = 7;
    job.state = job_state::idle;
    job.started_at = "2026-11-25T12:00:00Z";
    job.finished_at = "2026-11-25T12:01:00Z";
    job.duration_ms = 60000;
    job.counts.found = 3;
    job.warnings = {"media folder /gone is missing or not a folder"};
    c.record_import(job);

    const auto due = c.files_to_probe(0, 10);
    BOOST_REQUIRE(!due.empty());
    media_info info;
    info.stamp = due[0].stamp;
    info.container = "matroska";
    info.duration_ms = 6'000'000;
    info.width = 1920;
    info.height = 1080;
    info.audio = {{"ac3", 6, std::string("eng")}};
    const std::vector<probed_file> probed{probed_file{due[0].file_id, info}};
    BOOST_REQUIRE(c.store_media_info(probed) == 1);
}

void check_copy(const std::vector<copied_table>& copied) {
    // Every table of the schema, each with the row fill_every_table put in it: a table added to the schema
    // and left out of the copy (or of this test's data) fails here.
    const auto tables = catalogue::tables();
    BOOST_TEST_REQUIRE(copied.size() == tables.size());
    for (std::size_t i = 0; i < copied.size(); ++i) {
        BOOST_TEST(copied[i].name == tables[i]);
        BOOST_TEST(copied[i].rows > 0, copied[i].name << " copied no row");
    }
}

database_url sqlite_at(const fs::path& file) {
    database_url url;
    url.file = file;
    return url;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_copy_list_is_every_table_of_the_schema) {
    temp_dir dir;
    auto c = dir.open();
    auto stored = c.stored_tables();
    auto listed = catalogue::tables();
    std::sort(stored.begin(), stored.end());
    std::sort(listed.begin(), listed.end());
    BOOST_TEST(stored == listed, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_copy_keeps_every_table_and_its_ids_both_ways) {
    temp_dir dir, other;
    auto source = dir.open();
    fill_every_table(source, *dir.raw());
    const auto before = everything(source);

    // Into an SQLite file (from PostgreSQL on that run), then back into an empty database of this run's engine.
    auto copy = catalogue::open(sqlite_at(other.path / "copy.db"));
    check_copy(source.copy_to(copy, false));
    BOOST_TEST(everything(copy) == before);
    temp_dir third;
    auto back = third.open();
    check_copy(copy.copy_to(back, false));
    BOOST_TEST(everything(back) == before);

    // Search works on the copies (SQLite's full-text index is rebuilt), and new rows get new ids (PostgreSQL's
    // sequences moved past the copied ids).
    for (auto* c : {&copy, &back}) {
        BOOST_TEST(search(*c, "alien") == (std::vector<std::string>{"Alien"}), boost::test_tools::per_element());
        BOOST_TEST(search(*c, "spacecraft") == (std::vector<std::string>{"Alien"}));
        const auto added = add(*c, "Ran", 1985, "/media/Ran (1985).mkv");
        BOOST_TEST(c->get_movie(added)->title == "Ran");
        BOOST_TEST(c->add_account("cleo", "hash", "viewer").has_value());
        c->create_session(c->list_accounts().front().id, "another-digest", "2099-01-01T00:00:00Z", "::1");
    }
    BOOST_TEST(everything(source) == before); // the source is only read
}

BOOST_AUTO_TEST_CASE(a_copy_refuses_a_target_that_holds_anything_unless_told) {
    temp_dir dir, other;
    auto source = dir.open();
    fill_every_table(source, *dir.raw());
    auto target = catalogue::open(sqlite_at(other.path / "target.db"));
    add(target, "Ran", 1985, "/media/Ran (1985).mkv");
    try {
        source.copy_to(target, false);
        BOOST_FAIL("a target with a movie was not refused");
    } catch (const std::runtime_error& e) {
        BOOST_TEST(std::string(e.what()).find("is not empty (rows in movies, media_files)") != std::string::npos,
                   e.what());
    }
    BOOST_TEST(search(target, "ran") == (std::vector<std::string>{"Ran"})); // unchanged
    check_copy(source.copy_to(target, true));
    BOOST_TEST(everything(target) == everything(source));
    BOOST_CHECK_THROW(source.copy_to(source, true), std::runtime_error); // onto itself
}
