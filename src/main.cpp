// mediabase: serve (default), scan, backup, restore, user, db copy, parse NAME..., --help, --version.

#include "mediabase/app/application.hpp"
#include "mediabase/naming/name_parser.hpp"
#include "mediabase/config/settings.hpp"

#include <boost/json/serialize.hpp>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>

int main(int argc, char** argv) {
    using namespace mediabase;
    auto parsed = parse_command_line(argc, argv, process_environment());
    if (auto* error = std::get_if<settings_error>(&parsed)) {
        std::fprintf(stderr, "mediabase: %s\n", error->message.c_str());
        return 2;
    }
    auto& command = std::get<command_line>(parsed);
    switch (command.command) {
    case command_kind::help: std::cout << command.help_text; return 0;
    case command_kind::version: std::cout << "mediabase " << MEDIABASE_VERSION << "\n"; return 0;
    case command_kind::parse:
        for (const auto& name : command.names) std::cout << boost::json::serialize(to_json(parse_name(name))) << "\n";
        return 0;
    case command_kind::serve:
    case command_kind::scan:
    case command_kind::backup:
    case command_kind::restore:
    case command_kind::user:
    case command_kind::db_copy: break;
    }

    // Logs go to stderr: stdout carries the listening URL, scan progress and parse output.
    auto logger = spdlog::stderr_color_mt("mediabase");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(command.config.log_level));
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    try {
        switch (command.command) {
        case command_kind::scan: return run_scan(command.config);
        case command_kind::backup: return run_backup(command.config);
        case command_kind::restore: return run_restore(command.config, command.names.front());
        case command_kind::user: return run_user(command.config, command.names, command.admin);
        case command_kind::db_copy: return run_db_copy(command.copy_from, command.copy_to, command.force);
        default: return run_server(command.config);
        }
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}
