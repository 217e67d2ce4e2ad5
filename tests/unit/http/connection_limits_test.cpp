#define BOOST_TEST_MODULE connection_limits
#include <boost/test/unit_test.hpp>

#include "mediabase/http/connection_limits.hpp"

#include <memory>
#include <vector>

using namespace mediabase;

BOOST_AUTO_TEST_SUITE(connection_limits_suite)

BOOST_AUTO_TEST_CASE(one_address_gets_its_share_and_no_more) {
    auto limits = std::make_shared<connection_limits>(10, 2);
    auto a = limits->admit("10.0.0.1");
    auto b = limits->admit("10.0.0.1");
    BOOST_TEST(a.has_value());
    BOOST_TEST(b.has_value());
    BOOST_TEST(!limits->admit("10.0.0.1").has_value());
    BOOST_TEST(limits->admit("10.0.0.2").has_value()); // admitted and released at once
    BOOST_TEST(limits->open() == 2u);
    BOOST_TEST(limits->open_from("10.0.0.1") == 2u);
    a.reset();
    BOOST_TEST(limits->open_from("10.0.0.1") == 1u);
    BOOST_TEST(limits->admit("10.0.0.1").has_value());
}

BOOST_AUTO_TEST_CASE(full_at_the_total_cap_and_a_release_wakes_the_waiter) {
    auto limits = std::make_shared<connection_limits>(3, 3);
    int wakes = 0;
    limits->on_release = [&] { ++wakes; };
    std::vector<connection_slot> slots;
    for (const char* address : {"a", "b", "c"})
        slots.push_back(*limits->admit(address));
    BOOST_TEST(limits->full());
    slots.pop_back();
    BOOST_TEST(!limits->full());
    BOOST_TEST(wakes == 1);
    BOOST_TEST(limits->open_from("c") == 0u);
}

BOOST_AUTO_TEST_CASE(a_moved_slot_releases_once) {
    auto limits = std::make_shared<connection_limits>(3, 3);
    {
        auto slot = *limits->admit("a");
        connection_slot moved = std::move(slot);
        connection_slot assigned;
        assigned = std::move(moved);
        BOOST_TEST(limits->open() == 1u);
    }
    BOOST_TEST(limits->open() == 0u);
    BOOST_TEST(limits->open_from("a") == 0u);
}

BOOST_AUTO_TEST_CASE(a_slot_outliving_its_owner_keeps_the_limits_alive) {
    auto limits = std::make_shared<connection_limits>(3, 3);
    auto slot = limits->admit("a");
    std::weak_ptr<connection_limits> watch = limits;
    limits.reset();
    BOOST_TEST(!watch.expired());
    slot.reset();
    BOOST_TEST(watch.expired());
}

BOOST_AUTO_TEST_SUITE_END()
