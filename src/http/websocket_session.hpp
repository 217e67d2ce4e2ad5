#pragma once
// One WebSocket client of /api/v1/events: a reader coroutine (which only notices the client leaving) and a
// writer coroutine draining a bounded outbox, so at most one read and one write are ever in flight.

#include "mediabase/http/server.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <deque>

namespace mediabase {

class websocket_session : public std::enable_shared_from_this<websocket_session> {
public:
    /// Frames queued per client at most. When full, progress frames are dropped; any other frame marks
    /// the client too slow and it is closed (it reconnects and is sent the current status).
    static constexpr std::size_t outbox_limit = 1024;

    websocket_session(boost::beast::tcp_stream stream, event_hub& hub, connection_slot slot);

    /// Completes the upgrade, sends the current status, then serves until either side closes.
    void start(boost::beast::http::request<boost::beast::http::string_body> request);
    void deliver(const std::shared_ptr<const std::string>& frame, bool droppable);
    void close(boost::beast::websocket::close_code code);

private:
    asio::awaitable<void> read_loop(boost::beast::http::request<boost::beast::http::string_body> request);
    asio::awaitable<void> write_loop();
    void finish();

    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    event_hub& hub_;
    std::deque<std::shared_ptr<const std::string>> outbox_;
    asio::steady_timer wake_;
    std::optional<boost::beast::websocket::close_code> close_requested_;
    bool open_ = false;
    bool finished_ = false;
    connection_slot slot_; ///< this connection's place under the server's connection caps
};

} // namespace mediabase
