#define BOOST_TEST_MODULE login_throttle
#include <boost/test/unit_test.hpp>

#include "mediabase/http/login_throttle.hpp"

using namespace mediabase;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(login_throttle_suite)

BOOST_AUTO_TEST_CASE(five_failures_are_free_then_the_lockout_doubles_up_to_fifteen_minutes) {
    login_throttle throttle;
    const login_throttle::clock::time_point start{};
    auto now = start;
    for (int i = 0; i < 5; ++i) {
        BOOST_TEST(!throttle.wait_before("10.0.0.1", "ann", now));
        throttle.failed("10.0.0.1", "ann", now);
    }
    BOOST_TEST(!throttle.wait_before("10.0.0.1", "ann", now));
    throttle.failed("10.0.0.1", "ann", now); // the sixth: 1 s
    BOOST_TEST(throttle.wait_before("10.0.0.1", "ann", now)->count() == 1);
    now += 1s;
    BOOST_TEST(!throttle.wait_before("10.0.0.1", "ann", now));
    throttle.failed("10.0.0.1", "ann", now); // 2 s
    BOOST_TEST(throttle.wait_before("10.0.0.1", "ann", now)->count() == 2);
    for (int i = 0; i < 20; ++i) {
        now += 14min; // within the forgetting window
        throttle.failed("10.0.0.1", "ann", now);
    }
    BOOST_TEST(throttle.wait_before("10.0.0.1", "ann", now)->count() == 900);
}

BOOST_AUTO_TEST_CASE(another_address_guessing_the_same_account_is_slowed_too_and_so_is_the_address) {
    login_throttle throttle;
    login_throttle::clock::time_point now{};
    for (int i = 0; i < 6; ++i) throttle.failed("10.0.0." + std::to_string(i), "Ann", now);
    // Six addresses, one failure each: the account is locked out, whoever asks.
    BOOST_TEST(throttle.wait_before("10.0.0.99", "ann", now).has_value());
    BOOST_TEST(!throttle.wait_before("10.0.0.99", "bob", now));
    for (int i = 0; i < 6; ++i) throttle.failed("10.0.0.7", "user" + std::to_string(i), now);
    BOOST_TEST(throttle.wait_before("10.0.0.7", "someone-else", now).has_value());
}

BOOST_AUTO_TEST_CASE(success_clears_and_old_failures_are_forgotten) {
    login_throttle throttle;
    login_throttle::clock::time_point now{};
    for (int i = 0; i < 5; ++i) throttle.failed("10.0.0.1", "ann", now);
    throttle.succeeded("10.0.0.1", "ann");
    throttle.failed("10.0.0.1", "ann", now);
    BOOST_TEST(!throttle.wait_before("10.0.0.1", "ann", now));
    for (int i = 0; i < 4; ++i) throttle.failed("10.0.0.1", "ann", now);
    now += 16min;
    throttle.failed("10.0.0.1", "ann", now); // counted from one again
    BOOST_TEST(!throttle.wait_before("10.0.0.1", "ann", now));
}

BOOST_AUTO_TEST_CASE(trying_while_locked_out_lengthens_the_lockout) {
    login_throttle throttle;
    login_throttle::clock::time_point now{};
    for (int i = 0; i < 6; ++i) throttle.failed("10.0.0.1", "ann", now);
    BOOST_TEST(throttle.wait_before("10.0.0.1", "ann", now)->count() == 1);
    // The server reports an attempt refused with 429 as a failure.
    throttle.failed("10.0.0.1", "ann", now);
    throttle.failed("10.0.0.1", "ann", now);
    BOOST_TEST(throttle.wait_before("10.0.0.1", "ann", now)->count() == 4);
}

BOOST_AUTO_TEST_CASE(tracking_is_bounded) {
    login_throttle throttle;
    login_throttle::clock::time_point now{};
    for (std::size_t i = 0; i < login_throttle::max_entries; ++i) throttle.failed("10.1." + std::to_string(i), "x", now);
    BOOST_TEST(throttle.tracked() <= login_throttle::max_entries);
}

BOOST_AUTO_TEST_SUITE_END()
