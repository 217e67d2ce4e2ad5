#pragma once
/// The import job's state machine, kept apart from Core's mailbox so every transition is tested without an
/// event loop:
///
///   idle --start--> scanning --walk over--> identifying --every found movie stored--> idle (finished_at set)
///                      \______________ walk over, nothing pending ______________________/
///   any busy state --abort--> idle (error set)
///
/// One job at a time: `start` while busy refuses and the caller answers with the running job.

#include "mediabase/model/model.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace mediabase {

class import_state {
public:
    /// Starts job `id` when idle. False (and nothing changes) when a job is running.
    bool start(std::int64_t id, std::string now);

    /// The walk found `movies` new or changed movies and `unchanged` movies that need nothing.
    void found(std::int64_t movies, std::int64_t unchanged, std::string current);

    /// `movies` were handed to the next step (identification or storage) and are now in flight.
    void dispatched(std::int64_t movies);

    /// Movies identified by a provider.
    void identified(std::int64_t movies);

    /// A dispatched batch came back: `stored` written, `failed` not. Their sum leaves flight.
    void stored(std::int64_t stored, std::int64_t failed);

    /// Art cached for `movies`.
    void art_cached(std::int64_t movies);
    /// Movies stored without a match because their lookup failed.
    void unidentified(std::int64_t movies);

    /// The walk is over: the job moves on to waiting for what is in flight.
    void walk_finished();

    /// Ends a running job early (shutdown, a fatal error).
    void abort(std::string reason, std::string now);

    /// Something went wrong that leaves the import incomplete (a folder that could not be read, movies that
    /// could not be stored): the job goes on, and ends with `error` naming it (the first few, each once).
    void fail(std::string problem);

    [[nodiscard]] bool busy() const { return job_.state != job_state::idle; }
    /// True once the walk is over and nothing is in flight; call `finish` then.
    [[nodiscard]] bool complete() const { return busy() && walk_over_ && in_flight_ == 0; }
    /// Moves a complete job to idle with `finished_at`.
    void finish(std::string now);

    [[nodiscard]] const import_job& job() const { return job_; }
    [[nodiscard]] std::int64_t in_flight() const { return in_flight_; }

    /// True when the counts changed since the last `take_dirty` (throttled progress events).
    bool take_dirty() {
        const bool was = dirty_;
        dirty_ = false;
        return was;
    }

private:
    import_job job_;
    std::int64_t in_flight_ = 0;
    bool walk_over_ = false;
    bool dirty_ = false;
    std::vector<std::string> problems_; ///< fail(): joined into job_.error when the job ends
};

} // namespace mediabase
