#pragma once
/// A running Mediabase: the services on their threads, started in dependency order and stopped in reverse.

#include "mediabase/config/settings.hpp"

namespace mediabase {

/// Serves the web UI, REST API and events until SIGINT/SIGTERM. Returns the process exit code.
int run_server(const settings& config);

/// Runs one import without the server (`mediabase scan`): a progress bar on a terminal, plain lines
/// otherwise. Returns the process exit code.
int run_scan(const settings& config);

/// `mediabase backup`: copies the catalogue into DATA/backups now (a running server may keep working).
int run_backup(const settings& config);

/// `mediabase restore FILE`: replaces the catalogue with the backup `file`, refused while a server or a scan
/// uses the data dir (DATA/mediabase.lock). The catalogue it replaces is kept as a backup first (or moved
/// aside when damaged).
int run_restore(const settings& config, const std::string& file);

/// `mediabase user add NAME [--admin] | list | passwd NAME | remove NAME`: manages accounts in the catalogue
/// (a running server may keep working). Passwords are read from the terminal without echo, or one line
/// from stdin when it is not a terminal; never printed or logged.
int run_user(const settings& config, const std::vector<std::string>& args, bool admin);

/// `mediabase db copy --from URL --to URL [--force]`: copies every table of one catalogue into another
/// database (either engine), keeping ids, and prints the rows copied per table. Both are migrated to this
/// build's schema first. A target that holds any row is refused unless `force`.
int run_db_copy(const std::string& from, const std::string& to, bool force);

} // namespace mediabase
