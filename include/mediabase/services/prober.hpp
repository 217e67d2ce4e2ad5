#pragma once
/// Prober: reads what new and changed video files hold (container, duration, video, audio and subtitle
/// streams) with libavformat, on a thread of its own, after the files are stored; the import never waits
/// for it. It asks the DAL for a batch of files that need reading, reads each under a time budget
/// (providers::probe_budget), stores the batch, and goes on with the next until none is left. A file that
/// cannot be read (damaged, truncated, not a video, too slow) is stored as unreadable with the reason, and
/// is read again only when it changes.

#include "mediabase/runtime/bus.hpp"

#include <atomic>
#include <chrono>

namespace mediabase {

class prober {
public:
    /// Files asked for and stored per batch.
    static constexpr std::size_t batch_size = 16;

    explicit prober(bus& b, std::chrono::milliseconds budget = std::chrono::milliseconds{5000})
        : bus_(b), budget_(budget) {}
    /// Serves `bus.prober` until stop_service.
    asio::awaitable<void> run();
    /// Ends the read in progress at once and reads no more (shutdown). Any thread.
    void interrupt() { stopping_.store(true, std::memory_order_relaxed); }

private:
    asio::awaitable<bool> handle(prober_message message);
    /// Reads and stores one batch after `after_`; true when there may be more.
    asio::awaitable<bool> probe_batch();

    bus& bus_;
    std::chrono::milliseconds budget_;
    std::int64_t after_ = 0; ///< the last file id looked at in this pass
    std::int64_t read_ = 0;  ///< files read since the Prober last went idle, for the log
    std::int64_t unreadable_ = 0;
    std::atomic<bool> stopping_{false};
};

} // namespace mediabase
