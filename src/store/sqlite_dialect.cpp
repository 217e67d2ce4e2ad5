// The SQLite dialect: connection settings, `PRAGMA user_version`, json_each for id lists, the FTS5 index and
// its MATCH query, and the SQLite C API where SOCI offers nothing (statement reset, online backup, restore).
#include "catalogue_schema.hpp"
#include "sql_dialect.hpp"
#include "sql_support.hpp"
#include "mediabase/naming/fold.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>
#include <system_error>

namespace mediabase {
namespace {

namespace fs = std::filesystem;

constexpr int busy_timeout_ms = 5000;
/// How long a checkpoint's restart waits for the writer and the readers (see sqlite_dialect::checkpoint).
constexpr int restart_wait_ms = 250;
constexpr std::size_t max_search_words = 16;

bool is_word_char(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

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

/// Multi-thread mode, set once before SQLite's first connection: each connection here is used by one thread
/// at a time (the writer's, one reader lane's, a command's), so SQLite's per-call connection mutexes are pure
/// cost on every step of an import. Too late (SQLite already started) keeps the safe serialized mode.
void use_multithread_mode() {
    static const bool set = [] {
        const int rc = sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
        if (rc != SQLITE_OK)
            spdlog::debug("catalogue: SQLite stays in serialized mode ({})", sqlite_api::sqlite3_errstr(rc));
        return rc == SQLITE_OK;
    }();
    (void)set;
}

/// The WAL hook of a connection with deferred checkpoints (sqlite_dialect::defer_checkpoints): runs after
/// each commit, on the committing thread.
int note_commit(void* context, sqlite_api::sqlite3* db, const char* schema, int pages) {
    auto& backlog = *static_cast<wal_backlog*>(context);
    backlog.pages = pages;
    if (pages >= backlog.backstop)
        sqlite_api::sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
}

own_connection open_connection(const fs::path& file, int flags) {
    use_multithread_mode();
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

class sqlite_dialect final : public sql_dialect {
  public:
    void open(soci::session& sql, const database_url& where) const override {
        const auto& file = where.file;
        use_multithread_mode();
        try {
            sql.open(soci::sqlite3, connect_string(file));
            // The timeout first: switching to WAL needs a moment of exclusive access.
            sql << "PRAGMA busy_timeout = " + std::to_string(busy_timeout_ms);
            std::string journal_mode;
            sql << "PRAGMA journal_mode = WAL", soci::into(journal_mode);
            if (journal_mode != "wal")
                spdlog::warn("catalogue: {} is in journal mode '{}', not WAL: reads may wait behind writes",
                             file.string(), journal_mode);
            sql << "PRAGMA synchronous = NORMAL";
            // Room for the hot index pages of a 100k-movie library (the default is 2 MiB).
            sql << "PRAGMA cache_size = -16384";
            // Sorts of the movie list and savepoint journals stay in memory.
            sql << "PRAGMA temp_store = MEMORY";
            // Checkpoint the WAL every wal_checkpoint_pages (128 MiB) instead of every 4 MiB. After a
            // checkpoint the WAL file is cut back to 64 MiB.
            sql << "PRAGMA wal_autocheckpoint = " << wal_checkpoint_pages;
            sql << "PRAGMA journal_size_limit = 67108864";
            sql << "PRAGMA foreign_keys = ON";
        } catch (const soci::soci_error& e) {
            throw std::runtime_error("cannot open the database " + file.string() + ": " + e.what());
        }
    }

    std::span<const schema::migration_step> migrations() const override { return schema::migrations; }

    // BEGIN IMMEDIATE already lets one connection at a time into a migration step.
    void lock_schema(soci::session&) const override {}

    std::optional<std::int64_t> try_named_lock(soci::session&, const std::string&) const override { return 0; }
    void named_unlock(soci::session&, std::int64_t) const override {}
    void notify(soci::session&, const std::string&, const std::string&) const override {}

    bool file_backups() const override { return true; }

    bool connection_lost(soci::session&) const override { return false; }

    void before_close(soci::session& sql) const override {
        // Keeps the query planner's statistics current, bounded so that closing stays quick.
        sql << "PRAGMA analysis_limit = 1000";
        sql << "PRAGMA optimize";
    }

    // SQLite plans each statement as it is prepared, from the indexes; before_close keeps its statistics.
    void refresh_statistics(soci::session&) const override {}

    void defer_checkpoints(soci::session& sql, wal_backlog& backlog) const override {
        // The hook replaces wal_autocheckpoint's (which is itself a WAL hook) on this connection only.
        sqlite_api::sqlite3_wal_hook(connection_of(sql), &note_commit, &backlog);
    }

    wal_pages_copied checkpoint(soci::session& sql, wal_checkpoint mode) const override {
        int log = 0;
        int copied = 0;
        auto* db = connection_of(sql);
        const bool restart = mode == wal_checkpoint::restart;
        // A restart holds the writer off while it waits for the writer's transaction and then for the readers
        // to leave the log: a short wait, so that a long read (a backup) costs the import little; BUSY then,
        // and the next checkpoint tries again.
        if (restart) sqlite_api::sqlite3_busy_timeout(db, restart_wait_ms);
        const int rc = sqlite_api::sqlite3_wal_checkpoint_v2(
            db, nullptr, restart ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
        if (restart) sqlite_api::sqlite3_busy_timeout(db, busy_timeout_ms);
        // BUSY: another checkpoint was running (the writer's backstop), or the writer or a reader did not let go
        // within the busy timeout; what is left is copied next time.
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            throw std::runtime_error(std::string("checkpoint: ") + sqlite_api::sqlite3_errmsg(db));
        return {log, copied};
    }

    int schema_version(soci::session& sql) const override {
        int version = 0;
        sql << "PRAGMA user_version", soci::into(version);
        return version;
    }

    void set_schema_version(soci::session& sql, int version) const override {
        // PRAGMA takes no parameters; the value is this build's own constant.
        sql << "PRAGMA user_version = " + std::to_string(version);
    }

    std::string begin_write() const override {
        // IMMEDIATE takes the write lock up front, so a write transaction never fails half-way on a lock
        // upgrade.
        return "BEGIN IMMEDIATE";
    }

    std::string begin_read() const override { return "BEGIN"; }

    // SQLite's own order: NULLs are the smallest value.
    std::string order(bool descending, bool) const override { return descending ? " DESC" : " ASC"; }

    std::string nocase() const override { return " COLLATE NOCASE"; }

    std::string id_list(std::string_view parameter) const override {
        return "SELECT value FROM json_each(:" + std::string(parameter) + ")";
    }

    std::string json_rows(std::string_view parameter, std::string_view alias,
                          std::string_view columns) const override {
        // Each column a key of the row's object (json_extract gives JSON's own type; SQLite compares text
        // byte by byte already).
        std::string select;
        for (const auto& column : sql_support::json_row_columns(columns)) {
            if (!select.empty()) select += ", ";
            select += "json_extract(value, '$." + column.name + "') AS " + column.name;
        }
        return "(SELECT " + select + " FROM json_each(:" + std::string(parameter) + ")) AS " + std::string(alias);
    }

    std::vector<std::int64_t> reserve_ids(soci::session& sql, const std::string& table,
                                          std::size_t count) const override {
        // An INTEGER PRIMARY KEY without AUTOINCREMENT numbers a new row one past the highest id; the write
        // transaction holds the lock, so nobody else takes them meanwhile.
        long long highest = 0;
        sql << "SELECT coalesce(max(id), 0) FROM " + table, soci::into(highest); // `table`: one of the catalogue's
        std::vector<std::int64_t> ids(count);
        for (std::size_t i = 0; i < count; ++i) ids[i] = highest + 1 + static_cast<std::int64_t>(i);
        return ids;
    }

    // Rows are read through an index without a visibility check; statistics are refreshed as the catalogue grows.
    void tidy_after_import(soci::session&) const override {}

    // Its planner picks the index for an equality on an indexed column.
    void prefer_index_lookups(soci::session&) const override {}

    // A statement costs microseconds here, and building and reading the JSON documents costs more: a first
    // import of 100,000 files took 3.6 s row by row and 4.2-5.3 s at once.
    bool stores_batches_at_once() const override { return false; }

    std::string index_movies() const override {
        return "INSERT INTO movies_fts (rowid, title, original_title, overview, people, title_key)"
               " SELECT id, title, original_title, overview, people, title_key FROM movies"
               " WHERE id IN (" + id_list("ids") + ")";
    }

    std::string text_match() const override {
        return "m.id IN (SELECT rowid FROM movies_fts WHERE movies_fts MATCH :text)";
    }

    /// Each word becomes a quoted prefix term ("word"*), quotes doubled inside, so no input can form FTS5
    /// operators or a syntax error; a word with letters outside ASCII becomes ("word"* OR "folded"*). Words
    /// with nothing the tokenizer indexes (only punctuation) are dropped.
    std::string text_query(std::string_view text) const override {
        std::string query;
        std::size_t words = 0;
        std::size_t i = 0;
        while (i < text.size() && words < max_search_words) {
            // Control bytes (NUL included) separate words like spaces do.
            while (i < text.size() && static_cast<unsigned char>(text[i]) <= ' ')
                ++i;
            const auto start = i;
            while (i < text.size() && static_cast<unsigned char>(text[i]) > ' ')
                ++i;
            const auto word = text.substr(start, i - start);
            if (std::none_of(word.begin(), word.end(),
                             [](char c) { return is_word_char(static_cast<unsigned char>(c)); }))
                continue;
            if (!query.empty()) query += ' ';
            const auto term = [&](std::string_view w) {
                query += '"';
                for (const char c : w) {
                    if (c == '"') query += '"';
                    query += c;
                }
                query += "\"*";
            };
            // Outside ASCII the word is also looked for as the title keys fold it ("Łódź" -> "lodz"):
            // the tokenizer leaves letters like "ł" and "ø" as they are.
            if (is_ascii(word)) {
                term(word);
            } else {
                query += '(';
                term(word);
                query += " OR ";
                term(fold_text(word));
                query += ')';
            }
            ++words;
        }
        return query;
    }

    std::int64_t last_insert_id(soci::session& sql, const std::string& table) const override {
        long long id = 0;
        sql.get_last_insert_id(table, id);
        return id;
    }

    void reset(soci::statement& st) const override {
        // What sqlite3_statement_backend::reset() does; libsoci_sqlite3 does not export that member.
        auto* backend = static_cast<soci::sqlite3_statement_backend*>(st.get_backend());
        if (backend->stmt_ && sqlite_api::sqlite3_reset(backend->stmt_) == SQLITE_OK)
            backend->databaseReady_ = true;
    }

    std::optional<std::int64_t> data_version(soci::session& sql) const override {
        // data_version moves with other connections' commits, total_changes() with this one's own rows
        // written: both only grow, and every change moves one of them, so their sum moves with every change.
        std::int64_t others = 0;
        std::int64_t own = 0;
        sql << "PRAGMA data_version", soci::into(others);
        sql << "SELECT total_changes()", soci::into(own);
        return others + own;
    }

    std::vector<std::string> stored_tables(soci::session& sql) const override {
        // movies_fts and its shadow tables are an index, rebuilt by after_copy.
        const char* query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
                            "ESCAPE '\\' AND name NOT LIKE 'movies\\_fts%' ESCAPE '\\' ORDER BY name";
        return sql_support::column_values<std::string>(*this, sql, query);
    }

    std::vector<schema::column> columns(soci::session& sql, const std::string& table) const override {
        std::vector<schema::column> out;
        std::string name, type;
        soci::statement st = (sql.prepare << "SELECT name, type FROM pragma_table_info(:t) ORDER BY cid",
                              soci::use(table), soci::into(name), soci::into(type));
        if (st.execute(true))
            do out.push_back({name, schema::kind_of_type(type)});
            while (st.fetch());
        return out;
    }

    void after_copy(soci::session& sql) const override {
        sql << "INSERT INTO movies_fts (movies_fts) VALUES ('rebuild')";
    }

    std::optional<std::string> check(soci::session& sql) const override {
        std::string result;
        soci::statement check = (sql.prepare << "PRAGMA quick_check(5)", soci::into(result));
        std::string problems;
        struct reset_after {
            const sqlite_dialect& dialect;
            soci::statement& st;
            ~reset_after() { dialect.reset(st); }
        } in_use{*this, check};
        if (!check.execute(true)) return "quick_check gave no answer";
        do {
            if (result == "ok") return std::nullopt;
            if (!problems.empty()) problems += "; ";
            problems += result;
        } while (check.fetch());
        return problems;
    }

    /// Through a temp file renamed into place, so a crash or a full disk never leaves a half-written file
    /// under a backup's name.
    void backup(soci::session& sql, const fs::path& target) const override {
        std::error_code ec;
        fs::create_directories(target.parent_path(), ec);
        if (ec) throw std::runtime_error("cannot create " + target.parent_path().string() + ": " + ec.message());
        auto temp = target;
        temp += ".tmp";
        fs::remove(temp, ec);
        {
            auto out = open_connection(temp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
            copy_database(connection_of(sql), out.get(), "cannot back up the catalogue to " + target.string());
        }
        fs::rename(temp, target, ec);
        if (ec) {
            fs::remove(temp, ec);
            throw std::runtime_error("cannot rename the backup into " + target.string() + ": " + ec.message());
        }
    }

    void restore(const fs::path& source, const fs::path& db_file, int max_version) const override {
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
        if (check != "ok")
            throw std::runtime_error(source.string() + " is damaged (quick_check: " + check + ")");
        const auto version = std::stoi("0" + single_text("PRAGMA user_version"));
        if (version > max_version)
            throw std::runtime_error(source.string() + " has schema version " + std::to_string(version) +
                                     ", newer than this build supports (" + std::to_string(max_version) + ")");
        if (single_text("SELECT count(*) FROM sqlite_schema WHERE name = 'movies'") != "1")
            throw std::runtime_error(source.string() + " is not a Mediabase catalogue (no movies table)");
        fs::create_directories(fs::absolute(db_file).parent_path(), ec);
        auto to = open_connection(db_file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        copy_database(from.get(), to.get(), "cannot restore " + source.string() + " into " + db_file.string());
    }
};

} // namespace

std::unique_ptr<sql_dialect> make_dialect(const database_url& where) {
    return where.is_sqlite() ? make_sqlite_dialect() : make_postgres_dialect();
}

std::unique_ptr<sql_dialect> make_sqlite_dialect() {
    return std::make_unique<sqlite_dialect>();
}

} // namespace mediabase
