#define BOOST_TEST_MODULE event_stream
#include <boost/test/unit_test.hpp>

#include "mediabase/http/event_stream.hpp"

#include <boost/json.hpp>

using namespace mediabase;
namespace json = boost::json;

namespace {

event_outbox::frame text(std::size_t bytes, char fill = 'x') {
    return std::make_shared<const std::string>(std::string(bytes, fill));
}

movie titled(movie_id id) {
    movie m;
    m.id = id;
    m.title = "Movie " + std::to_string(id);
    return m;
}

std::vector<std::string> drain(event_outbox& box) {
    std::vector<std::string> out;
    while (auto f = box.pop()) out.push_back(*f);
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_batch_lists_every_change_and_the_newest_records) {
    movie_batch batch;
    for (movie_id id = 1; id <= 50; ++id) batch.add(change_kind::added, id, titled(id));
    batch.add(change_kind::updated, 7, titled(7));
    batch.add(change_kind::removed, 9, std::nullopt);
    BOOST_TEST(batch.size() == 52u);
    const auto frame = batch.take();
    BOOST_TEST(batch.empty());
    BOOST_TEST(frame.at("type").as_string() == "movies.changed");
    BOOST_TEST(frame.at("added").as_array().size() == 50u);
    BOOST_TEST(frame.at("updated").as_array().at(0).as_int64() == 7);
    BOOST_TEST(frame.at("removed").as_array().at(0).as_int64() == 9);
    const auto& movies = frame.at("movies").as_array();
    BOOST_TEST(movies.size() == movie_batch::max_movies);
    // The newest records are kept: the last one is the update of movie 7.
    BOOST_TEST(movies.back().as_object().at("id").as_int64() == 7);
    BOOST_TEST(batch.take().at("added").as_array().empty());
}

BOOST_AUTO_TEST_CASE(a_batch_is_full_at_its_bound) {
    movie_batch batch;
    for (std::size_t i = 0; i + 1 < movie_batch::max_changes; ++i)
        batch.add(change_kind::removed, static_cast<movie_id>(i), std::nullopt);
    BOOST_TEST(!batch.full());
    batch.add(change_kind::removed, 0, std::nullopt);
    BOOST_TEST(batch.full());
}

BOOST_AUTO_TEST_CASE(frames_within_the_byte_limit_are_kept_in_order) {
    event_outbox box(100, 1000);
    BOOST_TEST(box.push(text(30, 'a'), frame_kind::coalescable));
    BOOST_TEST(box.push(text(30, 'b'), frame_kind::lifecycle));
    BOOST_TEST(box.push(text(30, 'c'), frame_kind::coalescable));
    BOOST_TEST(box.bytes() == 90u);
    const auto out = drain(box);
    BOOST_REQUIRE(out.size() == 3u);
    BOOST_TEST(out[0][0] == 'a');
    BOOST_TEST(out[2][0] == 'c');
    BOOST_TEST(box.bytes() == 0u);
    BOOST_TEST(box.resyncs() == 0u);
}

BOOST_AUTO_TEST_CASE(a_client_that_falls_behind_gets_one_resync_and_keeps_lifecycle_frames) {
    event_outbox box(100, 1000);
    box.push(text(40, 'a'), frame_kind::coalescable);
    box.push(text(10, 'F'), frame_kind::lifecycle);
    box.push(text(40, 'b'), frame_kind::coalescable);
    // Over the limit: movie changes collapse into one resync; later changes are covered by it.
    BOOST_TEST(box.push(text(40, 'c'), frame_kind::coalescable));
    BOOST_TEST(box.push(text(40, 'd'), frame_kind::coalescable));
    BOOST_TEST(box.push(text(10, 'G'), frame_kind::lifecycle));
    BOOST_TEST(box.resyncs() == 1u);
    const auto out = drain(box);
    BOOST_REQUIRE(out.size() == 3u);
    BOOST_TEST(out[0][0] == 'F');
    BOOST_TEST(json::parse(out[1]).as_object().at("type").as_string() == "resync");
    BOOST_TEST(out[2][0] == 'G');
    // Once the resync was written, changes are queued again.
    box.push(text(40, 'e'), frame_kind::coalescable);
    BOOST_TEST(drain(box).at(0)[0] == 'e');
}

BOOST_AUTO_TEST_CASE(a_newer_progress_frame_replaces_a_queued_one) {
    event_outbox box(100, 1000);
    box.push(text(10, '1'), frame_kind::progress);
    box.push(text(10, 'F'), frame_kind::lifecycle);
    box.push(text(12, '2'), frame_kind::progress);
    BOOST_TEST(box.bytes() == 22u);
    const auto out = drain(box);
    BOOST_REQUIRE(out.size() == 2u);
    BOOST_TEST(out[0] == std::string(12, '2'));
    BOOST_TEST(out[1][0] == 'F');
}

BOOST_AUTO_TEST_CASE(lifecycle_frames_beyond_the_hard_limit_give_the_client_up) {
    event_outbox box(100, 300);
    BOOST_TEST(box.push(text(150), frame_kind::lifecycle));
    BOOST_TEST(box.push(text(140), frame_kind::lifecycle));
    BOOST_TEST(!box.push(text(150), frame_kind::lifecycle));
}
