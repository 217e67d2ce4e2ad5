#define BOOST_TEST_MODULE watcher
#include <boost/test/unit_test.hpp>

#include "mediabase/services/change_debouncer.hpp"
#include "mediabase/services/watcher.hpp"

#include <chrono>
#include <string>
#include <vector>

using namespace mediabase;
using namespace std::chrono_literals;
using clock_type = change_debouncer::clock;

namespace {

/// A fixed origin: every time in these tests is t0 plus something.
const clock_type::time_point t0 = clock_type::time_point() + 1000h;

change_debouncer::limits test_limits() {
    change_debouncer::limits l;
    l.quiet = 1s;
    l.max_delay = 10s;
    l.write_hold = 60s;
    l.max_folders = 3;
    l.max_writes = 2;
    return l;
}

} // namespace

BOOST_AUTO_TEST_SUITE(change_debouncer_rules)

BOOST_AUTO_TEST_CASE(nothing_pending_is_never_due) {
    change_debouncer d(test_limits());
    BOOST_TEST(!d.due());
    BOOST_TEST(!d.take(t0 + 1h));
    BOOST_TEST(!d.pending());
}

BOOST_AUTO_TEST_CASE(changes_settle_after_a_quiet_period_since_the_last_one) {
    change_debouncer d(test_limits());
    d.changed("/media/A", t0);
    BOOST_TEST((d.due() == t0 + 1s));
    d.changed("/media/B", t0 + 800ms);
    BOOST_TEST((d.due() == t0 + 1800ms));
    BOOST_TEST(!d.take(t0 + 1s));
    const auto changes = d.take(t0 + 1800ms);
    BOOST_REQUIRE(changes);
    BOOST_TEST(!changes->everything);
    BOOST_TEST((changes->folders == std::vector<std::string>{"/media/A", "/media/B"}));
    BOOST_TEST(!d.pending());
    BOOST_TEST(!d.due());
}

BOOST_AUTO_TEST_CASE(repeated_changes_of_a_folder_are_coalesced) {
    change_debouncer d(test_limits());
    for (int i = 0; i < 100; ++i)
        d.changed("/media/A", t0 + std::chrono::milliseconds(i));
    const auto changes = d.take(t0 + 2s);
    BOOST_REQUIRE(changes);
    BOOST_TEST((changes->folders == std::vector<std::string>{"/media/A"}));
}

BOOST_AUTO_TEST_CASE(too_many_folders_collapse_to_everything) {
    change_debouncer d(test_limits());
    d.changed("/media/A", t0);
    d.changed("/media/B", t0);
    d.changed("/media/C", t0);
    d.changed("/media/A", t0); // already counted: still within the bound
    BOOST_TEST(!d.take(t0 + 1s)->everything);

    d.changed("/media/A", t0 + 2s);
    d.changed("/media/B", t0 + 2s);
    d.changed("/media/C", t0 + 2s);
    d.changed("/media/D", t0 + 2s);
    d.changed("/media/E", t0 + 2s);
    const auto changes = d.take(t0 + 3s);
    BOOST_REQUIRE(changes);
    BOOST_TEST(changes->everything);
    BOOST_TEST(changes->folders.empty());
}

BOOST_AUTO_TEST_CASE(lost_events_mean_everything_changed) {
    change_debouncer d(test_limits());
    d.changed("/media/A", t0);
    d.everything_changed(t0 + 100ms);
    d.changed("/media/B", t0 + 200ms);
    const auto changes = d.take(t0 + 1200ms);
    BOOST_REQUIRE(changes);
    BOOST_TEST(changes->everything);
}

BOOST_AUTO_TEST_CASE(changes_that_never_pause_are_reported_after_the_maximum_delay) {
    change_debouncer d(test_limits());
    auto now = t0;
    for (int i = 0; i < 40; ++i, now += 500ms) {
        d.changed("/media/A", now);
        if (now < t0 + 10s) BOOST_TEST(!d.take(now));
    }
    BOOST_TEST((d.due() == t0 + 10s));
    BOOST_TEST(d.take(now).has_value());
    // The next batch counts its own maximum delay from its own first change.
    d.changed("/media/B", now + 1ms);
    BOOST_TEST((d.due() == now + 1ms + 1s));
}

BOOST_AUTO_TEST_CASE(a_file_being_written_holds_changes_until_it_is_closed) {
    change_debouncer d(test_limits());
    d.write_started("/media/A/Heat.mkv", t0);
    d.changed("/media/A", t0);
    BOOST_TEST(d.writes_in_progress() == 1u);
    // No quiet period and no maximum delay while the copy runs...
    BOOST_TEST(!d.take(t0 + 5s));
    BOOST_TEST(!d.take(t0 + 30s));
    // ...until it is closed; then the quiet period counts from the close.
    d.write_finished("/media/A/Heat.mkv", t0 + 40s);
    d.changed("/media/A", t0 + 40s);
    BOOST_TEST((d.due() == t0 + 41s));
    BOOST_TEST(!d.take(t0 + 40500ms));
    const auto changes = d.take(t0 + 41s);
    BOOST_REQUIRE(changes);
    BOOST_TEST((changes->folders == std::vector<std::string>{"/media/A"}));
    BOOST_TEST(d.writes_in_progress() == 0u);
}

BOOST_AUTO_TEST_CASE(a_short_write_settles_after_the_quiet_period) {
    change_debouncer d(test_limits());
    d.write_started("/media/A/Heat.mkv", t0);
    d.changed("/media/A", t0);
    d.write_finished("/media/A/Heat.mkv", t0 + 10ms);
    d.changed("/media/A", t0 + 10ms);
    BOOST_TEST((d.due() == t0 + 1010ms));
    BOOST_TEST(d.take(t0 + 1010ms).has_value());
}

BOOST_AUTO_TEST_CASE(a_file_never_closed_holds_changes_only_up_to_the_write_hold) {
    change_debouncer d(test_limits());
    d.write_started("/media/A/stuck.mkv", t0);
    d.changed("/media/A", t0);
    BOOST_TEST((d.due() == t0 + 60s));
    BOOST_TEST(!d.take(t0 + 59s));
    BOOST_TEST(d.take(t0 + 60s).has_value());
    // It is not waited for again.
    BOOST_TEST(d.writes_in_progress() == 0u);
    d.changed("/media/A", t0 + 61s);
    BOOST_TEST((d.due() == t0 + 62s));
}

BOOST_AUTO_TEST_CASE(files_being_written_are_bounded) {
    change_debouncer d(test_limits());
    d.write_started("/media/A/1.mkv", t0);
    d.write_started("/media/A/2.mkv", t0);
    d.write_started("/media/A/3.mkv", t0);
    d.changed("/media/A", t0);
    BOOST_TEST(d.writes_in_progress() == 2u);
    d.write_finished("/media/A/1.mkv", t0 + 1s);
    d.write_finished("/media/A/2.mkv", t0 + 1s);
    // The third was never tracked, so it does not hold the changes.
    BOOST_TEST((d.due() == t0 + 2s));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(filesystem_types)

BOOST_AUTO_TEST_CASE(network_and_fuse_file_systems_cannot_be_watched) {
    BOOST_TEST(unwatchable_filesystem(0x6969).value_or("") == "nfs");
    BOOST_TEST(unwatchable_filesystem(0xFF534D42).value_or("") == "cifs");
    BOOST_TEST(unwatchable_filesystem(0xFE534D42).value_or("") == "smb2");
    BOOST_TEST(unwatchable_filesystem(0x517B).value_or("") == "smb");
    BOOST_TEST(unwatchable_filesystem(0x65735546).value_or("") == "fuse");
    BOOST_TEST(unwatchable_filesystem(0x01021997).value_or("") == "9p");
}

BOOST_AUTO_TEST_CASE(local_file_systems_can_be_watched) {
    BOOST_TEST(!unwatchable_filesystem(0xEF53));     // ext4
    BOOST_TEST(!unwatchable_filesystem(0x58465342)); // xfs
    BOOST_TEST(!unwatchable_filesystem(0x9123683E)); // btrfs
    BOOST_TEST(!unwatchable_filesystem(0x01021994)); // tmpfs
    BOOST_TEST(!unwatchable_filesystem(0x794C7630)); // overlayfs
}

BOOST_AUTO_TEST_SUITE_END()
