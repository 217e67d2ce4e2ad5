#include "http_session.hpp"

#include "rest_api.hpp"
#include "websocket_session.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <spdlog/spdlog.h>

namespace beast = boost::beast;
namespace http = beast::http;

namespace mediabase {

asio::awaitable<void> run_http_session(asio::ip::tcp::socket socket, bus& b, const server_options& options,
                                       event_hub& hub) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    rest_api api(b, options);
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(options.body_limit);
        parser.header_limit(16 * 1024);
        // Headers and body must arrive within the timeout: slow clients cannot hold a connection forever.
        stream.expires_after(options.request_timeout);
        auto [ec, bytes] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
        (void)bytes;
        if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
            ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
            break;
        if (ec) {
            // A request we cannot read: answer once (413 for size, 400 otherwise) and close.
            http_request shell;
            shell.version(11);
            auto res = ec == http::error::body_limit
                           ? error_response(shell, http::status::payload_too_large, "body_too_large",
                                            "request body larger than " + std::to_string(options.body_limit) +
                                                " bytes")
                           : error_response(shell, http::status::bad_request, "bad_request",
                                            "malformed HTTP request: " + ec.message());
            res.keep_alive(false);
            stream.expires_after(options.request_timeout);
            co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
            break;
        }
        auto request = parser.release();
        if (beast::websocket::is_upgrade(request)) {
            const auto target = std::string_view(request.target());
            if (target == "/api/v1/events" || target == "/api/v1/events?movies=each") {
                std::make_shared<websocket_session>(std::move(stream), hub, options.events_timeout,
                                                    target.ends_with("?movies=each"))
                    ->start(std::move(request));
                co_return;
            }
            auto res = error_response(request, http::status::not_found, "not_found",
                                      "WebSocket is served at /api/v1/events only");
            co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
            break;
        }
        auto response = co_await api.handle(request);
        response.keep_alive(request.keep_alive());
        response.prepare_payload();
        stream.expires_after(options.request_timeout);
        auto [write_ec, written] = co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
        (void)written;
        if (write_ec || !response.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

} // namespace mediabase
