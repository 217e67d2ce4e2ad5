// The catalogue: SOCI over SQLite. Statements on the hot paths are prepared once per catalogue, bound to
// member variables, and re-executed with new values in those variables; only list_movies builds its SQL per
// call (from fixed fragments: values are always bound, never written into the text).
#include "mediabase/store/catalogue.hpp"

#include "catalogue_schema.hpp"
#include "mediabase/store/backups.hpp"
#include "mediabase/model/movie_json.hpp"
#include "mediabase/naming/name_parser.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <stdexcept>
#include <system_error>
#include <unordered_set>
#include <utility>

namespace mediabase {

std::optional<movie_sort> movie_sort_from_string(std::string_view s) {
    if (s == "title") return movie_sort::title;
    if (s == "year") return movie_sort::year;
    if (s == "added") return movie_sort::added;
    if (s == "rating") return movie_sort::rating;
    if (s == "runtime") return movie_sort::runtime;
    return std::nullopt;
}

namespace {

namespace fs = std::filesystem;

constexpr int busy_timeout_ms = 5000;
constexpr int max_page_size = 1000;
constexpr std::size_t max_search_words = 16;

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

bool is_ascii_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
char ascii_lower(unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/// The key that groups the versions of one movie and orders the title sort: the parser's normalised title,
/// folded once more (ASCII case, punctuation runs, a leading or trailing article) so that grouping and order
/// hold whatever the parser's normalisation does. Idempotent, so a fully normalised title passes unchanged.
std::string title_key_of(std::string_view title) {
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

std::string json_text(const std::vector<std::string>& items) {
    boost::json::array array;
    for (const auto& item : items)
        array.emplace_back(display_utf8(item));
    return boost::json::serialize(array);
}

std::string json_text(const std::vector<credit>& credits) {
    boost::json::array array;
    for (const auto& c : credits) {
        boost::json::object o;
        o["name"] = display_utf8(c.name);
        if (c.role) o["role"] = display_utf8(*c.role);
        array.emplace_back(std::move(o));
    }
    return boost::json::serialize(array);
}

boost::json::array json_array(const std::string& text) {
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    if (ec || !value.is_array()) return {};
    return std::move(value.as_array());
}

std::vector<std::string> strings_from_json(const std::string& text) {
    std::vector<std::string> items;
    for (const auto& v : json_array(text))
        if (v.is_string()) items.emplace_back(v.as_string());
    return items;
}

std::vector<credit> credits_from_json(const std::string& text) {
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
std::string people_text(const movie& m) {
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

std::string ids_json(const std::vector<movie_id>& ids) {
    std::string text = "[";
    for (const auto id : ids) {
        if (text.size() > 1) text += ',';
        text += std::to_string(id);
    }
    return text + "]";
}

/// The FTS5 query for what a user typed: each word becomes a quoted prefix term ("word"*), quotes doubled
/// inside, so no input can form FTS operators or a syntax error. Words with nothing the tokenizer indexes
/// (only punctuation) are dropped. Empty: nothing to search for.
std::string fts_query(std::string_view text) {
    std::string query;
    std::size_t words = 0;
    std::size_t i = 0;
    while (i < text.size() && words < max_search_words) {
        // Control bytes (NUL included) separate words like spaces do.
        while (i < text.size() && static_cast<unsigned char>(text[i]) <= ' ')
            ++i;
        const auto start = i;
        while (i < text.size() && static_cast<unsigned char>(text[i]) > ' ')
            ++i;
        const auto word = text.substr(start, i - start);
        if (std::none_of(word.begin(), word.end(), [](char c) {
                const auto u = static_cast<unsigned char>(c);
                return is_ascii_alnum(u) || u >= 0x80;
            }))
            continue;
        if (!query.empty()) query += ' ';
        query += '"';
        for (const char c : word) {
            if (c == '"') query += '"';
            query += c;
        }
        query += "\"*";
        ++words;
    }
    return query;
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
    explicit statement_use(soci::statement& st) : st_(st) {}
    statement_use(const statement_use&) = delete;
    statement_use& operator=(const statement_use&) = delete;
    ~statement_use() {
        // What sqlite3_statement_backend::reset() does; libsoci_sqlite3 does not export that member.
        auto* backend = static_cast<soci::sqlite3_statement_backend*>(st_.get_backend());
        if (backend->stmt_ && sqlite_api::sqlite3_reset(backend->stmt_) == SQLITE_OK)
            backend->databaseReady_ = true;
    }

  private:
    soci::statement& st_;
};

/// Runs a query that yields at most one row into its bound variables. True: a row was read.
bool query_one(soci::statement& st) {
    statement_use in_use(st);
    return st.execute(true);
}

/// Runs a query and calls `on_row` after each row is read into the bound variables.
template <class F> void for_each_row(soci::statement& st, F&& on_row) {
    statement_use in_use(st);
    if (!st.execute(true)) return;
    do {
        on_row();
    } while (st.fetch());
}

void execute(soci::statement& st) {
    statement_use in_use(st);
    st.execute(true);
}

int user_version(soci::session& sql) {
    int version = 0;
    sql << "PRAGMA user_version", soci::into(version);
    return version;
}

/// BEGIN IMMEDIATE ... COMMIT, rolled back unless committed. IMMEDIATE takes the write lock up front, so a
/// write transaction never fails half-way on a lock upgrade.
class write_transaction {
  public:
    explicit write_transaction(soci::session& sql) : sql_(sql) { sql_ << "BEGIN IMMEDIATE"; }
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
    explicit read_transaction(soci::session& sql) : sql_(sql) { sql_ << "BEGIN"; }
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

const std::string file_columns =
    "f.id, f.movie_id, f.path, f.root, f.size, f.mtime_ns, f.resolution, f.source, "
    "f.video_codec, f.audio_codec, f.edition, f.container, f.part, f.three_d";

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
    std::int64_t sidecar_stamp = 0; ///< written only (see media_file::sidecar_stamp)

    template <class... Uses>
    soci::statement prepare_select(soci::session& sql, const std::string& text, Uses&&... uses) {
        return prepare(sql, text, soci::into(id), soci::into(movie_id), soci::into(path), soci::into(root),
                       soci::into(size), soci::into(mtime_ns), into(resolution), into(source),
                       into(video_codec), into(audio_codec), into(edition), into(container), into(part),
                       soci::into(three_d), std::forward<Uses>(uses)...);
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

const std::string movie_columns =
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

    explicit write_statements(soci::session& sql)
        : file_by_path(prepare(sql, "SELECT id, movie_id FROM media_files WHERE path = :path",
                               soci::into(found_file), soci::into(found_movie), soci::use(path, "path"))),
          movie_by_tmdb_id(prepare(sql, "SELECT id FROM movies WHERE tmdb_id = :tmdb_id ORDER BY id LIMIT 1",
                                   soci::into(found_movie), use(tmdb_id, "tmdb_id"))),
          movie_by_imdb_id(prepare(sql, "SELECT id FROM movies WHERE imdb_id = :imdb_id ORDER BY id LIMIT 1",
                                   soci::into(found_movie), use(imdb_id, "imdb_id"))),
          // Same title and year is another version of the same film, unless the provider ids say otherwise.
          movie_by_title(prepare(sql,
                                 "SELECT id FROM movies WHERE title_key = :title_key AND year = :year"
                                 " AND (:tmdb_id IS NULL OR tmdb_id IS NULL OR tmdb_id = :tmdb_id)"
                                 " AND (:imdb_id IS NULL OR imdb_id IS NULL OR imdb_id = :imdb_id)"
                                 " ORDER BY id LIMIT 1",
                                 soci::into(found_movie), soci::use(title_key, "title_key"),
                                 use(year, "year"), use(tmdb_id, "tmdb_id"), use(imdb_id, "imdb_id"))),
          insert_movie(
              prepare(sql,
                      "INSERT INTO movies (title, title_key, year, tmdb_id, imdb_id, added_at, updated_at)"
                      " VALUES (:title, :title_key, :year, :tmdb_id, :imdb_id, :now, :now)",
                      soci::use(title, "title"), soci::use(title_key, "title_key"), use(year, "year"),
                      use(tmdb_id, "tmdb_id"), use(imdb_id, "imdb_id"), soci::use(now, "now"))),
          adopt_ids(prepare(sql,
                            "UPDATE movies SET tmdb_id = coalesce(tmdb_id, :tmdb_id),"
                            " imdb_id = coalesce(imdb_id, :imdb_id), updated_at = :now WHERE id = :movie",
                            use(tmdb_id, "tmdb_id"), use(imdb_id, "imdb_id"), soci::use(now, "now"),
                            soci::use(target_movie, "movie"))),
          touch_movie(prepare(sql, "UPDATE movies SET updated_at = :now WHERE id = :movie",
                              soci::use(now, "now"), soci::use(target_movie, "movie"))),
          insert_file(prepare(
              sql,
              "INSERT INTO media_files (movie_id, path, root, size, mtime_ns, resolution, source,"
              " video_codec, audio_codec, edition, container, part, three_d, sidecar_stamp) VALUES (:movie,"
              " :path, :root, :size, :mtime_ns, :resolution, :source, :video_codec, :audio_codec, :edition,"
              " :container, :part, :three_d, :sidecar_stamp)",
              soci::use(file.movie_id, "movie"), soci::use(file.path, "path"), soci::use(file.root, "root"),
              soci::use(file.size, "size"), soci::use(file.mtime_ns, "mtime_ns"),
              use(file.resolution, "resolution"), use(file.source, "source"),
              use(file.video_codec, "video_codec"), use(file.audio_codec, "audio_codec"),
              use(file.edition, "edition"), use(file.container, "container"), use(file.part, "part"),
              soci::use(file.three_d, "three_d"), soci::use(file.sidecar_stamp, "sidecar_stamp"))),
          update_file(
              prepare(sql,
                      "UPDATE media_files SET path = :path, root = :root, size = :size, mtime_ns = :mtime_ns,"
                      " resolution = :resolution, source = :source, video_codec = :video_codec,"
                      " audio_codec = :audio_codec, edition = :edition, container = :container,"
                      " part = :part, three_d = :three_d, sidecar_stamp = :sidecar_stamp WHERE id = :id",
                      soci::use(file.path, "path"), soci::use(file.root, "root"),
                      soci::use(file.size, "size"), soci::use(file.mtime_ns, "mtime_ns"),
                      use(file.resolution, "resolution"), use(file.source, "source"),
                      use(file.video_codec, "video_codec"), use(file.audio_codec, "audio_codec"),
                      use(file.edition, "edition"), use(file.container, "container"), use(file.part, "part"),
                      soci::use(file.three_d, "three_d"), soci::use(file.sidecar_stamp, "sidecar_stamp"),
                      soci::use(file.id, "id"))),
          relocate_file(prepare(sql,
                                "UPDATE media_files SET path = :path, root = :root, size = :size,"
                                " mtime_ns = :mtime_ns WHERE id = :id",
                                soci::use(file.path, "path"), soci::use(file.root, "root"),
                                soci::use(file.size, "size"), soci::use(file.mtime_ns, "mtime_ns"),
                                soci::use(file.id, "id"))),
          delete_file(prepare(sql, "DELETE FROM media_files WHERE id = :id", soci::use(found_file, "id"))),
          count_files(prepare(sql, "SELECT count(*) FROM media_files WHERE movie_id = :movie",
                              soci::into(file_count), soci::use(target_movie, "movie"))),
          delete_movie(
              prepare(sql, "DELETE FROM movies WHERE id = :movie", soci::use(target_movie, "movie"))),
          index_added(prepare(sql,
                              "INSERT INTO movies_fts (rowid, title, original_title, overview, people)"
                              " SELECT id, title, original_title, overview, people FROM movies"
                              " WHERE id IN (SELECT value FROM json_each(:ids))",
                              soci::use(added_ids, "ids"))),
          savepoint(prepare(sql, "SAVEPOINT found_movie")), release(prepare(sql, "RELEASE found_movie")),
          rollback_to(prepare(sql, "ROLLBACK TO found_movie")) {}

    /// The file with `path`, if known: sets found_file and found_movie.
    bool find_file(const std::string& file_path) {
        path = file_path;
        return query_one(file_by_path);
    }
};

/// The statements of the read paths, prepared on first use.
struct read_statements {
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

    soci::statement movies_by_ids;
    soci::statement files_by_movie_ids;
    soci::statement movie_count;
    soci::statement file_count;
    soci::statement known_files;
    soci::statement genres;

    explicit read_statements(soci::session& sql)
        : movies_by_ids(movie_columns_row.prepare_select(
              sql,
              "SELECT " + movie_columns + " FROM movies m WHERE m.id IN (SELECT value FROM json_each(:ids))",
              soci::use(ids, "ids"))),
          files_by_movie_ids(file_columns_row.prepare_select(sql,
                                                             "SELECT " + file_columns +
                                                                 " FROM media_files f WHERE f.movie_id IN"
                                                                 " (SELECT value FROM json_each(:ids))"
                                                                 " ORDER BY f.movie_id, f.part, f.path",
                                                             soci::use(ids, "ids"))),
          movie_count(prepare(sql, "SELECT count(*) FROM movies", soci::into(count))),
          file_count(prepare(sql, "SELECT count(*) FROM media_files", soci::into(count))),
          known_files(prepare(sql, "SELECT path, size, mtime_ns, movie_id, sidecar_stamp FROM media_files",
                              soci::into(path), soci::into(size), soci::into(mtime_ns), soci::into(file_movie),
                              soci::into(sidecar_stamp))),
          genres(prepare(sql, "SELECT DISTINCT genre FROM movie_genres ORDER BY genre", soci::into(genre))) {}

    /// Movies with their files, in the order of `wanted`; ids that do not exist are skipped.
    std::vector<movie> load(const std::vector<movie_id>& wanted) {
        std::vector<movie> movies;
        if (wanted.empty()) return movies;
        ids = ids_json(wanted);
        std::unordered_map<movie_id, movie> by_id;
        by_id.reserve(wanted.size());
        for_each_row(movies_by_ids,
                     [&] { by_id.emplace(movie_columns_row.id, movie_columns_row.to_movie()); });
        for_each_row(files_by_movie_ids, [&] {
            if (auto it = by_id.find(file_columns_row.movie_id); it != by_id.end())
                it->second.files.push_back(file_columns_row.to_file());
        });
        movies.reserve(by_id.size());
        for (const auto id_wanted : wanted) {
            if (auto it = by_id.find(id_wanted); it != by_id.end()) movies.push_back(std::move(it->second));
        }
        return movies;
    }
};

/// The connection string for SOCI's sqlite3 backend, which reads `key=value` options from it: a path without
/// '=' is taken whole; one with '=' goes as a percent-encoded SQLite URI.
std::string connect_string(const fs::path& file) {
    const std::string path = file.string();
    if (path.find('=') == std::string::npos) return path;
    if (!sqlite_api::sqlite3_compileoption_used("USE_URI"))
        throw std::runtime_error("cannot open the database " + path + ": its path contains '='");
    // Only unreserved characters and '/' stay as they are: '=' would be read by SOCI as an option and
    // '?', '#' and '%' by SQLite as URI syntax.
    static constexpr auto kept = boost::urls::unreserved_chars + boost::urls::grammar::lut_chars('/');
    return "file:" + boost::urls::encode(path, kept);
}

sqlite_api::sqlite3* connection_of(soci::session& sql) {
    return static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_;
}

/// Closes a connection opened with sqlite3_open_v2 (also after a failed open, as SQLite asks).
struct connection_closer {
    void operator()(sqlite_api::sqlite3* db) const { sqlite_api::sqlite3_close_v2(db); }
};
using own_connection = std::unique_ptr<sqlite_api::sqlite3, connection_closer>;

own_connection open_connection(const fs::path& file, int flags) {
    sqlite_api::sqlite3* db = nullptr;
    const int rc = sqlite_api::sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
    own_connection owned(db);
    if (rc != SQLITE_OK)
        throw std::runtime_error("cannot open " + file.string() + ": " +
                                 (db ? sqlite_api::sqlite3_errmsg(db) : sqlite_api::sqlite3_errstr(rc)));
    sqlite_api::sqlite3_busy_timeout(db, busy_timeout_ms);
    return owned;
}

/// Copies the whole database `source` into `target` (online backup API, one step: a consistent snapshot).
void copy_database(sqlite_api::sqlite3* source, sqlite_api::sqlite3* target, const std::string& what) {
    auto* backup = sqlite_api::sqlite3_backup_init(target, "main", source, "main");
    if (!backup) throw std::runtime_error(what + ": " + sqlite_api::sqlite3_errmsg(target));
    const int step = sqlite_api::sqlite3_backup_step(backup, -1);
    const int finish = sqlite_api::sqlite3_backup_finish(backup);
    if (step != SQLITE_DONE || finish != SQLITE_OK)
        throw std::runtime_error(what + ": " + sqlite_api::sqlite3_errstr(step != SQLITE_DONE ? step : finish));
}

/// A backup of the open database into `target`, through a temp file renamed into place, so a crash or a full
/// disk never leaves a half-written file under a backup's name.
void backup_connection(sqlite_api::sqlite3* source, const fs::path& target) {
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw std::runtime_error("cannot create " + target.parent_path().string() + ": " + ec.message());
    auto temp = target;
    temp += ".tmp";
    fs::remove(temp, ec);
    {
        auto out = open_connection(temp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        copy_database(source, out.get(), "cannot back up the catalogue to " + target.string());
    }
    fs::rename(temp, target, ec);
    if (ec) {
        fs::remove(temp, ec);
        throw std::runtime_error("cannot rename the backup into " + target.string() + ": " + ec.message());
    }
}

void migrate(soci::session& sql, const fs::path& file) {
    const auto too_new = [&](int version) {
        return std::runtime_error(
            "the database " + file.string() + " has schema version " + std::to_string(version) +
            ", newer than this build of Mediabase supports (" + std::to_string(schema::current_version) +
            "); run a newer Mediabase or restore a backup");
    };
    int version = user_version(sql);
    if (version > schema::current_version) throw too_new(version);
    if (version > 0 && version < schema::current_version) {
        // A migration rewrites the catalogue: keep a copy of it as it was, to go back to.
        const auto target = catalogue::backup_dir(file) /
                            backup_name("before-v" + std::to_string(schema::current_version),
                                        std::chrono::system_clock::now());
        try {
            backup_connection(connection_of(sql), target);
        } catch (const std::exception& e) {
            throw std::runtime_error("not migrating the database " + file.string() +
                                     " without a backup: " + e.what());
        }
        spdlog::info("catalogue: backed up {} to {} before migrating it", file.string(), target.string());
    }
    for (const auto& step : schema::migrations) {
        if (step.version <= version) continue;
        try {
            write_transaction transaction(sql);
            // Another catalogue on the same file (the DAL's reader) may have migrated meanwhile.
            version = user_version(sql);
            if (version > schema::current_version) throw too_new(version);
            if (step.version <= version) continue;
            for (const auto statement : step.statements)
                sql << std::string(statement);
            // PRAGMA takes no parameters; the value is this build's own constant.
            sql << "PRAGMA user_version = " + std::to_string(step.version);
            transaction.commit();
        } catch (const soci::soci_error& e) {
            throw std::runtime_error("cannot migrate the database " + file.string() + " to schema version " +
                                     std::to_string(step.version) + ": " + e.what());
        }
        spdlog::info("catalogue: {} migrated to schema version {}", file.string(), step.version);
        version = step.version;
    }
}

} // namespace

struct catalogue::impl {
    soci::session sql;
    fs::path file;
    std::unique_ptr<write_statements> writes;
    std::unique_ptr<read_statements> reads;

    write_statements& writer() {
        if (!writes) writes = std::make_unique<write_statements>(sql);
        return *writes;
    }
    read_statements& reader() {
        if (!reads) reads = std::make_unique<read_statements>(sql);
        return *reads;
    }

    /// Stores a batch in one transaction. With `isolate`, each movie gets a savepoint, so one that fails is
    /// undone alone and counted; without, the first failure undoes the whole batch and gives nullopt.
    std::optional<store_result> store_batch(std::span<const found_movie> batch,
                                            std::span<const std::optional<movie>> metadata, bool isolate) {
        auto& w = writer();
        store_result result;
        result.ids.assign(batch.size(), 0);
        write_transaction transaction(sql);
        const auto now = utc_now_iso8601();
        std::unordered_set<movie_id> reported;
        std::vector<movie_id> added;
        for (const auto& found : batch) {
            if (found.files.empty()) {
                ++result.failed;
                spdlog::warn("catalogue: cannot store '{}': no files", found.title);
                continue;
            }
            if (isolate) execute(w.savepoint);
            try {
                const auto [id, kind] = store_one(found, now);
                if (isolate) execute(w.release);
                ++result.stored;
                result.ids[static_cast<std::size_t>(&found - batch.data())] = id;
                // A movie added by this batch and extended later in it is still just added.
                if (reported.insert(id).second) {
                    result.changes.push_back({kind, id, static_cast<std::size_t>(&found - batch.data())});
                    if (kind == change_kind::added) added.push_back(id);
                }
            } catch (const std::exception& e) {
                if (!isolate) return std::nullopt;
                execute(w.rollback_to);
                execute(w.release);
                ++result.failed;
                if (!result.error) result.error = e.what();
                spdlog::warn("catalogue: cannot store '{}' ({}): {}", found.title, found.files.front().path,
                             e.what());
            }
        }
        // New movies enter the full-text index together (see the schema on why not by trigger).
        if (!added.empty()) {
            w.added_ids = ids_json(added);
            execute(w.index_added);
        }
        // Metadata only once the new movies are indexed: the index's update trigger first takes a row's old
        // text out of it, which must be there. A movie whose metadata fails stays stored without it.
        for (std::size_t i = 0; i < metadata.size() && i < batch.size(); ++i) {
            if (!metadata[i] || result.ids[i] == 0) continue;
            if (isolate) execute(w.savepoint);
            try {
                write_metadata(result.ids[i], *metadata[i], true);
                if (isolate) execute(w.release);
            } catch (const std::exception& e) {
                if (!isolate) return std::nullopt;
                execute(w.rollback_to);
                execute(w.release);
                spdlog::warn("catalogue: cannot store the metadata of '{}': {}", batch[i].title, e.what());
            }
        }
        transaction.commit();
        return result;
    }

    /// Writes provider metadata over movie `id` inside the caller's transaction (see update_metadata).
    /// `for_import`: the art keys stay (the Cache sets them later), and metadata that is no match only
    /// replaces a movie that has no match either. False when no row was changed.
    bool write_metadata(movie_id id, const movie& m, bool for_import) {
        movie_row v;
        v.set(m);
        v.id = id;
        v.updated_at = utc_now_iso8601();
        const bool keep_art = for_import;
        const bool matched = m.match == match_state::identified || m.match == match_state::review;
        const bool keep_match = for_import && !matched;
        // An empty title from a provider would blank the list: keep the one the movie has.
        const std::string title_sql = m.title.empty() ? "title" : ":title";
        const std::string title_key_sql = m.title.empty() ? "title_key" : ":title_key";
        soci::statement update(sql);
        if (!m.title.empty()) {
            update.exchange(soci::use(v.title, "title"));
            update.exchange(soci::use(v.title_key, "title_key"));
        }
        update.exchange(use(v.original_title, "original_title"));
        update.exchange(use(v.year, "year"));
        update.exchange(use(v.overview, "overview"));
        update.exchange(use(v.tagline, "tagline"));
        update.exchange(use(v.runtime, "runtime"));
        update.exchange(soci::use(v.genres, "genres"));
        update.exchange(soci::use(v.countries, "countries"));
        update.exchange(soci::use(v.directors, "directors"));
        update.exchange(soci::use(v.writers, "writers"));
        update.exchange(soci::use(v.cast, "cast"));
        update.exchange(soci::use(v.people, "people"));
        update.exchange(use(v.certification, "certification"));
        update.exchange(use(v.collection, "collection"));
        update.exchange(use(v.tmdb_id, "tmdb_id"));
        update.exchange(use(v.imdb_id, "imdb_id"));
        if (!keep_art) {
            update.exchange(use(v.poster, "poster"));
            update.exchange(use(v.backdrop, "backdrop"));
        }
        update.exchange(use(v.imdb_rating, "imdb_rating"));
        update.exchange(use(v.imdb_votes, "imdb_votes"));
        update.exchange(use(v.metascore, "metascore"));
        update.exchange(use(v.awards, "awards"));
        update.exchange(use(v.vote_average, "vote_average"));
        update.exchange(use(v.vote_count, "vote_count"));
        update.exchange(soci::use(v.match, "match"));
        update.exchange(use(v.match_confidence, "match_confidence"));
        update.exchange(use(v.identify_error, "identify_error"));
        update.exchange(soci::use(v.updated_at, "updated_at"));
        update.exchange(soci::use(v.id, "id"));
        update.alloc();
        update.prepare(
            "UPDATE movies SET title = " + title_sql + ", title_key = " + title_key_sql +
            ", original_title = :original_title, year = :year, overview = :overview,"
            " tagline = :tagline, runtime = :runtime, genres = :genres, countries = :countries,"
            " directors = :directors, writers = :writers, cast_members = :cast, people = :people,"
            " certification = :certification, collection = :collection, tmdb_id = :tmdb_id,"
            " imdb_id = :imdb_id," +
            std::string(keep_art ? "" : " poster = :poster, backdrop = :backdrop,") +
            // A new match starts with no art to retry: store_art says whether its art could be cached.
            std::string(matched ? " art_retry = 0," : "") +
            " imdb_rating = :imdb_rating,"
            " imdb_votes = :imdb_votes, metascore = :metascore, awards = :awards,"
            " vote_average = :vote_average, vote_count = :vote_count, match_state = :match,"
            " match_confidence = :match_confidence, identify_error = :identify_error,"
            " updated_at = :updated_at WHERE id = :id" +
            std::string(keep_match ? " AND match_state IN ('unidentified', 'failed')" : ""));
        update.define_and_bind();
        execute(update);
        return update.get_affected_rows() > 0;
    }

    /// Stores one found movie inside the batch's transaction. Returns the movie and whether it is new.
    std::pair<movie_id, change_kind> store_one(const found_movie& found, const std::string& now) {
        if (found.files.empty()) throw std::invalid_argument("a found movie without files");
        auto& w = writer();
        w.now = now;
        w.tmdb_id.set(found.tmdb_id);
        w.imdb_id.set(found.imdb_id);

        // Files already known keep their movie; the first one decides where new files go.
        std::vector<std::int64_t> known(found.files.size(), 0);
        std::optional<movie_id> target;
        for (std::size_t i = 0; i < found.files.size(); ++i) {
            if (w.find_file(found.files[i].path)) {
                known[i] = w.found_file;
                if (!target) target = w.found_movie;
            }
        }
        auto kind = change_kind::updated;
        if (!target) {
            w.title_key = title_key_of(found.title);
            w.year.set(found.year);
            if (found.tmdb_id && query_one(w.movie_by_tmdb_id)) {
                target = w.found_movie;
            } else if (found.imdb_id && query_one(w.movie_by_imdb_id)) {
                target = w.found_movie;
            } else if (found.year && query_one(w.movie_by_title)) {
                // Without a year a shared title proves little: such movies stay apart (and show as
                // duplicates).
                target = w.found_movie;
            }
        }
        if (target) {
            w.target_movie = *target;
            execute(w.adopt_ids);
        } else {
            w.title = found.title;
            execute(w.insert_movie);
            long long id = 0;
            sql.get_last_insert_id("movies", id);
            target = id;
            kind = change_kind::added;
        }
        for (std::size_t i = 0; i < found.files.size(); ++i) {
            w.file.set(found.files[i]);
            if (known[i] != 0) {
                w.file.id = known[i];
                execute(w.update_file);
            } else {
                w.file.movie_id = *target;
                execute(w.insert_file);
            }
        }
        return {*target, kind};
    }
};

catalogue catalogue::open(const std::filesystem::path& db_file) {
    const auto file = fs::absolute(db_file);
    if (file.has_parent_path()) {
        std::error_code ec;
        fs::create_directories(file.parent_path(), ec);
        if (ec)
            throw std::runtime_error("cannot create the database folder " + file.parent_path().string() +
                                     ": " + ec.message());
    }
    auto p = std::make_unique<impl>();
    p->file = file;
    try {
        p->sql.open(soci::sqlite3, connect_string(file));
        // The timeout first: switching to WAL needs a moment of exclusive access.
        p->sql << "PRAGMA busy_timeout = " + std::to_string(busy_timeout_ms);
        std::string journal_mode;
        p->sql << "PRAGMA journal_mode = WAL", soci::into(journal_mode);
        if (journal_mode != "wal")
            spdlog::warn("catalogue: {} is in journal mode '{}', not WAL: reads may wait behind writes",
                         file.string(), journal_mode);
        p->sql << "PRAGMA synchronous = NORMAL";
        // Room for the hot index pages of a 100k-movie library (the default is 2 MiB).
        p->sql << "PRAGMA cache_size = -16384";
        // Sorts of the movie list and savepoint journals stay in memory.
        p->sql << "PRAGMA temp_store = MEMORY";
        // Checkpoint the WAL every 128 MiB instead of every 4 MiB: an import rewrites the same index pages
        // batch after batch, and each checkpoint copies them into the database file again. After a
        // checkpoint the WAL file is cut back to 64 MiB.
        p->sql << "PRAGMA wal_autocheckpoint = 32768";
        p->sql << "PRAGMA journal_size_limit = 67108864";
        p->sql << "PRAGMA foreign_keys = ON";
    } catch (const soci::soci_error& e) {
        throw std::runtime_error("cannot open the database " + file.string() + ": " + e.what());
    }
    migrate(p->sql, file);
    return catalogue(std::move(p));
}

catalogue::catalogue(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

catalogue::~catalogue() {
    if (!impl_) return;
    impl_->writes.reset();
    impl_->reads.reset();
    try {
        // Keeps the query planner's statistics current, bounded so that closing stays quick.
        impl_->sql << "PRAGMA analysis_limit = 1000";
        impl_->sql << "PRAGMA optimize";
    } catch (const std::exception& e) {
        spdlog::warn("catalogue: closing {}: {}", impl_->file.string(), e.what());
    }
}

catalogue::catalogue(catalogue&&) noexcept = default;
catalogue& catalogue::operator=(catalogue&&) noexcept = default;

int catalogue::current_schema_version() {
    return schema::current_version;
}

int catalogue::schema_version() {
    return user_version(impl_->sql);
}

std::optional<std::string> catalogue::quick_check() {
    std::string result;
    soci::statement check = (impl_->sql.prepare << "PRAGMA quick_check(5)", soci::into(result));
    std::string problems;
    statement_use in_use(check);
    if (!check.execute(true)) return "quick_check gave no answer";
    do {
        if (result == "ok") return std::nullopt;
        if (!problems.empty()) problems += "; ";
        problems += result;
    } while (check.fetch());
    return problems;
}

void catalogue::backup_to(const std::filesystem::path& target) {
    backup_connection(connection_of(impl_->sql), target);
}

std::filesystem::path catalogue::backup_dir(const std::filesystem::path& db_file) {
    return fs::absolute(db_file).parent_path() / "backups";
}

void catalogue::restore(const std::filesystem::path& source, const std::filesystem::path& db_file) {
    std::error_code ec;
    if (!fs::is_regular_file(source, ec)) throw std::runtime_error(source.string() + " is not a file");
    auto from = open_connection(source, SQLITE_OPEN_READONLY);
    // Only a sound catalogue this build can open replaces the current one.
    const auto single_text = [&](const char* sql) {
        sqlite_api::sqlite3_stmt* st = nullptr;
        if (sqlite_api::sqlite3_prepare_v2(from.get(), sql, -1, &st, nullptr) != SQLITE_OK)
            throw std::runtime_error(source.string() + " is not a Mediabase catalogue: " +
                                     sqlite_api::sqlite3_errmsg(from.get()));
        std::string text;
        if (sqlite_api::sqlite3_step(st) == SQLITE_ROW) {
            const auto* value = sqlite_api::sqlite3_column_text(st, 0);
            if (value) text = reinterpret_cast<const char*>(value);
        }
        sqlite_api::sqlite3_finalize(st);
        return text;
    };
    const auto check = single_text("PRAGMA quick_check");
    if (check != "ok") throw std::runtime_error(source.string() + " is damaged (quick_check: " + check + ")");
    const auto version = std::stoi("0" + single_text("PRAGMA user_version"));
    if (version > schema::current_version)
        throw std::runtime_error(source.string() + " has schema version " + std::to_string(version) +
                                 ", newer than this build supports (" + std::to_string(schema::current_version) + ")");
    if (single_text("SELECT count(*) FROM sqlite_schema WHERE name = 'movies'") != "1")
        throw std::runtime_error(source.string() + " is not a Mediabase catalogue (no movies table)");
    fs::create_directories(fs::absolute(db_file).parent_path(), ec);
    auto to = open_connection(db_file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    copy_database(from.get(), to.get(), "cannot restore " + source.string() + " into " + db_file.string());
}

store_result catalogue::store_found(std::span<const found_movie> batch,
                                    std::span<const std::optional<movie>> metadata) {
    if (batch.empty()) return {};
    try {
        // Savepoints cost: each copies aside every page it touches. So the batch goes in without them, and
        // only if a movie fails does it go again with one savepoint per movie, to keep the others.
        if (auto result = impl_->store_batch(batch, metadata, false)) return *result;
        spdlog::debug("catalogue: storing the batch again movie by movie");
        return *impl_->store_batch(batch, metadata, true);
    } catch (const std::exception& e) {
        spdlog::error("catalogue: storing a batch of {} movies failed: {}", batch.size(), e.what());
        store_result result;
        result.failed = static_cast<std::int64_t>(batch.size());
        result.error = e.what();
        return result;
    }
}

std::vector<movie_change> catalogue::remove_files(std::span<const std::string> paths) {
    std::vector<movie_change> changes;
    if (paths.empty()) return changes;
    auto& w = impl_->writer();
    write_transaction transaction(impl_->sql);
    std::set<movie_id> affected;
    for (const auto& path : paths) {
        if (!w.find_file(path)) continue;
        execute(w.delete_file);
        affected.insert(w.found_movie);
    }
    w.now = utc_now_iso8601();
    for (const auto id : affected) {
        w.target_movie = id;
        query_one(w.count_files);
        if (w.file_count == 0) {
            execute(w.delete_movie);
            changes.push_back({change_kind::removed, id});
        } else {
            execute(w.touch_movie);
            changes.push_back({change_kind::updated, id});
        }
    }
    transaction.commit();
    return changes;
}

bool catalogue::move_file(const std::string& old_path, const std::string& new_path, const file_stamp& stamp,
                          const std::string& new_root) {
    auto& w = impl_->writer();
    write_transaction transaction(impl_->sql);
    if (old_path != new_path && w.find_file(new_path)) {
        spdlog::warn("catalogue: cannot move {} to {}: that path is already catalogued", old_path, new_path);
        return false;
    }
    if (!w.find_file(old_path)) return false;
    // The file keeps its row, and so its movie with the watched state and rating; only its place changes.
    w.file.id = w.found_file;
    w.file.path = new_path;
    w.file.root = new_root;
    w.file.size = stamp.size;
    w.file.mtime_ns = stamp.mtime_ns;
    execute(w.relocate_file);
    w.target_movie = w.found_movie;
    w.now = utc_now_iso8601();
    execute(w.touch_movie);
    transaction.commit();
    return true;
}

store_result catalogue::store_moves(std::span<const file_move> moves) {
    store_result result;
    if (moves.empty()) return result;
    try {
        auto& w = impl_->writer();
        write_transaction transaction(impl_->sql);
        const auto now = utc_now_iso8601();
        std::unordered_set<movie_id> reported;
        std::vector<movie_id> added;
        for (std::size_t i = 0; i < moves.size(); ++i) {
            const auto& move = moves[i];
            if (move.found.files.size() != 1) {
                ++result.failed;
                spdlog::warn("catalogue: cannot move {}: a move carries exactly one file", move.from);
                continue;
            }
            const auto& target = move.found.files.front();
            std::pair<movie_id, change_kind> stored;
            if (!w.find_file(target.path) && w.find_file(move.from)) {
                // The file keeps its row, and so its movie with the watched state and rating; its place and
                // what its new name says change.
                w.file.set(target);
                w.file.id = w.found_file;
                execute(w.update_file);
                w.target_movie = w.found_movie;
                w.now = now;
                execute(w.touch_movie);
                stored = {w.found_movie, change_kind::updated};
            } else {
                stored = impl_->store_one(move.found, now);
            }
            ++result.stored;
            if (reported.insert(stored.first).second) {
                result.changes.push_back({stored.second, stored.first, i});
                if (stored.second == change_kind::added) added.push_back(stored.first);
            }
        }
        if (!added.empty()) {
            w.added_ids = ids_json(added);
            execute(w.index_added);
        }
        transaction.commit();
    } catch (const std::exception& e) {
        spdlog::error("catalogue: storing {} moved files failed: {}", moves.size(), e.what());
        result = store_result{};
        result.failed = static_cast<std::int64_t>(moves.size());
    }
    return result;
}

std::optional<movie> catalogue::patch_movie(movie_id id, const movie_patch& patch) {
    if (patch.rating && *patch.rating && (**patch.rating < 1 || **patch.rating > 10))
        throw std::invalid_argument("a rating is 1 to 10");
    {
        write_transaction transaction(impl_->sql);
        nullable<int> watched;
        if (patch.watched) watched.set(*patch.watched ? 1 : 0);
        int set_rating = patch.rating ? 1 : 0;
        nullable<int> rating;
        if (patch.rating) rating.set(*patch.rating);
        std::string now = utc_now_iso8601();
        auto update =
            prepare(impl_->sql,
                    "UPDATE movies SET watched = coalesce(:watched, watched),"
                    " rating = CASE WHEN :set_rating THEN :rating ELSE rating END, updated_at = :now"
                    " WHERE id = :id",
                    use(watched, "watched"), soci::use(set_rating, "set_rating"), use(rating, "rating"),
                    soci::use(now, "now"), soci::use(id, "id"));
        execute(update);
        if (update.get_affected_rows() == 0) return std::nullopt;
        transaction.commit();
    }
    return get_movie(id);
}

std::optional<movie> catalogue::update_metadata(movie_id id, const movie& m) {
    {
        write_transaction transaction(impl_->sql);
        if (!impl_->write_metadata(id, m, false)) return std::nullopt;
        transaction.commit();
    }
    return get_movie(id);
}

std::int64_t catalogue::store_art(std::span<const art_update> updates) {
    if (updates.empty()) return 0;
    write_transaction transaction(impl_->sql);
    std::int64_t id = 0;
    nullable<std::string> poster, backdrop;
    int retry = 0;
    std::string now = utc_now_iso8601();
    auto update = prepare(impl_->sql,
                          "UPDATE movies SET poster = coalesce(:poster, poster),"
                          " backdrop = coalesce(:backdrop, backdrop), art_retry = :retry, updated_at = :now"
                          " WHERE id = :id",
                          use(poster, "poster"), use(backdrop, "backdrop"), soci::use(retry, "retry"),
                          soci::use(now, "now"), soci::use(id, "id"));
    std::int64_t updated = 0;
    for (const auto& u : updates) {
        id = u.id;
        poster.set(u.poster);
        backdrop.set(u.backdrop);
        retry = u.retry ? 1 : 0;
        execute(update);
        updated += update.get_affected_rows();
    }
    transaction.commit();
    return updated;
}

known_files catalogue::load_known_files() {
    auto& r = impl_->reader();
    read_transaction snapshot(impl_->sql);
    known_files files;
    query_one(r.file_count);
    files.reserve(static_cast<std::size_t>(r.count));
    for_each_row(r.known_files, [&] {
        files.emplace(r.path, known_file{{r.size, r.mtime_ns}, r.file_movie, r.sidecar_stamp});
    });
    return files;
}

movie_page catalogue::list_movies(const movie_query& query) {
    auto& r = impl_->reader();
    movie_page page;

    // Values bound by name; the SQL text is assembled from fixed fragments only.
    std::string text = fts_query(query.text);
    std::string genre = query.genre.value_or("");
    int year_from = query.year_from.value_or(0);
    int year_to = query.year_to.value_or(0);
    int watched = query.watched.value_or(false) ? 1 : 0;
    std::string resolution = query.resolution.value_or("");
    std::string match = query.match ? to_string(*query.match) : "";
    int limit = std::clamp(query.limit, 1, max_page_size);
    int offset = std::max(query.offset, 0);

    // Two forms of the genre and resolution filters, same rows: counting is quickest driven from the genre or
    // file rows (IN), a sorted page from the sort index, testing each movie until the page is full (EXISTS).
    std::string count_where;
    std::string page_where;
    const auto add = [&](std::string_view count_clause, std::string_view page_clause) {
        count_where += count_where.empty() ? " WHERE " : " AND ";
        count_where += count_clause;
        page_where += page_where.empty() ? " WHERE " : " AND ";
        page_where += page_clause;
    };
    const bool searching = !text.empty();
    if (searching) {
        constexpr std::string_view matches =
            "m.id IN (SELECT rowid FROM movies_fts WHERE movies_fts MATCH :text)";
        add(matches, matches);
    }
    if (query.genre)
        add("m.id IN (SELECT movie_id FROM movie_genres WHERE genre = :genre)",
            "EXISTS (SELECT 1 FROM movie_genres g WHERE g.genre = :genre AND g.movie_id = m.id)");
    if (query.year_from) add("m.year >= :year_from", "m.year >= :year_from");
    if (query.year_to) add("m.year <= :year_to", "m.year <= :year_to");
    if (query.watched) add("m.watched = :watched", "m.watched = :watched");
    if (query.resolution)
        add("m.id IN (SELECT movie_id FROM media_files WHERE resolution = :resolution COLLATE NOCASE)",
            "EXISTS (SELECT 1 FROM media_files f WHERE f.resolution = :resolution COLLATE NOCASE"
            " AND f.movie_id = m.id)");
    if (query.match) add("m.match_state = :match", "m.match_state = :match");

    const char* dir = query.descending ? " DESC" : " ASC";
    std::string order;
    switch (query.sort) {
    case movie_sort::title:
        order = "m.title_key{}, m.year{}, m.id{}";
        break;
    case movie_sort::year:
        order = "m.year{}, m.title_key{}, m.id{}";
        break;
    case movie_sort::added:
        order = "m.id{}";
        break;
    // Equal ratings and runtimes are common (and every unidentified movie has neither): their ties go by id,
    // which the index gives for free, rather than by title, which would sort each tie group.
    case movie_sort::rating:
        order = "m.rating{}, coalesce(m.vote_average, m.imdb_rating){}, m.id{}";
        break;
    case movie_sort::runtime:
        order = "m.runtime{}, m.id{}";
        break;
    }
    for (auto at = order.find("{}"); at != std::string::npos; at = order.find("{}", at))
        order.replace(at, 2, dir);

    const auto bind_filters = [&](soci::statement& st) {
        if (searching) st.exchange(soci::use(text, "text"));
        if (query.genre) st.exchange(soci::use(genre, "genre"));
        if (query.year_from) st.exchange(soci::use(year_from, "year_from"));
        if (query.year_to) st.exchange(soci::use(year_to, "year_to"));
        if (query.watched) st.exchange(soci::use(watched, "watched"));
        if (query.resolution) st.exchange(soci::use(resolution, "resolution"));
        if (query.match) st.exchange(soci::use(match, "match"));
    };

    read_transaction snapshot(impl_->sql);
    {
        soci::statement count(impl_->sql);
        count.exchange(soci::into(page.total));
        bind_filters(count);
        count.alloc();
        count.prepare("SELECT count(*) FROM movies m" + count_where);
        count.define_and_bind();
        query_one(count);
    }
    std::vector<movie_id> ids;
    if (page.total > offset) {
        std::int64_t id = 0;
        soci::statement select(impl_->sql);
        select.exchange(soci::into(id));
        bind_filters(select);
        select.exchange(soci::use(limit, "limit"));
        select.exchange(soci::use(offset, "offset"));
        select.alloc();
        select.prepare("SELECT m.id FROM movies m" + page_where + " ORDER BY " + order +
                       " LIMIT :limit OFFSET :offset");
        select.define_and_bind();
        ids.reserve(static_cast<std::size_t>(limit));
        for_each_row(select, [&] { ids.push_back(id); });
    }
    page.movies = r.load(ids);
    return page;
}

std::optional<movie> catalogue::get_movie(movie_id id) {
    auto& r = impl_->reader();
    read_transaction snapshot(impl_->sql);
    auto movies = r.load({id});
    if (movies.empty()) return std::nullopt;
    return std::move(movies.front());
}

std::vector<duplicate_group> catalogue::duplicates() {
    auto& r = impl_->reader();
    read_transaction snapshot(impl_->sql);
    std::vector<std::pair<std::string, std::vector<movie_id>>> groups;
    std::set<std::vector<movie_id>> by_tmdb;
    {
        std::int64_t tmdb_id = 0;
        std::int64_t id = 0;
        auto select = prepare(impl_->sql,
                              "SELECT tmdb_id, id FROM movies WHERE tmdb_id IN (SELECT tmdb_id FROM movies"
                              " WHERE tmdb_id IS NOT NULL GROUP BY tmdb_id HAVING count(*) > 1)"
                              " ORDER BY tmdb_id, id",
                              soci::into(tmdb_id), soci::into(id));
        std::optional<std::int64_t> current;
        for_each_row(select, [&] {
            if (current != tmdb_id) groups.emplace_back("tmdb_id", std::vector<movie_id>{});
            current = tmdb_id;
            groups.back().second.push_back(id);
        });
        for (const auto& group : groups)
            by_tmdb.insert(group.second);
    }
    {
        std::string title_key;
        nullable<int> year;
        std::int64_t id = 0;
        nullable<std::int64_t> tmdb_id;
        auto select =
            prepare(impl_->sql,
                    "SELECT m.title_key, m.year, m.id, m.tmdb_id FROM movies m JOIN (SELECT title_key, year"
                    " FROM movies GROUP BY title_key, year HAVING count(*) > 1) d"
                    " ON d.title_key = m.title_key AND d.year IS m.year ORDER BY m.title_key, m.year, m.id",
                    soci::into(title_key), into(year), soci::into(id), into(tmdb_id));
        struct title_group {
            std::vector<movie_id> ids;
            std::set<std::int64_t> tmdb_ids;
        };
        std::vector<title_group> title_groups;
        std::optional<std::pair<std::string, std::optional<int>>> current;
        for_each_row(select, [&] {
            auto key = std::make_pair(title_key, year.get());
            if (current != key) title_groups.emplace_back();
            current = std::move(key);
            title_groups.back().ids.push_back(id);
            if (auto t = tmdb_id.get()) title_groups.back().tmdb_ids.insert(*t);
        });
        for (auto& group : title_groups) {
            // Two different provider ids under one title and year are two films (a remake, a namesake).
            if (group.tmdb_ids.size() > 1 || by_tmdb.contains(group.ids)) continue;
            groups.emplace_back("title_year", std::move(group.ids));
        }
    }
    std::vector<movie_id> all;
    for (const auto& group : groups)
        all.insert(all.end(), group.second.begin(), group.second.end());
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    std::unordered_map<movie_id, movie> movies;
    for (auto& m : r.load(all))
        movies.emplace(m.id, std::move(m));

    std::vector<duplicate_group> result;
    for (auto& [reason, ids] : groups) {
        duplicate_group group{reason, {}};
        for (const auto id : ids)
            if (auto it = movies.find(id); it != movies.end()) group.movies.push_back(it->second);
        if (group.movies.size() > 1) result.push_back(std::move(group));
    }
    return result;
}

std::vector<catalogued_file> catalogue::files_under_root(const std::string& root) {
    std::vector<catalogued_file> files;
    std::string prefix = root;
    while (prefix.size() > 1 && prefix.ends_with('/'))
        prefix.pop_back();
    if (prefix.empty()) return files;
    if (prefix == "/") prefix.clear();
    // Everything that starts with "<root>/": a range over the path index ('0' follows '/').
    std::string low = prefix + "/";
    std::string high = prefix + "0";
    catalogued_file file;
    auto select = prepare(
        impl_->sql,
        "SELECT id, path, movie_id FROM media_files WHERE path >= :low AND path < :high ORDER BY path",
        soci::into(file.id), soci::into(file.path), soci::into(file.movie), soci::use(low, "low"),
        soci::use(high, "high"));
    for_each_row(select, [&] { files.push_back(file); });
    return files;
}

std::int64_t catalogue::movie_count() {
    auto& r = impl_->reader();
    query_one(r.movie_count);
    return r.count;
}

std::vector<movie_id> catalogue::movies_to_identify() {
    std::vector<movie_id> ids;
    std::int64_t id = 0;
    // "no match" is an answer, not an outage: such movies wait for a rename or the user's "Fix match".
    auto select = prepare(impl_->sql,
                          "SELECT id FROM movies WHERE match_state = 'unidentified'"
                          " OR (match_state = 'failed' AND coalesce(identify_error, '') NOT LIKE 'no match:%')"
                          " OR (match_state IN ('identified', 'review') AND art_retry = 1)",
                          soci::into(id));
    for_each_row(select, [&] { ids.push_back(id); });
    return ids;
}

std::unordered_set<std::string> catalogue::art_keys_in_use(std::span<const std::string> candidates) {
    std::unordered_set<std::string> in_use;
    if (candidates.empty()) return in_use;
    std::string key;
    int found = 0;
    auto lookup = prepare(impl_->sql,
                          "SELECT EXISTS (SELECT 1 FROM movies WHERE poster = :key)"
                          " OR EXISTS (SELECT 1 FROM movies WHERE backdrop = :key2)",
                          soci::into(found), soci::use(key, "key"), soci::use(key, "key2"));
    read_transaction snapshot(impl_->sql);
    for (const auto& candidate : candidates) {
        key = candidate;
        query_one(lookup);
        if (found) in_use.insert(candidate);
    }
    return in_use;
}

std::unordered_set<std::string> catalogue::art_keys() {
    std::unordered_set<std::string> keys;
    std::string key;
    auto select = prepare(impl_->sql,
                          "SELECT poster FROM movies WHERE poster IS NOT NULL"
                          " UNION SELECT backdrop FROM movies WHERE backdrop IS NOT NULL",
                          soci::into(key));
    for_each_row(select, [&] { keys.insert(key); });
    return keys;
}

std::vector<std::string> catalogue::genres() {
    auto& r = impl_->reader();
    std::vector<std::string> genres;
    for_each_row(r.genres, [&] { genres.push_back(r.genre); });
    return genres;
}

library_figures catalogue::figures() {
    auto& sql = impl_->sql;
    library_figures out;
    {
        // One read transaction: every figure describes the same moment of the library.
        read_transaction transaction(sql);
        sql << "SELECT COUNT(*), COALESCE(SUM(watched), 0) FROM movies", soci::into(out.movies),
            soci::into(out.watched);
        sql << "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM media_files", soci::into(out.files),
            soci::into(out.total_size);
        auto collect = [&](const std::string& text, std::vector<label_count>& into_list) {
            std::string label;
            std::int64_t count = 0;
            soci::statement st = (sql.prepare << text, soci::into(label), soci::into(count));
            st.execute();
            while (st.fetch())
                into_list.push_back({label, count});
        };
        collect("SELECT CAST((year / 10) * 10 AS TEXT), COUNT(*) FROM movies WHERE year IS NOT NULL "
                "GROUP BY year / 10 ORDER BY year / 10",
                out.by_decade);
        collect(
            "SELECT genre, COUNT(*) FROM movie_genres GROUP BY genre ORDER BY COUNT(*) DESC, genre LIMIT 40",
            out.by_genre);
        collect(
            "SELECT COALESCE(resolution, 'unknown'), COUNT(*) FROM media_files GROUP BY 1 ORDER BY 2 DESC",
            out.by_resolution);
    }
    std::vector<movie_id> newest;
    {
        // Scoped: the snapshot ends before get_movie opens its own.
        read_transaction transaction(sql);
        movie_id id = 0;
        soci::statement st =
            (sql.prepare << "SELECT id FROM movies ORDER BY id DESC LIMIT 12", soci::into(id));
        st.execute();
        while (st.fetch())
            newest.push_back(id);
    }
    for (auto id : newest)
        if (auto m = get_movie(id)) out.recently_added.push_back(std::move(*m));
    return out;
}

void database_health::failed(const std::string& what) {
    std::lock_guard lock(mutex_);
    if (!status_.error) status_.since = utc_now_iso8601();
    status_.error = what;
    ++status_.failures;
    // SQLite's words for a corrupt file (SQLITE_CORRUPT, SQLITE_NOTADB).
    if (what.find("malformed") != std::string::npos || what.find("not a database") != std::string::npos)
        status_.damaged = true;
}

void database_health::succeeded() {
    std::lock_guard lock(mutex_);
    if (!status_.error || status_.damaged) return;
    status_.error.reset();
    status_.since.reset();
}

database_health::status database_health::get() const {
    std::lock_guard lock(mutex_);
    return status_;
}

} // namespace mediabase

namespace mediabase {

void catalogue::record_import(const import_job& job) {
    auto& sql = impl_->sql;
    std::string trigger = to_string(job.trigger);
    std::string started = job.started_at.value_or("");
    nullable<std::string> finished, error;
    finished.set(job.finished_at);
    error.set(job.error);
    nullable<long long> duration;
    if (job.duration_ms) duration.set(static_cast<long long>(*job.duration_ms));
    std::string warnings = json_text(job.warnings);
    long long id = job.id, folders = job.folders;
    const auto& c = job.counts;
    long long files = c.files, found = c.found, skipped = c.skipped, added = c.added, updated = c.updated,
              identified = c.identified, unidentified = c.unidentified, stored = c.stored,
              art_cached = c.art_cached, failed = c.failed;
    sql << "INSERT OR REPLACE INTO imports (id, trigger, started_at, finished_at, duration_ms, folders, files,"
           " found, skipped, added, updated, identified, unidentified, stored, art_cached, failed, error, warnings)"
           " VALUES (:id, :trigger, :started, :finished, :duration, :folders, :files, :found, :skipped, :added,"
           " :updated, :identified, :unidentified, :stored, :art_cached, :failed, :error, :warnings)",
        soci::use(id, "id"), soci::use(trigger, "trigger"), soci::use(started, "started"),
        use(finished, "finished"), use(duration, "duration"), soci::use(folders, "folders"),
        soci::use(files, "files"), soci::use(found, "found"), soci::use(skipped, "skipped"),
        soci::use(added, "added"), soci::use(updated, "updated"), soci::use(identified, "identified"),
        soci::use(unidentified, "unidentified"), soci::use(stored, "stored"), soci::use(art_cached, "art_cached"),
        soci::use(failed, "failed"), use(error, "error"), soci::use(warnings, "warnings");
}

std::vector<import_job> catalogue::recent_imports(int limit) {
    std::vector<import_job> out;
    long long id = 0, folders = 0, files = 0, found = 0, skipped = 0, added = 0, updated = 0, identified = 0,
              unidentified = 0, stored = 0, art_cached = 0, failed = 0;
    std::string trigger, started, warnings;
    nullable<std::string> finished, error;
    nullable<long long> duration;
    int rows = std::clamp(limit, 0, max_page_size);
    auto select = prepare(impl_->sql,
                          "SELECT id, trigger, started_at, finished_at, duration_ms, folders, files, found, skipped,"
                          " added, updated, identified, unidentified, stored, art_cached, failed, error, warnings"
                          " FROM imports ORDER BY id DESC LIMIT :limit",
                          soci::into(id), soci::into(trigger), soci::into(started), into(finished), into(duration),
                          soci::into(folders), soci::into(files), soci::into(found), soci::into(skipped),
                          soci::into(added), soci::into(updated), soci::into(identified), soci::into(unidentified),
                          soci::into(stored), soci::into(art_cached), soci::into(failed), into(error),
                          soci::into(warnings), soci::use(rows, "limit"));
    for_each_row(select, [&] {
        import_job job;
        job.id = id;
        job.trigger = trigger == "watcher"    ? import_trigger::watcher
                      : trigger == "schedule" ? import_trigger::schedule
                                              : import_trigger::manual;
        job.started_at = started;
        job.finished_at = finished.get();
        if (auto d = duration.get()) job.duration_ms = *d;
        job.folders = folders;
        job.counts = {found, skipped, identified, stored, art_cached, failed, unidentified, files, added, updated};
        job.error = error.get();
        job.warnings = strings_from_json(warnings);
        job.progress.percent = 100;
        job.progress.measure = "movies";
        out.push_back(std::move(job));
    });
    return out;
}

} // namespace mediabase
