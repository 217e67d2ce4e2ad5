#pragma once
// The SQL that differs between database engines, behind one interface: the rest of the catalogue is written
// once against it. SQLite (sqlite_dialect.cpp) and PostgreSQL (postgres_dialect.cpp). Pure logic: no Asio, no
// Beast.

#include "mediabase/store/catalogue.hpp" // wal_checkpoint, wal_pages_copied
#include "mediabase/store/database_url.hpp"

#include <soci/soci.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mediabase {

namespace schema {

/// One step of a dialect's schema history. Each runs in its own transaction; released steps are history: never
/// edit one, add a new step.
struct migration_step {
    int version; ///< the schema version after this step
    std::span<const std::string_view> statements;
    /// Work SQL alone cannot do, run in the step's transaction before its statements; may be null.
    void (*code)(soci::session&) = nullptr;
};

/// A column as a copy moves it: by name, read and written as the kind of value its declared type holds.
struct column {
    enum class kind { integer, real, text };
    std::string name;
    kind type = kind::text;
};

/// The kind of value an SQL type name holds ("BIGINT", "double precision", "TEXT", "citext").
inline column::kind kind_of_type(std::string type) {
    for (auto& c : type) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (type.find("int") != std::string::npos) return column::kind::integer;
    if (type.find("real") != std::string::npos || type.find("double") != std::string::npos ||
        type.find("float") != std::string::npos || type.find("numeric") != std::string::npos)
        return column::kind::real;
    return column::kind::text;
}

} // namespace schema

/// The write-ahead log of a connection whose checkpoints are done elsewhere (sql_dialect::defer_checkpoints).
struct wal_backlog {
    std::int64_t pages = 0;    ///< pages in the log after the connection's last commit
    std::int64_t backstop = 0; ///< from this many on, the commit checkpoints itself
};

/// One database engine's way of doing what the catalogue needs beyond portable SQL. Stateless: one per
/// catalogue, used from that catalogue's thread only.
class sql_dialect {
  public:
    sql_dialect() = default;
    sql_dialect(const sql_dialect&) = delete;
    sql_dialect& operator=(const sql_dialect&) = delete;
    virtual ~sql_dialect() = default;

    /// Opens `sql` on the database `where` and applies the connection settings. Throws std::runtime_error
    /// (without the password).
    virtual void open(soci::session& sql, const database_url& where) const = 0;
    /// This engine's schema history, oldest first. Versions mean the same schema on every engine.
    [[nodiscard]] virtual std::span<const schema::migration_step> migrations() const = 0;
    /// Inside a migration's transaction, before the version is read again: keeps other processes on the same
    /// database from migrating at the same time.
    virtual void lock_schema(soci::session& sql) const = 0;
    /// Tries the session-level lock named `name` (per database and schema; PostgreSQL: an advisory lock, held
    /// until named_unlock or the connection ends). The key to unlock it with, or nullopt when another
    /// connection holds it. SQLite: always granted (a file has one server).
    virtual std::optional<std::int64_t> try_named_lock(soci::session& sql, const std::string& name) const = 0;
    virtual void named_unlock(soci::session& sql, std::int64_t key) const = 0;
    /// Tells every connection listening on `channel` (PostgreSQL NOTIFY); SQLite: nothing.
    virtual void notify(soci::session& sql, const std::string& channel, const std::string& payload) const = 0;
    /// Whether backup, restore and the pre-migration copy work here (files), or are the database server's job.
    [[nodiscard]] virtual bool file_backups() const = 0;
    /// Whether the session's connection is gone (the database server restarted or went away).
    virtual bool connection_lost(soci::session& sql) const = 0;
    /// Upkeep before the session closes (the query planner's statistics). Throws on a database error.
    virtual void before_close(soci::session& sql) const = 0;
    /// After a write transaction that grew the catalogue a lot (outside any transaction): brings the query
    /// planner's statistics up to date, so that plans made while the tables were small are made again.
    /// Throws on a database error.
    virtual void refresh_statistics(soci::session& sql) const = 0;
    /// After an import that added or changed movies, outside any transaction: upkeep of the tables it grew.
    /// PostgreSQL vacuums them, so that the list's sort indexes are read without visiting each row (an
    /// index-only scan needs the pages marked all-visible); until then a deep page of a fresh 76,000-movie
    /// catalogue visited 38,000 rows. SQLite: nothing. Throws on a database error.
    virtual void tidy_after_import(soci::session& sql) const = 0;
    /// Hands the checkpoints of this connection's write-ahead log to checkpoint() on another connection, so a
    /// commit never waits for the disk to flush what earlier ones wrote: after each commit the pages the log
    /// holds are written to `backlog.pages`, and only once they reach `backlog.backstop` does the commit
    /// checkpoint itself (when the other connection cannot keep up). SQLite; others: nothing (their server
    /// writes its log back itself).
    virtual void defer_checkpoints(soci::session& sql, wal_backlog& backlog) const = 0;
    /// Copies what the write-ahead log holds into the database file (SQLite; others: nothing, and 0 pages):
    /// see catalogue::checkpoint. Throws on a database error.
    virtual wal_pages_copied checkpoint(soci::session& sql, wal_checkpoint mode) const = 0;

    /// The schema version the database records; 0 for a new database.
    virtual int schema_version(soci::session& sql) const = 0;
    /// Records `version` (this build's own constant), inside the migration step's transaction.
    virtual void set_schema_version(soci::session& sql, int version) const = 0;
    /// Starts a write transaction that holds the write lock from the start.
    [[nodiscard]] virtual std::string begin_write() const = 0;
    /// Starts a read transaction: one snapshot for all its queries.
    [[nodiscard]] virtual std::string begin_read() const = 0;
    /// The direction of a sort key: " ASC" or " DESC", for a column that may be NULL with NULLs first when
    /// ascending and last when descending (SQLite's order, which every engine then gives).
    [[nodiscard]] virtual std::string order(bool descending, bool nullable) const = 0;
    /// What makes `=` on a text column ignore ASCII case where the schema does not already (" COLLATE NOCASE").
    [[nodiscard]] virtual std::string nocase() const = 0;

    /// A subquery with one column: the ids of the JSON array bound as `:<parameter>` (such as "[1,2]").
    [[nodiscard]] virtual std::string id_list(std::string_view parameter) const = 0;
    /// A table for a FROM clause, named `alias`: the rows of the JSON array of objects bound as `:<parameter>`,
    /// one column per key of `columns` ("id bigint, title text"; a missing key or JSON null is NULL). Its
    /// text compares byte by byte, as the catalogue's keys and paths do.
    [[nodiscard]] virtual std::string json_rows(std::string_view parameter, std::string_view alias,
                                                std::string_view columns) const = 0;
    /// `count` new ids of `table`, ascending, as the engine would number rows inserted now; inside a write
    /// transaction, which then inserts its rows with them.
    virtual std::vector<std::int64_t> reserve_ids(soci::session& sql, const std::string& table,
                                                  std::size_t count) const = 0;
    /// For the rest of the current transaction, joins of a few rows with a big table are index lookups (a
    /// nested loop over the btree indexes). PostgreSQL: during an import the statistics are those of a smaller
    /// table, and its planner then scanned the table whole, or looked a title key up in the trigram index,
    /// which reads a posting list per trigram (up to 3.4 s for one batch). SQLite: nothing.
    virtual void prefer_index_lookups(soci::session& sql) const = 0;
    /// Whether a batch of found movies is stored with a few statements for the whole batch (store_at_once: a
    /// database server, where each statement is a round trip) rather than row by row (an embedded engine,
    /// where a statement costs microseconds).
    [[nodiscard]] virtual bool stores_batches_at_once() const = 0;
    /// Adds the movies whose ids are bound as `:ids` (a JSON array) to the full-text index; empty when the
    /// index follows the rows by itself.
    [[nodiscard]] virtual std::string index_movies() const = 0;
    /// A condition on `m.id`: the movies the full-text query bound as `:text` matches.
    [[nodiscard]] virtual std::string text_match() const = 0;
    /// The full-text query for what a user typed, safe against the engine's query syntax. Empty: nothing to
    /// search for.
    [[nodiscard]] virtual std::string text_query(std::string_view typed) const = 0;

    /// When the full-text query found nothing: the words of what a user typed to look for with a typo (each
    /// close to a word of a title); empty when the engine has no such search or nothing is worth it.
    [[nodiscard]] virtual std::vector<std::string> typo_words(std::string_view) const { return {}; }
    /// A condition on `m`: each of `words` values bound as `:typo_0`, `:typo_1` ... is close to a word of the
    /// movie's title key.
    [[nodiscard]] virtual std::string typo_match(std::size_t) const { return {}; }

    /// The id of the row the last INSERT into `table` added.
    virtual std::int64_t last_insert_id(soci::session& sql, const std::string& table) const = 0;
    /// Ends the current result of `st`, so that it no longer holds a read snapshot open.
    virtual void reset(soci::statement& st) const = 0;
    /// A number that changes whenever the data may have changed since this connection last asked: another
    /// connection committed, or this one wrote (what cached figures depend on); nullopt when the engine
    /// cannot tell.
    virtual std::optional<std::int64_t> data_version(soci::session& sql) const = 0;

    /// The tables of the database (base tables only): what a copy checks against the schema's table list.
    /// An engine's own index tables (SQLite's full-text shadow tables, the schema version table) are left out.
    virtual std::vector<std::string> stored_tables(soci::session& sql) const = 0;
    /// The columns of `table` a copy writes, in the table's order: generated ones are left out.
    virtual std::vector<schema::column> columns(soci::session& sql, const std::string& table) const = 0;
    /// After rows were copied in with their ids, inside the copy's transaction: whatever the engine derives
    /// from them (SQLite rebuilds the full-text index; PostgreSQL moves each id sequence past the last id).
    virtual void after_copy(soci::session& sql) const = 0;

    /// A quick integrity check: nullopt when sound, else the problems found.
    virtual std::optional<std::string> check(soci::session& sql) const = 0;
    /// A consistent copy of the open database into `target`, written aside and renamed into place.
    virtual void backup(soci::session& sql, const std::filesystem::path& target) const = 0;
    /// Replaces the database `db_file` with the backup `source` once it proves sound and not too new for
    /// `max_version`. Only while no catalogue has `db_file` open.
    virtual void restore(const std::filesystem::path& source, const std::filesystem::path& db_file,
                         int max_version) const = 0;
};

/// SQLite 3: WAL, `PRAGMA user_version`, json_each, FTS5, the online backup API.
std::unique_ptr<sql_dialect> make_sqlite_dialect();
/// PostgreSQL (13 or newer): a version table, jsonb for id lists, a tsvector column with unaccent, pg_trgm,
/// citext; backups are the database server's (pg_dump).
std::unique_ptr<sql_dialect> make_postgres_dialect();
/// The dialect of `where`'s engine.
std::unique_ptr<sql_dialect> make_dialect(const database_url& where);

} // namespace mediabase
