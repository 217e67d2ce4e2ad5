#include "mediabase/store/backups.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>

namespace mediabase {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view prefix = "mediabase-";
constexpr std::string_view suffix = ".db";
constexpr std::size_t stamp_size = 16; ///< "20261130T032600Z"

/// "20261130T032600Z" -> "2026-11-30T03:26:00Z"; empty when it is not such a stamp.
std::string iso_from_stamp(std::string_view stamp) {
    if (stamp.size() != stamp_size || stamp[8] != 'T' || stamp[15] != 'Z') return {};
    for (std::size_t i = 0; i < 15; ++i)
        if (i != 8 && (stamp[i] < '0' || stamp[i] > '9')) return {};
    std::string iso;
    iso.append(stamp.substr(0, 4)).append("-").append(stamp.substr(4, 2)).append("-").append(stamp.substr(6, 2));
    iso.append("T").append(stamp.substr(9, 2)).append(":").append(stamp.substr(11, 2)).append(":");
    iso.append(stamp.substr(13, 2)).append("Z");
    return iso;
}

std::optional<backup_file> parse_backup(const fs::directory_entry& entry) {
    const auto name = entry.path().filename().string();
    // mediabase-<stamp>-<reason>.db
    if (!name.starts_with(prefix) || !name.ends_with(suffix)) return std::nullopt;
    const auto middle = std::string_view(name).substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    if (middle.size() < stamp_size + 2 || middle[stamp_size] != '-') return std::nullopt;
    auto created = iso_from_stamp(middle.substr(0, stamp_size));
    if (created.empty()) return std::nullopt;
    std::error_code ec;
    if (!entry.is_regular_file(ec)) return std::nullopt;
    backup_file file;
    file.name = name;
    file.path = entry.path();
    file.size = static_cast<std::int64_t>(entry.file_size(ec));
    file.created_at = std::move(created);
    file.reason = std::string(middle.substr(stamp_size + 1));
    return file;
}

} // namespace

std::string backup_name(std::string_view reason, std::chrono::system_clock::time_point now) {
    const auto seconds = std::chrono::system_clock::to_time_t(now);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &parts);
    return std::string(prefix) + stamp + "-" + std::string(reason) + std::string(suffix);
}

std::vector<backup_file> list_backups(const fs::path& dir) {
    std::vector<backup_file> backups;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (auto file = parse_backup(*it)) backups.push_back(std::move(*file));
    // Newest first; the name starts with the time, so names sort in time order.
    std::sort(backups.begin(), backups.end(), [](const auto& a, const auto& b) { return a.name > b.name; });
    return backups;
}

int remove_old_backups(const fs::path& dir, int keep) {
    auto backups = list_backups(dir);
    int removed = 0;
    for (std::size_t i = static_cast<std::size_t>(std::max(keep, 1)); i < backups.size(); ++i) {
        std::error_code ec;
        if (fs::remove(backups[i].path, ec)) ++removed;
        else if (ec) spdlog::warn("backups: cannot remove {}: {}", backups[i].path.string(), ec.message());
    }
    return removed;
}

backup_outcome make_backup(catalogue& db, const fs::path& dir, std::string_view reason, int keep) {
    backup_outcome outcome;
    auto now = std::chrono::system_clock::now();
    auto name = backup_name(reason, now);
    // Two backups in one second (a click after the schedule): the second waits for the next name.
    std::error_code ec;
    for (int tries = 0; fs::exists(dir / name, ec) && tries < 5; ++tries) {
        now += std::chrono::seconds(1);
        name = backup_name(reason, now);
    }
    try {
        db.backup_to(dir / name);
    } catch (const std::exception& e) {
        outcome.error = e.what();
        spdlog::error("backups: {}", outcome.error);
        return outcome;
    }
    const auto removed = remove_old_backups(dir, keep);
    for (auto& file : list_backups(dir))
        if (file.name == name) outcome.file = std::move(file);
    if (!outcome.file) {
        outcome.error = "the backup " + (dir / name).string() + " was made but cannot be found";
        return outcome;
    }
    spdlog::info("backups: catalogue copied to {} ({} bytes; {} old backup(s) removed, {} kept)",
                 outcome.file->path.string(), outcome.file->size, removed, keep);
    return outcome;
}

std::chrono::seconds next_backup_due(const fs::path& dir, std::chrono::hours interval,
                                     std::chrono::system_clock::time_point now) {
    const auto backups = list_backups(dir);
    if (backups.empty()) return std::chrono::seconds(0);
    // The newest backup's time, from its name (a file's mtime changes when it is copied around).
    std::tm parts{};
    const auto& created = backups.front().created_at;
    if (!strptime(created.c_str(), "%Y-%m-%dT%H:%M:%SZ", &parts)) return std::chrono::seconds(0);
    const auto taken = std::chrono::system_clock::from_time_t(timegm(&parts));
    const auto due = taken + interval;
    if (due <= now) return std::chrono::seconds(0);
    return std::chrono::duration_cast<std::chrono::seconds>(due - now);
}

} // namespace mediabase
