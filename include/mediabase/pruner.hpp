#pragma once
/// Pruner: removes movies whose files vanished, never under a media root that is missing or empty
/// (an unmounted drive must not wipe the library).

#include "mediabase/bus.hpp"

#include <optional>
#include <string>

namespace mediabase {

/// Why a root must be left alone (missing, not a folder, unreadable, empty), or nullopt when it can be pruned.
std::optional<std::string> root_unsafe_to_prune(const std::string& root);

/// True only when the file is certainly gone (ENOENT/ENOTDIR), not merely unreadable right now.
bool file_vanished(const std::string& path);

class pruner {
public:
    explicit pruner(bus& b) : bus_(b) {}
    asio::awaitable<void> run();

private:
    asio::awaitable<bool> handle(pruner_message message);
    asio::awaitable<prune_result> prune(const std::vector<std::string>& roots);
    bus& bus_;
};

} // namespace mediabase
