// The catalogue's life cycle: opening a database (through the dialect), the schema migrations and version,
// the integrity check, backup and restore, and the database health figures.
#include "catalogue_schema.hpp"
#include "sql_support.hpp"
#include "mediabase/store/backups.hpp"

#include <chrono>
#include <set>
#include <stdexcept>
#include <vector>
#include <system_error>

namespace mediabase {

using namespace sql_support;

namespace {

namespace fs = std::filesystem;

void migrate(soci::session& sql, const sql_dialect& dialect, const database_url& where) {
    const auto name = where.display();
    const auto too_new = [&](int version) {
        return std::runtime_error(
            "the database " + name + " has schema version " + std::to_string(version) +
            ", newer than this build of Mediabase supports (" + std::to_string(schema::current_version) +
            "); run a newer Mediabase or restore a backup");
    };
    int version = dialect.schema_version(sql);
    if (version > schema::current_version) throw too_new(version);
    if (version > 0 && version < schema::current_version && dialect.file_backups()) {
        // A migration rewrites the catalogue: keep a copy of it as it was, to go back to.
        const auto target = catalogue::backup_dir(where.file) /
                            backup_name("before-v" + std::to_string(schema::current_version),
                                        std::chrono::system_clock::now());
        try {
            dialect.backup(sql, target);
        } catch (const std::exception& e) {
            throw std::runtime_error("not migrating the database " + name + " without a backup: " + e.what());
        }
        spdlog::info("catalogue: backed up {} to {} before migrating it", name, target.string());
    }
    for (const auto& step : dialect.migrations()) {
        if (step.version <= version) continue;
        try {
            write_transaction transaction(sql, dialect);
            dialect.lock_schema(sql);
            // Another catalogue on the same database (the DAL's reader, another server) may have migrated
            // meanwhile.
            version = dialect.schema_version(sql);
            if (version > schema::current_version) throw too_new(version);
            if (step.version <= version) continue;
            if (step.code) step.code(sql);
            for (const auto statement : step.statements)
                sql << std::string(statement);
            dialect.set_schema_version(sql, step.version);
            transaction.commit();
        } catch (const soci::soci_error& e) {
            throw std::runtime_error("cannot migrate the database " + name + " to schema version " +
                                     std::to_string(step.version) + ": " + e.what());
        }
        spdlog::info("catalogue: {} migrated to schema version {}", name, step.version);
        version = step.version;
    }
}

} // namespace

namespace schema {

void merge_split_titles(soci::session& sql) {
    // 1. Every title key by today's rule; the (key, year) pairs that changed are where splits can be.
    struct row {
        std::int64_t id = 0;
        std::string title;
        std::string key;
    };
    std::vector<row> rows;
    {
        row r;
        soci::statement st =
            (sql.prepare << "SELECT id, title, title_key FROM movies", soci::into(r.id), soci::into(r.title),
             soci::into(r.key));
        st.execute();
        while (st.fetch())
            rows.push_back(r);
    }
    std::set<std::string> changed_keys;
    for (auto& r : rows) {
        std::string key = title_key_of(r.title);
        if (key == r.key) continue;
        sql << "UPDATE movies SET title_key = :key WHERE id = :id", soci::use(key, "key"), soci::use(r.id, "id");
        changed_keys.insert(std::move(key));
    }
    // 2. Within one changed key and year, movies whose provider ids do not disagree are one film: the
    //    identified one (else the oldest) keeps the files of the others, their ids, watched flag and rating.
    std::int64_t merged = 0;
    for (const auto& key : changed_keys) {
        struct movie {
            std::int64_t id = 0;
            nullable<int> year;
            nullable<std::int64_t> tmdb_id;
            nullable<std::string> imdb_id;
        };
        std::vector<movie> movies;
        {
            movie m;
            std::string k = key;
            soci::statement st = (sql.prepare << "SELECT id, year, tmdb_id, imdb_id FROM movies"
                                                 " WHERE title_key = :key AND year IS NOT NULL"
                                                 " ORDER BY year, match_state <> 'identified', id",
                                  soci::into(m.id), into(m.year), into(m.tmdb_id), into(m.imdb_id),
                                  soci::use(k, "key"));
            st.execute();
            while (st.fetch())
                movies.push_back(m);
        }
        std::vector<bool> gone(movies.size(), false);
        for (std::size_t i = 0; i < movies.size(); ++i) {
            if (gone[i]) continue;
            auto& keeper = movies[i];
            for (std::size_t j = i + 1; j < movies.size() && movies[j].year.get() == keeper.year.get(); ++j) {
                if (gone[j]) continue;
                const auto& other = movies[j];
                const auto agree = [](const auto& a, const auto& b) {
                    return !a.get() || !b.get() || *a.get() == *b.get();
                };
                if (!agree(keeper.tmdb_id, other.tmdb_id) || !agree(keeper.imdb_id, other.imdb_id)) continue;
                std::int64_t into_id = keeper.id;
                std::int64_t from_id = other.id;
                sql << "UPDATE media_files SET movie_id = :into WHERE movie_id = :from", soci::use(into_id, "into"),
                    soci::use(from_id, "from");
                sql << "UPDATE movies SET tmdb_id = coalesce(tmdb_id, (SELECT tmdb_id FROM movies WHERE id = :from)),"
                       " imdb_id = coalesce(imdb_id, (SELECT imdb_id FROM movies WHERE id = :from)),"
                       " watched = max(watched, (SELECT watched FROM movies WHERE id = :from)),"
                       " rating = coalesce(rating, (SELECT rating FROM movies WHERE id = :from))"
                       " WHERE id = :into",
                    soci::use(from_id, "from"), soci::use(into_id, "into");
                // Each person's marks go along too (catalogues that had accounts, schema 5, before this step).
                sql << "UPDATE user_movie_state AS t SET watched = max(t.watched, f.watched),"
                       " rating = coalesce(t.rating, f.rating), on_list = max(t.on_list, f.on_list)"
                       " FROM user_movie_state AS f WHERE t.movie_id = :into AND f.movie_id = :from"
                       " AND f.user_id = t.user_id",
                    soci::use(into_id, "into"), soci::use(from_id, "from");
                sql << "INSERT OR IGNORE INTO user_movie_state (user_id, movie_id, watched, rating, on_list)"
                       " SELECT user_id, :into, watched, rating, on_list FROM user_movie_state WHERE movie_id = :from",
                    soci::use(into_id, "into"), soci::use(from_id, "from");
                sql << "DELETE FROM movie_genres WHERE movie_id = :from", soci::use(from_id, "from");
                sql << "DELETE FROM movies WHERE id = :from", soci::use(from_id, "from");
                if (!keeper.tmdb_id.get()) keeper.tmdb_id = other.tmdb_id;
                if (!keeper.imdb_id.get()) keeper.imdb_id = other.imdb_id;
                gone[j] = true;
                ++merged;
            }
        }
    }
    if (merged > 0) spdlog::info("catalogue: merged {} movies that differed only in how their titles were written", merged);
}

} // namespace schema

catalogue catalogue::open(const std::filesystem::path& db_file) {
    database_url where;
    where.file = db_file;
    return open(where);
}

catalogue catalogue::open(const database_url& where) {
    auto p = std::make_unique<impl>();
    p->where = where;
    if (where.is_sqlite()) {
        p->where.file = fs::absolute(where.file);
        const auto& file = p->where.file;
        if (file.has_parent_path()) {
            std::error_code ec;
            fs::create_directories(file.parent_path(), ec);
            if (ec)
                throw std::runtime_error("cannot create the database folder " + file.parent_path().string() +
                                         ": " + ec.message());
        }
    }
    p->dialect = make_dialect(p->where);
    p->dialect->open(p->sql, p->where);
    migrate(p->sql, *p->dialect, p->where);
    return catalogue(std::move(p));
}

catalogue::catalogue(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

catalogue::~catalogue() {
    if (!impl_) return;
    impl_->writes.reset();
    impl_->reads.reset();
    try {
        impl_->dialect->before_close(impl_->sql);
    } catch (const std::exception& e) {
        spdlog::warn("catalogue: closing {}: {}", impl_->where.display(), e.what());
    }
}

catalogue::catalogue(catalogue&&) noexcept = default;
catalogue& catalogue::operator=(catalogue&&) noexcept = default;

int catalogue::current_schema_version() {
    return schema::current_version;
}

int catalogue::schema_version() {
    return impl_->dialect->schema_version(impl_->sql);
}

std::optional<std::string> catalogue::quick_check() {
    return impl_->dialect->check(impl_->sql);
}

void catalogue::backup_to(const std::filesystem::path& target) {
    impl_->dialect->backup(impl_->sql, target);
}

std::string catalogue::where() const {
    return impl_->where.display();
}

bool catalogue::reconnect_if_lost() {
    if (!impl_->dialect->connection_lost(impl_->sql)) return false;
    // The prepared statements went with the old connection.
    impl_->writes.reset();
    impl_->reads.reset();
    impl_->totals.clear();
    impl_->totals_version.reset();
    // Session locks went with it too.
    impl_->import_locks.clear();
    impl_->sql.close();
    impl_->dialect->open(impl_->sql, impl_->where);
    if (impl_->deferred_wal) impl_->dialect->defer_checkpoints(impl_->sql, *impl_->deferred_wal);
    spdlog::info("catalogue: connected to {} again", impl_->where.display());
    return true;
}

void catalogue::defer_checkpoints(std::int64_t backstop_pages) {
    impl_->deferred_wal.emplace();
    impl_->deferred_wal->backstop = backstop_pages;
    impl_->dialect->defer_checkpoints(impl_->sql, *impl_->deferred_wal);
}

std::int64_t catalogue::wal_pages() const {
    return impl_->deferred_wal ? impl_->deferred_wal->pages : 0;
}

wal_pages_copied catalogue::checkpoint(wal_checkpoint mode) {
    return impl_->dialect->checkpoint(impl_->sql, mode);
}

void catalogue::set_server(const std::string& name) {
    if (name == impl_->server) return;
    // The prepared statements bind the name.
    impl_->writes.reset();
    impl_->reads.reset();
    impl_->server = name;
}

std::int64_t catalogue::claim_unowned_files() {
    if (impl_->server.empty()) return 0;
    write_transaction transaction(impl_->sql, *impl_->dialect);
    soci::statement claim = (impl_->sql.prepare << "UPDATE media_files SET server = :server WHERE server = ''",
                             soci::use(impl_->server, "server"));
    claim.execute(true);
    const auto claimed = static_cast<std::int64_t>(claim.get_affected_rows());
    transaction.commit();
    if (claimed > 0) spdlog::info("catalogue: {} files stored before servers had names are {}'s", claimed, impl_->server);
    return claimed;
}

std::vector<std::string> catalogue::lock_import_roots(std::span<const std::string> roots) {
    std::vector<std::string> refused;
    std::vector<std::int64_t> taken;
    for (const auto& root : roots) {
        if (auto key = impl_->dialect->try_named_lock(impl_->sql, "import:" + impl_->server + ":" + root))
            taken.push_back(*key);
        else
            refused.push_back(root);
    }
    if (!refused.empty()) {
        // All or none: an import that cannot have every root walks none.
        for (const auto key : taken) impl_->dialect->named_unlock(impl_->sql, key);
        return refused;
    }
    impl_->import_locks.insert(impl_->import_locks.end(), taken.begin(), taken.end());
    return refused;
}

void catalogue::unlock_import_roots() {
    auto keys = std::move(impl_->import_locks);
    impl_->import_locks.clear();
    for (const auto key : keys) impl_->dialect->named_unlock(impl_->sql, key);
}

void catalogue::announce_change(const std::string& payload) {
    impl_->dialect->notify(impl_->sql, change_channel, payload);
}

std::filesystem::path catalogue::backup_dir(const std::filesystem::path& db_file) {
    return fs::absolute(db_file).parent_path() / "backups";
}

void catalogue::restore(const std::filesystem::path& source, const std::filesystem::path& db_file) {
    // A file-level restore, with no catalogue open: the engine is the one catalogue::open uses.
    make_sqlite_dialect()->restore(source, db_file, schema::current_version);
}

void database_health::failed(const std::string& what) {
    if (!status_.error) status_.since = utc_now_iso8601();
    status_.error = what;
    ++status_.failures;
    // SQLite's words for a corrupt file (SQLITE_CORRUPT, SQLITE_NOTADB).
    if (what.find("malformed") != std::string::npos || what.find("not a database") != std::string::npos)
        status_.damaged = true;
    // libpq's words for a server that is down or went away.
    status_.unavailable = false;
    for (const char* lost : {"cannot connect", "server closed the connection", "no connection to the server",
                             "terminating connection", "Connection refused", "could not connect"})
        if (what.find(lost) != std::string::npos) status_.unavailable = true;
}

void database_health::succeeded() {
    if (!status_.error || status_.damaged) return;
    status_.error.reset();
    status_.since.reset();
    status_.unavailable = false;
}

void database_health::reached_again() {
    if (status_.unavailable) succeeded();
}

} // namespace mediabase
