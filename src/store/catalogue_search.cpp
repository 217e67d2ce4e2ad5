// The catalogue's search: the movie list with its filters, sort orders and full-text query (whose SQL the
// dialect gives). Only list_movies builds its SQL per call, from fixed fragments: values are always bound,
// never written into the text.
#include "sql_support.hpp"

#include <algorithm>
#include <stdexcept>

namespace mediabase {

using namespace sql_support;

std::optional<movie_sort> movie_sort_from_string(std::string_view s) {
    if (s == "title") return movie_sort::title;
    if (s == "year") return movie_sort::year;
    if (s == "added") return movie_sort::added;
    if (s == "rating") return movie_sort::rating;
    if (s == "runtime") return movie_sort::runtime;
    return std::nullopt;
}

movie_page catalogue::list_movies(const movie_query& query, person_id person) {
    auto& r = impl_->reader();
    movie_page page;

    // Values bound by name; the SQL text is assembled from fixed fragments only.
    std::string text = impl_->dialect->text_query(query.text);
    std::string genre = query.genre.value_or("");
    int year_from = query.year_from.value_or(0);
    int year_to = query.year_to.value_or(0);
    int watched = query.watched.value_or(false) ? 1 : 0;
    std::string resolution = query.resolution.value_or("");
    std::string match = query.match ? to_string(*query.match) : "";
    int limit = std::clamp(query.limit, 1, max_page_size);
    int offset = std::max(query.offset, 0);
    const bool personal = person != shared_state;
    std::int64_t person_bound = person;
    if (query.on_list && !personal) throw std::invalid_argument("'on my list' belongs to a person: log in first");

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
    // The search condition is set in last: the full-text match, or, when that found nothing, the engine's
    // search for words with a typo.
    const std::string search_marker = "\x01search\x01";
    bool typos = false;
    std::vector<std::string> typo_words;
    if (searching) add(search_marker, search_marker);
    const auto with_search = [&](std::string sql) {
        if (const auto at = sql.find(search_marker); at != std::string::npos)
            sql.replace(at, search_marker.size(),
                        typos ? impl_->dialect->typo_match(typo_words.size()) : impl_->dialect->text_match());
        return sql;
    };
    if (query.genre)
        add("m.id IN (SELECT movie_id FROM movie_genres WHERE genre = :genre)",
            "EXISTS (SELECT 1 FROM movie_genres g WHERE g.genre = :genre AND g.movie_id = m.id)");
    if (query.year_from) add("m.year >= :year_from", "m.year >= :year_from");
    if (query.year_to) add("m.year <= :year_to", "m.year <= :year_to");
    // A person's marks: rows of user_movie_state (a movie without one is unwatched and not on the list).
    // Each use of the person's id has a name of its own (`:person_watched`, ...), bound where it appears.
    const auto add_mark = [&](const std::string& column, bool wanted) {
        const std::string kept =
            "SELECT movie_id FROM user_movie_state WHERE user_id = :person_" + column + " AND " + column + " = 1";
        const std::string exists = "EXISTS (SELECT 1 FROM user_movie_state s WHERE s.user_id = :person_" + column +
                                   " AND s.movie_id = m.id AND s." + column + " = 1)";
        if (wanted)
            add("m.id IN (" + kept + ")", exists);
        else
            add("m.id NOT IN (" + kept + ")", "NOT " + exists);
    };
    if (query.watched) {
        if (personal)
            add_mark("watched", *query.watched);
        else
            add("m.watched = :watched", "m.watched = :watched");
    }
    if (query.on_list) add_mark("on_list", *query.on_list);
    if (query.resolution)
        add("m.id IN (SELECT movie_id FROM media_files WHERE resolution = :resolution" + impl_->dialect->nocase() +
                ")",
            "EXISTS (SELECT 1 FROM media_files f WHERE f.resolution = :resolution" + impl_->dialect->nocase() +
                " AND f.movie_id = m.id)");
    if (query.match) add("m.match_state = :match", "m.match_state = :match");

    // `{}` follows a key that may be NULL, `{!}` one that never is: the dialect says how each sorts, so that
    // every engine gives SQLite's order (NULLs first when ascending) and can read it from its sort index.
    const auto nullable_dir = impl_->dialect->order(query.descending, true);
    const auto dir = impl_->dialect->order(query.descending, false);
    std::string order;
    switch (query.sort) {
    case movie_sort::title:
        order = "m.title_key{!}, m.year{}, m.id{!}";
        break;
    case movie_sort::year:
        order = "m.year{}, m.title_key{!}, m.id{!}";
        break;
    case movie_sort::added:
        order = "m.id{!}";
        break;
    // Equal ratings and runtimes are common (and every unidentified movie has neither): their ties go by id,
    // which the index gives for free, rather than by title, which would sort each tie group.
    case movie_sort::rating:
        order = personal ? "(SELECT s.rating FROM user_movie_state s WHERE s.user_id = :person_rating"
                           " AND s.movie_id = m.id){},"
                           " coalesce(m.vote_average, m.imdb_rating){}, m.id{!}"
                         : "m.rating{}, coalesce(m.vote_average, m.imdb_rating){}, m.id{!}";
        break;
    case movie_sort::runtime:
        order = "m.runtime{}, m.id{!}";
        break;
    }
    for (auto at = order.find("{!}"); at != std::string::npos; at = order.find("{!}", at))
        order.replace(at, 3, dir);
    for (auto at = order.find("{}"); at != std::string::npos; at = order.find("{}", at))
        order.replace(at, 2, nullable_dir);

    const auto bind_filters = [&](soci::statement& st) {
        if (searching && !typos) st.exchange(soci::use(text, "text"));
        if (typos)
            for (std::size_t i = 0; i < typo_words.size(); ++i)
                st.exchange(soci::use(typo_words[i], "typo_" + std::to_string(i)));
        if (query.genre) st.exchange(soci::use(genre, "genre"));
        if (query.year_from) st.exchange(soci::use(year_from, "year_from"));
        if (query.year_to) st.exchange(soci::use(year_to, "year_to"));
        if (query.watched && !personal) st.exchange(soci::use(watched, "watched"));
        if (query.watched && personal) st.exchange(soci::use(person_bound, "person_watched"));
        if (query.on_list) st.exchange(soci::use(person_bound, "person_on_list"));
        if (query.resolution) st.exchange(soci::use(resolution, "resolution"));
        if (query.match) st.exchange(soci::use(match, "match"));
    };

    // The total depends on the filters only: pages of one search share it until a write (another
    // connection's commit changes the data version). Asked before the snapshot starts, so a total is never
    // filed under a version newer than the data it was counted from.
    const auto version = impl_->dialect->data_version(impl_->sql);
    read_transaction snapshot(impl_->sql, *impl_->dialect);
    if (!version || version != impl_->totals_version || impl_->totals.size() >= 256) {
        impl_->totals.clear();
        impl_->totals_version = version;
    }
    std::string total_key = count_where;
    for (const auto* value : {&text, &genre, &resolution, &match}) total_key += '\x1f' + *value;
    for (const int value : {year_from, year_to, watched}) total_key += '\x1f' + std::to_string(value);
    // A person's watched and list filters count their own marks.
    total_key += '\x1f' + std::to_string(person_bound);
    if (auto known = impl_->totals.find(total_key); version && known != impl_->totals.end()) {
        page.total = known->second;
    } else {
        const auto count_matches = [&] {
            auto count = prepare_bound(impl_->sql, with_search("SELECT count(*) FROM movies m" + count_where),
                                       [&](auto& st) {
                                           st.exchange(soci::into(page.total));
                                           bind_filters(st);
                                       });
            query_one(*impl_->dialect, count);
        };
        count_matches();
        if (searching && page.total == 0) {
            typo_words = impl_->dialect->typo_words(query.text);
            typos = !typo_words.empty();
            if (typos) count_matches();
        }
        // A typo search is never cached: its total is filed under the exact words, which found nothing.
        if (version && !typos) impl_->totals[total_key] = page.total;
    }
    std::vector<movie_id> ids;
    if (page.total > offset) {
        std::int64_t id = 0;
        auto select = prepare_bound(impl_->sql,
                                    with_search("SELECT m.id FROM movies m" + page_where + " ORDER BY " +
                                                order + " LIMIT :limit OFFSET :offset"),
                                    [&](auto& st) {
                                        st.exchange(soci::into(id));
                                        bind_filters(st);
                                        if (personal && query.sort == movie_sort::rating)
                                            st.exchange(soci::use(person_bound, "person_rating"));
                                        st.exchange(soci::use(limit, "limit"));
                                        st.exchange(soci::use(offset, "offset"));
                                    });
        ids.reserve(static_cast<std::size_t>(limit));
        for_each_row(*impl_->dialect, select, [&] { ids.push_back(id); });
    }
    page.movies = r.load(ids, person);
    return page;
}

} // namespace mediabase
