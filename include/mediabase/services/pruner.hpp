#pragma once
/// Pruner: removes movies whose files vanished, never under a media root that is missing or empty
/// (an unmounted drive must not wipe the library).

#include "mediabase/runtime/bus.hpp"

#include <optional>
#include <string>

namespace mediabase {

/// Why a root must be left alone (missing, not a folder, unreadable, empty), or nullopt when it can be pruned.
std::optional<std::string> root_unsafe_to_prune(const std::string& root);


class pruner {
public:
    explicit pruner(bus& b) : bus_(b) {}
    asio::awaitable<void> run();

private:
    asio::awaitable<bool> handle(pruner_message message);
    asio::awaitable<prune_result> prune(const std::vector<std::string>& roots);
    /// Removes the vanished files (`result.removed_paths`, of the `affected` movies) from the catalogue,
    /// fills in `result.changes`, and sweeps the art of the movies removed. Returns the images removed.
    asio::awaitable<std::int64_t> remove_vanished(prune_result& result, std::vector<movie_id> affected);
    bus& bus_;
};

} // namespace mediabase
