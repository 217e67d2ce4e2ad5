#pragma once
/// Listener: on a catalogue several servers share (PostgreSQL), hears what the others changed and tells this
/// server's Events, as movie_event (one per movie) and catalogue_changed: its WebSocket clients get the same
/// `movies.changed` frames as for a local import, and its cached answers are dropped. A connection of its own
/// (LISTEN), read when its socket is readable; lost, it connects again with a growing pause (1 s to 30 s) and
/// then drops the cached answers, since what was announced meanwhile was not heard.

#include "mediabase/runtime/bus.hpp"
#include "mediabase/store/change_listener.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <string>

namespace mediabase {

class listener {
public:
    /// `instance`: what this process's DAL signs its announcements with (dal_writer::announce_as): skipped.
    listener(bus& b, database_url where, std::string instance, asio::any_io_executor executor);
    /// Listens until stop_service.
    asio::awaitable<void> run();

private:
    asio::awaitable<void> listen();
    /// Posts what one announcement says to Events; false when it is this process's own or not one.
    asio::awaitable<bool> relay(const std::string& payload);

    bus& bus_;
    database_url where_;
    std::string instance_;
    asio::any_io_executor executor_;
    std::unique_ptr<change_listener> connection_;
    asio::posix::stream_descriptor socket_;
    asio::steady_timer retry_;
    bool stopping_ = false;
};

} // namespace mediabase
