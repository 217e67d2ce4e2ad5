#define BOOST_TEST_MODULE mailbox
#include <boost/test/unit_test.hpp>

#include "mediabase/runtime/mailbox.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <stdexcept>
#include <vector>

using namespace mediabase;

namespace {

struct stop_msg {
    static constexpr const char* name = "stop_msg";
};
struct number_msg {
    static constexpr const char* name = "number_msg";
    int value = 0;
};
struct double_it {
    static constexpr const char* name = "double_it";
    int value = 0;
    reply_to<int> reply;
};
struct explode {
    static constexpr const char* name = "explode";
};
using test_message = std::variant<stop_msg, number_msg, double_it, explode>;

/// A small actor: records numbers, doubles on request, throws on `explode`, stops on `stop_msg`.
struct recorder {
    mailbox<test_message>& box;
    std::vector<int> seen;
    bool finished = false;

    asio::awaitable<void> run() {
        co_await run_mailbox(box, [this](test_message m) -> asio::awaitable<bool> {
            if (std::holds_alternative<stop_msg>(m)) co_return false;
            if (auto* n = std::get_if<number_msg>(&m)) seen.push_back(n->value);
            if (auto* d = std::get_if<double_it>(&m)) d->reply(d->value * 2);
            if (std::holds_alternative<explode>(m)) throw std::runtime_error("handler bug");
            co_return true;
        });
        finished = true;
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(try_send_refuses_when_the_bound_is_reached) {
    asio::io_context io;
    mailbox<test_message> box(io.get_executor(), 2, "test");
    BOOST_TEST(box.try_send(number_msg{1}));
    BOOST_TEST(box.try_send(number_msg{2}));
    BOOST_TEST(!box.try_send(number_msg{3}));
}

BOOST_AUTO_TEST_CASE(sender_waits_while_full_and_nothing_is_lost) {
    asio::io_context io;
    mailbox<test_message> box(io.get_executor(), 1, "test");
    recorder actor{box, {}, false};
    int sent = 0;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        for (int i = 0; i < 100; ++i) {
            BOOST_REQUIRE(co_await box.send(number_msg{i}));
            ++sent;
        }
        co_await box.send(stop_msg{});
    }, asio::detached);
    // The sender can run ahead by one message only until the actor starts draining.
    io.run_one();
    io.poll();
    BOOST_TEST(sent <= 1);
    asio::co_spawn(io, actor.run(), asio::detached);
    io.run();
    BOOST_TEST(actor.finished);
    BOOST_REQUIRE_EQUAL(actor.seen.size(), 100u);
    for (int i = 0; i < 100; ++i) BOOST_TEST(actor.seen[static_cast<std::size_t>(i)] == i);
}

BOOST_AUTO_TEST_CASE(stop_is_handled_after_everything_queued_before_it) {
    asio::io_context io;
    mailbox<test_message> box(io.get_executor(), 16, "test");
    for (int i = 0; i < 5; ++i) BOOST_REQUIRE(box.try_send(number_msg{i}));
    BOOST_REQUIRE(box.try_send(stop_msg{}));
    BOOST_REQUIRE(box.try_send(number_msg{99}));
    recorder actor{box, {}, false};
    asio::co_spawn(io, actor.run(), asio::detached);
    io.run();
    BOOST_TEST(actor.finished);
    BOOST_TEST(actor.seen == (std::vector<int>{0, 1, 2, 3, 4}));
}

BOOST_AUTO_TEST_CASE(ask_returns_the_typed_reply) {
    asio::io_context io;
    mailbox<test_message> box(io.get_executor(), 4, "test");
    recorder actor{box, {}, false};
    std::optional<int> answer;
    asio::co_spawn(io, actor.run(), asio::detached);
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        answer = co_await ask<int>(box, [](reply_to<int> r) { return double_it{21, std::move(r)}; });
        co_await box.send(stop_msg{});
    }, asio::detached);
    io.run();
    BOOST_REQUIRE(answer.has_value());
    BOOST_TEST(*answer == 42);
}

BOOST_AUTO_TEST_CASE(a_request_dropped_unanswered_wakes_the_asker) {
    asio::io_context io;
    mailbox<test_message> box(io.get_executor(), 4, "test");
    bool asked = false;
    std::optional<int> answer = 7;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        answer = co_await ask<int>(box, [](reply_to<int> r) { return double_it{1, std::move(r)}; });
        asked = true;
    }, asio::detached);
    // The service takes the request and drops it (as a stopping service would).
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { (void)co_await box.receive(); }, asio::detached);
    io.run();
    BOOST_TEST(asked);
    BOOST_TEST(!answer.has_value());
}

BOOST_AUTO_TEST_CASE(ask_on_a_closed_mailbox_answers_nothing) {
    asio::io_context io;
    mailbox<test_message> box(io.get_executor(), 4, "test");
    box.close();
    std::optional<int> answer = 7;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        answer = co_await ask<int>(box, [](reply_to<int> r) { return double_it{1, std::move(r)}; });
    }, asio::detached);
    io.run();
    BOOST_TEST(!answer.has_value());
}

BOOST_AUTO_TEST_CASE(a_throwing_handler_is_logged_and_the_actor_keeps_serving) {
    asio::io_context io;
    mailbox<test_message> box(io.get_executor(), 8, "test");
    BOOST_REQUIRE(box.try_send(number_msg{1}));
    BOOST_REQUIRE(box.try_send(explode{}));
    BOOST_REQUIRE(box.try_send(number_msg{2}));
    BOOST_REQUIRE(box.try_send(stop_msg{}));
    recorder actor{box, {}, false};
    asio::co_spawn(io, actor.run(), asio::detached);
    io.run();
    BOOST_TEST(actor.finished);
    BOOST_TEST(actor.seen == (std::vector<int>{1, 2}));
}

BOOST_AUTO_TEST_CASE(close_wakes_a_blocked_sender_with_failure) {
    asio::io_context io;
    mailbox<test_message> box(io.get_executor(), 1, "test");
    BOOST_REQUIRE(box.try_send(number_msg{1}));
    std::optional<bool> delivered;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> { delivered = co_await box.send(number_msg{2}); },
                   asio::detached);
    io.poll();
    BOOST_TEST(!delivered.has_value());
    box.close();
    io.run();
    BOOST_REQUIRE(delivered.has_value());
    BOOST_TEST(!*delivered);
}
