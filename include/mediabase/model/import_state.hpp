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
    /// Starts job `id` when idle. False (and nothing changes) when a job is running. `known_folders`: the
    /// folders the last import walked (0: none known), the measure of the walk's progress.
    bool start(std::int64_t id, std::string now, import_trigger trigger = import_trigger::manual,
               std::int64_t known_folders = 0);

    /// The walk found `movies` new or changed movies and `unchanged` movies that need nothing, and has walked
    /// `folders_walked` folders so far (-1: not said).
    void found(std::int64_t movies, std::int64_t unchanged, std::string current, std::int64_t folders_walked = -1);

    /// Stored movies the catalogue added as new, and found movies that joined or changed existing ones.
    void changes(std::int64_t added, std::int64_t updated);

    /// The movie being handled now (shown as `current` once the walk is over).
    void handling(std::string current);

    /// Something the user should look at, with what to do (kept once; at most `max_warnings`).
    void warn(std::string warning);
    static constexpr std::size_t max_warnings = 50;

    /// Recomputes `progress` (percent never goes back) `elapsed_seconds` after the start.
    void update_progress(double elapsed_seconds);

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

    /// The walk is over: the job moves on to waiting for what is in flight. `files`: video files it saw.
    void walk_finished(std::int64_t folders = -1, std::int64_t files = 0);

    /// Ends a running job early (shutdown, a fatal error).
    void abort(std::string reason, std::string now);

    /// Something went wrong that leaves the import incomplete (a folder that could not be read, movies that
    /// could not be stored): the job goes on, and ends with `error` naming it (the first few, each once).
    void fail(std::string problem);

    [[nodiscard]] bool busy() const { return job_.state != job_state::idle; }
    /// True once the walk is over and nothing is in flight; call `finish` then.
    /// The Scanner still walks this import's folders.
    [[nodiscard]] bool walking() const { return busy() && !walk_over_; }
    [[nodiscard]] bool complete() const { return busy() && walk_over_ && in_flight_ == 0; }
    /// Moves a complete job to idle with `finished_at` (and its duration, when given).
    void finish(std::string now, std::optional<std::int64_t> duration_ms = std::nullopt);

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
    std::int64_t known_folders_ = 0;
    std::int64_t tail_total_ = 0; ///< movies in flight when the walk ended
    /// Share of the percentage the walk covers when the folders to walk are known.
    static constexpr int walk_share = 90;
};

} // namespace mediabase
