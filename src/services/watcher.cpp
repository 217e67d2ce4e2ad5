#include "mediabase/services/watcher.hpp"

#include "mediabase/naming/library_walk.hpp"
#include "mediabase/services/inotify_events.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <dirent.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>

namespace mediabase {
namespace {

constexpr std::uint32_t watch_mask = IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                     IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

/// Long enough to mean "nothing planned"; a timer is cancelled when there is.
constexpr std::chrono::hours idle_wait{24};

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

/// The kernel's per-user watch limit, for the message that it was reached.
std::string watch_limit() {
    std::ifstream in("/proc/sys/fs/inotify/max_user_watches");
    std::string value;
    in >> value;
    return value.empty() ? "?" : value;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string text;
    for (const auto& item : items) {
        if (!text.empty()) text += separator;
        text += item;
    }
    return text;
}

} // namespace

std::optional<std::string_view> unwatchable_filesystem(std::uint64_t type) {
    switch (static_cast<std::uint32_t>(type)) {
    case 0x6969:
        return "nfs";
    case 0x517B:
        return "smb";
    case 0xFF534D42:
        return "cifs";
    case 0xFE534D42:
        return "smb2";
    case 0x65735546:
        return "fuse";
    case 0x01021997:
        return "9p";
    case 0x00C36400:
        return "ceph";
    case 0x5346414F: // AFS_SUPER_MAGIC
    case 0x6B414653:
        return "afs";
    case 0x73757245:
        return "coda";
    case 0x564C:
        return "ncp";
    default:
        return std::nullopt;
    }
}

watcher::watcher(bus& b, watch_folders initial, asio::any_io_executor executor)
    : bus_(b), executor_(std::move(executor)), config_(std::move(initial)), inotify_(executor_),
      deliver_timer_(executor_), rescan_timer_(executor_) {}

asio::awaitable<void> watcher::run() {
    apply(config_);
    asio::co_spawn(executor_, deliver_changes(), asio::detached);
    asio::co_spawn(executor_, rescan_periodically(), asio::detached);
    co_await run_mailbox(bus_.watcher, [this](watcher_message m) { return handle(std::move(m)); });
    stopping_ = true;
    deliver_timer_.cancel();
    rescan_timer_.cancel();
    error_code ignored;
    // Closing the descriptor drops every watch and ends the reader.
    inotify_.close(ignored);
    folders_.clear();
}

asio::awaitable<bool> watcher::handle(watcher_message message) {
    if (std::holds_alternative<stop_service>(message)) co_return false;
    if (auto* ask = std::get_if<get_watch_status>(&message)) {
        ask->reply(status());
        co_return true;
    }
    apply(std::move(std::get<watch_folders>(message)));
    co_return true;
}

void watcher::apply(watch_folders config) {
    config_ = std::move(config);
    unwatch_all();
    polled_roots_.clear();
    fallback_reasons_.clear();
    watch_limit_reached_ = false;
    rescan_timer_.cancel(); // the interval starts again over the new roots
    if (!config_.enabled) {
        error_code ignored;
        inotify_.close(ignored);
        spdlog::info("watch: off; media folders are imported only when asked");
        return;
    }
    if (!inotify_.is_open()) {
        const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd < 0) {
            fallback_reasons_.push_back("inotify is unavailable (" + std::string(std::strerror(errno)) + ")");
        } else {
            inotify_.assign(fd);
            asio::co_spawn(executor_, read_events(++inotify_generation_), asio::detached);
        }
    }
    for (const auto& root : config_.roots) {
        if (watch_limit_reached_) break;
        if (!inotify_.is_open()) {
            polled_roots_.push_back(root);
            continue;
        }
        struct statfs fs {};
        if (::statfs(root.c_str(), &fs) != 0) {
            // A missing root (an unmounted drive) gives no events until it is back: rescans notice it then.
            polled_roots_.push_back(root);
            fallback_reasons_.push_back(root + " is missing (" + std::strerror(errno) + ")");
            continue;
        }
        if (const auto type = unwatchable_filesystem(static_cast<std::uint64_t>(fs.f_type))) {
            polled_roots_.push_back(root);
            fallback_reasons_.push_back(root + " is on " + std::string(*type) +
                                        ", which reports no changes made on other machines");
            continue;
        }
        watch_tree(root);
    }
    // Reaching the watch limit was said by fall_back_everywhere already.
    if (fallback_reasons_.empty()) {
        spdlog::info("watch: watching {} folder(s) under {} media folder(s) for changes", folders_.size(),
                     config_.roots.size());
    } else if (!watch_limit_reached_) {
        spdlog::warn("watch: {}; rescanning {} every {} s instead", join(fallback_reasons_, "; "),
                     join(polled_roots_, ", "), config_.rescan_interval_seconds);
        if (!folders_.empty()) spdlog::info("watch: watching {} folder(s) live", folders_.size());
    }
}

void watcher::watch_tree(const std::string& top) {
    if (watch_limit_reached_ || !inotify_.is_open()) return;
    const int fd = inotify_.native_handle();
    std::vector<std::string> pending{top};
    while (!pending.empty()) {
        const std::string folder = std::move(pending.back());
        pending.pop_back();
        const int wd = ::inotify_add_watch(fd, folder.c_str(), watch_mask);
        if (wd < 0) {
            if (errno == ENOSPC) {
                fall_back_everywhere("the inotify watch limit is reached (fs.inotify.max_user_watches = " +
                                     watch_limit() + ")");
                return;
            }
            // Gone already, or unreadable: the import reports unreadable folders.
            continue;
        }
        // Already watched (a symlink or a second link to the folder): so is everything under it.
        if (!folders_.try_emplace(wd, folder).second) continue;
        DIR* dir = ::opendir(folder.c_str());
        if (!dir) continue;
        while (const dirent* entry = ::readdir(dir)) {
            const std::string_view name = entry->d_name;
            if (name == "." || name == ".." || is_ignored_folder(name)) continue;
            bool is_dir = entry->d_type == DT_DIR;
            if (entry->d_type == DT_LNK || entry->d_type == DT_UNKNOWN) {
                // The walk follows symlinks to folders, so the watch does too.
                struct stat st {};
                is_dir = ::stat((folder + "/" + entry->d_name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
            }
            if (is_dir) pending.push_back(folder + "/" + entry->d_name);
        }
        ::closedir(dir);
    }
}

void watcher::unwatch_tree(const std::string& top) {
    const int fd = inotify_.is_open() ? inotify_.native_handle() : -1;
    for (auto it = folders_.begin(); it != folders_.end();) {
        const auto& folder = it->second;
        if (folder == top ||
            (folder.size() > top.size() && folder.starts_with(top) && folder[top.size()] == '/')) {
            if (fd >= 0) ::inotify_rm_watch(fd, it->first);
            it = folders_.erase(it);
        } else {
            ++it;
        }
    }
}

void watcher::unwatch_all() {
    if (inotify_.is_open())
        for (const auto& [wd, folder] : folders_)
            ::inotify_rm_watch(inotify_.native_handle(), wd);
    folders_.clear();
    // Only folders were ever freed: the buckets of a 100,000-folder map go too.
    std::unordered_map<int, std::string>().swap(folders_);
}

void watcher::fall_back_everywhere(std::string reason) {
    watch_limit_reached_ = true;
    // Half a library watched would look live and miss changes: every root is rescanned instead, and the
    // watches go back to the other programs that share the limit.
    unwatch_all();
    polled_roots_ = config_.roots;
    fallback_reasons_.push_back(std::move(reason));
    spdlog::warn("watch: {}; rescanning every media folder every {} s instead", fallback_reasons_.back(),
                 config_.rescan_interval_seconds);
    rescan_timer_.cancel();
}

asio::awaitable<void> watcher::read_events(std::uint64_t generation) {
    // inotify returns whole events only; 64 KiB holds hundreds of them.
    std::vector<char> buffer(64 * 1024);
    for (;;) {
        auto [ec, size] =
            co_await inotify_.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
        if (stopping_ || generation != inotify_generation_) co_return;
        if (ec) {
            if (ec != asio::error::operation_aborted)
                spdlog::error("watch: reading events failed: {}", ec.message());
            co_return;
        }
        on_events(buffer.data(), size, clock::now());
        // The debouncer's deadline moved: the delivering coroutine plans again.
        deliver_timer_.cancel();
    }
}

void watcher::on_events(const char* data, std::size_t size, clock::time_point now) {
    for (const auto& record : decode_inotify({data, size}))
        on_event(record, now);
}

bool watcher::relevant_file(std::string_view name) const {
    // NFOs and art count too: an edited NFO or a new poster is imported like a changed video file.
    return has_video_extension(name, config_.extensions) || is_sidecar_name(name) || iequals(name, "index.bdmv") ||
           iequals(name, "VIDEO_TS.IFO");
}

void watcher::on_event(const inotify_record& record, clock::time_point now) {
    const auto meaning = classify_inotify(record);
    if (meaning == inotify_meaning::events_lost) {
        spdlog::warn("watch: the kernel's event queue overflowed; every media folder is rescanned");
        debouncer_.everything_changed(now);
        return;
    }
    const auto it = folders_.find(record.wd);
    if (it == folders_.end()) return;
    // A copy: watch_tree below may rehash the map.
    const std::string folder = it->second;
    const auto mask = record.mask;
    const auto name = record.name;
    switch (meaning) {
    case inotify_meaning::watch_dropped:
        // The folder was deleted or its file system unmounted: the kernel dropped the watch.
        folders_.erase(it);
        return;
    case inotify_meaning::folder_gone:
        debouncer_.changed(folder, now);
        return;
    case inotify_meaning::folder_entry: {
        if (is_ignored_folder(name)) return;
        const std::string path = folder + "/" + std::string(name);
        // A folder moved away keeps its watches under a stale path: drop them; one moved in is watched anew.
        if (mask & IN_MOVED_FROM) unwatch_tree(path);
        if (mask & (IN_CREATE | IN_MOVED_TO)) watch_tree(path);
        debouncer_.changed(folder, now);
        return;
    }
    case inotify_meaning::events_lost:
    case inotify_meaning::nothing:
        return;
    case inotify_meaning::file_entry:
        break;
    }
    if (!relevant_file(name)) return;
    const std::string path = folder + "/" + std::string(name);
    if (mask & IN_CREATE) {
        // A new regular file may still be written (a copy): wait for its close. Links are complete at once.
        struct stat st {};
        if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1)
            debouncer_.write_started(path, now);
    }
    if (mask & IN_CLOSE_WRITE) debouncer_.write_finished(path, now);
    debouncer_.changed(folder, now);
}

watch_status watcher::status() const {
    watch_status s;
    s.enabled = config_.enabled;
    s.watching = config_.enabled && inotify_.is_open() && polled_roots_.empty();
    s.folders = static_cast<std::int64_t>(folders_.size());
    if (!fallback_reasons_.empty()) s.fallback_reason = join(fallback_reasons_, "; ");
    return s;
}

void watcher::deliver(change_set changes, bool periodic, clock::time_point now) {
    changes_detected message;
    message.periodic = periodic;
    message.folders = changes.everything ? config_.roots : changes.folders;
    if (message.folders.empty()) return;
    spdlog::debug("watch: {} in {} folder(s)", periodic ? "periodic rescan" : "changes",
                  message.folders.size());
    if (bus_.core.try_send(core_message(std::move(message)))) return;
    // Core's mailbox is full: the changes wait for the next chance, like new ones.
    if (changes.everything) {
        debouncer_.everything_changed(now);
    } else {
        for (const auto& folder : changes.folders)
            debouncer_.changed(folder, now);
    }
}

asio::awaitable<void> watcher::deliver_changes() {
    while (!stopping_) {
        const auto now = clock::now();
        deliver_timer_.expires_at(debouncer_.due().value_or(now + idle_wait));
        // Cancelled whenever events arrive: the deadline is planned again.
        co_await deliver_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        if (stopping_) co_return;
        const auto at = clock::now();
        if (auto changes = debouncer_.take(at)) deliver(std::move(*changes), false, at);
    }
}

asio::awaitable<void> watcher::rescan_periodically() {
    while (!stopping_) {
        // An interval of 0 turns periodic rescans off.
        if (polled_roots_.empty() || !config_.enabled || config_.rescan_interval_seconds <= 0) {
            rescan_timer_.expires_after(idle_wait);
        } else {
            rescan_timer_.expires_after(std::chrono::seconds(config_.rescan_interval_seconds));
        }
        auto [ec] = co_await rescan_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        if (stopping_) co_return;
        // Cancelled: the roots changed, and the interval starts again.
        if (ec || polled_roots_.empty() || !config_.enabled || config_.rescan_interval_seconds <= 0) continue;
        change_set changes;
        changes.folders = polled_roots_;
        deliver(std::move(changes), true, clock::now());
    }
}

} // namespace mediabase
