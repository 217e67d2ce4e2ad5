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

#include <unistd.h>

#include <filesystem>
#include <ctime>
#include <fstream>
#include <sstream>

namespace http = boost::beast::http;
namespace json = boost::json;

namespace mediabase {
namespace {

/// A service did not answer: the database failed (its words, as Health has them), or the server is shutting
/// down. Health hears of a failure before the asker is told "no answer", so asking it afterwards is exact.
asio::awaitable<api_error> unavailable(bus& b) {
    const auto status = co_await database_status(b);
    if (status.error)
        co_return api_error{http::status::service_unavailable, status.damaged ? "database_damaged" : "database_error",
                "the catalogue database failed: " + *status.error +
                    (status.damaged ? " (the file is damaged: stop the server and restore a backup with "
                                      "`mediabase restore FILE`)"
                                    : "")};
    co_return api_error{http::status::service_unavailable, "unavailable",
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
    if (!updated) {
        auto e = co_await unavailable(b);
        co_return e;
    }
    if (!*updated) co_return not_found("no movie with id " + std::to_string(current.id));
    movie_event event{change_kind::updated, (*updated)->id, **updated};
    co_await post(b.events, std::move(event));
    co_return std::move(**updated);
}

json::object to_json(const key_check& check) {
    return {{"status", check.status}, {"message", check.message}};
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

/// Adds what the Watcher does with `watch` (live, or periodic rescans and why) to a config answer; false when
/// the Watcher did not answer.
asio::awaitable<bool> add_watch_status(bus& b, json::object& config) {
    auto watch = co_await ask<watch_status>(b.watcher, [](auto reply) { return get_watch_status{std::move(reply)}; });
    if (!watch) co_return false;
    config["watching"] = watch->watching;
    config["watched_folders"] = watch->folders;
    if (watch->fallback_reason)
        config["watch_fallback_reason"] = *watch->fallback_reason;
    else
        config["watch_fallback_reason"] = nullptr;
    co_return true;
}

/// Why a media folder the settings accepted cannot be imported now (missing, not a folder, unreadable), or
/// nothing. Saved anyway: a drive that is not mounted yet is a folder the user means.
std::optional<std::string> media_folder_warning(const std::string& name) {
    const std::filesystem::path folder(name);
    std::error_code ec;
    const auto status = std::filesystem::status(folder, ec);
    if (ec || !std::filesystem::exists(status))
        return "media folder " + name +
               " does not exist: saved, but an import will fail until it is there (a drive to mount?)";
    if (!std::filesystem::is_directory(status))
        return "media folder " + name + " is not a folder: saved, but an import will fail";
    if (::access(folder.c_str(), R_OK | X_OK) != 0)
        return "media folder " + name + " cannot be read by the server: saved, but an import will fail";
    return std::nullopt;
}

/// How long a browser session lasts (README, Security): 30 days from logging in.
constexpr std::chrono::hours session_lifetime{24 * 30};

/// A UTC time as ISO 8601 ("2026-11-30T06:00:00Z"), as the catalogue stores times.
std::string iso8601(std::chrono::system_clock::time_point when) {
    const auto t = std::chrono::system_clock::to_time_t(when);
    std::tm utc{};
    ::gmtime_r(&t, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

std::optional<std::string_view> header_value(const http_request& request, std::string_view name) {
    const auto it = request.find(name);
    if (it == request.end()) return std::nullopt;
    return std::string_view(it->value());
}

/// The session cookie's value among the request's cookies, or empty.
std::string session_cookie(const http_request& request) {
    for (auto it = request.find(http::field::cookie); it != request.end() && it->name() == http::field::cookie; ++it) {
        std::string_view cookies = it->value();
        while (!cookies.empty()) {
            const auto semi = cookies.find(';');
            auto pair = cookies.substr(0, semi);
            while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
            const auto eq = pair.find('=');
            if (eq != std::string_view::npos && pair.substr(0, eq) == session_cookie_name)
                return std::string(pair.substr(eq + 1));
            if (semi == std::string_view::npos) break;
            cookies.remove_prefix(semi + 1);
        }
    }
    return {};
}

/// The API key of `Authorization: Bearer KEY` or `X-Api-Key: KEY`, or empty.
std::string api_key_of(const http_request& request) {
    if (auto value = header_value(request, "Authorization")) {
        constexpr std::string_view bearer = "Bearer ";
        if (value->size() > bearer.size() && boost::beast::iequals(value->substr(0, bearer.size()), bearer))
            return std::string(value->substr(bearer.size()));
    }
    if (auto value = header_value(request, "X-Api-Key")) return std::string(*value);
    return {};
}

json::object to_json(const account& a) {
    return {{"id", a.id}, {"name", a.name}, {"role", a.role}, {"created_at", a.created_at}};
}

json::object to_json(const api_key_info& key) {
    return {{"id", key.id},
            {"name", key.name},
            {"scope", key.scope},
            {"prefix", key.prefix},
            {"created_at", key.created_at},
            {"last_used_at", key.last_used_at ? json::value(*key.last_used_at) : json::value(nullptr)}};
}

/// `Set-Cookie` for a session token (empty: the cookie is removed). Secure when browsers reach the server over
/// https (`--public-url https://...`, a TLS-terminating proxy).
std::string session_cookie_header(const std::string& token, const server_options& options) {
    std::string cookie = std::string(session_cookie_name) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict";
    cookie += token.empty() ? "; Max-Age=0"
                            : "; Max-Age=" + std::to_string(std::chrono::seconds(session_lifetime).count());
    if (options.access.public_origin && options.access.public_origin->starts_with("https:")) cookie += "; Secure";
    return cookie;
}

api_error account_error(const account_outcome& outcome) {
    using failure = account_outcome::failure;
    switch (outcome.error) {
    case failure::refused: return {http::status::unauthorized, "login_failed", outcome.message};
    case failure::invalid: return bad_request(outcome.message);
    case failure::exists: return {http::status::conflict, "exists", outcome.message};
    case failure::not_found: return not_found(outcome.message);
    case failure::last_admin: return {http::status::conflict, "last_admin", outcome.message};
    case failure::none: break;
    }
    return {http::status::internal_server_error, "internal_error", outcome.message};
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
    auto encoded = compress(response.body().view(), coding);
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
    res.body().share(std::move(body));
    return res;
}

/// How long a request waits for an identical one to build the answer before it builds its own.
constexpr auto flight_wait = std::chrono::seconds(10);
/// The time budget of a list or search waiting for a slot at the DAL: past it the answer is a 503 `busy`.
constexpr auto queue_budget = std::chrono::seconds(5);

} // namespace

asio::awaitable<identity> rest_api::identify(const http_request& request) {
    identity id;
    using kind = resolve_credential::kind;
    const auto& access = options_.access;
    resolve_credential::kind what = kind::none;
    std::string digest;
    std::string named;
    const auto key = api_key_of(request);
    const auto cookie = session_cookie(request);
    if (!key.empty()) {
        what = kind::api_key;
        digest = secret_digest(key);
    } else if (!cookie.empty()) {
        what = kind::session;
        digest = secret_digest(cookie);
    } else if (may_name_user(access, peer_)) {
        if (auto user = header_value(request, access.user_header); user && !user->empty()) {
            what = kind::account_name;
            named = std::string(*user);
        }
    }
    const auto now = iso8601(std::chrono::system_clock::now());
    auto lookup = co_await ask<credential_lookup>(bus_.dal_reads, [&](auto reply) {
        return resolve_credential{what, digest, named, now, std::move(reply)};
    });
    if (!lookup) {
        id.unavailable = co_await unavailable(bus_);
        co_return id;
    }
    id.answered = true;
    id.accounts = lookup->accounts;
    if (lookup->found) {
        principal who;
        who.user_id = lookup->found->who.id;
        who.name = lookup->found->who.name;
        who.role = account_role_from_string(lookup->found->who.role).value_or(account_role::viewer);
        who.session_id = lookup->found->session_id;
        who.key_id = lookup->found->key_id;
        who.via = what == kind::api_key ? credential_kind::api_key
                  : what == kind::session ? credential_kind::session
                                          : credential_kind::proxy;
        who.read_only = what == kind::api_key && lookup->found->scope != "admin";
        if (who.key_id) {
            // The last-used time, at most once a minute per key (one small write, not one per request).
            const auto steady = std::chrono::steady_clock::now();
            auto& touched = access_.key_touched[who.key_id];
            if (touched == std::chrono::steady_clock::time_point{} || steady - touched >= std::chrono::minutes(1)) {
                touched = steady;
                if (access_.key_touched.size() > 10000) access_.key_touched.clear();
                touch_api_key message{who.key_id, now};
                // Dropped when the writer's mailbox is full (an import): the time is a hint, the request matters.
                bus_.dal_writes.try_send(dal_write_message(std::move(message)));
            }
        }
        id.who = std::move(who);
        co_return id;
    }
    // A key that is not known is refused as such: a script with a revoked key must hear so, even from a
    // trusted network.
    if (what == kind::api_key) {
        id.bad_credential = true;
        co_return id;
    }
    id.who = principal_from_network(access, peer_);
    co_return id;
}

asio::awaitable<http_response> rest_api::unavailable_response(const http_request& request) {
    const auto e = co_await unavailable(bus_);
    co_return error_response(request, e.status, e.code, e.message);
}

std::optional<http_response> rest_api::refusal(const http_request& request, route_need need, const identity& id) {
    if (need == route_need::anyone) return std::nullopt;
    if (!id.answered) {
        const auto e = id.unavailable.value_or(
            api_error{http::status::service_unavailable, "unavailable", "the catalogue did not answer"});
        return error_response(request, e.status, e.code, e.message);
    }
    std::optional<access_refusal> refused;
    if (id.bad_credential)
        refused = access_refusal{401, "invalid_key", "this API key is not known (revoked, or mistyped)"};
    else
        refused = authorize(need, request.method_string(), id.who,
                            request.find(csrf_header_name) != request.end(), id.accounts > 0);
    if (!refused) return std::nullopt;
    if (refused->code == "no_account" && !access_.no_account_logged) {
        access_.no_account_logged = true;
        spdlog::warn("a request from {} was refused: no account exists yet. Create the first admin with `mediabase "
                     "user add NAME --admin --data {}`, or open the web UI from this machine",
                     peer_, options_.art_dir.parent_path().string());
    }
    auto res = error_response(request, static_cast<http::status>(refused->status), refused->code, refused->message);
    // API clients learn how to authenticate; a Bearer challenge makes no browser show a login dialog.
    if (refused->status == 401) res.set(http::field::www_authenticate, "Bearer realm=\"mediabase\"");
    return res;
}

asio::awaitable<http_response> rest_api::handle(const http_request& request) {
    try {
        auto response = co_await route(request);
        // What a request that may write changed has been committed by the time it is answered (directly by
        // the DAL, or through Core): answers cached before it are stale for whoever asks next. The DAL's
        // catalogue_changed comes later (after its reply), so this one does not wait for it.
        if (request.method() != http::verb::get && request.method() != http::verb::head && options_.responses)
            options_.responses->invalidate();
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
    const auto need = need_of(r.route);
    // The UI's files and art need no lookup; everything else is answered for someone.
    identity id;
    if (r.route != api_route::static_file && r.route != api_route::healthz) id = co_await identify(request);
    if (auto refused = refusal(request, need, id)) co_return std::move(*refused);
    const person_id person = id.who ? id.who->user_id : shared_state;
    if (auto key = cache_key(r, person); key && options_.responses)
        co_return co_await answer_cached(request, r, *key, id);
    co_return co_await answer(request, r, id);
}

asio::awaitable<http_response> rest_api::answer_cached(const http_request& request, checked_request& r,
                                                       const std::string& key, const identity& id) {
    auto& cache = *options_.responses;
    // Read before the query runs: an answer built across a write is filed under the older generation, which
    // the write has already made stale.
    const auto generation = cache.generation();
    if (auto hit = cache.find(key, generation)) co_return from_cache(request, cache, *hit);
    auto woken = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor);
    if (!cache.begin(key, [woken] { woken->cancel(); })) {
        // The same answer is being built: wait for it rather than run the query again.
        woken->expires_after(flight_wait);
        co_await woken->async_wait(asio::as_tuple(asio::use_awaitable));
        if (auto hit = cache.find(key, cache.generation()))
            co_return from_cache(request, cache, *hit);
        // Not kept (a write came in between, or it failed): this one builds its own, through the gate.
        co_return co_await answer_gated(request, r, id);
    }
    // Wakes the waiters however this ends (an error, a thrown exception).
    struct flight_end {
        response_cache& cache;
        const std::string& key;
        ~flight_end() { cache.finish(key); }
    } end{cache, key};
    auto response = co_await answer_gated(request, r, id);
    const auto status = response.result();
    if (status != http::status::ok && status != http::status::not_found) co_return response;
    auto built = std::make_shared<cached_answer>();
    built->status = static_cast<unsigned>(status);
    built->content_type = std::string(response[http::field::content_type]);
    built->body = std::make_shared<const std::string>(response.body().release());
    built->etag = etag_of(*built->body);
    cache.store(key, generation, built);
    co_return from_cache(request, cache, *built);
}

asio::awaitable<http_response> rest_api::answer_gated(const http_request& request, checked_request& r,
                                                      const identity& id) {
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
    co_return co_await answer(request, r, id);
}

asio::awaitable<http_response> rest_api::answer(const http_request& request, checked_request& r,
                                                const identity& id) {
    auto fail = [&](const api_error& e) { return error_response(request, e.status, e.code, e.message); };
    auto ok = [&](const json::value& body, http::status status = http::status::ok) {
        return json_response(request, status, body);
    };
    // Whose marks (watched, rating, list) the movie routes read and write: the account asking, or the shared
    // columns for a request with no account (a trusted address).
    const person_id person = id.who ? id.who->user_id : shared_state;
    const auto needs_account = [&] {
        return error_response(request, http::status::forbidden, "needs_account",
                              "'on my list' belongs to a person: log in (a trusted address has no account)");
    };

    switch (r.route) {
    case api_route::healthz: {
        // The database's state: sound at start (quick_check passed, or the server would not have started),
        // and whatever failed since (a full disk, a file damaged while running).
        const auto db = co_await database_status(bus_);
        const char* state = !db.error ? "ok" : db.damaged ? "damaged" : db.unavailable ? "unavailable" : "error";
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
        if (!job) co_return co_await unavailable_response(request);
        co_return ok(to_json(*job), http::status::accepted);
    }
    case api_route::import_status: {
        auto job = co_await ask<import_job>(bus_.core, [](auto reply) { return get_import_status{std::move(reply)}; });
        if (!job) co_return co_await unavailable_response(request);
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
        if (!imports) co_return co_await unavailable_response(request);
        json::array out;
        for (const auto& job : *imports) out.push_back(to_json(job));
        co_return ok(json::object{{"imports", std::move(out)}});
    }

    case api_route::movies: {
        if (r.query.on_list && person == shared_state) co_return needs_account();
        auto page = co_await ask<movie_page>(bus_.dal_reads, [&](auto reply) {
            return list_movies{r.query, person, std::move(reply)};
        });
        if (!page) co_return co_await unavailable_response(request);
        co_return ok(to_json(*page));
    }

    case api_route::duplicates: {
        auto groups = co_await ask<std::vector<duplicate_group>>(
            bus_.dal_reads, [](auto reply) { return find_duplicates{std::move(reply)}; });
        if (!groups) co_return co_await unavailable_response(request);
        json::array out;
        for (const auto& g : *groups) out.push_back(to_json(g));
        co_return ok(json::object{{"groups", std::move(out)}});
    }

    case api_route::movie_get: {
        auto found = co_await ask<std::optional<movie>>(
            bus_.dal_reads, [&](auto reply) { return get_movie{r.movie_id, person, std::move(reply)}; });
        if (!found) co_return co_await unavailable_response(request);
        if (!*found) co_return fail(not_found("no movie with id " + std::to_string(r.movie_id)));
        co_return ok(to_json(**found));
    }

    case api_route::movie_patch: {
        if (r.patch.on_list && person == shared_state) co_return needs_account();
        auto changed = co_await ask<std::optional<movie>>(bus_.dal_writes, [&](auto reply) {
            return patch_movie{r.movie_id, r.patch, person, std::move(reply)};
        });
        if (!changed) co_return co_await unavailable_response(request);
        if (!*changed) co_return fail(not_found("no movie with id " + std::to_string(r.movie_id)));
        // One person's marks are theirs: the event names the movie only, and each client fetches what it shows
        // (event frames never carry per-person fields, see to_shared_json).
        movie_event message{change_kind::updated, (*changed)->id, std::nullopt};
        co_await post(bus_.events, std::move(message));
        co_return ok(to_json(**changed));
    }

    case api_route::movie_match:
    case api_route::movie_refresh: {
        auto current = co_await ask<std::optional<movie>>(
            bus_.dal_reads, [&](auto reply) { return get_movie{r.movie_id, person, std::move(reply)}; });
        if (!current) co_return co_await unavailable_response(request);
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
        if (!answer) co_return co_await unavailable_response(request);
        if (answer->failed) co_return fail(provider_error(answer->failure));
        auto replaced = co_await replace_metadata(bus_, **current, std::move(answer->value));
        if (auto* e = std::get_if<api_error>(&replaced)) co_return fail(*e);
        // New metadata, the same person's marks (the catalogue answered with the shared columns).
        auto& refreshed = std::get<movie>(replaced);
        refreshed.watched = (*current)->watched;
        refreshed.rating = (*current)->rating;
        refreshed.on_list = (*current)->on_list;
        co_return ok(to_json(refreshed));
    }

    case api_route::tmdb_search: {
        const auto& wanted = r.search;
        auto answer = co_await ask<provider_answer<std::vector<tmdb_search_hit>>>(bus_.scraper, [&](auto reply) {
            return search_tmdb{wanted.text, wanted.year, std::move(reply)};
        });
        if (!answer) co_return co_await unavailable_response(request);
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
        if (!genres) co_return co_await unavailable_response(request);
        json::array out;
        for (const auto& g : *genres) out.emplace_back(g);
        co_return ok(json::object{{"genres", std::move(out)}});
    }

    case api_route::stats: {
        auto stats = co_await ask<json::object>(bus_.dal_reads, [&](auto reply) { return get_stats{person, std::move(reply)}; });
        if (!stats) co_return co_await unavailable_response(request);
        co_return ok(*stats);
    }

    case api_route::prune_held: {
        auto hold = co_await ask<std::shared_ptr<const prune_hold>>(
            bus_.core, [](auto reply) { return get_prune_hold{std::move(reply)}; });
        if (!hold || !*hold) co_return co_await unavailable_response(request);
        co_return ok(to_json(**hold));
    }

    case api_route::prune: {
        // An empty body prunes; {"confirm": true} removes what the failsafe held (GET /prune lists it).
        const auto mode = r.confirm_prune ? prune_mode::confirm : prune_mode::manual;
        auto current = co_await ask<settings>(bus_.core, [](auto reply) { return get_settings{std::move(reply)}; });
        if (!current) co_return co_await unavailable_response(request);
        auto result = co_await ask<prune_result>(bus_.pruner, [&](auto reply) {
            return prune_request{current->media_folders, std::move(reply), current->extensions, mode};
        });
        if (!result) co_return co_await unavailable_response(request);
        co_return ok(to_json(*result));
    }

    case api_route::backups_list:
    case api_route::backup_now: {
        auto current = co_await ask<settings>(bus_.core, [](auto reply) { return get_settings{std::move(reply)}; });
        if (!current) co_return co_await unavailable_response(request);
        if (!current->database_target().is_sqlite())
            co_return error_response(request, http::status::conflict, "backups_by_database_server",
                                     "the catalogue is in PostgreSQL (" + current->database_target().display() +
                                         "): its backups are the database server's job (pg_dump)");
        const auto dir = catalogue::backup_dir(current->database_file());
        if (r.route == api_route::backup_now) {
            auto outcome = co_await ask<backup_outcome>(bus_.dal_reads, [&](auto reply) {
                return backup_catalogue{dir, "manual", current->backup_keep, std::move(reply)};
            });
            if (!outcome) co_return co_await unavailable_response(request);
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
        if (!current) co_return co_await unavailable_response(request);
        auto config = to_public_json(*current);
        if (!co_await add_watch_status(bus_, config)) co_return co_await unavailable_response(request);
        co_return ok(config);
    }

    case api_route::config_put: {
        // Folders, extensions, provider URLs and keys decide what the server reads and whom it talks to.
        std::string fields;
        for (const auto& [key, value] : r.config) fields += (fields.empty() ? "" : ", ") + std::string(key);
        spdlog::info("settings changed by {} from {}: {}", id.who ? id.who->name : std::string("?"), peer_, fields);
        auto changed = co_await ask<std::variant<settings, settings_error>>(bus_.core, [&](auto reply) {
            return update_settings{std::move(r.config), std::move(reply)};
        });
        if (!changed) co_return co_await unavailable_response(request);
        if (auto* e = std::get_if<settings_error>(&*changed)) co_return fail(bad_request(e->message));
        // The same fields as GET /config, and what the settings accepted will not do as the user expects.
        const auto& saved = std::get<settings>(*changed);
        auto config = to_public_json(saved);
        if (!co_await add_watch_status(bus_, config)) co_return co_await unavailable_response(request);
        json::array warnings;
        for (const auto& folder : saved.media_folders)
            if (auto warning = media_folder_warning(folder)) warnings.emplace_back(*warning);
        config["warnings"] = std::move(warnings);
        co_return ok(config);
    }

    case api_route::providers_check: {
        auto report = co_await ask<check_provider_keys::report>(
            bus_.scraper, [](auto reply) { return check_provider_keys{std::move(reply)}; });
        if (!report) co_return co_await unavailable_response(request);
        co_return ok(json::object{{"tmdb", to_json(report->tmdb)}, {"omdb", to_json(report->omdb)}});
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

    case api_route::session_get:
    case api_route::session_login:
    case api_route::session_logout:
    case api_route::sessions_end_all:
    case api_route::password_change:
    case api_route::setup:
    case api_route::users_list:
    case api_route::user_add:
    case api_route::user_remove:
    case api_route::user_password:
    case api_route::keys_list:
    case api_route::key_add:
    case api_route::key_revoke:
        co_return co_await accounts(request, r, id);
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

asio::awaitable<http_response> rest_api::accounts(const http_request& request, const checked_request& r,
                                                  const identity& id) {
    auto fail = [&](const api_error& e) { return error_response(request, e.status, e.code, e.message); };
    auto ok = [&](const json::value& body, http::status status = http::status::ok) {
        return json_response(request, status, body);
    };
    const auto loopback_peer = [&] {
        const auto address = parse_ip(peer_);
        return address && is_loopback(*address);
    }();
    // Sessions, passwords and keys belong to an account: a trusted network alone has none.
    const bool has_account = id.who && id.who->user_id != 0;
    auto needs_account = [&] {
        return fail({http::status::forbidden, "no_account",
                     "log in with an account first (a trusted network has no password or keys of its own)"});
    };

    switch (r.route) {
    case api_route::session_get: {
        json::object body{{"user", id.who ? json::value(json::object{{"id", id.who->user_id},
                                                                     {"name", id.who->name},
                                                                     {"role", to_string(id.who->role)},
                                                                     {"via", id.who->via == credential_kind::session
                                                                                 ? "session"
                                                                             : id.who->via == credential_kind::api_key
                                                                                 ? "api_key"
                                                                             : id.who->via == credential_kind::proxy
                                                                                 ? "proxy"
                                                                                 : "trusted_network"},
                                                                     {"read_only", id.who->read_only}})
                                          : json::value(nullptr)},
                          {"mode", to_string(options_.access.mode)},
                          {"csrf_header", std::string(csrf_header_name)},
                          // The first-run set-up page: only while no account exists, only from this machine.
                          {"setup", id.answered && id.accounts == 0 && loopback_peer},
                          {"accounts_exist", id.accounts > 0}};
        co_return ok(body);
    }

    case api_route::session_login: {
        const auto now = std::chrono::steady_clock::now();
        if (auto wait = access_.throttle.wait_before(peer_, r.account_name, now)) {
            access_.throttle.failed(peer_, r.account_name, now);
            auto res = fail({http::status::too_many_requests, "too_many_attempts",
                             "too many failed logins: try again in " + std::to_string(wait->count()) + " s"});
            res.set(http::field::retry_after, std::to_string(wait->count()));
            co_return res;
        }
        const auto token = new_secret();
        const auto expires = iso8601(std::chrono::system_clock::now() + session_lifetime);
        auto outcome = co_await ask<account_outcome>(bus_.dal_writes, [&](auto reply) {
            return log_in{r.account_name, r.password, secret_digest(token), expires, peer_, std::move(reply)};
        });
        if (!outcome) co_return co_await unavailable_response(request);
        if (!outcome->who) {
            access_.throttle.failed(peer_, r.account_name, std::chrono::steady_clock::now());
            spdlog::warn("failed login for '{}' from {}", r.account_name, peer_);
            auto res = fail(account_error(*outcome));
            res.set(http::field::www_authenticate, "Bearer realm=\"mediabase\"");
            co_return res;
        }
        access_.throttle.succeeded(peer_, r.account_name);
        spdlog::info("'{}' logged in from {}", outcome->who->name, peer_);
        auto res = ok(json::object{{"user", to_json(*outcome->who)},
                                   {"expires_at", expires},
                                   {"csrf_header", std::string(csrf_header_name)}});
        res.set(http::field::set_cookie, session_cookie_header(token, options_));
        co_return res;
    }

    case api_route::session_logout:
    case api_route::sessions_end_all: {
        if (!has_account) co_return needs_account();
        const bool everywhere = r.route == api_route::sessions_end_all;
        if (!everywhere && id.who->via != credential_kind::session)
            co_return fail(bad_request("no browser session to end: this request carries no session cookie"));
        auto outcome = co_await ask<account_outcome>(bus_.dal_writes, [&](auto reply) {
            return end_sessions{id.who->user_id, id.who->session_id, everywhere, std::move(reply)};
        });
        if (!outcome) co_return co_await unavailable_response(request);
        const auto closed = hub_.close_revoked(outcome->ended_sessions, {});
        spdlog::info("'{}' logged out{} ({} session(s), {} event stream(s) closed)", id.who->name,
                     everywhere ? " everywhere" : "", outcome->ended_sessions.size(), closed);
        auto res = ok(json::object{{"ended_sessions", static_cast<std::int64_t>(outcome->ended_sessions.size())}});
        res.set(http::field::set_cookie, session_cookie_header("", options_));
        co_return res;
    }

    case api_route::password_change: {
        if (!has_account) co_return needs_account();
        const auto now = std::chrono::steady_clock::now();
        if (auto wait = access_.throttle.wait_before(peer_, id.who->name, now)) {
            auto res = fail({http::status::too_many_requests, "too_many_attempts",
                             "too many failed attempts: try again in " + std::to_string(wait->count()) + " s"});
            res.set(http::field::retry_after, std::to_string(wait->count()));
            co_return res;
        }
        auto outcome = co_await ask<account_outcome>(bus_.dal_writes, [&](auto reply) {
            return change_password{id.who->name, r.current_password, r.password, false, id.who->session_id,
                                   std::move(reply)};
        });
        if (!outcome) co_return co_await unavailable_response(request);
        if (!outcome->who) {
            if (outcome->error == account_outcome::failure::refused)
                access_.throttle.failed(peer_, id.who->name, std::chrono::steady_clock::now());
            auto e = account_error(*outcome);
            // A wrong current password is not a failed login: the session stays valid.
            if (e.status == http::status::unauthorized) e.status = http::status::forbidden;
            co_return fail(e);
        }
        const auto closed = hub_.close_revoked(outcome->ended_sessions, {});
        spdlog::info("'{}' changed their password from {}; {} other session(s) ended, {} event stream(s) closed",
                     id.who->name, peer_, outcome->ended_sessions.size(), closed);
        co_return ok(json::object{{"ended_sessions", static_cast<std::int64_t>(outcome->ended_sessions.size())}});
    }

    case api_route::setup: {
        if (!loopback_peer)
            co_return fail({http::status::forbidden, "setup_loopback_only",
                            "the first account is created from the server's own machine (or with `mediabase user "
                            "add NAME --admin`)"});
        auto outcome = co_await ask<account_outcome>(bus_.dal_writes, [&](auto reply) {
            return create_account{r.account_name, r.password, "admin", true, std::move(reply)};
        });
        if (!outcome) co_return co_await unavailable_response(request);
        if (!outcome->who) co_return fail(account_error(*outcome));
        spdlog::info("the first admin '{}' was created from {} (set-up page)", outcome->who->name, peer_);
        co_return ok(json::object{{"user", to_json(*outcome->who)}}, http::status::created);
    }

    case api_route::users_list: {
        auto listing = co_await ask<account_listing>(bus_.dal_reads, [&](auto reply) {
            return list_accounts{0, std::move(reply)};
        });
        if (!listing) co_return co_await unavailable_response(request);
        json::array users;
        for (const auto& a : listing->accounts) users.push_back(to_json(a));
        co_return ok(json::object{{"users", std::move(users)}});
    }

    case api_route::user_add: {
        auto outcome = co_await ask<account_outcome>(bus_.dal_writes, [&](auto reply) {
            return create_account{r.account_name, r.password, r.role, false, std::move(reply)};
        });
        if (!outcome) co_return co_await unavailable_response(request);
        if (!outcome->who) co_return fail(account_error(*outcome));
        spdlog::info("account '{}' ({}) added by {}", outcome->who->name, outcome->who->role,
                     id.who ? id.who->name : std::string("?"));
        co_return ok(json::object{{"user", to_json(*outcome->who)}}, http::status::created);
    }

    case api_route::user_remove: {
        auto outcome = co_await ask<account_outcome>(bus_.dal_writes, [&](auto reply) {
            return delete_account{r.account_name, std::move(reply)};
        });
        if (!outcome) co_return co_await unavailable_response(request);
        if (outcome->error != account_outcome::failure::none) co_return fail(account_error(*outcome));
        const auto closed = hub_.close_revoked(outcome->ended_sessions, outcome->ended_keys);
        spdlog::info("account '{}' removed by {} ({} event stream(s) closed)", r.account_name,
                     id.who ? id.who->name : std::string("?"), closed);
        co_return ok(json::object{{"removed", r.account_name}});
    }

    case api_route::user_password: {
        auto outcome = co_await ask<account_outcome>(bus_.dal_writes, [&](auto reply) {
            return change_password{r.account_name, "", r.password, true, 0, std::move(reply)};
        });
        if (!outcome) co_return co_await unavailable_response(request);
        if (!outcome->who) co_return fail(account_error(*outcome));
        const auto closed = hub_.close_revoked(outcome->ended_sessions, {});
        spdlog::info("the password of '{}' was set by {}; {} session(s) ended, {} event stream(s) closed",
                     r.account_name, id.who ? id.who->name : std::string("?"), outcome->ended_sessions.size(), closed);
        co_return ok(json::object{{"ended_sessions", static_cast<std::int64_t>(outcome->ended_sessions.size())}});
    }

    case api_route::keys_list: {
        if (!has_account) co_return needs_account();
        auto listing = co_await ask<account_listing>(bus_.dal_reads, [&](auto reply) {
            return list_accounts{id.who->user_id, std::move(reply)};
        });
        if (!listing) co_return co_await unavailable_response(request);
        json::array keys;
        for (const auto& key : listing->keys) keys.push_back(to_json(key));
        co_return ok(json::object{{"keys", std::move(keys)}});
    }

    case api_route::key_add: {
        if (!has_account) co_return needs_account();
        if (r.key_scope == "admin" && (id.who->role != account_role::admin || id.who->read_only))
            co_return fail({http::status::forbidden, "forbidden", "only an admin may create admin keys"});
        const auto secret = new_secret();
        auto info = co_await ask<api_key_info>(bus_.dal_writes, [&](auto reply) {
            return add_api_key{id.who->user_id, r.name, r.key_scope, secret_digest(secret), secret.substr(0, 8),
                               std::move(reply)};
        });
        if (!info) co_return co_await unavailable_response(request);
        spdlog::info("'{}' created the {} API key '{}' ({}…)", id.who->name, r.key_scope, r.name, info->prefix);
        auto body = to_json(*info);
        // The key itself: shown this once, stored only as its digest.
        body["key"] = secret;
        co_return ok(body, http::status::created);
    }

    case api_route::key_revoke: {
        if (!has_account) co_return needs_account();
        auto revoked = co_await ask<bool>(bus_.dal_writes, [&](auto reply) {
            return revoke_api_key{id.who->user_id, r.key_id, std::move(reply)};
        });
        if (!revoked) co_return co_await unavailable_response(request);
        if (!*revoked) co_return fail(not_found("you have no API key with id " + std::to_string(r.key_id)));
        const auto closed = hub_.close_revoked({}, {r.key_id});
        spdlog::info("'{}' revoked API key {} ({} event stream(s) closed)", id.who->name, r.key_id, closed);
        co_return ok(json::object{{"revoked", r.key_id}});
    }

    default: break;
    }
    co_return fail(not_found("no such route"));
}

} // namespace mediabase
