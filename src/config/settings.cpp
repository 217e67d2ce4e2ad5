#include "mediabase/config/settings.hpp"

#include "mediabase/config/file_io.hpp"
#include "mediabase/config/networks.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace po = boost::program_options;
namespace json = boost::json;

namespace mediabase {
namespace {

/// config.json holds settings and keys: a few KiB. Anything far larger is not ours.
constexpr std::size_t max_config_file_bytes = 1024 * 1024;

/// Variables read for context before the settings themselves: where the data dir (and so the config file) is.
const char* const context_env_vars[] = {"MEDIABASE_DATA", "XDG_DATA_HOME", "HOME"};

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(text);
    while (std::getline(in, part, separator))
        if (!part.empty()) parts.push_back(part);
    return parts;
}

std::optional<settings_error> set_listen(settings& s, const std::string& value, const std::string& origin) {
    const auto colon = value.rfind(':');
    const auto bad = settings_error{origin + ": expected HOST:PORT (e.g. 127.0.0.1:3267), got '" + value + "'"};
    if (colon == std::string::npos || colon == 0 || colon + 1 == value.size()) return bad;
    auto host = value.substr(0, colon);
    const auto port_text = value.substr(colon + 1);
    if (!std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        port_text.size() > 5)
        return bad;
    const auto port = std::stoi(port_text);
    if (port > 65535) return bad;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    s.listen_host = host;
    s.listen_port = static_cast<std::uint16_t>(port);
    return std::nullopt;
}

std::optional<settings_error> check_url(const std::string& value, const std::string& origin) {
    auto parsed = boost::urls::parse_uri(value);
    if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") || parsed->host().empty())
        return settings_error{origin + ": expected an http:// or https:// URL, got '" + value + "'"};
    return std::nullopt;
}

std::optional<settings_error> set_log_level(settings& s, const std::string& value, const std::string& origin) {
    static const char* const levels[] = {"trace", "debug", "info", "warn", "error", "off"};
    if (std::find(std::begin(levels), std::end(levels), value) == std::end(levels))
        return settings_error{origin + ": expected one of trace, debug, info, warn, error, off; got '" + value +
                              "'"};
    s.log_level = value;
    return std::nullopt;
}

/// A TMDB image size: "original", or "w"/"h" and a width or height in pixels ("w500").
std::optional<settings_error> set_image_size(std::string& target, const std::string& value,
                                             const std::string& origin) {
    const bool pixels = value.size() >= 2 && value.size() <= 6 && (value[0] == 'w' || value[0] == 'h') &&
                        std::all_of(value.begin() + 1, value.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!pixels && value != "original")
        return settings_error{origin + ": expected a TMDB image size such as w500, h632 or original; got '" + value +
                              "'"};
    target = value;
    return std::nullopt;
}

std::optional<settings_error> set_positive(int& target, const std::string& value, const std::string& origin,
                                           int max) {
    try {
        std::size_t used = 0;
        const long parsed = std::stol(value, &used);
        if (used == value.size() && parsed > 0 && parsed <= max) {
            target = static_cast<int>(parsed);
            return std::nullopt;
        }
    } catch (const std::exception&) {
    }
    return settings_error{origin + ": expected a whole number from 1 to " + std::to_string(max) + ", got '" +
                          value + "'"};
}

/// A whole number in [min, max] (0 allowed when min is 0: "none").
std::optional<settings_error> set_in_range(int& target, const std::string& value, const std::string& origin, int min,
                                           int max) {
    try {
        std::size_t used = 0;
        const long parsed = std::stol(value, &used);
        if (used == value.size() && parsed >= min && parsed <= max) {
            target = static_cast<int>(parsed);
            return std::nullopt;
        }
    } catch (const std::exception&) {
    }
    return settings_error{origin + ": expected a whole number from " + std::to_string(min) + " to " +
                          std::to_string(max) + ", got '" + value + "'"};
}

std::optional<settings_error> set_auth(settings& s, const std::string& value, const std::string& origin) {
    if (value != "required" && value != "trusted-networks" && value != "proxy")
        return settings_error{origin + ": expected required, trusted-networks or proxy; got '" + value + "'"};
    s.auth = value;
    return std::nullopt;
}

std::optional<settings_error> set_networks(std::string& target, const std::string& value, const std::string& origin) {
    std::vector<ip_network> parsed;
    if (auto e = parse_networks(value, parsed)) return settings_error{origin + ": " + *e};
    target = value;
    return std::nullopt;
}

std::optional<settings_error> set_user_header(settings& s, const std::string& value, const std::string& origin) {
    const bool token = !value.empty() && value.size() <= 64 && std::all_of(value.begin(), value.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
    if (!token) return settings_error{origin + ": expected a header name such as X-Forwarded-User, got '" + value + "'"};
    s.user_header = value;
    return std::nullopt;
}

std::optional<settings_error> set_public_url(settings& s, const std::string& value, const std::string& origin) {
    if (auto e = check_url(value, origin)) return e;
    s.public_url = value;
    return std::nullopt;
}

std::optional<settings_error> set_database(settings& s, const std::string& value, const std::string& origin) {
    auto parsed = parse_database_url(value);
    if (auto* error = std::get_if<std::string>(&parsed)) return settings_error{origin + ": " + *error};
    s.database = value;
    return std::nullopt;
}

std::optional<settings_error> set_server_name(settings& s, const std::string& value, const std::string& origin) {
    // It is shown in file lists and logs, and compared byte for byte: a short, plain name.
    const bool plain = !value.empty() && value.size() <= 64 && std::all_of(value.begin(), value.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    });
    if (!plain)
        return settings_error{origin + ": expected a name of 1 to 64 letters, digits, '.', '-' or '_', got '" +
                              value + "'"};
    s.server_name = value;
    return std::nullopt;
}

std::optional<settings_error> set_art_dir(settings& s, const std::string& value, const std::string& origin) {
    // Relative to what? The server's working directory is nobody's choice: an absolute path only.
    if (value.empty() || value.front() != '/')
        return settings_error{origin + ": expected an absolute folder path, got '" + value + "'"};
    s.art_dir_option = value;
    return std::nullopt;
}

/// The machine's host name: the default server name. "mediabase" when it has none a server name may be.
std::string host_server_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return "mediabase";
    settings probe;
    if (set_server_name(probe, name, "host name")) return "mediabase";
    return probe.server_name;
}

/// Bounds of the backup settings: at most a year between backups, at most 1000 kept.
constexpr int max_backup_interval_hours = 8760;
constexpr int max_backups_kept = 1000;

std::optional<settings_error> set_bool(bool& target, const std::string& value, const std::string& origin) {
    if (value == "1" || value == "true" || value == "yes" || value == "on") target = true;
    else if (value == "0" || value == "false" || value == "no" || value == "off") target = false;
    else return settings_error{origin + ": expected true or false, got '" + value + "'"};
    return std::nullopt;
}

std::vector<std::string> normalized_extensions(const std::vector<std::string>& raw) {
    std::vector<std::string> out;
    for (auto ext : raw) {
        // Every leading dot: normalising twice (the saved file read back) must give the same list.
        ext.erase(0, ext.find_first_not_of('.'));
        std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
        if (!ext.empty() && std::find(out.begin(), out.end(), ext) == out.end()) out.push_back(ext);
    }
    return out;
}

std::filesystem::path default_data_dir(const environment& env) {
    if (auto it = env.find("XDG_DATA_HOME"); it != env.end() && !it->second.empty())
        return std::filesystem::path(it->second) / "mediabase";
    if (auto it = env.find("HOME"); it != env.end() && !it->second.empty())
        return std::filesystem::path(it->second) / ".local" / "share" / "mediabase";
    return std::filesystem::path(".mediabase");
}

/// One environment variable and how its value is applied. `env_settings` is the one list of the variables
/// Mediabase reads: `process_environment()`, `apply_environment()` and the usage text all derive from it.
struct env_setting {
    const char* name;
    std::optional<settings_error> (*apply)(settings& s, const std::string& value, const std::string& name);
};

using maybe_error = std::optional<settings_error>;

const env_setting env_settings[] = {
    {"MEDIABASE_MEDIA",
     [](settings& s, const std::string& v, const std::string&) -> maybe_error {
         s.media_folders = split(v, ':');
         return std::nullopt;
     }},
    {"MEDIABASE_LISTEN", [](settings& s, const std::string& v, const std::string& n) { return set_listen(s, v, n); }},
    {"MEDIABASE_DATABASE",
     [](settings& s, const std::string& v, const std::string& n) { return set_database(s, v, n); }},
    {"MEDIABASE_ART_DIR",
     [](settings& s, const std::string& v, const std::string& n) { return set_art_dir(s, v, n); }},
    {"MEDIABASE_SERVER_NAME",
     [](settings& s, const std::string& v, const std::string& n) { return set_server_name(s, v, n); }},
    {"MEDIABASE_TMDB_BASE_URL",
     [](settings& s, const std::string& v, const std::string& n) -> maybe_error {
         if (auto e = check_url(v, n)) return e;
         s.tmdb_base_url = v;
         return std::nullopt;
     }},
    {"MEDIABASE_OMDB_BASE_URL",
     [](settings& s, const std::string& v, const std::string& n) -> maybe_error {
         if (auto e = check_url(v, n)) return e;
         s.omdb_base_url = v;
         return std::nullopt;
     }},
    {"MEDIABASE_IMAGE_BASE_URL",
     [](settings& s, const std::string& v, const std::string& n) -> maybe_error {
         if (auto e = check_url(v, n)) return e;
         s.image_base_url = v;
         return std::nullopt;
     }},
    {"MEDIABASE_LOG_LEVEL",
     [](settings& s, const std::string& v, const std::string& n) { return set_log_level(s, v, n); }},
    {"MEDIABASE_POSTER_SIZE",
     [](settings& s, const std::string& v, const std::string& n) { return set_image_size(s.poster_size, v, n); }},
    {"MEDIABASE_BACKDROP_SIZE",
     [](settings& s, const std::string& v, const std::string& n) { return set_image_size(s.backdrop_size, v, n); }},
    {"MEDIABASE_WATCH", [](settings& s, const std::string& v, const std::string& n) { return set_bool(s.watch, v, n); }},
    {"MEDIABASE_RESCAN_INTERVAL",
     [](settings& s, const std::string& v, const std::string& n) {
         return set_in_range(s.rescan_interval_seconds, v, n, 0, 604800);
     }},
    {"MEDIABASE_TMDB_RATE",
     [](settings& s, const std::string& v, const std::string& n) {
         return set_positive(s.tmdb_requests_per_second, v, n, 1000);
     }},
    {"MEDIABASE_SCRAPER_CONCURRENCY",
     [](settings& s, const std::string& v, const std::string& n) {
         return set_positive(s.scraper_concurrency, v, n, 64);
     }},
    {"MEDIABASE_MAX_CONNECTIONS",
     [](settings& s, const std::string& v, const std::string& n) {
         return set_positive(s.max_connections, v, n, 1000000);
     }},
    {"MEDIABASE_MAX_CONNECTIONS_PER_ADDRESS",
     [](settings& s, const std::string& v, const std::string& n) {
         return set_positive(s.max_connections_per_address, v, n, 1000000);
     }},
    {"MEDIABASE_BACKUP_INTERVAL",
     [](settings& s, const std::string& v, const std::string& n) {
         return set_in_range(s.backup_interval_hours, v, n, 0, max_backup_interval_hours);
     }},
    {"MEDIABASE_BACKUP_KEEP",
     [](settings& s, const std::string& v, const std::string& n) {
         return set_in_range(s.backup_keep, v, n, 1, max_backups_kept);
     }},
    {"MEDIABASE_EXTENSIONS",
     [](settings& s, const std::string& v, const std::string& n) -> maybe_error {
         s.extensions = normalized_extensions(split(v, ','));
         if (s.extensions.empty()) return settings_error{n + ": expected at least one extension"};
         return std::nullopt;
     }},
    {"MEDIABASE_STATIC_DIR",
     [](settings& s, const std::string& v, const std::string& n) -> maybe_error {
         std::error_code ec;
         if (!std::filesystem::is_directory(v, ec)) return settings_error{n + ": not a folder: '" + v + "'"};
         s.static_dir = v;
         return std::nullopt;
     }},
    {"MEDIABASE_AUTH", [](settings& s, const std::string& v, const std::string& n) { return set_auth(s, v, n); }},
    {"MEDIABASE_TRUSTED_NETWORKS",
     [](settings& s, const std::string& v, const std::string& n) { return set_networks(s.trusted_networks, v, n); }},
    {"MEDIABASE_TRUSTED_PROXIES",
     [](settings& s, const std::string& v, const std::string& n) { return set_networks(s.trusted_proxies, v, n); }},
    {"MEDIABASE_USER_HEADER",
     [](settings& s, const std::string& v, const std::string& n) { return set_user_header(s, v, n); }},
    {"MEDIABASE_PUBLIC_URL",
     [](settings& s, const std::string& v, const std::string& n) { return set_public_url(s, v, n); }},
    {"TMDB_API_KEY",
     [](settings& s, const std::string& v, const std::string&) -> maybe_error {
         s.tmdb_api_key = v;
         return std::nullopt;
     }},
    {"TMDB_READ_TOKEN",
     [](settings& s, const std::string& v, const std::string&) -> maybe_error {
         s.tmdb_read_token = v;
         return std::nullopt;
     }},
    {"OMDB_API_KEY",
     [](settings& s, const std::string& v, const std::string&) -> maybe_error {
         s.omdb_api_key = v;
         return std::nullopt;
     }},
};

std::optional<settings_error> apply_environment(settings& s, const environment& env) {
    for (const auto& setting : env_settings) {
        auto it = env.find(setting.name);
        if (it == env.end() || it->second.empty()) continue;
        if (auto e = setting.apply(s, it->second, setting.name)) return e;
    }
    return std::nullopt;
}

std::optional<settings_error> read_config_file(settings& s) {
    const auto path = s.config_file();
    auto text = read_small_regular_file(path, max_config_file_bytes);
    if (!text) {
        if (text.error() == boost::system::errc::no_such_file_or_directory) return std::nullopt;
        return settings_error{"config file " + path.string() + ": " + describe(text.error(), max_config_file_bytes)};
    }
    boost::system::error_code parse_error;
    auto value = json::parse(*text, parse_error);
    if (parse_error || !value.is_object())
        return settings_error{"config file " + path.string() + ": not a JSON object (" + parse_error.message() +
                              ")"};
    if (auto e = apply_config_json(s, value.as_object()))
        return settings_error{"config file " + path.string() + ": " + e->message};
    return std::nullopt;
}

std::string usage_text(const po::options_description& options) {
    std::ostringstream out;
    out << "Mediabase " << MEDIABASE_VERSION << ": a self-hosted movie catalogue server.\n\n"
        << "Usage: mediabase [serve|scan|backup|restore FILE|db copy|parse NAME...] [options]\n\n"
        << "Commands:\n"
        << "  serve        run the server: web UI, REST API and live events (default)\n"
        << "  scan         import the media folders once without the server, then exit\n"
        << "  backup       copy the catalogue into DATA/backups now (the server may be running)\n"
        << "  restore FILE replace the catalogue with a backup (stop the server first)\n"
        << "  db copy --from URL --to URL [--force]\n"
        << "               copy a whole catalogue into another database (SQLite or PostgreSQL), keeping ids;\n"
        << "               a target that holds anything is refused unless --force (stop its servers first)\n"
        << "  parse NAME   print what the name parser makes of each path, one JSON object per line\n"
        << "  user add NAME [--admin] | user list | user passwd NAME | user remove NAME\n"
        << "               manage accounts (passwords are read from the terminal or stdin, never echoed)\n\n"
        << options << "\n"
        << "Environment:";
    std::size_t column = 12;
    for (const auto& setting : env_settings) {
        const std::string name = setting.name;
        if (column + name.size() + 2 > 110) {
            out << "\n ";
            column = 1;
        }
        out << " " << name << (&setting == std::end(env_settings) - 1 ? ".\n" : ",");
        column += name.size() + 2;
    }
    out << "MEDIABASE_MEDIA separates folders with ':'; MEDIABASE_DATA names the data folder.\n"
        << "Precedence: flags > environment > DATA/config.json > defaults.\n";
    return out.str();
}

} // namespace

std::vector<std::string> default_extensions() {
    return {"mkv", "mp4", "m4v", "avi", "mov", "wmv", "mpg", "mpeg", "ts", "m2ts", "webm", "flv", "ogv", "divx",
            "iso", "vob", "bdmv", "ifo", "3gp", "rmvb"};
}

environment process_environment() {
    environment env;
    for (const char* name : context_env_vars)
        if (const char* value = std::getenv(name)) env[name] = value;
    for (const auto& setting : env_settings)
        if (const char* value = std::getenv(setting.name)) env[setting.name] = value;
    return env;
}

std::string normalized_folder(const std::string& folder) {
    // Stored paths start with their root, so roots must be spelled one way.
    std::error_code ec;
    auto absolute = std::filesystem::absolute(folder, ec).lexically_normal().string();
    while (absolute.size() > 1 && absolute.back() == '/') absolute.pop_back();
    return absolute;
}

database_url settings::database_target() const {
    if (!database.empty()) {
        auto parsed = parse_database_url(database);
        if (auto* url = std::get_if<database_url>(&parsed)) return *url;
    }
    database_url url;
    url.file = database_file();
    return url;
}

std::string mask_secret(const std::string& secret) {
    if (secret.empty()) return {};
    if (secret.size() <= 8) return "••••";
    return "••••" + secret.substr(secret.size() - 4);
}

std::optional<settings_error> apply_config_json(settings& s, const json::object& body) {
    for (const auto& [key, value] : body) {
        const std::string name(key);
        auto wrong = [&](const char* expected) { return settings_error{name + ": expected " + expected}; };
        if (name == "media_folders") {
            if (!value.is_array()) return wrong("an array of folder paths");
            std::vector<std::string> folders;
            for (const auto& item : value.as_array()) {
                if (!item.is_string() || item.as_string().empty()) return wrong("an array of folder paths");
                folders.emplace_back(item.as_string());
            }
            s.media_folders = std::move(folders);
        } else if (name == "tmdb_api_key" || name == "tmdb_read_token" || name == "omdb_api_key") {
            if (!value.is_string() && !value.is_null()) return wrong("a string");
            auto& target = name == "tmdb_api_key"      ? s.tmdb_api_key
                           : name == "tmdb_read_token" ? s.tmdb_read_token
                                                       : s.omdb_api_key;
            target = value.is_null() ? std::string() : std::string(value.as_string());
        } else if (name == "watch") {
            if (!value.is_bool()) return wrong("true or false");
            s.watch = value.as_bool();
        } else if (name == "rescan_interval_seconds") {
            // 0: no periodic rescans (where watching cannot work, changes then wait for an import).
            if (!value.is_int64() || value.as_int64() < 0 || value.as_int64() > 604800)
                return wrong("a whole number of seconds from 0 (off) to 604800");
            s.rescan_interval_seconds = static_cast<int>(value.as_int64());
        } else if (name == "tmdb_requests_per_second") {
            if (!value.is_int64() || value.as_int64() < 1 || value.as_int64() > 1000)
                return wrong("a whole number from 1 to 1000");
            s.tmdb_requests_per_second = static_cast<int>(value.as_int64());
        } else if (name == "backup_interval_hours") {
            if (!value.is_int64() || value.as_int64() < 0 || value.as_int64() > max_backup_interval_hours)
                return wrong("a whole number of hours from 0 (no scheduled backups) to 8760");
            s.backup_interval_hours = static_cast<int>(value.as_int64());
        } else if (name == "backup_keep") {
            if (!value.is_int64() || value.as_int64() < 1 || value.as_int64() > max_backups_kept)
                return wrong("a whole number from 1 to 1000");
            s.backup_keep = static_cast<int>(value.as_int64());
        } else if (name == "extensions") {
            if (!value.is_array()) return wrong("an array of file extensions");
            std::vector<std::string> exts;
            for (const auto& item : value.as_array()) {
                if (!item.is_string()) return wrong("an array of file extensions");
                exts.emplace_back(item.as_string());
            }
            s.extensions = normalized_extensions(exts);
            if (s.extensions.empty()) return wrong("at least one file extension");
        } else if (name == "database") {
            if (!value.is_string()) return wrong("sqlite:PATH, a postgresql:// URL or a libpq conninfo");
            if (auto e = set_database(s, std::string(value.as_string()), name)) return e;
            s.database_in_file = s.database;
        } else if (name == "art_dir") {
            if (!value.is_string()) return wrong("an absolute folder path");
            if (auto e = set_art_dir(s, std::string(value.as_string()), name)) return e;
            s.art_dir_in_file = std::string(value.as_string());
        } else if (name == "server_name") {
            if (!value.is_string()) return wrong("a server name");
            if (auto e = set_server_name(s, std::string(value.as_string()), name)) return e;
            s.server_name_in_file = s.server_name;
        } else if (name == "listen") {
            if (!value.is_string()) return wrong("HOST:PORT");
            if (auto e = set_listen(s, std::string(value.as_string()), name)) return e;
        } else if (name == "log_level") {
            if (!value.is_string()) return wrong("a log level");
            if (auto e = set_log_level(s, std::string(value.as_string()), name)) return e;
        } else if (name == "poster_size" || name == "backdrop_size") {
            if (!value.is_string()) return wrong("a TMDB image size such as w500 or original");
            if (auto e = set_image_size(name == "poster_size" ? s.poster_size : s.backdrop_size,
                                        std::string(value.as_string()), name))
                return e;
        } else if (name == "tmdb_base_url" || name == "omdb_base_url" || name == "image_base_url") {
            if (!value.is_string()) return wrong("a URL");
            const std::string url(value.as_string());
            if (!url.empty())
                if (auto e = check_url(url, name)) return e;
            (name == "tmdb_base_url" ? s.tmdb_base_url : name == "omdb_base_url" ? s.omdb_base_url
                                                                                 : s.image_base_url) = url;
        } else {
            return settings_error{name + ": unknown setting"};
        }
    }
    return std::nullopt;
}

json::object to_config_file_json(const settings& s) {
    json::array folders;
    for (const auto& f : s.media_folders) folders.emplace_back(f);
    json::array exts;
    for (const auto& e : s.extensions) exts.emplace_back(e);
    json::object o;
    o["media_folders"] = std::move(folders);
    o["extensions"] = std::move(exts);
    o["watch"] = s.watch;
    o["rescan_interval_seconds"] = s.rescan_interval_seconds;
    o["tmdb_requests_per_second"] = s.tmdb_requests_per_second;
    o["poster_size"] = s.poster_size;
    o["backdrop_size"] = s.backdrop_size;
    o["backup_interval_hours"] = s.backup_interval_hours;
    o["backup_keep"] = s.backup_keep;
    if (!s.tmdb_api_key.empty()) o["tmdb_api_key"] = s.tmdb_api_key;
    if (!s.tmdb_read_token.empty()) o["tmdb_read_token"] = s.tmdb_read_token;
    if (!s.omdb_api_key.empty()) o["omdb_api_key"] = s.omdb_api_key;
    if (!s.database_in_file.empty()) o["database"] = s.database_in_file;
    if (!s.server_name_in_file.empty()) o["server_name"] = s.server_name_in_file;
    if (!s.art_dir_in_file.empty()) o["art_dir"] = s.art_dir_in_file;
    return o;
}

json::object to_public_json(const settings& s) {
    auto o = to_config_file_json(s);
    auto masked = [](const std::string& secret) -> json::value {
        if (secret.empty()) return nullptr;
        return json::value(mask_secret(secret));
    };
    o["tmdb_api_key"] = masked(s.tmdb_api_key);
    o["tmdb_read_token"] = masked(s.tmdb_read_token);
    o["omdb_api_key"] = masked(s.omdb_api_key);
    o["offline"] = s.offline();
    o["data_dir"] = s.data_dir.string();
    // The password never leaves the server.
    const auto target = s.database_target();
    o["database"] = target.display();
    o["database_engine"] = target.is_sqlite() ? "sqlite" : "postgresql";
    o["server_name"] = s.server_name;
    o["art_dir"] = s.art_dir().string();
    o["listen"] = s.listen_host + ":" + std::to_string(s.listen_port);
    o["tmdb_base_url"] = s.tmdb_base_url;
    o["omdb_base_url"] = s.omdb_base_url;
    o["version"] = MEDIABASE_VERSION;
    return o;
}

std::optional<std::string> save_config_file(const settings& s) {
    std::error_code ec;
    std::filesystem::create_directories(s.data_dir, ec);
    if (ec) return "cannot create " + s.data_dir.string() + ": " + ec.message();
    // It holds provider keys: readable by the server's own user only, written whole or not at all.
    if (auto error = write_private_file(s.config_file(), json::serialize(to_config_file_json(s)) + "\n"))
        return error;
    return std::nullopt;
}

std::variant<command_line, settings_error> parse_command_line(int argc, const char* const* argv,
                                                              const environment& env) {
    po::options_description options("Options");
    // clang-format off
    options.add_options()
        ("help,h", "show this help and exit")
        ("version", "print the version and exit")
        ("media,m", po::value<std::vector<std::string>>(), "a media folder to import (repeatable)")
        ("data,d", po::value<std::string>(), "folder for the database, art cache and config.json "
                                             "(default $XDG_DATA_HOME/mediabase)")
        ("database", po::value<std::string>(), "sqlite:PATH (default: DATA/mediabase.db), "
                                              "postgresql://USER:PASSWORD@HOST:PORT/DB?sslmode=... or a libpq conninfo")
        ("art-dir", po::value<std::string>(), "folder for cached art (default DATA/art); servers sharing a "
                                              "catalogue share it too")
        ("server-name", po::value<std::string>(), "this server's name on a shared catalogue: the files it "
                                                 "scans are its own (default: the host name)")
        ("listen,l", po::value<std::string>(), "HOST:PORT to serve on (default 127.0.0.1:3267; port 0 picks a free one)")
        ("tmdb-base-url", po::value<std::string>(), "TMDB API base URL (proxies, mirrors, tests)")
        ("omdb-base-url", po::value<std::string>(), "OMDB API base URL")
        ("image-base-url", po::value<std::string>(), "image base URL (default: TMDB's /configuration)")
        ("poster-size", po::value<std::string>(), "TMDB poster size to download (default w500)")
        ("backdrop-size", po::value<std::string>(), "TMDB backdrop size to download (default w1280)")
        ("log-level", po::value<std::string>(), "trace, debug, info, warn, error or off (default info)")
        ("watch", po::value<std::string>(), "watch media folders for changes: true or false (default true)")
        ("rescan-interval", po::value<std::string>(), "seconds between periodic rescans where watching cannot work (0: none)")
        ("extensions", po::value<std::string>(), "comma-separated video file extensions to import")
        ("tmdb-rate", po::value<std::string>(), "TMDB requests per second (default 35)")
        ("scraper-concurrency", po::value<std::string>(), "movies identified (and images downloaded) at once (default 8)")
        ("request-timeout", po::value<std::string>(), "seconds a client has to send a whole HTTP request (default 30)")
        ("max-connections", po::value<std::string>(), "client connections held at once; more wait (default 1024)")
        ("max-connections-per-address", po::value<std::string>(),
         "client connections from one address; more are refused with 503 (default 256)")
        ("backup-interval", po::value<std::string>(), "hours between scheduled catalogue backups; 0: none (default 24)")
        ("backup-keep", po::value<std::string>(), "catalogue backups kept in DATA/backups (default 7)")
        ("events-timeout", po::value<std::string>(),
         "seconds an event-stream (WebSocket) client may answer no ping before it is closed (default 30)")
        ("static-dir", po::value<std::string>(), "serve the web UI from this folder instead of the built-in copy")
        ("auth", po::value<std::string>(), "required, trusted-networks or proxy (default required; README, Security)")
        ("trusted-networks", po::value<std::string>(),
         "CIDR,... whose clients need no login with --auth trusted-networks (loopback always)")
        ("trusted-proxies", po::value<std::string>(), "CIDR,... of reverse proxies that name the user (--auth proxy)")
        ("user-header", po::value<std::string>(), "the header a trusted proxy names the user in (default X-Forwarded-User)")
        ("public-url", po::value<std::string>(), "the URL browsers reach this server at (its host is allowed in Host/Origin)")
        ("admin", "with `user add`: the new account is an admin")
        ("from", po::value<std::string>(), "with `db copy`: the catalogue to copy (a database URL as --database)")
        ("to", po::value<std::string>(), "with `db copy`: the database to copy it into")
        ("force", "with `db copy`: replace what the target holds");
    po::options_description hidden;
    hidden.add_options()
        ("command", po::value<std::string>())
        ("names", po::value<std::vector<std::string>>());
    // clang-format on
    po::options_description all;
    all.add(options).add(hidden);
    po::positional_options_description positional;
    positional.add("command", 1).add("names", -1);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return settings_error{e.what()};
    }

    command_line result;
    result.help_text = usage_text(options);
    if (vm.count("help")) {
        result.command = command_kind::help;
        return result;
    }
    if (vm.count("version")) {
        result.command = command_kind::version;
        return result;
    }
    if (vm.count("command")) {
        const auto& name = vm["command"].as<std::string>();
        if (name == "serve") result.command = command_kind::serve;
        else if (name == "scan") result.command = command_kind::scan;
        else if (name == "parse") result.command = command_kind::parse;
        else if (name == "backup") result.command = command_kind::backup;
        else if (name == "restore") result.command = command_kind::restore;
        else if (name == "user") result.command = command_kind::user;
        else if (name == "db") result.command = command_kind::db_copy;
        else return settings_error{"unknown command '" + name +
                                   "' (expected serve, scan, backup, restore, db, user or parse)"};
    }
    if (vm.count("names")) {
        if (result.command == command_kind::restore && vm["names"].as<std::vector<std::string>>().size() > 1)
            return settings_error{"restore: give one backup FILE"};
        if (result.command != command_kind::parse && result.command != command_kind::restore &&
            result.command != command_kind::user && result.command != command_kind::db_copy)
            return settings_error{"unexpected argument '" + vm["names"].as<std::vector<std::string>>().front() +
                                  "'"};
        result.names = vm["names"].as<std::vector<std::string>>();
    }
    if (result.command == command_kind::parse) {
        if (result.names.empty()) return settings_error{"parse: give at least one NAME"};
        return result;
    }
    if (result.command == command_kind::restore && result.names.empty())
        return settings_error{"restore: give the backup FILE to restore (see DATA/backups)"};
    if (result.command == command_kind::user) {
        const auto& n = result.names;
        const auto action = n.empty() ? std::string() : n.front();
        const bool named = action == "add" || action == "passwd" || action == "remove";
        if (!(named && n.size() == 2) && !(action == "list" && n.size() == 1))
            return settings_error{"user: expected `user add NAME [--admin]`, `user list`, `user passwd NAME` or "
                                  "`user remove NAME`"};
        result.admin = vm.count("admin") > 0;
        if (result.admin && action != "add") return settings_error{"--admin: only with `user add NAME`"};
    } else if (vm.count("admin")) {
        return settings_error{"--admin: only with `user add NAME`"};
    }
    if (result.command == command_kind::db_copy) {
        if (result.names != std::vector<std::string>{"copy"})
            return settings_error{"db: expected `db copy --from URL --to URL [--force]`"};
        for (auto [flag, target] : {std::pair{"from", &result.copy_from}, std::pair{"to", &result.copy_to}}) {
            if (!vm.count(flag))
                return settings_error{std::string("db copy: give --") + flag + " URL (sqlite:PATH, postgresql://... "
                                      "or a libpq conninfo)"};
            *target = vm[flag].as<std::string>();
            const auto parsed = parse_database_url(*target);
            if (const auto* error = std::get_if<std::string>(&parsed))
                return settings_error{std::string("--") + flag + ": " + *error};
        }
        result.force = vm.count("force") > 0;
    } else {
        for (const char* flag : {"from", "to", "force"})
            if (vm.count(flag)) return settings_error{std::string("--") + flag + ": only with `db copy`"};
    }

    settings& s = result.config;
    s.extensions = default_extensions();
    // The data dir decides where the config file is, so it is settled first.
    if (vm.count("data")) s.data_dir = vm["data"].as<std::string>();
    else if (auto it = env.find("MEDIABASE_DATA"); it != env.end() && !it->second.empty()) s.data_dir = it->second;
    else s.data_dir = default_data_dir(env);

    if (auto e = read_config_file(s)) return *e;
    if (auto e = apply_environment(s, env)) return *e;

    if (vm.count("database"))
        if (auto e = set_database(s, vm["database"].as<std::string>(), "--database")) return *e;
    if (vm.count("art-dir"))
        if (auto e = set_art_dir(s, vm["art-dir"].as<std::string>(), "--art-dir")) return *e;
    if (vm.count("server-name"))
        if (auto e = set_server_name(s, vm["server-name"].as<std::string>(), "--server-name")) return *e;
    if (s.server_name.empty()) s.server_name = host_server_name();
    if (vm.count("media")) s.media_folders = vm["media"].as<std::vector<std::string>>();
    if (vm.count("listen"))
        if (auto e = set_listen(s, vm["listen"].as<std::string>(), "--listen")) return *e;
    for (auto [flag, target] : {std::pair{"tmdb-base-url", &s.tmdb_base_url},
                                std::pair{"omdb-base-url", &s.omdb_base_url},
                                std::pair{"image-base-url", &s.image_base_url}}) {
        if (vm.count(flag)) {
            const auto& url = vm[flag].as<std::string>();
            if (auto e = check_url(url, std::string("--") + flag)) return *e;
            *target = url;
        }
    }
    if (vm.count("log-level"))
        if (auto e = set_log_level(s, vm["log-level"].as<std::string>(), "--log-level")) return *e;
    for (auto [flag, target] : {std::pair{"poster-size", &s.poster_size}, std::pair{"backdrop-size", &s.backdrop_size}})
        if (vm.count(flag))
            if (auto e = set_image_size(*target, vm[flag].as<std::string>(), std::string("--") + flag)) return *e;
    if (vm.count("watch"))
        if (auto e = set_bool(s.watch, vm["watch"].as<std::string>(), "--watch")) return *e;
    if (vm.count("rescan-interval"))
        if (auto e = set_in_range(s.rescan_interval_seconds, vm["rescan-interval"].as<std::string>(),
                                  "--rescan-interval", 0, 604800))
            return *e;
    if (vm.count("tmdb-rate"))
        if (auto e = set_positive(s.tmdb_requests_per_second, vm["tmdb-rate"].as<std::string>(), "--tmdb-rate",
                                  1000))
            return *e;
    if (vm.count("scraper-concurrency"))
        if (auto e = set_positive(s.scraper_concurrency, vm["scraper-concurrency"].as<std::string>(),
                                  "--scraper-concurrency", 64))
            return *e;
    if (vm.count("request-timeout"))
        if (auto e = set_positive(s.request_timeout_seconds, vm["request-timeout"].as<std::string>(),
                                  "--request-timeout", 3600))
            return *e;
    if (vm.count("max-connections"))
        if (auto e = set_positive(s.max_connections, vm["max-connections"].as<std::string>(), "--max-connections",
                                  1000000))
            return *e;
    if (vm.count("max-connections-per-address"))
        if (auto e = set_positive(s.max_connections_per_address,
                                  vm["max-connections-per-address"].as<std::string>(),
                                  "--max-connections-per-address", 1000000))
            return *e;
    if (vm.count("backup-interval"))
        if (auto e = set_in_range(s.backup_interval_hours, vm["backup-interval"].as<std::string>(),
                                  "--backup-interval", 0, max_backup_interval_hours))
            return *e;
    if (vm.count("backup-keep"))
        if (auto e = set_in_range(s.backup_keep, vm["backup-keep"].as<std::string>(), "--backup-keep", 1,
                                  max_backups_kept))
            return *e;
    if (vm.count("events-timeout"))
        if (auto e = set_positive(s.events_timeout_seconds, vm["events-timeout"].as<std::string>(),
                                  "--events-timeout", 3600))
            return *e;
    if (vm.count("extensions")) {
        s.extensions = normalized_extensions(split(vm["extensions"].as<std::string>(), ','));
        if (s.extensions.empty()) return settings_error{"--extensions: expected at least one extension"};
    }
    if (vm.count("auth"))
        if (auto e = set_auth(s, vm["auth"].as<std::string>(), "--auth")) return *e;
    if (vm.count("trusted-networks"))
        if (auto e = set_networks(s.trusted_networks, vm["trusted-networks"].as<std::string>(), "--trusted-networks"))
            return *e;
    if (vm.count("trusted-proxies"))
        if (auto e = set_networks(s.trusted_proxies, vm["trusted-proxies"].as<std::string>(), "--trusted-proxies"))
            return *e;
    if (vm.count("user-header"))
        if (auto e = set_user_header(s, vm["user-header"].as<std::string>(), "--user-header")) return *e;
    if (vm.count("public-url"))
        if (auto e = set_public_url(s, vm["public-url"].as<std::string>(), "--public-url")) return *e;
    if (s.auth == "proxy" && s.trusted_proxies.empty())
        return settings_error{"--auth proxy: give the proxies' addresses with --trusted-proxies CIDR,..."};
    if (vm.count("static-dir")) s.static_dir = vm["static-dir"].as<std::string>();
    if (s.static_dir) {
        std::error_code ec;
        if (!std::filesystem::is_directory(*s.static_dir, ec))
            return settings_error{"--static-dir: not a folder: '" + s.static_dir->string() + "'"};
    }
    for (auto& folder : s.media_folders) folder = normalized_folder(folder);
    return result;
}

} // namespace mediabase
