// The catalogue's life cycle: opening a database (connection settings), the schema migrations, the schema
// version, the integrity check, and the online backup and restore.
#include "catalogue_schema.hpp"
#include "sql_support.hpp"
#include "mediabase/store/backups.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <chrono>
#include <stdexcept>
#include <system_error>

namespace mediabase {

using namespace sql_support;

namespace {

namespace fs = std::filesystem;

constexpr int busy_timeout_ms = 5000;

/// The connection string for SOCI's sqlite3 backend, which reads `key=value` options from it: a path without
/// '=' is taken whole; one with '=' goes as a percent-encoded SQLite URI.
std::string connect_string(const fs::path& file) {
    const std::string path = file.string();
    if (path.find('=') == std::string::npos) return path;
    if (!sqlite_api::sqlite3_compileoption_used("USE_URI"))
        throw std::runtime_error("cannot open the database " + path + ": its path contains '='");
    // Only unreserved characters and '/' stay as they are: '=' would be read by SOCI as an option and
    // '?', '#' and '%' by SQLite as URI syntax.
    static constexpr auto kept = boost::urls::unreserved_chars + boost::urls::grammar::lut_chars('/');
    return "file:" + boost::urls::encode(path, kept);
}

sqlite_api::sqlite3* connection_of(soci::session& sql) {
    return static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_;
}

/// Closes a connection opened with sqlite3_open_v2 (also after a failed open, as SQLite asks).
struct connection_closer {
    void operator()(sqlite_api::sqlite3* db) const { sqlite_api::sqlite3_close_v2(db); }
};
using own_connection = std::unique_ptr<sqlite_api::sqlite3, connection_closer>;

own_connection open_connection(const fs::path& file, int flags) {
    sqlite_api::sqlite3* db = nullptr;
    const int rc = sqlite_api::sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
    own_connection owned(db);
    if (rc != SQLITE_OK)
        throw std::runtime_error("cannot open " + file.string() + ": " +
                                 (db ? sqlite_api::sqlite3_errmsg(db) : sqlite_api::sqlite3_errstr(rc)));
    sqlite_api::sqlite3_busy_timeout(db, busy_timeout_ms);
    return owned;
}

/// Copies the whole database `source` into `target` (online backup API, one step: a consistent snapshot).
void copy_database(sqlite_api::sqlite3* source, sqlite_api::sqlite3* target, const std::string& what) {
    auto* backup = sqlite_api::sqlite3_backup_init(target, "main", source, "main");
    if (!backup) throw std::runtime_error(what + ": " + sqlite_api::sqlite3_errmsg(target));
    const int step = sqlite_api::sqlite3_backup_step(backup, -1);
    const int finish = sqlite_api::sqlite3_backup_finish(backup);
    if (step != SQLITE_DONE || finish != SQLITE_OK)
        throw std::runtime_error(what + ": " + sqlite_api::sqlite3_errstr(step != SQLITE_DONE ? step : finish));
}

/// A backup of the open database into `target`, through a temp file renamed into place, so a crash or a full
/// disk never leaves a half-written file under a backup's name.
void backup_connection(sqlite_api::sqlite3* source, const fs::path& target) {
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw std::runtime_error("cannot create " + target.parent_path().string() + ": " + ec.message());
    auto temp = target;
    temp += ".tmp";
    fs::remove(temp, ec);
    {
        auto out = open_connection(temp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        copy_database(source, out.get(), "cannot back up the catalogue to " + target.string());
    }
    fs::rename(temp, target, ec);
    if (ec) {
        fs::remove(temp, ec);
        throw std::runtime_error("cannot rename the backup into " + target.string() + ": " + ec.message());
    }
}

void migrate(soci::session& sql, const fs::path& file) {
    const auto too_new = [&](int version) {
        return std::runtime_error(
            "the database " + file.string() + " has schema version " + std::to_string(version) +
            ", newer than this build of Mediabase supports (" + std::to_string(schema::current_version) +
            "); run a newer Mediabase or restore a backup");
    };
    int version = user_version(sql);
    if (version > schema::current_version) throw too_new(version);
    if (version > 0 && version < schema::current_version) {
        // A migration rewrites the catalogue: keep a copy of it as it was, to go back to.
        const auto target = catalogue::backup_dir(file) /
                            backup_name("before-v" + std::to_string(schema::current_version),
                                        std::chrono::system_clock::now());
        try {
            backup_connection(connection_of(sql), target);
        } catch (const std::exception& e) {
            throw std::runtime_error("not migrating the database " + file.string() +
                                     " without a backup: " + e.what());
        }
        spdlog::info("catalogue: backed up {} to {} before migrating it", file.string(), target.string());
    }
    for (const auto& step : schema::migrations) {
        if (step.version <= version) continue;
        try {
            write_transaction transaction(sql);
            // Another catalogue on the same file (the DAL's reader) may have migrated meanwhile.
            version = user_version(sql);
            if (version > schema::current_version) throw too_new(version);
            if (step.version <= version) continue;
            for (const auto statement : step.statements)
                sql << std::string(statement);
            // PRAGMA takes no parameters; the value is this build's own constant.
            sql << "PRAGMA user_version = " + std::to_string(step.version);
            transaction.commit();
        } catch (const soci::soci_error& e) {
            throw std::runtime_error("cannot migrate the database " + file.string() + " to schema version " +
                                     std::to_string(step.version) + ": " + e.what());
        }
        spdlog::info("catalogue: {} migrated to schema version {}", file.string(), step.version);
        version = step.version;
    }
}

} // namespace

catalogue catalogue::open(const std::filesystem::path& db_file) {
    const auto file = fs::absolute(db_file);
    if (file.has_parent_path()) {
        std::error_code ec;
        fs::create_directories(file.parent_path(), ec);
        if (ec)
            throw std::runtime_error("cannot create the database folder " + file.parent_path().string() +
                                     ": " + ec.message());
    }
    auto p = std::make_unique<impl>();
    p->file = file;
    try {
        p->sql.open(soci::sqlite3, connect_string(file));
        // The timeout first: switching to WAL needs a moment of exclusive access.
        p->sql << "PRAGMA busy_timeout = " + std::to_string(busy_timeout_ms);
        std::string journal_mode;
        p->sql << "PRAGMA journal_mode = WAL", soci::into(journal_mode);
        if (journal_mode != "wal")
            spdlog::warn("catalogue: {} is in journal mode '{}', not WAL: reads may wait behind writes",
                         file.string(), journal_mode);
        p->sql << "PRAGMA synchronous = NORMAL";
        // Room for the hot index pages of a 100k-movie library (the default is 2 MiB).
        p->sql << "PRAGMA cache_size = -16384";
        // Sorts of the movie list and savepoint journals stay in memory.
        p->sql << "PRAGMA temp_store = MEMORY";
        // Checkpoint the WAL every 128 MiB instead of every 4 MiB: an import rewrites the same index pages
        // batch after batch, and each checkpoint copies them into the database file again. After a
        // checkpoint the WAL file is cut back to 64 MiB.
        p->sql << "PRAGMA wal_autocheckpoint = 32768";
        p->sql << "PRAGMA journal_size_limit = 67108864";
        p->sql << "PRAGMA foreign_keys = ON";
    } catch (const soci::soci_error& e) {
        throw std::runtime_error("cannot open the database " + file.string() + ": " + e.what());
    }
    migrate(p->sql, file);
    return catalogue(std::move(p));
}

catalogue::catalogue(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

catalogue::~catalogue() {
    if (!impl_) return;
    impl_->writes.reset();
    impl_->reads.reset();
    try {
        // Keeps the query planner's statistics current, bounded so that closing stays quick.
        impl_->sql << "PRAGMA analysis_limit = 1000";
        impl_->sql << "PRAGMA optimize";
    } catch (const std::exception& e) {
        spdlog::warn("catalogue: closing {}: {}", impl_->file.string(), e.what());
    }
}

catalogue::catalogue(catalogue&&) noexcept = default;
catalogue& catalogue::operator=(catalogue&&) noexcept = default;

int catalogue::current_schema_version() {
    return schema::current_version;
}

int catalogue::schema_version() {
    return user_version(impl_->sql);
}

std::optional<std::string> catalogue::quick_check() {
    std::string result;
    soci::statement check = (impl_->sql.prepare << "PRAGMA quick_check(5)", soci::into(result));
    std::string problems;
    statement_use in_use(check);
    if (!check.execute(true)) return "quick_check gave no answer";
    do {
        if (result == "ok") return std::nullopt;
        if (!problems.empty()) problems += "; ";
        problems += result;
    } while (check.fetch());
    return problems;
}

void catalogue::backup_to(const std::filesystem::path& target) {
    backup_connection(connection_of(impl_->sql), target);
}

std::filesystem::path catalogue::backup_dir(const std::filesystem::path& db_file) {
    return fs::absolute(db_file).parent_path() / "backups";
}

void catalogue::restore(const std::filesystem::path& source, const std::filesystem::path& db_file) {
    std::error_code ec;
    if (!fs::is_regular_file(source, ec)) throw std::runtime_error(source.string() + " is not a file");
    auto from = open_connection(source, SQLITE_OPEN_READONLY);
    // Only a sound catalogue this build can open replaces the current one.
    const auto single_text = [&](const char* sql) {
        sqlite_api::sqlite3_stmt* st = nullptr;
        if (sqlite_api::sqlite3_prepare_v2(from.get(), sql, -1, &st, nullptr) != SQLITE_OK)
            throw std::runtime_error(source.string() + " is not a Mediabase catalogue: " +
                                     sqlite_api::sqlite3_errmsg(from.get()));
        std::string text;
        if (sqlite_api::sqlite3_step(st) == SQLITE_ROW) {
            const auto* value = sqlite_api::sqlite3_column_text(st, 0);
            if (value) text = reinterpret_cast<const char*>(value);
        }
        sqlite_api::sqlite3_finalize(st);
        return text;
    };
    const auto check = single_text("PRAGMA quick_check");
    if (check != "ok") throw std::runtime_error(source.string() + " is damaged (quick_check: " + check + ")");
    const auto version = std::stoi("0" + single_text("PRAGMA user_version"));
    if (version > schema::current_version)
        throw std::runtime_error(source.string() + " has schema version " + std::to_string(version) +
                                 ", newer than this build supports (" + std::to_string(schema::current_version) + ")");
    if (single_text("SELECT count(*) FROM sqlite_schema WHERE name = 'movies'") != "1")
        throw std::runtime_error(source.string() + " is not a Mediabase catalogue (no movies table)");
    fs::create_directories(fs::absolute(db_file).parent_path(), ec);
    auto to = open_connection(db_file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    copy_database(from.get(), to.get(), "cannot restore " + source.string() + " into " + db_file.string());
}

void database_health::failed(const std::string& what) {
    std::lock_guard lock(mutex_);
    if (!status_.error) status_.since = utc_now_iso8601();
    status_.error = what;
    ++status_.failures;
    // SQLite's words for a corrupt file (SQLITE_CORRUPT, SQLITE_NOTADB).
    if (what.find("malformed") != std::string::npos || what.find("not a database") != std::string::npos)
        status_.damaged = true;
}

void database_health::succeeded() {
    std::lock_guard lock(mutex_);
    if (!status_.error || status_.damaged) return;
    status_.error.reset();
    status_.since.reset();
}

database_health::status database_health::get() const {
    std::lock_guard lock(mutex_);
    return status_;
}

} // namespace mediabase
