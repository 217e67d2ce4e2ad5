// A batch of found movies stored with a few statements for the whole batch: the files already known, then
// the movies the new ones may join, are read in one query each; which movie each found one becomes is worked
// out here, as store_one would work it out row by row; then the new movies, the learned ids, the changed
// files and the new files are written with one statement each, from JSON documents. On a database server
// each statement is a round trip, and store_one's five or so per movie were what an import waited for.
#include "sql_support.hpp"

#include <limits>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace mediabase {

using namespace sql_support;

namespace {

/// A movie a found one may become: one of the catalogue's, or one this batch adds.
struct candidate {
    std::optional<std::int64_t> tmdb_id;
    std::optional<std::string> imdb_id;
    std::string title_key;
    std::optional<int> year;
};

/// Ids of movies this batch adds, until their real ids are drawn: above every id the catalogue holds, in the
/// order they are added, as the database will number them.
constexpr movie_id first_provisional_id = std::numeric_limits<movie_id>::max() / 2;

template <class T> boost::json::value json_of(const std::optional<T>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

/// The columns of a file row as json_rows reads them, and the row for `f`.
constexpr std::string_view file_fields = "path text, root text, size bigint, mtime_ns bigint, resolution text,"
                                         " source text, video_codec text, audio_codec text, edition text,"
                                         " container text, part integer, three_d integer, sidecar_stamp bigint";
boost::json::object file_json(const media_file& f) {
    return {{"path", f.path},
            {"root", f.root},
            {"size", f.stamp.size},
            {"mtime_ns", f.stamp.mtime_ns},
            {"resolution", json_of(f.resolution)},
            {"source", json_of(f.source)},
            {"video_codec", json_of(f.video_codec)},
            {"audio_codec", json_of(f.audio_codec)},
            {"edition", json_of(f.edition)},
            {"container", json_of(f.container)},
            {"part", json_of(f.part)},
            {"three_d", f.three_d ? 1 : 0},
            {"sidecar_stamp", f.sidecar_stamp}};
}

} // namespace

std::optional<store_result> catalogue::impl::store_at_once(std::span<const found_movie> batch,
                                                           std::span<const std::optional<movie>> metadata) {
    // Only a plain batch: every movie with files, no path twice (a file stored and changed again within one
    // batch is left to store_one).
    std::unordered_set<std::string_view> paths_seen;
    boost::json::array paths;
    for (const auto& found : batch) {
        if (found.files.empty()) return std::nullopt;
        for (const auto& f : found.files) {
            if (!paths_seen.insert(f.path).second) return std::nullopt;
            paths.push_back(boost::json::object{{"path", f.path}});
        }
    }
    write_transaction transaction(sql, *dialect);
    const auto now = utc_now_iso8601();
    const auto& d = *dialect;
    d.prefer_index_lookups(sql);

    // The files already known, with their movies.
    struct known_file {
        std::int64_t id;
        movie_id movie;
    };
    std::unordered_map<std::string, known_file> known;
    std::string paths_text = boost::json::serialize(paths);
    {
        std::string path;
        std::int64_t id = 0, movie = 0;
        auto select = prepare(sql,
                              "SELECT f.path, f.id, f.movie_id FROM media_files f WHERE f.server = :server AND"
                              " f.path IN (SELECT p.path FROM " + d.json_rows("paths", "p", "path text") + ")",
                              soci::into(path), soci::into(id), soci::into(movie), soci::use(server, "server"),
                              soci::use(paths_text, "paths"));
        for_each_row(d, select, [&] { known.emplace(path, known_file{id, movie}); });
    }

    // The movies found ones may join: those of known files, and those with a provider id or a title and year
    // that a found one has.
    std::map<movie_id, candidate> movies; // by id: the lowest first, as store_one's ORDER BY id LIMIT 1
    {
        boost::json::array owners, tmdb_ids, imdb_ids, titles;
        for (const auto& [path, file] : known) owners.push_back(boost::json::object{{"id", file.movie}});
        for (const auto& found : batch) {
            if (found.tmdb_id) tmdb_ids.push_back(boost::json::object{{"tmdb_id", *found.tmdb_id}});
            if (found.imdb_id) imdb_ids.push_back(boost::json::object{{"imdb_id", *found.imdb_id}});
            if (found.year)
                titles.push_back(boost::json::object{{"title_key", title_key_of(found.title)}, {"year", *found.year}});
        }
        std::string owners_text = boost::json::serialize(owners), tmdb_text = boost::json::serialize(tmdb_ids),
                    imdb_text = boost::json::serialize(imdb_ids), titles_text = boost::json::serialize(titles);
        const std::string columns = "SELECT m.id, m.tmdb_id, m.imdb_id, m.title_key, m.year FROM movies m";
        movie_id id = 0;
        nullable<std::int64_t> tmdb_id;
        nullable<std::string> imdb_id;
        std::string title_key;
        nullable<int> year;
        // One index lookup per value (a UNION of them): an OR across them would scan the table.
        auto select = prepare(
            sql,
            columns + " WHERE m.id IN (SELECT o.id FROM " + d.json_rows("owners", "o", "id bigint") + ") UNION " +
                columns + " WHERE m.tmdb_id IN (SELECT t.tmdb_id FROM " +
                d.json_rows("tmdb_ids", "t", "tmdb_id bigint") + ") UNION " + columns +
                " WHERE m.imdb_id IN (SELECT i.imdb_id FROM " + d.json_rows("imdb_ids", "i", "imdb_id text") +
                ") UNION " + columns + " JOIN " + d.json_rows("titles", "k", "title_key text, year integer") +
                " ON m.title_key = k.title_key AND m.year = k.year",
            soci::into(id), into(tmdb_id), into(imdb_id), soci::into(title_key), into(year),
            soci::use(owners_text, "owners"), soci::use(tmdb_text, "tmdb_ids"), soci::use(imdb_text, "imdb_ids"),
            soci::use(titles_text, "titles"));
        for_each_row(d, select,
                     [&] { movies.emplace(id, candidate{tmdb_id.get(), imdb_id.get(), title_key, year.get()}); });
    }
    std::unordered_map<std::int64_t, movie_id> by_tmdb;
    std::unordered_map<std::string, movie_id> by_imdb;
    std::map<std::pair<std::string, int>, std::vector<movie_id>> by_title; // ids ascending
    // A provider id leads to the lowest id that has it (one that learns it may be lower than one found).
    const auto lowest = [](auto& by, const auto& key, movie_id id) {
        auto [it, fresh] = by.try_emplace(key, id);
        if (!fresh && id < it->second) it->second = id;
    };
    const auto learn = [&](movie_id id, const candidate& c) {
        if (c.tmdb_id) lowest(by_tmdb, *c.tmdb_id, id);
        if (c.imdb_id) lowest(by_imdb, *c.imdb_id, id);
    };
    for (const auto& [id, c] : movies) { // ascending, so each title's ids are too
        learn(id, c);
        if (c.year) by_title[{c.title_key, *c.year}].push_back(id);
    }

    // Which movie each found one becomes, in batch order: what an earlier one added or learned counts for the
    // later ones, as it does row by row.
    store_result result;
    result.ids.assign(batch.size(), 0);
    std::unordered_set<movie_id> reported;
    std::vector<const found_movie*> added_movies; // in the order of their provisional ids
    std::map<movie_id, candidate> adopted;         // catalogued movies whose ids change: their final ids
    boost::json::array changed_files;
    std::vector<std::pair<movie_id, const media_file*>> new_files;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const auto& found = batch[i];
        std::optional<movie_id> target;
        for (const auto& f : found.files)
            if (auto it = known.find(f.path); it != known.end()) {
                target = it->second.movie;
                break;
            }
        const auto title_key = title_key_of(found.title);
        if (!target) {
            if (found.tmdb_id && by_tmdb.contains(*found.tmdb_id)) {
                target = by_tmdb.at(*found.tmdb_id);
            } else if (found.imdb_id && by_imdb.contains(*found.imdb_id)) {
                target = by_imdb.at(*found.imdb_id);
            } else if (found.year) {
                if (auto it = by_title.find({title_key, *found.year}); it != by_title.end())
                    for (const auto id : it->second) {
                        const auto& c = movies.at(id);
                        if ((!found.tmdb_id || !c.tmdb_id || c.tmdb_id == found.tmdb_id) &&
                            (!found.imdb_id || !c.imdb_id || c.imdb_id == found.imdb_id)) {
                            target = id;
                            break;
                        }
                    }
            }
        }
        auto kind = change_kind::updated;
        if (target) {
            // The movie learns the ids it lacked (adopt_ids).
            auto& c = movies[*target];
            if (!c.tmdb_id) c.tmdb_id = found.tmdb_id;
            if (!c.imdb_id) c.imdb_id = found.imdb_id;
            learn(*target, c);
            if (*target < first_provisional_id) adopted[*target] = c;
        } else {
            target = first_provisional_id + static_cast<movie_id>(added_movies.size());
            added_movies.push_back(&found);
            candidate c{found.tmdb_id, found.imdb_id, title_key, found.year};
            learn(*target, c);
            if (found.year) by_title[{title_key, *found.year}].push_back(*target);
            movies.emplace(*target, std::move(c));
            kind = change_kind::added;
        }
        for (const auto& f : found.files) {
            if (auto it = known.find(f.path); it != known.end()) {
                auto row = file_json(f);
                row["id"] = it->second.id;
                changed_files.push_back(std::move(row));
            } else {
                new_files.emplace_back(*target, &f);
            }
        }
        ++result.stored;
        result.ids[i] = *target;
        if (reported.insert(*target).second) result.changes.push_back({kind, *target, i});
    }

    // The new movies' ids, drawn as the database numbers rows; then every provisional id becomes one.
    const auto drawn = d.reserve_ids(sql, "movies", added_movies.size());
    const auto real = [&](movie_id id) {
        return id < first_provisional_id ? id : drawn.at(static_cast<std::size_t>(id - first_provisional_id));
    };
    for (auto& id : result.ids) id = id == 0 ? 0 : real(id);
    std::vector<movie_id> added;
    for (auto& change : result.changes) {
        change.id = real(change.id);
        if (change.kind == change_kind::added) added.push_back(change.id);
    }

    // Each write: one statement over the JSON document of its rows, bound as :rows (and :now or :server).
    const auto run = [&](const std::string& text, const boost::json::array& rows) {
        std::string document = boost::json::serialize(rows);
        auto st = prepare_bound(sql, text, [&](soci::statement& bound) {
            bound.exchange(soci::use(document, "rows"));
            if (text.find(":now") != std::string::npos) bound.exchange(soci::use(now, "now"));
            if (text.find(":server") != std::string::npos) bound.exchange(soci::use(server, "server"));
        });
        execute(d, st);
    };
    if (!added_movies.empty()) {
        boost::json::array rows;
        for (std::size_t k = 0; k < added_movies.size(); ++k) {
            const auto& c = movies.at(first_provisional_id + static_cast<movie_id>(k));
            rows.push_back(boost::json::object{{"id", drawn[k]},
                                               {"title", added_movies[k]->title},
                                               {"title_key", c.title_key},
                                               {"year", json_of(c.year)},
                                               {"tmdb_id", json_of(c.tmdb_id)},
                                               {"imdb_id", json_of(c.imdb_id)}});
        }
        run("INSERT INTO movies (id, title, title_key, year, tmdb_id, imdb_id, added_at, updated_at)"
            " SELECT r.id, r.title, r.title_key, r.year, r.tmdb_id, r.imdb_id, :now, :now FROM " +
                d.json_rows("rows", "r",
                            "id bigint, title text, title_key text, year integer, tmdb_id bigint, imdb_id text"),
            rows);
    }
    if (!adopted.empty()) {
        boost::json::array rows;
        for (const auto& [id, c] : adopted)
            rows.push_back(boost::json::object{{"id", id}, {"tmdb_id", json_of(c.tmdb_id)}, {"imdb_id", json_of(c.imdb_id)}});
        run("UPDATE movies SET tmdb_id = coalesce(movies.tmdb_id, r.tmdb_id),"
            " imdb_id = coalesce(movies.imdb_id, r.imdb_id), updated_at = :now FROM " +
                d.json_rows("rows", "r", "id bigint, tmdb_id bigint, imdb_id text") + " WHERE movies.id = r.id",
            rows);
    }
    if (!changed_files.empty())
        run("UPDATE media_files SET path = r.path, root = r.root, size = r.size, mtime_ns = r.mtime_ns,"
            " resolution = r.resolution, source = r.source, video_codec = r.video_codec,"
            " audio_codec = r.audio_codec, edition = r.edition, container = r.container, part = r.part,"
            " three_d = r.three_d, sidecar_stamp = r.sidecar_stamp FROM " +
                d.json_rows("rows", "r", "id bigint, " + std::string(file_fields)) + " WHERE media_files.id = r.id",
            changed_files);
    if (!new_files.empty()) {
        boost::json::array rows;
        for (const auto& [movie, f] : new_files) {
            auto row = file_json(*f);
            row["movie_id"] = real(movie);
            rows.push_back(std::move(row));
        }
        run("INSERT INTO media_files (movie_id, path, root, size, mtime_ns, resolution, source, video_codec,"
            " audio_codec, edition, container, part, three_d, sidecar_stamp, server)"
            " SELECT r.movie_id, r.path, r.root, r.size, r.mtime_ns, r.resolution, r.source, r.video_codec,"
            " r.audio_codec, r.edition, r.container, r.part, r.three_d, r.sidecar_stamp, :server FROM " +
                d.json_rows("rows", "r", "movie_id bigint, " + std::string(file_fields)),
            rows);
    }
    auto& w = writer();
    if (!added.empty() && w.index_on_insert) {
        w.added_ids = ids_json(added);
        execute(d, w.index_added);
    }
    // Metadata once the new movies are indexed, as store_batch writes it.
    for (std::size_t i = 0; i < metadata.size() && i < batch.size(); ++i)
        if (metadata[i] && result.ids[i] != 0) write_metadata(result.ids[i], *metadata[i], true);
    transaction.commit();
    return result;
}

} // namespace mediabase
