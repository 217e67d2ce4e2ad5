#pragma once
/// Domain types shared by every service: what a movie, a media file and an import job are.
/// Plain data only: no Asio, no SOCI, so every unit can use them without an event loop.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mediabase {

using movie_id = std::int64_t;

/// What the scanner records about a file to tell whether it changed since the last import.
struct file_stamp {
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0; ///< modification time, nanoseconds since the Unix epoch
    friend bool operator==(const file_stamp&, const file_stamp&) = default;
};

/// An audio stream of a file, as its container describes it.
struct audio_stream {
    std::string codec;                   ///< libavcodec's name: "aac", "ac3", "eac3", "dts", "truehd", "flac" ...
    std::optional<int> channels;
    std::optional<std::string> language; ///< the stream's language tag as written ("eng", "deu"); none for "und"
    friend bool operator==(const audio_stream&, const audio_stream&) = default;
};

/// A subtitle stream inside a file.
struct subtitle_stream {
    std::string codec; ///< "subrip", "ass", "hdmv_pgs_subtitle", "dvd_subtitle" ...
    std::optional<std::string> language;
    friend bool operator==(const subtitle_stream&, const subtitle_stream&) = default;
};

/// What reading the file itself (its container, with libavformat) told about it: the Prober's result.
struct media_info {
    enum class state_type { ok, unreadable };
    state_type state = state_type::ok;
    std::optional<std::string> error; ///< unreadable: why (not a media file, truncated, timed out ...)
    file_stamp stamp;                 ///< the file as it was when probed
    std::optional<std::string> container; ///< the demuxer: "matroska", "mov", "avi", "mpegts" ...
    std::optional<std::int64_t> duration_ms;
    std::optional<std::string> video_codec; ///< "h264", "hevc", "av1", "mpeg4" ...
    std::optional<int> width;
    std::optional<int> height;
    std::optional<std::string> hdr; ///< "HDR10", "HLG", "Dolby Vision"; none: SDR or not told
    std::vector<audio_stream> audio;
    std::vector<subtitle_stream> subtitles;
    friend bool operator==(const media_info&, const media_info&) = default;
};

/// One file on disk that belongs to a movie (a version or a part of it).
struct media_file {
    std::int64_t id = 0;
    std::string path; ///< absolute path, raw bytes as the filesystem gave them (may be invalid UTF-8)
    std::string root; ///< the media root it was found under
    file_stamp stamp;
    std::optional<std::string> resolution; ///< "2160p", "1080p", "720p", "480p" ...
    std::optional<std::string> source;     ///< "BluRay", "Remux", "WEB-DL", "WEBRip", "HDTV", "DVD" ...
    std::optional<std::string> video_codec;
    std::optional<std::string> audio_codec;
    std::optional<std::string> edition;
    std::optional<std::string> container; ///< "mkv", "mp4", "bdmv", "video_ts" ...
    std::optional<int> part;              ///< 1-based part number of a multi-part movie
    bool three_d = false;
    /// Fingerprint of the NFO and art files that describe it (names, sizes, mtimes); 0: none. A change makes
    /// the file count as changed, so an edited NFO or a new poster is read by the next import.
    std::int64_t sidecar_stamp = 0;
    /// The Mediabase server that scans it (`--server-name`): on a catalogue several servers share, the one
    /// that holds the file. Set by the catalogue.
    std::string server;
    /// What the file itself says (the Prober reads it after the file is stored); none: not read yet. The
    /// name's codecs above stay: they are what is shown until then, and for files that cannot be read.
    std::optional<media_info> media;
};

/// A person credited on a movie.
struct credit {
    std::string name;
    std::optional<std::string> role; ///< character for cast, job for crew
};

/// How sure Mediabase is that a movie's metadata belongs to its files.
enum class match_state {
    unidentified, ///< only what the file name (or a local NFO) says
    identified,   ///< matched with a provider with good confidence
    review,       ///< matched, but the confidence is low: the user should check it
    failed,       ///< identification was attempted and failed (see identify_error); retried next import
};

/// A movie in the catalogue with the files that hold it.
struct movie {
    movie_id id = 0;
    std::string title;
    std::optional<std::string> original_title;
    std::optional<int> year;
    std::optional<std::string> overview;
    std::optional<std::string> tagline;
    std::optional<int> runtime; ///< minutes
    std::vector<std::string> genres;
    std::vector<std::string> countries;
    std::vector<credit> directors;
    std::vector<credit> writers;
    std::vector<credit> cast; ///< top billed, in billing order
    std::optional<std::string> certification;
    std::optional<std::string> collection;
    std::optional<std::int64_t> tmdb_id;
    std::optional<std::string> imdb_id;
    std::optional<std::string> poster;   ///< art cache key (file name under the art dir), or null
    std::optional<std::string> backdrop; ///< art cache key, or null
    std::optional<double> imdb_rating;
    std::optional<std::int64_t> imdb_votes;
    std::optional<int> metascore;
    std::optional<std::string> awards;
    std::optional<double> vote_average; ///< TMDB
    std::optional<std::int64_t> vote_count;
    // The requester's own marks (user_movie_state); without an account, the shared columns of `movies`.
    bool watched = false;
    std::optional<int> rating; ///< the user's personal rating, 1..10
    bool on_list = false;      ///< on the requester's list ("on my list"); always false without an account
    match_state match = match_state::unidentified;
    std::optional<double> match_confidence; ///< 0..1
    std::optional<std::string> identify_error;
    std::string added_at;   ///< ISO 8601 UTC, "2026-11-25T12:00:00Z"
    std::string updated_at; ///< ISO 8601 UTC
    std::vector<media_file> files;
};

const char* to_string(match_state s);
std::optional<match_state> match_state_from_string(std::string_view s);

/// Counters of one import job, as shown to the user.
struct import_counts {
    std::int64_t found = 0;      ///< movies the scanner found
    std::int64_t skipped = 0;    ///< found movies whose files are all unchanged
    std::int64_t identified = 0; ///< movies matched with a provider
    std::int64_t stored = 0;     ///< movies written to the catalogue
    std::int64_t art_cached = 0; ///< movies whose art is in the cache
    std::int64_t failed = 0;     ///< movies that could not be stored
    /// Movies stored without a match because the lookup failed (an outage, a rejected key, no match); they
    /// carry the reason and are looked up again on the next online import.
    std::int64_t unidentified = 0;
    std::int64_t files = 0;   ///< video files the walk saw (new, changed and unchanged)
    std::int64_t added = 0;   ///< new movies in the catalogue
    std::int64_t updated = 0; ///< found movies that joined an existing movie (another version) or changed one
    friend bool operator==(const import_counts&, const import_counts&) = default;
};

/// How far an import is, by a stated measure: while the walk runs, folders walked of the folders the last
/// import walked (the first 90 %); once the walk is over, movies handled of those still in flight then.
struct import_progress {
    std::optional<int> percent; ///< 0..100, never goes back; null while nothing says how far (a first walk)
    std::string measure = "folders"; ///< "folders" or "movies": what done/total count
    std::int64_t done = 0;
    std::int64_t total = 0; ///< 0: unknown
    std::optional<std::int64_t> eta_seconds; ///< once at least 5 % is done and 3 s have passed
};

/// What started an import.
enum class import_trigger { manual, watcher, schedule };
const char* to_string(import_trigger t);

enum class job_state { idle, scanning, identifying };
const char* to_string(job_state s);

/// The status of the current or last import job (`GET /api/v1/import`).
struct import_job {
    std::int64_t id = 0; ///< 0: no import has run since the server started
    job_state state = job_state::idle;
    std::optional<std::string> started_at;
    std::optional<std::string> finished_at;
    import_counts counts;
    std::optional<std::string> current; ///< path being handled: the folder walked, then the movie stored
    std::optional<std::string> error;   ///< why the job ended early, if it did
    /// What the user should look at although the job ran to its end: folders that are missing or could
    /// not be read, movies that could not be stored or identified. Each says what to do.
    std::vector<std::string> warnings;
    import_trigger trigger = import_trigger::manual;
    std::int64_t folders = 0;                ///< folders walked so far
    std::optional<std::int64_t> duration_ms; ///< once finished
    import_progress progress;
};

/// A movie as the scanner found it on disk: one or more files (versions or parts) and what their names say.
struct found_movie {
    std::string title;
    /// Another title the name gives ("Northern Winds (Vents du Nord)"), searched too when identifying.
    std::optional<std::string> alternative_title;
    std::optional<int> year;
    std::optional<std::int64_t> tmdb_id; ///< from an id in the name or a local NFO
    std::optional<std::string> imdb_id;
    std::vector<media_file> files; ///< id is 0; path, root, stamp and the parsed fields are set
    /// An NFO or an image lies in its folder (the walk saw one in the listing): offline imports read them
    /// too, not only the name.
    bool local_metadata = false;
};

/// A catalogued file found at a new place (a rename or move on disk): a new path whose file name, size and
/// mtime match a catalogued file that is gone from disk. It is moved in the catalogue instead of added, so
/// its movie keeps its id, watched state and rating.
struct file_move {
    std::string from;   ///< the catalogued path, no longer on disk
    movie_id movie = 0; ///< the movie the file belongs to
    found_movie found;  ///< what the new name says, with the one file at its new place
};

/// What a found movie says, as a movie: title, year, ids and files; no id, no provider data.
movie movie_from(const found_movie& found);

/// A catalogued movie as found again (ids, title, year, files): the Scraper's input for a refresh.
found_movie found_from(const movie& m);

/// Current UTC time as ISO 8601 with seconds ("2026-11-25T12:00:00Z").
std::string utc_now_iso8601();

} // namespace mediabase
