#pragma once
/// Backups of the catalogue in DATA/backups/: made before any schema migration, on a schedule
/// (settings::backup_interval_hours, default daily), by `mediabase backup` and `POST /api/v1/backups`;
/// the newest settings::backup_keep are kept. Blocking file work, no Asio.

#include "mediabase/store/catalogue.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mediabase {

/// One backup file.
struct backup_file {
    std::string name;             ///< "mediabase-20261130T032600Z-scheduled.db"
    std::filesystem::path path;
    std::int64_t size = 0;        ///< bytes
    std::string created_at;       ///< ISO 8601, from the name
    std::string reason;           ///< scheduled, manual, before-v4, before-restore
};

/// What making a backup gave: the file, or why there is none.
struct backup_outcome {
    std::optional<backup_file> file;
    std::string error;
};

/// A new backup's file name for `reason` at `now` (UTC): sortable, so the newest sorts last.
std::string backup_name(std::string_view reason, std::chrono::system_clock::time_point now);

/// The backups in `dir`, newest first. Files not named as backups are left out.
std::vector<backup_file> list_backups(const std::filesystem::path& dir);

/// Copies `db` into a new file in `dir` (created if needed), then removes the oldest backups beyond `keep`.
backup_outcome make_backup(catalogue& db, const std::filesystem::path& dir, std::string_view reason, int keep);

/// Removes the oldest backups in `dir` beyond the newest `keep`. Returns how many went.
int remove_old_backups(const std::filesystem::path& dir, int keep);

/// How long until the next scheduled backup is due, given the newest backup in `dir` (zero: due now).
std::chrono::seconds next_backup_due(const std::filesystem::path& dir, std::chrono::hours interval,
                                     std::chrono::system_clock::time_point now);

} // namespace mediabase
