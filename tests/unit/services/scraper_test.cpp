#define BOOST_TEST_MODULE scraper
#include <boost/test/unit_test.hpp>

#include "mediabase/services/scraper.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

using namespace mediabase;

namespace {

found_movie found_max() {
    found_movie f;
    f.title = "Max";
    f.year = 2015;
    f.tmdb_id = 272878;
    media_file file;
    file.path = "/media/Max (2015)/Max (2015).mkv";
    f.files.push_back(file);
    return f;
}

providers::identified_movie identified_max() {
    providers::identified_movie m;
    m.details.id = 99; // whatever a provider mapping left there is not a catalogue id
    m.details.title = "Max";
    m.details.year = 2015;
    m.details.tmdb_id = 272878;
    m.details.poster = "should-not-survive.jpg";
    m.confidence = 0.72;
    m.state = match_state::review;
    m.art.poster_url = "http://img/t/p/w500/poster-272878.jpg";
    m.art.backdrop_url = "http://img/t/p/w1280/backdrop-272878.jpg";
    return m;
}

local_metadata with_nfo_and_poster() {
    local_metadata local;
    providers::nfo_data nfo;
    nfo.title = "Max (NFO title)";
    nfo.plot = "From the NFO.";
    nfo.tmdb_id = 1; // the name's id wins over the NFO's
    local.nfo = nfo;
    local.art.poster = "/media/Max (2015)/poster.jpg";
    return local;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_match_keeps_the_state_and_confidence_and_leaves_art_keys_to_the_cache) {
    const auto out = matched_identification(identified_max(), with_nfo_and_poster());
    BOOST_REQUIRE(out.metadata);
    BOOST_TEST(out.matched());
    BOOST_TEST((out.metadata->match == match_state::review));
    BOOST_TEST(*out.metadata->match_confidence == 0.72);
    BOOST_TEST(out.metadata->id == 0);
    BOOST_TEST(!out.metadata->poster);
    // Local art first, the provider's as the fallback.
    BOOST_TEST(*out.art.poster_file == "/media/Max (2015)/poster.jpg");
    BOOST_TEST(*out.art.poster_url == "http://img/t/p/w500/poster-272878.jpg");
    BOOST_TEST(!out.art.backdrop_file);
    BOOST_TEST(*out.art.backdrop_url == "http://img/t/p/w1280/backdrop-272878.jpg");
}

BOOST_AUTO_TEST_CASE(a_failed_lookup_keeps_the_movie_with_its_local_data_and_the_reason) {
    const auto out = failed_identification(found_max(), with_nfo_and_poster(), "provider unavailable: 503");
    BOOST_REQUIRE(out.metadata);
    BOOST_TEST(!out.matched());
    BOOST_TEST((out.metadata->match == match_state::failed));
    BOOST_TEST(*out.metadata->identify_error == "provider unavailable: 503");
    BOOST_TEST(out.metadata->title == "Max (NFO title)");
    BOOST_TEST(*out.metadata->overview == "From the NFO.");
    BOOST_TEST(*out.metadata->tmdb_id == 272878);
    BOOST_TEST(*out.art.poster_file == "/media/Max (2015)/poster.jpg");

    const auto bare = failed_identification(found_max(), local_metadata{}, "no match: nothing");
    BOOST_TEST(bare.metadata->title == "Max");
    BOOST_TEST(*bare.metadata->year == 2015);
    BOOST_TEST(bare.art.empty());
}

BOOST_AUTO_TEST_CASE(offline_uses_the_nfo_alone_or_nothing) {
    const auto with_nfo = offline_identification(found_max(), with_nfo_and_poster());
    BOOST_REQUIRE(with_nfo.metadata);
    BOOST_TEST((with_nfo.metadata->match == match_state::unidentified));
    BOOST_TEST(with_nfo.metadata->title == "Max (NFO title)");
    BOOST_TEST(!with_nfo.art.empty());
    const auto without = offline_identification(found_max(), local_metadata{});
    BOOST_TEST(!without.metadata);
}

BOOST_AUTO_TEST_CASE(provider_errors_map_to_what_the_server_answers) {
    using kind = provider_failure::kind;
    BOOST_TEST(
        (to_failure(providers::make_error(providers::error_kind::offline, "x")).reason == kind::offline));
    BOOST_TEST(
        (to_failure(providers::make_error(providers::error_kind::not_found, "x")).reason == kind::not_found));
    BOOST_TEST(
        (to_failure(providers::make_error(providers::error_kind::no_match, "x")).reason == kind::no_match));
    BOOST_TEST((to_failure(providers::make_error(providers::error_kind::unauthorized, "x")).reason ==
                kind::rejected));
    BOOST_TEST((to_failure(providers::make_error(providers::error_kind::bad_response, "x")).reason ==
                kind::unavailable));
    const auto failure =
        to_failure(providers::make_error(providers::error_kind::unavailable, "TMDB answered 503"));
    BOOST_TEST(failure.message.find("TMDB answered 503") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(image_urls_change_size_only_in_their_size_segment) {
    BOOST_TEST(resized_image_url("https://image.tmdb.org/t/p/w500/x.jpg", "w500", "w185") ==
               "https://image.tmdb.org/t/p/w185/x.jpg");
    BOOST_TEST(resized_image_url("https://image.tmdb.org/t/p/original/x.jpg", "w500", "w185") ==
               "https://image.tmdb.org/t/p/original/x.jpg");
    BOOST_TEST(resized_image_url("http://h/w500/t/p/w500/w500.jpg", "w500", "w185") ==
               "http://h/w500/t/p/w185/w500.jpg");
}

BOOST_AUTO_TEST_CASE(provider_settings_come_from_the_settings_and_a_change_builds_a_new_client) {
    settings s;
    s.tmdb_api_key = "k";
    s.tmdb_requests_per_second = 20;
    s.scraper_concurrency = 3;
    s.poster_size = "w342";
    s.backdrop_size = "original";
    const auto m = metadata_settings_from(s);
    BOOST_TEST(m.tmdb_api_key == "k");
    BOOST_TEST(m.poster_size == "w342");
    BOOST_TEST(m.backdrop_size == "original");
    BOOST_TEST(m.requests_per_second == 20.0);
    BOOST_TEST(m.max_concurrency == 3);

    asio::io_context io;
    metadata_source source(io.get_executor(), s);
    const auto first = source.client();
    BOOST_TEST(!first->offline());
    BOOST_TEST(!source.reconfigure(s));
    BOOST_TEST(source.client() == first);
    s.poster_size = "w780";
    BOOST_TEST(source.reconfigure(s), "another art size is another client");
    BOOST_TEST(source.client()->settings().poster_size == "w780");
    s.tmdb_api_key.clear();
    BOOST_TEST(source.reconfigure(s));
    BOOST_TEST(source.client()->offline());
}

BOOST_AUTO_TEST_CASE(a_slot_pool_admits_at_most_its_slots_and_close_wakes_the_waiters) {
    asio::io_context io;
    auto pool = std::make_shared<slot_pool>(io.get_executor(), 2);
    int holding = 0, most = 0, refused = 0;
    auto steady = std::make_shared<asio::steady_timer>(io);
    auto worker = [&](bool hold_for_ever) -> asio::awaitable<void> {
        const bool admitted = co_await pool->acquire();
        if (!admitted) {
            ++refused;
            co_return;
        }
        ++holding;
        most = std::max(most, holding);
        asio::steady_timer pause(io, std::chrono::milliseconds(hold_for_ever ? 60'000 : 1));
        if (hold_for_ever) {
            co_await steady->async_wait(asio::as_tuple(asio::use_awaitable));
        } else {
            co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        --holding;
        pool->release();
    };
    for (int i = 0; i < 6; ++i)
        asio::co_spawn(io, worker(false), asio::detached);
    io.run();
    BOOST_TEST(most == 2);
    BOOST_TEST(pool->free() == 2);

    // Both slots held for ever: a third waiter is refused once the pool closes.
    io.restart();
    steady->expires_at(std::chrono::steady_clock::time_point::max());
    asio::co_spawn(io, worker(true), asio::detached);
    asio::co_spawn(io, worker(true), asio::detached);
    asio::co_spawn(io, worker(true), asio::detached);
    io.poll();
    BOOST_TEST(refused == 0);
    pool->close();
    steady->cancel();
    io.run();
    BOOST_TEST(refused == 1);
}

BOOST_AUTO_TEST_CASE(a_countdown_waits_for_every_piece) {
    asio::io_context io;
    countdown pending(io.get_executor(), 3);
    bool done = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await pending.wait();
            done = true;
        },
        asio::detached);
    io.poll();
    pending.done();
    pending.done();
    io.poll();
    BOOST_TEST(!done);
    pending.done();
    io.run();
    BOOST_TEST(done);
}
