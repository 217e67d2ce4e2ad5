#pragma once
/// Watcher: live watching of the media folders with inotify, on its own thread.
///
/// One watch per folder under each media root (folders the walk ignores are not watched), added for new
/// folders as they appear and dropped for folders moved away. Changes to video files and folders are
/// debounced (change_debouncer) and reported to Core as `changes_detected`; Core imports, then prunes.
/// Where watching cannot work (a root on a network or FUSE file system, which reports no changes made
/// elsewhere; the inotify watch limit; no inotify at all) it says why once, and those roots are rescanned
/// every `rescan_interval_seconds` instead.
///
/// Memory: a map of watch descriptor to folder path, one entry per folder; the debouncer is bounded.
/// The Watcher never waits on Core: when Core's mailbox is full, changes stay pending and are offered again.

#include "mediabase/runtime/bus.hpp"
#include "mediabase/services/change_debouncer.hpp"
#include "mediabase/services/inotify_events.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mediabase {

/// The name of a file system type (statfs f_type) that gives no inotify events for changes made elsewhere:
/// network file systems (nfs, cifs/smb, 9p, ceph, afs, coda) and FUSE. nullopt for local file systems.
std::optional<std::string_view> unwatchable_filesystem(std::uint64_t type);

class watcher {
  public:
    /// How long changes must be quiet before they are reported.
    static constexpr std::chrono::milliseconds quiet_period{1000};

    watcher(bus& b, watch_folders initial, asio::any_io_executor executor);
    watcher(const watcher&) = delete;
    watcher& operator=(const watcher&) = delete;

    /// Watches until stop_service; `watch_folders` replaces what is watched. The first folders are watched
    /// before the mailbox is served, so `get_watch_status` never answers with a half-built state.
    asio::awaitable<void> run();

  private:
    using clock = change_debouncer::clock;
    /// Lets the unit test hand the watcher records the kernel sends rarely (an overflow of its event queue).
    friend struct watcher_test_access;

    asio::awaitable<bool> handle(watcher_message message);
    void apply(watch_folders config);
    void watch_tree(const std::string& top);
    void unwatch_tree(const std::string& top);
    void unwatch_all();
    /// Gives up live watching for every root (the watch limit): they are rescanned periodically.
    void fall_back_everywhere(std::string reason);
    void on_events(const char* data, std::size_t size, clock::time_point now);
    void on_event(const inotify_record& record, clock::time_point now);
    [[nodiscard]] bool relevant_file(std::string_view name) const;
    [[nodiscard]] watch_status status() const;
    void deliver(change_set changes, bool periodic, clock::time_point now);

    asio::awaitable<void> read_events(std::uint64_t generation);
    asio::awaitable<void> deliver_changes();
    asio::awaitable<void> rescan_periodically();

    bus& bus_;
    asio::any_io_executor executor_;
    watch_folders config_;
    asio::posix::stream_descriptor inotify_;
    std::uint64_t inotify_generation_ = 0;
    asio::steady_timer deliver_timer_;
    asio::steady_timer rescan_timer_;
    change_debouncer debouncer_;
    std::unordered_map<int, std::string> folders_; ///< watch descriptor -> folder path
    std::vector<std::string> polled_roots_;        ///< roots rescanned periodically instead of watched
    std::vector<std::string> fallback_reasons_;
    bool watch_limit_reached_ = false;
    bool stopping_ = false;
};

} // namespace mediabase
