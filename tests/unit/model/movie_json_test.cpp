#define BOOST_TEST_MODULE movie_json
#include <boost/test/unit_test.hpp>

#include "mediabase/model/movie_json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>

using namespace mediabase;
namespace json = boost::json;

namespace {

/// Serialises and parses back: proves the text is valid JSON (Boost.JSON's parser rejects invalid UTF-8).
json::object round_trip(const json::object& o) {
    const auto text = json::serialize(o);
    json::error_code ec;
    auto value = json::parse(text, ec);
    BOOST_REQUIRE_MESSAGE(!ec, "invalid JSON: " << ec.message() << ": " << text);
    BOOST_REQUIRE(value.is_object());
    return value.as_object();
}

movie full_movie() {
    movie m;
    m.id = 7;
    m.title = "The Matrix";
    m.original_title = "The Matrix";
    m.year = 1999;
    m.overview = "A hacker learns the truth.";
    m.tagline = "Welcome to the Real World.";
    m.runtime = 136;
    m.genres = {"Action", "Science Fiction"};
    m.countries = {"US"};
    m.directors = {{"Lana Wachowski", "Director"}, {"Lilly Wachowski", "Director"}};
    m.writers = {{"Lana Wachowski", "Writer"}};
    m.cast = {{"Keanu Reeves", "Neo"}, {"Carrie-Anne Moss", std::nullopt}};
    m.certification = "R";
    m.collection = "The Matrix Collection";
    m.tmdb_id = 603;
    m.imdb_id = "tt0133093";
    m.poster = "603-poster.jpg";
    m.backdrop = "603-backdrop.jpg";
    m.imdb_rating = 8.7;
    m.imdb_votes = 2'000'000;
    m.metascore = 73;
    m.awards = "Won 4 Oscars";
    m.vote_average = 8.2;
    m.vote_count = 25'000;
    m.watched = true;
    m.rating = 9;
    m.match = match_state::review;
    m.match_confidence = 0.55;
    m.added_at = "2026-11-25T12:00:00Z";
    m.updated_at = "2026-11-25T12:30:00Z";
    media_file f;
    f.id = 11;
    f.path = "/media/The Matrix (1999)/The.Matrix.1999.2160p.mkv";
    f.root = "/media";
    f.stamp = {4'000'000'000, 1'764'072'000'000'000'000};
    f.resolution = "2160p";
    f.source = "BluRay";
    f.video_codec = "HEVC";
    f.audio_codec = "TrueHD";
    f.edition = "Remastered";
    f.container = "mkv";
    f.part = 1;
    f.three_d = false;
    m.files.push_back(f);
    return m;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_movie_has_every_field_of_the_contract) {
    const auto o = round_trip(to_json(full_movie()));
    BOOST_TEST(o.at("id").as_int64() == 7);
    BOOST_TEST(o.at("title").as_string() == "The Matrix");
    BOOST_TEST(o.at("original_title").as_string() == "The Matrix");
    BOOST_TEST(o.at("year").as_int64() == 1999);
    BOOST_TEST(o.at("overview").as_string() == "A hacker learns the truth.");
    BOOST_TEST(o.at("tagline").as_string() == "Welcome to the Real World.");
    BOOST_TEST(o.at("runtime").as_int64() == 136);
    BOOST_TEST(json::serialize(o.at("genres")) == R"(["Action","Science Fiction"])");
    BOOST_TEST(json::serialize(o.at("countries")) == R"(["US"])");
    BOOST_TEST(json::serialize(o.at("directors")) == R"(["Lana Wachowski","Lilly Wachowski"])");
    BOOST_TEST(json::serialize(o.at("writers")) == R"(["Lana Wachowski"])");
    BOOST_TEST(json::serialize(o.at("cast")) ==
               R"([{"name":"Keanu Reeves","role":"Neo"},{"name":"Carrie-Anne Moss","role":null}])");
    BOOST_TEST(o.at("certification").as_string() == "R");
    BOOST_TEST(o.at("collection").as_string() == "The Matrix Collection");
    BOOST_TEST(o.at("tmdb_id").as_int64() == 603);
    BOOST_TEST(o.at("imdb_id").as_string() == "tt0133093");
    BOOST_TEST(o.at("poster").as_string() == "/img/603-poster.jpg");
    BOOST_TEST(o.at("backdrop").as_string() == "/img/603-backdrop.jpg");
    BOOST_TEST(o.at("imdb_rating").as_double() == 8.7);
    BOOST_TEST(o.at("imdb_votes").as_int64() == 2'000'000);
    BOOST_TEST(o.at("metascore").as_int64() == 73);
    BOOST_TEST(o.at("awards").as_string() == "Won 4 Oscars");
    BOOST_TEST(o.at("vote_average").as_double() == 8.2);
    BOOST_TEST(o.at("vote_count").as_int64() == 25'000);
    BOOST_TEST(o.at("watched").as_bool());
    BOOST_TEST(o.at("rating").as_int64() == 9);
    BOOST_TEST(o.at("match").as_string() == "review");
    BOOST_TEST(o.at("match_confidence").as_double() == 0.55);
    BOOST_TEST(o.at("identify_error").is_null());
    BOOST_TEST(o.at("needs_review").as_bool());
    BOOST_TEST(o.at("added_at").as_string() == "2026-11-25T12:00:00Z");
    BOOST_TEST(o.at("updated_at").as_string() == "2026-11-25T12:30:00Z");

    const auto& files = o.at("files").as_array();
    BOOST_REQUIRE_EQUAL(files.size(), 1u);
    const auto& f = files[0].as_object();
    BOOST_TEST(f.at("id").as_int64() == 11);
    BOOST_TEST(f.at("path").as_string() == "/media/The Matrix (1999)/The.Matrix.1999.2160p.mkv");
    BOOST_TEST(f.at("size").as_int64() == 4'000'000'000);
    BOOST_TEST(f.at("mtime").as_string() == "2025-11-25T12:00:00Z");
    BOOST_TEST(f.at("resolution").as_string() == "2160p");
    BOOST_TEST(f.at("source").as_string() == "BluRay");
    BOOST_TEST(f.at("video_codec").as_string() == "HEVC");
    BOOST_TEST(f.at("audio_codec").as_string() == "TrueHD");
    BOOST_TEST(f.at("edition").as_string() == "Remastered");
    BOOST_TEST(f.at("part").as_int64() == 1);
    BOOST_TEST(f.at("container").as_string() == "mkv");
    BOOST_TEST(!f.at("three_d").as_bool());
}

BOOST_AUTO_TEST_CASE(missing_values_are_null_and_lists_are_empty) {
    movie m;
    m.id = 1;
    m.title = "Untitled";
    const auto o = round_trip(to_json(m));
    for (const char* key :
         {"original_title", "year",        "overview",   "tagline",          "runtime",
          "certification",  "collection",  "tmdb_id",    "imdb_id",          "poster",
          "backdrop",       "imdb_rating", "imdb_votes", "metascore",        "awards",
          "vote_average",   "vote_count",  "rating",     "match_confidence", "identify_error"}) {
        BOOST_TEST_CONTEXT(key) {
            BOOST_REQUIRE(o.contains(key));
            BOOST_TEST(o.at(key).is_null());
        }
    }
    for (const char* key : {"genres", "countries", "directors", "writers", "cast", "files"}) {
        BOOST_TEST_CONTEXT(key) {
            BOOST_TEST(o.at(key).as_array().empty());
        }
    }
    BOOST_TEST(o.at("match").as_string() == "unidentified");
    BOOST_TEST(!o.at("needs_review").as_bool());
    BOOST_TEST(!o.at("watched").as_bool());

    media_file bare;
    bare.path = "/media/x.mkv";
    const auto f = round_trip(to_json(bare));
    for (const char* key :
         {"resolution", "source", "video_codec", "audio_codec", "edition", "part", "container"}) {
        BOOST_TEST_CONTEXT(key) {
            BOOST_TEST(f.at(key).is_null());
        }
    }
    BOOST_TEST(f.at("mtime").as_string() == "1970-01-01T00:00:00Z");
}

BOOST_AUTO_TEST_CASE(every_match_state_has_its_name) {
    movie m;
    for (auto [state, name] :
         {std::pair{match_state::unidentified, "unidentified"},
          std::pair{match_state::identified, "identified"}, std::pair{match_state::review, "review"},
          std::pair{match_state::failed, "failed"}}) {
        m.match = state;
        m.identify_error =
            state == match_state::failed ? std::optional<std::string>("TMDB: no match") : std::nullopt;
        const auto o = to_json(m);
        BOOST_TEST(o.at("match").as_string() == name);
        BOOST_TEST(o.at("needs_review").as_bool() == (state == match_state::review));
    }
    BOOST_TEST(to_json(m).at("identify_error").as_string() == "TMDB: no match");
}

BOOST_AUTO_TEST_CASE(an_invalid_utf8_path_still_gives_valid_json) {
    auto m = full_movie();
    m.files[0].path = "/media/Caf\xe9 (1999)/Caf\xe9.mkv"; // Latin-1
    m.title = "Caf\xe9";
    m.cast = {{"Bj\xf6rk", std::string("Selma \xff")}};
    const auto o = round_trip(to_json(m));
    BOOST_TEST(o.at("files").as_array()[0].as_object().at("path").as_string() ==
               "/media/Caf\xEF\xBF\xBD (1999)/Caf\xEF\xBF\xBD.mkv");
    BOOST_TEST(o.at("title").as_string() == "Caf\xEF\xBF\xBD");
    BOOST_TEST(o.at("cast").as_array()[0].as_object().at("role").as_string() == "Selma \xEF\xBF\xBD");

    import_job job;
    job.current = "/media/\xc3\x28";
    BOOST_TEST(round_trip(to_json(job)).at("current").as_string() == "/media/\xEF\xBF\xBD(");
}

BOOST_AUTO_TEST_CASE(display_utf8_keeps_valid_text_and_replaces_each_bad_sequence) {
    BOOST_TEST(display_utf8("") == "");
    BOOST_TEST(display_utf8("plain ascii") == "plain ascii");
    BOOST_TEST(display_utf8("Amélie – 東京 🎬") == "Amélie – 東京 🎬");
    const std::string fffd = "\xEF\xBF\xBD";
    BOOST_TEST(display_utf8("\xff") == fffd);
    BOOST_TEST(display_utf8("a\x80z") == "a" + fffd + "z");
    // A truncated sequence is one replacement, and the byte after it is kept.
    BOOST_TEST(display_utf8("\xe6\x9d") == fffd);
    BOOST_TEST(display_utf8("\xe6\x9dx") == fffd + "x");
    BOOST_TEST(display_utf8("\xf0\x9f\x8e") == fffd);
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    BOOST_TEST(display_utf8("\xc0\xaf") == fffd + fffd);
    BOOST_TEST(display_utf8("\xe0\x80\xaf") == fffd + fffd + fffd);
    BOOST_TEST(display_utf8("\xed\xa0\x80") == fffd + fffd + fffd);
    BOOST_TEST(display_utf8("\xf4\x90\x80\x80") == fffd + fffd + fffd + fffd);
    BOOST_TEST(display_utf8("\xf4\x8f\xbf\xbf") == "\xf4\x8f\xbf\xbf"); // U+10FFFF itself is fine
    BOOST_TEST(display_utf8(std::string("a\0b", 3)) == std::string("a\0b", 3));
}

BOOST_AUTO_TEST_CASE(a_job_status_has_its_counts_and_nulls) {
    import_job job;
    job.id = 3;
    job.state = job_state::identifying;
    job.started_at = "2026-11-25T12:00:00Z";
    job.counts = {10, 2, 5, 4, 3, 1, 2};
    job.current = "/media/Heat (1995)";
    auto o = round_trip(to_json(job));
    BOOST_TEST(o.at("id").as_int64() == 3);
    BOOST_TEST(o.at("state").as_string() == "identifying");
    BOOST_TEST(o.at("started_at").as_string() == "2026-11-25T12:00:00Z");
    BOOST_TEST(o.at("finished_at").is_null());
    BOOST_TEST(o.at("current").as_string() == "/media/Heat (1995)");
    BOOST_TEST(o.at("error").is_null());
    BOOST_TEST(json::serialize(o.at("counts")) ==
               R"({"found":10,"skipped":2,"identified":5,"stored":4,"art_cached":3,"failed":1,"unidentified":2,)"
               R"("files":0,"added":0,"updated":0})");
    BOOST_TEST(o.at("warnings").as_array().empty());
    BOOST_TEST(o.at("trigger").as_string() == "manual");
    BOOST_TEST(o.at("progress").at("percent").is_null());
    BOOST_TEST(o.at("duration_ms").is_null());

    job.state = job_state::idle;
    job.finished_at = "2026-11-25T12:10:00Z";
    job.current.reset();
    job.error = "the media folder /media is missing";
    o = round_trip(to_json(job));
    BOOST_TEST(o.at("state").as_string() == "idle");
    BOOST_TEST(o.at("finished_at").as_string() == "2026-11-25T12:10:00Z");
    BOOST_TEST(o.at("current").is_null());
    BOOST_TEST(o.at("error").as_string() == "the media folder /media is missing");

    const auto never = round_trip(to_json(import_job{}));
    BOOST_TEST(never.at("id").as_int64() == 0);
    BOOST_TEST(never.at("started_at").is_null());
    BOOST_TEST(never.at("state").as_string() == "idle");
}

BOOST_AUTO_TEST_CASE(a_page_has_its_total_and_movies) {
    movie_page page;
    page.total = 120;
    page.movies = {full_movie(), full_movie()};
    const auto o = round_trip(to_json(page));
    BOOST_TEST(o.at("total").as_int64() == 120);
    BOOST_REQUIRE_EQUAL(o.at("movies").as_array().size(), 2u);
    BOOST_TEST(o.at("movies").as_array()[0].as_object().at("title").as_string() == "The Matrix");
    BOOST_TEST(round_trip(to_json(movie_page{})).at("movies").as_array().empty());
}

BOOST_AUTO_TEST_CASE(art_keys_become_img_urls_and_empty_keys_null) {
    movie m;
    m.poster = "abc.jpg";
    m.backdrop = "";
    const auto o = to_json(m);
    BOOST_TEST(o.at("poster").as_string() == "/img/abc.jpg");
    BOOST_TEST(o.at("backdrop").is_null());
}BOOST_AUTO_TEST_CASE(a_file_shows_what_it_holds_once_read_and_null_before) {
    media_file f;
    f.path = "/media/x.mkv";
    BOOST_TEST(!to_json(f).contains("media"));
    media_info info;
    info.container = "matroska";
    info.duration_ms = 2000;
    info.video_codec = "h264";
    info.width = 320;
    info.height = 180;
    info.audio = {{"aac", 2, "deu"}};
    info.subtitles = {{"subrip", std::nullopt}};
    f.media = info;
    const auto media = to_json(f).at("media").as_object();
    BOOST_TEST(media.at("state").as_string() == "ok");
    BOOST_TEST(media.at("duration_ms").as_int64() == 2000);
    BOOST_TEST(media.at("video").at("width").as_int64() == 320);
    BOOST_TEST(media.at("video").at("hdr").is_null());
    BOOST_TEST(media.at("audio").at(0).at("language").as_string() == "deu");
    BOOST_TEST(media.at("subtitles").at(0).at("language").is_null());
    media_info bad;
    bad.state = media_info::state_type::unreadable;
    bad.error = "not a video file";
    f.media = bad;
    const auto unreadable = to_json(f).at("media").as_object();
    BOOST_TEST(unreadable.at("state").as_string() == "unreadable");
    BOOST_TEST(unreadable.at("video").is_null());
    BOOST_TEST(unreadable.at("audio").as_array().empty());
}


