#include "rest_api.hpp"

#include "compression.hpp"
#include "response_cache.hpp"

#include "mediabase/model/movie_json.hpp"
#include "mediabase/naming/name_parser.hpp"
#include "mediabase/http/static_files.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

namespace http = boost::beast::http;
namespace json = boost::json;

namespace mediabase {
namespace {

/// A service did not answer: the database failed (its words), or the server is shutting down.
api_error unavailable(const bus& b) {
    if (const auto status = b.database->get(); status.error)
        return {http::status::service_unavailable, status.damaged ? "database_damaged" : "database_error",
                "the catalogue database failed: " + *status.error +
                    (status.damaged ? " (the file is damaged: stop the server and restore a backup with "
                                      "`mediabase restore FILE`)"
                                    : "")};
    return {http::status::service_unavailable, "unavailable",
            "the server did not answer this request: it is shutting down; try again"};
}

json::object to_json(const backup_file& file) {
    return {{"name", file.name}, {"size", file.size}, {"created_at", file.created_at}, {"reason", file.reason}};
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
    if (!updated) co_return unavailable(b);
    if (!*updated) co_return not_found("no movie with id " + std::to_string(current.id));
    movie_event event{change_kind::updated, (*updated)->id, **updated};
    co_await post(b.events, std::move(event));
    co_return std::move(**updated);
}

/// Search results whose posters are cached here first: the UI loads nothing from other hosts.
constexpr std::size_t search_thumbnails = 12;

json::object to_json(const duplicate_group& group) {
    json::array movies;
    for (const auto& m : group.movies) movies.push_back(to_json(m));
    return {{"reason", group.reason}, {"movies", std::move(movies)}};
}

bool accepts_gzip(const http_request& request) {
    const auto it = request.find(http::field::accept_encoding);
    return it != request.end() && accepts_encoding(it->value(), "gzip");
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

content_coding coding_asked(const http_request& request) {
    const auto it = request.find(http::field::accept_encoding);
    return it == request.end() ? content_coding::identity : negotiate_coding(it->value());
}

/// Compresses an answer built per request (JSON, the UI read from --static-dir) when the client asks and it
/// is large enough to pay; answers already encoded (the embedded UI's gzip copies) stay as they are.
void compress_if_asked(const http_request& request, http_response& response) {
    if (response.count(http::field::content_encoding) || response.body().size() < compression_threshold) return;
    const auto type = response[http::field::content_type];
    if (!compressible_type(type)) return;
    response.set(http::field::vary, "Accept-Encoding");
    const auto coding = coding_asked(request);
    if (coding == content_coding::identity) return;
    auto encoded = compress(response.body(), coding);
    if (!encoded) return;
    response.body() = std::move(*encoded);
    response.set(http::field::content_encoding, coding_token(coding));
    // Each encoding is its own representation with its own strong tag.
    if (const auto etag = std::string(response[http::field::etag]); etag.size() >= 2 && etag.back() == '"')
        response.set(http::field::etag, etag.substr(0, etag.size() - 1) + "-" + std::string(coding_token(coding)) + "\"");
}

/// A cached answer as this request wants it: encoded as asked (encoded once, then kept), or 304 when the
/// client's copy is current.
http_response from_cache(const http_request& request, response_cache& cache, cached_answer& answer) {
    auto coding = answer.body->size() < compression_threshold ? content_coding::identity : coding_asked(request);
    auto body = answer.body;
    if (coding != content_coding::identity) {
        auto& slot = coding == content_coding::br ? answer.br_body : answer.gzip_body;
        if (!slot)
            if (auto encoded = compress(*answer.body, coding))
                cache.add_encoding(answer, coding, std::make_shared<const std::string>(std::move(*encoded)));
        if (slot)
            body = slot;
        else
            coding = content_coding::identity;
    }
    const auto etag = answer.etag_for(coding);
    const auto if_none_match = request.find(http::field::if_none_match);
    const bool current =
        answer.status == 200 && if_none_match != request.end() && etag_matches(if_none_match->value(), etag);
    http_response res{current ? http::status::not_modified : static_cast<http::status>(answer.status),
                      request.version()};
    res.set(http::field::content_type, answer.content_type);
    // Clients may keep it but must ask again (If-None-Match) before using it: a write changes it.
    res.set(http::field::cache_control, "no-cache");
    res.set(http::field::etag, etag);
    res.set(http::field::vary, "Accept-Encoding");
    if (current) return res;
    if (coding != content_coding::identity) res.set(http::field::content_encoding, coding_token(coding));
    res.body().assign(body->data(), body->size());
    return res;
}

/// How long a request waits for an identical one to build the answer before it builds its own.
constexpr auto flight_wait = std::chrono::seconds(10);
/// The time budget of a list or search waiting for a slot at the DAL: past it the answer is a 503 `busy`.
constexpr auto queue_budget = std::chrono::seconds(5);

} // namespace

asio::awaitable<http_response> rest_api::handle(const http_request& request) {
    try {
        auto response = co_await route(request);
        compress_if_asked(request, response);
        co_return response;
    } catch (const std::exception& e) {
        spdlog::error("{} {} failed: {}", std::string(request.method_string()), std::string(request.target()), e.what());
        co_return error_response(request, http::status::internal_server_error, "internal_error",
                                 "the request failed inside the server; see the server log");
    }
}
asio::awaitable<http_response> rest_api::route(const http_request& request) {
    auto checked = check_request(request);
    if (auto* refused = std::get_if<http_response>(&checked)) co_return std::move(*refused);
    auto& r = std::get<checked_request>(checked);
    if (auto key = cache_key(r); key && options_.responses) co_return co_await answer_cached(request, r, *key);
    co_return co_await answer(request, r);
}

asio::awaitable<http_response> rest_api::answer_cached(const http_request& request, checked_request& r,
                                                       const std::string& key) {
    auto& cache = *options_.responses;
    // Read before the query runs: an answer built across a write is filed under the older generation, which
    // the write has already made stale.
    const auto generation = bus_.catalogue_generation->load(std::memory_order_acquire);
    if (auto hit = cache.find(key, generation)) co_return from_cache(request, cache, *hit);
    auto woken = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor);
    if (!cache.begin(key, [woken] { woken->cancel(); })) {
        // The same answer is being built: wait for it rather than run the query again.
        woken->expires_after(flight_wait);
        co_await woken->async_wait(asio::as_tuple(asio::use_awaitable));
        if (auto hit = cache.find(key, bus_.catalogue_generation->load(std::memory_order_acquire)))
            co_return from_cache(request, cache, *hit);
        // Not kept (a write came in between, or it failed): this one builds its own, through the gate.
        co_return co_await answer_gated(request, r);
    }
    // Wakes the waiters however this ends (an error, a thrown exception).
    struct flight_end {
        response_cache& cache;
        const std::string& key;
        ~flight_end() { cache.finish(key); }
    } end{cache, key};
    auto response = co_await answer_gated(request, r);
    const auto status = response.result();
    if (status != http::status::ok && status != http::status::not_found) co_return response;
    auto built = std::make_shared<cached_answer>();
    built->status = static_cast<unsigned>(status);
    built->content_type = std::string(response[http::field::content_type]);
    built->body = std::make_shared<const std::string>(std::move(response.body()));
    built->etag = etag_of(*built->body);
    cache.store(key, generation, built);
    co_return from_cache(request, cache, *built);
}

asio::awaitable<http_response> rest_api::answer_gated(const http_request& request, checked_request& r) {
    auto& cache = *options_.responses;
    // A list or search waits for one of the list slots, so lookups of single movies always find a reader.
    struct slot_end {
        read_gate* gate = nullptr;
        ~slot_end() {
            if (gate) gate->leave();
        }
    } slot;
    if (r.route == api_route::movies) {
        auto turn = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor);
        auto ticket = cache.list_queries.enter([turn] { turn->cancel(); });
        if (!ticket->admitted) {
            turn->expires_after(queue_budget);
            co_await turn->async_wait(asio::as_tuple(asio::use_awaitable));
            if (!ticket->admitted) {
                ticket->gone = true;
                auto busy = error_response(request, http::status::service_unavailable, "busy",
                                           "the server is busy with other searches and could not start this one "
                                           "within " + std::to_string(queue_budget.count()) + " s; try again");
                busy.set(http::field::retry_after, "1");
                co_return busy;
            }
        }
        slot.gate = &cache.list_queries;
        // Its client left while it waited: nobody would read the answer.
        if (client_gone && client_gone())
            co_return error_response(request, http::status::service_unavailable, "client_gone",
                                     "the client closed the connection before its query ran");
    }
    co_return co_await answer(request, r);
}

asio::awaitable<http_response> rest_api::answer(const http_request& request, checked_request& r) {
    auto fail = [&](const api_error& e) { return error_response(request, e.status, e.code, e.message); };
    auto ok = [&](const json::value& body, http::status status = http::status::ok) {
        return json_response(request, status, body);
    };

    switch (r.route) {
    case api_route::healthz: {
        // The database's state: sound at start (quick_check passed, or the server would not have started),
        // and whatever failed since (a full disk, a file damaged while running).
        const auto db = bus_.database->get();
        const char* state = !db.error ? "ok" : db.damaged ? "damaged" : "error";
        json::object database{{"state", state},
                              {"error", db.error ? json::value(*db.error) : json::value(nullptr)},
                              {"since", db.since ? json::value(*db.since) : json::value(nullptr)},
                              {"failures", db.failures},
                              {"quick_check_at_start", "ok"}};
        co_return ok(json::object{
            {"status", db.error ? "degraded" : "ok"}, {"version", MEDIABASE_VERSION}, {"database", std::move(database)}});
    }

    case api_route::import_start: {
        auto job = co_await ask<import_job>(bus_.core, [](auto reply) { return start_import{std::move(reply)}; });
        if (!job) co_return fail(unavailable(bus_));
        co_return ok(to_json(*job), http::status::accepted);
    }
    case api_route::import_status: {
        auto job = co_await ask<import_job>(bus_.core, [](auto reply) { return get_import_status{std::move(reply)}; });
        if (!job) co_return fail(unavailable(bus_));
        auto status = to_json(*job);
        // What a prune held back for the user to confirm, if anything (the failsafe).
        auto hold = co_await ask<std::shared_ptr<const prune_hold>>(
            bus_.core, [](auto reply) { return get_prune_hold{std::move(reply)}; });
        if (hold && *hold && !(*hold)->groups.empty())
            status["prune_held"] = to_json(**hold);
        else
            status["prune_held"] = nullptr;
        co_return ok(status);
    }

    case api_route::imports: {
        auto imports = co_await ask<std::vector<import_job>>(
            bus_.dal_reads, [&](auto reply) { return list_imports{r.limit, std::move(reply)}; });
        if (!imports) co_return fail(unavailable(bus_));
        json::array out;
        for (const auto& job : *imports) out.push_back(to_json(job));
        co_return ok(json::object{{"imports", std::move(out)}});
    }

    case api_route::movies: {
        auto page = co_await ask<movie_page>(bus_.dal_reads, [&](auto reply) {
            return list_movies{r.query, std::move(reply)};
        });
        if (!page) co_return fail(unavailable(bus_));
        co_return ok(to_json(*page));
    }

    case api_route::duplicates: {
        auto groups = co_await ask<std::vector<duplicate_group>>(
            bus_.dal_reads, [](auto reply) { return find_duplicates{std::move(reply)}; });
        if (!groups) co_return fail(unavailable(bus_));
        json::array out;
        for (const auto& g : *groups) out.push_back(to_json(g));
        co_return ok(json::object{{"groups", std::move(out)}});
    }

    case api_route::movie_get: {
        auto found = co_await ask<std::optional<movie>>(
            bus_.dal_reads, [&](auto reply) { return get_movie{r.movie_id, std::move(reply)}; });
        if (!found) co_return fail(unavailable(bus_));
        if (!*found) co_return fail(not_found("no movie with id " + std::to_string(r.movie_id)));
        co_return ok(to_json(**found));
    }

    case api_route::movie_patch: {
        auto changed = co_await ask<std::optional<movie>>(bus_.dal_writes, [&](auto reply) {
            return patch_movie{r.movie_id, r.patch, std::move(reply)};
        });
        if (!changed) co_return fail(unavailable(bus_));
        if (!*changed) co_return fail(not_found("no movie with id " + std::to_string(r.movie_id)));
        movie_event message{change_kind::updated, (*changed)->id, **changed};
        co_await post(bus_.events, std::move(message));
        co_return ok(to_json(**changed));
    }

    case api_route::movie_match:
    case api_route::movie_refresh: {
        auto current = co_await ask<std::optional<movie>>(
            bus_.dal_reads, [&](auto reply) { return get_movie{r.movie_id, std::move(reply)}; });
        if (!current) co_return fail(unavailable(bus_));
        if (!*current) co_return fail(not_found("no movie with id " + std::to_string(r.movie_id)));
        // Match: the movie the user chose. Refresh: by its TMDB id if known, else its title and year.
        std::optional<provider_answer<identification>> answer;
        if (r.tmdb_id) {
            answer = co_await ask<provider_answer<identification>>(
                bus_.scraper, [&](auto reply) { return fetch_movie{*r.tmdb_id, std::move(reply)}; });
        } else {
            auto found = found_from(**current);
            answer = co_await ask<provider_answer<identification>>(
                bus_.scraper, [&](auto reply) { return identify_movie{std::move(found), std::move(reply)}; });
        }
        if (!answer) co_return fail(unavailable(bus_));
        if (answer->failed) co_return fail(provider_error(answer->failure));
        auto replaced = co_await replace_metadata(bus_, **current, std::move(answer->value));
        if (auto* e = std::get_if<api_error>(&replaced)) co_return fail(*e);
        co_return ok(to_json(std::get<movie>(replaced)));
    }

    case api_route::tmdb_search: {
        const auto& wanted = r.search;
        auto answer = co_await ask<provider_answer<std::vector<tmdb_search_hit>>>(bus_.scraper, [&](auto reply) {
            return search_tmdb{wanted.text, wanted.year, std::move(reply)};
        });
        if (!answer) co_return fail(unavailable(bus_));
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
                bus_.cache, [&](auto reply) { return cache_art{std::move(thumbnails), std::move(reply)}; });
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

    case api_route::genres: {
        auto genres = co_await ask<std::vector<std::string>>(bus_.dal_reads,
                                                             [](auto reply) { return list_genres{std::move(reply)}; });
        if (!genres) co_return fail(unavailable(bus_));
        json::array out;
        for (const auto& g : *genres) out.emplace_back(g);
        co_return ok(json::object{{"genres", std::move(out)}});
    }

    case api_route::stats: {
        auto stats = co_await ask<json::object>(bus_.dal_reads, [](auto reply) { return get_stats{std::move(reply)}; });
        if (!stats) co_return fail(unavailable(bus_));
        co_return ok(*stats);
    }

    case api_route::prune_held: {
        auto hold = co_await ask<std::shared_ptr<const prune_hold>>(
            bus_.core, [](auto reply) { return get_prune_hold{std::move(reply)}; });
        if (!hold || !*hold) co_return fail(unavailable(bus_));
        co_return ok(to_json(**hold));
    }

    case api_route::prune: {
        // An empty body prunes; {"confirm": true} removes what the failsafe held (GET /prune lists it).
        const auto mode = r.confirm_prune ? prune_mode::confirm : prune_mode::manual;
        auto current = co_await ask<settings>(bus_.core, [](auto reply) { return get_settings{std::move(reply)}; });
        if (!current) co_return fail(unavailable(bus_));
        auto result = co_await ask<prune_result>(bus_.pruner, [&](auto reply) {
            return prune_request{current->media_folders, std::move(reply), current->extensions, mode};
        });
        if (!result) co_return fail(unavailable(bus_));
        co_return ok(to_json(*result));
    }

    case api_route::backups_list:
    case api_route::backup_now: {
        auto current = co_await ask<settings>(bus_.core, [](auto reply) { return get_settings{std::move(reply)}; });
        if (!current) co_return fail(unavailable(bus_));
        const auto dir = catalogue::backup_dir(current->database_file());
        if (r.route == api_route::backup_now) {
            auto outcome = co_await ask<backup_outcome>(bus_.dal_reads, [&](auto reply) {
                return backup_catalogue{dir, "manual", current->backup_keep, std::move(reply)};
            });
            if (!outcome) co_return fail(unavailable(bus_));
            if (!outcome->file)
                co_return error_response(request, http::status::internal_server_error, "backup_failed",
                                         outcome->error);
            co_return ok(to_json(*outcome->file), http::status::created);
        }
        json::array list;
        for (const auto& file : list_backups(dir)) list.push_back(to_json(file));
        co_return ok(json::object{{"folder", dir.string()},
                                  {"interval_hours", current->backup_interval_hours},
                                  {"keep", current->backup_keep},
                                  {"backups", std::move(list)}});
    }

    case api_route::config_get: {
        auto current = co_await ask<settings>(bus_.core, [](auto reply) { return get_settings{std::move(reply)}; });
        if (!current) co_return fail(unavailable(bus_));
        auto config = to_public_json(*current);
        // What the Watcher does with `watch`: live, or periodic rescans and why.
        auto watch =
            co_await ask<watch_status>(bus_.watcher, [](auto reply) { return get_watch_status{std::move(reply)}; });
        if (!watch) co_return fail(unavailable(bus_));
        config["watching"] = watch->watching;
        config["watched_folders"] = watch->folders;
        if (watch->fallback_reason)
            config["watch_fallback_reason"] = *watch->fallback_reason;
        else
            config["watch_fallback_reason"] = nullptr;
        co_return ok(config);
    }

    case api_route::config_put: {
        auto changed = co_await ask<std::variant<settings, settings_error>>(bus_.core, [&](auto reply) {
            return update_settings{std::move(r.config), std::move(reply)};
        });
        if (!changed) co_return fail(unavailable(bus_));
        if (auto* e = std::get_if<settings_error>(&*changed)) co_return fail(bad_request(e->message));
        co_return ok(to_public_json(std::get<settings>(*changed)));
    }

    case api_route::parse:
        co_return ok(to_json(parse_name(r.name)));

    case api_route::image: {
        std::ifstream in(options_.art_dir / r.name, std::ios::binary);
        if (!in) co_return fail(not_found("no such image"));
        std::ostringstream body;
        body << in.rdbuf();
        // Art keys name their content, so a cached copy never goes stale.
        const std::string etag = "\"" + r.name + "\"";
        co_return file_response(request, std::move(body).str(), content_type_for(r.name), etag,
                                "public, max-age=31536000, immutable");
    }

    case api_route::static_file:
        break;
    }

    auto file = find_static_file(r.path, options_.static_dir);
    // Client-side routes (/movies/42, /import ...) load the app, which then shows the view.
    if (!file && r.path.find('.') == std::string::npos) file = find_static_file("/index.html", options_.static_dir);
    if (!file) co_return fail(not_found("no such file " + r.path));
    const bool gzip = !file->gzip_body.empty() && accepts_gzip(request);
    auto res = file_response(request, gzip ? std::move(file->gzip_body) : std::move(file->body), file->content_type,
                             file->etag, "no-cache");
    res.set(http::field::vary, "Accept-Encoding");
    if (gzip && res.result() == http::status::ok) res.set(http::field::content_encoding, "gzip");
    co_return res;
}

} // namespace mediabase
