#include "rest_api.hpp"

#include "mediabase/movie_json.hpp"
#include "mediabase/name_parser.hpp"
#include "mediabase/static_files.hpp"

#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <spdlog/spdlog.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace http = boost::beast::http;
namespace json = boost::json;

namespace mediabase {
namespace {

http_response json_response(const http_request& request, http::status status, const json::value& body) {
    http_response res{status, request.version()};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-store");
    res.body() = json::serialize(body);
    return res;
}

/// A request that failed validation: the status, a stable code and a message for people.
struct api_error {
    http::status status;
    std::string code;
    std::string message;
};

template <class T>
using api_result = std::variant<T, api_error>;

api_error bad_request(std::string message) { return {http::status::bad_request, "bad_request", std::move(message)}; }
api_error not_found(std::string message) { return {http::status::not_found, "not_found", std::move(message)}; }
api_error unavailable() {
    return {http::status::service_unavailable, "unavailable", "the service is shutting down; try again"};
}

/// Parses a whole decimal integer in [min, max].
std::optional<std::int64_t> parse_int(std::string_view text, std::int64_t min, std::int64_t max) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) return std::nullopt;
    return value;
}

api_result<json::object> parse_json_object(const http_request& request) {
    boost::system::error_code ec;
    auto value = json::parse(request.body(), ec);
    if (ec) return api_error{http::status::bad_request, "bad_json", "request body is not valid JSON: " + ec.message()};
    if (!value.is_object())
        return api_error{http::status::bad_request, "bad_json", "request body must be a JSON object"};
    return std::move(value.as_object());
}

api_result<movie_query> parse_movie_query(const boost::urls::params_view& params) {
    movie_query query;
    for (const auto& param : params) {
        const std::string& key = param.key;
        const std::string& value = param.value;
        if (key == "q") {
            query.text = value;
        } else if (key == "sort") {
            auto sort = movie_sort_from_string(value);
            if (!sort) return bad_request("sort: expected title, year, added, rating or runtime, got '" + value + "'");
            query.sort = *sort;
        } else if (key == "order") {
            if (value != "asc" && value != "desc") return bad_request("order: expected asc or desc, got '" + value + "'");
            query.descending = value == "desc";
        } else if (key == "limit") {
            auto n = parse_int(value, 1, 1000);
            if (!n) return bad_request("limit: expected a whole number from 1 to 1000, got '" + value + "'");
            query.limit = static_cast<int>(*n);
        } else if (key == "offset") {
            auto n = parse_int(value, 0, 1'000'000'000);
            if (!n) return bad_request("offset: expected a whole number of 0 or more, got '" + value + "'");
            query.offset = static_cast<int>(*n);
        } else if (key == "genre") {
            if (!value.empty()) query.genre = value;
        } else if (key == "year_from" || key == "year_to") {
            auto n = parse_int(value, 1800, 3000);
            if (!n) return bad_request(key + ": expected a year, got '" + value + "'");
            (key == "year_from" ? query.year_from : query.year_to) = static_cast<int>(*n);
        } else if (key == "watched") {
            if (value != "true" && value != "false")
                return bad_request("watched: expected true or false, got '" + value + "'");
            query.watched = value == "true";
        } else if (key == "resolution") {
            if (!value.empty()) query.resolution = value;
        } else if (key == "match") {
            if (value.empty()) continue;
            query.match = match_state_from_string(value);
            if (!query.match)
                return bad_request("match: expected identified, review, failed or unidentified, got '" + value + "'");
        } else {
            return bad_request("unknown parameter '" + key + "'");
        }
    }
    return query;
}

api_result<movie_patch> parse_movie_patch(const json::object& body) {
    movie_patch patch;
    for (const auto& [key, value] : body) {
        if (key == "watched") {
            if (!value.is_bool()) return bad_request("watched: expected true or false");
            patch.watched = value.as_bool();
        } else if (key == "rating") {
            if (value.is_null()) patch.rating = std::optional<int>{};
            else if (value.is_int64() && value.as_int64() >= 1 && value.as_int64() <= 10)
                patch.rating = std::optional<int>{static_cast<int>(value.as_int64())};
            else return bad_request("rating: expected a whole number from 1 to 10, or null");
        } else {
            return bad_request("unknown field '" + std::string(key) + "' (expected watched or rating)");
        }
    }
    if (!patch.watched && !patch.rating) return bad_request("nothing to change: give watched and/or rating");
    return patch;
}

/// The error a provider failure becomes. Offline keeps its own code: the UI tells the user to add a key.
api_error provider_error(const provider_failure& failure) {
    using kind = provider_failure::kind;
    switch (failure.reason) {
    case kind::offline:
        return {http::status::service_unavailable, "offline",
                "identifying movies needs a TMDB key; this server runs in offline mode"};
    case kind::not_found:
        return {http::status::not_found, "tmdb_not_found", failure.message};
    case kind::no_match:
        return {http::status::not_found, "no_match", failure.message};
    case kind::rejected:
        return {http::status::bad_gateway, "provider_rejected", failure.message};
    case kind::unavailable:
        break;
    }
    return {http::status::bad_gateway, "provider_unavailable", failure.message};
}

// Built outside the coroutines: GCC 12 miscompiles brace-initialised aggregates of string literals inside
// a coroutine body.
api_error nothing_found() { return {http::status::bad_gateway, "provider_unavailable", "the provider found nothing"}; }

/// Caches the art of what the Scraper found, replaces the movie's metadata with it, tells the clients
/// (movie.updated) and returns the movie as stored.
asio::awaitable<api_result<movie>> replace_metadata(bus& b, const movie& current, identification found) {
    if (!found.metadata) co_return nothing_found();
    movie metadata = std::move(*found.metadata);
    std::optional<cached_art> art;
    if (!found.art.empty()) {
        std::vector<art_sources> items;
        items.push_back(std::move(found.art));
        auto cached = co_await ask<std::vector<cached_art>>(
            b.cache, [&](auto reply) { return cache_art{std::move(items), std::move(reply)}; });
        if (cached && !cached->empty()) art = std::move(cached->front());
    }
    // Still the same film: art that could not be downloaded now stays as it was. Another film: never the
    // old one's art.
    const bool same_film = current.tmdb_id && metadata.tmdb_id == current.tmdb_id;
    metadata.poster = art && art->poster ? art->poster : same_film ? current.poster : std::nullopt;
    metadata.backdrop = art && art->backdrop ? art->backdrop : same_film ? current.backdrop : std::nullopt;
    auto updated = co_await ask<std::optional<movie>>(b.dal_writes, [&](auto reply) {
        return set_metadata{current.id, std::move(metadata), std::move(reply)};
    });
    // The new keys are stored; the movie's old art may now be unused: the Cache sweeps it.
    release_art release;
    if (art)
        for (const auto* key : {&art->poster, &art->backdrop})
            if (*key) release.keys.push_back(**key);
    co_await post(b.cache, std::move(release));
    // Answered once the old art is gone (unless another movie shows it), so what the client sees next is
    // already tidy.
    std::vector<std::string> old_art;
    for (const auto* key : {&current.poster, &current.backdrop})
        if (*key) old_art.push_back(**key);
    if (!old_art.empty())
        co_await ask<art_sweep_result>(b.cache,
                                       [&](auto reply) { return sweep_art{std::move(reply), std::move(old_art)}; });
    if (!updated) co_return unavailable();
    if (!*updated) co_return not_found("no movie with id " + std::to_string(current.id));
    movie_event event{change_kind::updated, (*updated)->id, **updated};
    co_await post(b.events, std::move(event));
    co_return std::move(**updated);
}

/// `GET /tmdb/search?q=&year=`.
struct tmdb_query {
    std::string text;
    std::optional<int> year;
};

api_result<tmdb_query> parse_tmdb_query(const boost::urls::params_view& params) {
    tmdb_query query;
    for (const auto& param : params) {
        const std::string& key = param.key;
        const std::string& value = param.value;
        if (key == "q") {
            query.text = value;
        } else if (key == "year") {
            if (value.empty()) continue;
            auto n = parse_int(value, 1800, 3000);
            if (!n) return bad_request("year: expected a year, got '" + value + "'");
            query.year = static_cast<int>(*n);
        } else {
            return bad_request("unknown parameter '" + key + "' (expected q and year)");
        }
    }
    const auto blank = query.text.find_first_not_of(" \t") == std::string::npos;
    if (blank) return bad_request("q: give a title to search for, e.g. ?q=Heat&year=1995");
    if (query.text.size() > 200) return bad_request("q: at most 200 characters");
    return query;
}

/// Search results whose posters are cached here first: the UI loads nothing from other hosts.
constexpr std::size_t search_thumbnails = 12;

json::object to_json(const duplicate_group& group) {
    json::array movies;
    for (const auto& m : group.movies) movies.push_back(to_json(m));
    return {{"reason", group.reason}, {"movies", std::move(movies)}};
}

/// Splits "/api/v1/movies/42/match" into {"movies", "42", "match"}.
std::vector<std::string_view> path_segments(std::string_view path) {
    std::vector<std::string_view> segments;
    while (!path.empty()) {
        const auto slash = path.find('/');
        const auto segment = path.substr(0, slash);
        if (!segment.empty()) segments.push_back(segment);
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return segments;
}

http_response method_not_allowed(const http_request& request, const char* allow) {
    auto res = error_response(request, http::status::method_not_allowed, "method_not_allowed",
                              std::string(request.method_string()) + " is not allowed here (allowed: " + allow + ")");
    res.set(http::field::allow, allow);
    return res;
}

bool accepts_gzip(const http_request& request) {
    const auto it = request.find(http::field::accept_encoding);
    return it != request.end() && it->value().find("gzip") != std::string_view::npos;
}

http_response file_response(const http_request& request, std::string body, std::string_view content_type,
                            std::string_view etag, std::string_view cache_control) {
    if (auto it = request.find(http::field::if_none_match); it != request.end() && it->value() == etag) {
        http_response res{http::status::not_modified, request.version()};
        res.set(http::field::etag, etag);
        res.set(http::field::cache_control, cache_control);
        return res;
    }
    http_response res{http::status::ok, request.version()};
    res.set(http::field::content_type, content_type);
    res.set(http::field::etag, etag);
    res.set(http::field::cache_control, cache_control);
    res.set("X-Content-Type-Options", "nosniff");
    res.body() = std::move(body);
    if (request.method() == http::verb::head) {
        res.content_length(res.body().size());
        res.body().clear();
    }
    return res;
}

/// Art file names are generated by the cache; anything else (slashes, dot-dot) is refused.
bool valid_art_key(std::string_view key) {
    if (key.empty() || key.size() > 128 || key.front() == '.') return false;
    return std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
               c == '.';
    });
}

std::string_view image_content_type(std::string_view key) {
    if (key.ends_with(".png")) return "image/png";
    if (key.ends_with(".webp")) return "image/webp";
    return "image/jpeg";
}

} // namespace

http_response error_response(const http_request& request, http::status status, std::string code,
                             std::string message) {
    return json_response(request, status,
                         json::object{{"error", json::object{{"code", std::move(code)}, {"message", std::move(message)}}}});
}

asio::awaitable<http_response> rest_api::handle(const http_request& request) {
    try {
        co_return co_await route(request);
    } catch (const std::exception& e) {
        spdlog::error("{} {} failed: {}", std::string(request.method_string()), std::string(request.target()), e.what());
        co_return error_response(request, http::status::internal_server_error, "internal_error",
                                 "the request failed inside the server; see the server log");
    }
}

asio::awaitable<http_response> rest_api::route(const http_request& request) {
    auto target = boost::urls::parse_origin_form(request.target());
    if (!target) co_return error_response(request, http::status::bad_request, "bad_request", "malformed request target");
    const std::string path = target->path();
    const auto method = request.method();
    auto fail = [&](const api_error& e) { return error_response(request, e.status, e.code, e.message); };
    auto ok = [&](const json::value& body, http::status status = http::status::ok) {
        return json_response(request, status, body);
    };

    const auto segments = path_segments(path);
    if (segments.size() >= 2 && segments[0] == "api" && segments[1] == "v1") {
        const std::vector<std::string_view> rest(segments.begin() + 2, segments.end());
        const std::string_view resource = rest.empty() ? std::string_view() : rest[0];

        if (resource == "healthz" && rest.size() == 1) {
            if (method != http::verb::get && method != http::verb::head) co_return method_not_allowed(request, "GET");
            co_return ok(json::object{{"status", "ok"}, {"version", MEDIABASE_VERSION}});
        }

        if (resource == "import" && rest.size() == 1) {
            if (method == http::verb::post) {
                auto job = co_await ask<import_job>(bus_.core, [](auto r) { return start_import{std::move(r)}; });
                if (!job) co_return fail(unavailable());
                co_return ok(to_json(*job), http::status::accepted);
            }
            if (method == http::verb::get) {
                auto job = co_await ask<import_job>(bus_.core, [](auto r) { return get_import_status{std::move(r)}; });
                if (!job) co_return fail(unavailable());
                co_return ok(to_json(*job));
            }
            co_return method_not_allowed(request, "GET, POST");
        }

        if (resource == "imports" && rest.size() == 1) {
            if (method != http::verb::get) co_return method_not_allowed(request, "GET");
            int limit = 20;
            for (const auto& param : target->params()) {
                if (param.key != "limit") continue;
                auto n = parse_int(param.value, 1, 1000);
                if (!n) co_return fail(bad_request("limit: expected a whole number from 1 to 1000, got '" +
                                                   std::string(param.value) + "'"));
                limit = static_cast<int>(*n);
            }
            auto imports = co_await ask<std::vector<import_job>>(
                bus_.dal_reads, [&](auto r) { return list_imports{limit, std::move(r)}; });
            if (!imports) co_return fail(unavailable());
            json::array out;
            for (const auto& job : *imports) out.push_back(to_json(job));
            co_return ok(json::object{{"imports", std::move(out)}});
        }

        if (resource == "movies" && rest.size() == 1) {
            if (method != http::verb::get) co_return method_not_allowed(request, "GET");
            auto query = parse_movie_query(target->params());
            if (auto* e = std::get_if<api_error>(&query)) co_return fail(*e);
            auto page = co_await ask<movie_page>(bus_.dal_reads, [&](auto r) {
                return list_movies{std::get<movie_query>(query), std::move(r)};
            });
            if (!page) co_return fail(unavailable());
            co_return ok(to_json(*page));
        }

        if (resource == "movies" && rest.size() == 2 && rest[1] == "duplicates") {
            if (method != http::verb::get) co_return method_not_allowed(request, "GET");
            auto groups = co_await ask<std::vector<duplicate_group>>(
                bus_.dal_reads, [](auto r) { return find_duplicates{std::move(r)}; });
            if (!groups) co_return fail(unavailable());
            json::array out;
            for (const auto& g : *groups) out.push_back(to_json(g));
            co_return ok(json::object{{"groups", std::move(out)}});
        }

        if (resource == "movies" && rest.size() >= 2) {
            const auto id = parse_int(rest[1], 1, std::numeric_limits<std::int64_t>::max());
            if (!id) co_return fail(not_found("no movie with id '" + std::string(rest[1]) + "'"));
            if (rest.size() == 2) {
                if (method == http::verb::get) {
                    auto found = co_await ask<std::optional<movie>>(
                        bus_.dal_reads, [&](auto r) { return get_movie{*id, std::move(r)}; });
                    if (!found) co_return fail(unavailable());
                    if (!*found) co_return fail(not_found("no movie with id " + std::to_string(*id)));
                    co_return ok(to_json(**found));
                }
                if (method == http::verb::patch) {
                    auto body = parse_json_object(request);
                    if (auto* e = std::get_if<api_error>(&body)) co_return fail(*e);
                    auto patch = parse_movie_patch(std::get<json::object>(body));
                    if (auto* e = std::get_if<api_error>(&patch)) co_return fail(*e);
                    auto changed = co_await ask<std::optional<movie>>(bus_.dal_writes, [&](auto r) {
                        return patch_movie{*id, std::get<movie_patch>(patch), std::move(r)};
                    });
                    if (!changed) co_return fail(unavailable());
                    if (!*changed) co_return fail(not_found("no movie with id " + std::to_string(*id)));
                    movie_event message{change_kind::updated, (*changed)->id, **changed};
                    co_await post(bus_.events, std::move(message));
                    co_return ok(to_json(**changed));
                }
                co_return method_not_allowed(request, "GET, PATCH");
            }
            if (rest.size() == 3 && (rest[2] == "match" || rest[2] == "refresh")) {
                if (method != http::verb::post) co_return method_not_allowed(request, "POST");
                std::optional<std::int64_t> tmdb_id;
                if (rest[2] == "match") {
                    auto body = parse_json_object(request);
                    if (auto* e = std::get_if<api_error>(&body)) co_return fail(*e);
                    const auto& object = std::get<json::object>(body);
                    const auto* tmdb = object.if_contains("tmdb_id");
                    if (!tmdb || !tmdb->is_int64() || tmdb->as_int64() < 1)
                        co_return fail(bad_request("tmdb_id: expected a positive whole number"));
                    tmdb_id = tmdb->as_int64();
                }
                auto current = co_await ask<std::optional<movie>>(
                    bus_.dal_reads, [&](auto r) { return get_movie{*id, std::move(r)}; });
                if (!current) co_return fail(unavailable());
                if (!*current) co_return fail(not_found("no movie with id " + std::to_string(*id)));
                // Match: the movie the user chose. Refresh: by its TMDB id if known, else its title and year.
                std::optional<provider_answer<identification>> answer;
                if (tmdb_id) {
                    answer = co_await ask<provider_answer<identification>>(
                        bus_.scraper, [&](auto r) { return fetch_movie{*tmdb_id, std::move(r)}; });
                } else {
                    auto found = found_from(**current);
                    answer = co_await ask<provider_answer<identification>>(
                        bus_.scraper, [&](auto r) { return identify_movie{std::move(found), std::move(r)}; });
                }
                if (!answer) co_return fail(unavailable());
                if (answer->failed) co_return fail(provider_error(answer->failure));
                auto replaced = co_await replace_metadata(bus_, **current, std::move(answer->value));
                if (auto* e = std::get_if<api_error>(&replaced)) co_return fail(*e);
                co_return ok(to_json(std::get<movie>(replaced)));
            }
        }

        if (resource == "tmdb" && rest.size() == 2 && rest[1] == "search") {
            if (method != http::verb::get) co_return method_not_allowed(request, "GET");
            auto query = parse_tmdb_query(target->params());
            if (auto* e = std::get_if<api_error>(&query)) co_return fail(*e);
            auto& wanted = std::get<tmdb_query>(query);
            auto answer = co_await ask<provider_answer<std::vector<tmdb_search_hit>>>(bus_.scraper, [&](auto r) {
                return search_tmdb{wanted.text, wanted.year, std::move(r)};
            });
            if (!answer) co_return fail(unavailable());
            if (answer->failed) co_return fail(provider_error(answer->failure));
            const auto& hits = answer->value;
            std::vector<art_sources> thumbnails;
            for (std::size_t i = 0; i < hits.size() && i < search_thumbnails; ++i) {
                art_sources item;
                item.poster_url = hits[i].poster_url;
                thumbnails.push_back(std::move(item));
            }
            std::optional<std::vector<cached_art>> cached;
            if (!thumbnails.empty())
                cached = co_await ask<std::vector<cached_art>>(
                    bus_.cache, [&](auto r) { return cache_art{std::move(thumbnails), std::move(r)}; });
            // Thumbnails belong to no movie: the next sweep may remove them.
            release_art release;
            if (cached)
                for (const auto& thumbnail : *cached)
                    if (thumbnail.poster) release.keys.push_back(*thumbnail.poster);
            if (!release.keys.empty()) co_await post(bus_.cache, std::move(release));
            json::array results;
            for (std::size_t i = 0; i < hits.size(); ++i) {
                const auto& hit = hits[i];
                json::object o;
                o["tmdb_id"] = hit.tmdb_id;
                o["title"] = hit.title;
                o["original_title"] = hit.original_title ? json::value(*hit.original_title) : json::value(nullptr);
                o["year"] = hit.year ? json::value(*hit.year) : json::value(nullptr);
                o["overview"] = hit.overview ? json::value(*hit.overview) : json::value(nullptr);
                const bool has_poster = cached && i < cached->size() && (*cached)[i].poster;
                o["poster"] = has_poster ? json::value("/img/" + *(*cached)[i].poster) : json::value(nullptr);
                o["confidence"] = hit.confidence;
                results.push_back(std::move(o));
            }
            co_return ok(json::object{{"results", std::move(results)}});
        }

        if (resource == "genres" && rest.size() == 1) {
            if (method != http::verb::get) co_return method_not_allowed(request, "GET");
            auto genres = co_await ask<std::vector<std::string>>(bus_.dal_reads,
                                                                 [](auto r) { return list_genres{std::move(r)}; });
            if (!genres) co_return fail(unavailable());
            json::array out;
            for (const auto& g : *genres) out.emplace_back(g);
            co_return ok(json::object{{"genres", std::move(out)}});
        }

        if (resource == "stats" && rest.size() == 1) {
            if (method != http::verb::get) co_return method_not_allowed(request, "GET");
            auto stats = co_await ask<json::object>(bus_.dal_reads, [](auto r) { return get_stats{std::move(r)}; });
            if (!stats) co_return fail(unavailable());
            co_return ok(*stats);
        }

        if (resource == "prune" && rest.size() == 1) {
            if (method != http::verb::post) co_return method_not_allowed(request, "POST");
            auto current = co_await ask<settings>(bus_.core, [](auto r) { return get_settings{std::move(r)}; });
            if (!current) co_return fail(unavailable());
            auto result = co_await ask<prune_result>(
                bus_.pruner, [&](auto r) { return prune_request{current->media_folders, std::move(r)}; });
            if (!result) co_return fail(unavailable());
            co_return ok(to_json(*result));
        }

        if (resource == "config" && rest.size() == 1) {
            if (method == http::verb::get) {
                auto current = co_await ask<settings>(bus_.core, [](auto r) { return get_settings{std::move(r)}; });
                if (!current) co_return fail(unavailable());
                auto config = to_public_json(*current);
                // What the Watcher does with `watch`: live, or periodic rescans and why.
                auto watch =
                    co_await ask<watch_status>(bus_.watcher, [](auto r) { return get_watch_status{std::move(r)}; });
                if (!watch) co_return fail(unavailable());
                config["watching"] = watch->watching;
                config["watched_folders"] = watch->folders;
                if (watch->fallback_reason)
                    config["watch_fallback_reason"] = *watch->fallback_reason;
                else
                    config["watch_fallback_reason"] = nullptr;
                co_return ok(config);
            }
            if (method == http::verb::put) {
                auto body = parse_json_object(request);
                if (auto* e = std::get_if<api_error>(&body)) co_return fail(*e);
                auto changed = co_await ask<std::variant<settings, settings_error>>(bus_.core, [&](auto r) {
                    return update_settings{std::move(std::get<json::object>(body)), std::move(r)};
                });
                if (!changed) co_return fail(unavailable());
                if (auto* e = std::get_if<settings_error>(&*changed)) co_return fail(bad_request(e->message));
                co_return ok(to_public_json(std::get<settings>(*changed)));
            }
            co_return method_not_allowed(request, "GET, PUT");
        }

        if (resource == "parse" && rest.size() == 1) {
            if (method != http::verb::get) co_return method_not_allowed(request, "GET");
            auto it = target->params().find("name");
            if (it == target->params().end() || (*it).value.empty())
                co_return fail(bad_request("name: give the file name or path to parse, e.g. ?name=Heat.1995.mkv"));
            co_return ok(to_json(parse_name((*it).value)));
        }

        co_return fail(not_found("no API route " + std::string(request.method_string()) + " " + path));
    }

    if (method != http::verb::get && method != http::verb::head) co_return method_not_allowed(request, "GET, HEAD");

    if (segments.size() == 2 && segments[0] == "img") {
        const auto key = segments[1];
        if (!valid_art_key(key)) co_return fail(not_found("no such image"));
        std::ifstream in(options_.art_dir / std::string(key), std::ios::binary);
        if (!in) co_return fail(not_found("no such image"));
        std::ostringstream body;
        body << in.rdbuf();
        // Art keys name their content, so a cached copy never goes stale.
        const std::string etag = "\"" + std::string(key) + "\"";
        co_return file_response(request, std::move(body).str(), image_content_type(key), etag,
                                "public, max-age=31536000, immutable");
    }

    auto file = find_static_file(path, options_.static_dir);
    // Client-side routes (/movies/42, /import ...) load the app, which then shows the view.
    if (!file && path.find('.') == std::string::npos) file = find_static_file("/index.html", options_.static_dir);
    if (!file) co_return fail(not_found("no such file " + path));
    const bool gzip = !file->gzip_body.empty() && accepts_gzip(request);
    auto res = file_response(request, gzip ? std::move(file->gzip_body) : std::move(file->body), file->content_type,
                             file->etag, "no-cache");
    res.set(http::field::vary, "Accept-Encoding");
    if (gzip && res.result() == http::status::ok) res.set(http::field::content_encoding, "gzip");
    co_return res;
}

} // namespace mediabase
