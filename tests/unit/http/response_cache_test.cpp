#define BOOST_TEST_MODULE response_cache
#include <boost/test/unit_test.hpp>

#include "compression.hpp"
#include "response_cache.hpp"

#include <string>

using namespace mediabase;

namespace {

std::shared_ptr<cached_answer> answer_of(std::string body) {
    auto a = std::make_shared<cached_answer>();
    a->content_type = "application/json";
    a->body = std::make_shared<const std::string>(std::move(body));
    a->etag = etag_of(*a->body);
    return a;
}

checked_request movies(movie_query q) {
    checked_request r;
    r.route = api_route::movies;
    r.query = std::move(q);
    return r;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_write_makes_every_cached_answer_stale) {
    response_cache cache;
    cache.store("a", 1, answer_of("one"));
    BOOST_TEST(cache.find("a", 1) != nullptr);
    BOOST_TEST(cache.find("a", 2) == nullptr); // the writer advanced the generation
    BOOST_TEST(cache.size() == 0u);
    // An answer built from before the write arrives late: it is not kept.
    cache.store("b", 1, answer_of("old"));
    BOOST_TEST(cache.find("b", 2) == nullptr);
    cache.store("b", 2, answer_of("new"));
    BOOST_TEST(*cache.find("b", 2)->body == "new");
}

BOOST_AUTO_TEST_CASE(the_least_recently_used_answers_go_first_past_the_bounds) {
    response_cache by_count(2, 1 << 20);
    by_count.store("a", 1, answer_of("1"));
    by_count.store("b", 1, answer_of("2"));
    BOOST_TEST(by_count.find("a", 1) != nullptr); // a is now the most recent
    by_count.store("c", 1, answer_of("3"));
    BOOST_TEST(by_count.size() == 2u);
    BOOST_TEST(by_count.find("b", 1) == nullptr);
    BOOST_TEST(by_count.find("a", 1) != nullptr);

    response_cache by_bytes(100, 250);
    by_bytes.store("x", 1, answer_of(std::string(100, 'x')));
    by_bytes.store("y", 1, answer_of(std::string(100, 'y')));
    by_bytes.store("z", 1, answer_of(std::string(100, 'z')));
    BOOST_TEST(by_bytes.bytes() <= 250u);
    BOOST_TEST(by_bytes.find("x", 1) == nullptr);
    // An encoded body counts too.
    auto y = by_bytes.find("y", 1);
    by_bytes.add_encoding(*y, content_coding::gzip, std::make_shared<const std::string>(std::string(60, 'g')));
    BOOST_TEST(by_bytes.bytes() <= 250u);
    BOOST_TEST(by_bytes.find("z", 1) == nullptr); // y was used last: z goes
    // An answer larger than the whole cache is not kept.
    by_bytes.store("huge", 1, answer_of(std::string(300, 'h')));
    BOOST_TEST(by_bytes.find("huge", 1) == nullptr);
}

BOOST_AUTO_TEST_CASE(equal_queries_share_a_key_and_different_ones_never_do) {
    movie_query plain;
    movie_query same = plain;
    same.offset = 0;
    BOOST_TEST(*cache_key(movies(plain), shared_state) == *cache_key(movies(same), shared_state));
    movie_query other = plain;
    other.offset = 50;
    BOOST_TEST(*cache_key(movies(plain), shared_state) != *cache_key(movies(other), shared_state));
    // Text fields are length-prefixed: no two splits of one string collide.
    movie_query a, b;
    a.text = "x|g1:y";
    b.text = "x";
    b.genre = "y";
    BOOST_TEST(*cache_key(movies(a), shared_state) != *cache_key(movies(b), shared_state));
    movie_query watched = plain, unwatched = plain;
    watched.watched = true;
    unwatched.watched = false;
    BOOST_TEST(*cache_key(movies(watched), shared_state) != *cache_key(movies(unwatched), shared_state));
    BOOST_TEST(*cache_key(movies(watched), shared_state) != *cache_key(movies(plain), shared_state));

    checked_request one, two;
    one.route = two.route = api_route::movie_get;
    one.movie_id = 1;
    two.movie_id = 11;
    BOOST_TEST(*cache_key(one, shared_state) != *cache_key(two, shared_state));
    checked_request write;
    write.route = api_route::movie_patch;
    BOOST_TEST(!cache_key(write, shared_state).has_value());
    checked_request job;
    job.route = api_route::import_status;
    BOOST_TEST(!cache_key(job, shared_state).has_value());
}

BOOST_AUTO_TEST_CASE(answers_with_a_persons_marks_are_kept_per_person) {
    // Movies and stats show the requester's watched, rating and list: one person never gets another's.
    movie_query plain;
    BOOST_TEST(*cache_key(movies(plain), 1) != *cache_key(movies(plain), 2));
    BOOST_TEST(*cache_key(movies(plain), 1) != *cache_key(movies(plain), shared_state));
    movie_query listed = plain;
    listed.on_list = true;
    BOOST_TEST(*cache_key(movies(listed), 1) != *cache_key(movies(plain), 1));
    checked_request movie;
    movie.route = api_route::movie_get;
    movie.movie_id = 7;
    BOOST_TEST(*cache_key(movie, 1) != *cache_key(movie, 2));
    checked_request stats;
    stats.route = api_route::stats;
    BOOST_TEST(*cache_key(stats, 1) != *cache_key(stats, 2));
    // Genres hold no one's marks: shared.
    checked_request genres;
    genres.route = api_route::genres;
    BOOST_TEST(*cache_key(genres, 1) == *cache_key(genres, 2));
}

BOOST_AUTO_TEST_CASE(if_none_match_compares_lists_wildcards_and_weak_tags) {
    const std::string tag = etag_of("body");
    BOOST_TEST(tag.front() == '"');
    BOOST_TEST(tag != etag_of("other body"));
    BOOST_TEST(etag_matches(tag, tag));
    BOOST_TEST(etag_matches("\"nope\", " + tag, tag));
    BOOST_TEST(etag_matches("W/" + tag, tag));
    BOOST_TEST(etag_matches("*", tag));
    BOOST_TEST(!etag_matches("\"nope\"", tag));
    BOOST_TEST(!etag_matches("", tag));
    cached_answer a;
    a.etag = tag;
    BOOST_TEST(a.etag_for(content_coding::gzip) != tag);
    BOOST_TEST(a.etag_for(content_coding::gzip).back() == '"');
    BOOST_TEST(a.etag_for(content_coding::identity) == tag);
}

BOOST_AUTO_TEST_CASE(one_request_builds_and_the_others_wait_for_it) {
    response_cache cache;
    int woken = 0;
    BOOST_TEST(cache.begin("k", [&] { ++woken; }));
    BOOST_TEST(!cache.begin("k", [&] { ++woken; }));
    BOOST_TEST(!cache.begin("k", [&] { ++woken; }));
    BOOST_TEST(cache.begin("other", [&] { ++woken; }));
    cache.finish("k");
    BOOST_TEST(woken == 2);
    BOOST_TEST(cache.begin("k", [&] { ++woken; })); // a new flight after the last ended
}

BOOST_AUTO_TEST_CASE(codings_follow_accept_encoding) {
    BOOST_TEST((negotiate_coding("") == content_coding::identity));
    BOOST_TEST((negotiate_coding("gzip, deflate") == content_coding::gzip));
    BOOST_TEST((negotiate_coding("gzip, deflate, br") == content_coding::br));
    BOOST_TEST((negotiate_coding("br;q=0, gzip") == content_coding::gzip));
    BOOST_TEST((negotiate_coding("gzip;q=0") == content_coding::identity));
    BOOST_TEST((negotiate_coding("identity") == content_coding::identity));
    BOOST_TEST(compressible_type("application/json"));
    BOOST_TEST(compressible_type("text/html; charset=utf-8"));
    BOOST_TEST(!compressible_type("image/jpeg"));
}

BOOST_AUTO_TEST_CASE(compressed_bodies_decode_to_the_original) {
    std::string body;
    for (int i = 0; i < 2000; ++i) body += "{\"id\":" + std::to_string(i) + ",\"title\":\"Blue Canyon\"},";
    for (auto coding : {content_coding::gzip, content_coding::br}) {
        auto encoded = compress(body, coding);
        BOOST_REQUIRE(encoded.has_value());
        BOOST_TEST(encoded->size() < body.size() / 4);
        auto decoded = decompress(*encoded, coding);
        BOOST_REQUIRE(decoded.has_value());
        BOOST_TEST((*decoded == body));
        // A damaged stream is refused, not half decoded.
        BOOST_TEST(!decompress(encoded->substr(0, encoded->size() / 2), coding).has_value());
    }
    BOOST_TEST(!compress(body, content_coding::identity).has_value());
    // gzip's magic bytes: what `curl --compressed` and browsers look for.
    const auto gz = *compress("hello", content_coding::gzip);
    BOOST_TEST(static_cast<unsigned char>(gz[0]) == 0x1f);
    BOOST_TEST(static_cast<unsigned char>(gz[1]) == 0x8b);
}

BOOST_AUTO_TEST_CASE(list_queries_wait_in_order_for_a_free_slot) {
    read_gate gate(2);
    std::vector<int> turns;
    auto a = gate.enter([&] { turns.push_back(1); });
    auto b = gate.enter([&] { turns.push_back(2); });
    BOOST_TEST((a->admitted && b->admitted));
    auto c = gate.enter([&] { turns.push_back(3); });
    auto d = gate.enter([&] { turns.push_back(4); });
    auto e = gate.enter([&] { turns.push_back(5); });
    BOOST_TEST((!c->admitted && !d->admitted && !e->admitted));
    BOOST_TEST(gate.waiting() == 3u);
    // d gave up waiting (its time budget ran out): its turn passes to e.
    d->gone = true;
    gate.leave();
    BOOST_TEST(c->admitted);
    gate.leave();
    BOOST_TEST(!d->admitted);
    BOOST_TEST(e->admitted);
    BOOST_TEST((turns == std::vector<int>{3, 5}));
    // c and e hold the two slots; both give them back.
    gate.leave();
    gate.leave();
    BOOST_TEST(gate.free_slots() == 2u);
    // With a free slot and nobody waiting, a newcomer goes straight in.
    BOOST_TEST(gate.enter(nullptr)->admitted);
}
