#define BOOST_TEST_MODULE health
#include <boost/test/unit_test.hpp>

#include "test_bus.hpp"

#include "mediabase/services/health.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <optional>
#include <string>

using namespace mediabase;
namespace asio = boost::asio;

namespace {

/// A bus whose Health runs on `io`; the other mailboxes are unused.
struct fixture {
    asio::io_context io;
    bus b = mediabase::testing::make_bus(io.get_executor());
    health service{b};

    /// Runs `work` beside Health, then stops Health.
    template <class Work>
    void run(Work work) {
        asio::co_spawn(io, service.run(), asio::detached);
        asio::co_spawn(io, [&]() -> asio::awaitable<void> {
            co_await work();
            co_await b.health.send(stop_service{});
        }, asio::detached);
        io.run();
    }
};

asio::awaitable<void> report(bus& b, std::optional<std::string> failure,
                             database_proof proof = database_proof::a_write) {
    database_report message{std::move(failure), proof};
    co_await post(b.health, std::move(message));
}

} // namespace

BOOST_AUTO_TEST_CASE(a_failure_is_reported_until_a_write_goes_through) {
    fixture f;
    database_health::status failing, recovered;
    f.run([&]() -> asio::awaitable<void> {
        co_await report(f.b, std::string("database or disk is full"));
        failing = co_await database_status(f.b);
        co_await report(f.b, std::nullopt);
        recovered = co_await database_status(f.b);
    });
    BOOST_REQUIRE(failing.error.has_value());
    BOOST_TEST(*failing.error == "database or disk is full");
    BOOST_TEST(!failing.damaged);
    BOOST_TEST(failing.since.has_value());
    BOOST_TEST(!recovered.error.has_value());
    BOOST_TEST(recovered.failures == 1);
}

BOOST_AUTO_TEST_CASE(a_damaged_file_stays_reported) {
    fixture f;
    database_health::status after;
    f.run([&]() -> asio::awaitable<void> {
        co_await report(f.b, std::string("database disk image is malformed"));
        co_await report(f.b, std::nullopt);
        after = co_await database_status(f.b);
    });
    BOOST_REQUIRE(after.error.has_value());
    BOOST_TEST(after.damaged);
}

// libpq's words when the server is down; a read that went through on a new connection ends them.
BOOST_AUTO_TEST_CASE(an_unreachable_server_is_reported_until_a_request_goes_through_on_a_new_connection) {
    fixture f;
    database_health::status away, back;
    f.run([&]() -> asio::awaitable<void> {
        co_await report(f.b, std::string("cannot connect to the database postgresql://mb@/db: connection to server "
                                         "on socket \"/tmp/x/.s.PGSQL.5432\" failed: No such file or directory"));
        away = co_await database_status(f.b);
        co_await report(f.b, std::nullopt, database_proof::a_new_connection);
        back = co_await database_status(f.b);
    });
    BOOST_REQUIRE(away.error.has_value());
    BOOST_TEST(away.unavailable);
    BOOST_TEST(!away.damaged);
    BOOST_TEST(!back.error.has_value());
    BOOST_TEST(!back.unavailable);
}

BOOST_AUTO_TEST_CASE(a_new_connection_does_not_end_a_failure_of_another_kind) {
    fixture f;
    database_health::status lost, full, still_full;
    f.run([&]() -> asio::awaitable<void> {
        co_await report(f.b, std::string("server closed the connection unexpectedly"));
        lost = co_await database_status(f.b);
        co_await report(f.b, std::string("could not extend file: No space left on device"));
        full = co_await database_status(f.b);
        co_await report(f.b, std::nullopt, database_proof::a_new_connection);
        still_full = co_await database_status(f.b);
    });
    BOOST_TEST(lost.unavailable);
    BOOST_TEST(!full.unavailable); // the server answered, with its own failure
    BOOST_REQUIRE(still_full.error.has_value());
    BOOST_TEST(*still_full.error == "could not extend file: No space left on device");
    BOOST_TEST(still_full.failures == 2);
}

// The DAL reports a failure, then drops the request (its reply channel closes): the asker, woken with "no
// answer", asks Health next and must hear the cause.
BOOST_AUTO_TEST_CASE(whoever_hears_no_answer_then_hears_the_cause) {
    fixture f;
    mailbox<dal_read_message> dal{f.io.get_executor(), 1, "dal"};
    std::string problem;
    bool answered = true;
    asio::co_spawn(f.io, [&]() -> asio::awaitable<void> {
        auto request = co_await dal.receive();
        co_await report(f.b, std::string("disk I/O error"));
        request.reset(); // dropped unanswered
    }, asio::detached);
    f.run([&]() -> asio::awaitable<void> {
        auto answer = co_await ask<std::vector<import_job>>(dal, [](auto reply) {
            return list_imports{10, std::move(reply)};
        });
        answered = answer.has_value();
        problem = co_await database_problem(f.b);
    });
    BOOST_TEST(!answered);
    BOOST_TEST(problem == "disk I/O error");
}

BOOST_AUTO_TEST_CASE(without_health_the_database_is_taken_as_sound) {
    fixture f;
    f.b.health.close();
    std::string problem;
    asio::co_spawn(f.io, [&]() -> asio::awaitable<void> { problem = co_await database_problem(f.b); },
                   asio::detached);
    f.io.run();
    BOOST_TEST(problem == "the database did not answer");
}
