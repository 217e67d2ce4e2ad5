#pragma once
/// Health: keeps what the DAL's threads report of the database, and answers who asks (the Server for
/// `/healthz` and a 503's cause, Core for a failed import's). It lives on the network thread and never waits
/// on the database, so asking it is quick even while the DAL is stuck in a long write.

#include "mediabase/runtime/bus.hpp"

namespace mediabase {

class health {
public:
    explicit health(bus& b) : bus_(b) {}
    /// Serves `bus.health` until stop_service.
    asio::awaitable<void> run();

private:
    bus& bus_;
    database_health database_;
};

} // namespace mediabase
