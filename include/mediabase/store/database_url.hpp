#pragma once
/// Where the catalogue lives (`--database URL`): an SQLite file, or a PostgreSQL database named the way libpq
/// names one (a `postgresql://` URL or a `key=value` conninfo). Pure logic: no Asio, no SOCI.

#include <filesystem>
#include <string>
#include <string_view>
#include <variant>

namespace mediabase {

enum class database_engine { sqlite, postgresql };

struct database_url {
    database_engine engine = database_engine::sqlite;
    std::filesystem::path file; ///< sqlite: the database file
    std::string conninfo;       ///< postgresql: what libpq is given, password included: never log it
    /// What logs, errors and `GET /config` show: the file, or the conninfo with its password masked.
    [[nodiscard]] std::string display() const;
    [[nodiscard]] bool is_sqlite() const { return engine == database_engine::sqlite; }
};

/// Reads `sqlite:PATH` (PATH made absolute), `postgresql://...` / `postgres://...` (libpq's URL form) or a
/// libpq conninfo (`host=... dbname=...`). The PostgreSQL forms are checked with libpq's own parser. An error
/// message (without the password) for anything else.
std::variant<database_url, std::string> parse_database_url(std::string_view text);

/// `text` with any password in it replaced by "••••": the `user:password@` of a URL, its `password=` query
/// parameter, and the `password=` of a conninfo (quoted or not). Other text passes unchanged.
std::string redact_database_url(std::string_view text);

} // namespace mediabase
