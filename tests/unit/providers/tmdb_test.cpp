#define BOOST_TEST_MODULE providers_tmdb
#include "mediabase/providers/tmdb.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace mediabase::providers;

namespace {

std::string matrix_details() {
    std::string cast;
    // 17 people, listed out of billing order: the client sorts by "order" and keeps 15.
    for (int i = 16; i >= 0; --i) {
        if (!cast.empty()) cast += ",";
        cast += R"({"name":"Actor )" + std::to_string(i) + R"(","character":"Role )" + std::to_string(i) +
                R"(","order":)" + std::to_string(i) + "}";
    }
    return R"({
      "id": 603, "title": "The Matrix", "original_title": "The Matrix", "release_date": "1999-03-30",
      "overview": "Set in the 22nd century...", "tagline": "Welcome to the Real World.", "runtime": 136,
      "genres": [{"id": 28, "name": "Action"}, {"id": 878, "name": "Science Fiction"}, {"id": 28, "name": "Action"}],
      "production_countries": [{"iso_3166_1": "US", "name": "United States of America"}],
      "vote_average": 8.2, "vote_count": 24000, "popularity": 80.5, "imdb_id": null,
      "poster_path": "/p.jpg", "backdrop_path": "/b.jpg",
      "belongs_to_collection": {"id": 2344, "name": "The Matrix Collection"},
      "credits": {"cast": [)" +
           cast + R"(], "crew": [
          {"name": "Lana Wachowski", "job": "Director", "department": "Directing"},
          {"name": "Lilly Wachowski", "job": "Director", "department": "Directing"},
          {"name": "Lana Wachowski", "job": "Director", "department": "Directing"},
          {"name": "Lana Wachowski", "job": "Writer", "department": "Writing"},
          {"name": "Joel Silver", "job": "Producer", "department": "Production"}]},
      "release_dates": {"results": [
          {"iso_3166_1": "DE", "release_dates": [{"certification": "16", "type": 3}]},
          {"iso_3166_1": "US", "release_dates": [{"certification": "", "type": 1},
                                                 {"certification": "PG-13", "type": 4},
                                                 {"certification": "R", "type": 3}]}]},
      "external_ids": {"imdb_id": "tt0133093"}
    })";
}

} // namespace

BOOST_AUTO_TEST_SUITE(tmdb)

BOOST_AUTO_TEST_CASE(configuration_gives_the_image_base_and_sizes) {
    const auto c = parse_configuration(R"({"images": {"base_url": "http://image.tmdb.org/t/p/",
        "secure_base_url": "https://image.tmdb.org/t/p/", "poster_sizes": ["w92", "w500", "original"],
        "backdrop_sizes": ["w300", "w1280", 7]}})");
    BOOST_REQUIRE(c.has_value());
    BOOST_TEST(c->secure_base_url == "https://image.tmdb.org/t/p/");
    BOOST_TEST(c->poster_sizes.size() == 3u);
    BOOST_TEST(c->backdrop_sizes.size() == 2u); // the number is skipped
}

BOOST_AUTO_TEST_CASE(configuration_without_images_is_an_error) {
    BOOST_TEST(parse_configuration(R"({"change_keys": []})").has_error());
    BOOST_TEST(parse_configuration(R"({"images": {"poster_sizes": []}})").has_error());
    BOOST_TEST(parse_configuration("<html>").has_error());
    const auto fallback =
        parse_configuration(R"({"images": {"base_url": "http://x/", "secure_base_url": null}})");
    BOOST_REQUIRE(fallback.has_value());
    BOOST_TEST(fallback->secure_base_url == "http://x/");
}

BOOST_AUTO_TEST_CASE(search_results_are_read_and_broken_entries_skipped) {
    const auto r = parse_search_results(R"({"page": 1, "results": [
        {"id": 272878, "title": "Max", "original_title": "Max", "release_date": "2015-06-26", "popularity": 12.5,
         "vote_count": 500, "poster_path": "/max.jpg", "overview": "A dog."},
        {"id": "76341", "title": "Mad Max: Fury Road"},
        {"title": "No id"},
        {"id": 9659, "title": null, "original_title": "Mad Max", "release_date": ""},
        {"id": 1, "title": "Odd types", "popularity": "high", "vote_count": -3, "release_date": 2015},
        null, 42]})");
    BOOST_REQUIRE(r.has_value());
    BOOST_REQUIRE(r->size() == 3u);
    BOOST_TEST((*r)[0].tmdb_id == 272878);
    BOOST_TEST((*r)[0].title == "Max");
    BOOST_TEST(*(*r)[0].year == 2015);
    BOOST_TEST((*r)[0].popularity == 12.5);
    BOOST_TEST((*r)[0].vote_count == 500);
    BOOST_TEST(*(*r)[0].poster_path == "/max.jpg");
    BOOST_TEST((*r)[1].title == "Mad Max"); // from original_title
    BOOST_TEST(!(*r)[1].year.has_value());
    BOOST_TEST((*r)[2].popularity == 0);
    BOOST_TEST((*r)[2].vote_count == 0);
    BOOST_TEST(!(*r)[2].year.has_value());
}

BOOST_AUTO_TEST_CASE(search_answers_that_are_not_search_results_are_errors) {
    BOOST_TEST(parse_search_results("").has_error());
    BOOST_TEST(parse_search_results(R"({"results": [{"id": 603, "title": "The Ma)").has_error());
    BOOST_TEST(parse_search_results("[]").has_error());
    BOOST_TEST(parse_search_results(R"({"page": 1})").has_error());
    const auto empty = parse_search_results(R"({"results": null})");
    BOOST_REQUIRE(empty.has_value());
    BOOST_TEST(empty->empty());
}

BOOST_AUTO_TEST_CASE(find_gives_its_movie_results) {
    const auto r = parse_find_results(R"({"movie_results": [{"id": 603, "title": "The Matrix",
        "release_date": "1999-03-30"}], "tv_results": [{"id": 1, "name": "x"}]})");
    BOOST_REQUIRE(r.has_value());
    BOOST_REQUIRE(r->size() == 1u);
    BOOST_TEST(r->front().tmdb_id == 603);
    const auto none = parse_find_results(R"({"movie_results": [], "person_results": []})");
    BOOST_REQUIRE(none.has_value());
    BOOST_TEST(none->empty());
    BOOST_TEST(parse_find_results("{oops").has_error());
}

BOOST_AUTO_TEST_CASE(details_map_onto_a_movie) {
    const auto r = parse_movie_details(matrix_details());
    BOOST_REQUIRE(r.has_value());
    const auto& m = r->details;
    BOOST_TEST(*m.tmdb_id == 603);
    BOOST_TEST(m.title == "The Matrix");
    BOOST_TEST(*m.original_title == "The Matrix");
    BOOST_TEST(*m.year == 1999);
    BOOST_TEST(*m.tagline == "Welcome to the Real World.");
    BOOST_TEST(*m.runtime == 136);
    BOOST_TEST(m.genres == (std::vector<std::string>{"Action", "Science Fiction"}));
    BOOST_TEST(m.countries == (std::vector<std::string>{"United States of America"}));
    BOOST_REQUIRE(m.directors.size() == 2u);
    BOOST_TEST(m.directors[0].name == "Lana Wachowski");
    BOOST_TEST(m.directors[1].name == "Lilly Wachowski");
    BOOST_REQUIRE(m.writers.size() == 1u);
    BOOST_TEST(*m.writers[0].role == "Writer");
    BOOST_REQUIRE(m.cast.size() == max_cast);
    BOOST_TEST(m.cast.front().name == "Actor 0");
    BOOST_TEST(*m.cast.front().role == "Role 0");
    BOOST_TEST(m.cast.back().name == "Actor 14");
    BOOST_TEST(*m.certification == "R"); // US theatrical, not the empty premiere or the DE one
    BOOST_TEST(*m.vote_average == 8.2);
    BOOST_TEST(*m.vote_count == 24000);
    BOOST_TEST(*m.imdb_id == "tt0133093"); // from external_ids, the top-level one is null
    BOOST_TEST(*m.collection == "The Matrix Collection");
    BOOST_TEST(*r->art.poster_path == "/p.jpg");
    BOOST_TEST(*r->art.backdrop_path == "/b.jpg");
    BOOST_TEST(!m.poster.has_value()); // the cache sets the cache key, not the mapping
    BOOST_TEST(!m.backdrop.has_value());
    BOOST_TEST(r->popularity == 80.5);
}

BOOST_AUTO_TEST_CASE(certification_falls_back_to_any_country) {
    const auto r = parse_movie_details(R"({"id": 1, "title": "T", "release_dates": {"results": [
        {"iso_3166_1": "US", "release_dates": [{"certification": ""}]},
        {"iso_3166_1": "GB", "release_dates": [{"certification": "15", "type": 4}]}]}})");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(*r->details.certification == "15");
}

BOOST_AUTO_TEST_CASE(null_missing_and_wrongly_typed_fields_are_left_empty) {
    const auto r = parse_movie_details(R"({"id": 999001, "title": "Sparse", "original_title": null,
        "release_date": null, "overview": 5, "runtime": null, "genres": null, "vote_average": "high",
        "vote_count": 1.5, "production_countries": {"US": 1}, "credits": {"cast": [null, {"name": null},
        {"name": "Only Actor", "character": null}, "x"], "crew": "none"}, "release_dates": [],
        "imdb_id": "nm000001", "belongs_to_collection": "Saga", "poster_path": "", "backdrop_path": null,
        "tagline": ""})");
    BOOST_REQUIRE(r.has_value());
    const auto& m = r->details;
    BOOST_TEST(m.title == "Sparse");
    BOOST_TEST(!m.original_title.has_value());
    BOOST_TEST(!m.year.has_value());
    BOOST_TEST(!m.overview.has_value());
    BOOST_TEST(!m.runtime.has_value());
    BOOST_TEST(m.genres.empty());
    BOOST_TEST(m.countries.empty());
    BOOST_TEST(!m.vote_average.has_value());
    BOOST_TEST(!m.vote_count.has_value());
    BOOST_REQUIRE(m.cast.size() == 1u);
    BOOST_TEST(m.cast[0].name == "Only Actor");
    BOOST_TEST(!m.cast[0].role.has_value());
    BOOST_TEST(!m.imdb_id.has_value()); // not an IMDb title id
    BOOST_TEST(!m.collection.has_value());
    BOOST_TEST(!m.tagline.has_value());
    BOOST_TEST(!r->art.poster_path.has_value());
}

BOOST_AUTO_TEST_CASE(details_without_id_or_title_or_json_are_errors) {
    for (const char* body :
         {R"({"title": "No id"})", R"({"id": "603", "title": "x"})", R"({"id": 603})",
          R"({"id": -1, "title": "x"})", "[]", "", "\xff\xfe garbage", R"({"id": 603, "title": "x")"}) {
        const auto r = parse_movie_details(body);
        BOOST_REQUIRE(r.has_error());
        BOOST_TEST((r.error().kind == error_kind::bad_response));
        BOOST_TEST(r.error().message.rfind("bad response: ", 0) == 0);
    }
}

BOOST_AUTO_TEST_CASE(tmdb_error_bodies_give_their_message) {
    BOOST_TEST(*parse_error_message(R"({"status_code": 7, "status_message": "Invalid API key"})") ==
               "Invalid API key");
    BOOST_TEST(*parse_error_message(R"({"errors": ["query must be provided"]})") == "query must be provided");
    BOOST_TEST(!parse_error_message("<html>").has_value());
    BOOST_TEST(!parse_error_message(R"({"id": 1})").has_value());
}

BOOST_AUTO_TEST_CASE(years_of_dates) {
    BOOST_TEST(*year_of_date("1999-03-30") == 1999);
    BOOST_TEST(*year_of_date("2015") == 2015);
    BOOST_TEST(!year_of_date("").has_value());
    BOOST_TEST(!year_of_date("99-03-30").has_value());
    BOOST_TEST(!year_of_date("abcd-01-01").has_value());
    BOOST_TEST(!year_of_date("19999").has_value());
}

BOOST_AUTO_TEST_CASE(image_urls_join_with_single_slashes) {
    BOOST_TEST(image_url("https://image.tmdb.org/t/p/", "w500", "/x.jpg") ==
               "https://image.tmdb.org/t/p/w500/x.jpg");
    BOOST_TEST(image_url("https://image.tmdb.org/t/p", "w500", "x.jpg") ==
               "https://image.tmdb.org/t/p/w500/x.jpg");
    BOOST_TEST(pick_image_size({"w92", "w500", "original"}, "w500") == "w500");
    BOOST_TEST(pick_image_size({"w92", "original"}, "w500") == "original");
    BOOST_TEST(pick_image_size({}, "w1280") == "w1280");
}

BOOST_AUTO_TEST_SUITE_END()
