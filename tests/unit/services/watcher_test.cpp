#define BOOST_TEST_MODULE watcher
#include <boost/test/unit_test.hpp>

#include "test_bus.hpp"

#include "mediabase/services/change_debouncer.hpp"
#include "mediabase/services/inotify_events.hpp"
#include "mediabase/services/watcher.hpp"

#include <sys/inotify.h>

#include "temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

using namespace mediabase;
using namespace std::chrono_literals;
using clock_type = change_debouncer::clock;
using mediabase::testing::temp_dir;
namespace asio = boost::asio;
using boost::system::error_code;

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

namespace mediabase {
struct watcher_test_access {
    static void read(watcher& w, const std::vector<char>& bytes) {
        w.on_events(bytes.data(), bytes.size(), change_debouncer::clock::now());
        w.deliver_timer_.cancel();
    }
};
} // namespace mediabase

namespace {

/// The bytes the kernel writes for one event: the header, then the name padded with NULs to `padded` bytes.
void append_record(std::vector<char>& out, int wd, std::uint32_t mask, std::string_view name,
                   std::uint32_t padded = 0) {
    inotify_event header{};
    header.wd = wd;
    header.mask = mask;
    header.len = name.empty() ? 0 : std::max<std::uint32_t>(padded, static_cast<std::uint32_t>(name.size()) + 1);
    const auto at = out.size();
    out.resize(at + sizeof header + header.len, '\0');
    std::memcpy(out.data() + at, &header, sizeof header);
    std::memcpy(out.data() + at + sizeof header, name.data(), name.size());
}

} // namespace

BOOST_AUTO_TEST_SUITE(inotify_records)

BOOST_AUTO_TEST_CASE(an_overflow_among_other_records_is_read_and_means_events_were_lost) {
    std::vector<char> bytes;
    append_record(bytes, 3, IN_CREATE, "Alien (1979).mkv", 32);
    append_record(bytes, -1, IN_Q_OVERFLOW, ""); // the kernel's overflow record: no watch, no name
    append_record(bytes, 4, IN_CREATE | IN_ISDIR, "Extras", 16);
    const auto records = decode_inotify(bytes);
    BOOST_REQUIRE_EQUAL(records.size(), 3u);
    BOOST_TEST(records[0].name == "Alien (1979).mkv");
    BOOST_TEST(records[0].wd == 3);
    BOOST_TEST(records[1].wd == -1);
    BOOST_TEST(records[1].name.empty());
    BOOST_TEST(records[2].name == "Extras");
    BOOST_TEST((classify_inotify(records[0]) == inotify_meaning::file_entry));
    BOOST_TEST((classify_inotify(records[1]) == inotify_meaning::events_lost));
    BOOST_TEST((classify_inotify(records[2]) == inotify_meaning::folder_entry));
}

BOOST_AUTO_TEST_CASE(a_truncated_record_is_not_read_past_the_buffer) {
    std::vector<char> bytes;
    append_record(bytes, 3, IN_CLOSE_WRITE, "a.mkv", 16);
    append_record(bytes, 3, IN_CLOSE_WRITE, "b.mkv", 16);
    bytes.resize(bytes.size() - 4); // the second name cut short
    const auto records = decode_inotify(bytes);
    BOOST_REQUIRE_EQUAL(records.size(), 1u);
    BOOST_TEST(records[0].name == "a.mkv");
    BOOST_TEST(decode_inotify(std::span<const char>(bytes.data(), 5)).empty());
}

BOOST_AUTO_TEST_CASE(folder_events_are_told_apart) {
    BOOST_TEST((classify_inotify({1, IN_IGNORED, ""}) == inotify_meaning::watch_dropped));
    BOOST_TEST((classify_inotify({1, IN_UNMOUNT, ""}) == inotify_meaning::folder_gone));
    BOOST_TEST((classify_inotify({1, IN_DELETE_SELF, ""}) == inotify_meaning::folder_gone));
    BOOST_TEST((classify_inotify({1, IN_MOVE_SELF, ""}) == inotify_meaning::folder_gone));
    BOOST_TEST((classify_inotify({1, IN_MOVED_FROM | IN_ISDIR, "Old"}) == inotify_meaning::folder_entry));
    BOOST_TEST((classify_inotify({1, IN_DELETE, "x.mkv"}) == inotify_meaning::file_entry));
    BOOST_TEST((classify_inotify({1, IN_CLOSE_WRITE, ""}) == inotify_meaning::nothing));
}

BOOST_AUTO_TEST_CASE(an_overflow_read_by_the_watcher_makes_core_rescan_every_root) {
    // The real watcher on an event loop, watching two roots; the overflow record is handed to it as if read
    // from its descriptor. Core must then be told of every root, not of the folders seen before the loss.
    temp_dir dir;
    const auto root_a = dir.path / "A";
    const auto root_b = dir.path / "B";
    std::filesystem::create_directories(root_a / "Alien (1979)");
    std::filesystem::create_directories(root_b);
    asio::io_context io;
    bus b = mediabase::testing::make_bus(io.get_executor());
    watch_folders folders;
    folders.roots = {root_a.string(), root_b.string()};
    folders.extensions = {".mkv"};
    folders.rescan_interval_seconds = 0;
    watcher service(b, folders, io.get_executor());

    std::optional<changes_detected> told;
    asio::co_spawn(io, service.run(), asio::detached);
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        // The watches are in place once the watcher answers its mailbox.
        auto status = co_await ask<watch_status>(b.watcher, [](auto r) { return get_watch_status{std::move(r)}; });
        BOOST_REQUIRE(status);
        BOOST_TEST(status->watching);
        std::vector<char> bytes;
        append_record(bytes, -1, IN_Q_OVERFLOW, "");
        watcher_test_access::read(service, bytes);
        // Delivered after the quiet period (1 s); a bounded wait in case it never is.
        asio::steady_timer limit(io, 60s);
        limit.async_wait([&](error_code ec) {
            if (!ec) b.core.close();
        });
        auto message = co_await b.core.receive();
        limit.cancel();
        if (message) {
            if (auto* changes = std::get_if<changes_detected>(&*message)) told = std::move(*changes);
        }
        co_await b.watcher.send(stop_service{});
    }, asio::detached);
    io.run();
    BOOST_REQUIRE(told.has_value());
    BOOST_TEST(!told->periodic);
    BOOST_TEST((told->folders == folders.roots));
}

BOOST_AUTO_TEST_SUITE_END()

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
