// The mailbox against a raw concurrent_channel (issue 13): messages per second through each, one producer and
// one consumer coroutine on one thread, the same capacity. The mailbox adds the variant, run_mailbox's loop
// and its handler coroutine; this measures what that costs.
//
//   build/bench/mailbox_bench [MESSAGES] [ROUNDS]      (defaults: 2,000,000 and 3; best round each)

#include "mediabase/runtime/mailbox.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>

using namespace mediabase;

namespace {

struct stop_message {
    static constexpr const char* name = "stop";
};
struct work_message {
    static constexpr const char* name = "work";
    std::int64_t value = 0;
};
using bench_message = std::variant<stop_message, work_message>;

constexpr std::size_t capacity = 64;

double mailbox_rate(std::int64_t count) {
    asio::io_context ctx{1};
    mailbox<bench_message> box(ctx.get_executor(), capacity, "bench");
    std::int64_t sum = 0;
    asio::co_spawn(ctx, run_mailbox(box, [&](bench_message m) -> asio::awaitable<bool> {
        if (auto* w = std::get_if<work_message>(&m)) {
            sum += w->value;
            co_return true;
        }
        co_return false;
    }), asio::detached);
    asio::co_spawn(ctx, [&]() -> asio::awaitable<void> {
        for (std::int64_t i = 0; i < count; ++i) {
            work_message m{i};
            co_await post(box, std::move(m));
        }
        stop_message s;
        co_await post(box, std::move(s));
    }, asio::detached);
    const auto started = std::chrono::steady_clock::now();
    ctx.run();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    if (sum != count * (count - 1) / 2) std::abort();
    return static_cast<double>(count) / took.count();
}

double channel_rate(std::int64_t count) {
    asio::io_context ctx{1};
    asio::experimental::concurrent_channel<void(error_code, std::int64_t)> channel(ctx.get_executor(), capacity);
    std::int64_t sum = 0;
    asio::co_spawn(ctx, [&]() -> asio::awaitable<void> {
        for (std::int64_t i = 0; i < count; ++i) {
            auto [ec, v] = co_await channel.async_receive(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            sum += v;
        }
    }, asio::detached);
    asio::co_spawn(ctx, [&]() -> asio::awaitable<void> {
        for (std::int64_t i = 0; i < count; ++i)
            co_await channel.async_send(error_code{}, i, asio::as_tuple(asio::use_awaitable));
    }, asio::detached);
    const auto started = std::chrono::steady_clock::now();
    ctx.run();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    if (sum != count * (count - 1) / 2) std::abort();
    return static_cast<double>(count) / took.count();
}

} // namespace

int main(int argc, char** argv) {
    const std::int64_t count = argc > 1 ? std::atoll(argv[1]) : 2'000'000;
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
    double best_mailbox = 0, best_channel = 0;
    for (int r = 0; r < rounds; ++r) {
        // Interleaved, best of N: a busy machine does not favour whichever ran in a quiet moment.
        best_channel = std::max(best_channel, channel_rate(count));
        best_mailbox = std::max(best_mailbox, mailbox_rate(count));
    }
    std::printf("raw_channel %.0f msg/s\nmailbox %.0f msg/s\nratio %.3f\n", best_channel, best_mailbox,
                best_mailbox / best_channel);
    return 0;
}
