#pragma once
/// The catalogue: the movie database (SOCI over SQLite). Blocking calls, no Asio: the DAL actor owns one
/// catalogue for writes and another for reads, each on its own thread, so reads never wait behind an import
/// (SQLite WAL lets one writer and many readers work at once).

#include "mediabase/model/model.hpp"
#include "mediabase/store/accounts.hpp"
#include "mediabase/store/database_url.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace mediabase {

/// Files the catalogue knows, by absolute path: what a rescan compares against to skip unchanged files.
struct known_file {
    file_stamp stamp;
    movie_id movie = 0;
    std::int64_t sidecar_stamp = 0; ///< media_file::sidecar_stamp when it was stored
};
using known_files = std::unordered_map<std::string, known_file>;

/// Whose watched state, rating and list a read shows and a change writes: an account's id (user_movie_state),
/// or `shared_state` for a request with no account (a trusted address), which uses the shared columns of
/// `movies`. Reads take it as an explicit parameter: the same query answers differently per person.
using person_id = std::int64_t;
inline constexpr person_id shared_state = 0;

enum class movie_sort { title, year, added, rating, runtime };
std::optional<movie_sort> movie_sort_from_string(std::string_view s);

/// A page of the movie list (`GET /api/v1/movies`).
struct movie_query {
    std::string text; ///< full-text search over title, original title, overview, people; empty: all
    movie_sort sort = movie_sort::title;
    bool descending = false;
    int limit = 50;  ///< 1..1000
    int offset = 0;  ///< >= 0
    std::optional<std::string> genre;
    std::optional<int> year_from;
    std::optional<int> year_to;
    std::optional<bool> watched;           ///< the requester's watched state
    std::optional<bool> on_list;           ///< on the requester's list (needs an account)
    std::optional<std::string> resolution; ///< movies with at least one file of this resolution
    std::optional<match_state> match;      ///< e.g. failed: the movies a provider could not identify
};

struct movie_page {
    std::int64_t total = 0; ///< movies matching the query, ignoring limit/offset
    std::vector<movie> movies; ///< with their files
};

/// What `PATCH /api/v1/movies/{id}` may change.
struct movie_patch {
    std::optional<bool> watched;
    std::optional<std::optional<int>> rating; ///< set (1..10) or clear (nullopt inside)
    std::optional<bool> on_list;              ///< needs a person: the shared columns have no list
};

enum class change_kind { added, updated, removed };

/// A movie the catalogue added, changed or removed, for `movie.*` events.
struct movie_change {
    change_kind kind = change_kind::added;
    movie_id id = 0;
    std::size_t source_index = 0; ///< store_found: index of the found movie in the batch that caused it
};

/// What storing a batch of found movies did.
struct store_result {
    std::vector<movie_change> changes; ///< one per movie added or updated
    std::int64_t stored = 0;           ///< found movies written (new or changed files)
    std::int64_t failed = 0;           ///< found movies that could not be written (logged)
    /// store_found: per found movie of the batch, in order, the movie it was stored as (0: not stored).
    std::vector<movie_id> ids;
    std::optional<std::string> error; ///< why the batch could not be written, when it could not
};

/// The catalogue database's health as the DAL reported it (kept by the Health service, one thread). A
/// failure stays reported until a later write goes through; a database server that could not be reached,
/// until any request goes through on a new connection; a damaged file ("malformed", "not a database") stays
/// reported until restart.
class database_health {
public:
    struct status {
        std::optional<std::string> error; ///< the last failure, as SQLite or libpq worded it
        std::optional<std::string> since; ///< when it happened
        bool damaged = false;             ///< the file itself is corrupt: restore a backup
        bool unavailable = false;         ///< the database server cannot be reached (PostgreSQL)
        std::int64_t failures = 0;        ///< failed operations since start
    };
    void failed(const std::string& what);
    /// A write went through: any failure but a damaged file is over.
    void succeeded();
    /// A request went through on a new connection: the database server can be reached again (a failure of
    /// another kind, such as the server's full disk, stays until a write goes through).
    void reached_again();
    [[nodiscard]] const status& get() const { return status_; }

private:
    status status_;
};

/// Art keys cached for a movie during an import. A key left out keeps the movie's current art.
struct art_update {
    movie_id id = 0;
    std::optional<std::string> poster;
    std::optional<std::string> backdrop;
    bool retry = false; ///< some of its art could not be cached: the next online import tries again
};

/// Movies with more than one entry for what looks like the same film (same TMDB id, or same normalised
/// title and year), for `GET /api/v1/movies/duplicates`. Versions of one movie (two files) are not duplicates.
struct duplicate_group {
    std::string reason; ///< "tmdb_id" or "title_year"
    std::vector<movie> movies;
};

/// A label and how many movies carry it, for the stats page.
struct label_count {
    std::string label;
    std::int64_t count = 0;
};

/// Library figures for `GET /api/v1/stats`.
struct library_figures {
    std::int64_t movies = 0;
    std::int64_t files = 0;
    std::int64_t total_size = 0; ///< bytes over every file
    std::int64_t watched = 0;
    std::vector<label_count> by_decade;     ///< "1990" ..., oldest first; movies without a year left out
    std::vector<label_count> by_genre;      ///< most common first
    std::vector<label_count> by_resolution; ///< of files, most common first; "unknown" when not parsed
    std::vector<movie> recently_added;      ///< newest first, at most 12, with their files
};

/// A file the catalogue holds under a media root, for the pruner.
struct catalogued_file {
    std::int64_t id = 0;
    std::string path;
    movie_id movie = 0;
};

/// A file whose media information is missing, or older than the file (the Prober's work).
struct probe_target {
    std::int64_t file_id = 0;
    std::string path;
    file_stamp stamp;
};

/// What the Prober read from one file.
struct probed_file {
    std::int64_t file_id = 0;
    media_info info; ///< info.stamp: the file as it was read
};

/// One table as `mediabase db copy` copied it.
struct copied_table {
    std::string name;
    std::int64_t rows = 0; ///< rows copied: the source's count, which the target then held
};

enum class wal_checkpoint { passive, restart };
/// What a checkpoint found in the write-ahead log and copied into the database file, in pages.
struct wal_pages_copied {
    std::int64_t in_log = 0;
    std::int64_t copied = 0;
};


/// SQLite's write-ahead log is copied into the database once it holds this many pages (128 MiB of 4 KiB
/// pages) instead of SQLite's 1,000: an import rewrites the same index pages batch after batch, and each copy
/// writes them into the database file again, while a longer log makes every read look further for its pages.
inline constexpr std::int64_t wal_checkpoint_pages = 32768;
/// A connection whose checkpoints are deferred (catalogue::defer_checkpoints) checkpoints the log itself only
/// past this many pages (1 GiB): the connection that should copy it cannot keep up, or readers hold old
/// snapshots for long.
inline constexpr std::int64_t wal_backstop_pages = 262144;

class catalogue {
public:
    /// Opens (creating if needed) the database file, enables WAL and foreign keys, and migrates the schema
    /// to the current version (`PRAGMA user_version`). Throws std::runtime_error with a clear message.
    static catalogue open(const std::filesystem::path& db_file);
    /// Opens the catalogue `where` says: an SQLite file as above, or a PostgreSQL database (migrated to the
    /// current version too; its extensions are created when missing). Throws std::runtime_error with a clear
    /// message that never holds the password.
    static catalogue open(const database_url& where);
    ~catalogue();
    catalogue(catalogue&&) noexcept;
    catalogue& operator=(catalogue&&) noexcept;

    /// The schema version this build creates and migrates to.
    static int current_schema_version();
    int schema_version();

    /// `PRAGMA quick_check`: nullopt when the file is sound, else what SQLite found (first lines).
    std::optional<std::string> quick_check();

    /// Copies the whole catalogue into `target` with SQLite's online backup API (a consistent snapshot, taken
    /// while others keep writing through their own connections), through a temp file renamed into place.
    /// Throws std::runtime_error naming the cause.
    void backup_to(const std::filesystem::path& target);

    /// Replaces the catalogue file `db_file` (no server may have it open) with the backup `source`, after
    /// checking that `source` is a sound Mediabase catalogue this build can open. Throws std::runtime_error.
    static void restore(const std::filesystem::path& source, const std::filesystem::path& db_file);

    /// Where this catalogue is, for messages (a PostgreSQL password masked).
    [[nodiscard]] std::string where() const;

    /// After a failure: when the connection to the database server was lost (a restart), connects again (and
    /// prepares the statements anew on next use). True when it did; throws when the server is still away.
    /// SQLite never loses its connection.
    bool reconnect_if_lost();

    /// This connection's commits leave the checkpoints of SQLite's write-ahead log to checkpoint() on another
    /// connection, so they never wait for the disk to flush what earlier commits wrote; only a log that has
    /// grown to `backstop_pages` is checkpointed by the commit itself. PostgreSQL: nothing.
    void defer_checkpoints(std::int64_t backstop_pages);
    /// With defer_checkpoints: the pages the write-ahead log holds after this connection's last commit
    /// (0 otherwise, and on PostgreSQL).
    [[nodiscard]] std::int64_t wal_pages() const;
    /// Copies SQLite's write-ahead log into the database file, on a connection of its own (see
    /// defer_checkpoints). `passive` waits for no one (a writer goes on writing meanwhile); `restart` holds
    /// the writer off while it copies what is left, then waits for the readers to leave the log, so that the
    /// next commit writes it from its start again (a log copied while commits go on is never restarted
    /// otherwise, and only grows). PostgreSQL: nothing.
    wal_pages_copied checkpoint(wal_checkpoint mode);

    /// Every table of the schema, parents first (the order a copy writes them in).
    static std::vector<std::string> tables();
    /// The tables this database holds (an engine's own index tables left out).
    std::vector<std::string> stored_tables();
    /// Copies every table of this catalogue into `target` (another database, either engine), keeping ids, in
    /// one transaction on the target, from one read snapshot here; then checks that the target holds as many
    /// rows per table as were read. A target holding any row is refused unless `replace` (its rows are then
    /// deleted in the same transaction). Throws std::runtime_error naming the cause; the target is unchanged.
    std::vector<copied_table> copy_to(catalogue& target, bool replace);

    /// Where the backups of the catalogue `db_file` go: `backups/` beside it (DATA/backups).
    static std::filesystem::path backup_dir(const std::filesystem::path& db_file);

    /// The server this catalogue works for (`--server-name`; empty until set). Files are stored, found by
    /// path, moved, removed, pruned (files_under_root), compared with a rescan (load_known_files) and probed
    /// as this server's only; movies, lists, search and the files of a movie are everyone's.
    void set_server(const std::string& name);
    /// Gives the files that belong to no server (stored before servers had names, schema 8) to this one, in
    /// one statement. Returns how many it took.
    std::int64_t claim_unowned_files();

    /// One import per root at a time across the processes of one server on a shared catalogue: takes this
    /// server's import lock of each root (PostgreSQL: session advisory locks keyed by server name and root,
    /// held until unlock_import_roots or the connection ends; SQLite: one server per file, always granted).
    /// All or none: returns the roots another connection holds, having taken none then.
    std::vector<std::string> lock_import_roots(std::span<const std::string> roots);
    /// Gives back every import lock lock_import_roots took.
    void unlock_import_roots();

    /// The PostgreSQL channel on which servers sharing a catalogue announce their changes (change_listener).
    static constexpr const char* change_channel = "mediabase_changes";
    /// Tells the other servers on this database that movies changed (PostgreSQL NOTIFY on change_channel;
    /// SQLite: nothing, a file has one server). `payload` at most 7,900 bytes (PostgreSQL takes 8,000).
    void announce_change(const std::string& payload);

    // ---- writes (one catalogue instance, on the writer thread) ----

    /// Stores a batch in one transaction. For each found movie: files already known by path are updated in
    /// place (stamp and parsed fields); otherwise the movie is attached to an existing movie with the same
    /// tmdb id, imdb id or normalised title + year (a second version), or inserted as a new movie.
    /// `metadata` (empty, or one per found movie) is laid over the stored movies in the same transaction, as
    /// update_metadata does but keeping the movie's art keys (the Cache sets them later, store_art).
    /// Metadata that is not a match (match unidentified or failed) is written only over a movie that has no
    /// match yet: a failed lookup never erases a good match.
    store_result store_found(std::span<const found_movie> batch,
                             std::span<const std::optional<movie>> metadata = {});

    /// Sets the art keys of movies, in one transaction. Returns how many movies were updated.
    std::int64_t store_art(std::span<const art_update> updates);

    /// Removes these files (by path); movies left without files are removed too and reported as removed,
    /// movies that keep other files as updated.
    std::vector<movie_change> remove_files(std::span<const std::string> paths);

    /// Moves a known file to a new path (a rename or move on disk): the movie, watched state and rating stay.
    bool move_file(const std::string& old_path, const std::string& new_path, const file_stamp& stamp,
                   const std::string& new_root);

    /// Stores known files found at new places (see file_move), in one transaction: each file keeps its row,
    /// and so its movie, and takes its new path, root, stamp and what its new name says; its movie is reported
    /// as updated, once per movie, with `source_index` the index of the move. A move whose source is no longer
    /// catalogued, or whose target already is, is stored as the found movie it carries instead.
    store_result store_moves(std::span<const file_move> moves);

    /// Applies a person's change to their own marks (user_movie_state), or with `shared_state` to the shared
    /// columns of `movies` (there `on_list` is refused, std::invalid_argument). Returns the movie as `person`
    /// sees it; nullopt: no such movie.
    std::optional<movie> patch_movie(movie_id id, const movie_patch& patch, person_id person = shared_state);

    /// Stores what the Prober read, in one transaction, replacing what an older read said. A result whose
    /// file has changed (another stamp) or gone since it was read is left out. Returns how many were stored.
    std::int64_t store_media_info(std::span<const probed_file> results);

    /// Replaces a movie's provider metadata (title, ids, overview, people, ratings, art keys, match state)
    /// with `m`'s, keeping its files, watched state, rating and added_at. nullopt: no such movie.
    std::optional<movie> update_metadata(movie_id id, const movie& m);

    // ---- reads (another instance, on the reader thread) ----

    known_files load_known_files();
    /// A page of movies; the watched filter, the rating sort and the marks shown are `person`'s.
    movie_page list_movies(const movie_query& query, person_id person = shared_state);
    /// One movie with `person`'s marks (shared_state: the shared columns).
    std::optional<movie> get_movie(movie_id id, person_id person = shared_state);
    std::vector<duplicate_group> duplicates();
    std::vector<catalogued_file> files_under_root(const std::string& root);
    /// Up to `limit` files after file id `after`, in id order, that have no media information or only one
    /// read from an older state of the file. Disc structures, images and .strm links are left out: there is
    /// no single video file to read.
    std::vector<probe_target> files_to_probe(std::int64_t after, std::size_t limit);
    std::int64_t movie_count();
    std::vector<std::string> genres(); ///< every genre in use, sorted
    /// Movies an online import should identify again: never identified (unidentified, e.g. imported offline),
    /// failed for a reason that may pass (an outage; not "no match"), or matched but with art that could not
    /// be cached (store_art's `retry`; a film the provider has no poster for is not retried).
    std::vector<movie_id> movies_to_identify();
    /// Every art key some movie uses (poster or backdrop): what the art cache must keep.
    std::unordered_set<std::string> art_keys();
    /// The keys among `candidates` that some movie uses (index lookups: cheap for a few keys).
    std::unordered_set<std::string> art_keys_in_use(std::span<const std::string> candidates);
    /// `watched` and the marks of `recently_added` are `person`'s (shared_state: the shared columns).
    library_figures figures(person_id person = shared_state);

    // ---- import history ----

    /// Stores (or replaces) a finished or stopped import under its id.
    void record_import(const import_job& job);
    /// The newest `limit` imports (clamped to 0..1000), newest first.
    std::vector<import_job> recent_imports(int limit);

    // ---- accounts, sessions and API keys (store/accounts.hpp; secrets arrive hashed) ----

    std::int64_t account_count();
    /// Adds an account; nullopt when the name is taken (names compare without case). The first admin
    /// inherits the watched state and ratings stored before accounts existed.
    std::optional<account> add_account(const std::string& name, const std::string& password_hash,
                                       const std::string& role);
    std::vector<account> list_accounts();
    /// An account and its password hash, by name (without case).
    std::optional<std::pair<account, std::string>> account_with_hash(const std::string& name);
    /// Sets an account's password hash and ends its sessions except `keep_session` (0: all). The ids of the
    /// sessions ended, or nullopt when there is no such account.
    std::optional<std::vector<std::int64_t>> set_password(const std::string& name, const std::string& hash,
                                                          std::int64_t keep_session);
    /// Removes an account with its sessions, keys and state. The ids of its sessions and keys (to close their
    /// event streams), or nullopt when there is no such account. Refused (std::invalid_argument) for the last
    /// admin while other accounts remain.
    std::optional<std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>>>
    remove_account(const std::string& name);

    /// Starts a session; its id.
    std::int64_t create_session(std::int64_t user_id, const std::string& token_digest, const std::string& expires_at,
                                const std::string& address);
    /// Whose session this is, if it exists and has not expired (`now`: ISO 8601 UTC).
    std::optional<account_credential> session_account(const std::string& token_digest, const std::string& now);
    /// Ends one session; false when there was none.
    bool end_session(std::int64_t session_id);
    /// Ends every session of an account but `keep_session` (0: all); the ids ended.
    std::vector<std::int64_t> end_sessions(std::int64_t user_id, std::int64_t keep_session);

    /// Stores a new API key (its digest and first characters).
    api_key_info create_api_key(std::int64_t user_id, const std::string& name, const std::string& scope,
                                const std::string& key_digest, const std::string& prefix);
    /// Whose key this is, if it exists.
    std::optional<account_credential> key_account(const std::string& key_digest);
    /// Records that a key was used now.
    void touch_api_key(std::int64_t key_id, const std::string& now);
    std::vector<api_key_info> list_api_keys(std::int64_t user_id);
    /// Revokes one of an account's keys; false when it has no such key.
    bool revoke_api_key(std::int64_t user_id, std::int64_t key_id);

private:
    struct impl;
    explicit catalogue(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

} // namespace mediabase
