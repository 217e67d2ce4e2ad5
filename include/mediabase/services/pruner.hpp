#pragma once
/// Pruner: removes movies whose files vanished, never because a drive went away (an unmounted drive must
/// not wipe the library).
///
/// The failsafe, in the order it applies:
/// 1. A media root that is missing, not a folder, unreadable, or where a walk would find no video file (only
///    `lost+found`, `.DS_Store`, empty folders ...) is offline: nothing under it is removed.
/// 2. A folder below a root that held files of two or more catalogued movies and now yields no video file
///    (gone, empty, or an empty mount point such as `R/disk1`) is offline: its vanished files are held.
/// 3. An automatic prune (after an import the Watcher or a periodic rescan started) that would take files
///    from more than `prune_limits::movies` movies of a root and from more than `prune_limits::percent` % of
///    that root's movies removes nothing of that root: those files are held.
/// Held files stay in the catalogue, listed by `GET /api/v1/prune` and `GET /api/v1/import`, until the user
/// confirms (`POST /api/v1/prune {"confirm": true}`); a confirmed file is removed only if it is still gone.

#include "mediabase/runtime/bus.hpp"

#include <functional>
#include <optional>
#include <span>
#include <string>

namespace mediabase {

/// The share of a root's movies an automatic prune may remove at once: it holds when both are exceeded.
struct prune_limits {
    std::int64_t movies = 20; ///< more than this many movies ...
    std::int64_t percent = 10; ///< ... and more than this share of the root's movies: held
};

/// Why a root must be left alone (missing, not a folder, unreadable, no video file to be found), or nullopt
/// when it can be pruned.
std::optional<std::string> root_unsafe_to_prune(const std::string& root, const std::vector<std::string>& extensions);

/// What a prune of one root does: the indexes (into the files given) of the files to remove, and the vanished
/// files it holds, grouped by the folder judged offline (or the root, for the share limit).
struct root_prune_plan {
    std::vector<std::size_t> remove;
    std::vector<held_files> held;
};

/// Applies rules 2 and 3 (above) to the catalogued files under one root that is itself online. `vanished`
/// says whether a file is certainly gone; `yields_video` whether a folder would yield a video file (nullopt:
/// unknown, which counts as no). Pure logic: the Pruner passes the filesystem checks, tests pass their own.
root_prune_plan plan_root_prune(const std::string& root, std::span<const catalogued_file> files,
                                const std::function<bool(const std::string&)>& vanished,
                                const std::function<std::optional<bool>(const std::string&)>& yields_video,
                                bool automatic, prune_limits limits = {});

class pruner {
public:
    explicit pruner(bus& b, prune_limits limits = {}) : bus_(b), limits_(limits) {}
    asio::awaitable<void> run();

private:
    asio::awaitable<bool> handle(pruner_message message);
    asio::awaitable<prune_result> prune(const prune_request& request);
    /// Removes what the last prune held, where still gone.
    asio::awaitable<prune_result> confirm(const prune_request& request);
    /// Removes the vanished files (`result.removed_paths`, of the `affected` movies) from the catalogue,
    /// fills in `result.changes`, and sweeps the art of the movies removed. Returns the images removed.
    asio::awaitable<std::int64_t> remove_vanished(prune_result& result, std::vector<movie_id> affected);
    /// Keeps `held` as what waits for the user, describes its movies, and tells Core.
    asio::awaitable<void> keep_held(std::vector<held_files>& held);
    bus& bus_;
    prune_limits limits_;
    std::vector<held_files> held_; ///< what the last prune held back
};

} // namespace mediabase
