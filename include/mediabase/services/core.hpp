#pragma once
/// Core: owns the settings and orchestrates imports with the import_state machine (one job at a time).

#include "mediabase/runtime/bus.hpp"
#include "mediabase/model/import_state.hpp"
#include "mediabase/runtime/slot_pool.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <stop_token>

namespace mediabase {

class core {
public:
    /// `last_import`: the newest import of the history, if any: job ids continue after it, and the folders it
    /// walked are the measure of the next walk's progress.
    core(bus& b, settings initial, asio::any_io_executor executor, std::optional<import_job> last_import = {});
    /// Serves `bus.core` until stop_service; a running import is cancelled then.
    asio::awaitable<void> run();

    /// How often `import.progress` is published at most.
    static constexpr std::chrono::milliseconds progress_interval{250};

    /// Online imports go to the Scraper in chunks this small, so progress moves movie by movie and a slow
    /// movie holds up few others.
    static constexpr std::size_t identify_chunk_size = 8;

    /// Stops starting work at once (shutdown): no more chunks are dispatched and the walk is cancelled. The
    /// stop_service that follows ends the job. Network thread only.
    void interrupt();

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
    asio::awaitable<bool> on(chunk_done&);
    asio::awaitable<bool> on(changes_detected&);
    asio::awaitable<bool> on(prune_hold_changed&);
    asio::awaitable<bool> on(get_prune_hold&);

    /// Announces the job just started and spawns its walk.
    asio::awaitable<void> launch_import(std::string why);
    void set_warnings_from_counts();
    /// After a job: the follow-up import that changes asked for meanwhile, or else the prune they asked for.
    asio::awaitable<void> after_import();
    asio::awaitable<void> prune_vanished(std::vector<std::string> roots);

    /// Loads the known files, then asks the Scanner to walk (spawned: Core keeps serving meanwhile).
    asio::awaitable<void> begin_walk(std::int64_t job, std::vector<std::string> roots,
                                     std::vector<std::string> extensions, std::stop_token stop);
    /// Waits for the DAL's answer to a batch (found movies or moves), reads the updated movies back so their
    /// events carry them whole, and forwards it all to Core's mailbox as batch_stored (spawned).
    asio::awaitable<void> await_stored(std::int64_t job, std::int64_t requested, reply_from<store_result> reply,
                                       std::shared_ptr<const std::vector<found_movie>> movies);
    asio::awaitable<void> tick_progress();

    /// Online: sends found movies to the Scraper in chunks, each taking one of `chunk_credits_` (waits while
    /// none is free), then gives the walk its token back (spawned: the back-pressure reaches the Scanner
    /// through its gate, and Core keeps serving meanwhile).
    asio::awaitable<void> identify_found(std::int64_t job, std::vector<found_movie> movies,
                                         std::shared_ptr<scan_gate> gate);
    /// One chunk's way through the Scraper, then the DAL and the Cache at once, then the art keys to the DAL;
    /// publishes its movie events and ends with chunk_done (spawned).
    asio::awaitable<void> identify_chunk(std::int64_t job, std::shared_ptr<const std::vector<found_movie>> movies);
    asio::awaitable<void> run_chunk(std::shared_ptr<const std::vector<found_movie>> movies, chunk_done& outcome);
    asio::awaitable<void> finish_if_complete();

    bus& bus_;
    settings settings_;
    asio::any_io_executor executor_;
    asio::steady_timer ticker_;
    import_state import_;
    std::int64_t next_job_id_ = 1;
    std::int64_t known_folders_ = 0; ///< folders the last complete walk saw
    std::chrono::steady_clock::time_point started_; ///< the running job's start
    std::chrono::steady_clock::time_point last_progress_{}; ///< when import.progress last went out
    /// Starts a job (false when one runs) with what the history says about the last walk.
    bool start_job(import_trigger trigger);
    /// Ends the job's record: warnings for what needs attention, then the history.
    asio::awaitable<void> record_job();
    std::stop_source walk_stop_;
    bool stopping_ = false;
    /// Chunks of an online import in flight; bounds what waits at the Scraper, the DAL and the Cache.
    std::shared_ptr<slot_pool> chunk_credits_;
    std::shared_ptr<scan_gate> gate_; ///< the running online walk's, to close on interrupt
    /// Files changed while an import ran: one more import follows it (however many changes came).
    bool follow_up_import_ = false;
    /// Changes were seen: the Pruner removes vanished files once the imports they caused are done, so a moved
    /// file is moved by the import before the prune could take it for gone.
    bool prune_pending_ = false;
    /// What the last prune held back for the user to confirm (the Pruner's, mirrored: read without waiting).
    std::shared_ptr<const prune_hold> prune_hold_;
};

} // namespace mediabase
