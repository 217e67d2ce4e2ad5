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

namespace {

/// Why a request's framing is refused, or nullopt. A request whose body length two parties could read two
/// ways (Transfer-Encoding with Content-Length, an unknown coding, repeated length fields) is how requests
/// are smuggled past a proxy: it gets a 400 and the connection closes.
std::optional<std::string> ambiguous_framing(const http_request& request) {
    const auto lengths = request.count(http::field::content_length);
    const auto codings = request.count(http::field::transfer_encoding);
    if (lengths > 1) return "more than one Content-Length";
    if (codings == 0) return std::nullopt;
    if (codings > 1) return "more than one Transfer-Encoding";
    if (lengths > 0) return "both Transfer-Encoding and Content-Length";
    if (request.version() < 11) return "Transfer-Encoding in an HTTP/1.0 request";
    if (!beast::iequals(request[http::field::transfer_encoding], "chunked"))
        return "Transfer-Encoding other than chunked";
    return std::nullopt;
}

http_response read_error_response(const beast::error_code& ec, const server_options& options) {
    http_request shell;
    shell.version(11);
    if (ec == http::error::body_limit)
        return error_response(shell, http::status::payload_too_large, "body_too_large",
                              "request body larger than " + std::to_string(options.body_limit) + " bytes");
    // The header limit covers the request line, the header fields and the trailer fields of a chunked body:
    // the read buffer never holds more than that, so a trailer past it overflows the buffer.
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
        return error_response(shell, http::status::request_header_fields_too_large, "headers_too_large",
                              "request headers or trailers larger than " +
                                  std::to_string(options.header_limit) + " bytes");
    return error_response(shell, http::status::bad_request, "bad_request",
                          "malformed HTTP request: " + ec.message());
}

bool client_left(const beast::error_code& ec) {
    return ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::operation_aborted;
}

} // namespace

asio::awaitable<void> run_http_session(asio::ip::tcp::socket socket, bus& b, const server_options& options,
                                       event_hub& hub, connection_slot slot) {
    beast::tcp_stream stream(std::move(socket));
    // Bounded: whatever part of a request is not yet parsed (headers, a chunk header, trailers) fits here.
    beast::flat_buffer buffer(options.header_limit);
    rest_api api(b, options);
    auto refuse = [&](http_response res) -> asio::awaitable<void> {
        res.keep_alive(false);
        res.prepare_payload();
        stream.expires_after(options.request_timeout);
        co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
    };
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(options.body_limit);
        parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
        // Headers and body must arrive within the timeout: slow clients cannot hold a connection forever.
        stream.expires_after(options.request_timeout);
        auto [ec, bytes] =
            co_await http::async_read_header(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
        (void)bytes;
        if (client_left(ec)) break;
        if (ec) {
            co_await refuse(read_error_response(ec, options));
            break;
        }
        if (auto why = ambiguous_framing(parser.get())) {
            co_await refuse(error_response(parser.get(), http::status::bad_request, "bad_request",
                                           "ambiguous request framing: " + *why));
            break;
        }
        if (!parser.is_done()) {
            auto [body_ec, body_bytes] =
                co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
            (void)body_bytes;
            if (client_left(body_ec)) break;
            if (body_ec) {
                co_await refuse(read_error_response(body_ec, options));
                break;
            }
        }
        auto request = parser.release();
        if (beast::websocket::is_upgrade(request)) {
            const auto target = std::string_view(request.target());
            if (target == "/api/v1/events" || target == "/api/v1/events?movies=each") {
                std::make_shared<websocket_session>(std::move(stream), hub, options.events_timeout,
                                                    target.ends_with("?movies=each"), std::move(slot))
                    ->start(std::move(request));
                co_return;
            }
            co_await refuse(error_response(request, http::status::not_found, "not_found",
                                           "WebSocket is served at /api/v1/events only"));
            break;
        }
        auto response = co_await api.handle(request);
        response.keep_alive(request.keep_alive());
        if (request.method() == http::verb::head) {
            // A HEAD answer carries the headers its GET would, the length included, and no body.
            if (!response.body().empty() || !response.has_content_length()) {
                response.content_length(response.body().size());
                response.body().clear();
            }
        } else {
            response.prepare_payload();
        }
        stream.expires_after(options.request_timeout);
        auto [write_ec, written] =
            co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
        (void)written;
        if (write_ec || !response.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

} // namespace mediabase
