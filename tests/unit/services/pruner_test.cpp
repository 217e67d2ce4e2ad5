#define BOOST_TEST_MODULE pruner
#include <boost/test/unit_test.hpp>

#include "test_bus.hpp"

#include "mediabase/services/cache.hpp"
#include "mediabase/services/dal.hpp"
#include "mediabase/services/health.hpp"
#include "mediabase/naming/library_walk.hpp"
#include "mediabase/services/pruner.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <fstream>

#include "temp_dir.hpp"

using namespace mediabase;
using mediabase::testing::temp_dir;
namespace fs = std::filesystem;

namespace {

media_file write_file(const fs::path& root, const std::string& relative) {
    const auto path = root / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << "video";
    media_file f;
    f.path = path.string();
    f.root = root.string();
    f.stamp = {5, 1};
    return f;
}

found_movie movie_with(const std::string& title, int year, media_file file) {
    found_movie m;
    m.title = title;
    m.year = year;
    m.files.push_back(std::move(file));
    return m;
}

/// The DAL, the Cache and the Pruner on one event loop, over a temp catalogue and art dir.
struct prune_fixture {
    temp_dir dir;
    asio::io_context io;
    settings config; // no keys: the Cache only needs the disk here
    metadata_source source{io.get_executor(), config};
    catalogue writer_db = catalogue::open(dir.path / "db" / "mediabase.db");
    catalogue reader_db = catalogue::open(dir.path / "db" / "mediabase.db");
    bus b = mediabase::testing::make_bus(io.get_executor());
    health monitor{b};
    dal_writer writer{b, writer_db};
    dal_reader reader{b, reader_db};
    pruner service{b};
    cache art{b, source, dir.path / "art", io.get_executor(), io.get_executor(), 2};

    prune_result prune(std::vector<std::string> roots, prune_mode mode = prune_mode::manual) {
        auto results = prunes(std::move(roots), {mode});
        return results.front();
    }

    /// Several prunes, one after the other, by one Pruner (a confirm needs the hold of the prune before it).
    /// The Pruner tells Core of each hold (prune_hold_changed): the core mailbox (8) holds those of a test.
    std::vector<prune_result> prunes(std::vector<std::string> roots, std::vector<prune_mode> modes) {
        std::vector<prune_result> results;
        asio::co_spawn(io, monitor.run(), asio::detached);
        asio::co_spawn(io, writer.run(), asio::detached);
        asio::co_spawn(io, reader.run(), asio::detached);
        asio::co_spawn(io, service.run(), asio::detached);
        asio::co_spawn(io, art.run(), asio::detached);
        asio::co_spawn(io, [&]() -> asio::awaitable<void> {
            for (const auto mode : modes) {
                auto result = co_await ask<prune_result>(
                    b.pruner, [&](auto r) { return prune_request{roots, std::move(r), {}, mode}; });
                if (result) results.push_back(std::move(*result));
            }
            co_await b.pruner.send(stop_service{});
            co_await b.cache.send(stop_service{});
            co_await b.dal_reads.send(stop_service{});
            co_await b.dal_writes.send(stop_service{});
            co_await b.health.send(stop_service{});
        }, asio::detached);
        io.run();
        BOOST_REQUIRE_EQUAL(results.size(), modes.size());
        return results;
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(a_missing_root_is_unsafe_to_prune) {
    temp_dir dir;
    const auto reason = root_unsafe_to_prune((dir.path / "unmounted").string(), default_extensions());
    BOOST_REQUIRE(reason.has_value());
    BOOST_TEST(reason->find("missing") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_empty_root_is_unsafe_to_prune) {
    temp_dir dir;
    const auto reason = root_unsafe_to_prune(dir.path.string(), default_extensions());
    BOOST_REQUIRE(reason.has_value());
    BOOST_TEST(reason->find("empty") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_root_with_content_can_be_pruned) {
    temp_dir dir;
    write_file(dir.path, "a.mkv");
    BOOST_TEST(!root_unsafe_to_prune(dir.path.string(), default_extensions()).has_value());
}

BOOST_AUTO_TEST_CASE(only_a_missing_file_counts_as_vanished) {
    temp_dir dir;
    const auto f = write_file(dir.path, "a.mkv");
    BOOST_TEST(!file_vanished(f.path));
    BOOST_TEST(file_vanished((dir.path / "b.mkv").string()));
    BOOST_TEST(file_vanished((dir.path / "a.mkv" / "not-a-folder.mkv").string()));
}

BOOST_AUTO_TEST_CASE(prune_removes_movies_whose_files_vanished) {
    prune_fixture fx;
    const auto root = fx.dir.path / "movies";
    auto heat = write_file(root, "Heat (1995)/Heat (1995).mkv");
    auto alien = write_file(root, "Alien (1979)/Alien (1979).mkv");
    std::vector<found_movie> batch{movie_with("Heat", 1995, heat), movie_with("Alien", 1979, alien)};
    fx.writer_db.store_found(batch);
    fs::remove(heat.path);

    const auto result = fx.prune({root.string()});
    BOOST_TEST(result.checked == 2);
    BOOST_REQUIRE_EQUAL(result.removed_paths.size(), 1u);
    BOOST_TEST(result.removed_paths[0] == heat.path);
    BOOST_TEST(result.skipped_roots.empty());
    BOOST_TEST(fx.reader_db.movie_count() == 1);
}

BOOST_AUTO_TEST_CASE(prune_keeps_movies_when_root_is_missing) {
    prune_fixture fx;
    const auto root = fx.dir.path / "usb-drive";
    auto heat = write_file(root, "Heat (1995)/Heat (1995).mkv");
    std::vector<found_movie> batch{movie_with("Heat", 1995, heat)};
    fx.writer_db.store_found(batch);
    fs::remove_all(root); // the drive is unplugged

    const auto result = fx.prune({root.string()});
    BOOST_TEST(result.removed_paths.empty());
    BOOST_REQUIRE_EQUAL(result.skipped_roots.size(), 1u);
    BOOST_TEST(result.skipped_roots[0].root == root.string());
    BOOST_TEST(fx.reader_db.movie_count() == 1);
}

BOOST_AUTO_TEST_CASE(prune_keeps_movies_when_root_is_empty) {
    prune_fixture fx;
    const auto root = fx.dir.path / "mountpoint";
    auto heat = write_file(root, "Heat (1995)/Heat (1995).mkv");
    std::vector<found_movie> batch{movie_with("Heat", 1995, heat)};
    fx.writer_db.store_found(batch);
    fs::remove_all(root / "Heat (1995)"); // an empty mount point left by an unmounted drive

    const auto result = fx.prune({root.string()});
    BOOST_TEST(result.removed_paths.empty());
    BOOST_REQUIRE_EQUAL(result.skipped_roots.size(), 1u);
    BOOST_TEST(result.skipped_roots[0].reason.find("empty") != std::string::npos);
    BOOST_TEST(fx.reader_db.movie_count() == 1);
}

BOOST_AUTO_TEST_CASE(prune_removes_the_art_of_removed_movies_but_not_shared_images) {
    prune_fixture fx;
    const auto root = fx.dir.path / "movies";
    auto heat = write_file(root, "Heat (1995)/Heat (1995).mkv");
    auto alien = write_file(root, "Alien (1979)/Alien (1979).mkv");
    std::vector<found_movie> batch{movie_with("Heat", 1995, heat), movie_with("Alien", 1979, alien)};
    const auto stored = fx.writer_db.store_found(batch);
    BOOST_REQUIRE_EQUAL(stored.ids.size(), 2u);
    const auto image = [](const std::string& text) { return std::string("\xFF\xD8\xFF", 3) + text; };
    const auto heat_poster = std::get<std::string>(store_image(fx.dir.path / "art", image("heat poster")));
    const auto shared = std::get<std::string>(store_image(fx.dir.path / "art", image("one backdrop for both")));
    const auto alien_poster = std::get<std::string>(store_image(fx.dir.path / "art", image("alien poster")));
    std::vector<art_update> art{{stored.ids[0], heat_poster, shared, false},
                                {stored.ids[1], alien_poster, shared, false}};
    BOOST_REQUIRE_EQUAL(fx.writer_db.store_art(art), 2);
    fs::remove(heat.path);

    const auto result = fx.prune({root.string()});
    BOOST_TEST(result.art_removed == 1);
    BOOST_TEST(!fs::exists(fx.dir.path / "art" / heat_poster));
    BOOST_TEST(fs::exists(fx.dir.path / "art" / shared), "Alien still shows the shared backdrop");
    BOOST_TEST(fs::exists(fx.dir.path / "art" / alien_poster));
}

BOOST_AUTO_TEST_CASE(prune_that_removes_no_movie_leaves_the_art_alone) {
    prune_fixture fx;
    const auto root = fx.dir.path / "movies";
    auto heat = write_file(root, "Heat (1995)/Heat (1995).mkv");
    std::vector<found_movie> batch{movie_with("Heat", 1995, heat)};
    fx.writer_db.store_found(batch);
    // An image no movie uses: only a sweep would take it, and nothing was removed to call for one.
    const auto unused = std::get<std::string>(store_image(fx.dir.path / "art", std::string("\xFF\xD8\xFFx", 4)));

    const auto result = fx.prune({root.string()});
    BOOST_TEST(result.removed_paths.empty());
    BOOST_TEST(result.art_removed == 0);
    BOOST_TEST(fs::exists(fx.dir.path / "art" / unused));
}

// ---- the failsafe (issue 9): what the walk would find decides, and automatic prunes take a bounded share ----

BOOST_AUTO_TEST_CASE(a_root_holding_only_lost_found_ds_store_and_empty_folders_is_unsafe) {
    temp_dir dir;
    fs::create_directories(dir.path / "lost+found");
    fs::create_directories(dir.path / "Empty folder");
    std::ofstream(dir.path / ".DS_Store") << "finder";
    std::ofstream(dir.path / "Empty folder" / "poster.jpg") << "art without a movie";
    const auto reason = root_unsafe_to_prune(dir.path.string(), default_extensions());
    BOOST_REQUIRE(reason.has_value());
    BOOST_TEST(reason->find("no video files") != std::string::npos);
    BOOST_TEST(folder_has_entries((dir.path / "lost+found").string()).value_or(true) == false);
}

BOOST_AUTO_TEST_CASE(a_video_deep_below_the_root_or_a_disc_makes_it_safe) {
    temp_dir dir;
    write_file(dir.path, "disk1/Heat (1995)/BDMV/index.bdmv");
    BOOST_TEST(!root_unsafe_to_prune(dir.path.string(), {"mkv"}).has_value());
    BOOST_TEST(folder_yields_video((dir.path / "nowhere").string(), {"mkv"}).value_or(true) == false);
}

namespace {

/// A root of catalogued files for plan_root_prune: "<root>/<folder>/<name>.mkv", one movie each unless
/// told otherwise.
struct planned_root {
    std::string root = "/media/R";
    std::vector<catalogued_file> files;
    std::set<std::string> gone;          ///< paths that vanished
    std::set<std::string> empty_folders; ///< folders that yield no video (an empty mount point)

    movie_id add(const std::string& relative, movie_id movie = 0) {
        if (movie == 0) movie = static_cast<movie_id>(files.size()) + 1;
        files.push_back({static_cast<std::int64_t>(files.size()) + 1, root + "/" + relative, movie});
        return movie;
    }
    root_prune_plan plan(bool automatic) const {
        return plan_root_prune(
            root, files, [&](const std::string& p) { return gone.contains(p); },
            [&](const std::string& f) -> std::optional<bool> {
                if (empty_folders.contains(f)) return false;
                // A folder yields video when some file below it is still there.
                return std::any_of(files.begin(), files.end(), [&](const catalogued_file& c) {
                    return c.path.starts_with(f + "/") && !gone.contains(c.path);
                });
            },
            automatic);
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(one_deleted_movie_is_removed_even_when_its_folder_keeps_an_nfo) {
    planned_root r;
    for (int i = 0; i < 50; ++i) r.add("Movie " + std::to_string(i) + "/Movie " + std::to_string(i) + ".mkv");
    r.gone.insert(r.files[7].path);
    r.empty_folders.insert(r.root + "/Movie 7"); // movie.nfo and poster.jpg remain beside nothing
    const auto plan = r.plan(true);
    BOOST_REQUIRE_EQUAL(plan.remove.size(), 1u);
    BOOST_TEST(plan.remove[0] == 7u);
    BOOST_TEST(plan.held.empty());
}

BOOST_AUTO_TEST_CASE(an_unmounted_sub_drive_is_held_not_removed_even_when_asked) {
    planned_root r;
    for (int i = 0; i < 5; ++i) r.add("disk1/Film " + std::to_string(i) + " (2001)/film.mkv");
    for (int i = 0; i < 3; ++i) r.add("disk1/Flat " + std::to_string(i) + ".mkv"); // files on the drive's top level
    for (int i = 0; i < 5; ++i) r.add("disk2/Other " + std::to_string(i) + " (2002)/other.mkv");
    for (int i = 0; i < 8; ++i) r.gone.insert(r.files[static_cast<std::size_t>(i)].path);
    r.empty_folders.insert(r.root + "/disk1"); // the mount point left behind
    for (const bool automatic : {true, false}) {
        const auto plan = r.plan(automatic);
        BOOST_TEST(plan.remove.empty());
        BOOST_REQUIRE_EQUAL(plan.held.size(), 1u);
        BOOST_TEST(plan.held[0].folder == r.root + "/disk1");
        BOOST_TEST(plan.held[0].paths.size() == 8u);
        BOOST_TEST(plan.held[0].movies.size() == 8u);
        BOOST_TEST(plan.held[0].reason.find("no video files") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(a_sub_drive_folder_that_disappeared_entirely_is_held_too) {
    planned_root r;
    for (int i = 0; i < 3; ++i) r.add("disk1/Film " + std::to_string(i) + "/film.mkv");
    r.add("Kept (1990)/kept.mkv");
    for (int i = 0; i < 3; ++i) r.gone.insert(r.files[static_cast<std::size_t>(i)].path);
    const auto plan = r.plan(false);
    BOOST_TEST(plan.remove.empty());
    BOOST_REQUIRE_EQUAL(plan.held.size(), 1u);
    BOOST_TEST(plan.held[0].folder == r.root + "/disk1");
}

BOOST_AUTO_TEST_CASE(an_automatic_prune_of_more_than_20_movies_and_10_percent_is_held) {
    planned_root r;
    for (int i = 0; i < 100; ++i) r.add("M" + std::to_string(i) + "/m.mkv");
    for (int i = 0; i < 21; ++i) r.gone.insert(r.files[static_cast<std::size_t>(i)].path);
    const auto automatic = r.plan(true);
    BOOST_TEST(automatic.remove.empty());
    BOOST_REQUIRE_EQUAL(automatic.held.size(), 1u);
    BOOST_TEST(automatic.held[0].folder == r.root);
    BOOST_TEST(automatic.held[0].paths.size() == 21u);
    BOOST_TEST(automatic.held[0].reason.find("21 of the 100 movies") != std::string::npos);
    // The user asked: the share limit does not apply.
    const auto manual = r.plan(false);
    BOOST_TEST(manual.remove.size() == 21u);
    BOOST_TEST(manual.held.empty());
}

BOOST_AUTO_TEST_CASE(an_automatic_prune_within_either_bound_goes_ahead) {
    planned_root few; // 20 movies: not more than 20
    for (int i = 0; i < 40; ++i) few.add("M" + std::to_string(i) + "/m.mkv");
    for (int i = 0; i < 20; ++i) few.gone.insert(few.files[static_cast<std::size_t>(i)].path);
    BOOST_TEST(few.plan(true).remove.size() == 20u);

    planned_root small_share; // 30 of 1000: more than 20 but 3 %
    for (int i = 0; i < 1000; ++i) small_share.add("M" + std::to_string(i) + "/m.mkv");
    for (int i = 0; i < 30; ++i) small_share.gone.insert(small_share.files[static_cast<std::size_t>(i)].path);
    const auto plan = small_share.plan(true);
    BOOST_TEST(plan.remove.size() == 30u);
    BOOST_TEST(plan.held.empty());
}

BOOST_AUTO_TEST_CASE(prune_holds_a_vanished_sub_drive_and_confirm_removes_it) {
    prune_fixture fx;
    const auto root = fx.dir.path / "R";
    auto kept = write_file(root, "Kept (1990)/Kept (1990).mkv");
    auto heat = write_file(root, "disk1/Heat (1995)/Heat (1995).mkv");
    auto alien = write_file(root, "disk1/Alien (1979)/Alien (1979).mkv");
    std::vector<found_movie> batch{movie_with("Kept", 1990, kept), movie_with("Heat", 1995, heat),
                                   movie_with("Alien", 1979, alien)};
    fx.writer_db.store_found(batch);
    fs::remove_all(root / "disk1" / "Heat (1995)"); // umount R/disk1: an empty mount point stays
    fs::remove_all(root / "disk1" / "Alien (1979)");
    fs::create_directories(root / "disk1" / "lost+found");

    const auto results = fx.prunes({root.string()}, {prune_mode::automatic, prune_mode::manual, prune_mode::confirm});
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& held = results[i];
        BOOST_TEST(held.removed_paths.empty());
        BOOST_REQUIRE_EQUAL(held.held.size(), 1u);
        BOOST_TEST(held.held[0].folder == (root / "disk1").string());
        BOOST_REQUIRE_EQUAL(held.held[0].described.size(), 2u);
        BOOST_TEST((held.held[0].described[0].title == "Heat" || held.held[0].described[0].title == "Alien"));
    }
    const auto& confirmed = results[2];
    BOOST_TEST(confirmed.removed_paths.size() == 2u);
    BOOST_TEST(confirmed.held.empty());
    BOOST_TEST(fx.reader_db.movie_count() == 1);
}
