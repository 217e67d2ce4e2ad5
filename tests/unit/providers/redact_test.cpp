#define BOOST_TEST_MODULE providers_redact
#include "mediabase/providers/redact.hpp"

#include <boost/test/unit_test.hpp>

using namespace mediabase::providers;

BOOST_AUTO_TEST_SUITE(redact)

BOOST_AUTO_TEST_CASE(api_key_query_parameters_are_replaced) {
    BOOST_TEST(redact_url("https://api.themoviedb.org/3/movie/603?api_key=s3cr3t&language=en-US") ==
               "https://api.themoviedb.org/3/movie/603?api_key=***&language=en-US");
    BOOST_TEST(redact_url("https://www.omdbapi.com/?apikey=abcd1234&i=tt0133093") ==
               "https://www.omdbapi.com/?apikey=***&i=tt0133093");
}

BOOST_AUTO_TEST_CASE(parameter_names_match_case_insensitively_and_everywhere) {
    BOOST_TEST(redact_url("http://h/p?query=x&API_KEY=one&ApiKey=two&access_token=three#frag") ==
               "http://h/p?query=x&API_KEY=***&ApiKey=***&access_token=***#frag");
}

BOOST_AUTO_TEST_CASE(urls_without_secrets_are_unchanged) {
    BOOST_TEST(redact_url("https://image.tmdb.org/t/p/w500/x.jpg") ==
               "https://image.tmdb.org/t/p/w500/x.jpg");
    BOOST_TEST(redact_url("http://h/search?query=api_key") == "http://h/search?query=api_key");
    BOOST_TEST(redact_url("") == "");
}

BOOST_AUTO_TEST_CASE(malformed_urls_are_redacted_too) {
    BOOST_TEST(redact_url("not a url ?api_key=s3cr3t&&=x&") == "not a url ?api_key=***&&=x&");
    BOOST_TEST(redact_url("?apikey=") == "?apikey=***");
}

BOOST_AUTO_TEST_CASE(credential_headers_are_redacted_keeping_the_scheme) {
    BOOST_TEST(is_secret_header("Authorization"));
    BOOST_TEST(is_secret_header("x-api-key"));
    BOOST_TEST(!is_secret_header("Accept"));
    BOOST_TEST(redact_header("Authorization", "Bearer eyJhbGciOi.secret") == "Bearer ***");
    BOOST_TEST(redact_header("authorization", "s3cr3t") == "***");
    BOOST_TEST(redact_header("Cookie", "session=abc; other=def") == "***");
    BOOST_TEST(redact_header("Accept", "application/json") == "application/json");
}

BOOST_AUTO_TEST_CASE(known_secrets_are_scrubbed_from_any_text) {
    const std::vector<std::string> secrets{"s3cr3t-key", "token-value", "", "ab"};
    BOOST_TEST(redact_secrets("GET /x?k=s3cr3t-key failed; token-value and s3cr3t-key again; ab stays",
                              secrets) == "GET /x?k=*** failed; *** and *** again; ab stays");
    BOOST_TEST(redact_secrets("nothing here", secrets) == "nothing here");
}

BOOST_AUTO_TEST_SUITE_END()
