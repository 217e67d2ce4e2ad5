#pragma once
/// The bus: every mailbox and every message of Mediabase in one place, so the whole conversation between
/// services reads in one file.
///
///   Server  -> Core     start_import, get_import_status, get_settings, update_settings
///   Core    -> DAL(r)   load_known_files                 (reply: snapshot of known files)
///   Core    -> Scanner  scan_request                     (Scanner answers with movies_found*, scan_finished)
///   Core    -> DAL(w)   store_movies                     (reply: store_result, forwarded as batch_stored)
///   Core    -> DAL(w)   move_files                       (known files found at new places; same reply)
///   Core    -> DAL(w)   record_import                    (a finished or stopped import, for the history)
///   Server  -> DAL(r)   list_imports                     (GET /api/v1/imports)
///   Watcher -> Core     changes_detected                 (Core imports, then asks the Pruner to prune)
///   Server  -> Watcher  get_watch_status                 (GET /config: watching live, or why not)
///   Core    -> Watcher  watch_folders                    (the media folders or watch settings changed)
///   Core    -> Scraper  identify_movies                  (online imports, in chunks: one identification per
///                                                          movie; then Core -> DAL(w) store_movies with the
///                                                          metadata, Core -> Cache cache_art, Core -> DAL(w)
///                                                          store_art; Core <- chunk_done)
///   Core    -> Scraper  providers_changed                (keys or provider URLs changed)
///   Server  -> Scraper  fetch_movie, identify_movie, search_tmdb   (fix a match, refresh, search)
///   Server  -> Scraper  check_provider_keys                        (Settings: test the keys)
///   Server  -> Cache    cache_art;  Server -> DAL(w) set_metadata
///   Server  -> DAL(r)   list_movies, get_movie, find_duplicates, list_genres, get_stats
///   Server  -> DAL(w)   patch_movie
///   Server  -> Pruner   prune_request                    (Pruner -> DAL(r) files_under_root,
///                                                          Pruner -> DAL(w) remove_files,
///                                                          Pruner -> Cache sweep_art)
///   Core, Server -> Cache release_art                    (the keys of a cache_art reply are stored)
///   Cache   -> DAL(r)   get_art_keys                     (what a sweep must keep)
///   Core, main -> Prober   probe_files                      (files were stored: read what they hold; Prober ->
///                                                          DAL(r) get_files_to_probe, Prober -> DAL(w)
///                                                          store_media_info)
///   Core, Pruner -> Events   import/movie/prune events   (Server pushes them to WebSocket clients;
///                                                          `mediabase scan` prints them instead)
///   DAL(w)  -> Events   catalogue_changed                (after each commit: the Server's cached answers
///                                                          are stale)
///   Core    -> DAL(w)   lock_import_roots, unlock_import_roots   (one import per root at a time across
///                                                          processes sharing a catalogue: advisory locks)
///   DAL(w)  => other servers   NOTIFY after each commit on a shared PostgreSQL catalogue (ids changed);
///   Listener -> Events  movie_event, catalogue_changed   (what another server changed: the same frames as
///                                                          a local change; own connection, LISTEN)
///   DAL     -> Health   database_report                  (a failure, a write that went through, or a
///                                                          request that went through on a new connection)
///   Core, Server -> Health get_database_health           (/healthz, and the cause a 503 or a failed
///                                                          import names)

#include "mediabase/store/backups.hpp"
#include "mediabase/store/catalogue.hpp"
#include "mediabase/runtime/mailbox.hpp"
#include "mediabase/model/model.hpp"
#include "mediabase/config/settings.hpp"

#include <boost/json/object.hpp>

#include <memory>
#include <stop_token>
#include <string>
#include <unordered_set>
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

/// Online imports: the Scanner takes a token before each movies_found and Core gives it back once the batch
/// is on its way to the Scraper. The walk waits for the network this way without Core ever blocking (Core
/// keeps answering status requests during a long online import). Holds `scan_batches_ahead` tokens.
using scan_gate = asio::experimental::concurrent_channel<void(error_code)>;
inline constexpr std::size_t scan_batches_ahead = 2;

/// A batch of movies from the Scanner whose files are new or changed.
struct movies_found {
    static constexpr const char* name = "movies_found";
    std::int64_t job = 0;
    std::vector<found_movie> movies;
    std::vector<file_move> moves;      ///< known files found at new places
    std::int64_t unchanged_movies = 0; ///< movies seen whose files are all unchanged since the last import
    std::string current;               ///< the folder being walked
    std::shared_ptr<scan_gate> gate;   ///< the walk's gate (scan_request::gate): Core gives the token back
    std::int64_t folders_walked = 0;   ///< folders walked so far in this walk
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
    std::int64_t moved_files = 0; ///< known files found at new places
    std::vector<std::string> failures; ///< walk_totals::failures: the walk is incomplete
    std::optional<std::string> error;  ///< the walk could not start (the catalogue could not be read)
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
    std::vector<movie> stored_movies; ///< the updated movies as the catalogue holds them
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

/// The Watcher saw files change under these folders (debounced), or a periodic rescan is due where watching
/// cannot work. Core imports (or queues one follow-up import if one is running), then prunes vanished files.
struct changes_detected {
    static constexpr const char* name = "changes_detected";
    std::vector<std::string> folders; ///< changed folders, or the media roots after an overflow or a rescan
    bool periodic = false;            ///< a periodic rescan, not an observed change
};

/// A chunk of an online import went through the Scraper, the DAL and the Cache (posted by Core's own chunk
/// pipeline, core::identify_chunk).
struct chunk_done {
    static constexpr const char* name = "chunk_done";
    std::int64_t job = 0;
    std::int64_t stored = 0;
    std::int64_t failed = 0;     ///< could not be stored
    std::int64_t identified = 0; ///< matched on TMDB (identified or review)
    std::int64_t art_cached = 0; ///< movies whose art is all in the cache
    std::int64_t unidentified = 0; ///< stored without a match: the lookup failed (match failed)
    std::int64_t added = 0;        ///< new movies in the catalogue
    std::int64_t updated = 0;      ///< stored movies that were not new: joined or changed an existing movie
    std::string current;           ///< a file of the chunk's last movie
    std::optional<std::string> error; ///< why movies of the chunk could not be stored
};

struct prune_hold; // the Pruner's section below

/// The Pruner held vanished files back, or what it held is gone (confirmed, or back on disk): Core keeps
/// the latest for `GET /import` and `GET /prune`, answered without waiting for a prune in progress.
struct prune_hold_changed {
    static constexpr const char* name = "prune_hold_changed";
    std::shared_ptr<const prune_hold> hold;
};

struct get_prune_hold {
    static constexpr const char* name = "get_prune_hold";
    reply_to<std::shared_ptr<const prune_hold>> reply;
};

using core_message = std::variant<stop_service, start_import, get_import_status, movies_found, scan_finished,
                                  batch_stored, progress_tick, get_settings, update_settings, changes_detected,
                                  chunk_done, prune_hold_changed, get_prune_hold>;

// ------------------------------------------------------------------------------------------- Scanner

struct scan_request {
    static constexpr const char* name = "scan_request";
    std::int64_t job = 0;
    std::vector<std::string> roots;
    std::vector<std::string> extensions;
    std::shared_ptr<const known_files> known; ///< files whose stamp is unchanged are skipped unparsed
    std::stop_token stop;                      ///< Core cancels a walk in progress (shutdown)
    std::shared_ptr<scan_gate> gate;           ///< online imports; null: post batches as fast as Core takes them
};

using scanner_message = std::variant<stop_service, scan_request>;

// -------------------------------------------------------------------------------- DAL: writes (one writer)

struct store_movies {
    static constexpr const char* name = "store_movies";
    std::shared_ptr<const std::vector<found_movie>> movies;
    reply_to<store_result> reply;
    /// Optional, one per movie: provider (or NFO) metadata laid over it in the same transaction (see
    /// catalogue::store_found). Null: the names' data only (offline imports).
    std::shared_ptr<const std::vector<std::optional<movie>>> metadata;
};

/// Art keys the Cache stored for movies of an import, in one transaction. Reply: movies updated.
struct store_art {
    static constexpr const char* name = "store_art";
    std::vector<art_update> updates;
    reply_to<std::int64_t> reply;
};

/// Replaces a movie's provider metadata and art (fix match, refresh). Reply: the movie, nullopt if gone.
struct set_metadata {
    static constexpr const char* name = "set_metadata";
    movie_id id = 0;
    movie metadata;
    reply_to<std::optional<movie>> reply;
};

/// Known files found at new places: each keeps its movie (catalogue::store_moves).
struct move_files {
    static constexpr const char* name = "move_files";
    std::shared_ptr<const std::vector<file_move>> moves;
    reply_to<store_result> reply;
};

struct remove_files {
    static constexpr const char* name = "remove_files";
    std::vector<std::string> paths;
    reply_to<std::vector<movie_change>> reply;
};

/// A person's change to their own marks (shared_state: the shared columns; see catalogue::patch_movie).
/// Reply: the movie as that person sees it; nullopt: no such movie; an api-level refusal is checked before.
struct patch_movie {
    static constexpr const char* name = "patch_movie";
    movie_id id = 0;
    movie_patch patch;
    person_id person = shared_state;
    reply_to<std::optional<movie>> reply;
};

/// A finished or stopped import, for the history (`GET /api/v1/imports`). No reply: a failure is logged.
struct record_import {
    static constexpr const char* name = "record_import";
    import_job job;
};

/// What logging in, adding an account or changing a password came to: the account (and the new session's id),
/// or why not (`refused`: a wrong name or password, said alike; `invalid`: a bad name or password).
struct account_outcome {
    std::optional<account> who;
    std::int64_t session_id = 0;
    std::vector<std::int64_t> ended_sessions; ///< change_password, end_sessions: their streams are closed
    std::vector<std::int64_t> ended_keys;     ///< delete_account: its keys' streams are closed too
    enum class failure { none, refused, invalid, exists, not_found, last_admin } error = failure::none;
    std::string message;
};

/// `POST /api/v1/session`: checks the password (Argon2id, on the writer thread: tens of milliseconds, bounded
/// by the login throttle) and starts a session stored as `token_digest`.
struct log_in {
    static constexpr const char* name = "log_in";
    std::string account_name;
    std::string password;
    std::string token_digest;
    std::string expires_at;
    std::string address;
    reply_to<account_outcome> reply;
};

/// Ends a session (log out), or every session of its account (`everywhere`).
struct end_sessions {
    static constexpr const char* name = "end_sessions";
    std::int64_t user_id = 0;
    std::int64_t session_id = 0;
    bool everywhere = false;
    reply_to<account_outcome> reply;
};

/// Adds an account (the first-run set-up page, an admin). The password is hashed here.
struct create_account {
    static constexpr const char* name = "create_account";
    std::string account_name;
    std::string password;
    std::string role;
    bool only_if_none = false; ///< the set-up page: refused once any account exists
    reply_to<account_outcome> reply;
};

/// Changes a password after checking the current one (`current`; skipped when `by_admin`), and ends the
/// account's other sessions.
struct change_password {
    static constexpr const char* name = "change_password";
    std::string account_name;
    std::string current;
    std::string replacement;
    bool by_admin = false;
    std::int64_t keep_session = 0;
    reply_to<account_outcome> reply;
};

/// Removes an account; its sessions and keys end (their ids come back to close their event streams).
struct delete_account {
    static constexpr const char* name = "delete_account";
    std::string account_name;
    reply_to<account_outcome> reply;
};

/// Stores a new API key (its digest only). Reply: the key as listed.
struct add_api_key {
    static constexpr const char* name = "add_api_key";
    std::int64_t user_id = 0;
    std::string key_name;
    std::string scope;
    std::string key_digest;
    std::string prefix;
    reply_to<api_key_info> reply;
};

/// Revokes one of an account's keys. Reply: whether it had it.
struct revoke_api_key {
    static constexpr const char* name = "revoke_api_key";
    std::int64_t user_id = 0;
    std::int64_t key_id = 0;
    reply_to<bool> reply;
};

/// A key was used (its last-used time). No reply; at most one a minute per key (the Server's rule).
struct touch_api_key {
    static constexpr const char* name = "touch_api_key";
    std::int64_t key_id = 0;
    std::string now;
};

/// What the Prober read from a batch of files (catalogue::store_media_info). Reply: how many were stored.
struct store_media_info {
    static constexpr const char* name = "store_media_info";
    std::vector<probed_file> results;
    reply_to<std::int64_t> reply;
};

/// Before an import walks its roots: takes this server's import lock of each (catalogue::lock_import_roots).
/// Reply: the roots another process of this server is importing (none taken then: the import is refused).
struct lock_import_roots {
    static constexpr const char* name = "lock_import_roots";
    std::vector<std::string> roots;
    reply_to<std::vector<std::string>> reply;
};

/// The import ended: its root locks are given back.
struct unlock_import_roots {
    static constexpr const char* name = "unlock_import_roots";
};

using dal_write_message = std::variant<stop_service, store_movies, move_files, remove_files, patch_movie, store_art,
                                       set_metadata, record_import, log_in, end_sessions, create_account,
                                       change_password, delete_account, add_api_key, revoke_api_key, touch_api_key,
                                       store_media_info, lock_import_roots, unlock_import_roots>;

/// The writer's commits left SQLite's write-ahead log this long: the Checkpointer copies it into the database
/// file on its own connection and thread (the writer's commits never wait for that flush).
struct checkpoint_wal {
    static constexpr const char* name = "checkpoint_wal";
};

/// The Checkpointer (SQLite only): a mailbox of one, so that requests made while it works count once.
using checkpoint_message = std::variant<stop_service, checkpoint_wal>;

// ----------------------------------------------------------------------- DAL: reads (own connection)

struct load_known_files {
    static constexpr const char* name = "load_known_files";
    reply_to<std::shared_ptr<const known_files>> reply;
    /// Leaves out the files of movies that still need a provider (catalogue::movies_to_identify), so an
    /// online import walks them as changed and identifies them again.
    bool retry_unmatched = false;
};

/// A page of movies as `person` sees them: the key of any cached answer is (catalogue generation, query, person).
struct list_movies {
    static constexpr const char* name = "list_movies";
    movie_query query;
    person_id person = shared_state;
    reply_to<movie_page> reply;
};

/// One movie as `person` sees it (their watched state, rating and list mark).
struct get_movie {
    static constexpr const char* name = "get_movie";
    movie_id id = 0;
    person_id person = shared_state;
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
/// The library figures; `watched` and the marks of the recent movies are `person`'s.
struct get_stats {
    static constexpr const char* name = "get_stats";
    person_id person = shared_state;
    reply_to<boost::json::object> reply;
};

/// The art keys movies use, for the Cache's sweep: every one (catalogue::art_keys), or those of `among`
/// (catalogue::art_keys_in_use).
struct get_art_keys {
    static constexpr const char* name = "get_art_keys";
    reply_to<std::shared_ptr<const std::unordered_set<std::string>>> reply;
    std::optional<std::vector<std::string>> among;
};

/// Copies the catalogue into `dir` (online backup API, through the reader's connection so writes go on), then
/// keeps the newest `keep` backups there. Reads wait while the copy runs.
struct backup_catalogue {
    static constexpr const char* name = "backup_catalogue";
    std::filesystem::path dir;
    std::string reason; ///< scheduled, manual
    int keep = 7;
    reply_to<backup_outcome> reply;
};

/// The newest imports, newest first (`GET /api/v1/imports?limit=`).
struct list_imports {
    static constexpr const char* name = "list_imports";
    int limit = 20;
    reply_to<std::vector<import_job>> reply;
};

/// Whose session cookie or API key this is (digests only), and how many accounts exist (a fresh install
/// answers 401 with how to make the first admin).
struct credential_lookup {
    std::optional<account_credential> found;
    std::int64_t accounts = 0;
};

struct resolve_credential {
    static constexpr const char* name = "resolve_credential";
    enum class kind { none, session, api_key, account_name } what = kind::none;
    std::string secret_digest; ///< session, api_key
    std::string account_name;  ///< account_name: a trusted proxy named the user
    std::string now;           ///< sessions expire
    reply_to<credential_lookup> reply;
};

/// Every account, and the API keys of one (`keys_of`, 0: none), for the accounts pages.
struct account_listing {
    std::vector<account> accounts;
    std::vector<api_key_info> keys;
};

struct list_accounts {
    static constexpr const char* name = "list_accounts";
    std::int64_t keys_of = 0;
    reply_to<account_listing> reply;
};

/// The Prober's next batch: files after id `after` whose media information is missing or out of date
/// (catalogue::files_to_probe).
struct get_files_to_probe {
    static constexpr const char* name = "get_files_to_probe";
    std::int64_t after = 0;
    std::size_t limit = 16;
    reply_to<std::vector<probe_target>> reply;
};

using dal_read_message = std::variant<stop_service, load_known_files, list_movies, get_movie, get_movies,
                                      find_duplicates, list_genres, get_files_under_root, get_stats, get_art_keys,
                                      backup_catalogue, list_imports, resolve_credential, list_accounts,
                                      get_files_to_probe>;

// ------------------------------------------------------------------------------------------- Scraper

/// Where a movie's art comes from. Files next to the movie win over the provider's images.
struct art_sources {
    std::optional<std::string> poster_url;    ///< provider image URL
    std::optional<std::string> backdrop_url;
    std::optional<std::string> poster_file;   ///< local art: poster.jpg, folder.jpg, <file>-poster.jpg ...
    std::optional<std::string> backdrop_file; ///< local art: fanart.jpg, backdrop.jpg ...
    [[nodiscard]] bool empty() const { return !poster_url && !backdrop_url && !poster_file && !backdrop_file; }
};

/// What the Scraper made of one movie. `metadata->match` says how it went: identified or review (matched on
/// TMDB), failed (the lookup failed; `identify_error` says why; retried next import), unidentified (offline:
/// what a local NFO says). nullopt: nothing beyond the file name (offline, no NFO).
struct identification {
    std::optional<movie> metadata;
    art_sources art;
    [[nodiscard]] bool matched() const {
        return metadata && (metadata->match == match_state::identified || metadata->match == match_state::review);
    }
};

/// Why a provider request of the Server could not be answered.
struct provider_failure {
    enum class kind { offline, not_found, no_match, unavailable, rejected } reason = kind::unavailable;
    std::string message;
};

/// The Scraper's answer to the Server: a value, or why there is none. (A struct, not a variant: GCC 12 warns
/// falsely about uninitialised members when such a variant is moved through a channel.)
template <class T>
struct provider_answer {
    T value{};
    bool failed = false;
    provider_failure failure; ///< when `failed`
};

/// One TMDB search result for the UI's "Fix match", best first.
struct tmdb_search_hit {
    std::int64_t tmdb_id = 0;
    std::string title;
    std::optional<std::string> original_title;
    std::optional<int> year;
    std::optional<std::string> overview;
    std::optional<std::string> poster_url; ///< a small size, for the Cache to fetch
    double confidence = 0;
};

/// Identifies a chunk of found movies (local NFO and art first). Reply: one identification per movie, in
/// order; a provider failure is an identification with match failed, never a dropped movie.
struct identify_movies {
    static constexpr const char* name = "identify_movies";
    std::shared_ptr<const std::vector<found_movie>> movies;
    reply_to<std::vector<identification>> reply;
};

/// Identifies one movie again (`POST /movies/{id}/refresh`): by its TMDB id if known, else title and year.
struct identify_movie {
    static constexpr const char* name = "identify_movie";
    found_movie found;
    reply_to<provider_answer<identification>> reply;
};

/// The movie with this TMDB id (`POST /movies/{id}/match`).
struct fetch_movie {
    static constexpr const char* name = "fetch_movie";
    std::int64_t tmdb_id = 0;
    reply_to<provider_answer<identification>> reply;
};

/// `GET /tmdb/search`.
struct search_tmdb {
    static constexpr const char* name = "search_tmdb";
    std::string query;
    std::optional<int> year;
    reply_to<provider_answer<std::vector<tmdb_search_hit>>> reply;
};

/// What a provider said about its key.
struct key_check {
    std::string status = "missing"; ///< "ok", "invalid" (rejected), "unreachable", "missing" (no key set)
    std::string message;            ///< in words a user can read; never the key itself
};

/// `POST /providers/check`: one small authenticated request to TMDB and to OMDB with the saved keys.
struct check_provider_keys {
    static constexpr const char* name = "check_provider_keys";
    struct report {
        key_check tmdb;
        key_check omdb;
    };
    reply_to<report> reply;
};

/// Keys or provider URLs changed (`PUT /config`): later requests use a client built from these settings.
struct providers_changed {
    static constexpr const char* name = "providers_changed";
    settings config;
};

using scraper_message =
    std::variant<stop_service, identify_movies, identify_movie, fetch_movie, search_tmdb, providers_changed,
                 check_provider_keys>;

// --------------------------------------------------------------------------------------------- Cache

/// Art keys (file names under the art dir) of one movie.
struct cached_art {
    std::optional<std::string> poster;
    std::optional<std::string> backdrop;
    bool complete = true; ///< false: a source was given but could not be cached (retried next import)
};

/// Downloads or copies art into the cache. Reply: one cached_art per item, in order.
struct cache_art {
    static constexpr const char* name = "cache_art";
    std::vector<art_sources> items;
    reply_to<std::vector<cached_art>> reply;
};

/// The keys of a cache_art reply are now stored on their movies, or no longer wanted: the Cache may remove
/// them once no movie uses them. Every holder of a cache_art reply sends this once, with every key of it.
struct release_art {
    static constexpr const char* name = "release_art";
    std::vector<std::string> keys;
};

/// What a sweep of the art cache removed.
struct art_sweep_result {
    std::int64_t removed = 0; ///< images no movie uses any more
    std::int64_t bytes = 0;   ///< their size
};

/// Removes cached images no movie uses (after a prune, a fixed match, and at start-up). Images handed out and
/// not yet released are kept: an import in flight is about to store them.
struct sweep_art {
    static constexpr const char* name = "sweep_art";
    reply_to<art_sweep_result> reply; ///< may be empty: nobody waits
    /// The keys that may have become unused (the art of pruned movies, a fixed movie's old art): only these
    /// are looked at. nullopt: the whole cache (start-up).
    std::optional<std::vector<std::string>> only;
};

using cache_message = std::variant<stop_service, cache_art, release_art, sweep_art>;

// -------------------------------------------------------------------------------------------- Pruner

/// A media root the pruner left alone, and why.
struct skipped_root {
    std::string root;
    std::string reason;
};

/// A movie a held prune would remove or change, as the UI lists it.
struct held_movie {
    movie_id id = 0;
    std::string title;
    std::optional<int> year;
};

/// Vanished files the failsafe kept in the catalogue (see plan_root_prune): they go only when the user
/// confirms (`POST /api/v1/prune {"confirm": true}`).
struct held_files {
    std::string root;
    std::string folder;  ///< the folder judged offline, or the root when the share limit held them
    std::string reason;  ///< for people: why nothing was removed
    std::vector<std::string> paths;
    std::vector<movie_id> movies;     ///< the movies that would lose these files, each once
    std::vector<held_movie> described; ///< the first `held_described_movies` of them, with titles
};

/// Held movies described with their titles, per group, at most (the count is always whole).
inline constexpr std::size_t held_described_movies = 200;

/// What the last prune held back, waiting for the user (empty: nothing waits).
struct prune_hold {
    std::vector<held_files> groups;
    std::optional<std::string> since; ///< when the prune that held them ran
};

struct prune_result {
    std::int64_t checked = 0;                  ///< catalogued files looked at
    std::vector<movie_change> changes;         ///< movies removed or updated (lost a file)
    std::vector<std::string> removed_paths;    ///< files that vanished
    std::vector<skipped_root> skipped_roots;   ///< failsafe: missing or empty roots
    std::int64_t art_removed = 0;              ///< cached images of removed movies, deleted
    std::vector<held_files> held;              ///< failsafe: vanished files kept until the user confirms
};

/// Who asked for a prune, which decides what the failsafe allows (pruner.hpp states the rules).
enum class prune_mode {
    automatic, ///< after an import the Watcher or a periodic rescan started: the share limit applies
    manual,    ///< `POST /api/v1/prune`: the user asked; offline roots and folders are still held
    confirm,   ///< `POST /api/v1/prune {"confirm": true}`: removes what the last prune held, if still gone
};

struct prune_request {
    static constexpr const char* name = "prune_request";
    std::vector<std::string> roots;
    reply_to<prune_result> reply;
    std::vector<std::string> extensions; ///< video file extensions: what the failsafe looks for
    prune_mode mode = prune_mode::manual;
};

using pruner_message = std::variant<stop_service, prune_request>;

// ------------------------------------------------------------------------------------------- Watcher

/// What to watch: sent by Core when the media folders or the watch settings change.
struct watch_folders {
    static constexpr const char* name = "watch_folders";
    std::vector<std::string> roots;
    std::vector<std::string> extensions;
    bool enabled = true;
    int rescan_interval_seconds = 3600;
};

/// What the Watcher does, for `GET /api/v1/config`.
struct watch_status {
    bool enabled = false;     ///< settings.watch
    bool watching = false;    ///< every media folder is watched live (inotify)
    std::int64_t folders = 0; ///< folders watched
    std::optional<std::string> fallback_reason; ///< why some media folder is rescanned periodically instead
};

/// Answered once the folders are watched (or not): at start-up that is after the first watches are set.
struct get_watch_status {
    static constexpr const char* name = "get_watch_status";
    reply_to<watch_status> reply;
};

using watcher_message = std::variant<stop_service, watch_folders, get_watch_status>;

// -------------------------------------------------------------------------------------------- Prober

/// Files were stored: the Prober reads the new and changed ones (container, duration, streams), a batch at
/// a time, on its own thread. `from_start`: look at every file again (a changed file keeps its id; sent at
/// start-up and when an import ends); else only at files after the last one looked at (new files get
/// higher ids; sent after each stored batch). Senders use try_send: a full mailbox already holds a request
/// that makes the Prober look, so the one that does not fit is dropped, and the import never waits.
struct probe_files {
    static constexpr const char* name = "probe_files";
    bool from_start = false;
};

using prober_message = std::variant<stop_service, probe_files>;

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

/// The DAL writer committed a write (sent after its reply): answers the Server cached before it are stale.
/// `by_import`: an import's batch, art or prune (the Server may gather these; see movies_window).
struct catalogue_changed {
    static constexpr const char* name = "catalogue_changed";
    bool by_import = false;
};

using event_message =
    std::variant<stop_service, import_event, movie_event, prune_event, error_event, catalogue_changed>;

// ----------------------------------------------------------------------------------------- Listener

/// The Listener (PostgreSQL only) hears, on a connection of its own, what the other servers sharing the
/// catalogue announce, and posts it to Events as movie_event and catalogue_changed. It reads nothing else.
using listener_message = std::variant<stop_service>;

// ------------------------------------------------------------------------------------------- Health

/// What a request that went through proves of the database.
enum class database_proof {
    a_write,         ///< a write went through: a passing failure (a full disk) is over
    a_new_connection ///< a request went through on a new connection: the database server can be reached again
};

/// What a DAL thread saw of the database: `failure` (as SQLite or libpq worded it), or nullopt when a request
/// went through, with what that proves. Sent before the request it concerns is answered or dropped, so
/// whoever then asks get_database_health hears the cause.
struct database_report {
    static constexpr const char* name = "database_report";
    std::optional<std::string> failure;
    database_proof proof = database_proof::a_write;
};

/// The database's state as reported so far (`/healthz`, and the cause a 503 or a failed import names).
struct get_database_health {
    static constexpr const char* name = "get_database_health";
    reply_to<database_health::status> reply;
};

using health_message = std::variant<stop_service, database_report, get_database_health>;

/// Every mailbox of a running Mediabase. Bounds are per mailbox; when one is full its senders wait.
struct bus {
    mailbox<core_message> core;
    mailbox<scanner_message> scanner;
    mailbox<dal_write_message> dal_writes;
    mailbox<dal_read_message> dal_reads;
    mailbox<checkpoint_message> checkpoints;
    mailbox<pruner_message> pruner;
    mailbox<event_message> events;
    mailbox<watcher_message> watcher;
    mailbox<scraper_message> scraper; ///< identify_movies come in chunks, bounded by Core's credits
    mailbox<cache_message> cache;
    mailbox<prober_message> prober;
    /// On the network thread, never behind the DAL: asking it costs a hop, not a query.
    mailbox<health_message> health;
    mailbox<listener_message> listener;
};

/// The database's state as Health has it; a sound state when Health is gone (shutting down).
inline asio::awaitable<database_health::status> database_status(bus& b) {
    auto status = co_await ask<database_health::status>(b.health, [](auto reply) {
        return get_database_health{std::move(reply)};
    });
    co_return status.value_or(database_health::status{});
}

/// Why the database failed, for a message: the failure Health has, or that the database did not answer.
inline asio::awaitable<std::string> database_problem(bus& b) {
    const auto status = co_await database_status(b);
    co_return status.error ? *status.error : std::string("the database did not answer");
}

} // namespace mediabase
