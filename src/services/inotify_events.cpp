#include "mediabase/services/inotify_events.hpp"

#include <cstring>

#include <sys/inotify.h>

namespace mediabase {

std::vector<inotify_record> decode_inotify(std::span<const char> bytes) {
    std::vector<inotify_record> records;
    std::size_t offset = 0;
    while (offset + sizeof(inotify_event) <= bytes.size()) {
        inotify_event header{};
        std::memcpy(&header, bytes.data() + offset, sizeof header);
        const char* name = bytes.data() + offset + sizeof(inotify_event);
        offset += sizeof(inotify_event) + header.len;
        if (offset > bytes.size()) break;
        // The name is padded with NULs up to `len`.
        records.push_back({header.wd, header.mask, std::string_view(name, ::strnlen(name, header.len))});
    }
    return records;
}

inotify_meaning classify_inotify(const inotify_record& record) {
    const auto mask = record.mask;
    if (mask & IN_Q_OVERFLOW) return inotify_meaning::events_lost;
    if (mask & IN_IGNORED) return inotify_meaning::watch_dropped;
    if (mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) return inotify_meaning::folder_gone;
    if (record.name.empty()) return inotify_meaning::nothing;
    if (mask & IN_ISDIR) return inotify_meaning::folder_entry;
    return inotify_meaning::file_entry;
}

} // namespace mediabase
