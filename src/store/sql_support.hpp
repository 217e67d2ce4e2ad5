#pragma once
// What the catalogue's source files share (private to src/store/): nullable columns and their bindings, the
// statement helpers and transactions, the row structs with their column lists, the JSON column helpers, the
// title key, the prepared statement sets, and `catalogue::impl`. Pure logic: no Asio, no Beast.

#include "mediabase/store/catalogue.hpp"
#include "sql_dialect.hpp"

#include "mediabase/model/movie_json.hpp"
#include "mediabase/naming/name_parser.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace mediabase::sql_support {

inline constexpr int max_page_size = 1000;

// ---- values ----

/// A nullable column bound to a statement: SOCI 4.0 has no std::optional, so a value and its indicator.
template <class T> struct nullable {
    T value{};
    soci::indicator ind = soci::i_null;

    void set(const std::optional<T>& v) {
        if (v) {
            value = *v;
            ind = soci::i_ok;
        } else {
            ind = soci::i_null;
        }
    }
    [[nodiscard]] std::optional<T> get() const {
        return ind == soci::i_ok ? std::optional<T>(value) : std::nullopt;
    }
};

template <class T> auto use(nullable<T>& n, const std::string& name) {
    return soci::use(n.value, n.ind, name);
}
template <class T> auto into(nullable<T>& n) {
    return soci::into(n.value, n.ind);
}

inline bool is_ascii_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline char ascii_lower(unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/// The key that groups the versions of one movie and orders the title sort: the parser's normalised title,
/// folded once more (ASCII case, punctuation runs, a leading or trailing article) so that grouping and order
/// hold whatever the parser's normalisation does. Idempotent, so a fully normalised title passes unchanged.
inline std::string title_key_of(std::string_view title) {
    std::string lowered;
    for (const unsigned char c : normalized_title(title))
        lowered += ascii_lower(c);
    for (std::string_view article : {", the", ", a", ", an"}) {
        if (lowered.size() > article.size() && lowered.ends_with(article)) {
            lowered.resize(lowered.size() - article.size());
            break;
        }
    }
    std::string key;
    bool gap = false;
    for (const unsigned char c : lowered) {
        if (is_ascii_alnum(c) || c >= 0x80) {
            if (gap && !key.empty()) key += ' ';
            key += static_cast<char>(c);
            gap = false;
        } else {
            gap = true;
        }
    }
    for (std::string_view article : {"the ", "a ", "an "}) {
        if (key.size() > article.size() && key.starts_with(article)) {
            key.erase(0, article.size());
            break;
        }
    }
    return key.empty() ? lowered : key;
}

inline std::string json_text(const std::vector<std::string>& items) {
    boost::json::array array;
    for (const auto& item : items)
        array.emplace_back(display_utf8(item));
    return boost::json::serialize(array);
}

inline std::string json_text(const std::vector<credit>& credits) {
    boost::json::array array;
    for (const auto& c : credits) {
        boost::json::object o;
        o["name"] = display_utf8(c.name);
        if (c.role) o["role"] = display_utf8(*c.role);
        array.emplace_back(std::move(o));
    }
    return boost::json::serialize(array);
}

inline boost::json::array json_array(const std::string& text) {
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    if (ec || !value.is_array()) return {};
    return std::move(value.as_array());
}

inline std::vector<std::string> strings_from_json(const std::string& text) {
    std::vector<std::string> items;
    for (const auto& v : json_array(text))
        if (v.is_string()) items.emplace_back(v.as_string());
    return items;
}

inline std::vector<credit> credits_from_json(const std::string& text) {
    std::vector<credit> credits;
    for (const auto& v : json_array(text)) {
        if (!v.is_object()) continue;
        const auto& o = v.as_object();
        const auto* name = o.if_contains("name");
        if (!name || !name->is_string()) continue;
        credit c{std::string(name->as_string()), std::nullopt};
        if (const auto* role = o.if_contains("role"); role && role->is_string())
            c.role = std::string(role->as_string());
        credits.push_back(std::move(c));
    }
    return credits;
}

/// Every credited name, one per line: the "people" column of the full-text index.
inline std::string people_text(const movie& m) {
    std::string text;
    std::unordered_set<std::string_view> seen;
    for (const auto* list : {&m.directors, &m.writers, &m.cast}) {
        for (const auto& c : *list) {
            if (c.name.empty() || !seen.insert(c.name).second) continue;
            if (!text.empty()) text += '\n';
            text += c.name;
        }
    }
    return text;
}

inline std::string ids_json(const std::vector<movie_id>& ids) {
    std::string text = "[";
    for (const auto id : ids) {
        if (text.size() > 1) text += ',';
        text += std::to_string(id);
    }
    return text + "]";
}

/// One column of sql_dialect::json_rows: a key of the rows' objects and its SQL type.
struct json_row_column {
    std::string name;
    std::string type;
};

/// The columns of "id bigint, title text" (the catalogue's own fixed text).
inline std::vector<json_row_column> json_row_columns(std::string_view columns) {
    std::vector<json_row_column> out;
    while (!columns.empty()) {
        const auto comma = columns.find(',');
        auto one = columns.substr(0, comma);
        columns = comma == std::string_view::npos ? std::string_view{} : columns.substr(comma + 1);
        while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
        const auto space = one.find(' ');
        out.push_back({std::string(one.substr(0, space)),
                       space == std::string_view::npos ? std::string() : std::string(one.substr(space + 1))});
    }
    return out;
}

// ---- statements ----

template <class... Bindings>
soci::statement prepare(soci::session& sql, const std::string& text, Bindings&&... bindings) {
    return ((sql.prepare << text), ..., std::forward<Bindings>(bindings));
}

/// Resets a statement once its rows are read. A SELECT left mid-result keeps its read snapshot open: the
/// reader instance would go on seeing old data and the WAL could not be checkpointed.
class statement_use {
  public:
    statement_use(const sql_dialect& dialect, soci::statement& st) : dialect_(dialect), st_(st) {}
    statement_use(const statement_use&) = delete;
    statement_use& operator=(const statement_use&) = delete;
    ~statement_use() { dialect_.reset(st_); }

  private:
    const sql_dialect& dialect_;
    soci::statement& st_;
};

/// Runs a query that yields at most one row into its bound variables. True: a row was read.
inline bool query_one(const sql_dialect& dialect, soci::statement& st) {
    statement_use in_use(dialect, st);
    return st.execute(true);
}

/// Runs a query and calls `on_row` after each row is read into the bound variables.
template <class F> void for_each_row(const sql_dialect& dialect, soci::statement& st, F&& on_row) {
    statement_use in_use(dialect, st);
    if (!st.execute(true)) return;
    do {
        on_row();
    } while (st.fetch());
}

inline void execute(const sql_dialect& dialect, soci::statement& st) {
    statement_use in_use(dialect, st);
    st.execute(true);
}

/// A statement whose bindings depend on the call (optional filters, optional columns): `bind` exchanges
/// them into the statement, then `text` is prepared against them.
template <class Bind> soci::statement prepare_bound(soci::session& sql, const std::string& text, Bind&& bind) {
    soci::statement st(sql);
    bind(st);
    st.alloc();
    st.prepare(text);
    st.define_and_bind();
    return st;
}

/// Every value of a one-column query, in its order.
template <class T>
std::vector<T> column_values(const sql_dialect& dialect, soci::session& sql, const std::string& text) {
    std::vector<T> values;
    T value{};
    auto select = prepare(sql, text, soci::into(value));
    for_each_row(dialect, select, [&] { values.push_back(value); });
    return values;
}

/// A write transaction (the dialect's BEGIN that takes the write lock up front, so it never fails half-way
/// on a lock upgrade) ... COMMIT, rolled back unless committed.
class write_transaction {
  public:
    write_transaction(soci::session& sql, const sql_dialect& dialect) : sql_(sql) { sql_ << dialect.begin_write(); }
    write_transaction(const write_transaction&) = delete;
    write_transaction& operator=(const write_transaction&) = delete;
    ~write_transaction() {
        if (open_) {
            try {
                sql_ << "ROLLBACK";
            } catch (const std::exception& e) {
                spdlog::error("catalogue: rollback failed: {}", e.what());
            }
        }
    }
    void commit() {
        sql_ << "COMMIT";
        open_ = false;
    }

  private:
    soci::session& sql_;
    bool open_ = true;
};

/// A read snapshot across several queries (a page and its total agree).
class read_transaction {
  public:
    read_transaction(soci::session& sql, const sql_dialect& dialect) : sql_(sql) { sql_ << dialect.begin_read(); }
    read_transaction(const read_transaction&) = delete;
    read_transaction& operator=(const read_transaction&) = delete;
    ~read_transaction() {
        try {
            sql_ << "COMMIT";
        } catch (const std::exception& e) {
            spdlog::error("catalogue: ending a read failed: {}", e.what());
        }
    }

  private:
    soci::session& sql_;
};

// ---- rows ----

inline const std::string file_columns =
    "f.id, f.movie_id, f.path, f.root, f.size, f.mtime_ns, f.resolution, f.source, "
    "f.video_codec, f.audio_codec, f.edition, f.container, f.part, f.three_d, f.server";

/// One media_files row, in `file_columns` order: read back, or being written.
struct file_row {
    std::int64_t id = 0;
    std::int64_t movie_id = 0;
    std::string path;
    std::string root;
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    nullable<std::string> resolution, source, video_codec, audio_codec, edition, container;
    nullable<int> part;
    int three_d = 0;
    std::string server;
    std::int64_t sidecar_stamp = 0; ///< written only (see media_file::sidecar_stamp)

    template <class... Uses>
    soci::statement prepare_select(soci::session& sql, const std::string& text, Uses&&... uses) {
        return prepare(sql, text, soci::into(id), soci::into(movie_id), soci::into(path), soci::into(root),
                       soci::into(size), soci::into(mtime_ns), into(resolution), into(source),
                       into(video_codec), into(audio_codec), into(edition), into(container), into(part),
                       soci::into(three_d), soci::into(server), std::forward<Uses>(uses)...);
    }

    [[nodiscard]] media_file to_file() const {
        media_file f;
        f.id = id;
        f.path = path;
        f.root = root;
        f.stamp = {size, mtime_ns};
        f.resolution = resolution.get();
        f.source = source.get();
        f.video_codec = video_codec.get();
        f.audio_codec = audio_codec.get();
        f.edition = edition.get();
        f.container = container.get();
        f.part = part.get();
        f.three_d = three_d != 0;
        f.server = server;
        return f;
    }

    /// The values to write for `f` (id and movie_id are the caller's).
    void set(const media_file& f) {
        path = f.path;
        root = f.root;
        size = f.stamp.size;
        mtime_ns = f.stamp.mtime_ns;
        resolution.set(f.resolution);
        source.set(f.source);
        video_codec.set(f.video_codec);
        audio_codec.set(f.audio_codec);
        edition.set(f.edition);
        container.set(f.container);
        part.set(f.part);
        three_d = f.three_d ? 1 : 0;
        sidecar_stamp = f.sidecar_stamp;
    }
};

inline const std::string media_columns = "i.file_id, i.size, i.mtime_ns, i.state, i.error, i.container, "
                                         "i.duration_ms, i.video_codec, i.width, i.height, i.hdr, i.audio, "
                                         "i.subtitles";

/// One media_info row, in `media_columns` order (the audio and subtitle streams as JSON arrays).
struct media_row {
    std::int64_t file_id = 0;
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::string state;
    nullable<std::string> error, container;
    nullable<std::int64_t> duration_ms;
    nullable<std::string> video_codec;
    nullable<int> width, height;
    nullable<std::string> hdr;
    std::string audio, subtitles;

    template <class... Uses>
    soci::statement prepare_select(soci::session& sql, const std::string& text, Uses&&... uses) {
        return prepare(sql, text, soci::into(file_id), soci::into(size), soci::into(mtime_ns), soci::into(state),
                       into(error), into(container), into(duration_ms), into(video_codec), into(width),
                       into(height), into(hdr), soci::into(audio), soci::into(subtitles),
                       std::forward<Uses>(uses)...);
    }

    [[nodiscard]] media_info to_info() const;
    /// The values to write for `probed` (file_id included).
    void set(const probed_file& probed);
};

inline const std::string movie_columns =
    "m.id, m.title, m.original_title, m.year, m.overview, m.tagline, m.runtime, m.genres, m.countries, "
    "m.directors, m.writers, m.cast_members, m.certification, m.collection, m.tmdb_id, m.imdb_id, m.poster, "
    "m.backdrop, m.imdb_rating, m.imdb_votes, m.metascore, m.awards, m.vote_average, m.vote_count, "
    "m.watched, "
    "m.rating, m.match_state, m.match_confidence, m.identify_error, m.added_at, m.updated_at";

/// One movies row, in `movie_columns` order: read back, or being written.
struct movie_row {
    std::int64_t id = 0;
    std::string title;
    nullable<std::string> original_title;
    nullable<int> year;
    nullable<std::string> overview, tagline;
    nullable<int> runtime;
    std::string genres, countries, directors, writers, cast;
    std::string title_key, people; ///< written only: derived from the title and the credits
    nullable<std::string> certification, collection;
    nullable<std::int64_t> tmdb_id;
    nullable<std::string> imdb_id, poster, backdrop;
    nullable<double> imdb_rating;
    nullable<std::int64_t> imdb_votes;
    nullable<int> metascore;
    nullable<std::string> awards;
    nullable<double> vote_average;
    nullable<std::int64_t> vote_count;
    int watched = 0;
    nullable<int> rating;
    std::string match;
    nullable<double> match_confidence;
    nullable<std::string> identify_error;
    std::string added_at, updated_at;

    template <class... Uses>
    soci::statement prepare_select(soci::session& sql, const std::string& text, Uses&&... uses) {
        return prepare(sql, text, soci::into(id), soci::into(title), into(original_title), into(year),
                       into(overview), into(tagline), into(runtime), soci::into(genres),
                       soci::into(countries), soci::into(directors), soci::into(writers), soci::into(cast),
                       into(certification), into(collection), into(tmdb_id), into(imdb_id), into(poster),
                       into(backdrop), into(imdb_rating), into(imdb_votes), into(metascore), into(awards),
                       into(vote_average), into(vote_count), soci::into(watched), into(rating),
                       soci::into(match), into(match_confidence), into(identify_error), soci::into(added_at),
                       soci::into(updated_at), std::forward<Uses>(uses)...);
    }

    [[nodiscard]] movie to_movie() const {
        movie m;
        m.id = id;
        m.title = title;
        m.original_title = original_title.get();
        m.year = year.get();
        m.overview = overview.get();
        m.tagline = tagline.get();
        m.runtime = runtime.get();
        m.genres = strings_from_json(genres);
        m.countries = strings_from_json(countries);
        m.directors = credits_from_json(directors);
        m.writers = credits_from_json(writers);
        m.cast = credits_from_json(cast);
        m.certification = certification.get();
        m.collection = collection.get();
        m.tmdb_id = tmdb_id.get();
        m.imdb_id = imdb_id.get();
        m.poster = poster.get();
        m.backdrop = backdrop.get();
        m.imdb_rating = imdb_rating.get();
        m.imdb_votes = imdb_votes.get();
        m.metascore = metascore.get();
        m.awards = awards.get();
        m.vote_average = vote_average.get();
        m.vote_count = vote_count.get();
        m.watched = watched != 0;
        m.rating = rating.get();
        m.match = match_state_from_string(match).value_or(match_state::unidentified);
        m.match_confidence = match_confidence.get();
        m.identify_error = identify_error.get();
        m.added_at = added_at;
        m.updated_at = updated_at;
        return m;
    }

    /// The provider metadata of `m` to write (update_metadata; not watched, rating or the dates).
    void set(const movie& m) {
        title = m.title;
        title_key = title_key_of(m.title);
        original_title.set(m.original_title);
        year.set(m.year);
        overview.set(m.overview);
        tagline.set(m.tagline);
        runtime.set(m.runtime);
        genres = json_text(m.genres);
        countries = json_text(m.countries);
        directors = json_text(m.directors);
        writers = json_text(m.writers);
        cast = json_text(m.cast);
        people = people_text(m);
        certification.set(m.certification);
        collection.set(m.collection);
        tmdb_id.set(m.tmdb_id);
        imdb_id.set(m.imdb_id);
        poster.set(m.poster);
        backdrop.set(m.backdrop);
        imdb_rating.set(m.imdb_rating);
        imdb_votes.set(m.imdb_votes);
        metascore.set(m.metascore);
        awards.set(m.awards);
        vote_average.set(m.vote_average);
        vote_count.set(m.vote_count);
        match = to_string(m.match);
        match_confidence.set(m.match_confidence);
        identify_error.set(m.identify_error);
    }
};

/// The statements of the write paths, prepared on first use.
struct write_statements {
    /// The server whose files these statements find and store (catalogue::set_server).
    std::string server;
    // Lookups.
    std::string path;
    std::int64_t found_file = 0;
    std::int64_t found_movie = 0;
    nullable<std::int64_t> tmdb_id;
    nullable<std::string> imdb_id;
    std::string title;
    std::string title_key;
    nullable<int> year;
    std::string now;
    std::int64_t target_movie = 0;
    std::int64_t file_count = 0;
    std::string added_ids;
    bool index_on_insert = false; ///< the dialect's full-text index needs new movies added (index_added)

    file_row file;

    soci::statement file_by_path;
    soci::statement movie_by_tmdb_id;
    soci::statement movie_by_imdb_id;
    soci::statement movie_by_title;
    soci::statement insert_movie;
    soci::statement adopt_ids;
    soci::statement touch_movie;
    soci::statement insert_file;
    soci::statement update_file;
    soci::statement relocate_file;
    soci::statement delete_file;
    soci::statement count_files;
    soci::statement delete_movie;
    soci::statement index_added;
    soci::statement savepoint;
    soci::statement release;
    soci::statement rollback_to;

    const sql_dialect& dialect;

    write_statements(soci::session& sql, const sql_dialect& d, std::string server_name);

    /// The file with `path`, if known: sets found_file and found_movie.
    bool find_file(const std::string& file_path) {
        path = file_path;
        return query_one(dialect, file_by_path);
    }
};

/// The statements of the read paths, prepared on first use.
struct read_statements {
    /// The server whose known files load_known_files reads (catalogue::set_server).
    std::string server;
    std::string ids;
    std::int64_t id = 0;
    movie_row movie_columns_row;
    file_row file_columns_row;
    std::int64_t count = 0;
    std::string path;
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t file_movie = 0;
    std::int64_t sidecar_stamp = 0;
    std::string genre;
    // One person's marks of the movies bound as `ids` (user_movie_state).
    std::int64_t state_person = 0;
    std::int64_t state_movie = 0;
    int state_watched = 0;
    nullable<int> state_rating;
    int state_on_list = 0;
    media_row media_columns_row;

    soci::statement movies_by_ids;
    soci::statement files_by_movie_ids;
    soci::statement states_by_ids;
    /// The media information of the files of the movies bound as `ids`, read from the files as they are now.
    soci::statement media_by_movie_ids;
    soci::statement movie_count;
    soci::statement file_count;
    soci::statement known_files;
    soci::statement genres;

    const sql_dialect& dialect;

    read_statements(soci::session& sql, const sql_dialect& d, std::string server_name);

    /// Movies with their files, in the order of `wanted`; ids that do not exist are skipped. Their watched
    /// state, rating and list mark are `person`'s (none kept: unwatched, unrated, not on the list), or with
    /// `shared_state` the shared columns of `movies`.
    /// `with_media`: also what the files themselves say (one movie's page); lists leave it out, so what the
    /// Prober stores in the background does not change them.
    std::vector<movie> load(const std::vector<movie_id>& wanted, person_id person, bool with_media = false);
};

} // namespace mediabase::sql_support

namespace mediabase {

struct catalogue::impl {
    soci::session sql;
    database_url where;
    /// The SQL that differs between engines; outlives the statement sets, which hold a reference to it.
    std::unique_ptr<sql_dialect> dialect;
    std::unique_ptr<sql_support::write_statements> writes;
    std::unique_ptr<sql_support::read_statements> reads;
    /// list_movies' totals by filter (the count's SQL and values), valid while `totals_version` is the
    /// dialect's data_version: another page of the same search does not count its matches again. Bounded:
    /// emptied when it reaches 256 filters.
    std::unordered_map<std::string, std::int64_t> totals;
    std::optional<std::int64_t> totals_version;
    /// This server's name: the files it stores, moves, removes, prunes and probes are its own (set_server).
    std::string server;
    /// The keys of the import locks lock_import_roots holds.
    std::vector<std::int64_t> import_locks;
    /// Movies this catalogue added since the query planner's statistics were last refreshed, and the movies
    /// counted then (grown by the additions): statistics are refreshed each time the additions reach what
    /// was there (at least statistics_step), so a first import of N movies refreshes them about log2(N) times.
    std::int64_t added_since_statistics = 0;
    std::int64_t movies_at_statistics = 0;
    static constexpr std::int64_t statistics_step = 1000;
    /// The write-ahead log, when defer_checkpoints handed its checkpoints to another connection; the dialect's
    /// hook writes to it (so it stays where the impl is).
    std::optional<wal_backlog> deferred_wal;

    sql_support::write_statements& writer() {
        if (!writes) writes = std::make_unique<sql_support::write_statements>(sql, *dialect, server);
        return *writes;
    }
    sql_support::read_statements& reader() {
        if (!reads) reads = std::make_unique<sql_support::read_statements>(sql, *dialect, server);
        return *reads;
    }

    /// Stores a batch in one transaction. With `isolate`, each movie gets a savepoint, so one that fails is
    /// undone alone and counted; without, the first failure undoes the whole batch and gives nullopt.
    std::optional<store_result> store_batch(std::span<const found_movie> batch,
                                            std::span<const std::optional<movie>> metadata, bool isolate);

    /// Stores a plain batch (every movie with files, no path twice) with a few statements for the whole batch,
    /// in one transaction; nullopt when the batch is not plain. Throws when a statement fails (the transaction
    /// is rolled back): the caller stores the batch row by row then, to keep what it can.
    std::optional<store_result> store_at_once(std::span<const found_movie> batch,
                                              std::span<const std::optional<movie>> metadata);

    /// Writes provider metadata over movie `id` inside the caller's transaction (see update_metadata).
    /// `for_import`: the art keys stay (the Cache sets them later), and metadata that is no match only
    /// replaces a movie that has no match either. False when no row was changed.
    bool write_metadata(movie_id id, const movie& m, bool for_import);

    /// Stores one found movie inside the batch's transaction. Returns the movie and whether it is new.
    std::pair<movie_id, change_kind> store_one(const found_movie& found, const std::string& now);
    /// After a committed batch that added `movies`: refreshes the planner's statistics when the catalogue
    /// has grown enough since the last time (see added_since_statistics).
    void note_added(std::int64_t movies);
};

} // namespace mediabase
