#pragma once
// One WebSocket client of /api/v1/events: a reader coroutine (which only notices the client leaving) and a
// writer coroutine draining a bounded outbox, so at most one read and one write are ever in flight.

#include "mediabase/http/event_stream.hpp"
#include "mediabase/http/server.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>

namespace mediabase {

class websocket_session : public std::enable_shared_from_this<websocket_session> {
public:
    /// Bytes queued per client before its movie changes and progress are collapsed into one `resync`.
    static constexpr std::size_t outbox_limit = 1024 * 1024;
    /// Bytes of lifecycle frames (which are never dropped) queued at most; beyond, the client is closed.
    static constexpr std::size_t outbox_hard_limit = 8 * 1024 * 1024;
    /// The socket's send buffer (SO_SNDBUF; the kernel doubles it for its bookkeeping).
    static constexpr int send_buffer_bytes = 256 * 1024;

    /// `timeout`: a client that reads nothing (its socket's send queue does not shrink, no write to it
    /// completes) and answers no ping for this long is closed, its socket shut even mid-write. A client
    /// reading slowly but steadily is kept.
    /// `each_movie`: the client asked for the per-movie frames (`?movies=each`) besides the batched ones.
    /// `slot`: the connection's place under the server's connection caps, given back when it ends.
    /// `owner`: who opened it; revoking their session or key closes it (event_hub::close_revoked).
    websocket_session(boost::beast::tcp_stream stream, event_hub& hub, std::chrono::seconds timeout,
                      bool each_movie, connection_slot slot, principal owner = {});

    /// Completes the upgrade, sends the current status, then serves until either side closes.
    void start(boost::beast::http::request<boost::beast::http::string_body> request);
    void deliver(const std::shared_ptr<const std::string>& frame, frame_kind kind);
    void close(boost::beast::websocket::close_code code);
    [[nodiscard]] bool each_movie() const { return each_movie_; }
    [[nodiscard]] const principal& owner() const { return owner_; }

private:
    asio::awaitable<void> read_loop(boost::beast::http::request<boost::beast::http::string_body> request);
    asio::awaitable<void> write_loop();
    /// Closes the client once it has shown no sign of reading for `timeout_`; pings it when the stream is quiet.
    asio::awaitable<void> liveness();
    /// The client read a frame, sent one, or answered a ping.
    void alive();
    void finish();

    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    event_hub& hub_;
    event_outbox outbox_{outbox_limit, outbox_hard_limit};
    std::chrono::seconds timeout_;
    bool each_movie_ = false;
    asio::steady_timer wake_;
    asio::steady_timer liveness_timer_;
    std::chrono::steady_clock::time_point last_alive_;
    int last_unsent_ = 0; ///< bytes in the socket's send queue at the last look (SIOCOUTQ)
    bool ping_in_flight_ = false;
    std::optional<boost::beast::websocket::close_code> close_requested_;
    bool open_ = false;
    bool finished_ = false;
    connection_slot slot_; ///< this connection's place under the server's connection caps
    principal owner_;
};

} // namespace mediabase
