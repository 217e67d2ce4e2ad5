#include "mediabase/server.hpp"

#include "http_session.hpp"
#include "websocket_session.hpp"

#include "mediabase/movie_json.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>

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
    return std::make_shared<const std::string>(json::serialize(object));
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
    return {{"checked", result.checked},
            {"removed", std::move(removed)},
            {"removed_files", std::move(paths)},
            {"skipped_roots", std::move(skipped)},
            {"art_removed", result.art_removed}};
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
            if (e.subject) frame["movie"] = to_json(*e.subject);
            return frame_of(frame);
        }
        std::shared_ptr<const std::string> operator()(const prune_event& e) const {
            return frame_of({{"type", "prune.finished"}, {"result", to_json(e.result)}});
        }
        std::shared_ptr<const std::string> operator()(const error_event& e) const {
            return frame_of({{"type", "error"}, {"message", e.message}});
        }
    };
    return std::visit(visitor{}, event);
}

server::server(bus& b, asio::any_io_executor executor, server_options options)
    : bus_(b), executor_(std::move(executor)), options_(std::move(options)), acceptor_(executor_) {
    hub_.status_frame = frame_of({{"type", "import.status"}, {"job", to_json(import_job{})}});
}

server::~server() = default;

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

asio::awaitable<void> server::accept_loop() {
    for (;;) {
        auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
        if (ec) continue; // e.g. too many open files: keep accepting
        asio::co_spawn(executor_, run_http_session(std::move(socket), bus_, options_, hub_), asio::detached);
    }
}

asio::awaitable<void> server::publish_events() {
    flush_timer_ = std::make_shared<asio::steady_timer>(executor_);
    publishing_ = true;
    asio::co_spawn(executor_, flush_movies_periodically(), asio::detached);
    co_await run_mailbox(bus_.events, [this](event_message event) -> asio::awaitable<bool> {
        if (std::holds_alternative<stop_service>(event)) co_return false;
        if (const auto* movie = std::get_if<movie_event>(&event)) {
            pending_movies_.add(movie->type, movie->id, movie->subject);
            if (hub_.wants_each_movie()) hub_.broadcast_each_movie(event_frame(event));
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
        flush_movies();
    }
}

void server::flush_movies() {
    if (pending_movies_.empty()) return;
    hub_.broadcast(frame_of(pending_movies_.take()), frame_kind::coalescable);
}

void server::stop_accepting() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
}

} // namespace mediabase
