#include "mediabase/model/import_state.hpp"

#include <algorithm>
#include <stdexcept>

namespace mediabase {

bool import_state::start(std::int64_t id, std::string now) {
    if (busy()) return false;
    job_ = import_job{};
    job_.id = id;
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

void import_state::found(std::int64_t movies, std::int64_t unchanged, std::string current) {
    if (!busy()) return;
    job_.counts.found += movies + unchanged;
    job_.counts.skipped += unchanged;
    if (!current.empty()) job_.current = std::move(current);
    dirty_ = true;
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

void import_state::walk_finished() {
    if (!busy()) return;
    walk_over_ = true;
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

void import_state::finish(std::string now) {
    if (!busy()) return;
    if (!problems_.empty()) {
        std::string error;
        for (const auto& problem : problems_) error += (error.empty() ? "" : "; ") + problem;
        job_.error = std::move(error);
    }
    job_.state = job_state::idle;
    job_.finished_at = std::move(now);
    job_.current.reset();
    dirty_ = true;
}

} // namespace mediabase
