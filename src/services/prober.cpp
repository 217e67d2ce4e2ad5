#include "mediabase/services/prober.hpp"

#include "mediabase/providers/media_probe.hpp"

#include <spdlog/spdlog.h>

namespace mediabase {

asio::awaitable<void> prober::run() {
    co_await run_mailbox(bus_.prober, [this](prober_message m) { return handle(std::move(m)); });
}

asio::awaitable<bool> prober::handle(prober_message message) {
    if (std::holds_alternative<stop_service>(message)) co_return false;
    if (stopping_.load(std::memory_order_relaxed)) co_return true;
    if (std::get<probe_files>(message).from_start) after_ = 0;
    // Awaited apart, not inside the condition: GCC 12 resumes a co_await in an if condition wrongly.
    const bool more = co_await probe_batch();
    if (more) {
        // One batch per message, so a stop or a new pass waiting in the mailbox is seen between batches. A
        // full mailbox holds requests enough to go on with.
        bus_.prober.try_send(probe_files{});
    } else if (read_ > 0) {
        spdlog::info("prober: read {} file(s), {} unreadable", read_, unreadable_);
        read_ = 0;
        unreadable_ = 0;
    }
    co_return true;
}

asio::awaitable<bool> prober::probe_batch() {
    const std::int64_t after = after_;
    auto targets = co_await ask<std::vector<probe_target>>(
        bus_.dal_reads, [after](auto r) { return get_files_to_probe{after, batch_size, std::move(r)}; });
    if (!targets || targets->empty()) co_return false;
    std::vector<probed_file> results;
    for (const auto& target : *targets) {
        if (stopping_.load(std::memory_order_relaxed)) break;
        // Blocking, on this service's own thread: bounded by the budget.
        auto info = providers::probe_media(target.path, target.stamp, budget_, &stopping_);
        if (stopping_.load(std::memory_order_relaxed)) break;
        ++read_;
        if (info.state == media_info::state_type::unreadable) {
            ++unreadable_;
            // Per file at debug: the count is in the summary line and each reason in GET /movies/ID.
            spdlog::debug("prober: cannot read {}: {}", target.path, info.error.value_or("unknown error"));
        }
        probed_file probed;
        probed.file_id = target.file_id;
        probed.info = std::move(info);
        results.push_back(std::move(probed));
        after_ = target.file_id;
    }
    if (results.empty()) co_return false;
    auto stored = co_await ask<std::int64_t>(
        bus_.dal_writes, [&results](auto r) { return store_media_info{std::move(results), std::move(r)}; });
    // Not stored (the database failed, or shutdown): this pass ends; the next one tries these files again.
    if (!stored) co_return false;
    co_return targets->size() == batch_size;
}

} // namespace mediabase
