#include "mediabase/model/model.hpp"

#include <chrono>
#include <ctime>

namespace mediabase {

const char* to_string(match_state s) {
    switch (s) {
    case match_state::unidentified: return "unidentified";
    case match_state::identified: return "identified";
    case match_state::review: return "review";
    case match_state::failed: return "failed";
    }
    return "unidentified";
}

std::optional<match_state> match_state_from_string(std::string_view s) {
    for (auto state : {match_state::unidentified, match_state::identified, match_state::review, match_state::failed})
        if (s == to_string(state)) return state;
    return std::nullopt;
}

const char* to_string(job_state s) {
    switch (s) {
    case job_state::idle: return "idle";
    case job_state::scanning: return "scanning";
    case job_state::identifying: return "identifying";
    }
    return "idle";
}

const char* to_string(import_trigger t) {
    switch (t) {
    case import_trigger::manual: return "manual";
    case import_trigger::watcher: return "watcher";
    case import_trigger::schedule: return "schedule";
    }
    return "manual";
}

std::string utc_now_iso8601() {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm parts{};
    gmtime_r(&now, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

movie movie_from(const found_movie& found) {
    movie m;
    m.title = found.title;
    m.year = found.year;
    m.tmdb_id = found.tmdb_id;
    m.imdb_id = found.imdb_id;
    m.files = found.files;
    return m;
}

found_movie found_from(const movie& m) {
    found_movie found;
    found.title = m.title;
    found.year = m.year;
    found.tmdb_id = m.tmdb_id;
    found.imdb_id = m.imdb_id;
    found.files = m.files;
    return found;
}

} // namespace mediabase
