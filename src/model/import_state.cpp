#include "mediabase/model/import_state.hpp"

#include <algorithm>
#include <stdexcept>

namespace mediabase {

bool import_state::start(std::int64_t id, std::string now, import_trigger trigger, std::int64_t known_folders) {
    if (busy()) return false;
    job_ = import_job{};
    job_.id = id;
    job_.trigger = trigger;
    known_folders_ = known_folders;
    tail_total_ = 0;
    job_.progress.total = known_folders;
    if (known_folders > 0) job_.progress.percent = 0;
    job_.state = job_state::scanning;
    job_.started_at = std::move(now);
    in_flight_ = 0;
    walk_over_ = false;
    dirty_ = true;
    problems_.clear();
    return true;
}

void import_state::fail(std::string problem) {
    if (!busy()) return;
    // A few distinct problems say enough; a thousand failed batches say the same thing.
    constexpr std::size_t max_problems = 4;
    if (problems_.size() >= max_problems) return;
    if (std::find(problems_.begin(), problems_.end(), problem) != problems_.end()) return;
    problems_.push_back(std::move(problem));
}

void import_state::found(std::int64_t movies, std::int64_t unchanged, std::string current,
                         std::int64_t folders_walked) {
    if (!busy()) return;
    job_.counts.found += movies + unchanged;
    job_.counts.skipped += unchanged;
    if (!current.empty() && !walk_over_) job_.current = std::move(current);
    if (folders_walked >= 0) job_.folders = std::max(job_.folders, folders_walked);
    dirty_ = true;
}

void import_state::changes(std::int64_t added, std::int64_t updated) {
    if (!busy()) return;
    job_.counts.added += added;
    job_.counts.updated += updated;
    dirty_ = true;
}

void import_state::handling(std::string current) {
    if (!busy() || !walk_over_ || current.empty()) return;
    job_.current = std::move(current);
    dirty_ = true;
}

void import_state::warn(std::string warning) {
    if (job_.warnings.size() >= max_warnings) return;
    if (std::find(job_.warnings.begin(), job_.warnings.end(), warning) != job_.warnings.end()) return;
    job_.warnings.push_back(std::move(warning));
    dirty_ = true;
}

void import_state::update_progress(double elapsed_seconds) {
    if (!busy()) return;
    auto& p = job_.progress;
    std::optional<int> percent;
    if (!walk_over_) {
        p.measure = "folders";
        p.done = job_.folders;
        // More folders than last time: the total grows with them, so the walk never claims to be over.
        p.total = known_folders_ > 0 ? std::max(known_folders_, job_.folders + 1) : 0;
        if (p.total > 0) percent = static_cast<int>(walk_share * p.done / p.total);
    } else {
        p.measure = "movies";
        p.total = tail_total_;
        p.done = tail_total_ - in_flight_;
        // Without a measure for the walk, its share counts as done once it is over.
        const int base = walk_share;
        percent = p.total > 0 ? base + static_cast<int>((100 - base) * p.done / p.total) : 99;
        percent = std::min(*percent, 99);
    }
    if (percent) p.percent = std::max(p.percent.value_or(0), *percent);
    p.eta_seconds.reset();
    if (p.percent && *p.percent >= 5 && elapsed_seconds >= 3.0)
        p.eta_seconds = static_cast<std::int64_t>(elapsed_seconds * (100 - *p.percent) / *p.percent + 0.5);
}

void import_state::dispatched(std::int64_t movies) {
    if (!busy()) return;
    in_flight_ += movies;
}

void import_state::identified(std::int64_t movies) {
    if (!busy()) return;
    job_.counts.identified += movies;
    dirty_ = true;
}

void import_state::stored(std::int64_t stored, std::int64_t failed) {
    if (!busy()) return;
    if (stored + failed > in_flight_) throw std::logic_error("import_state: more movies stored than dispatched");
    job_.counts.stored += stored;
    job_.counts.failed += failed;
    in_flight_ -= stored + failed;
    dirty_ = true;
}

void import_state::art_cached(std::int64_t movies) {
    if (!busy()) return;
    job_.counts.art_cached += movies;
    dirty_ = true;
}

void import_state::unidentified(std::int64_t movies) {
    if (!busy()) return;
    job_.counts.unidentified += movies;
    dirty_ = true;
}

void import_state::walk_finished(std::int64_t folders, std::int64_t files) {
    if (!busy()) return;
    walk_over_ = true;
    tail_total_ = in_flight_;
    if (folders >= 0) job_.folders = folders;
    job_.counts.files = files;
    job_.state = job_state::identifying;
    dirty_ = true;
}

void import_state::abort(std::string reason, std::string now) {
    if (!busy()) return;
    for (const auto& problem : problems_) reason += "; " + problem;
    job_.error = std::move(reason);
    job_.state = job_state::idle;
    job_.finished_at = std::move(now);
    job_.current.reset();
    in_flight_ = 0;
    dirty_ = true;
}

void import_state::finish(std::string now, std::optional<std::int64_t> duration_ms) {
    if (!busy()) return;
    if (!problems_.empty()) {
        std::string error;
        for (const auto& problem : problems_) error += (error.empty() ? "" : "; ") + problem;
        job_.error = std::move(error);
    }
    job_.state = job_state::idle;
    job_.finished_at = std::move(now);
    job_.duration_ms = duration_ms;
    job_.progress.percent = 100;
    job_.progress.done = job_.progress.total;
    job_.progress.eta_seconds = 0;
    job_.current.reset();
    dirty_ = true;
}

} // namespace mediabase
