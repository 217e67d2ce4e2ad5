#pragma once
// One HTTP connection: reads requests with a timeout and a body limit, answers them through rest_api, and
// hands /api/v1/events upgrades to a websocket_session.

#include "mediabase/http/server.hpp"

#include <boost/asio/ip/tcp.hpp>

namespace mediabase {

asio::awaitable<void> run_http_session(asio::ip::tcp::socket socket, bus& b, const server_options& options,
                                       event_hub& hub, access_state& access, connection_slot slot);

} // namespace mediabase
