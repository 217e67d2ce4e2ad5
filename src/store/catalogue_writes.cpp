// The catalogue's writes: storing found movies and moved files, removing files, the user's edits, provider
// metadata and art, and the import history. Statements on the hot paths are prepared once per catalogue
// (write_statements), bound to member variables, and re-executed with new values in those variables.
#include "sql_support.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <unordered_set>
#include <utility>

namespace mediabase {

using namespace sql_support;

namespace sql_support {

write_statements::write_statements(soci::session& sql, const sql_dialect& d, std::string server_name)
    : server(std::move(server_name)),
      file_by_path(prepare(sql, "SELECT id, movie_id FROM media_files WHERE server = :server AND path = :path",
                           soci::into(found_file), soci::into(found_movie), soci::use(server, "server"),
                           soci::use(path, "path"))),
      movie_by_tmdb_id(prepare(sql, "SELECT id FROM movies WHERE tmdb_id = :tmdb_id ORDER BY id LIMIT 1",
                               soci::into(found_movie), use(tmdb_id, "tmdb_id"))),
      movie_by_imdb_id(prepare(sql, "SELECT id FROM movies WHERE imdb_id = :imdb_id ORDER BY id LIMIT 1",
                               soci::into(found_movie), use(imdb_id, "imdb_id"))),
      // Same title and year is another version of the same film, unless the provider ids say otherwise.
      movie_by_title(prepare(sql,
                             "SELECT id FROM movies WHERE title_key = :title_key AND year = :year"
                             // Typed: PostgreSQL cannot tell the type of a parameter tested only for NULL.
                             " AND (CAST(:tmdb_id AS BIGINT) IS NULL OR tmdb_id IS NULL OR tmdb_id = :tmdb_id)"
                             " AND (CAST(:imdb_id AS TEXT) IS NULL OR imdb_id IS NULL OR imdb_id = :imdb_id)"
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
          " video_codec, audio_codec, edition, container, part, three_d, sidecar_stamp, server) VALUES (:movie,"
          " :path, :root, :size, :mtime_ns, :resolution, :source, :video_codec, :audio_codec, :edition,"
          " :container, :part, :three_d, :sidecar_stamp, :server)",
          soci::use(file.movie_id, "movie"), soci::use(file.path, "path"), soci::use(file.root, "root"),
          soci::use(file.size, "size"), soci::use(file.mtime_ns, "mtime_ns"),
          use(file.resolution, "resolution"), use(file.source, "source"),
          use(file.video_codec, "video_codec"), use(file.audio_codec, "audio_codec"),
          use(file.edition, "edition"), use(file.container, "container"), use(file.part, "part"),
          soci::use(file.three_d, "three_d"), soci::use(file.sidecar_stamp, "sidecar_stamp"),
          soci::use(server, "server"))),
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
      index_added(d.index_movies().empty() ? soci::statement(sql)
                                           : prepare(sql, d.index_movies(), soci::use(added_ids, "ids"))),
      savepoint(prepare(sql, "SAVEPOINT found_movie")), release(prepare(sql, "RELEASE found_movie")),
      rollback_to(prepare(sql, "ROLLBACK TO found_movie")), dialect(d) {
    index_on_insert = !d.index_movies().empty();
}

} // namespace sql_support

/// Stores a batch in one transaction. With `isolate`, each movie gets a savepoint, so one that fails is
/// undone alone and counted; without, the first failure undoes the whole batch and gives nullopt.
std::optional<store_result> catalogue::impl::store_batch(std::span<const found_movie> batch,
                                        std::span<const std::optional<movie>> metadata,
                                        bool isolate) {
    auto& w = writer();
    store_result result;
    result.ids.assign(batch.size(), 0);
    write_transaction transaction(sql, *dialect);
    const auto now = utc_now_iso8601();
    std::unordered_set<movie_id> reported;
    std::vector<movie_id> added;
    for (const auto& found : batch) {
        if (found.files.empty()) {
            ++result.failed;
            spdlog::warn("catalogue: cannot store '{}': no files", found.title);
            continue;
        }
        if (isolate) execute(*dialect, w.savepoint);
        try {
            const auto [id, kind] = store_one(found, now);
            if (isolate) execute(*dialect, w.release);
            ++result.stored;
            result.ids[static_cast<std::size_t>(&found - batch.data())] = id;
            // A movie added by this batch and extended later in it is still just added.
            if (reported.insert(id).second) {
                result.changes.push_back({kind, id, static_cast<std::size_t>(&found - batch.data())});
                if (kind == change_kind::added) added.push_back(id);
            }
        } catch (const std::exception& e) {
            if (!isolate) return std::nullopt;
            execute(*dialect, w.rollback_to);
            execute(*dialect, w.release);
            ++result.failed;
            if (!result.error) result.error = e.what();
            spdlog::warn("catalogue: cannot store '{}' ({}): {}", found.title, found.files.front().path,
                         e.what());
        }
    }
    // New movies enter the full-text index together (see the schema on why not by trigger).
    if (!added.empty() && w.index_on_insert) {
        w.added_ids = ids_json(added);
        execute(*dialect, w.index_added);
    }
    // Metadata only once the new movies are indexed: the index's update trigger first takes a row's old
    // text out of it, which must be there. A movie whose metadata fails stays stored without it.
    for (std::size_t i = 0; i < metadata.size() && i < batch.size(); ++i) {
        if (!metadata[i] || result.ids[i] == 0) continue;
        if (isolate) execute(*dialect, w.savepoint);
        try {
            write_metadata(result.ids[i], *metadata[i], true);
            if (isolate) execute(*dialect, w.release);
        } catch (const std::exception& e) {
            if (!isolate) return std::nullopt;
            execute(*dialect, w.rollback_to);
            execute(*dialect, w.release);
            spdlog::warn("catalogue: cannot store the metadata of '{}': {}", batch[i].title, e.what());
        }
    }
    transaction.commit();
    return result;
}

/// Writes provider metadata over movie `id` inside the caller's transaction (see update_metadata).
/// `for_import`: the art keys stay (the Cache sets them later), and metadata that is no match only
/// replaces a movie that has no match either. False when no row was changed.
bool catalogue::impl::write_metadata(movie_id id, const movie& m, bool for_import) {
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
    const std::string text =
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
        std::string(keep_match ? " AND match_state IN ('unidentified', 'failed')" : "");
    auto update = prepare_bound(sql, text, [&](soci::statement& st) {
        if (!m.title.empty()) {
            st.exchange(soci::use(v.title, "title"));
            st.exchange(soci::use(v.title_key, "title_key"));
        }
        st.exchange(use(v.original_title, "original_title"));
        st.exchange(use(v.year, "year"));
        st.exchange(use(v.overview, "overview"));
        st.exchange(use(v.tagline, "tagline"));
        st.exchange(use(v.runtime, "runtime"));
        st.exchange(soci::use(v.genres, "genres"));
        st.exchange(soci::use(v.countries, "countries"));
        st.exchange(soci::use(v.directors, "directors"));
        st.exchange(soci::use(v.writers, "writers"));
        st.exchange(soci::use(v.cast, "cast"));
        st.exchange(soci::use(v.people, "people"));
        st.exchange(use(v.certification, "certification"));
        st.exchange(use(v.collection, "collection"));
        st.exchange(use(v.tmdb_id, "tmdb_id"));
        st.exchange(use(v.imdb_id, "imdb_id"));
        if (!keep_art) {
            st.exchange(use(v.poster, "poster"));
            st.exchange(use(v.backdrop, "backdrop"));
        }
        st.exchange(use(v.imdb_rating, "imdb_rating"));
        st.exchange(use(v.imdb_votes, "imdb_votes"));
        st.exchange(use(v.metascore, "metascore"));
        st.exchange(use(v.awards, "awards"));
        st.exchange(use(v.vote_average, "vote_average"));
        st.exchange(use(v.vote_count, "vote_count"));
        st.exchange(soci::use(v.match, "match"));
        st.exchange(use(v.match_confidence, "match_confidence"));
        st.exchange(use(v.identify_error, "identify_error"));
        st.exchange(soci::use(v.updated_at, "updated_at"));
        st.exchange(soci::use(v.id, "id"));
    });
    execute(*dialect, update);
    return update.get_affected_rows() > 0;
}

/// Stores one found movie inside the batch's transaction. Returns the movie and whether it is new.
std::pair<movie_id, change_kind> catalogue::impl::store_one(const found_movie& found, const std::string& now) {
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
        if (found.tmdb_id && query_one(*dialect, w.movie_by_tmdb_id)) {
            target = w.found_movie;
        } else if (found.imdb_id && query_one(*dialect, w.movie_by_imdb_id)) {
            target = w.found_movie;
        } else if (found.year && query_one(*dialect, w.movie_by_title)) {
            // Without a year a shared title proves little: such movies stay apart (and show as
            // duplicates).
            target = w.found_movie;
        }
    }
    if (target) {
        w.target_movie = *target;
        execute(*dialect, w.adopt_ids);
    } else {
        w.title = found.title;
        execute(*dialect, w.insert_movie);
        target = dialect->last_insert_id(sql, "movies");
        kind = change_kind::added;
    }
    for (std::size_t i = 0; i < found.files.size(); ++i) {
        w.file.set(found.files[i]);
        if (known[i] != 0) {
            w.file.id = known[i];
            execute(*dialect, w.update_file);
        } else {
            w.file.movie_id = *target;
            execute(*dialect, w.insert_file);
        }
    }
    return {*target, kind};
}


void catalogue::impl::note_added(std::int64_t movies) {
    added_since_statistics += movies;
    if (added_since_statistics < std::max(statistics_step, movies_at_statistics)) return;
    movies_at_statistics += added_since_statistics;
    added_since_statistics = 0;
    try {
        dialect->refresh_statistics(sql);
    } catch (const std::exception& e) {
        // Slower queries, nothing lost: the database's own upkeep refreshes them later.
        spdlog::debug("catalogue: cannot refresh the query planner's statistics: {}", e.what());
    }
}

store_result catalogue::store_found(std::span<const found_movie> batch,
                                    std::span<const std::optional<movie>> metadata) {
    if (batch.empty()) return {};
    try {
        // Savepoints cost: each copies aside every page it touches. So the batch goes in without them, and
        // only if a movie fails does it go again with one savepoint per movie, to keep the others.
        std::optional<store_result> result;
        if (impl_->dialect->stores_batches_at_once()) {
            try {
                result = impl_->store_at_once(batch, metadata);
            } catch (const std::exception& e) {
                // Rolled back whole: row by row it keeps what it can, and says which movie failed.
                spdlog::debug("catalogue: storing the batch at once failed ({}); storing it row by row", e.what());
            }
        }
        if (!result) result = impl_->store_batch(batch, metadata, false);
        if (!result) {
            spdlog::debug("catalogue: storing the batch again movie by movie");
            result = impl_->store_batch(batch, metadata, true);
        }
        impl_->note_added(std::count_if(result->changes.begin(), result->changes.end(),
                                        [](const auto& c) { return c.kind == change_kind::added; }));
        return *result;
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
    write_transaction transaction(impl_->sql, *impl_->dialect);
    std::set<movie_id> affected;
    for (const auto& path : paths) {
        if (!w.find_file(path)) continue;
        execute(*impl_->dialect, w.delete_file);
        affected.insert(w.found_movie);
    }
    w.now = utc_now_iso8601();
    for (const auto id : affected) {
        w.target_movie = id;
        query_one(*impl_->dialect, w.count_files);
        if (w.file_count == 0) {
            execute(*impl_->dialect, w.delete_movie);
            changes.push_back({change_kind::removed, id});
        } else {
            execute(*impl_->dialect, w.touch_movie);
            changes.push_back({change_kind::updated, id});
        }
    }
    transaction.commit();
    return changes;
}

bool catalogue::move_file(const std::string& old_path, const std::string& new_path, const file_stamp& stamp,
                          const std::string& new_root) {
    auto& w = impl_->writer();
    write_transaction transaction(impl_->sql, *impl_->dialect);
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
    execute(*impl_->dialect, w.relocate_file);
    w.target_movie = w.found_movie;
    w.now = utc_now_iso8601();
    execute(*impl_->dialect, w.touch_movie);
    transaction.commit();
    return true;
}

store_result catalogue::store_moves(std::span<const file_move> moves) {
    store_result result;
    if (moves.empty()) return result;
    try {
        auto& w = impl_->writer();
        write_transaction transaction(impl_->sql, *impl_->dialect);
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
                execute(*impl_->dialect, w.update_file);
                w.target_movie = w.found_movie;
                w.now = now;
                execute(*impl_->dialect, w.touch_movie);
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
        if (!added.empty() && w.index_on_insert) {
            w.added_ids = ids_json(added);
            execute(*impl_->dialect, w.index_added);
        }
        transaction.commit();
    } catch (const std::exception& e) {
        spdlog::error("catalogue: storing {} moved files failed: {}", moves.size(), e.what());
        result = store_result{};
        result.failed = static_cast<std::int64_t>(moves.size());
    }
    return result;
}

std::optional<movie> catalogue::patch_movie(movie_id id, const movie_patch& patch, person_id person) {
    if (patch.rating && *patch.rating && (**patch.rating < 1 || **patch.rating > 10))
        throw std::invalid_argument("a rating is 1 to 10");
    if (patch.on_list && person == shared_state)
        throw std::invalid_argument("'on my list' belongs to a person: log in first");
    {
        write_transaction transaction(impl_->sql, *impl_->dialect);
        nullable<int> watched;
        if (patch.watched) watched.set(*patch.watched ? 1 : 0);
        int set_rating = patch.rating ? 1 : 0;
        nullable<int> rating;
        if (patch.rating) rating.set(*patch.rating);
        if (person == shared_state) {
            std::string now = utc_now_iso8601();
            auto update =
                prepare(impl_->sql,
                        "UPDATE movies SET watched = coalesce(:watched, watched),"
                        " rating = CASE WHEN :set_rating = 1 THEN :rating ELSE rating END, updated_at = :now"
                        " WHERE id = :id",
                        use(watched, "watched"), soci::use(set_rating, "set_rating"), use(rating, "rating"),
                        soci::use(now, "now"), soci::use(id, "id"));
            execute(*impl_->dialect, update);
            if (update.get_affected_rows() == 0) return std::nullopt;
        } else {
            // A person's marks change only their row: the movie itself (and its updated_at) stays as it is.
            long long exists = 0;
            impl_->sql << "SELECT count(*) FROM movies WHERE id = :id", soci::use(id, "id"), soci::into(exists);
            if (exists == 0) return std::nullopt;
            std::int64_t user = person;
            nullable<int> on_list;
            if (patch.on_list) on_list.set(*patch.on_list ? 1 : 0);
            auto ensure = prepare(impl_->sql,
                                  "INSERT INTO user_movie_state (user_id, movie_id) VALUES (:user, :id)"
                                  " ON CONFLICT DO NOTHING",
                                  soci::use(user, "user"), soci::use(id, "id"));
            execute(*impl_->dialect, ensure);
            auto update = prepare(impl_->sql,
                                  "UPDATE user_movie_state SET watched = coalesce(:watched, watched),"
                                  " rating = CASE WHEN :set_rating = 1 THEN :rating ELSE rating END,"
                                  " on_list = coalesce(:on_list, on_list) WHERE user_id = :user AND movie_id = :id",
                                  use(watched, "watched"), soci::use(set_rating, "set_rating"), use(rating, "rating"),
                                  use(on_list, "on_list"), soci::use(user, "user"), soci::use(id, "id"));
            execute(*impl_->dialect, update);
            // A row with no mark left says nothing: dropped, so the table holds only what people marked.
            auto drop = prepare(impl_->sql,
                                "DELETE FROM user_movie_state WHERE user_id = :user AND movie_id = :id"
                                " AND watched = 0 AND rating IS NULL AND on_list = 0",
                                soci::use(user, "user"), soci::use(id, "id"));
            execute(*impl_->dialect, drop);
        }
        transaction.commit();
    }
    return get_movie(id, person);
}

std::optional<movie> catalogue::update_metadata(movie_id id, const movie& m) {
    {
        write_transaction transaction(impl_->sql, *impl_->dialect);
        if (!impl_->write_metadata(id, m, false)) return std::nullopt;
        transaction.commit();
    }
    return get_movie(id);
}

std::int64_t catalogue::store_art(std::span<const art_update> updates) {
    if (updates.empty()) return 0;
    write_transaction transaction(impl_->sql, *impl_->dialect);
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
        execute(*impl_->dialect, update);
        updated += update.get_affected_rows();
    }
    transaction.commit();
    return updated;
}

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
    sql << "INSERT INTO imports (id, trigger, started_at, finished_at, duration_ms, folders, files,"
           " found, skipped, added, updated, identified, unidentified, stored, art_cached, failed, error, warnings)"
           " VALUES (:id, :trigger, :started, :finished, :duration, :folders, :files, :found, :skipped, :added,"
           " :updated, :identified, :unidentified, :stored, :art_cached, :failed, :error, :warnings)"
           " ON CONFLICT (id) DO UPDATE SET trigger = excluded.trigger, started_at = excluded.started_at,"
           " finished_at = excluded.finished_at, duration_ms = excluded.duration_ms, folders = excluded.folders,"
           " files = excluded.files, found = excluded.found, skipped = excluded.skipped, added = excluded.added,"
           " updated = excluded.updated, identified = excluded.identified, unidentified = excluded.unidentified,"
           " stored = excluded.stored, art_cached = excluded.art_cached, failed = excluded.failed,"
           " error = excluded.error, warnings = excluded.warnings",
        soci::use(id, "id"), soci::use(trigger, "trigger"), soci::use(started, "started"),
        use(finished, "finished"), use(duration, "duration"), soci::use(folders, "folders"),
        soci::use(files, "files"), soci::use(found, "found"), soci::use(skipped, "skipped"),
        soci::use(added, "added"), soci::use(updated, "updated"), soci::use(identified, "identified"),
        soci::use(unidentified, "unidentified"), soci::use(stored, "stored"), soci::use(art_cached, "art_cached"),
        soci::use(failed, "failed"), use(error, "error"), soci::use(warnings, "warnings");
    if (job.finished_at && (c.added > 0 || c.updated > 0)) {
        try {
            impl_->dialect->tidy_after_import(sql);
        } catch (const std::exception& e) {
            // Slower lists until the database's own upkeep comes round; nothing lost.
            spdlog::warn("catalogue: cannot tidy the tables after the import: {}", e.what());
        }
    }
}

} // namespace mediabase
