#define BOOST_TEST_MODULE pruner
#include <boost/test/unit_test.hpp>

#include "mediabase/services/cache.hpp"
#include "mediabase/services/dal.hpp"
#include "mediabase/naming/library_walk.hpp"
#include "mediabase/services/pruner.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <filesystem>
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
    bus b{{io.get_executor(), 8, "core"},       {io.get_executor(), 8, "scanner"},
          {io.get_executor(), 8, "dal_writes"}, {io.get_executor(), 8, "dal_reads"},
          {io.get_executor(), 8, "pruner"},     {io.get_executor(), 64, "events"},
          {io.get_executor(), 4, "watcher"},    {io.get_executor(), 8, "scraper"},
          {io.get_executor(), 8, "cache"}};
    dal_writer writer{b, writer_db};
    dal_reader reader{b, reader_db};
    pruner service{b};
    cache art{b, source, dir.path / "art", io.get_executor(), io.get_executor(), 2};

    prune_result prune(std::vector<std::string> roots) {
        std::optional<prune_result> result;
        asio::co_spawn(io, writer.run(), asio::detached);
        asio::co_spawn(io, reader.run(), asio::detached);
        asio::co_spawn(io, service.run(), asio::detached);
        asio::co_spawn(io, art.run(), asio::detached);
        asio::co_spawn(io, [&]() -> asio::awaitable<void> {
            result = co_await ask<prune_result>(b.pruner, [&](auto r) { return prune_request{roots, std::move(r)}; });
            co_await b.pruner.send(stop_service{});
            co_await b.cache.send(stop_service{});
            co_await b.dal_reads.send(stop_service{});
            co_await b.dal_writes.send(stop_service{});
        }, asio::detached);
        io.run();
        BOOST_REQUIRE(result.has_value());
        return *result;
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(a_missing_root_is_unsafe_to_prune) {
    temp_dir dir;
    const auto reason = root_unsafe_to_prune((dir.path / "unmounted").string());
    BOOST_REQUIRE(reason.has_value());
    BOOST_TEST(reason->find("missing") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_empty_root_is_unsafe_to_prune) {
    temp_dir dir;
    const auto reason = root_unsafe_to_prune(dir.path.string());
    BOOST_REQUIRE(reason.has_value());
    BOOST_TEST(reason->find("empty") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_root_with_content_can_be_pruned) {
    temp_dir dir;
    write_file(dir.path, "a.mkv");
    BOOST_TEST(!root_unsafe_to_prune(dir.path.string()).has_value());
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
