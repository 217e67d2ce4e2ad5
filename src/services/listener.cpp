#include "mediabase/services/listener.hpp"

#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace mediabase {

listener::listener(bus& b, database_url where, std::string instance, asio::any_io_executor executor)
    : bus_(b), where_(std::move(where)), instance_(std::move(instance)), executor_(std::move(executor)),
      socket_(executor_), retry_(executor_) {}

asio::awaitable<void> listener::run() {
    asio::co_spawn(executor_, listen(), asio::detached);
    co_await run_mailbox(bus_.listener, [](listener_message) -> asio::awaitable<bool> { co_return false; });
    stopping_ = true;
    retry_.cancel();
    boost::system::error_code ignored;
    if (socket_.is_open()) socket_.cancel(ignored);
}

asio::awaitable<void> listener::listen() {
    auto pause = std::chrono::seconds(1);
    bool heard_before = false;
    while (!stopping_) {
        try {
            connection_ = std::make_unique<change_listener>(where_);
            socket_.assign(connection_->socket());
            if (heard_before) {
                // Announcements made while the connection was away were not heard: cached answers may be stale.
                spdlog::info("listener: hearing the other servers on {} again", where_.display());
                catalogue_changed change{false};
                co_await post(bus_.events, std::move(change));
            }
            heard_before = true;
            pause = std::chrono::seconds(1);
            while (!stopping_) {
                auto [ec] = co_await socket_.async_wait(asio::posix::descriptor_base::wait_read,
                                                        asio::as_tuple(asio::use_awaitable));
                if (stopping_) break;
                if (ec) throw std::runtime_error("waiting for other servers' changes: " + ec.message());
                bool changed = false;
                for (const auto& payload : connection_->take())
                    changed = co_await relay(payload) || changed;
                if (changed) {
                    catalogue_changed change{false};
                    co_await post(bus_.events, std::move(change));
                }
            }
        } catch (const std::exception& e) {
            if (!stopping_) spdlog::warn("listener: {}; trying again in {} s", e.what(), pause.count());
        }
        // The socket is the connection's: asio must not close it.
        if (socket_.is_open()) socket_.release();
        connection_.reset();
        if (stopping_) break;
        retry_.expires_after(pause);
        co_await retry_.async_wait(asio::as_tuple(asio::use_awaitable));
        pause = std::min(pause * 2, std::chrono::seconds(30));
    }
}

asio::awaitable<bool> listener::relay(const std::string& payload) {
    boost::system::error_code ec;
    const auto parsed = boost::json::parse(payload, ec);
    const auto* announcement = parsed.if_object();
    if (ec || !announcement) {
        spdlog::warn("listener: an announcement that is not a JSON object: {}", payload.substr(0, 200));
        co_return false;
    }
    const auto* from = announcement->if_contains("from");
    if (from && from->is_string() && from->as_string() == instance_) co_return false;
    for (const auto& [field, kind] : {std::pair{"added", change_kind::added}, std::pair{"updated", change_kind::updated},
                                      std::pair{"removed", change_kind::removed}}) {
        const auto* ids = announcement->if_contains(field);
        if (!ids || !ids->is_array()) continue;
        for (const auto& id : ids->as_array()) {
            if (!id.is_int64()) continue;
            movie_event event{kind, id.as_int64(), std::nullopt};
            co_await post(bus_.events, std::move(event));
        }
    }
    co_return true;
}

} // namespace mediabase
