#define BOOST_TEST_MODULE rest_request
#include <boost/test/unit_test.hpp>

#include "rest_request.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <memory>
#include <sstream>
#include <string>

using namespace mediabase;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

http_request make(http::verb method, std::string target, std::string body = {}) {
    http_request request{method, target, 11};
    request.body() = std::move(body);
    request.prepare_payload();
    return request;
}

/// The response check_request refused with; fails the test if it accepted.
http_response refused(const http_request& request) {
    auto result = check_request(request);
    BOOST_REQUIRE(std::holds_alternative<http_response>(result));
    return std::get<http_response>(std::move(result));
}

checked_request accepted(const http_request& request) {
    auto result = check_request(request);
    if (auto* res = std::get_if<http_response>(&result)) BOOST_FAIL("refused: " + std::string(res->body().view()));
    return std::get<checked_request>(std::move(result));
}

json::object error_of(const http_response& response) {
    boost::system::error_code ec;
    auto body = json::parse(response.body().view(), ec);
    BOOST_REQUIRE_MESSAGE(!ec, "not JSON: " + std::string(response.body().view()));
    return body.at("error").as_object();
}

} // namespace

BOOST_AUTO_TEST_CASE(routes_name_the_request_and_carry_its_parameters) {
    auto movies = accepted(make(http::verb::get, "/api/v1/movies?q=heat&sort=year&order=desc&limit=5"));
    BOOST_TEST((movies.route == api_route::movies));
    BOOST_TEST(movies.query.text == "heat");
    BOOST_TEST(movies.query.limit == 5);
    BOOST_TEST(movies.query.descending);

    auto patch = accepted(make(http::verb::patch, "/api/v1/movies/42", R"({"watched": true, "rating": null})"));
    BOOST_TEST((patch.route == api_route::movie_patch));
    BOOST_TEST(patch.movie_id == 42);
    BOOST_TEST(*patch.patch.watched);
    BOOST_TEST(!patch.patch.rating->has_value());

    auto match = accepted(make(http::verb::post, "/api/v1/movies/7/match", R"({"tmdb_id": 603})"));
    BOOST_TEST((match.route == api_route::movie_match));
    BOOST_TEST(*match.tmdb_id == 603);

    BOOST_TEST((accepted(make(http::verb::get, "/api/v1/movies/duplicates")).route == api_route::duplicates));
    BOOST_TEST((accepted(make(http::verb::get, "/img/abc-poster.jpg")).name == "abc-poster.jpg"));
    BOOST_TEST((accepted(make(http::verb::get, "/movies/42")).route == api_route::static_file));
}

BOOST_AUTO_TEST_CASE(bad_requests_get_their_status_and_a_json_error) {
    auto bad_sort = refused(make(http::verb::get, "/api/v1/movies?sort=colour"));
    BOOST_TEST(bad_sort.result_int() == 400);
    BOOST_TEST(error_of(bad_sort).at("message").as_string() ==
               "sort: expected title, year, added, rating or runtime, got 'colour'");

    auto bad_json = refused(make(http::verb::put, "/api/v1/config", "{\"watch\":"));
    BOOST_TEST(bad_json.result_int() == 400);
    BOOST_TEST(error_of(bad_json).at("code").as_string() == "bad_json");

    // A POST that takes no options refuses a body asking for some, and one that is not JSON.
    BOOST_TEST((accepted(make(http::verb::post, "/api/v1/import")).route == api_route::import_start));
    BOOST_TEST((accepted(make(http::verb::post, "/api/v1/import", "{}")).route == api_route::import_start));
    auto broken_import = refused(make(http::verb::post, "/api/v1/import", "{bad"));
    BOOST_TEST(broken_import.result_int() == 400);
    BOOST_TEST(error_of(broken_import).at("code").as_string() == "bad_json");
    auto partial_import = refused(make(http::verb::post, "/api/v1/import", R"({"roots":["/media/a"]})"));
    BOOST_TEST(partial_import.result_int() == 400);
    BOOST_TEST(error_of(partial_import).at("message").as_string() == "this request takes no options, got 'roots'");
    BOOST_TEST(refused(make(http::verb::post, "/api/v1/backups", "[1]")).result_int() == 400);

    auto wrong_method = refused(make(http::verb::delete_, "/api/v1/import"));
    BOOST_TEST(wrong_method.result_int() == 405);
    BOOST_TEST(wrong_method[http::field::allow] == "GET, POST");

    BOOST_TEST(refused(make(http::verb::get, "/api/v1/movies/0")).result_int() == 404);
    BOOST_TEST(refused(make(http::verb::get, "/api/v1/nothing")).result_int() == 404);
    BOOST_TEST(refused(make(http::verb::get, "/img/..secret")).result_int() == 404);
    BOOST_TEST(refused(make(http::verb::post, "/index.html")).result_int() == 405);

    // An out-of-range filter value is a 400, not 200 with nothing found.
    auto four_k = refused(make(http::verb::get, "/api/v1/movies?resolution=4k"));
    BOOST_TEST(four_k.result_int() == 400);
    BOOST_TEST(std::string(error_of(four_k).at("message").as_string()).find("4K is 2160p") != std::string::npos);
    BOOST_TEST(*accepted(make(http::verb::get, "/api/v1/movies?resolution=2160p")).query.resolution == "2160p");

    BOOST_TEST((accepted(make(http::verb::post, "/api/v1/providers/check")).route == api_route::providers_check));
    BOOST_TEST(refused(make(http::verb::get, "/api/v1/providers/check")).result_int() == 405);
}

// Found by fuzz/http_request_fuzz: a 404 echoed the decoded path, and a path with %82 made the body invalid
// UTF-8, so not JSON.
BOOST_AUTO_TEST_CASE(errors_that_echo_bytes_which_are_not_utf8_are_still_json) {
    auto not_found = refused(make(http::verb::get, "/api/v1/movie%82s"));
    BOOST_TEST(not_found.result_int() == 404);
    BOOST_TEST(error_of(not_found).at("message").as_string() == "no API route GET /api/v1/movie\xEF\xBF\xBDs");

    auto bad_order = refused(make(http::verb::get, "/api/v1/movies?order=%C3%28%F0%9F%8E%AC"));
    BOOST_TEST(error_of(bad_order).at("message").as_string() ==
               "order: expected asc or desc, got '\xEF\xBF\xBD(\xF0\x9F\x8E\xAC'");
}

// Found by fuzz/http_request_fuzz: Beast 1.81 asserted in parse_chunk_header when a read after the last
// chunk ("0\r\n") brought one byte, so a client sending an empty chunked body byte by byte aborted a server
// built with assertions. The server's parser (src/asio_impl.cpp) has them off.
BOOST_AUTO_TEST_CASE(a_chunked_request_read_byte_by_byte_is_parsed) {
    const std::string bytes = "PUT /api/v1/config HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "0\r\nX-Trailer: 1\r\n\r\n";
    http::request_parser<http::string_body> parser;
    parser.eager(true);
    std::string pending;
    boost::beast::error_code ec;
    for (const char byte : bytes) {
        pending += byte;
        const auto used = parser.put(boost::asio::buffer(pending), ec);
        pending.erase(0, used);
        if (ec == http::error::need_more) ec = {};
        BOOST_REQUIRE_MESSAGE(!ec, ec.message());
    }
    BOOST_TEST(parser.is_done());
    BOOST_TEST(parser.get().target() == "/api/v1/config");
    BOOST_TEST(parser.get().body().empty());
}

// A cached answer's body is shared with the cache: written byte for byte, and a HEAD answer clearing its body
// or a caller taking it leaves the cache's text as it was.
BOOST_AUTO_TEST_CASE(a_shared_body_is_written_as_is_and_never_changes_the_cache) {
    const auto cached = std::make_shared<const std::string>(R"({"movies":[],"total":0})");
    http_response res{http::status::ok, 11};
    res.body().share(cached);
    res.prepare_payload();
    std::ostringstream wire;
    wire << res;
    BOOST_TEST(wire.str().ends_with("\r\n\r\n" + *cached));
    BOOST_TEST(res[http::field::content_length] == std::to_string(cached->size()));

    BOOST_TEST(res.body().release() == *cached);
    BOOST_TEST(res.body().empty());
    res.body().share(cached);
    res.body().clear();
    BOOST_TEST(*cached == R"({"movies":[],"total":0})");

    res.body() = std::string("own");
    BOOST_TEST(res.body().view() == "own");
}
