#pragma once
// The REST API under /api/v1, the art under /img and the web UI: one request in, one response out.

#include "mediabase/http/server.hpp"
#include "rest_request.hpp"

namespace mediabase {

class rest_api {
public:
    rest_api(bus& b, const server_options& options) : bus_(b), options_(options) {}

    /// Never throws: a failing handler becomes a 500 with a JSON error body (and a log line).
    asio::awaitable<http_response> handle(const http_request& request);

private:
    asio::awaitable<http_response> route(const http_request& request);
    bus& bus_;
    const server_options& options_;
};

} // namespace mediabase
