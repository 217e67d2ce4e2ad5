#include "mediabase/services/scraper.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <spdlog/spdlog.h>

namespace mediabase {
namespace {

/// The answers of one identify_movies request, filled in by its per-movie coroutines.
struct chunk_state {
    chunk_state(asio::any_io_executor executor, std::size_t movies)
        : results(movies), pending(std::move(executor), movies) {}
    std::vector<identification> results;
    countdown pending;
};

art_sources art_of(const providers::provider_art& provider, const providers::local_art& local) {
    art_sources art;
    art.poster_url = provider.poster_url;
    art.backdrop_url = provider.backdrop_url;
    if (local.poster) art.poster_file = local.poster->string();
    if (local.backdrop) art.backdrop_file = local.backdrop->string();
    return art;
}

/// The name's data with the NFO laid over it (ids from the name win, as in matching).
movie local_movie(const found_movie& found, const local_metadata& local) {
    movie m = local.nfo ? providers::movie_from_nfo(*local.nfo) : movie{};
    if (m.title.empty()) m.title = found.title;
    if (!m.year) m.year = found.year;
    if (found.tmdb_id) m.tmdb_id = found.tmdb_id;
    if (found.imdb_id) m.imdb_id = found.imdb_id;
    return m;
}

// Built outside the coroutines: GCC 12 miscompiles brace-initialised aggregates of string literals inside
// a coroutine body.
provider_failure offline_failure() {
    return {provider_failure::kind::offline, "no TMDB API key or read token is configured"};
}

template <class T> provider_answer<T> answer_of(T value) {
    provider_answer<T> answer;
    answer.value = std::move(value);
    return answer;
}

template <class T> provider_answer<T> failure_of(provider_failure failure) {
    provider_answer<T> answer;
    answer.failed = true;
    answer.failure = std::move(failure);
    return answer;
}

/// The blocking reads of read_local_metadata, as a coroutine to run on the disk executor.
asio::awaitable<std::vector<local_metadata>>
read_local_on_disk(std::shared_ptr<const std::vector<found_movie>> movies) {
    co_return read_local_metadata(*movies);
}

/// Identifies one movie of a chunk, holding one of the Scraper's slots while it asks the providers.
asio::awaitable<void> identify_into(std::shared_ptr<providers::metadata_client> client,
                                    std::shared_ptr<slot_pool> slots, std::shared_ptr<chunk_state> state,
                                    std::size_t index, found_movie found, local_metadata local) {
    identification outcome;
    if (client->offline()) {
        outcome = offline_identification(found, local);
    } else {
        const bool admitted = co_await slots->acquire();
        if (!admitted) {
            outcome =
                failed_identification(found, local, "provider unavailable: the server is shutting down");
        } else {
            slot_guard held(slots);
            try {
                auto request = found;
                auto nfo = local.nfo;
                auto identified = co_await client->identify(std::move(request), std::move(nfo));
                if (identified)
                    outcome = matched_identification(*identified, local);
                else
                    outcome = failed_identification(found, local, identified.error().message);
            } catch (const std::exception& e) {
                spdlog::error("scraper: identifying '{}' failed: {}", found.title, e.what());
                outcome =
                    failed_identification(found, local, std::string("identification failed: ") + e.what());
            }
        }
    }
    state->results[index] = std::move(outcome);
    state->pending.done();
}

} // namespace

std::vector<local_metadata> read_local_metadata(const std::vector<found_movie>& movies) {
    std::vector<local_metadata> local(movies.size());
    for (std::size_t i = 0; i < movies.size(); ++i) {
        if (movies[i].files.empty()) continue;
        const std::filesystem::path first = movies[i].files.front().path;
        local[i].nfo = providers::read_nfo_for(first);
        if (local[i].nfo && local[i].nfo->empty()) local[i].nfo.reset();
        local[i].art = providers::find_local_art(first);
    }
    return local;
}

identification matched_identification(const providers::identified_movie& identified,
                                      const local_metadata& local) {
    identification out;
    movie m = identified.details;
    m.id = 0;
    m.files.clear();
    m.match = identified.state;
    m.match_confidence = identified.confidence;
    m.identify_error.reset();
    // Art keys are the Cache's to set, once it holds the images.
    m.poster.reset();
    m.backdrop.reset();
    out.metadata = std::move(m);
    out.art = art_of(identified.art, local.art);
    return out;
}

identification failed_identification(const found_movie& found, const local_metadata& local,
                                     const std::string& reason) {
    identification out;
    movie m = local_movie(found, local);
    m.match = match_state::failed;
    m.match_confidence.reset();
    m.identify_error = reason;
    out.metadata = std::move(m);
    out.art = art_of({}, local.art);
    return out;
}

identification offline_identification(const found_movie& found, const local_metadata& local) {
    identification out;
    if (local.nfo) {
        movie m = local_movie(found, local);
        m.match = match_state::unidentified;
        out.metadata = std::move(m);
    }
    out.art = art_of({}, local.art);
    return out;
}

provider_failure to_failure(const providers::provider_error& error) {
    using kind = provider_failure::kind;
    switch (error.kind) {
    case providers::error_kind::offline:
        return {kind::offline, error.message};
    case providers::error_kind::not_found:
        return {kind::not_found, error.message};
    case providers::error_kind::no_match:
        return {kind::no_match, error.message};
    case providers::error_kind::unauthorized:
        return {kind::rejected, error.message};
    case providers::error_kind::unavailable:
    case providers::error_kind::bad_response:
    case providers::error_kind::too_large:
    case providers::error_kind::invalid:
        break;
    }
    return {kind::unavailable, error.message};
}

std::string resized_image_url(std::string_view url, std::string_view from, std::string_view to) {
    const std::string segment = "/" + std::string(from) + "/";
    const auto at = url.rfind(segment);
    if (from.empty() || at == std::string_view::npos) return std::string(url);
    return std::string(url.substr(0, at)) + "/" + std::string(to) + "/" +
           std::string(url.substr(at + segment.size()));
}

scraper::scraper(bus& b, metadata_source& source, asio::any_io_executor executor, asio::any_io_executor disk,
                 int concurrency)
    : bus_(b), source_(source), executor_(std::move(executor)), disk_(std::move(disk)),
      slots_(std::make_shared<slot_pool>(executor_, concurrency)) {}

asio::awaitable<void> scraper::run() {
    co_await run_mailbox(bus_.scraper, [this](scraper_message m) { return handle(std::move(m)); });
    // Movies still waiting for a slot give up at once instead of starting new provider requests.
    slots_->close();
}

asio::awaitable<bool> scraper::handle(scraper_message message) {
    if (std::holds_alternative<stop_service>(message)) co_return false;
    // Each request runs on its own: a search from the UI never waits behind an import's chunks.
    if (auto* m = std::get_if<identify_movies>(&message)) {
        asio::co_spawn(executor_, identify_chunk(source_.client(), std::move(m->movies), std::move(m->reply)),
                       asio::detached);
    } else if (auto* m = std::get_if<identify_movie>(&message)) {
        asio::co_spawn(executor_, identify_again(source_.client(), std::move(m->found), std::move(m->reply)),
                       asio::detached);
    } else if (auto* m = std::get_if<fetch_movie>(&message)) {
        asio::co_spawn(executor_, fetch(source_.client(), m->tmdb_id, std::move(m->reply)), asio::detached);
    } else if (auto* m = std::get_if<search_tmdb>(&message)) {
        asio::co_spawn(executor_, search(source_.client(), std::move(m->query), m->year, std::move(m->reply)),
                       asio::detached);
    } else if (auto* m = std::get_if<check_provider_keys>(&message)) {
        asio::co_spawn(executor_, check_keys(source_.client(), std::move(m->reply)), asio::detached);
    } else if (auto* m = std::get_if<providers_changed>(&message)) {
        if (source_.reconfigure(m->config))
            spdlog::info("scraper: provider settings changed; {}",
                         source_.client()->offline() ? "offline (no TMDB key)" : "identifying on TMDB");
    }
    co_return true;
}

asio::awaitable<std::vector<local_metadata>>
scraper::read_local(std::shared_ptr<const std::vector<found_movie>> movies) {
    // Named, not a temporary inside the co_await (GCC 12).
    auto reading = read_local_on_disk(std::move(movies));
    co_return co_await asio::co_spawn(disk_, std::move(reading), asio::use_awaitable);
}

asio::awaitable<void> scraper::identify_chunk(std::shared_ptr<providers::metadata_client> client,
                                              std::shared_ptr<const std::vector<found_movie>> movies,
                                              reply_to<std::vector<identification>> reply) {
    if (!movies || movies->empty()) {
        reply({});
        co_return;
    }
    auto local = co_await read_local(movies);
    auto state = std::make_shared<chunk_state>(executor_, movies->size());
    for (std::size_t i = 0; i < movies->size(); ++i)
        asio::co_spawn(executor_, identify_into(client, slots_, state, i, (*movies)[i], std::move(local[i])),
                       asio::detached);
    co_await state->pending.wait();
    reply(std::move(state->results));
}

asio::awaitable<void> scraper::identify_again(std::shared_ptr<providers::metadata_client> client,
                                              found_movie found,
                                              reply_to<provider_answer<identification>> reply) {
    if (client->offline()) {
        reply(failure_of<identification>(offline_failure()));
        co_return;
    }
    auto one = std::make_shared<const std::vector<found_movie>>(1, found);
    auto local = co_await read_local(std::move(one));
    auto nfo = local.front().nfo;
    auto identified = co_await client->identify(std::move(found), std::move(nfo));
    if (!identified) {
        reply(failure_of<identification>(to_failure(identified.error())));
        co_return;
    }
    reply(answer_of(matched_identification(*identified, local.front())));
}

asio::awaitable<void> scraper::fetch(std::shared_ptr<providers::metadata_client> client, std::int64_t tmdb_id,
                                     reply_to<provider_answer<identification>> reply) {
    auto fetched = co_await client->fetch_by_tmdb_id(tmdb_id);
    if (!fetched) {
        reply(failure_of<identification>(to_failure(fetched.error())));
        co_return;
    }
    // The user chose this movie: the provider's art, not what lies next to the file.
    reply(answer_of(matched_identification(*fetched, local_metadata{})));
}

namespace {

key_check to_key_check(const providers::key_status& status) {
    using state = providers::key_status::state;
    key_check check;
    check.status = status.value == state::ok            ? "ok"
                   : status.value == state::invalid     ? "invalid"
                   : status.value == state::unreachable ? "unreachable"
                                                        : "missing";
    check.message = status.message;
    return check;
}

} // namespace

asio::awaitable<void> scraper::check_keys(std::shared_ptr<providers::metadata_client> client,
                                          reply_to<check_provider_keys::report> reply) {
    check_provider_keys::report report;
    const auto tmdb = co_await client->check_tmdb_key();
    report.tmdb = to_key_check(tmdb);
    const auto omdb = co_await client->check_omdb_key();
    report.omdb = to_key_check(omdb);
    reply(std::move(report));
}

asio::awaitable<void> scraper::search(std::shared_ptr<providers::metadata_client> client, std::string query,
                                      std::optional<int> year,
                                      reply_to<provider_answer<std::vector<tmdb_search_hit>>> reply) {
    auto found = co_await client->search(std::move(query), year);
    if (!found) {
        reply(failure_of<std::vector<tmdb_search_hit>>(to_failure(found.error())));
        co_return;
    }
    std::vector<tmdb_search_hit> hits;
    for (const auto& match : *found) {
        if (hits.size() == max_search_hits) break;
        tmdb_search_hit hit;
        hit.tmdb_id = match.candidate.tmdb_id;
        hit.title = match.candidate.title;
        hit.original_title = match.candidate.original_title;
        hit.year = match.candidate.year;
        hit.overview = match.candidate.overview;
        hit.confidence = match.confidence;
        // Thumbnails for a list: TMDB's w185 instead of the full poster size.
        if (match.poster_url)
            hit.poster_url = resized_image_url(*match.poster_url, client->settings().poster_size, "w185");
        hits.push_back(std::move(hit));
    }
    reply(answer_of(std::move(hits)));
}

} // namespace mediabase
