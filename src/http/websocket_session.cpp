#include "websocket_session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <spdlog/spdlog.h>

#include <linux/sockios.h>
#include <sys/ioctl.h>

namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace mediabase {

websocket_session::websocket_session(beast::tcp_stream stream, event_hub& hub, std::chrono::seconds timeout,
                                     bool each_movie, connection_slot slot, principal owner)
    : ws_(std::move(stream)), hub_(hub), timeout_(timeout), each_movie_(each_movie), wake_(ws_.get_executor()),
      liveness_timer_(ws_.get_executor()), slot_(std::move(slot)), owner_(std::move(owner)) {}

void websocket_session::start(beast::http::request<beast::http::string_body> request) {
    asio::co_spawn(ws_.get_executor(), [self = shared_from_this(), req = std::move(request)]() mutable {
        return self->read_loop(std::move(req));
    }, asio::detached);
}

asio::awaitable<void> websocket_session::read_loop(beast::http::request<beast::http::string_body> request) {
    auto self = shared_from_this();
    // The HTTP timeout no longer applies. Beast's idle timeout would close a client that reads steadily but
    // slowly (its pong waits behind megabytes of queued frames); liveness() judges by reading instead.
    beast::get_lowest_layer(ws_).expires_never();
    // A bounded send buffer: what a slow client has not read waits in the outbox, where it is coalesced into
    // a resync, rather than in megabytes of kernel memory per client, and its reading shows sooner.
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(asio::socket_base::send_buffer_size(send_buffer_bytes),
                                                     ignored);
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
        if (kind == websocket::frame_type::pong) alive();
    });
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "Mediabase"); }));
    auto [ec] = co_await ws_.async_accept(request, asio::as_tuple(asio::use_awaitable));
    if (ec) {
        spdlog::debug("websocket upgrade failed: {}", ec.message());
        co_return;
    }
    open_ = true;
    ws_.text(true);
    // Clients have nothing to say on this stream: what they send is read and dropped, in small frames.
    ws_.read_message_max(64 * 1024);
    hub_.join(self);
    if (hub_.status_frame) outbox_.push(hub_.status_frame, frame_kind::lifecycle);
    alive();
    asio::co_spawn(ws_.get_executor(), [self] { return self->write_loop(); }, asio::detached);
    asio::co_spawn(ws_.get_executor(), [self] { return self->liveness(); }, asio::detached);

    beast::flat_buffer buffer;
    for (;;) {
        auto [read_ec, bytes] = co_await ws_.async_read(buffer, asio::as_tuple(asio::use_awaitable));
        if (read_ec) break;
        // Clients have nothing to say on this stream; what they send is read and ignored.
        alive();
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
        auto frame = outbox_.pop();
        auto [ec, n] = co_await ws_.async_write(asio::buffer(*frame), asio::as_tuple(asio::use_awaitable));
        if (ec) break;
        // The frame fit in the socket's buffer: the client read what was before it.
        alive();
    }
    finish();
}

void websocket_session::alive() {
    last_alive_ = std::chrono::steady_clock::now();
}

asio::awaitable<void> websocket_session::liveness() {
    auto self = shared_from_this();
    const auto half = std::chrono::duration_cast<std::chrono::milliseconds>(timeout_) / 2;
    while (open_) {
        liveness_timer_.expires_after(half);
        // Cancelled when the session ends: open_ says so below.
        co_await liveness_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        if (!open_) break;
        // Bytes the client has not yet taken: fewer than at the last look means it is reading. Completed
        // writes alone would not show it: the kernel wakes a blocked writer only once a third of a
        // megabytes-large send buffer has drained, which a slow reader takes longer than the timeout to do.
        int unsent = 0;
        if (::ioctl(beast::get_lowest_layer(ws_).socket().native_handle(), SIOCOUTQ, &unsent) == 0) {
            if (unsent < last_unsent_) alive();
            last_unsent_ = unsent;
        }
        const auto silent = std::chrono::steady_clock::now() - last_alive_;
        if (silent >= timeout_) {
            // Shutting the socket also ends a write blocked on a client whose buffers are full.
            spdlog::info("websocket client read nothing and answered no ping for {} s: closed", timeout_.count());
            finish();
            break;
        }
        if (silent >= half && !ping_in_flight_) {
            // A quiet stream: a ping proves the client is there (its pong counts as alive).
            // Not awaited here: behind a blocked write the ping waits too, and this loop must still close.
            ping_in_flight_ = true;
            ws_.async_ping({}, [self](beast::error_code) { self->ping_in_flight_ = false; });
        }
    }
}

void websocket_session::deliver(const std::shared_ptr<const std::string>& frame, frame_kind kind) {
    if (!open_ || close_requested_) return;
    const auto resyncs = outbox_.resyncs();
    if (!outbox_.push(frame, kind)) {
        spdlog::warn("websocket client holds {} bytes of undelivered import and prune events: closing it",
                     outbox_.bytes());
        close(websocket::close_code::policy_error);
        return;
    }
    if (outbox_.resyncs() != resyncs)
        spdlog::info("websocket client fell behind ({} bytes queued): sent a resync instead of movie changes",
                     outbox_.bytes());
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
    liveness_timer_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    hub_.leave(this);
}

} // namespace mediabase
