#pragma once
// The REST API under /api/v1, the art under /img and the web UI: one request in, one response out.

#include "mediabase/http/server.hpp"
#include "rest_request.hpp"

#include <functional>

namespace mediabase {

class rest_api {
public:
    rest_api(bus& b, const server_options& options) : bus_(b), options_(options) {}

    /// Never throws: a failing handler becomes a 500 with a JSON error body (and a log line).
    asio::awaitable<http_response> handle(const http_request& request);

    /// Whether the client has closed its connection: a query queued for a client that left is not run.
    std::function<bool()> client_gone;

private:
    asio::awaitable<http_response> route(const http_request& request);
    /// The answer to a checked request, built by the services.
    asio::awaitable<http_response> answer(const http_request& request, checked_request& r);
    /// A catalogue read through the response cache: from memory when built since the last write, else built
    /// once however many requests ask for it at the same time.
    asio::awaitable<http_response> answer_cached(const http_request& request, checked_request& r,
                                                 const std::string& key);
    /// The answer, a list or search first waiting (within its time budget) for one of the list slots.
    asio::awaitable<http_response> answer_gated(const http_request& request, checked_request& r);
    bus& bus_;
    const server_options& options_;
};

} // namespace mediabase
