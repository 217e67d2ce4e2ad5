#define BOOST_TEST_MODULE providers_matching
#include "mediabase/providers/matching.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>

using namespace mediabase::providers;
using kind = lookup_step::kind_type;

namespace {

search_candidate candidate(std::int64_t id, std::string title, std::optional<int> year, double popularity,
                           std::optional<std::string> original = std::nullopt) {
    search_candidate c;
    c.tmdb_id = id;
    c.title = std::move(title);
    c.year = year;
    c.popularity = popularity;
    c.original_title = std::move(original);
    return c;
}

movie_hints hints(std::string title, std::optional<int> year = std::nullopt) {
    movie_hints h;
    h.title = std::move(title);
    h.year = year;
    return h;
}

// As TMDB orders a search for "Max": the most popular first.
const std::vector<search_candidate> max_results{
    candidate(76341, "Mad Max: Fury Road", 2015, 95),
    candidate(9659, "Mad Max", 1979, 30),
    candidate(272878, "Max", 2015, 12),
    candidate(9355, "Mad Max Beyond Thunderdome", 1985, 20),
};

std::int64_t chosen_id(const std::vector<search_candidate>& list, const movie_hints& h) {
    const auto choice = choose_best(list, h);
    return choice ? list[choice->index].tmdb_id : 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(matching)

BOOST_AUTO_TEST_CASE(match_keys_ignore_case_punctuation_articles_and_accents) {
    BOOST_TEST(match_key("The Matrix") == "matrix");
    BOOST_TEST(match_key("Matrix, The") == "matrix");
    BOOST_TEST(match_key("the.matrix") == "matrix");
    BOOST_TEST(match_key("Amélie") == "amelie");
    BOOST_TEST(match_key("Léon: The Professional") == "leon the professional");
    BOOST_TEST(match_key("Fast & Furious") == "fast and furious");
    BOOST_TEST(match_key("Ocean's Eleven") == "oceans eleven");
    BOOST_TEST(match_key("Ocean\xE2\x80\x99s Eleven") == "oceans eleven");
    BOOST_TEST(match_key("S.W.A.T.") == "swat");
    BOOST_TEST(match_key("Rocky II") == "rocky 2");
    BOOST_TEST(match_key("The") == "the");
    BOOST_TEST(match_key("A Quiet Place") == "quiet place");
    BOOST_TEST(match_key("   ") == "");
    BOOST_TEST(match_key("千と千尋の神隠し") == "千と千尋の神隠し");
}

BOOST_AUTO_TEST_CASE(match_keys_fold_decomposed_letters_and_letters_without_decomposition) {
    BOOST_TEST(match_key("Ame\xCC\x81lie") == "amelie"); // decomposed
    BOOST_TEST(match_key("\xC5\x81\xC3\xB3\x64\xC5\xBA") == "lodz"); // Łódź
    BOOST_TEST(match_key("\xC3\x98resund") == "oresund");
    BOOST_TEST(match_key("Alpha\xE2\x80\x93Omega") == "alpha omega"); // en dash separates
    BOOST_TEST(title_similarity("\xC5\x81\xC3\xB3\x64\xC5\xBA", "LODZ") == 1.0);
}

BOOST_AUTO_TEST_CASE(title_similarity_is_high_only_for_the_same_title) {
    BOOST_TEST(title_similarity("The Matrix", "Matrix, The") == 1.0);
    BOOST_TEST(title_similarity("Spiderman", "Spider-Man") == 0.95);
    BOOST_TEST(title_similarity("Max", "Mad Max: Fury Road") < 0.5);
    BOOST_TEST(title_similarity("Max", "Mad Max") < 0.7);
    BOOST_TEST(title_similarity("The Matix", "The Matrix") > 0.4);
    BOOST_TEST(title_similarity("The Matix", "The Matrix") < 0.7);
    BOOST_TEST(title_similarity("", "The Matrix") == 0.0);
}

BOOST_AUTO_TEST_CASE(max_2015_chooses_max_not_mad_max_fury_road) {
    const auto choice = choose_best(max_results, hints("Max", 2015));
    BOOST_REQUIRE(choice.has_value());
    BOOST_TEST(max_results[choice->index].tmdb_id == 272878);
    BOOST_TEST((choice->state == mediabase::match_state::identified));
    BOOST_TEST(choice->confidence > 0.95);
}

BOOST_AUTO_TEST_CASE(mad_max_1979_and_fury_road_are_told_apart_by_title_and_year) {
    BOOST_TEST(chosen_id(max_results, hints("Mad Max", 1979)) == 9659);
    BOOST_TEST(chosen_id(max_results, hints("Mad Max Fury Road", 2015)) == 76341);
    BOOST_TEST(chosen_id(max_results, hints("Mad.Max.Fury.Road", std::nullopt)) == 76341);
}

BOOST_AUTO_TEST_CASE(a_colon_written_as_a_dash_matches_either_spelling) {
    // The parser gives "2001: A Space Odyssey" and "3:10 to Yuma" now; older catalogues (and NFOs) keep
    // "2001 - A Space Odyssey" and "3-10 to Yuma". Both find the TMDB title.
    const std::vector<search_candidate> results{candidate(62, "2001: A Space Odyssey", 1968, 40),
                                                candidate(4437, "2010", 1984, 12)};
    for (const char* title : {"2001: A Space Odyssey", "2001 - A Space Odyssey"}) {
        const auto choice = choose_best(results, hints(title, 1968));
        BOOST_REQUIRE(choice.has_value());
        BOOST_TEST(results[choice->index].tmdb_id == 62);
        BOOST_TEST((choice->state == mediabase::match_state::identified));
    }
    BOOST_TEST(match_key("3:10 to Yuma") == match_key("3-10 to Yuma"));
    BOOST_TEST(match_key("Alien: Romulus") == match_key("Alien - Romulus"));
}

BOOST_AUTO_TEST_CASE(a_short_title_inside_a_longer_one_is_no_match) {
    const std::vector<search_candidate> only_fury_road{candidate(76341, "Mad Max: Fury Road", 2015, 95)};
    BOOST_TEST(!choose_best(only_fury_road, hints("Max", 2015)).has_value());
}

BOOST_AUTO_TEST_CASE(a_year_off_by_one_is_still_identified) {
    const std::vector<search_candidate> results{candidate(851, "Brief Encounter", 1945, 9)};
    const auto choice = choose_best(results, hints("Brief Encounter", 1946));
    BOOST_REQUIRE(choice.has_value());
    BOOST_TEST((choice->state == mediabase::match_state::identified));
}

BOOST_AUTO_TEST_CASE(the_same_title_years_apart_goes_to_review) {
    const std::vector<search_candidate> results{candidate(1, "Solaris", 1972, 10)};
    const auto choice = choose_best(results, hints("Solaris", 2002));
    BOOST_REQUIRE(choice.has_value());
    BOOST_TEST((choice->state == mediabase::match_state::review));
}

BOOST_AUTO_TEST_CASE(a_remake_without_a_year_takes_the_popular_one_for_review) {
    const std::vector<search_candidate> results{candidate(841, "Dune", 1984, 20),
                                                candidate(438631, "Dune", 2021, 150)};
    const auto choice = choose_best(results, hints("Dune"));
    BOOST_REQUIRE(choice.has_value());
    BOOST_TEST(results[choice->index].tmdb_id == 438631);
    BOOST_TEST((choice->state == mediabase::match_state::review));
    // With a year there is no doubt.
    const auto dated = choose_best(results, hints("Dune", 1984));
    BOOST_REQUIRE(dated.has_value());
    BOOST_TEST(results[dated->index].tmdb_id == 841);
    BOOST_TEST((dated->state == mediabase::match_state::identified));
}

BOOST_AUTO_TEST_CASE(the_original_title_matches_on_either_side) {
    const std::vector<search_candidate> results{
        candidate(77338, "The Intouchables", 2011, 40, "Intouchables")};
    auto h = hints("Untouchable", 2011);
    const auto by_letters = choose_best(results, h);
    // By letters alone "Untouchable" is close to "The Intouchables" but not close enough to be sure: a
    // match for the user to review, never a certain one and never none.
    BOOST_REQUIRE(by_letters.has_value());
    BOOST_TEST(by_letters->index == 0u);
    BOOST_TEST((by_letters->state == mediabase::match_state::review));
    h.original_title = "Intouchables";
    const auto choice = choose_best(results, h);
    BOOST_REQUIRE(choice.has_value());
    BOOST_TEST((choice->state == mediabase::match_state::identified));
}

BOOST_AUTO_TEST_CASE(an_empty_list_is_no_match) {
    BOOST_TEST(!choose_best({}, hints("Anything", 2000)).has_value());
}

BOOST_AUTO_TEST_CASE(scores_are_sorted_best_first_within_0_and_1) {
    const auto scored = score_candidates(max_results, hints("Max", 2015));
    BOOST_REQUIRE(scored.size() == max_results.size());
    for (std::size_t i = 0; i < scored.size(); ++i) {
        BOOST_TEST(scored[i].confidence >= 0.0);
        BOOST_TEST(scored[i].confidence <= 1.0);
        if (i > 0) BOOST_TEST(scored[i - 1].confidence >= scored[i].confidence);
    }
}

BOOST_AUTO_TEST_CASE(the_plan_tries_ids_first_then_searches_with_fallbacks) {
    movie_hints h;
    h.title = "Untouchable";
    h.year = 2011;
    h.original_title = "Intouchables";
    h.tmdb_id = 77338;
    h.imdb_id = "tt1675434";
    const auto plan = plan_lookup(h);
    BOOST_REQUIRE(plan.size() == 6u);
    BOOST_TEST((plan[0].kind == kind::by_tmdb_id));
    BOOST_TEST(plan[0].tmdb_id == 77338);
    BOOST_TEST((plan[1].kind == kind::by_imdb_id));
    BOOST_TEST(plan[1].imdb_id == "tt1675434");
    BOOST_TEST((plan[2] == lookup_step{kind::search, 0, {}, "Untouchable", 2011}));
    BOOST_TEST((plan[3] == lookup_step{kind::search, 0, {}, "Untouchable", std::nullopt}));
    BOOST_TEST((plan[4] == lookup_step{kind::search, 0, {}, "Intouchables", 2011}));
    BOOST_TEST((plan[5] == lookup_step{kind::search, 0, {}, "Intouchables", std::nullopt}));
}

BOOST_AUTO_TEST_CASE(the_alternative_title_of_a_name_is_searched_and_scored) {
    mediabase::found_movie found;
    found.title = "Northern Winds";
    found.alternative_title = "Vents du Nord";
    found.year = 2005;
    const auto h = make_hints(found, std::nullopt);
    BOOST_TEST(h.alternative_title.value_or("") == "Vents du Nord");
    const auto plan = plan_lookup(h);
    BOOST_TEST((std::find(plan.begin(), plan.end(), lookup_step{kind::search, 0, {}, "Vents du Nord", 2005}) !=
                plan.end()));
    // The provider knows the film by its other title only: a sure match all the same.
    const std::vector<search_candidate> results{candidate(4242, "Vents du Nord", 2005, 5)};
    const auto choice = choose_best(results, h);
    BOOST_REQUIRE(choice.has_value());
    BOOST_TEST((choice->state == mediabase::match_state::identified));
    // Without it, not sure.
    auto plain = h;
    plain.alternative_title.reset();
    const auto without = choose_best(results, plain);
    BOOST_TEST((!without || without->state != mediabase::match_state::identified));
}

BOOST_AUTO_TEST_CASE(the_plan_without_year_or_title_is_short) {
    BOOST_TEST(plan_lookup(hints("Brief Encounter")).size() == 1u);
    BOOST_TEST(plan_lookup(hints("")).empty());
    auto only_id = hints("");
    only_id.imdb_id = "tt0133093";
    BOOST_TEST(plan_lookup(only_id).size() == 1u);
}

BOOST_AUTO_TEST_CASE(hints_merge_the_name_and_the_nfo) {
    mediabase::found_movie found;
    found.title = "Matrix";
    found.year = 1999;
    found.imdb_id = "tt0133093";
    nfo_data nfo;
    nfo.title = "The Matrix";
    nfo.original_title = "The Matrix";
    nfo.tmdb_id = 603;
    nfo.imdb_id = "tt9999999";
    const auto h = make_hints(found, nfo);
    BOOST_TEST(h.title == "The Matrix");
    BOOST_TEST(!h.name_title.has_value()); // "Matrix" and "The Matrix" are the same title
    BOOST_TEST(!h.original_title.has_value());
    BOOST_TEST(*h.year == 1999);
    BOOST_TEST(*h.tmdb_id == 603);
    BOOST_TEST(*h.imdb_id == "tt0133093"); // the name's id wins

    found.title = "Amelie from Montmartre";
    nfo = nfo_data{};
    nfo.title = "Amélie";
    nfo.original_title = "Le Fabuleux Destin d'Amélie Poulain";
    nfo.year = 2001;
    const auto h2 = make_hints(found, nfo);
    BOOST_TEST(h2.title == "Amélie");
    BOOST_TEST(*h2.original_title == "Le Fabuleux Destin d'Amélie Poulain");
    BOOST_TEST(*h2.name_title == "Amelie from Montmartre");
    BOOST_TEST(*h2.year == 2001);
    BOOST_TEST(plan_lookup(h2).back().query == "Amelie from Montmartre");

    nfo.original_title = "AMELIE"; // the same title as the NFO's: no extra search
    BOOST_TEST(!make_hints(found, nfo).original_title.has_value());

    const auto without = make_hints(found, std::nullopt);
    BOOST_TEST(without.title == "Amelie from Montmartre");
    BOOST_TEST(*without.year == 1999);
}

BOOST_AUTO_TEST_SUITE_END()
