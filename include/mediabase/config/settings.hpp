#pragma once
/// Settings of a Mediabase run and where they come from: flags > environment > config file > defaults.

#include "mediabase/store/database_url.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mediabase {

struct settings {
    std::vector<std::string> media_folders;
    std::filesystem::path data_dir;
    /// `--database URL` as given (flag, environment or config.json); empty: SQLite in the data dir.
    std::string database;
    /// The `database` of config.json, written back as it was (the file is the server's own, mode 0600).
    std::string database_in_file;
    /// `--server-name` (MEDIABASE_SERVER_NAME, config.json `server_name`; default: the host name): on a
    /// catalogue several servers share, the files this server scans are its own.
    std::string server_name;
    std::string server_name_in_file; ///< the `server_name` of config.json, written back as it was
    std::string listen_host = "127.0.0.1";
    std::uint16_t listen_port = 3267;
    std::string tmdb_base_url = "https://api.themoviedb.org/3";
    std::string omdb_base_url = "https://www.omdbapi.com/";
    std::string image_base_url; ///< empty: the one TMDB's /configuration names
    /// Art sizes to download, as TMDB names them ("w500", "original"); the nearest size TMDB's /configuration
    /// offers is used.
    std::string poster_size = "w500";
    std::string backdrop_size = "w1280";
    std::string tmdb_api_key;
    std::string tmdb_read_token;
    std::string omdb_api_key;
    std::string log_level = "info";
    std::vector<std::string> extensions; ///< lower-case, without the dot
    bool watch = true;
    int rescan_interval_seconds = 3600;
    int tmdb_requests_per_second = 35;
    int scraper_concurrency = 8;
    int request_timeout_seconds = 30; ///< an HTTP request must arrive whole within this
    int max_connections = 1024;            ///< connections held at once; more wait until one ends
    int max_connections_per_address = 256; ///< connections from one client address; more get 503
    int events_timeout_seconds = 30;  ///< an event-stream client answering no ping this long is closed
    std::optional<std::filesystem::path> static_dir; ///< serve the UI from disk (development)
    /// Scheduled backups of the catalogue into DATA/backups (backups.hpp): hours between two, 0 = none.
    int backup_interval_hours = 24;
    int backup_keep = 7; ///< backups kept (the newest); older ones are removed when a new one is made
    /// Access (README, Security): `required`, `trusted-networks` or `proxy`.
    std::string auth = "required";
    std::string trusted_networks; ///< CIDR,... trusted without logging in (trusted-networks mode)
    std::string trusted_proxies;  ///< CIDR,... allowed to name the user (proxy mode)
    std::string user_header = "X-Forwarded-User"; ///< the header a trusted proxy names the user in
    std::string public_url; ///< the URL browsers use (behind a proxy): its host is accepted in Host and Origin

    [[nodiscard]] bool offline() const { return tmdb_api_key.empty() && tmdb_read_token.empty(); }
    [[nodiscard]] std::filesystem::path database_file() const { return data_dir / "mediabase.db"; }
    /// Where the catalogue is: `database` (checked when it was read), else database_file().
    [[nodiscard]] database_url database_target() const;
    [[nodiscard]] std::filesystem::path config_file() const { return data_dir / "config.json"; }
    /// `--art-dir DIR` (MEDIABASE_ART_DIR, config.json `art_dir`): where cached art is kept, instead of DATA/art.
    /// Servers sharing a catalogue share it too (a network folder), so each serves every movie's art.
    std::filesystem::path art_dir_option;
    std::string art_dir_in_file; ///< the `art_dir` of config.json, written back as it was
    [[nodiscard]] std::filesystem::path art_dir() const {
        return art_dir_option.empty() ? data_dir / "art" : art_dir_option;
    }
};

/// The video containers recognised by default (disc structures are recognised by their index files).
std::vector<std::string> default_extensions();

enum class command_kind { serve, scan, parse, help, version, backup, restore, user, db_copy };

struct command_line {
    command_kind command = command_kind::serve;
    settings config;
    std::vector<std::string> names; ///< for `parse`; for `restore`, the one backup file; for `user`, ACTION [NAME]
    bool admin = false;             ///< `user add NAME --admin`
    std::string copy_from, copy_to; ///< `db copy --from URL --to URL` (checked database URLs)
    bool force = false;             ///< `db copy --force`: replace what the target holds
    std::string help_text;
};

/// A bad value: one line naming the option; the program exits with code 2.
struct settings_error {
    std::string message;
};

using environment = std::map<std::string, std::string>;

/// The process environment as a map (only the variables Mediabase reads).
environment process_environment();

/// Parses argv, the environment and the config file in the data dir, with that precedence.
std::variant<command_line, settings_error> parse_command_line(int argc, const char* const* argv,
                                                              const environment& env);

/// Applies the fields of a `PUT /api/v1/config` body (or the config file) to `s`. Unknown fields and
/// wrong types are errors naming the field.
std::optional<settings_error> apply_config_json(settings& s, const boost::json::object& body);

/// The persisted part of the settings, as written to config.json.
boost::json::object to_config_file_json(const settings& s);

/// The settings as `GET /api/v1/config` shows them: keys masked ("••••abcd"), never in full.
boost::json::object to_public_json(const settings& s);

/// Writes config.json atomically (temp file + rename). Returns an error message on failure.
std::optional<std::string> save_config_file(const settings& s);

/// A media folder as stored: absolute, lexically normal, without a trailing slash.
std::string normalized_folder(const std::string& folder);

/// "abcdef123456" -> "••••3456"; empty -> empty.
std::string mask_secret(const std::string& secret);

} // namespace mediabase
