// The catalogue's reads: movies by id with their files, the known files a rescan compares against, the
// duplicates, the art keys, the genres, the library figures and the import history.
#include "sql_support.hpp"

#include <algorithm>
#include <iterator>
#include <set>
#include <unordered_map>
#include <utility>

namespace mediabase {

using namespace sql_support;

namespace sql_support {

read_statements::read_statements(soci::session& sql, const sql_dialect& d, std::string server_name)
    : server(std::move(server_name)),
      movies_by_ids(movie_columns_row.prepare_select(
          sql,
          "SELECT " + movie_columns + " FROM movies m WHERE m.id IN (" + d.id_list("ids") + ")",
          soci::use(ids, "ids"))),
      files_by_movie_ids(file_columns_row.prepare_select(sql,
                                                         "SELECT " + file_columns +
                                                             " FROM media_files f WHERE f.movie_id IN"
                                                             " (" + d.id_list("ids") + ")"
                                                             // A file without a part first, on every engine.
                                                             " ORDER BY f.movie_id, f.part IS NOT NULL, f.part,"
                                                             " f.path",
                                                         soci::use(ids, "ids"))),
      states_by_ids(prepare(sql,
                            "SELECT movie_id, watched, rating, on_list FROM user_movie_state WHERE user_id = :person"
                            " AND movie_id IN (" + d.id_list("ids") + ")",
                            soci::into(state_movie), soci::into(state_watched), into(state_rating),
                            soci::into(state_on_list), soci::use(state_person, "person"), soci::use(ids, "ids"))),
      media_by_movie_ids(media_columns_row.prepare_select(
          sql,
          "SELECT " + media_columns + " FROM media_info i JOIN media_files f ON f.id = i.file_id"
          " AND f.size = i.size AND f.mtime_ns = i.mtime_ns WHERE f.movie_id IN (" + d.id_list("ids") + ")",
          soci::use(ids, "ids"))),
      movie_count(prepare(sql, "SELECT count(*) FROM movies", soci::into(count))),
      file_count(prepare(sql, "SELECT count(*) FROM media_files WHERE server = :server", soci::into(count),
                         soci::use(server, "server"))),
      // Only this server's: another server's files are not under its folders (a rescan never compares them).
      known_files(prepare(sql,
                          "SELECT path, size, mtime_ns, movie_id, sidecar_stamp FROM media_files"
                          " WHERE server = :server",
                          soci::into(path), soci::into(size), soci::into(mtime_ns), soci::into(file_movie),
                          soci::into(sidecar_stamp), soci::use(server, "server"))),
      genres(prepare(sql, "SELECT DISTINCT genre FROM movie_genres ORDER BY genre", soci::into(genre))),
      dialect(d) {}

std::vector<movie> read_statements::load(const std::vector<movie_id>& wanted, person_id person, bool with_media) {
    std::vector<movie> movies;
    if (wanted.empty()) return movies;
    ids = ids_json(wanted);
    std::unordered_map<movie_id, movie> by_id;
    by_id.reserve(wanted.size());
    for_each_row(dialect, movies_by_ids,
                 [&] { by_id.emplace(movie_columns_row.id, movie_columns_row.to_movie()); });
    for_each_row(dialect, files_by_movie_ids, [&] {
        if (auto it = by_id.find(file_columns_row.movie_id); it != by_id.end())
            it->second.files.push_back(file_columns_row.to_file());
    });
    if (with_media) {
        std::unordered_map<std::int64_t, media_file*> files;
        for (auto& [id_found, m] : by_id)
            for (auto& f : m.files)
                files.emplace(f.id, &f);
        if (!files.empty())
            for_each_row(dialect, media_by_movie_ids, [&] {
                if (auto it = files.find(media_columns_row.file_id); it != files.end())
                    it->second->media = media_columns_row.to_info();
            });
    }
    if (person != shared_state) {
        // A person's marks replace the shared columns, which are the marks of nobody in particular.
        for (auto& [id_found, m] : by_id) {
            m.watched = false;
            m.rating.reset();
            m.on_list = false;
        }
        state_person = person;
        for_each_row(dialect, states_by_ids, [&] {
            if (auto it = by_id.find(state_movie); it != by_id.end()) {
                it->second.watched = state_watched != 0;
                it->second.rating = state_rating.get();
                it->second.on_list = state_on_list != 0;
            }
        });
    }
    movies.reserve(by_id.size());
    for (const auto id_wanted : wanted) {
        if (auto it = by_id.find(id_wanted); it != by_id.end()) movies.push_back(std::move(it->second));
    }
    return movies;
}

} // namespace sql_support

known_files catalogue::load_known_files() {
    auto& r = impl_->reader();
    read_transaction snapshot(impl_->sql, *impl_->dialect);
    known_files files;
    query_one(*impl_->dialect, r.file_count);
    files.reserve(static_cast<std::size_t>(r.count));
    for_each_row(*impl_->dialect, r.known_files, [&] {
        files.emplace(r.path, known_file{{r.size, r.mtime_ns}, r.file_movie, r.sidecar_stamp});
    });
    return files;
}

std::optional<movie> catalogue::get_movie(movie_id id, person_id person) {
    auto& r = impl_->reader();
    read_transaction snapshot(impl_->sql, *impl_->dialect);
    auto movies = r.load({id}, person, true);
    if (movies.empty()) return std::nullopt;
    return std::move(movies.front());
}

std::vector<duplicate_group> catalogue::duplicates() {
    auto& r = impl_->reader();
    read_transaction snapshot(impl_->sql, *impl_->dialect);
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
        for_each_row(*impl_->dialect, select, [&] {
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
                    " ON d.title_key = m.title_key AND d.year IS NOT DISTINCT FROM m.year ORDER BY m.title_key,"
                    " m.year" + impl_->dialect->order(false, true) + ", m.id",
                    soci::into(title_key), into(year), soci::into(id), into(tmdb_id));
        struct title_group {
            std::vector<movie_id> ids;
            std::set<std::int64_t> tmdb_ids;
        };
        std::vector<title_group> title_groups;
        std::optional<std::pair<std::string, std::optional<int>>> current;
        for_each_row(*impl_->dialect, select, [&] {
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
    for (auto& m : r.load(all, shared_state))
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
    // This server's files only: a prune never touches the roots of another server on the same catalogue.
    auto select = prepare(impl_->sql,
                          "SELECT id, path, movie_id FROM media_files WHERE server = :server AND path >= :low"
                          " AND path < :high ORDER BY path",
                          soci::into(file.id), soci::into(file.path), soci::into(file.movie),
                          soci::use(impl_->server, "server"), soci::use(low, "low"), soci::use(high, "high"));
    for_each_row(*impl_->dialect, select, [&] { files.push_back(file); });
    return files;
}

std::int64_t catalogue::movie_count() {
    auto& r = impl_->reader();
    query_one(*impl_->dialect, r.movie_count);
    return r.count;
}

std::vector<movie_id> catalogue::movies_to_identify() {
    // "no match" is an answer, not an outage: such movies wait for a rename or the user's "Fix match".
    return column_values<movie_id>(
        *impl_->dialect, impl_->sql,
        "SELECT id FROM movies WHERE match_state = 'unidentified'"
        " OR (match_state = 'failed' AND coalesce(identify_error, '') NOT LIKE 'no match:%')"
        " OR (match_state IN ('identified', 'review') AND art_retry = 1)");
}

std::unordered_set<std::string> catalogue::art_keys_in_use(std::span<const std::string> candidates) {
    std::unordered_set<std::string> in_use;
    if (candidates.empty()) return in_use;
    std::string key;
    int found = 0;
    auto lookup = prepare(impl_->sql,
                          "SELECT CASE WHEN EXISTS (SELECT 1 FROM movies WHERE poster = :key)"
                          " OR EXISTS (SELECT 1 FROM movies WHERE backdrop = :key2) THEN 1 ELSE 0 END",
                          soci::into(found), soci::use(key, "key"), soci::use(key, "key2"));
    read_transaction snapshot(impl_->sql, *impl_->dialect);
    for (const auto& candidate : candidates) {
        key = candidate;
        query_one(*impl_->dialect, lookup);
        if (found) in_use.insert(candidate);
    }
    return in_use;
}

std::unordered_set<std::string> catalogue::art_keys() {
    auto keys = column_values<std::string>(*impl_->dialect, impl_->sql,
                                           "SELECT poster FROM movies WHERE poster IS NOT NULL"
                                           " UNION SELECT backdrop FROM movies WHERE backdrop IS NOT NULL");
    return {std::make_move_iterator(keys.begin()), std::make_move_iterator(keys.end())};
}

std::vector<std::string> catalogue::genres() {
    auto& r = impl_->reader();
    std::vector<std::string> genres;
    for_each_row(*impl_->dialect, r.genres, [&] { genres.push_back(r.genre); });
    return genres;
}

library_figures catalogue::figures(person_id person) {
    auto& sql = impl_->sql;
    library_figures out;
    {
        // One read transaction: every figure describes the same moment of the library.
        read_transaction transaction(sql, *impl_->dialect);
        sql << "SELECT COUNT(*), COALESCE(SUM(watched), 0) FROM movies", soci::into(out.movies),
            soci::into(out.watched);
        if (person != shared_state) {
            std::int64_t user = person;
            sql << "SELECT COUNT(*) FROM user_movie_state WHERE user_id = :user AND watched = 1",
                soci::use(user, "user"), soci::into(out.watched);
        }
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
            "SELECT COALESCE(resolution, 'unknown'), COUNT(*) FROM media_files GROUP BY 1 ORDER BY 2 DESC, 1",
            out.by_resolution);
    }
    std::vector<movie_id> newest;
    {
        // Scoped: the snapshot ends before get_movie opens its own.
        read_transaction transaction(sql, *impl_->dialect);
        newest = column_values<movie_id>(*impl_->dialect, sql, "SELECT id FROM movies ORDER BY id DESC LIMIT 12");
    }
    for (auto id : newest)
        if (auto m = get_movie(id, person)) out.recently_added.push_back(std::move(*m));
    return out;
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
    for_each_row(*impl_->dialect, select, [&] {
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
