#include "http_session.hpp"

#include "rest_api.hpp"
#include "websocket_session.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <spdlog/spdlog.h>

#include <cerrno>

#include <sys/socket.h>

namespace beast = boost::beast;
namespace http = beast::http;

namespace mediabase {

namespace {

bool client_left(const beast::error_code& ec) {
    return ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::operation_aborted;
}

std::optional<std::string_view> header(const http_request& request, http::field field) {
    const auto it = request.find(field);
    if (it == request.end()) return std::nullopt;
    return std::string_view(it->value());
}

std::optional<std::string_view> header(const http_request& request, std::string_view name) {
    const auto it = request.find(name);
    if (it == request.end()) return std::nullopt;
    return std::string_view(it->value());
}

/// The cross-site defences (access_policy.hpp): a refusal to send as it is, or nullopt.
std::optional<http_response> cross_site_refusal(const http_request& request, const access_config& access) {
    request_facts facts;
    facts.method = request.method_string();
    facts.websocket = beast::websocket::is_upgrade(request);
    facts.host = header(request, http::field::host);
    facts.origin = header(request, http::field::origin);
    facts.sec_fetch_site = header(request, std::string_view("Sec-Fetch-Site"));
    auto refused = check_cross_site(facts, access);
    if (!refused) return std::nullopt;
    spdlog::warn("refused {} {}: {}", std::string(request.method_string()), std::string(request.target()),
                 refused->message);
    return error_response(request, static_cast<http::status>(refused->status), refused->code, refused->message);
}

/// Whether the peer has closed its side (its FIN is waiting to be read) without blocking or consuming
/// anything: a pipelined next request reads as "still there".
bool peer_closed(asio::ip::tcp::socket& socket) {
    char byte = 0;
    const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

} // namespace

asio::awaitable<void> run_http_session(asio::ip::tcp::socket socket, bus& b, const server_options& options,
                                       event_hub& hub, access_state& access, connection_slot slot) {
    boost::system::error_code peer_ec;
    auto peer = socket.remote_endpoint(peer_ec).address().to_string();
    beast::tcp_stream stream(std::move(socket));
    // Bounded: whatever part of a request is not yet parsed (headers, a chunk header, trailers) fits here.
    beast::flat_buffer buffer(options.header_limit);
    rest_api api(b, options, hub, access, std::move(peer));
    api.client_gone = [&stream] { return peer_closed(stream.socket()); };
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
            co_await refuse(read_error_response(ec, options.body_limit, options.header_limit));
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
                co_await refuse(read_error_response(body_ec, options.body_limit, options.header_limit));
                break;
            }
        }
        auto request = parser.release();
        if (auto refused = cross_site_refusal(request, options.access)) {
            refused->keep_alive(request.keep_alive());
            refused->prepare_payload();
            stream.expires_after(options.request_timeout);
            auto [write_ec, written] =
                co_await http::async_write(stream, *refused, asio::as_tuple(asio::use_awaitable));
            (void)written;
            if (write_ec || !refused->keep_alive()) break;
            continue;
        }
        if (beast::websocket::is_upgrade(request)) {
            const auto target = std::string_view(request.target());
            if (target == "/api/v1/events" || target == "/api/v1/events?movies=each") {
                // The stream shows the library: a viewer's credentials, as for GET /movies.
                auto id = co_await api.identify(request);
                if (auto refused = api.refusal(request, route_need::viewer, id)) {
                    co_await refuse(std::move(*refused));
                    break;
                }
                std::make_shared<websocket_session>(std::move(stream), hub, options.events_timeout,
                                                    target.ends_with("?movies=each"), std::move(slot),
                                                    id.who.value_or(principal{}))
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
