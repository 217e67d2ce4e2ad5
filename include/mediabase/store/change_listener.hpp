#pragma once
/// Hears what the other servers sharing a PostgreSQL catalogue announce (catalogue::announce_change): a
/// connection of its own, LISTENing on catalogue::change_channel. Blocking libpq calls, no Asio: the Listener
/// service waits for its socket and calls take() when it is readable.

#include "mediabase/store/database_url.hpp"

#include <string>
#include <vector>

struct pg_conn;

namespace mediabase {

class change_listener {
public:
    /// Connects to the PostgreSQL database `where` and listens. Throws std::runtime_error (without the password).
    explicit change_listener(const database_url& where);
    ~change_listener();
    change_listener(const change_listener&) = delete;
    change_listener& operator=(const change_listener&) = delete;

    /// The connection's socket: readable when announcements (or the server's goodbye) arrive. It stays the
    /// connection's: whoever waits on it must not close it.
    [[nodiscard]] int socket() const;
    /// What has arrived, oldest first, without waiting. Throws std::runtime_error when the connection is lost.
    std::vector<std::string> take();

private:
    pg_conn* connection_ = nullptr;
};

} // namespace mediabase
