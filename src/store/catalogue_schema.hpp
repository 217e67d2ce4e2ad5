#pragma once
// The catalogue's schema as an ordered list of migration steps per engine. SQLite: `PRAGMA user_version`
// records the last step applied; PostgreSQL: the table mediabase_schema. Each step runs in its own
// transaction. Released steps are history: never edit one, add a new step (to both lists: a version number
// means the same tables, columns and indexes on either engine).

#include "sql_dialect.hpp"

#include <array>
#include <span>
#include <string_view>

namespace mediabase::schema {

// Version 1: movies with the fields a file name gives, and their files.
inline constexpr auto version_1 = std::to_array<std::string_view>({
    R"sql(CREATE TABLE movies (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    title_key TEXT NOT NULL,
    year INTEGER,
    tmdb_id INTEGER,
    imdb_id TEXT,
    overview TEXT,
    runtime INTEGER,
    genres TEXT NOT NULL DEFAULT '[]',
    poster TEXT,
    backdrop TEXT,
    watched INTEGER NOT NULL DEFAULT 0,
    rating INTEGER CHECK (rating BETWEEN 1 AND 10),
    added_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
))sql",
    R"sql(CREATE INDEX movies_title_key ON movies (title_key, year))sql",
    R"sql(CREATE INDEX movies_tmdb_id ON movies (tmdb_id))sql",
    R"sql(CREATE TABLE media_files (
    id INTEGER PRIMARY KEY,
    movie_id INTEGER NOT NULL REFERENCES movies (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    root TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    resolution TEXT,
    source TEXT,
    video_codec TEXT,
    audio_codec TEXT,
    edition TEXT,
    container TEXT,
    part INTEGER,
    three_d INTEGER NOT NULL DEFAULT 0
))sql",
    "CREATE UNIQUE INDEX media_files_path ON media_files (path)",
    "CREATE INDEX media_files_movie ON media_files (movie_id)",
});

// Version 2: provider metadata, a genre table for filtering, sort indexes and the full-text index.
inline constexpr auto version_2 = std::to_array<std::string_view>({
    "ALTER TABLE movies ADD COLUMN original_title TEXT",
    "ALTER TABLE movies ADD COLUMN tagline TEXT",
    "ALTER TABLE movies ADD COLUMN countries TEXT NOT NULL DEFAULT '[]'",
    "ALTER TABLE movies ADD COLUMN directors TEXT NOT NULL DEFAULT '[]'",
    "ALTER TABLE movies ADD COLUMN writers TEXT NOT NULL DEFAULT '[]'",
    // `cast` is an SQL keyword.
    "ALTER TABLE movies ADD COLUMN cast_members TEXT NOT NULL DEFAULT '[]'",
    // Every credited name, one per line: what the full-text index searches as "people".
    "ALTER TABLE movies ADD COLUMN people TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE movies ADD COLUMN certification TEXT",
    "ALTER TABLE movies ADD COLUMN collection TEXT",
    "ALTER TABLE movies ADD COLUMN imdb_rating REAL",
    "ALTER TABLE movies ADD COLUMN imdb_votes INTEGER",
    "ALTER TABLE movies ADD COLUMN metascore INTEGER",
    "ALTER TABLE movies ADD COLUMN awards TEXT",
    "ALTER TABLE movies ADD COLUMN vote_average REAL",
    "ALTER TABLE movies ADD COLUMN vote_count INTEGER",
    "ALTER TABLE movies ADD COLUMN match_state TEXT NOT NULL DEFAULT 'unidentified' "
    "CHECK (match_state IN ('unidentified', 'identified', 'review', 'failed'))",
    "ALTER TABLE movies ADD COLUMN match_confidence REAL",
    "ALTER TABLE movies ADD COLUMN identify_error TEXT",

    // Sort orders of the movie list. Only the leading sort key is indexed: SQLite sorts the few rows that
    // share it, and new rows land at the end of their key's run instead of all over the index, which keeps
    // an import's writes small.
    // "added" needs no index: ids only grow, so id order is the order movies were added in.
    "CREATE INDEX movies_year ON movies (year)",
    "CREATE INDEX movies_runtime ON movies (runtime)",
    "CREATE INDEX movies_rating ON movies (rating, coalesce(vote_average, imdb_rating))",
    // Provider ids are looked up, never sorted on: rows without one (every movie fresh from a scan) stay out.
    "DROP INDEX movies_tmdb_id",
    "CREATE INDEX movies_tmdb_id ON movies (tmdb_id) WHERE tmdb_id IS NOT NULL",
    "CREATE INDEX movies_imdb_id ON movies (imdb_id) WHERE imdb_id IS NOT NULL",

    // movies.genres (a JSON array, in the provider's order) stays the source; this table indexes it. Movies
    // are inserted without genres (store_found), so only updates need a trigger.
    R"sql(CREATE TABLE movie_genres (
    genre TEXT NOT NULL COLLATE NOCASE,
    movie_id INTEGER NOT NULL REFERENCES movies (id) ON DELETE CASCADE,
    PRIMARY KEY (genre, movie_id)
) WITHOUT ROWID)sql",
    "CREATE INDEX movie_genres_movie ON movie_genres (movie_id)",
    R"sql(INSERT OR IGNORE INTO movie_genres (genre, movie_id)
    SELECT g.value, m.id FROM movies m, json_each(m.genres) g
    WHERE json_valid(m.genres) AND g.type = 'text' AND g.value <> '')sql",
    R"sql(CREATE TRIGGER movies_genres_update AFTER UPDATE OF genres ON movies BEGIN
    DELETE FROM movie_genres WHERE movie_id = new.id;
    INSERT OR IGNORE INTO movie_genres (genre, movie_id)
        SELECT value, new.id FROM json_each(new.genres) WHERE type = 'text' AND value <> '';
END)sql",

    // Full-text index over the movie row (external content: the text is stored once, in movies). Inserts are
    // indexed by store_found, one statement per batch: an insert trigger would make FTS5 flush its pending
    // terms to disk at every statement (each trigger runs in a statement savepoint), ten times slower.
    R"sql(CREATE VIRTUAL TABLE movies_fts USING fts5 (
    title, original_title, overview, people,
    content = 'movies', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
))sql",
    R"sql(CREATE TRIGGER movies_fts_delete AFTER DELETE ON movies BEGIN
    INSERT INTO movies_fts (movies_fts, rowid, title, original_title, overview, people)
        VALUES ('delete', old.id, old.title, old.original_title, old.overview, old.people);
END)sql",
    R"sql(CREATE TRIGGER movies_fts_update AFTER UPDATE OF title, original_title, overview, people ON movies BEGIN
    INSERT INTO movies_fts (movies_fts, rowid, title, original_title, overview, people)
        VALUES ('delete', old.id, old.title, old.original_title, old.overview, old.people);
    INSERT INTO movies_fts (rowid, title, original_title, overview, people)
        VALUES (new.id, new.title, new.original_title, new.overview, new.people);
END)sql",
    "INSERT INTO movies_fts (movies_fts) VALUES ('rebuild')",

    // Files by resolution, for the list filter.
    "CREATE INDEX media_files_resolution ON media_files (resolution COLLATE NOCASE, movie_id)",
});

// Version 3: art that could not be cached is retried. A matched movie without a poster is no longer taken
// for a failed download: TMDB has no poster for some films, and those are not looked up again and again.
inline constexpr auto version_3 = std::to_array<std::string_view>({
    "ALTER TABLE movies ADD COLUMN art_retry INTEGER NOT NULL DEFAULT 0",
    // Movies stored before this step: the old rule (matched, no poster) decides once.
    "UPDATE movies SET art_retry = 1 WHERE match_state IN ('identified', 'review') AND poster IS NULL"
    " AND tmdb_id IS NOT NULL",
    // Whether an image is still used, when a sweep looks at a few keys only (a prune, a fixed match).
    "CREATE INDEX movies_poster ON movies (poster) WHERE poster IS NOT NULL",
    "CREATE INDEX movies_backdrop ON movies (backdrop) WHERE backdrop IS NOT NULL",
    // NFO and art beside a file: when they change, the file is imported again (media_file::sidecar_stamp).
    "ALTER TABLE media_files ADD COLUMN sidecar_stamp INTEGER NOT NULL DEFAULT 0",
});

// Version 4: every import, as `GET /api/v1/imports` lists it (the Import page's history survives a restart).
inline constexpr auto version_4 = std::to_array<std::string_view>({
    R"sql(CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    trigger TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    duration_ms INTEGER,
    folders INTEGER NOT NULL DEFAULT 0,
    files INTEGER NOT NULL DEFAULT 0,
    found INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    added INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    identified INTEGER NOT NULL DEFAULT 0,
    unidentified INTEGER NOT NULL DEFAULT 0,
    stored INTEGER NOT NULL DEFAULT 0,
    art_cached INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    warnings TEXT NOT NULL DEFAULT '[]'
))sql",
});

// Version 5: accounts (issue 12). People, their browser sessions and API keys (secrets stored as digests only),
// and each person's watched state, rating and list. The state stored before accounts stays in `movies` until
// the first admin is created, who inherits it (catalogue::add_account).
inline constexpr auto version_5 = std::to_array<std::string_view>({
    R"sql(CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    created_at TEXT NOT NULL
))sql",
    R"sql(CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_digest TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    address TEXT
))sql",
    "CREATE INDEX sessions_user ON sessions (user_id)",
    R"sql(CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('read', 'admin')),
    key_digest TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT
))sql",
    "CREATE INDEX api_keys_user ON api_keys (user_id)",
    R"sql(CREATE TABLE user_movie_state (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    movie_id INTEGER NOT NULL REFERENCES movies (id) ON DELETE CASCADE,
    watched INTEGER NOT NULL DEFAULT 0,
    rating INTEGER CHECK (rating BETWEEN 1 AND 10),
    on_list INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, movie_id)
) WITHOUT ROWID)sql",
    "CREATE INDEX user_movie_state_movie ON user_movie_state (movie_id)",
});

// Version 6: names fold by one rule (mediabase/naming/fold.hpp: NFKC, case, diacritics, "Ł" -> "l"). The
// title keys are computed again and the movies the old keys kept apart ("Amélie" written composed and
// decomposed) are merged (merge_split_titles, catalogue_schema.cpp). The full-text index also holds the
// title key, so a search folded like the keys finds "Łódź" by "lodz" (SQLite's unicode61 tokenizer folds
// only the letters that decompose).
void merge_split_titles(soci::session& sql);
inline constexpr auto version_6 = std::to_array<std::string_view>({
    "DROP TRIGGER IF EXISTS movies_fts_delete",
    "DROP TRIGGER IF EXISTS movies_fts_update",
    "DROP TABLE IF EXISTS movies_fts",
    R"sql(CREATE VIRTUAL TABLE movies_fts USING fts5 (
    title, original_title, overview, people, title_key,
    content = 'movies', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
))sql",
    R"sql(CREATE TRIGGER movies_fts_delete AFTER DELETE ON movies BEGIN
    INSERT INTO movies_fts (movies_fts, rowid, title, original_title, overview, people, title_key)
        VALUES ('delete', old.id, old.title, old.original_title, old.overview, old.people, old.title_key);
END)sql",
    R"sql(CREATE TRIGGER movies_fts_update AFTER UPDATE OF title, original_title, overview, people, title_key
    ON movies BEGIN
    INSERT INTO movies_fts (movies_fts, rowid, title, original_title, overview, people, title_key)
        VALUES ('delete', old.id, old.title, old.original_title, old.overview, old.people, old.title_key);
    INSERT INTO movies_fts (rowid, title, original_title, overview, people, title_key)
        VALUES (new.id, new.title, new.original_title, new.overview, new.people, new.title_key);
END)sql",
    "INSERT INTO movies_fts (movies_fts) VALUES ('rebuild')",
});

// Version 7: what the files themselves say (the Prober reads them with libavformat): container, duration,
// the video stream, the audio and subtitle streams (JSON arrays). One row per file, with the stamp of the
// file it was read from: a changed file is read again. `state` is 'unreadable' for a file that could not
// be read (`error` says why), so it is not tried again until it changes.
inline constexpr auto version_7 = std::to_array<std::string_view>({
    R"sql(CREATE TABLE media_info (
    file_id INTEGER PRIMARY KEY REFERENCES media_files (id) ON DELETE CASCADE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('ok', 'unreadable')),
    error TEXT,
    container TEXT,
    duration_ms INTEGER,
    video_codec TEXT,
    width INTEGER,
    height INTEGER,
    hdr TEXT,
    audio TEXT NOT NULL DEFAULT '[]',
    subtitles TEXT NOT NULL DEFAULT '[]',
    probed_at TEXT NOT NULL
))sql",
});

// Version 8: several servers on one catalogue (PostgreSQL). A file belongs to the server that scans it
// (`--server-name`); paths are unique per server, as two machines may mount their folders at the same path.
// Rows stored before this step have no server: the first server to start takes them
// (catalogue::claim_unowned_files).
inline constexpr auto version_8 = std::to_array<std::string_view>({
    "ALTER TABLE media_files ADD COLUMN server TEXT NOT NULL DEFAULT ''",
    "DROP INDEX media_files_path",
    "CREATE UNIQUE INDEX media_files_path ON media_files (server, path)",
});

// Version 9: PostgreSQL's data version (postgres_version_9). SQLite has its own (PRAGMA data_version): nothing.
inline constexpr std::array<std::string_view, 0> version_9{};

inline constexpr auto migrations = std::to_array<migration_step>({
    {1, version_1},
    {2, version_2},
    {3, version_3},
    {4, version_4},
    {5, version_5},
    {6, version_6, merge_split_titles},
    {7, version_7},
    {8, version_8},
    {9, version_9},
});

inline constexpr int current_version = migrations.back().version;

/// Every table of the schema (both engines), parents before the tables that refer to them: what `mediabase db
/// copy` copies, in this order. A new table goes here too: a copy refuses a database holding a table this
/// list lacks, and the catalogue test compares the list with the tables a new database has.
inline constexpr auto tables = std::to_array<std::string_view>({
    "movies", "media_files", "movie_genres", "imports", "users", "sessions", "api_keys", "user_movie_state",
    "media_info",
});

// ---- PostgreSQL ----
// Its history starts at version 6: one step builds the tables SQLite's steps 1 to 6 built, with PostgreSQL's
// types. Differences that keep the answers the same:
// - ids are identity columns (BY DEFAULT, so `mediabase db copy` keeps the ids it copies);
// - sorted and range-compared text (title keys, paths) is COLLATE "C": byte order, as SQLite compares;
// - what SQLite compares with NOCASE (genres, account names, resolutions) is citext COLLATE "C": ASCII case
//   folded, then byte order, which is what NOCASE does;
// - sort indexes keep NULLs first, SQLite's ascending order, so the list reads them in index order;
// - the full-text index is a generated tsvector column ('simple' configuration: no stemming, no stop words,
//   as unicode61) over the text with accents removed (unaccent) and punctuation made a word break, as
//   unicode61 breaks words; the title keys are in it too, folded as the catalogue folds them ("Łódź" ->
//   "lodz"). pg_trgm indexes the title keys for searches with a typo (postgres_dialect.cpp).

/// Creates the extensions the schema uses (trusted ones: a database owner may create them) and the immutable
/// text function the search column is computed with. Names the extension's schema in that function, so that
/// it works whatever the search path of whoever computes it (a restore from pg_dump, autovacuum).
void prepare_postgres_extensions(soci::session& sql);

inline constexpr auto postgres_version_6 = std::to_array<std::string_view>({
    R"sql(CREATE TABLE movies (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    title TEXT NOT NULL,
    title_key TEXT COLLATE "C" NOT NULL,
    year INTEGER,
    tmdb_id BIGINT,
    imdb_id TEXT,
    overview TEXT,
    runtime INTEGER,
    genres TEXT NOT NULL DEFAULT '[]',
    poster TEXT,
    backdrop TEXT,
    watched INTEGER NOT NULL DEFAULT 0,
    rating INTEGER CHECK (rating BETWEEN 1 AND 10),
    added_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    original_title TEXT,
    tagline TEXT,
    countries TEXT NOT NULL DEFAULT '[]',
    directors TEXT NOT NULL DEFAULT '[]',
    writers TEXT NOT NULL DEFAULT '[]',
    cast_members TEXT NOT NULL DEFAULT '[]',
    people TEXT NOT NULL DEFAULT '',
    certification TEXT,
    collection TEXT,
    imdb_rating DOUBLE PRECISION,
    imdb_votes BIGINT,
    metascore INTEGER,
    awards TEXT,
    vote_average DOUBLE PRECISION,
    vote_count BIGINT,
    match_state TEXT NOT NULL DEFAULT 'unidentified'
        CHECK (match_state IN ('unidentified', 'identified', 'review', 'failed')),
    match_confidence DOUBLE PRECISION,
    identify_error TEXT,
    art_retry INTEGER NOT NULL DEFAULT 0,
    search tsvector GENERATED ALWAYS AS (to_tsvector('simple', mediabase_search_text(
        title || ' ' || coalesce(original_title, '') || ' ' || coalesce(overview, '') || ' ' || people || ' ' ||
        (title_key COLLATE "default")))) STORED
))sql",
    // The sort orders of the list, each to the last key (ties go by id), NULLs first as SQLite sorts them.
    "CREATE INDEX movies_title_key ON movies (title_key, year NULLS FIRST, id)",
    "CREATE INDEX movies_year ON movies (year NULLS FIRST, title_key, id)",
    "CREATE INDEX movies_runtime ON movies (runtime NULLS FIRST, id)",
    "CREATE INDEX movies_rating ON movies (rating NULLS FIRST, coalesce(vote_average, imdb_rating) NULLS FIRST, id)",
    "CREATE INDEX movies_tmdb_id ON movies (tmdb_id) WHERE tmdb_id IS NOT NULL",
    "CREATE INDEX movies_imdb_id ON movies (imdb_id) WHERE imdb_id IS NOT NULL",
    "CREATE INDEX movies_poster ON movies (poster) WHERE poster IS NOT NULL",
    "CREATE INDEX movies_backdrop ON movies (backdrop) WHERE backdrop IS NOT NULL",
    "CREATE INDEX movies_search ON movies USING gin (search)",
    "CREATE INDEX movies_title_trigrams ON movies USING gin (title_key gin_trgm_ops)",
    R"sql(CREATE TABLE media_files (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    movie_id BIGINT NOT NULL REFERENCES movies (id) ON DELETE CASCADE,
    path TEXT COLLATE "C" NOT NULL,
    root TEXT NOT NULL,
    size BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    resolution citext COLLATE "C",
    source TEXT,
    video_codec TEXT,
    audio_codec TEXT,
    edition TEXT,
    container TEXT,
    part INTEGER,
    three_d INTEGER NOT NULL DEFAULT 0,
    sidecar_stamp BIGINT NOT NULL DEFAULT 0
))sql",
    "CREATE UNIQUE INDEX media_files_path ON media_files (path)",
    "CREATE INDEX media_files_movie ON media_files (movie_id)",
    "CREATE INDEX media_files_resolution ON media_files (resolution, movie_id)",
    R"sql(CREATE TABLE movie_genres (
    genre citext COLLATE "C" NOT NULL,
    movie_id BIGINT NOT NULL REFERENCES movies (id) ON DELETE CASCADE,
    PRIMARY KEY (genre, movie_id)
))sql",
    "CREATE INDEX movie_genres_movie ON movie_genres (movie_id)",
    // movies.genres (a JSON array) stays the source, as on SQLite; the trigger keeps this table in step.
    R"sql(CREATE FUNCTION movies_genres_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM movie_genres WHERE movie_id = NEW.id;
    IF jsonb_typeof(NEW.genres::jsonb) = 'array' THEN
        INSERT INTO movie_genres (genre, movie_id)
            SELECT g #>> '{}', NEW.id FROM jsonb_array_elements(NEW.genres::jsonb) g
            WHERE jsonb_typeof(g) = 'string' AND g #>> '{}' <> ''
            ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$)sql",
    "CREATE TRIGGER movies_genres_update AFTER UPDATE OF genres ON movies FOR EACH ROW EXECUTE FUNCTION "
    "movies_genres_update()",
    R"sql(CREATE TABLE imports (
    id BIGINT PRIMARY KEY,
    trigger TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    duration_ms BIGINT,
    folders BIGINT NOT NULL DEFAULT 0,
    files BIGINT NOT NULL DEFAULT 0,
    found BIGINT NOT NULL DEFAULT 0,
    skipped BIGINT NOT NULL DEFAULT 0,
    added BIGINT NOT NULL DEFAULT 0,
    updated BIGINT NOT NULL DEFAULT 0,
    identified BIGINT NOT NULL DEFAULT 0,
    unidentified BIGINT NOT NULL DEFAULT 0,
    stored BIGINT NOT NULL DEFAULT 0,
    art_cached BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    error TEXT,
    warnings TEXT NOT NULL DEFAULT '[]'
))sql",
    R"sql(CREATE TABLE users (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    name citext COLLATE "C" NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    created_at TEXT NOT NULL
))sql",
    R"sql(CREATE TABLE sessions (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_digest TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    address TEXT
))sql",
    "CREATE INDEX sessions_user ON sessions (user_id)",
    R"sql(CREATE TABLE api_keys (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('read', 'admin')),
    key_digest TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT
))sql",
    "CREATE INDEX api_keys_user ON api_keys (user_id)",
    R"sql(CREATE TABLE user_movie_state (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    movie_id BIGINT NOT NULL REFERENCES movies (id) ON DELETE CASCADE,
    watched INTEGER NOT NULL DEFAULT 0,
    rating INTEGER CHECK (rating BETWEEN 1 AND 10),
    on_list INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, movie_id)
))sql",
    "CREATE INDEX user_movie_state_movie ON user_movie_state (movie_id)",
});

/// Version 7 (media information read from the files), as SQLite's version_7 with PostgreSQL's 64-bit types.
inline constexpr auto postgres_version_7 = std::to_array<std::string_view>({
    R"sql(CREATE TABLE media_info (
    file_id BIGINT PRIMARY KEY REFERENCES media_files (id) ON DELETE CASCADE,
    size BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('ok', 'unreadable')),
    error TEXT,
    container TEXT,
    duration_ms BIGINT,
    video_codec TEXT,
    width INTEGER,
    height INTEGER,
    hdr TEXT,
    audio TEXT NOT NULL DEFAULT '[]',
    subtitles TEXT NOT NULL DEFAULT '[]',
    probed_at TEXT NOT NULL
))sql",
});

/// Version 8 (a file's server), as SQLite's version_8; the server name is byte-compared, as paths are.
inline constexpr auto postgres_version_8 = std::to_array<std::string_view>({
    R"sql(ALTER TABLE media_files ADD COLUMN server TEXT COLLATE "C" NOT NULL DEFAULT '')sql",
    "DROP INDEX media_files_path",
    "CREATE UNIQUE INDEX media_files_path ON media_files (server, path)",
});

/// Version 9: a data version that moves only when what a list shows may have changed. The snapshot's hash,
/// used before, moved with every commit of the cluster: the media information the Prober writes after an
/// import (and any other database's commits) made every list count its total again, 5 ms at 76,000 movies.
/// Each connection's write statements on the listed tables count up a row of its own (no two writers wait
/// for one row); the sum of the rows a snapshot sees grows with every commit it sees, so equal sums are equal
/// data.
inline constexpr auto postgres_version_9 = std::to_array<std::string_view>({
    "CREATE TABLE mediabase_data_version (writer INTEGER PRIMARY KEY, version BIGINT NOT NULL)",
    R"sql(CREATE FUNCTION mediabase_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mediabase_data_version (writer, version) VALUES (pg_backend_pid(), 1)
        ON CONFLICT (writer) DO UPDATE SET version = mediabase_data_version.version + 1;
    RETURN NULL;
END
$$)sql",
    "CREATE TRIGGER movies_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON movies"
    " FOR EACH STATEMENT EXECUTE FUNCTION mediabase_data_changed()",
    "CREATE TRIGGER media_files_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON media_files"
    " FOR EACH STATEMENT EXECUTE FUNCTION mediabase_data_changed()",
    "CREATE TRIGGER movie_genres_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON movie_genres"
    " FOR EACH STATEMENT EXECUTE FUNCTION mediabase_data_changed()",
    "CREATE TRIGGER user_movie_state_data_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON"
    " user_movie_state FOR EACH STATEMENT EXECUTE FUNCTION mediabase_data_changed()",
});

inline constexpr auto postgres_migrations = std::to_array<migration_step>({
    {6, postgres_version_6, prepare_postgres_extensions},
    {7, postgres_version_7},
    {8, postgres_version_8},
    {9, postgres_version_9},
});

static_assert(postgres_migrations.back().version == current_version,
              "a new schema version needs a step for each engine");

} // namespace mediabase::schema
