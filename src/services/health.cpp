#include "mediabase/services/health.hpp"

namespace mediabase {

asio::awaitable<void> health::run() {
    co_await run_mailbox(bus_.health, [this](health_message message) -> asio::awaitable<bool> {
        if (std::holds_alternative<stop_service>(message)) co_return false;
        if (auto* report = std::get_if<database_report>(&message)) {
            if (report->failure)
                database_.failed(*report->failure);
            else if (report->proof == database_proof::a_write)
                database_.succeeded();
            else
                database_.reached_again();
        } else if (auto* ask = std::get_if<get_database_health>(&message)) {
            ask->reply(database_.get());
        }
        co_return true;
    });
}

} // namespace mediabase
