#pragma once
/// Scanner: walks the media folders on its own thread and streams what it finds to Core.

#include "mediabase/runtime/bus.hpp"

namespace mediabase {

class scanner {
public:
    explicit scanner(bus& b) : bus_(b) {}
    /// Serves `bus.scanner` until stop_service.
    asio::awaitable<void> run();

private:
    asio::awaitable<bool> handle(scanner_message message);
    asio::awaitable<void> walk(scan_request& request);
    bus& bus_;
};

} // namespace mediabase
