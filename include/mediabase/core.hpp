#pragma once
/// Core: owns the settings and orchestrates imports with the import_state machine (one job at a time).

#include "mediabase/bus.hpp"
#include "mediabase/import_state.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <stop_token>

namespace mediabase {

class core {
public:
    core(bus& b, settings initial, asio::any_io_executor executor);
    /// Serves `bus.core` until stop_service; a running import is cancelled then.
    asio::awaitable<void> run();

    /// How often `import.progress` is published at most.
    static constexpr std::chrono::milliseconds progress_interval{250};

private:
    asio::awaitable<bool> handle(core_message message);
    asio::awaitable<bool> on(stop_service&);
    asio::awaitable<bool> on(start_import&);
    asio::awaitable<bool> on(get_import_status&);
    asio::awaitable<bool> on(movies_found&);
    asio::awaitable<bool> on(scan_finished&);
    asio::awaitable<bool> on(batch_stored&);
    asio::awaitable<bool> on(progress_tick&);
    asio::awaitable<bool> on(get_settings&);
    asio::awaitable<bool> on(update_settings&);

    /// Loads the known files, then asks the Scanner to walk (spawned: Core keeps serving meanwhile).
    asio::awaitable<void> begin_walk(std::int64_t job, std::vector<std::string> roots,
                                     std::vector<std::string> extensions, std::stop_token stop);
    asio::awaitable<void> await_stored(std::int64_t job, std::int64_t requested, reply_from<store_result> reply,
                                       std::shared_ptr<const std::vector<found_movie>> movies);
    asio::awaitable<void> tick_progress();
    asio::awaitable<void> finish_if_complete();

    bus& bus_;
    settings settings_;
    asio::any_io_executor executor_;
    asio::steady_timer ticker_;
    import_state import_;
    std::int64_t next_job_id_ = 1;
    std::stop_source walk_stop_;
    bool stopping_ = false;
};

} // namespace mediabase
