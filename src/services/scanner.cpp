#include "mediabase/services/scanner.hpp"

#include "mediabase/naming/library_walk.hpp"

namespace mediabase {

/// Movies per message to Core: large enough to keep the hop cost negligible, small enough for live progress.
constexpr std::size_t movies_per_batch = 1024;

asio::awaitable<void> scanner::run() {
    co_await run_mailbox(bus_.scanner, [this](scanner_message m) { return handle(std::move(m)); });
}

asio::awaitable<bool> scanner::handle(scanner_message message) {
    if (std::holds_alternative<stop_service>(message)) co_return false;
    co_await walk(std::get<scan_request>(message));
    co_return true;
}

asio::awaitable<void> scanner::walk(scan_request& request) {
    library_walk walker({request.roots, request.extensions, request.known, request.stop});
    walk_batch batch;
    while (walker.next(batch, movies_per_batch)) {
        if (request.gate) {
            // An online import: wait until Core has sent the batches before this one on their way.
            auto [ec] = co_await request.gate->async_receive(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return; // shutdown
        }
        movies_found found{request.job,          std::move(batch.movies), std::move(batch.moves),
                           batch.unchanged_movies, batch.current,           request.gate,
                           walker.totals().folders};
        // The walk waits while Core is busy (back-pressure); a closed mailbox means shutdown.
        if (!co_await post(bus_.core, std::move(found))) co_return;
        batch = walk_batch{};
    }
    const auto& totals = walker.totals();
    scan_finished finished;
    finished.job = request.job;
    finished.summary = {totals.folders,    totals.video_files,   totals.unchanged_files, totals.extras,
                        totals.unreadable, totals.missing_roots, totals.cancelled,     totals.moved_files,
                        totals.failures,   std::nullopt};
    co_await post(bus_.core, std::move(finished));
}

} // namespace mediabase
