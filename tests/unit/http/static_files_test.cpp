#define BOOST_TEST_MODULE static_files
#include <boost/test/unit_test.hpp>

#include "mediabase/http/static_files.hpp"

#include <fstream>

#include "temp_dir.hpp"

using namespace mediabase;
using mediabase::testing::temp_dir;

BOOST_AUTO_TEST_CASE(content_types_come_from_one_table) {
    BOOST_TEST(content_type_for("/index.html") == "text/html; charset=utf-8");
    BOOST_TEST(content_type_for("/js/main.js") == "text/javascript; charset=utf-8");
    BOOST_TEST(content_type_for("/css/app.css") == "text/css; charset=utf-8");
    BOOST_TEST(content_type_for("/favicon.svg") == "image/svg+xml");
    BOOST_TEST(content_type_for("/img/poster.jpg") == "image/jpeg");
    BOOST_TEST(content_type_for("/img/poster.JPEG") == "image/jpeg");
    BOOST_TEST(content_type_for("abcdef.webp") == "image/webp");
    BOOST_TEST(content_type_for("abcdef.png") == "image/png");
    BOOST_TEST(content_type_for("/fonts/inter.woff2") == "font/woff2");
    BOOST_TEST(content_type_for("/site.webmanifest") == "application/manifest+json");
    BOOST_TEST(content_type_for("/README") == "application/octet-stream");
    BOOST_TEST(content_type_for("/v1.2/README") == "application/octet-stream"); // a dot in a folder only
    BOOST_TEST(content_type_for("/archive.tar") == "application/octet-stream");
}

BOOST_AUTO_TEST_CASE(every_embedded_file_has_a_known_type) {
    // A file added to static/ with an extension the table lacks would go out as octet-stream with nosniff.
    for (const auto& asset : embedded_assets())
        BOOST_TEST(content_type_for(asset.path) != "application/octet-stream", asset.path);
    auto index = find_static_file("/", std::nullopt);
    BOOST_REQUIRE(index);
    BOOST_TEST(index->content_type == "text/html; charset=utf-8");
}

BOOST_AUTO_TEST_CASE(static_dir_files_get_the_same_types_as_embedded_ones) {
    temp_dir dir;
    for (const auto* name : {"poster.jpg", "font.woff2", "icon.svg", "app.js"})
        std::ofstream(dir.path / name) << "x";
    const std::optional<std::filesystem::path> static_dir = dir.path;
    BOOST_TEST(find_static_file("/poster.jpg", static_dir)->content_type == "image/jpeg");
    BOOST_TEST(find_static_file("/font.woff2", static_dir)->content_type == "font/woff2");
    BOOST_TEST(find_static_file("/icon.svg", static_dir)->content_type == "image/svg+xml");
    BOOST_TEST(find_static_file("/app.js", static_dir)->content_type == "text/javascript; charset=utf-8");
    BOOST_TEST(!find_static_file("/../etc/passwd", static_dir));
    BOOST_TEST(!find_static_file("/.hidden", static_dir));
    BOOST_TEST(!find_static_file("/missing.js", static_dir));
}

BOOST_AUTO_TEST_CASE(accept_encoding_q_values_are_honoured) {
    BOOST_TEST(accepts_encoding("gzip", "gzip"));
    BOOST_TEST(accepts_encoding("gzip, deflate, br", "gzip"));
    BOOST_TEST(accepts_encoding("deflate, GZIP;q=0.5", "gzip"));
    BOOST_TEST(accepts_encoding("*", "gzip"));
    BOOST_TEST(accepts_encoding("br;q=1.0, gzip ; q=0.001", "gzip"));
    BOOST_TEST(!accepts_encoding("gzip;q=0", "gzip"));
    BOOST_TEST(!accepts_encoding("gzip;q=0.000", "gzip"));
    BOOST_TEST(!accepts_encoding("gzip; q=0, *", "gzip")); // the named entry wins over the wildcard
    BOOST_TEST(!accepts_encoding("*;q=0", "gzip"));
    BOOST_TEST(!accepts_encoding("identity", "gzip"));
    BOOST_TEST(!accepts_encoding("x-gzip-like", "gzip"));
    BOOST_TEST(!accepts_encoding("", "gzip"));
    BOOST_TEST(!accepts_encoding("gzip;q=banana", "gzip"));
    BOOST_TEST(!accepts_encoding("gzip;q=2", "gzip"));
}
