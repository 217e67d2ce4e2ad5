#define BOOST_TEST_MODULE settings
#include <boost/test/unit_test.hpp>

#include "mediabase/config/settings.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <unistd.h>

#include "temp_dir.hpp"

using namespace mediabase;
using mediabase::testing::temp_dir;
namespace fs = std::filesystem;

namespace {

std::variant<command_line, settings_error> parse(std::vector<std::string> args, const environment& env = {}) {
    std::vector<const char*> argv{"mediabase"};
    for (const auto& a : args) argv.push_back(a.c_str());
    return parse_command_line(static_cast<int>(argv.size()), argv.data(), env);
}

settings parsed_settings(std::vector<std::string> args, const environment& env = {}) {
    auto result = parse(std::move(args), env);
    if (auto* e = std::get_if<settings_error>(&result)) BOOST_FAIL("unexpected error: " + e->message);
    return std::get<command_line>(result).config;
}

std::string error_of(std::vector<std::string> args, const environment& env = {}) {
    auto result = parse(std::move(args), env);
    auto* e = std::get_if<settings_error>(&result);
    BOOST_REQUIRE_MESSAGE(e, "expected an error");
    return e->message;
}

} // namespace

BOOST_AUTO_TEST_CASE(defaults_apply_without_flags_environment_or_file) {
    temp_dir dir;
    const auto s = parsed_settings({"--data", dir.path.string()});
    BOOST_TEST(s.listen_host == "127.0.0.1");
    BOOST_TEST(s.listen_port == 3267);
    BOOST_TEST(s.media_folders.empty());
    BOOST_TEST(s.watch);
    BOOST_TEST(s.offline());
    BOOST_TEST(!s.extensions.empty());
}

BOOST_AUTO_TEST_CASE(data_dir_defaults_under_xdg_data_home) {
    const auto s = parsed_settings({}, {{"XDG_DATA_HOME", "/srv/xdg"}});
    BOOST_TEST(s.data_dir == fs::path("/srv/xdg/mediabase"));
}

BOOST_AUTO_TEST_CASE(flags_beat_environment_which_beats_the_config_file) {
    temp_dir dir;
    std::ofstream(dir.path / "config.json")
        << R"({"media_folders": ["/from/file"], "listen": "127.0.0.1:1111", "tmdb_api_key": "filekey", "watch": false})";
    const environment env{{"MEDIABASE_LISTEN", "127.0.0.1:2222"}, {"TMDB_API_KEY", "envkey"}};

    auto s = parsed_settings({"--data", dir.path.string()}, env);
    BOOST_TEST(s.listen_port == 2222);
    BOOST_TEST(s.tmdb_api_key == "envkey");
    BOOST_REQUIRE_EQUAL(s.media_folders.size(), 1u);
    BOOST_TEST(s.media_folders[0] == "/from/file");
    BOOST_TEST(!s.watch);

    s = parsed_settings({"--data", dir.path.string(), "--listen", "0.0.0.0:3333", "--media", "/a", "--media", "/b/"},
                        env);
    BOOST_TEST(s.listen_host == "0.0.0.0");
    BOOST_TEST(s.listen_port == 3333);
    BOOST_TEST(s.media_folders == (std::vector<std::string>{"/a", "/b"}));
}

BOOST_AUTO_TEST_CASE(bad_values_name_the_option) {
    temp_dir dir;
    const auto data = dir.path.string();
    BOOST_TEST(error_of({"--data", data, "--listen", "nonsense"}).find("--listen") != std::string::npos);
    BOOST_TEST(error_of({"--data", data, "--listen", "127.0.0.1:70000"}).find("--listen") != std::string::npos);
    BOOST_TEST(error_of({"--data", data, "--log-level", "loud"}).find("--log-level") != std::string::npos);
    BOOST_TEST(error_of({"--data", data, "--tmdb-base-url", "ftp://x"}).find("--tmdb-base-url") != std::string::npos);
    BOOST_TEST(error_of({"--data", data, "--rescan-interval", "-5"}).find("--rescan-interval") != std::string::npos);
    BOOST_TEST(error_of({"--data", data, "--watch", "maybe"}).find("--watch") != std::string::npos);
    BOOST_TEST(error_of({"--data", data}, {{"MEDIABASE_LISTEN", "x"}}).find("MEDIABASE_LISTEN") != std::string::npos);
    BOOST_TEST(error_of({"--data", data, "--no-such-flag"}).find("no-such-flag") != std::string::npos);
    BOOST_TEST(error_of({"frobnicate"}).find("frobnicate") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_rescan_interval_of_0_turns_periodic_rescans_off) {
    temp_dir dir;
    const auto data = dir.path.string();
    BOOST_TEST(parsed_settings({"--data", data, "--rescan-interval", "0"}).rescan_interval_seconds == 0);
    BOOST_TEST(parsed_settings({"--data", data}, {{"MEDIABASE_RESCAN_INTERVAL", "0"}}).rescan_interval_seconds == 0);
    BOOST_TEST(error_of({"--data", data, "--rescan-interval", "-1"}).find("from 0 to") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(art_sizes_come_from_flags_environment_or_file_and_are_checked) {
    temp_dir dir;
    const auto data = dir.path.string();
    auto s = parsed_settings({"--data", data});
    BOOST_TEST(s.poster_size == "w500");
    BOOST_TEST(s.backdrop_size == "w1280");
    std::ofstream(dir.path / "config.json") << R"({"poster_size": "w342", "backdrop_size": "original"})";
    s = parsed_settings({"--data", data});
    BOOST_TEST(s.poster_size == "w342");
    BOOST_TEST(s.backdrop_size == "original");
    s = parsed_settings({"--data", data, "--poster-size", "w780"}, {{"MEDIABASE_POSTER_SIZE", "w185"}});
    BOOST_TEST(s.poster_size == "w780");
    BOOST_TEST(parsed_settings({"--data", data}, {{"MEDIABASE_BACKDROP_SIZE", "w780"}}).backdrop_size == "w780");
    BOOST_TEST(error_of({"--data", data, "--poster-size", "huge"}).find("--poster-size") != std::string::npos);
    BOOST_TEST(error_of({"--data", data, "--backdrop-size", "w"}).find("--backdrop-size") != std::string::npos);
    BOOST_TEST(apply_config_json(s, boost::json::parse(R"({"poster_size": 500})").as_object()).has_value());
    BOOST_TEST(to_config_file_json(s).at("poster_size").as_string() == "w780", "saved with the config");
}

BOOST_AUTO_TEST_CASE(a_broken_config_file_is_an_error_naming_the_file) {
    temp_dir dir;
    std::ofstream(dir.path / "config.json") << "{not json";
    BOOST_TEST(error_of({"--data", dir.path.string()}).find("config.json") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(subcommands_are_recognised) {
    auto result = parse({"parse", "Heat.1995.mkv", "Alien (1979).mkv"});
    BOOST_REQUIRE(std::holds_alternative<command_line>(result));
    const auto& c = std::get<command_line>(result);
    BOOST_TEST((c.command == command_kind::parse));
    BOOST_TEST(c.names.size() == 2u);
    BOOST_TEST((std::get<command_line>(parse({"scan", "--media", "/m"})).command == command_kind::scan));
    BOOST_TEST((std::get<command_line>(parse({"--version"})).command == command_kind::version));
    BOOST_TEST((std::get<command_line>(parse({"--help"})).command == command_kind::help));
    BOOST_TEST(!error_of({"parse"}).empty());
}

BOOST_AUTO_TEST_CASE(config_json_rejects_unknown_fields_and_wrong_types) {
    settings s;
    BOOST_TEST(apply_config_json(s, boost::json::parse(R"({"media_folders": "/x"})").as_object())->message.find(
                   "media_folders") != std::string::npos);
    BOOST_TEST(apply_config_json(s, boost::json::parse(R"({"colour": "red"})").as_object())->message.find("colour") !=
               std::string::npos);
    BOOST_TEST(apply_config_json(s, boost::json::parse(R"({"watch": "yes"})").as_object()).has_value());
    BOOST_TEST(!apply_config_json(s, boost::json::parse(R"({"watch": false, "media_folders": ["/m"]})").as_object()));
    BOOST_TEST(!s.watch);
}

BOOST_AUTO_TEST_CASE(keys_are_never_shown_in_full) {
    settings s;
    s.tmdb_api_key = "0123456789abcdef";
    s.omdb_api_key = "short";
    const auto shown = boost::json::serialize(to_public_json(s));
    BOOST_TEST(shown.find("0123456789abcdef") == std::string::npos);
    BOOST_TEST(shown.find("short") == std::string::npos);
    BOOST_TEST(shown.find("cdef") != std::string::npos);
    BOOST_TEST(!to_public_json(s).at("offline").as_bool());
}

BOOST_AUTO_TEST_CASE(saved_config_is_read_back) {
    temp_dir dir;
    settings s;
    s.data_dir = dir.path;
    s.media_folders = {"/movies"};
    s.omdb_api_key = "k";
    s.extensions = {"mkv"};
    BOOST_REQUIRE(!save_config_file(s));
    const auto back = parsed_settings({"--data", dir.path.string()});
    BOOST_TEST(back.media_folders == s.media_folders);
    BOOST_TEST(back.omdb_api_key == "k");
    BOOST_TEST(back.extensions == s.extensions);
}

BOOST_AUTO_TEST_CASE(the_process_environment_carries_every_variable_the_settings_read) {
    // process_environment() once had its own list, which lacked MEDIABASE_POSTER_SIZE and
    // MEDIABASE_BACKDROP_SIZE: the real environment never reached the parser for them.
    ::setenv("MEDIABASE_POSTER_SIZE", "w780", 1);
    ::setenv("MEDIABASE_BACKDROP_SIZE", "huge", 1);
    const auto env = process_environment();
    ::unsetenv("MEDIABASE_POSTER_SIZE");
    ::unsetenv("MEDIABASE_BACKDROP_SIZE");
    BOOST_TEST(env.at("MEDIABASE_POSTER_SIZE") == "w780");
    temp_dir dir;
    const auto message = error_of({"--data", dir.path.string()}, env);
    BOOST_TEST(message.find("MEDIABASE_BACKDROP_SIZE") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(backup_settings_come_from_flags_environment_or_file_and_are_checked) {
    auto defaults = parsed_settings({"--data", "/tmp/none"});
    BOOST_TEST(defaults.backup_interval_hours == 24);
    BOOST_TEST(defaults.backup_keep == 7);
    auto flags = parsed_settings({"--data", "/tmp/none", "--backup-interval", "0", "--backup-keep", "3"},
                                 {{"MEDIABASE_BACKUP_INTERVAL", "6"}});
    BOOST_TEST(flags.backup_interval_hours == 0);
    BOOST_TEST(flags.backup_keep == 3);
    BOOST_TEST(parsed_settings({"--data", "/tmp/none"}, {{"MEDIABASE_BACKUP_KEEP", "30"}}).backup_keep == 30);
    BOOST_TEST(error_of({"--backup-keep", "0"}).find("--backup-keep") != std::string::npos);
    BOOST_TEST(error_of({"--backup-interval", "-1"}).find("--backup-interval") != std::string::npos);
    settings s;
    BOOST_TEST(!apply_config_json(s, boost::json::parse(R"({"backup_interval_hours": 12, "backup_keep": 10})").as_object()));
    BOOST_TEST(s.backup_interval_hours == 12);
    BOOST_TEST(s.backup_keep == 10);
    BOOST_TEST(apply_config_json(s, boost::json::parse(R"({"backup_keep": 0})").as_object()).has_value());
}

BOOST_AUTO_TEST_CASE(backup_and_restore_are_commands) {
    auto backup = parse({"backup", "--data", "/tmp/none"});
    BOOST_REQUIRE(std::holds_alternative<command_line>(backup));
    BOOST_TEST((std::get<command_line>(backup).command == command_kind::backup));
    auto restore = parse({"restore", "/tmp/b.db", "--data", "/tmp/none"});
    BOOST_REQUIRE(std::holds_alternative<command_line>(restore));
    BOOST_TEST((std::get<command_line>(restore).command == command_kind::restore));
    BOOST_TEST(std::get<command_line>(restore).names.front() == "/tmp/b.db");
    BOOST_TEST(error_of({"restore"}).find("FILE") != std::string::npos);
    BOOST_TEST(error_of({"restore", "a.db", "b.db"}).find("one") != std::string::npos);
}

// Found by fuzz/settings_fuzz: "..mkv" was saved as ".mkv" and read back as "mkv", and ".." as "." which the
// next start dropped, failing with "at least one file extension".
BOOST_AUTO_TEST_CASE(db_copy_takes_two_checked_database_urls) {
    auto copy = parse({"db", "copy", "--from", "sqlite:/tmp/a.db", "--to", "host=/run/postgresql dbname=mb",
                       "--force", "--data", "/tmp/none"});
    BOOST_REQUIRE(std::holds_alternative<command_line>(copy));
    const auto& c = std::get<command_line>(copy);
    BOOST_TEST((c.command == command_kind::db_copy));
    BOOST_TEST(c.copy_from == "sqlite:/tmp/a.db");
    BOOST_TEST(c.copy_to == "host=/run/postgresql dbname=mb");
    BOOST_TEST(c.force);
    BOOST_TEST(!std::get<command_line>(parse({"db", "copy", "--from", "sqlite:a", "--to", "sqlite:b"})).force);
    BOOST_TEST(error_of({"db", "copy", "--to", "sqlite:b"}).find("give --from") != std::string::npos);
    BOOST_TEST(error_of({"db", "copy", "--from", "sqlite:a"}).find("give --to") != std::string::npos);
    BOOST_TEST(error_of({"db", "copy", "--from", "mysql://x", "--to", "sqlite:b"}).find("--from: ") == 0);
    BOOST_TEST(error_of({"db"}).find("db copy --from URL --to URL") != std::string::npos);
    BOOST_TEST(error_of({"db", "move"}).find("db copy --from URL --to URL") != std::string::npos);
    BOOST_TEST(error_of({"scan", "--force"}).find("only with `db copy`") != std::string::npos);
    BOOST_TEST(error_of({"serve", "--from", "sqlite:a"}).find("only with `db copy`") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(extensions_read_back_as_they_were_saved) {
    settings s;
    const auto change = boost::json::parse(R"({"extensions": ["..MKV", ".mp4", "..", "mkv"]})").as_object();
    BOOST_REQUIRE(!apply_config_json(s, change));
    BOOST_TEST(s.extensions == (std::vector<std::string>{"mkv", "mp4"}));
    settings back;
    BOOST_REQUIRE(!apply_config_json(back, to_config_file_json(s)));
    BOOST_TEST(back.extensions == s.extensions);
}

BOOST_AUTO_TEST_CASE(access_settings_and_the_user_command_are_checked) {
    temp_dir dir;
    const auto data = dir.path.string();
    BOOST_TEST(parsed_settings({"--data", data}).auth == "required");
    const auto s = parsed_settings({"--data", data, "--auth", "trusted-networks", "--trusted-networks",
                                    "192.168.1.0/24, fd00::/8", "--public-url", "https://media.example.org"});
    BOOST_TEST(s.auth == "trusted-networks");
    BOOST_TEST(s.trusted_networks == "192.168.1.0/24, fd00::/8");
    BOOST_TEST(s.public_url == "https://media.example.org");
    BOOST_TEST(error_of({"--data", data, "--auth", "open"}).find("--auth") != std::string::npos);
    BOOST_TEST(error_of({"--data", data, "--trusted-networks", "lan"}).find("'lan'") != std::string::npos);
    BOOST_TEST(error_of({"--data", data, "--auth", "proxy"}).find("--trusted-proxies") != std::string::npos);
    BOOST_TEST(error_of({"--data", data, "--user-header", "Remote User"}).find("--user-header") != std::string::npos);
    BOOST_TEST(error_of({"--data", data}, {{"MEDIABASE_AUTH", "none"}}).find("MEDIABASE_AUTH") != std::string::npos);

    auto user = parse({"user", "add", "ann", "--admin", "--data", data});
    BOOST_REQUIRE(std::holds_alternative<command_line>(user));
    BOOST_TEST((std::get<command_line>(user).command == command_kind::user));
    BOOST_TEST(std::get<command_line>(user).admin);
    BOOST_TEST(error_of({"user", "add"}).find("user add NAME") != std::string::npos);
    BOOST_TEST(error_of({"user", "list", "--admin"}).find("--admin") != std::string::npos);
    BOOST_TEST(error_of({"serve", "--admin"}).find("--admin") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_database_comes_from_flag_environment_or_file_and_its_password_stays_hidden) {
    temp_dir dir;
    // Default: SQLite in the data dir.
    const auto plain = parsed_settings({"--data", dir.path.string()});
    BOOST_TEST(plain.database_target().is_sqlite());
    BOOST_TEST(plain.database_target().file == plain.database_file());

    std::ofstream(dir.path / "config.json") << R"({"database": "sqlite:/srv/from-file.db"})";
    BOOST_TEST(parsed_settings({"--data", dir.path.string()}).database_target().file == fs::path("/srv/from-file.db"));
    const environment env{{"MEDIABASE_DATABASE", "postgresql://mb:s3cret@db.lan/mb"}};
    const auto from_env = parsed_settings({"--data", dir.path.string()}, env);
    BOOST_TEST(!from_env.database_target().is_sqlite());
    BOOST_TEST(from_env.database_target().conninfo == "postgresql://mb:s3cret@db.lan/mb");
    const auto from_flag = parsed_settings({"--data", dir.path.string(), "--database", "dbname=mb password=pw"}, env);
    BOOST_TEST(from_flag.database_target().conninfo == "dbname=mb password=pw");

    // GET /config shows where the catalogue is, never the password.
    const auto shown = boost::json::serialize(to_public_json(from_env));
    BOOST_TEST(shown.find("s3cret") == std::string::npos, shown);
    BOOST_TEST(shown.find("db.lan") != std::string::npos, shown);
    BOOST_TEST(to_public_json(from_env).at("database_engine").as_string() == "postgresql");

    // The file's own value is written back as it was (a PUT /config must not drop it).
    auto saved = parsed_settings({"--data", dir.path.string()});
    BOOST_REQUIRE(!save_config_file(saved));
    BOOST_TEST(parsed_settings({"--data", dir.path.string()}).database == "sqlite:/srv/from-file.db");

    const auto message = error_of({"--data", dir.path.string(), "--database", "mysql://x"});
    BOOST_TEST(message.find("--database") != std::string::npos, message);
    BOOST_TEST(error_of({"--data", dir.path.string()}, {{"MEDIABASE_DATABASE", "nonsense"}}).find("MEDIABASE_DATABASE") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_server_name_comes_from_flags_environment_or_file_and_defaults_to_the_host_name) {
    temp_dir dir;
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    const auto defaulted = parsed_settings({"--data", dir.path.string()});
    BOOST_TEST(!defaulted.server_name.empty());
    if (std::string(host).find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") == std::string::npos)
        BOOST_TEST(defaulted.server_name == host);
    std::ofstream(dir.path / "config.json") << R"({"server_name": "from-file", "art_dir": "/srv/art"})";
    BOOST_TEST(parsed_settings({"--data", dir.path.string()}).server_name == "from-file");
    BOOST_TEST(parsed_settings({"--data", dir.path.string()}).art_dir() == fs::path("/srv/art"));
    BOOST_TEST(parsed_settings({"--data", dir.path.string()}, {{"MEDIABASE_SERVER_NAME", "env.box"}}).server_name ==
               "env.box");
    BOOST_TEST(parsed_settings({"--data", dir.path.string(), "--server-name", "nas_2"},
                               {{"MEDIABASE_SERVER_NAME", "env.box"}})
                   .server_name == "nas_2");
    // Written back as the file had them; a flag's value is not.
    auto s = parsed_settings({"--data", dir.path.string(), "--server-name", "flagged"});
    const auto saved = to_config_file_json(s);
    BOOST_TEST(saved.at("server_name").as_string() == "from-file");
    BOOST_TEST(saved.at("art_dir").as_string() == "/srv/art");
    BOOST_TEST(to_public_json(s).at("server_name").as_string() == "flagged");
}

BOOST_AUTO_TEST_CASE(bad_server_names_and_art_dirs_name_the_option) {
    temp_dir dir;
    BOOST_TEST(error_of({"--data", dir.path.string(), "--server-name", "two words"}).find("--server-name") == 0u);
    BOOST_TEST(error_of({"--data", dir.path.string(), "--server-name", ""}).find("--server-name") == 0u);
    BOOST_TEST(error_of({"--data", dir.path.string(), "--server-name", std::string(65, 'a')}).find("--server-name") ==
               0u);
    BOOST_TEST(error_of({"--data", dir.path.string()}, {{"MEDIABASE_SERVER_NAME", "a/b"}}).find(
                   "MEDIABASE_SERVER_NAME") == 0u);
    BOOST_TEST(error_of({"--data", dir.path.string(), "--art-dir", "relative/art"}).find("--art-dir") == 0u);
    BOOST_TEST(parsed_settings({"--data", dir.path.string()}).art_dir() == dir.path / "art");
}
