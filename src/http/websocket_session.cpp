#include "websocket_session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <spdlog/spdlog.h>

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace mediabase {

websocket_session::websocket_session(beast::tcp_stream stream, event_hub& hub, connection_slot slot)
    : ws_(std::move(stream)), hub_(hub), wake_(ws_.get_executor()), slot_(std::move(slot)) {}

void websocket_session::start(beast::http::request<beast::http::string_body> request) {
    asio::co_spawn(ws_.get_executor(), [self = shared_from_this(), req = std::move(request)]() mutable {
        return self->read_loop(std::move(req));
    }, asio::detached);
}

asio::awaitable<void> websocket_session::read_loop(beast::http::request<beast::http::string_body> request) {
    auto self = shared_from_this();
    // The HTTP timeout no longer applies; the WebSocket's own ping-based timeouts take over.
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "Mediabase"); }));
    auto [ec] = co_await ws_.async_accept(request, asio::as_tuple(asio::use_awaitable));
    if (ec) {
        spdlog::debug("websocket upgrade failed: {}", ec.message());
        co_return;
    }
    open_ = true;
    ws_.text(true);
    hub_.join(self);
    if (hub_.status_frame) outbox_.push_back(hub_.status_frame);
    asio::co_spawn(ws_.get_executor(), [self] { return self->write_loop(); }, asio::detached);

    beast::flat_buffer buffer;
    for (;;) {
        auto [read_ec, bytes] = co_await ws_.async_read(buffer, asio::as_tuple(asio::use_awaitable));
        if (read_ec) break;
        // Clients have nothing to say on this stream; what they send is read and ignored.
        buffer.consume(bytes);
    }
    finish();
}

asio::awaitable<void> websocket_session::write_loop() {
    auto self = shared_from_this();
    while (open_) {
        if (close_requested_) {
            // The reader ends the session once the client answers the close (or the timeout does).
            auto [ec] = co_await ws_.async_close(*close_requested_, asio::as_tuple(asio::use_awaitable));
            if (!ec) co_return;
            break;
        }
        if (outbox_.empty()) {
            wake_.expires_at(asio::steady_timer::time_point::max());
            co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        auto frame = std::move(outbox_.front());
        outbox_.pop_front();
        auto [ec, n] = co_await ws_.async_write(asio::buffer(*frame), asio::as_tuple(asio::use_awaitable));
        if (ec) break;
    }
    finish();
}

void websocket_session::deliver(const std::shared_ptr<const std::string>& frame, bool droppable) {
    if (!open_ || close_requested_) return;
    if (outbox_.size() >= outbox_limit) {
        if (droppable) return;
        spdlog::warn("websocket client too slow ({} frames queued): closing it", outbox_.size());
        close(websocket::close_code::policy_error);
        return;
    }
    outbox_.push_back(frame);
    wake_.cancel();
}

void websocket_session::close(websocket::close_code code) {
    if (!open_ || close_requested_) return;
    close_requested_ = code;
    outbox_.clear();
    wake_.cancel();
}

void websocket_session::finish() {
    if (finished_) return;
    finished_ = true;
    open_ = false;
    wake_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    hub_.leave(this);
}

} // namespace mediabase
