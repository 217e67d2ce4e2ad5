#include "mediabase/services/pruner.hpp"

#include "mediabase/naming/library_walk.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <sys/stat.h>

namespace mediabase {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string parent_of(std::string_view path) {
    const auto slash = path.rfind('/');
    if (slash == std::string_view::npos) return {};
    if (slash == 0) return "/";
    return std::string(path.substr(0, slash));
}

/// The folder a movie file stands for: its folder, or for a disc's index file the folder above the disc
/// structure ("Heat (1995)/BDMV/index.bdmv" -> "Heat (1995)").
std::string movie_folder_of(std::string_view path) {
    auto folder = parent_of(path);
    const std::string_view name = std::string_view(folder).substr(folder.rfind('/') + 1);
    if (iequals(name, "BDMV") || iequals(name, "VIDEO_TS")) folder = parent_of(folder);
    return folder;
}

bool strictly_below(std::string_view folder, std::string_view root) {
    if (root == "/") return folder.size() > 1 && folder.front() == '/';
    return folder.size() > root.size() && folder.starts_with(root) && folder[root.size()] == '/';
}

/// `folder` and its parents, up to but not including `root`; empty when `folder` is not below it.
std::vector<std::string> folders_below_root(std::string folder, std::string_view root) {
    std::vector<std::string> chain;
    while (strictly_below(folder, root)) {
        auto parent = parent_of(folder);
        chain.push_back(std::move(folder));
        folder = std::move(parent);
    }
    return chain;
}

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

} // namespace

std::optional<std::string> root_unsafe_to_prune(const std::string& root, const std::vector<std::string>& extensions) {
    struct stat st {};
    if (::stat(root.c_str(), &st) != 0)
        return "media folder is missing (" + std::string(std::strerror(errno)) +
               "); an unmounted drive looks like this, so nothing under it was removed";
    if (!S_ISDIR(st.st_mode)) return "media folder is not a folder; nothing under it was removed";
    errno = 0;
    const auto yields = folder_yields_video(root, extensions);
    if (!yields)
        return "media folder cannot be read whole (" + std::string(std::strerror(errno ? errno : EIO)) +
               "); nothing under it was removed";
    if (!*yields)
        return "media folder holds no video files (only empty folders, lost+found or hidden files at most); an "
               "unmounted drive looks like this, so nothing under it was removed";
    return std::nullopt;
}

root_prune_plan plan_root_prune(const std::string& root, std::span<const catalogued_file> files,
                                const std::function<bool(const std::string&)>& vanished,
                                const std::function<std::optional<bool>(const std::string&)>& yields_video,
                                bool automatic, prune_limits limits) {
    root_prune_plan plan;
    std::vector<std::size_t> gone;
    for (std::size_t i = 0; i < files.size(); ++i)
        if (vanished(files[i].path)) gone.push_back(i);
    if (gone.empty()) return plan;

    // Rule 2: the folders above the vanished files, with the movies each held (all its catalogued files).
    std::unordered_map<std::string, std::unordered_set<movie_id>> movies_under;
    for (const auto i : gone)
        for (auto& folder : folders_below_root(movie_folder_of(files[i].path), root)) movies_under.try_emplace(folder);
    for (const auto& file : files)
        for (const auto& folder : folders_below_root(movie_folder_of(file.path), root))
            if (auto it = movies_under.find(folder); it != movies_under.end()) it->second.insert(file.movie);
    std::unordered_map<std::string, bool> offline_cache;
    const auto offline = [&](const std::string& folder) {
        // One movie's own folder emptied is a movie deleted, not a drive gone.
        if (movies_under[folder].size() < 2) return false;
        auto [it, inserted] = offline_cache.try_emplace(folder, false);
        if (inserted) it->second = yields_video(folder) != true;
        return it->second;
    };

    std::map<std::string, held_files> by_folder;
    std::map<std::string, std::unordered_set<movie_id>> held_movies;
    std::vector<std::size_t> removable;
    for (const auto i : gone) {
        const auto chain = folders_below_root(movie_folder_of(files[i].path), root);
        // The highest offline folder (nearest the root) names the group: that is where the drive was.
        const std::string* offline_folder = nullptr;
        for (auto it = chain.rbegin(); it != chain.rend(); ++it)
            if (offline(*it)) {
                offline_folder = &*it;
                break;
            }
        if (!offline_folder) {
            removable.push_back(i);
            continue;
        }
        auto& group = by_folder[*offline_folder];
        if (group.folder.empty()) {
            group.root = root;
            group.folder = *offline_folder;
            group.reason = "folder held " + plural(movies_under[*offline_folder].size(), "movie", "movies") +
                           " and now has no video files; an unmounted drive looks like this, so nothing in it was "
                           "removed";
        }
        group.paths.push_back(files[i].path);
        if (held_movies[*offline_folder].insert(files[i].movie).second) group.movies.push_back(files[i].movie);
    }
    for (auto& [folder, group] : by_folder) plan.held.push_back(std::move(group));

    // Rule 3: an automatic prune takes a bounded share of a root's movies at once.
    if (automatic && !removable.empty()) {
        std::unordered_set<movie_id> all;
        for (const auto& file : files) all.insert(file.movie);
        held_files group;
        std::unordered_set<movie_id> losing;
        for (const auto i : removable)
            if (losing.insert(files[i].movie).second) group.movies.push_back(files[i].movie);
        const auto lost = static_cast<std::int64_t>(losing.size());
        const auto total = static_cast<std::int64_t>(all.size());
        if (lost > limits.movies && lost * 100 > limits.percent * total) {
            group.root = root;
            group.folder = root;
            group.reason = "an automatic prune would take files from " + std::to_string(lost) + " of the " +
                           std::to_string(total) + " movies in this media folder (more than " +
                           std::to_string(limits.movies) + " movies and more than " + std::to_string(limits.percent) +
                           "%); nothing was removed: confirm to remove them";
            for (const auto i : removable) group.paths.push_back(files[i].path);
            plan.held.push_back(std::move(group));
            removable.clear();
        }
    }
    plan.remove = std::move(removable);
    return plan;
}

asio::awaitable<void> pruner::run() {
    co_await run_mailbox(bus_.pruner, [this](pruner_message m) { return handle(std::move(m)); });
}

asio::awaitable<bool> pruner::handle(pruner_message message) {
    if (std::holds_alternative<stop_service>(message)) co_return false;
    auto& request = std::get<prune_request>(message);
    // Not a conditional expression around the co_awaits: GCC 12 mis-destroys their results.
    prune_result result;
    if (request.mode == prune_mode::confirm) result = co_await confirm(request);
    else result = co_await prune(request);
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

asio::awaitable<void> pruner::keep_held(std::vector<held_files>& held) {
    std::vector<movie_id> ids;
    for (const auto& group : held)
        for (std::size_t i = 0; i < group.movies.size() && i < held_described_movies; ++i) ids.push_back(group.movies[i]);
    if (!ids.empty()) {
        auto movies = co_await ask<std::vector<movie>>(
            bus_.dal_reads, [&](auto reply) { return get_movies{std::move(ids), std::move(reply)}; });
        std::unordered_map<movie_id, const movie*> by_id;
        if (movies)
            for (const auto& m : *movies) by_id.emplace(m.id, &m);
        for (auto& group : held) {
            group.described.clear();
            for (std::size_t i = 0; i < group.movies.size() && i < held_described_movies; ++i) {
                held_movie described{group.movies[i], {}, std::nullopt};
                if (auto it = by_id.find(group.movies[i]); it != by_id.end()) {
                    described.title = it->second->title;
                    described.year = it->second->year;
                }
                group.described.push_back(std::move(described));
            }
        }
    }
    const bool changed = !held.empty() || !held_.empty();
    held_ = held;
    if (!changed) co_return;
    auto hold = std::make_shared<prune_hold>();
    hold->groups = held_;
    if (!held_.empty()) hold->since = utc_now_iso8601();
    prune_hold_changed message{std::move(hold)};
    co_await post(bus_.core, std::move(message));
}

asio::awaitable<prune_result> pruner::prune(const prune_request& request) {
    prune_result result;
    std::vector<movie_id> affected; ///< movies that lose a file
    const auto& extensions = request.extensions.empty() ? default_extensions() : request.extensions;
    for (const auto& root : request.roots) {
        if (auto reason = root_unsafe_to_prune(root, extensions)) {
            spdlog::warn("prune: {}: {}", root, *reason);
            result.skipped_roots.push_back({root, *reason});
            continue;
        }
        auto files = co_await ask<std::vector<catalogued_file>>(
            bus_.dal_reads, [&](auto reply) { return get_files_under_root{root, std::move(reply)}; });
        if (!files) co_return result;
        result.checked += static_cast<std::int64_t>(files->size());
        auto plan = plan_root_prune(
            root, *files, [](const std::string& path) { return file_vanished(path); },
            [&](const std::string& folder) { return folder_yields_video(folder, extensions); },
            request.mode == prune_mode::automatic, limits_);
        for (const auto i : plan.remove) {
            result.removed_paths.push_back((*files)[i].path);
            affected.push_back((*files)[i].movie);
        }
        for (auto& group : plan.held) {
            spdlog::warn("prune: {}: {} files of {} movies held: {}", group.folder, group.paths.size(),
                         group.movies.size(), group.reason);
            result.held.push_back(std::move(group));
        }
    }
    if (!result.removed_paths.empty()) result.art_removed = co_await remove_vanished(result, std::move(affected));
    co_await keep_held(result.held);
    spdlog::info("prune: checked {} files, {} vanished, {} movies changed, {} images removed, {} roots left alone, "
                 "{} groups held for confirmation",
                 result.checked, result.removed_paths.size(), result.changes.size(), result.art_removed,
                 result.skipped_roots.size(), result.held.size());
    co_return result;
}

asio::awaitable<prune_result> pruner::confirm(const prune_request& request) {
    prune_result result;
    const auto& extensions = request.extensions.empty() ? default_extensions() : request.extensions;
    std::vector<movie_id> affected;
    std::vector<std::string> offline_roots;
    for (const auto& group : held_) {
        // The user confirmed what was shown; a root gone offline since is still left alone.
        if (std::find(offline_roots.begin(), offline_roots.end(), group.root) != offline_roots.end()) continue;
        if (auto reason = root_unsafe_to_prune(group.root, extensions)) {
            offline_roots.push_back(group.root);
            result.skipped_roots.push_back({group.root, *reason});
            continue;
        }
        for (const auto& path : group.paths) {
            ++result.checked;
            // A file back on disk (the drive came back) stays.
            if (file_vanished(path)) result.removed_paths.push_back(path);
        }
        affected.insert(affected.end(), group.movies.begin(), group.movies.end());
    }
    if (!result.removed_paths.empty()) result.art_removed = co_await remove_vanished(result, std::move(affected));
    std::vector<held_files> none;
    co_await keep_held(none);
    spdlog::info("prune: confirmed: {} held files removed, {} movies changed", result.removed_paths.size(),
                 result.changes.size());
    co_return result;
}

} // namespace mediabase
