#pragma once
// The REST API under /api/v1, the art under /img and the web UI: one request in, one response out.

#include "mediabase/http/server.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace mediabase {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
using http_response = boost::beast::http::response<boost::beast::http::string_body>;

/// A JSON error response: `{"error": {"code": ..., "message": ...}}`.
http_response error_response(const http_request& request, boost::beast::http::status status, std::string code,
                             std::string message);

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
