// The HTTP request path without a socket: bytes -> Beast's request parser with the server's limits (as
// src/http_session.cpp sets them) -> check_request (route, method, query parameters, JSON body) -> the JSON
// answer. Routes that need no service are answered as rest_api answers them; `PUT /config` bodies go through
// apply_config_json as the Core applies them.
//
// Input: the first byte says how the bytes arrive (0: all at once, n: in pieces of n bytes, so the parser
// also sees requests split anywhere); the rest is what a client sends on one connection, possibly several
// pipelined requests.

#include "rest_request.hpp"

#include "mediabase/naming/name_parser.hpp"
#include "mediabase/http/server.hpp"
#include "mediabase/config/settings.hpp"

#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

namespace http = boost::beast::http;
namespace json = boost::json;
using namespace mediabase;

namespace {

/// The client's bytes, handed out in pieces.
class feed {
public:
    feed(std::string_view bytes, std::size_t piece) : bytes_(bytes), piece_(piece == 0 ? bytes.size() : piece) {}
    [[nodiscard]] bool empty() const { return bytes_.empty(); }
    std::string_view next() {
        auto part = bytes_.substr(0, piece_);
        bytes_.remove_prefix(part.size());
        return part;
    }

private:
    std::string_view bytes_;
    std::size_t piece_;
};

/// One read_some as Beast does it: parse what is buffered, and read more only when the parser says it needs
/// more; at the end of the bytes, the end of the message or of the stream.
void read_some(http::request_parser<http::string_body>& parser, std::string& pending, feed& in,
               boost::beast::error_code& ec) {
    ec = {};
    bool parse = !pending.empty();
    for (;;) {
        if (parse) {
            const auto used = parser.put(boost::asio::buffer(pending.data(), pending.size()), ec);
            pending.erase(0, used);
            if (ec != http::error::need_more) return;
        }
        parse = true;
        if (in.empty()) {
            if (parser.got_some()) {
                ec = {};
                parser.put_eof(ec);
            } else {
                ec = http::error::end_of_stream;
            }
            return;
        }
        const auto part = in.next();
        pending.append(part.data(), part.size());
    }
}

/// Reads one request as http::async_read does: read_some until the message is complete.
void read_request(http::request_parser<http::string_body>& parser, std::string& pending, feed& in,
                  boost::beast::error_code& ec) {
    ec = {};
    while (!parser.is_done()) {
        read_some(parser, pending, in, ec);
        if (ec) return;
    }
}

/// Every answer is JSON (valid UTF-8 too), and every error is `{"error": {"code": "...", "message": "..."}}`
/// with a 4xx or 5xx status.
void check_body(const http_response& response) {
    boost::system::error_code ec;
    const auto body = json::parse(response.body().view(), ec);
    if (ec || !body.is_object()) std::abort();
    if (response.result_int() < 400) return;
    const auto* error = body.as_object().if_contains("error");
    if (!error || !error->is_object()) std::abort();
    const auto* code = error->as_object().if_contains("code");
    const auto* message = error->as_object().if_contains("message");
    if (!code || !code->is_string() || !message || !message->is_string()) std::abort();
}

/// Serialises the response as the session writes it.
void write(http_response& response, bool keep_alive) {
    response.keep_alive(keep_alive);
    response.prepare_payload();
    std::ostringstream out;
    out << response;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const server_options options;
    feed in(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), data[0]);
    std::string pending;
    // A connection serves requests until one fails or asks to close; pipelined inputs are bounded by size.
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(options.body_limit);
        parser.header_limit(static_cast<std::uint32_t>(options.header_limit));
        parser.eager(true);
        boost::beast::error_code ec;
        read_request(parser, pending, in, ec);
        if (ec == http::error::end_of_stream) return 0;
        // The answers the server gives, from the same functions (rest_request.hpp).
        if (ec) {
            auto res = read_error_response(ec, options.body_limit, options.header_limit);
            check_body(res);
            write(res, false);
            return 0;
        }
        if (auto why = ambiguous_framing(parser.get())) {
            auto res = error_response(parser.get(), http::status::bad_request, "bad_request",
                                      "ambiguous request framing: " + *why);
            check_body(res);
            write(res, false);
            return 0;
        }
        auto request = parser.release();
        if (boost::beast::websocket::is_upgrade(request)) {
            if (request.target() == "/api/v1/events") return 0;
            auto res = error_response(request, http::status::not_found, "not_found",
                                      "WebSocket is served at /api/v1/events only");
            write(res, false);
            return 0;
        }
        auto checked = check_request(request);
        http_response response;
        if (auto* refused = std::get_if<http_response>(&checked)) {
            response = std::move(*refused);
        } else {
            auto& r = std::get<checked_request>(checked);
            switch (r.route) {
            case api_route::healthz:
                response = json_response(request, http::status::ok, json::object{{"status", "ok"}});
                break;
            case api_route::parse:
                response = json_response(request, http::status::ok, to_json(parse_name(r.name)));
                break;
            case api_route::config_put: {
                settings changed;
                changed.extensions = default_extensions();
                if (auto e = apply_config_json(changed, r.config)) {
                    response = error_response(request, http::status::bad_request, "bad_request", e->message);
                } else {
                    for (auto& folder : changed.media_folders) folder = normalized_folder(folder);
                    response = json_response(request, http::status::ok, to_public_json(changed));
                }
                break;
            }
            default:
                // The other routes need the services: the server asks them here.
                response = json_response(request, http::status::ok, json::object{});
                break;
            }
        }
        check_body(response);
        write(response, request.keep_alive());
        if (!request.keep_alive()) return 0;
    }
}
