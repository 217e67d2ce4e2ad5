#pragma once
/// Reading the records of an inotify descriptor, apart from the watcher's event loop so the records the kernel
/// rarely sends (a lost-events overflow, a dropped watch, an unmount) are tested with synthetic bytes.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace mediabase {

/// One event as read from an inotify descriptor; `name` points into the buffer that was read.
struct inotify_record {
    int wd = -1;
    std::uint32_t mask = 0;
    std::string_view name; ///< the file or folder name within the watched folder; empty for the folder itself
};

/// Splits what one read of an inotify descriptor returned into its records. The kernel returns whole records;
/// a truncated tail is ignored rather than read past the buffer.
std::vector<inotify_record> decode_inotify(std::span<const char> bytes);

/// What an event asks of the watcher, in the order it is checked.
enum class inotify_meaning {
    events_lost,    ///< the kernel's queue overflowed: every root must be rescanned
    watch_dropped,  ///< the kernel removed the watch (folder deleted, file system unmounted)
    folder_gone,    ///< the watched folder itself was deleted, moved or unmounted
    folder_entry,   ///< a subfolder was created, deleted or moved in or out
    file_entry,     ///< a file in the folder changed (whether it matters depends on its name)
    nothing,        ///< an event on the folder itself that changes nothing
};

[[nodiscard]] inotify_meaning classify_inotify(const inotify_record& record);

} // namespace mediabase
