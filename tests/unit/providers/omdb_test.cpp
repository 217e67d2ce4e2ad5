#define BOOST_TEST_MODULE providers_omdb
#include "mediabase/providers/omdb.hpp"

#include <boost/test/unit_test.hpp>

using namespace mediabase::providers;

BOOST_AUTO_TEST_SUITE(omdb)

BOOST_AUTO_TEST_CASE(ratings_votes_metascore_and_awards_are_read) {
    const auto r = parse_omdb(R"({"Title":"The Matrix","imdbRating":"8.7","imdbVotes":"1,234,567",
        "Metascore":"73","Awards":"Won 4 Oscars.","Response":"True"})");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(*r->imdb_rating == 8.7);
    BOOST_TEST(*r->imdb_votes == 1234567);
    BOOST_TEST(*r->metascore == 73);
    BOOST_TEST(*r->awards == "Won 4 Oscars.");
}

BOOST_AUTO_TEST_CASE(n_a_values_are_absent) {
    const auto r = parse_omdb(R"({"imdbRating":"N/A","imdbVotes":"N/A","Metascore":"N/A","Awards":"N/A",
        "Response":"True"})");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(!r->imdb_rating.has_value());
    BOOST_TEST(!r->imdb_votes.has_value());
    BOOST_TEST(!r->metascore.has_value());
    BOOST_TEST(!r->awards.has_value());
}

BOOST_AUTO_TEST_CASE(wrong_types_and_odd_values_are_absent_not_errors) {
    const auto r = parse_omdb(R"({"imdbRating":8.7,"imdbVotes":"lots","Metascore":"730","Awards":null,
        "Response":"True"})");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(!r->imdb_rating.has_value());
    BOOST_TEST(!r->imdb_votes.has_value());
    BOOST_TEST(!r->metascore.has_value());
    BOOST_TEST(!r->awards.has_value());
}

BOOST_AUTO_TEST_CASE(response_false_is_an_error_value) {
    const auto unknown = parse_omdb(R"({"Response":"False","Error":"Incorrect IMDb ID."})");
    BOOST_REQUIRE(unknown.has_error());
    BOOST_TEST((unknown.error().kind == error_kind::not_found));
    BOOST_TEST(unknown.error().message.find("Incorrect IMDb ID.") != std::string::npos);

    const auto bad_key = parse_omdb(R"({"Response":"False","Error":"Invalid API key!"})");
    BOOST_REQUIRE(bad_key.has_error());
    BOOST_TEST((bad_key.error().kind == error_kind::unauthorized));

    const auto limit = parse_omdb(R"({"Response":"False","Error":"Request limit reached!"})");
    BOOST_REQUIRE(limit.has_error());
    BOOST_TEST((limit.error().kind == error_kind::unavailable));
}

BOOST_AUTO_TEST_CASE(garbage_is_a_bad_response) {
    for (const char* body : {"", "{", "[1,2]", "<html>", "\"text\"", "null"}) {
        const auto r = parse_omdb(body);
        BOOST_REQUIRE(r.has_error());
        BOOST_TEST((r.error().kind == error_kind::bad_response));
    }
}

BOOST_AUTO_TEST_CASE(counts_with_thousands_separators) {
    BOOST_TEST(*parse_omdb_count("1,234,567") == 1234567);
    BOOST_TEST(*parse_omdb_count(" 42 ") == 42);
    BOOST_TEST(!parse_omdb_count("N/A").has_value());
    BOOST_TEST(!parse_omdb_count("").has_value());
    BOOST_TEST(!parse_omdb_count("1.5").has_value());
    BOOST_TEST(!parse_omdb_count("99999999999999999999999").has_value());
}

BOOST_AUTO_TEST_CASE(present_ratings_are_copied_into_the_movie) {
    mediabase::movie m;
    m.awards = "kept";
    apply_omdb(omdb_ratings{8.7, 100, std::nullopt, std::nullopt}, m);
    BOOST_TEST(*m.imdb_rating == 8.7);
    BOOST_TEST(*m.imdb_votes == 100);
    BOOST_TEST(!m.metascore.has_value());
    BOOST_TEST(*m.awards == "kept");
}

BOOST_AUTO_TEST_SUITE_END()
