#pragma once
// The SQL that differs between database engines, behind one interface: the rest of the catalogue is written
// once against it. SQLite now (sqlite_dialect.cpp); PostgreSQL next. Pure logic: no Asio, no Beast.

#include <soci/soci.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace mediabase {

/// One database engine's way of doing what the catalogue needs beyond portable SQL. Stateless: one per
/// catalogue, used from that catalogue's thread only.
class sql_dialect {
  public:
    sql_dialect() = default;
    sql_dialect(const sql_dialect&) = delete;
    sql_dialect& operator=(const sql_dialect&) = delete;
    virtual ~sql_dialect() = default;

    /// Opens `sql` on the database `file` and applies the connection settings. Throws std::runtime_error.
    virtual void open(soci::session& sql, const std::filesystem::path& file) const = 0;
    /// Upkeep before the session closes (the query planner's statistics). Throws on a database error.
    virtual void before_close(soci::session& sql) const = 0;

    /// The schema version the database records; 0 for a new database.
    virtual int schema_version(soci::session& sql) const = 0;
    /// Records `version` (this build's own constant), inside the migration step's transaction.
    virtual void set_schema_version(soci::session& sql, int version) const = 0;
    /// Starts a write transaction that holds the write lock from the start.
    [[nodiscard]] virtual std::string begin_write() const = 0;

    /// A subquery with one column: the ids of the JSON array bound as `:<parameter>` (such as "[1,2]").
    [[nodiscard]] virtual std::string id_list(std::string_view parameter) const = 0;
    /// Adds the movies whose ids are bound as `:ids` (a JSON array) to the full-text index.
    [[nodiscard]] virtual std::string index_movies() const = 0;
    /// A condition on `m.id`: the movies the full-text query bound as `:text` matches.
    [[nodiscard]] virtual std::string text_match() const = 0;
    /// The full-text query for what a user typed, safe against the engine's query syntax. Empty: nothing to
    /// search for.
    [[nodiscard]] virtual std::string text_query(std::string_view typed) const = 0;

    /// The id of the row the last INSERT into `table` added.
    virtual std::int64_t last_insert_id(soci::session& sql, const std::string& table) const = 0;
    /// Ends the current result of `st`, so that it no longer holds a read snapshot open.
    virtual void reset(soci::statement& st) const = 0;
    /// A number that changes whenever the data may have changed since this connection last asked: another
    /// connection committed, or this one wrote (what cached figures depend on); nullopt when the engine
    /// cannot tell.
    virtual std::optional<std::int64_t> data_version(soci::session& sql) const = 0;

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

} // namespace mediabase
