#pragma once
/// The Watcher's debounce and coalescing, kept apart from inotify and Asio: plain code taking times as
/// arguments, so every rule is tested without an event loop or a clock.

#include <chrono>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

namespace mediabase {

/// What the Watcher reports once changes have settled.
struct change_set {
    std::vector<std::string> folders; ///< changed folders, sorted; empty when `everything`
    bool everything = false;          ///< too many folders changed, or events were lost: rescan every root
};

/// Collects file-system changes and says when they have settled:
/// - `quiet` after the last change (a rename is two events, a copy of a folder many);
/// - but not while a file that was created is still being written: changes wait until it is closed, or until
///   `write_hold` after the last change (a writer that never closes its file must not hold changes forever);
/// - and, while nothing is being written, at the latest `max_delay` after the first change (or after the
///   end of the last write), so changes that never pause (a long copy of many small files) are imported as
///   they go.
/// Bounded: at most `max_folders` changed folders (one more collapses the set to "everything") and
/// `max_writes` files being written (further ones are not waited for).
class change_debouncer {
  public:
    using clock = std::chrono::steady_clock;

    struct limits {
        clock::duration quiet = std::chrono::milliseconds(1000);
        clock::duration max_delay = std::chrono::seconds(10);
        clock::duration write_hold = std::chrono::minutes(10);
        std::size_t max_folders = 256;
        std::size_t max_writes = 1024;
    };

    change_debouncer() : change_debouncer(limits{}) {}
    explicit change_debouncer(limits l) : limits_(l) {}

    /// Something in `folder` changed at `now`.
    void changed(const std::string& folder, clock::time_point now);
    /// Every root must be rescanned: events were lost (the kernel's queue overflowed).
    void everything_changed(clock::time_point now);
    /// `file` was created at `now` and may still be written: changes wait until it is closed.
    void write_started(const std::string& file, clock::time_point now);
    /// `file` was closed after writing at `now`.
    void write_finished(const std::string& file, clock::time_point now);

    /// When the pending changes settle (they may be taken then), or nullopt when nothing is pending.
    [[nodiscard]] std::optional<clock::time_point> due() const;
    /// The pending changes if they have settled at `now`, which clears them; nullopt otherwise.
    std::optional<change_set> take(clock::time_point now);

    [[nodiscard]] bool pending() const { return everything_ || !folders_.empty(); }
    [[nodiscard]] std::size_t writes_in_progress() const { return writes_.size(); }

  private:
    void touch(clock::time_point now);

    limits limits_;
    std::set<std::string> folders_;
    bool everything_ = false;
    std::unordered_set<std::string> writes_;
    clock::time_point first_{};
    clock::time_point last_{};
};

} // namespace mediabase
