#include "mediabase/providers/metadata_client.hpp"

#include "mediabase/providers/omdb.hpp"
#include "mediabase/providers/redact.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

namespace mediabase::providers {

namespace asio = boost::asio;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view default_image_base_url = "https://image.tmdb.org/t/p/";

using query_params = std::vector<std::pair<std::string, std::string>>;

http_client::options client_options(const metadata_settings& s) {
    http_client::options o;
    o.timeout = s.request_timeout;
    o.max_body_bytes = s.max_response_bytes;
    o.max_connections_per_host = std::max(1, s.max_concurrency);
    o.max_idle_per_host = std::max(1, std::min(4, s.max_concurrency));
    o.rate.requests_per_second = s.requests_per_second;
    // Any one second may see the burst plus a second's worth of the rate: a small burst keeps 35/s + burst
    // under TMDB's soft cap of ~40/s (with a burst of 8, 43 requests fell into one second and drew 429s).
    o.rate.burst = std::clamp(s.requests_per_second / 8, 1.0, 5.0);
    o.retry.max_attempts = std::max(1, s.max_attempts);
    o.retry.backoff_base = s.backoff_base;
    o.retry.backoff_cap = std::max(s.backoff_base, std::chrono::milliseconds(8000));
    o.retry.max_retry_after = s.max_retry_after;
    o.user_agent = "Mediabase/" MEDIABASE_VERSION;
    return o;
}

/// base ("https://api.themoviedb.org/3") + path ("/movie/603") + encoded query parameters.
result<std::string> build_url(std::string_view base, std::string_view path, const query_params& params) {
    const auto parsed = boost::urls::parse_uri(base);
    if (!parsed) return make_error(error_kind::invalid, "bad provider base URL: " + redact_url(base));
    boost::urls::url url(*parsed);
    std::string joined(url.encoded_path());
    while (!joined.empty() && joined.back() == '/')
        joined.pop_back();
    joined += path.empty() ? "/" : path;
    url.set_encoded_path(joined);
    for (const auto& [name, value] : params)
        url.params().append({name, value});
    return std::string(url.buffer());
}

// Built outside the coroutines: GCC 12 miscompiles brace-initialised aggregates of string literals inside
// a coroutine body ("array used as initializer").
std::vector<http_header> accept_header(std::string_view type) {
    return {http_header{"Accept", std::string(type)}};
}

query_params omdb_params(const std::string& api_key, const std::string& imdb_id) {
    return {{"apikey", api_key}, {"i", imdb_id}};
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
           });
}

std::string describe(const movie_hints& hints) {
    std::string text = "\"" + hints.title + "\"";
    if (hints.year) text += " (" + std::to_string(*hints.year) + ")";
    return text;
}

std::string describe(const lookup_step& step) {
    switch (step.kind) {
    case lookup_step::kind_type::by_tmdb_id:
        return "tmdb id " + std::to_string(step.tmdb_id);
    case lookup_step::kind_type::by_imdb_id:
        return "imdb id " + step.imdb_id;
    case lookup_step::kind_type::search:
        return "search \"" + step.query + "\"" +
               (step.year ? " " + std::to_string(*step.year) : std::string());
    }
    return "lookup";
}

} // namespace

struct metadata_client::impl {
    metadata_settings settings;
    http_client http;
    std::vector<std::string> secrets; ///< scrubbed from every error message

    enum class config_state { unknown, loading, loaded };
    config_state image_config_state = config_state::unknown;
    tmdb_image_config image_config;
    asio::steady_timer image_config_ready; ///< waiters for a /configuration request in flight

    impl(asio::any_io_executor executor, metadata_settings s)
        : settings(std::move(s)), http(executor, client_options(settings)),
          image_config_ready(executor, std::chrono::steady_clock::time_point::max()) {
        for (const auto* secret : {&settings.tmdb_api_key, &settings.tmdb_read_token, &settings.omdb_api_key})
            if (!secret->empty()) secrets.push_back(*secret);
        if (!settings.image_base_url.empty()) {
            image_config.secure_base_url = settings.image_base_url;
            image_config_state = config_state::loaded;
        }
    }

    provider_error scrub(provider_error error) const {
        error.message = redact_secrets(error.message, secrets);
        return error;
    }

    bool offline() const { return settings.tmdb_api_key.empty() && settings.tmdb_read_token.empty(); }

    /// The error for a non-2xx answer of a provider.
    provider_error status_error(std::string_view provider, const http_response& response,
                                std::string_view what, const std::string& url) const {
        const int status = response.status;
        const auto where = " (GET " + redact_url(url) + ")";
        std::string detail;
        if (auto message = parse_error_message(response.body)) detail = ": " + *message;
        if (status == 401 || status == 403)
            return scrub(make_error(error_kind::unauthorized,
                                    std::string(provider) + " rejected the API key or token (" +
                                        std::to_string(status) + detail + ")" + where,
                                    status));
        if (status == 404)
            return scrub(make_error(error_kind::not_found,
                                    std::string(provider) + " has no " + std::string(what) + where, status));
        if (status == 429)
            return scrub(make_error(
                error_kind::unavailable,
                std::string(provider) + " is rate limiting (429) and retries ran out" + where, status));
        if (status >= 500)
            return scrub(make_error(
                error_kind::unavailable,
                std::string(provider) + " answered " + std::to_string(status) + detail + where, status));
        return scrub(make_error(
            error_kind::invalid,
            std::string(provider) + " answered " + std::to_string(status) + detail + where, status));
    }

    /// A TMDB GET with authentication: the body of a 2xx answer, or an error value.
    asio::awaitable<result<std::string>> tmdb_get(std::string path, query_params params, std::string what) {
        if (offline())
            co_return make_error(error_kind::offline, "no TMDB API key or read token is configured");
        auto headers = accept_header("application/json");
        if (!settings.tmdb_read_token.empty())
            headers.push_back({"Authorization", "Bearer " + settings.tmdb_read_token});
        else
            params.emplace_back("api_key", settings.tmdb_api_key);
        const auto url = build_url(settings.tmdb_base_url, path, params);
        if (!url) co_return scrub(url.error());
        auto response = co_await http.get(*url, std::move(headers), {settings.max_response_bytes});
        if (!response) co_return scrub(response.error());
        if (response->status < 200 || response->status > 299)
            co_return status_error("TMDB", *response, what, *url);
        co_return std::move(response->body);
    }

    query_params language_params() const {
        query_params params;
        if (!settings.language.empty()) params.emplace_back("language", settings.language);
        return params;
    }

    asio::awaitable<result<tmdb_movie>> movie_details(std::int64_t tmdb_id) {
        auto params = language_params();
        params.emplace_back("append_to_response", "credits,release_dates,external_ids");
        auto body = co_await tmdb_get("/movie/" + std::to_string(tmdb_id), std::move(params),
                                      "movie with id " + std::to_string(tmdb_id));
        if (!body) co_return body.error();
        auto parsed = parse_movie_details(*body);
        if (!parsed) co_return scrub(parsed.error());
        co_return std::move(*parsed);
    }

    asio::awaitable<result<std::vector<search_candidate>>> search_movies(std::string query,
                                                                         std::optional<int> year) {
        auto params = language_params();
        params.emplace_back("query", query);
        params.emplace_back("include_adult", "false");
        params.emplace_back("page", "1");
        if (year) params.emplace_back("primary_release_year", std::to_string(*year));
        auto body = co_await tmdb_get("/search/movie", std::move(params), "search results");
        if (!body) co_return body.error();
        auto parsed = parse_search_results(*body);
        if (!parsed) co_return scrub(parsed.error());
        co_return std::move(*parsed);
    }

    asio::awaitable<result<std::vector<search_candidate>>> find_by_imdb_id(std::string imdb_id) {
        auto params = language_params();
        params.emplace_back("external_source", "imdb_id");
        auto body = co_await tmdb_get("/find/" + imdb_id, std::move(params), "movie with IMDb id " + imdb_id);
        if (!body) co_return body.error();
        auto parsed = parse_find_results(*body);
        if (!parsed) co_return scrub(parsed.error());
        co_return std::move(*parsed);
    }

    /// Loads TMDB's image configuration once; concurrent callers wait for the one request in flight. On
    /// failure the default image base is used and the next call tries again.
    asio::awaitable<void> ensure_image_config() {
        while (image_config_state == config_state::loading)
            co_await image_config_ready.async_wait(use_tuple);
        if (image_config_state == config_state::loaded) co_return;
        image_config_state = config_state::loading;
        auto body = co_await tmdb_get("/configuration", {}, "configuration");
        result<tmdb_image_config> config =
            body ? parse_configuration(*body) : result<tmdb_image_config>(body.error());
        if (config) {
            image_config = std::move(*config);
            image_config_state = config_state::loaded;
        } else {
            spdlog::warn("TMDB image configuration unavailable, using {}: {}", default_image_base_url,
                         scrub(config.error()).message);
            image_config_state = config_state::unknown;
        }
        image_config_ready.cancel();
    }

    asio::awaitable<provider_art> art_urls(tmdb_art paths) {
        provider_art art;
        art.paths = paths;
        if (!paths.poster_path && !paths.backdrop_path) co_return art;
        co_await ensure_image_config();
        const bool loaded = image_config_state == config_state::loaded;
        const std::string base = loaded ? image_config.secure_base_url : std::string(default_image_base_url);
        if (paths.poster_path)
            art.poster_url = image_url(base, pick_image_size(image_config.poster_sizes, settings.poster_size),
                                       *paths.poster_path);
        if (paths.backdrop_path)
            art.backdrop_url =
                image_url(base, pick_image_size(image_config.backdrop_sizes, settings.backdrop_size),
                          *paths.backdrop_path);
        co_return art;
    }

    /// OMDB ratings for a movie with an IMDb id. Optional: a failure is logged, not returned.
    asio::awaitable<void> add_omdb_ratings(movie& m) {
        if (settings.omdb_api_key.empty() || !m.imdb_id) co_return;
        const auto url =
            build_url(settings.omdb_base_url, "", omdb_params(settings.omdb_api_key, *m.imdb_id));
        if (!url) {
            spdlog::warn("OMDB ratings skipped: {}", scrub(url.error()).message);
            co_return;
        }
        auto response =
            co_await http.get(*url, accept_header("application/json"), {settings.max_response_bytes});
        if (!response) {
            spdlog::warn("OMDB ratings for {} unavailable: {}", *m.imdb_id, scrub(response.error()).message);
            co_return;
        }
        if (response->status < 200 || response->status > 299) {
            // OMDB answers a bad key with 401 and a JSON body saying so.
            auto parsed = parse_omdb(response->body);
            const auto error = parsed ? status_error("OMDB", *response, "ratings for " + *m.imdb_id, *url)
                                      : scrub(parsed.error());
            spdlog::warn("OMDB ratings for {} unavailable: {}", *m.imdb_id, error.message);
            co_return;
        }
        auto ratings = parse_omdb(response->body);
        if (!ratings) {
            spdlog::warn("OMDB ratings for {} unavailable: {}", *m.imdb_id, scrub(ratings.error()).message);
            co_return;
        }
        apply_omdb(*ratings, m);
    }

    /// Details, ratings and art of the chosen TMDB movie, with the NFO laid over them.
    asio::awaitable<result<identified_movie>> complete(std::int64_t tmdb_id, double confidence,
                                                       match_state state, std::string matched_by,
                                                       const std::optional<nfo_data>& nfo) {
        auto details = co_await movie_details(tmdb_id);
        if (!details) co_return details.error();
        identified_movie out;
        out.details = std::move(details->details);
        co_await add_omdb_ratings(out.details);
        if (nfo) apply_nfo(*nfo, out.details);
        out.confidence = confidence;
        out.state = state;
        out.details.match = state;
        out.details.match_confidence = confidence;
        out.art = co_await art_urls(details->art);
        out.matched_by = std::move(matched_by);
        co_return out;
    }

    asio::awaitable<result<identified_movie>> identify(found_movie found, std::optional<nfo_data> nfo) {
        if (offline())
            co_return make_error(error_kind::offline, "no TMDB API key or read token is configured");
        const auto hints = make_hints(found, nfo);
        const auto plan = plan_lookup(hints);
        if (plan.empty())
            co_return make_error(error_kind::no_match, "nothing to look up (no title and no id)");

        struct best_guess {
            std::int64_t tmdb_id = 0;
            match_choice choice;
            std::string matched_by;
        };
        std::optional<best_guess> best;

        for (const auto& step : plan) {
            switch (step.kind) {
            case lookup_step::kind_type::by_tmdb_id: {
                auto done =
                    co_await complete(step.tmdb_id, 1.0, match_state::identified, describe(step), nfo);
                if (done || done.error().kind != error_kind::not_found) co_return log_result(hints, done);
                spdlog::info("TMDB id {} of {} is unknown to TMDB; trying the next lookup", step.tmdb_id,
                             describe(hints));
                break;
            }
            case lookup_step::kind_type::by_imdb_id: {
                auto found_movies = co_await find_by_imdb_id(step.imdb_id);
                if (!found_movies) {
                    if (found_movies.error().kind != error_kind::not_found) co_return found_movies.error();
                    break;
                }
                if (found_movies->empty()) {
                    spdlog::info("IMDb id {} of {} is unknown to TMDB; trying the next lookup", step.imdb_id,
                                 describe(hints));
                    break;
                }
                const auto ranked = score_candidates(*found_movies, hints);
                const auto& chosen = (*found_movies)[ranked.front().index];
                auto done =
                    co_await complete(chosen.tmdb_id, 1.0, match_state::identified, describe(step), nfo);
                co_return log_result(hints, done);
            }
            case lookup_step::kind_type::search: {
                auto candidates = co_await search_movies(step.query, step.year);
                if (!candidates) co_return candidates.error();
                const auto choice = choose_best(*candidates, hints, settings.thresholds);
                if (!choice) break;
                const auto tmdb_id = (*candidates)[choice->index].tmdb_id;
                if (choice->state == match_state::identified) {
                    auto done =
                        co_await complete(tmdb_id, choice->confidence, choice->state, describe(step), nfo);
                    co_return log_result(hints, done);
                }
                if (!best || choice->confidence > best->choice.confidence)
                    best = best_guess{tmdb_id, *choice, describe(step)};
                break;
            }
            }
        }
        if (best) {
            auto done = co_await complete(best->tmdb_id, best->choice.confidence, match_state::review,
                                          best->matched_by, nfo);
            co_return log_result(hints, done);
        }
        spdlog::info("no TMDB match for {}", describe(hints));
        co_return make_error(error_kind::no_match, "nothing on TMDB looks like " + describe(hints));
    }

    static result<identified_movie>& log_result(const movie_hints& hints, result<identified_movie>& done) {
        if (done)
            spdlog::info("identified {} as TMDB {} \"{}\"{} by {} (confidence {:.2f}, {})", describe(hints),
                         done->details.tmdb_id.value_or(0), done->details.title,
                         done->details.year ? " (" + std::to_string(*done->details.year) + ")"
                                            : std::string(),
                         done->matched_by, done->confidence, to_string(done->state));
        else
            spdlog::warn("identifying {} failed: {}", describe(hints), done.error().message);
        return done;
    }

    asio::awaitable<result<downloaded_image>> download(std::string url, std::size_t max_bytes) {
        auto response = co_await http.get(url, accept_header("image/*"), {max_bytes});
        if (!response) {
            auto error = response.error();
            if (error.kind == error_kind::too_large)
                error = make_error(error_kind::too_large, "image larger than " + std::to_string(max_bytes) +
                                                              " bytes (GET " + redact_url(url) + ")");
            co_return scrub(std::move(error));
        }
        if (response->status < 200 || response->status > 299)
            co_return status_error("the image server", *response, "such image", url);
        if (!starts_with_ignoring_case(response->content_type, "image/"))
            co_return scrub(make_error(error_kind::bad_response, "not an image (content type \"" +
                                                                     response->content_type + "\") (GET " +
                                                                     redact_url(url) + ")"));
        if (response->body.empty())
            co_return scrub(
                make_error(error_kind::bad_response, "empty image (GET " + redact_url(url) + ")"));
        downloaded_image image;
        image.content_type = response->content_type;
        if (const auto semicolon = image.content_type.find(';'); semicolon != std::string::npos)
            image.content_type.resize(semicolon);
        image.bytes = std::move(response->body);
        co_return image;
    }
};

metadata_client::metadata_client(asio::any_io_executor executor, metadata_settings settings)
    : impl_(std::make_unique<impl>(std::move(executor), std::move(settings))) {}

metadata_client::~metadata_client() = default;

bool metadata_client::offline() const {
    return impl_->offline();
}

asio::awaitable<result<identified_movie>> metadata_client::identify(found_movie found,
                                                                    std::optional<nfo_data> nfo) {
    co_return co_await impl_->identify(std::move(found), std::move(nfo));
}

asio::awaitable<result<identified_movie>> metadata_client::fetch_by_tmdb_id(std::int64_t tmdb_id) {
    if (impl_->offline())
        co_return make_error(error_kind::offline, "no TMDB API key or read token is configured");
    co_return co_await impl_->complete(tmdb_id, 1.0, match_state::identified,
                                       "tmdb id " + std::to_string(tmdb_id), std::nullopt);
}

asio::awaitable<result<std::vector<search_match>>> metadata_client::search(std::string query,
                                                                           std::optional<int> year) {
    auto candidates = co_await impl_->search_movies(query, year);
    if (!candidates) co_return candidates.error();
    movie_hints hints;
    hints.title = std::move(query);
    hints.year = year;
    // Named locals, not temporaries, around co_await: GCC 12 mishandles temporaries that live across one.
    const auto ranked = score_candidates(*candidates, hints);
    std::vector<search_match> matches;
    for (const auto& scored : ranked) {
        search_match match;
        match.candidate = (*candidates)[scored.index];
        match.confidence = scored.confidence;
        if (match.candidate.poster_path) {
            tmdb_art paths;
            paths.poster_path = match.candidate.poster_path;
            auto art = co_await impl_->art_urls(std::move(paths));
            match.poster_url = std::move(art.poster_url);
        }
        matches.push_back(std::move(match));
    }
    co_return matches;
}

asio::awaitable<result<downloaded_image>> metadata_client::download(std::string url, std::size_t max_bytes) {
    co_return co_await impl_->download(std::move(url), max_bytes);
}

namespace {

key_status status_of(const provider_error& error, std::string_view provider) {
    key_status status;
    if (error.kind == error_kind::unauthorized || error.http_status == 401 || error.http_status == 403) {
        status.value = key_status::state::invalid;
        status.message = std::string(provider) + " rejected the key" +
                         (error.http_status ? " (HTTP " + std::to_string(error.http_status) + ")" : std::string());
    } else {
        status.value = key_status::state::unreachable;
        status.message = std::string(provider) + " could not be asked: " + error.message;
    }
    return status;
}

key_status key_works(std::string_view provider) {
    key_status status;
    status.value = key_status::state::ok;
    status.message = std::string(provider) + " accepted the key";
    return status;
}

key_status no_key(std::string_view provider) {
    key_status status;
    status.message = "no " + std::string(provider) + " key is set";
    return status;
}

} // namespace

asio::awaitable<key_status> metadata_client::check_tmdb_key() {
    if (impl_->offline()) co_return no_key("TMDB");
    auto body = co_await impl_->tmdb_get("/configuration", {}, "configuration");
    if (!body) co_return status_of(body.error(), "TMDB");
    co_return key_works("TMDB");
}

asio::awaitable<key_status> metadata_client::check_omdb_key() {
    const auto& settings = impl_->settings;
    if (settings.omdb_api_key.empty()) co_return no_key("OMDb");
    // A title OMDB surely knows (The Matrix): a good key gets its record, a bad one a 401.
    const auto url = build_url(settings.omdb_base_url, "", omdb_params(settings.omdb_api_key, "tt0133093"));
    if (!url) co_return status_of(impl_->scrub(url.error()), "OMDb");
    auto response =
        co_await impl_->http.get(*url, accept_header("application/json"), {settings.max_response_bytes});
    if (!response) co_return status_of(impl_->scrub(response.error()), "OMDb");
    if (response->status < 200 || response->status > 299)
        co_return status_of(impl_->status_error("OMDB", *response, "the key check", *url), "OMDb");
    co_return key_works("OMDb");
}

const metadata_settings& metadata_client::settings() const {
    return impl_->settings;
}

const http_client_stats& metadata_client::http_stats() const {
    return impl_->http.stats();
}

} // namespace mediabase::providers
