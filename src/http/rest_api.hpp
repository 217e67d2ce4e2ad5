#pragma once
// The REST API under /api/v1, the art under /img and the web UI: one request in, one response out.

#include "mediabase/http/server.hpp"
#include "rest_request.hpp"

#include <functional>

namespace mediabase {

/// Who asks, as the request's credentials and address say.
struct identity {
    std::optional<principal> who;
    std::int64_t accounts = 0;   ///< accounts in the catalogue (0: a fresh install)
    bool bad_credential = false; ///< an API key was sent and is not known (never falls back to the address)
    bool answered = false;       ///< the catalogue answered (false: it is failing or shutting down)
    std::optional<api_error> unavailable; ///< when it did not: why (the database's failure, or shutting down)
};

class rest_api {
public:
    rest_api(bus& b, const server_options& options, event_hub& hub, access_state& access, std::string peer)
        : bus_(b), options_(options), hub_(hub), access_(access), peer_(std::move(peer)) {}

    /// Never throws: a failing handler becomes a 500 with a JSON error body (and a log line).
    asio::awaitable<http_response> handle(const http_request& request);

    /// Resolves the request's session cookie, API key, proxy header or trusted address (in that order).
    asio::awaitable<identity> identify(const http_request& request);

    /// The 401 or 403 for a route needing `need`, or nullopt when `id` may use it.
    std::optional<http_response> refusal(const http_request& request, route_need need, const identity& id);

    /// Whether the client has closed its connection: a query queued for a client that left is not run.
    std::function<bool()> client_gone;

private:
    asio::awaitable<http_response> route(const http_request& request);
    /// The 503 for a service that did not answer, naming the database's failure when there is one.
    asio::awaitable<http_response> unavailable_response(const http_request& request);
    /// The account routes (README, Security).
    asio::awaitable<http_response> accounts(const http_request& request, const checked_request& r,
                                            const identity& id);
    /// The answer to a checked request, built by the services.
    asio::awaitable<http_response> answer(const http_request& request, checked_request& r, const identity& id);
    /// A catalogue read through the response cache: from memory when built since the last write, else built
    /// once however many requests ask for it at the same time.
    asio::awaitable<http_response> answer_cached(const http_request& request, checked_request& r,
                                                 const std::string& key, const identity& id);
    /// The answer, a list or search first waiting (within its time budget) for one of the list slots.
    asio::awaitable<http_response> answer_gated(const http_request& request, checked_request& r,
                                                const identity& id);

    bus& bus_;
    const server_options& options_;
    event_hub& hub_;
    access_state& access_;
    std::string peer_; ///< the client's address
};

} // namespace mediabase
