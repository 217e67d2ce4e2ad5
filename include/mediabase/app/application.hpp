#pragma once
/// A running Mediabase: the services on their threads, started in dependency order and stopped in reverse.

#include "mediabase/config/settings.hpp"

namespace mediabase {

/// Serves the web UI, REST API and events until SIGINT/SIGTERM. Returns the process exit code.
int run_server(const settings& config);

/// Runs one import without the server (`mediabase scan`): a progress bar on a terminal, plain lines
/// otherwise. Returns the process exit code.
int run_scan(const settings& config);

} // namespace mediabase
