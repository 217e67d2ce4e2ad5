#pragma once
/// Server: Beast HTTP (REST API, web UI, art) and the WebSocket event stream, on the network thread.
/// The per-role pieces live in their own files: http_session, websocket_session, rest_api, static_files.

#include "mediabase/runtime/bus.hpp"
#include "mediabase/http/access_policy.hpp"
#include "mediabase/http/login_throttle.hpp"
#include "mediabase/http/connection_limits.hpp"
#include "mediabase/http/event_stream.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace mediabase {

class response_cache;

struct server_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 3267;
    std::optional<std::filesystem::path> static_dir;
    std::filesystem::path art_dir;
    std::chrono::seconds request_timeout{30};  ///< a request's headers and body must arrive within this
    std::size_t body_limit = 1024 * 1024;      ///< larger request bodies get 413
    /// The request line and header fields, and separately the trailer fields of a chunked body, must fit in
    /// this many bytes; larger ones get 431.
    std::size_t header_limit = 16 * 1024;
    std::size_t max_connections = 1024;            ///< more wait in the listen queue until one ends
    std::size_t max_connections_per_address = 256; ///< more from one address get 503
    /// An event-stream client that answers no ping for this long is closed (pings go out every half of it).
    std::chrono::seconds events_timeout{30};
    /// Who may do what: the Host allow-list, the origin checks and the `--auth` mode (access_policy.hpp).
    access_config access;
    /// Answers to catalogue reads kept per catalogue generation, shared by every session on the network
    /// thread (src/http/response_cache.hpp); the server makes one when none is given.
    std::shared_ptr<response_cache> responses;
};

class websocket_session;

/// The WebSocket clients and what a newcomer is told first. Lives on the network thread only.
class event_hub {
public:
    void join(const std::shared_ptr<websocket_session>& session);
    void leave(websocket_session* session);
    /// Queues `frame` on every client (see event_outbox for what a client that falls behind gets).
    void broadcast(const std::shared_ptr<const std::string>& frame, frame_kind kind);
    /// Queues a legacy per-movie frame on the clients that asked for them (`?movies=each`).
    void broadcast_each_movie(const std::shared_ptr<const std::string>& frame);
    /// True when some client asked for per-movie frames: only then are they built.
    [[nodiscard]] bool wants_each_movie() const { return each_movie_clients_ > 0; }
    /// Sends every client a close frame (going away).
    void close_all();
    /// Closes the streams opened with these sessions or API keys, or by this account (`user_id`, 0: none),
    /// at once (close code 1008, policy): a revoked credential stops receiving the library. Returns how many.
    std::size_t close_revoked(const std::vector<std::int64_t>& sessions, const std::vector<std::int64_t>& keys,
                              std::int64_t user_id = 0);
    [[nodiscard]] std::size_t size() const { return sessions_.size(); }

    /// The `import.status` frame a client receives first on connect.
    std::shared_ptr<const std::string> status_frame;

private:
    std::unordered_map<websocket_session*, std::shared_ptr<websocket_session>> sessions_;
    std::size_t each_movie_clients_ = 0;
};

/// `POST /api/v1/prune`'s answer and the `prune.finished` event's result.
boost::json::object to_json(const prune_result& result);

/// Vanished files the failsafe held (`GET /api/v1/prune`, `held` in prune results).
boost::json::object to_json(const held_files& held);

/// What waits for the user's confirmation: `{"since", "files", "movies", "groups": [...]}`.
boost::json::object to_json(const prune_hold& hold);

/// The JSON text frame of an event, or nullptr for a stop message.
std::shared_ptr<const std::string> event_frame(const event_message& event);

/// What the access checks keep between requests. Network thread only.
struct access_state {
    login_throttle throttle;
    /// When each API key's use was last recorded: at most one `touch_api_key` a minute per key. Bounded:
    /// cleared whole past 10,000 keys.
    std::unordered_map<std::int64_t, std::chrono::steady_clock::time_point> key_touched;
    /// "No account yet" is logged once per run, at the first request it refuses.
    bool no_account_logged = false;
};

class server {
public:
    server(bus& b, asio::any_io_executor executor, server_options options);
    ~server();

    /// Binds the listening socket. An error message (address in use, bad host) or nullopt.
    std::optional<std::string> listen();
    [[nodiscard]] std::uint16_t port() const;

    /// Accepts connections until stop_accepting(). At the connection cap it waits for a connection to end; at
    /// the process's file limit it backs off (up to a second) instead of spinning.
    asio::awaitable<void> accept_loop();
    /// Serves `bus.events`: publishes each event to the WebSocket clients, until stop_service.
    asio::awaitable<void> publish_events();

    void stop_accepting();
    void close_clients() { hub_.close_all(); }
    [[nodiscard]] std::size_t client_count() const { return hub_.size(); }

private:
    bus& bus_;
    asio::any_io_executor executor_;
    server_options options_;
    asio::ip::tcp::acceptor acceptor_;
    /// Flushes the pending `movies.changed` frame every `movies_window` (and when it is full).
    asio::awaitable<void> flush_movies_periodically();
    /// Drops the cached answers when the catalogue changed since they were made (stale_answers_), then sends
    /// the pending `movies.changed` frame.
    void flush_movies();
    void drop_stale_answers();

    event_hub hub_;
    access_state access_;
    std::shared_ptr<connection_limits> limits_;
    /// The accept loop waits on this while it may not accept; a connection ending cancels it.
    asio::steady_timer capacity_;
    movie_batch pending_movies_;
    std::shared_ptr<asio::steady_timer> flush_timer_;
    bool publishing_ = false;
    /// The catalogue changed after the cached answers were made (catalogue_changed or a movie event); they are
    /// dropped at the next flush, at most movies_window later.
    bool stale_answers_ = false;
};

/// List and search queries that may run at the DAL at once: half the CPUs, at least one. A broad search is
/// CPU-bound; more of them at once than that only slows every other answer. The DAL has two more readers
/// than this (src/app/application.cpp), so lookups of single movies always find one free.
std::size_t list_query_slots();

/// How long movie changes gather before they go out as one `movies.changed` frame.
inline constexpr std::chrono::milliseconds movies_window{200};

} // namespace mediabase
