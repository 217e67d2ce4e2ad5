#include "mediabase/http/server.hpp"

#include "http_session.hpp"
#include "rest_api.hpp"
#include "response_cache.hpp"
#include "websocket_session.hpp"

#include "mediabase/model/movie_json.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_set>

namespace json = boost::json;

namespace mediabase {

void event_hub::join(const std::shared_ptr<websocket_session>& session) {
    if (sessions_.emplace(session.get(), session).second && session->each_movie()) ++each_movie_clients_;
}

void event_hub::leave(websocket_session* session) {
    const auto it = sessions_.find(session);
    if (it == sessions_.end()) return;
    if (session->each_movie()) --each_movie_clients_;
    sessions_.erase(it);
}

void event_hub::broadcast(const std::shared_ptr<const std::string>& frame, frame_kind kind) {
    // deliver() may close a session, which leaves the hub later: iterate over a copy.
    auto sessions = sessions_;
    for (auto& [raw, session] : sessions) session->deliver(frame, kind);
}

void event_hub::broadcast_each_movie(const std::shared_ptr<const std::string>& frame) {
    auto sessions = sessions_;
    for (auto& [raw, session] : sessions)
        if (session->each_movie()) session->deliver(frame, frame_kind::coalescable);
}

void event_hub::close_all() {
    auto sessions = sessions_;
    for (auto& [raw, session] : sessions) session->close(boost::beast::websocket::close_code::going_away);
}

std::size_t event_hub::close_revoked(const std::vector<std::int64_t>& sessions, const std::vector<std::int64_t>& keys,
                                     std::int64_t user_id) {
    auto listed = [](const std::vector<std::int64_t>& ids, std::int64_t id) {
        return id != 0 && std::find(ids.begin(), ids.end(), id) != ids.end();
    };
    std::size_t closed = 0;
    auto copy = sessions_;
    for (auto& [raw, session] : copy) {
        const auto& owner = session->owner();
        if (listed(sessions, owner.session_id) || listed(keys, owner.key_id) ||
            (user_id != 0 && owner.user_id == user_id)) {
            session->close(boost::beast::websocket::close_code::policy_error);
            ++closed;
        }
    }
    return closed;
}

namespace {

const char* import_event_type(import_event::kind kind) {
    switch (kind) {
    case import_event::kind::started: return "import.started";
    case import_event::kind::progress: return "import.progress";
    case import_event::kind::finished: return "import.finished";
    }
    return "import.progress";
}

std::shared_ptr<const std::string> frame_of(const json::object& object) {
    // A text frame must be valid UTF-8 (browsers drop the connection otherwise); a path or error message
    // may hold bytes that are not: each becomes U+FFFD.
    return std::make_shared<const std::string>(display_utf8(json::serialize(object)));
}

} // namespace

json::object to_json(const prune_result& result) {
    json::array removed;
    for (const auto& change : result.changes)
        if (change.kind == change_kind::removed) removed.push_back(json::object{{"id", change.id}});
    json::array skipped;
    for (const auto& root : result.skipped_roots)
        skipped.push_back(json::object{{"root", display_utf8(root.root)}, {"reason", root.reason}});
    json::array paths;
    for (const auto& path : result.removed_paths) paths.emplace_back(display_utf8(path));
    json::array held;
    for (const auto& group : result.held) held.push_back(to_json(group));
    return {{"checked", result.checked},
            {"removed", std::move(removed)},
            {"removed_files", std::move(paths)},
            {"skipped_roots", std::move(skipped)},
            {"art_removed", result.art_removed},
            {"held", std::move(held)}};
}

json::object to_json(const held_files& held) {
    json::array paths;
    for (const auto& path : held.paths) paths.emplace_back(display_utf8(path));
    json::array movies;
    for (const auto& m : held.described)
        movies.push_back(json::object{{"id", m.id},
                                      {"title", display_utf8(m.title)},
                                      {"year", m.year ? json::value(*m.year) : json::value(nullptr)}});
    return {{"root", display_utf8(held.root)},
            {"folder", display_utf8(held.folder)},
            {"reason", held.reason},
            {"file_count", static_cast<std::int64_t>(held.paths.size())},
            {"movie_count", static_cast<std::int64_t>(held.movies.size())},
            {"files", std::move(paths)},
            {"movies", std::move(movies)}};
}

json::object to_json(const prune_hold& hold) {
    json::array groups;
    std::int64_t files = 0;
    std::int64_t movies = 0;
    for (const auto& group : hold.groups) {
        files += static_cast<std::int64_t>(group.paths.size());
        movies += static_cast<std::int64_t>(group.movies.size());
        groups.push_back(to_json(group));
    }
    return {{"since", hold.since ? json::value(*hold.since) : json::value(nullptr)},
            {"files", files},
            {"movies", movies},
            {"groups", std::move(groups)}};
}

std::shared_ptr<const std::string> event_frame(const event_message& event) {
    struct visitor {
        std::shared_ptr<const std::string> operator()(const stop_service&) const { return nullptr; }
        std::shared_ptr<const std::string> operator()(const import_event& e) const {
            return frame_of({{"type", import_event_type(e.type)}, {"job", to_json(e.job)}});
        }
        std::shared_ptr<const std::string> operator()(const movie_event& e) const {
            if (e.type == change_kind::removed) return frame_of({{"type", "movie.removed"}, {"id", e.id}});
            json::object frame{{"type", e.type == change_kind::added ? "movie.added" : "movie.updated"}, {"id", e.id}};
            if (e.subject) frame["movie"] = to_shared_json(*e.subject);
            return frame_of(frame);
        }
        std::shared_ptr<const std::string> operator()(const prune_event& e) const {
            return frame_of({{"type", "prune.finished"}, {"result", to_json(e.result)}});
        }
        std::shared_ptr<const std::string> operator()(const error_event& e) const {
            return frame_of({{"type", "error"}, {"message", e.message}});
        }
        // Internal: it tells the Server its cached answers are stale, and is no client's business.
        std::shared_ptr<const std::string> operator()(const catalogue_changed&) const { return nullptr; }
    };
    return std::visit(visitor{}, event);
}

server::server(bus& b, asio::any_io_executor executor, server_options options)
    : bus_(b), executor_(std::move(executor)), options_(std::move(options)), acceptor_(executor_),
      limits_(std::make_shared<connection_limits>(options_.max_connections, options_.max_connections_per_address)),
      capacity_(executor_) {
    hub_.status_frame = frame_of({{"type", "import.status"}, {"job", to_json(import_job{})}});
    if (!options_.responses) options_.responses = std::make_shared<response_cache>(1024, 64u << 20, list_query_slots());
    limits_->on_release = [this] { capacity_.cancel(); };
}

// Sessions may outlive the server (their frames are destroyed with the io_context): they must not wake it.
server::~server() { limits_->on_release = nullptr; }

std::optional<std::string> server::listen() {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(options_.host, ec);
    if (ec) return "--listen: '" + options_.host + "' is not an IP address";
    const asio::ip::tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return "cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " + ec.message();
    return std::nullopt;
}

std::uint16_t server::port() const {
    boost::system::error_code ec;
    return acceptor_.local_endpoint(ec).port();
}

namespace {

bool out_of_descriptors(const boost::system::error_code& ec) {
    return ec == asio::error::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system ||
           ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

/// Tells a client over its address's share why it is not served, then closes. The answer fits in the socket
/// buffer, and the write is bounded by a timeout anyway, so a client that never reads costs nothing.
asio::awaitable<void> refuse_connection(asio::ip::tcp::socket socket, std::size_t per_address) {
    boost::beast::tcp_stream stream(std::move(socket));
    http_request shell;
    shell.version(11);
    auto res = error_response(shell, boost::beast::http::status::service_unavailable, "too_many_connections",
                              "more than " + std::to_string(per_address) +
                                  " connections from your address; close some and retry");
    res.keep_alive(false);
    res.set(boost::beast::http::field::retry_after, "1");
    res.prepare_payload();
    stream.expires_after(std::chrono::seconds(5));
    co_await boost::beast::http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
    boost::beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

void log_session_end(std::exception_ptr error) {
    if (!error) return;
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        spdlog::error("connection dropped: unexpected error while serving it: {}", e.what());
    } catch (...) {
        spdlog::error("connection dropped: unexpected error while serving it");
    }
}

} // namespace

asio::awaitable<void> server::accept_loop() {
    bool at_cap = false; // logged once per episode, not per attempt
    // The file limit is logged at most once a minute: descriptors freed elsewhere (the database, a backup)
    // let an accept through now and then, which would otherwise log every episode anew.
    std::optional<std::chrono::steady_clock::time_point> file_limit_logged;
    std::unordered_set<std::string> refused_addresses;
    for (;;) {
        if (limits_->full()) {
            if (!at_cap)
                spdlog::warn("connection limit reached ({} open, --max-connections): new clients wait until "
                             "one leaves",
                             limits_->open());
            at_cap = true;
            capacity_.expires_at(asio::steady_timer::time_point::max());
            co_await capacity_.async_wait(asio::as_tuple(asio::use_awaitable));
            if (!acceptor_.is_open()) co_return;
            continue;
        }
        auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
        if (out_of_descriptors(ec)) {
            // Accepting again at once would fail again at once: wait for a connection to end, or a second.
            const auto now = std::chrono::steady_clock::now();
            if (!file_limit_logged || now - *file_limit_logged >= std::chrono::minutes(1)) {
                file_limit_logged = now;
                spdlog::warn("at the process's file limit ({}; {} connections open): new clients wait until "
                             "some leave; raise `ulimit -n` or lower --max-connections",
                             ec.message(), limits_->open());
            }
            capacity_.expires_after(std::chrono::seconds(1));
            co_await capacity_.async_wait(asio::as_tuple(asio::use_awaitable));
            continue;
        }
        if (ec) continue; // the client went away before we took it (ECONNABORTED and the like)
        if (at_cap) spdlog::info("accepting connections again ({} open)", limits_->open());
        at_cap = false;
        boost::system::error_code endpoint_ec;
        auto address = socket.remote_endpoint(endpoint_ec).address().to_string();
        auto slot = limits_->admit(address);
        if (!slot) {
            if (refused_addresses.insert(address).second)
                spdlog::warn("{} holds {} connections (--max-connections-per-address): further ones get 503",
                             address, limits_->open_from(address));
            asio::co_spawn(executor_, refuse_connection(std::move(socket), limits_->max_per_address()),
                           asio::detached);
            continue;
        }
        if (limits_->open_from(address) == 1) refused_addresses.erase(address);
        asio::co_spawn(executor_,
                       run_http_session(std::move(socket), bus_, options_, hub_, access_, std::move(*slot)),
                       log_session_end);
    }
}

asio::awaitable<void> server::publish_events() {
    flush_timer_ = std::make_shared<asio::steady_timer>(executor_);
    publishing_ = true;
    asio::co_spawn(executor_, flush_movies_periodically(), asio::detached);
    co_await run_mailbox(bus_.events, [this](event_message event) -> asio::awaitable<bool> {
        if (std::holds_alternative<stop_service>(event)) co_return false;
        if (const auto* change = std::get_if<catalogue_changed>(&event)) {
            // An import's writes are gathered (answers cached for up to movies_window behind it, instead of
            // every list missing the cache while it runs); any other write makes them stale at once.
            stale_answers_ = true;
            if (!change->by_import) drop_stale_answers();
            co_return true;
        }
        if (auto* movie = std::get_if<movie_event>(&event)) {
            stale_answers_ = true; // sent after the movie's write committed
            if (hub_.wants_each_movie()) hub_.broadcast_each_movie(event_frame(event));
            pending_movies_.add(movie->type, movie->id, std::move(movie->subject));
            if (pending_movies_.full()) flush_movies();
            co_return true;
        }
        if (const auto* prune = std::get_if<prune_event>(&event)) {
            for (const auto& change : prune->result.changes) {
                pending_movies_.add(change.kind, change.id, std::nullopt);
                if (hub_.wants_each_movie())
                    hub_.broadcast_each_movie(event_frame(movie_event{change.kind, change.id, std::nullopt}));
                if (pending_movies_.full()) flush_movies();
            }
        }
        // What changed before a lifecycle event reaches the clients before it.
        flush_movies();
        auto frame = event_frame(event);
        if (const auto* import = std::get_if<import_event>(&event)) {
            hub_.status_frame = frame_of({{"type", "import.status"}, {"job", to_json(import->job)}});
            hub_.broadcast(frame, import->type == import_event::kind::progress ? frame_kind::progress
                                                                               : frame_kind::lifecycle);
        } else {
            hub_.broadcast(frame, frame_kind::lifecycle);
        }
        co_return true;
    });
    publishing_ = false;
    flush_movies();
    flush_timer_->cancel();
}

asio::awaitable<void> server::flush_movies_periodically() {
    auto timer = flush_timer_;
    while (publishing_) {
        timer->expires_after(movies_window);
        auto [ec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec || !publishing_) co_return;
        flush_movies(); // drops stale answers too, with or without movies to send
    }
}

void server::drop_stale_answers() {
    if (!stale_answers_) return;
    stale_answers_ = false;
    options_.responses->invalidate();
}

void server::flush_movies() {
    // A client refetching on the frame below must not get an answer cached from before those movies.
    drop_stale_answers();
    if (pending_movies_.empty()) return;
    hub_.broadcast(frame_of(pending_movies_.take()), frame_kind::coalescable);
}

void server::stop_accepting() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    capacity_.cancel();
}

} // namespace mediabase
