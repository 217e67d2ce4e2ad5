#include "mediabase/services/pruner.hpp"

#include "mediabase/naming/library_walk.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include <sys/stat.h>

namespace mediabase {

std::optional<std::string> root_unsafe_to_prune(const std::string& root) {
    struct stat st {};
    if (::stat(root.c_str(), &st) != 0)
        return "media folder is missing (" + std::string(std::strerror(errno)) +
               "); an unmounted drive looks like this, so nothing under it was removed";
    if (!S_ISDIR(st.st_mode)) return "media folder is not a folder; nothing under it was removed";
    const auto has_entries = folder_has_entries(root);
    if (!has_entries)
        return "media folder cannot be read (" + std::string(std::strerror(errno)) +
               "); nothing under it was removed";
    if (!*has_entries) return "media folder is empty; an unmounted drive looks like this, so nothing under it was removed";
    return std::nullopt;
}

asio::awaitable<void> pruner::run() {
    co_await run_mailbox(bus_.pruner, [this](pruner_message m) { return handle(std::move(m)); });
}

asio::awaitable<bool> pruner::handle(pruner_message message) {
    if (std::holds_alternative<stop_service>(message)) co_return false;
    auto& request = std::get<prune_request>(message);
    auto result = co_await prune(request.roots);
    request.reply(result);
    prune_event event{std::move(result)};
    co_await post(bus_.events, std::move(event));
    co_return true;
}

asio::awaitable<std::int64_t> pruner::remove_vanished(prune_result& result, std::vector<movie_id> affected) {
    // The art of the movies about to lose files, read first: once a movie is removed, only this says which
    // images it showed.
    auto before = co_await ask<std::vector<movie>>(
        bus_.dal_reads, [&](auto reply) { return get_movies{std::move(affected), std::move(reply)}; });
    auto changes = co_await ask<std::vector<movie_change>>(
        bus_.dal_writes, [&](auto reply) { return remove_files{result.removed_paths, std::move(reply)}; });
    if (changes) result.changes = std::move(*changes);

    // Their art goes too, unless another movie shows the same image.
    std::vector<std::string> art;
    for (const auto& change : result.changes) {
        if (change.kind != change_kind::removed || !before) continue;
        for (const auto& m : *before)
            if (m.id == change.id)
                for (const auto* key : {&m.poster, &m.backdrop})
                    if (*key) art.push_back(**key);
    }
    if (art.empty()) co_return 0;
    auto swept = co_await ask<art_sweep_result>(
        bus_.cache, [&](auto reply) { return sweep_art{std::move(reply), std::move(art)}; });
    co_return swept ? swept->removed : 0;
}

asio::awaitable<prune_result> pruner::prune(const std::vector<std::string>& roots) {
    prune_result result;
    std::vector<movie_id> affected; ///< movies that lose a file
    for (const auto& root : roots) {
        if (auto reason = root_unsafe_to_prune(root)) {
            spdlog::warn("prune: {}: {}", root, *reason);
            result.skipped_roots.push_back({root, *reason});
            continue;
        }
        auto files = co_await ask<std::vector<catalogued_file>>(
            bus_.dal_reads, [&](auto reply) { return get_files_under_root{root, std::move(reply)}; });
        if (!files) co_return result;
        for (const auto& file : *files) {
            ++result.checked;
            if (!file_vanished(file.path)) continue;
            result.removed_paths.push_back(file.path);
            affected.push_back(file.movie);
        }
    }
    if (!result.removed_paths.empty()) result.art_removed = co_await remove_vanished(result, std::move(affected));
    spdlog::info("prune: checked {} files, {} vanished, {} movies changed, {} images removed, {} roots left alone",
                 result.checked, result.removed_paths.size(), result.changes.size(), result.art_removed,
                 result.skipped_roots.size());
    co_return result;
}

} // namespace mediabase
