#pragma once
/// The bus: every mailbox and every message of Mediabase in one place, so the whole conversation between
/// services reads in one file.
///
///   Server  -> Core     start_import, get_import_status, get_settings, update_settings
///   Core    -> DAL(r)   load_known_files                 (reply: snapshot of known files)
///   Core    -> Scanner  scan_request                     (Scanner answers with movies_found*, scan_finished)
///   Core    -> DAL(w)   store_movies                     (reply: store_result, forwarded as batch_stored)
///   Server  -> DAL(r)   list_movies, get_movie, find_duplicates, list_genres, get_stats
///   Server  -> DAL(w)   patch_movie
///   Server  -> Pruner   prune_request                    (Pruner -> DAL(r) files_under_root,
///                                                          Pruner -> DAL(w) remove_files)
///   Core, Pruner -> Events   import/movie/prune events   (Server pushes them to WebSocket clients;
///                                                          `mediabase scan` prints them instead)

#include "mediabase/catalogue.hpp"
#include "mediabase/mailbox.hpp"
#include "mediabase/model.hpp"
#include "mediabase/settings.hpp"

#include <boost/json/object.hpp>

#include <memory>
#include <stop_token>
#include <string>
#include <variant>
#include <vector>

namespace mediabase {

/// Asks a service to stop once it has handled every message before this one.
struct stop_service {
    static constexpr const char* name = "stop_service";
};

// ---------------------------------------------------------------------------------------------- Core

struct start_import {
    static constexpr const char* name = "start_import";
    reply_to<import_job> reply; ///< the new job, or the running one if an import is already going
};

struct get_import_status {
    static constexpr const char* name = "get_import_status";
    reply_to<import_job> reply;
};

/// A batch of movies from the Scanner whose files are new or changed.
struct movies_found {
    static constexpr const char* name = "movies_found";
    std::int64_t job = 0;
    std::vector<found_movie> movies;
    std::int64_t unchanged_movies = 0; ///< movies seen whose files are all unchanged since the last import
    std::string current;               ///< the folder being walked
};

/// What walking the media folders found, once the walk is over.
struct scan_summary {
    std::int64_t folders = 0;
    std::int64_t video_files = 0;
    std::int64_t unchanged_files = 0;
    std::int64_t extras = 0;
    std::vector<std::string> unreadable; ///< folders that could not be read (logged and skipped)
    std::vector<std::string> missing_roots;
    bool cancelled = false;
};

struct scan_finished {
    static constexpr const char* name = "scan_finished";
    std::int64_t job = 0;
    scan_summary summary;
};

/// The DAL's answer to store_movies, forwarded into Core's mailbox.
struct batch_stored {
    static constexpr const char* name = "batch_stored";
    std::int64_t job = 0;
    std::int64_t requested = 0;
    std::optional<store_result> result; ///< nullopt: the DAL dropped the batch (shutting down)
    std::shared_ptr<const std::vector<found_movie>> movies; ///< the stored batch, to describe changes
};

/// Sent to Core by its own timer: publish throttled progress.
struct progress_tick {
    static constexpr const char* name = "progress_tick";
};

struct get_settings {
    static constexpr const char* name = "get_settings";
    reply_to<settings> reply;
};

/// A settings change (`PUT /api/v1/config`): applied, persisted, and answered with the new settings or an
/// error naming the bad field.
struct update_settings {
    static constexpr const char* name = "update_settings";
    boost::json::object changes;
    reply_to<std::variant<settings, settings_error>> reply;
};

using core_message = std::variant<stop_service, start_import, get_import_status, movies_found, scan_finished,
                                  batch_stored, progress_tick, get_settings, update_settings>;

// ------------------------------------------------------------------------------------------- Scanner

struct scan_request {
    static constexpr const char* name = "scan_request";
    std::int64_t job = 0;
    std::vector<std::string> roots;
    std::vector<std::string> extensions;
    std::shared_ptr<const known_files> known; ///< files whose stamp is unchanged are skipped unparsed
    std::stop_token stop;                      ///< Core cancels a walk in progress (shutdown)
};

using scanner_message = std::variant<stop_service, scan_request>;

// -------------------------------------------------------------------------------- DAL: writes (one writer)

struct store_movies {
    static constexpr const char* name = "store_movies";
    std::shared_ptr<const std::vector<found_movie>> movies;
    reply_to<store_result> reply;
};

struct remove_files {
    static constexpr const char* name = "remove_files";
    std::vector<std::string> paths;
    reply_to<std::vector<movie_change>> reply;
};

struct patch_movie {
    static constexpr const char* name = "patch_movie";
    movie_id id = 0;
    movie_patch patch;
    reply_to<std::optional<movie>> reply;
};

using dal_write_message = std::variant<stop_service, store_movies, remove_files, patch_movie>;

// ----------------------------------------------------------------------- DAL: reads (own connection)

struct load_known_files {
    static constexpr const char* name = "load_known_files";
    reply_to<std::shared_ptr<const known_files>> reply;
};

struct list_movies {
    static constexpr const char* name = "list_movies";
    movie_query query;
    reply_to<movie_page> reply;
};

struct get_movie {
    static constexpr const char* name = "get_movie";
    movie_id id = 0;
    reply_to<std::optional<movie>> reply;
};

/// Several movies at once (for events describing a stored batch).
struct get_movies {
    static constexpr const char* name = "get_movies";
    std::vector<movie_id> ids;
    reply_to<std::vector<movie>> reply;
};

struct find_duplicates {
    static constexpr const char* name = "find_duplicates";
    reply_to<std::vector<duplicate_group>> reply;
};

struct list_genres {
    static constexpr const char* name = "list_genres";
    reply_to<std::vector<std::string>> reply;
};

struct get_files_under_root {
    static constexpr const char* name = "get_files_under_root";
    std::string root;
    reply_to<std::vector<catalogued_file>> reply;
};

/// Library figures for the stats page, computed by the DAL.
struct get_stats {
    static constexpr const char* name = "get_stats";
    reply_to<boost::json::object> reply;
};

using dal_read_message = std::variant<stop_service, load_known_files, list_movies, get_movie, get_movies,
                                      find_duplicates, list_genres, get_files_under_root, get_stats>;

// -------------------------------------------------------------------------------------------- Pruner

/// A media root the pruner left alone, and why.
struct skipped_root {
    std::string root;
    std::string reason;
};

struct prune_result {
    std::int64_t checked = 0;                  ///< catalogued files looked at
    std::vector<movie_change> changes;         ///< movies removed or updated (lost a file)
    std::vector<std::string> removed_paths;    ///< files that vanished
    std::vector<skipped_root> skipped_roots;   ///< failsafe: missing or empty roots
};

struct prune_request {
    static constexpr const char* name = "prune_request";
    std::vector<std::string> roots;
    reply_to<prune_result> reply;
};

using pruner_message = std::variant<stop_service, prune_request>;

// ------------------------------------------------------------------------------------------- Events

/// An import job changed: `import.started`, `import.progress`, `import.finished`.
struct import_event {
    static constexpr const char* name = "import_event";
    enum class kind { started, progress, finished } type = kind::progress;
    import_job job;
};

/// `movie.added`, `movie.updated` (with the movie) and `movie.removed` (id only).
struct movie_event {
    static constexpr const char* name = "movie_event";
    change_kind type = change_kind::added;
    movie_id id = 0;
    std::optional<movie> subject;
};

struct prune_event {
    static constexpr const char* name = "prune_event";
    prune_result result;
};

/// `error`: something the user should know about (an unreadable folder, a failed batch).
struct error_event {
    static constexpr const char* name = "error_event";
    std::string message;
};

using event_message = std::variant<stop_service, import_event, movie_event, prune_event, error_event>;

/// Every mailbox of a running Mediabase. Bounds are per mailbox; when one is full its senders wait.
struct bus {
    mailbox<core_message> core;
    mailbox<scanner_message> scanner;
    mailbox<dal_write_message> dal_writes;
    mailbox<dal_read_message> dal_reads;
    mailbox<pruner_message> pruner;
    mailbox<event_message> events;
};

} // namespace mediabase
