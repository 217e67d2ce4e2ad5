#include "mediabase/services/change_debouncer.hpp"

#include <algorithm>

namespace mediabase {

void change_debouncer::touch(clock::time_point now) {
    if (!pending() && writes_.empty()) {
        first_ = last_ = now;
        return;
    }
    last_ = std::max(last_, now);
}

void change_debouncer::changed(const std::string& folder, clock::time_point now) {
    touch(now);
    if (everything_) return;
    if (folders_.size() >= limits_.max_folders && !folders_.contains(folder)) {
        // Past the bound a full rescan costs no more than naming every folder.
        folders_.clear();
        everything_ = true;
        return;
    }
    folders_.insert(folder);
}

void change_debouncer::everything_changed(clock::time_point now) {
    touch(now);
    folders_.clear();
    everything_ = true;
}

void change_debouncer::write_started(const std::string& file, clock::time_point now) {
    touch(now);
    if (writes_.size() < limits_.max_writes) writes_.insert(file);
}

void change_debouncer::write_finished(const std::string& file, clock::time_point now) {
    touch(now);
    // The maximum delay of the batch counts from the end of its last write: what follows a copy (a move
    // across file systems deletes the source right after) still falls into the same batch.
    if (writes_.erase(file) > 0 && writes_.empty()) first_ = now;
}

std::optional<change_debouncer::clock::time_point> change_debouncer::due() const {
    if (!pending()) return std::nullopt;
    if (!writes_.empty()) return last_ + limits_.write_hold;
    return std::min(last_ + limits_.quiet, first_ + limits_.max_delay);
}

std::optional<change_set> change_debouncer::take(clock::time_point now) {
    const auto settles = due();
    if (!settles || now < *settles) return std::nullopt;
    change_set changes;
    changes.everything = everything_;
    if (!everything_) changes.folders.assign(folders_.begin(), folders_.end());
    folders_.clear();
    everything_ = false;
    // Files still listed as being written outlived write_hold: they are not waited for again.
    writes_.clear();
    return changes;
}

} // namespace mediabase
