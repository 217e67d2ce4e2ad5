// The JSON shapes of the API (PRODUCT.md, "Shapes"). Every string goes through display_utf8, so the output is
// valid JSON whatever bytes a file name or a local NFO brought in.
#include "mediabase/model/movie_json.hpp"

#include <boost/json/value.hpp>

#include <ctime>

namespace mediabase {

namespace {

boost::json::value text_or_null(const std::optional<std::string>& s) {
    if (!s) return nullptr;
    return boost::json::value(display_utf8(*s));
}

template <class T> boost::json::value number_or_null(const std::optional<T>& v) {
    if (!v) return nullptr;
    return boost::json::value(*v);
}

boost::json::value art_url(const std::optional<std::string>& key) {
    if (!key || key->empty()) return nullptr;
    return boost::json::value("/img/" + display_utf8(*key));
}

boost::json::array names(const std::vector<credit>& credits) {
    boost::json::array array;
    for (const auto& c : credits)
        array.emplace_back(display_utf8(c.name));
    return array;
}

boost::json::array texts(const std::vector<std::string>& items) {
    boost::json::array array;
    for (const auto& item : items)
        array.emplace_back(display_utf8(item));
    return array;
}

/// "2026-11-25T12:00:00Z" for a time in nanoseconds since the Unix epoch.
std::string iso8601_from_ns(std::int64_t ns) {
    // Floor division, so times before 1970 land on the right second.
    auto seconds = ns / 1'000'000'000;
    if (ns % 1'000'000'000 < 0) --seconds;
    const auto t = static_cast<std::time_t>(seconds);
    std::tm parts{};
    gmtime_r(&t, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

/// Length of the valid UTF-8 sequence at the start of `s`, or 0 (RFC 3629: no overlong forms, no surrogates,
/// nothing above U+10FFFF). `prefix` gets how many leading bytes could start a valid sequence.
std::size_t valid_sequence(std::string_view s, std::size_t& prefix) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char lead = byte(0);
    prefix = 1;
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;
        if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;
        if (lead == 0xF4) high = 0x8F;
    } else {
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        if (i >= s.size()) return 0;
        const auto c = byte(i);
        const auto lo = i == 1 ? low : static_cast<unsigned char>(0x80);
        const auto hi = i == 1 ? high : static_cast<unsigned char>(0xBF);
        if (c < lo || c > hi) return 0;
        prefix = i + 1;
    }
    return length;
}

} // namespace

std::string display_utf8(std::string_view raw) {
    std::string out;
    std::size_t i = 0;
    std::size_t prefix = 0;
    // Most names are valid: copy them as they are.
    while (i < raw.size()) {
        const auto n = valid_sequence(raw.substr(i), prefix);
        if (n == 0) break;
        i += n;
    }
    if (i == raw.size()) return std::string(raw);
    out.reserve(raw.size() + 8);
    out.append(raw.substr(0, i));
    while (i < raw.size()) {
        const auto n = valid_sequence(raw.substr(i), prefix);
        if (n != 0) {
            out.append(raw.substr(i, n));
            i += n;
        } else {
            // One U+FFFD for each maximal invalid subpart (the Unicode "best practice").
            out += "\xEF\xBF\xBD";
            i += prefix;
        }
    }
    return out;
}

boost::json::object to_json(const media_info& m) {
    boost::json::object o;
    const bool ok = m.state == media_info::state_type::ok;
    o["state"] = ok ? "ok" : "unreadable";
    o["error"] = text_or_null(m.error);
    o["container"] = text_or_null(m.container);
    o["duration_ms"] = number_or_null(m.duration_ms);
    if (m.video_codec) {
        boost::json::object video;
        video["codec"] = *m.video_codec;
        video["width"] = number_or_null(m.width);
        video["height"] = number_or_null(m.height);
        video["hdr"] = text_or_null(m.hdr);
        o["video"] = std::move(video);
    } else {
        o["video"] = nullptr;
    }
    boost::json::array audio;
    for (const auto& a : m.audio)
        audio.push_back(boost::json::object{
            {"codec", a.codec}, {"channels", number_or_null(a.channels)}, {"language", text_or_null(a.language)}});
    o["audio"] = std::move(audio);
    boost::json::array subtitles;
    for (const auto& s : m.subtitles)
        subtitles.push_back(boost::json::object{{"codec", s.codec}, {"language", text_or_null(s.language)}});
    o["subtitles"] = std::move(subtitles);
    return o;
}

boost::json::object to_json(const media_file& f) {
    boost::json::object o;
    o["id"] = f.id;
    o["path"] = display_utf8(f.path);
    o["size"] = f.stamp.size;
    o["mtime"] = iso8601_from_ns(f.stamp.mtime_ns);
    o["resolution"] = text_or_null(f.resolution);
    o["source"] = text_or_null(f.source);
    o["video_codec"] = text_or_null(f.video_codec);
    o["audio_codec"] = text_or_null(f.audio_codec);
    o["edition"] = text_or_null(f.edition);
    o["part"] = number_or_null(f.part);
    o["container"] = text_or_null(f.container);
    o["three_d"] = f.three_d;
    // Which server holds the file (several servers may share one catalogue).
    o["server"] = f.server.empty() ? boost::json::value(nullptr) : boost::json::value(display_utf8(f.server));
    if (f.media) o["media"] = to_json(*f.media);
    return o;
}

boost::json::object to_json(const movie& m) {
    boost::json::object o;
    o["id"] = m.id;
    o["title"] = display_utf8(m.title);
    o["original_title"] = text_or_null(m.original_title);
    o["year"] = number_or_null(m.year);
    o["overview"] = text_or_null(m.overview);
    o["tagline"] = text_or_null(m.tagline);
    o["runtime"] = number_or_null(m.runtime);
    o["genres"] = texts(m.genres);
    o["countries"] = texts(m.countries);
    o["directors"] = names(m.directors);
    o["writers"] = names(m.writers);
    boost::json::array cast;
    for (const auto& c : m.cast)
        cast.emplace_back(
            boost::json::object{{"name", display_utf8(c.name)}, {"role", text_or_null(c.role)}});
    o["cast"] = std::move(cast);
    o["certification"] = text_or_null(m.certification);
    o["collection"] = text_or_null(m.collection);
    o["tmdb_id"] = number_or_null(m.tmdb_id);
    o["imdb_id"] = text_or_null(m.imdb_id);
    o["poster"] = art_url(m.poster);
    o["backdrop"] = art_url(m.backdrop);
    o["imdb_rating"] = number_or_null(m.imdb_rating);
    o["imdb_votes"] = number_or_null(m.imdb_votes);
    o["metascore"] = number_or_null(m.metascore);
    o["awards"] = text_or_null(m.awards);
    o["vote_average"] = number_or_null(m.vote_average);
    o["vote_count"] = number_or_null(m.vote_count);
    o["watched"] = m.watched;
    o["rating"] = number_or_null(m.rating);
    o["on_list"] = m.on_list;
    o["match"] = to_string(m.match);
    o["match_confidence"] = number_or_null(m.match_confidence);
    o["identify_error"] = text_or_null(m.identify_error);
    o["needs_review"] = m.match == match_state::review;
    o["added_at"] = m.added_at;
    o["updated_at"] = m.updated_at;
    boost::json::array files;
    for (const auto& f : m.files)
        files.emplace_back(to_json(f));
    o["files"] = std::move(files);
    return o;
}

boost::json::object to_shared_json(const movie& m) {
    auto o = to_json(m);
    o.erase("watched");
    o.erase("rating");
    o.erase("on_list");
    return o;
}

boost::json::object to_json(const import_counts& c) {
    return {{"found", c.found},   {"skipped", c.skipped},       {"identified", c.identified},
            {"stored", c.stored}, {"art_cached", c.art_cached}, {"failed", c.failed},
            {"unidentified", c.unidentified}, {"files", c.files}, {"added", c.added}, {"updated", c.updated}};
}

boost::json::object to_json(const import_progress& p) {
    boost::json::object o;
    o["percent"] = p.percent ? boost::json::value(*p.percent) : boost::json::value(nullptr);
    o["measure"] = p.measure;
    o["done"] = p.done;
    o["total"] = p.total;
    o["eta_seconds"] = p.eta_seconds ? boost::json::value(*p.eta_seconds) : boost::json::value(nullptr);
    return o;
}

boost::json::object to_json(const import_job& job) {
    boost::json::object o;
    o["id"] = job.id;
    o["state"] = to_string(job.state);
    o["started_at"] = text_or_null(job.started_at);
    o["finished_at"] = text_or_null(job.finished_at);
    o["counts"] = to_json(job.counts);
    o["current"] = text_or_null(job.current);
    o["error"] = text_or_null(job.error);
    boost::json::array warnings;
    for (const auto& w : job.warnings) warnings.emplace_back(w);
    o["warnings"] = std::move(warnings);
    o["trigger"] = to_string(job.trigger);
    o["folders"] = job.folders;
    o["duration_ms"] = job.duration_ms ? boost::json::value(*job.duration_ms) : boost::json::value(nullptr);
    o["progress"] = to_json(job.progress);
    return o;
}

boost::json::object to_json(const movie_page& page) {
    boost::json::array movies;
    for (const auto& m : page.movies)
        movies.emplace_back(to_json(m));
    return {{"total", page.total}, {"movies", std::move(movies)}};
}

} // namespace mediabase
