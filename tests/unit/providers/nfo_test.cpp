#define BOOST_TEST_MODULE providers_nfo
#include "mediabase/providers/nfo.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <fstream>
#include <random>

using namespace mediabase::providers;
namespace fs = std::filesystem;

namespace {

/// A folder under the system temp dir, removed with everything in it at the end of the test.
struct temp_folder {
    fs::path path;
    temp_folder() {
        static std::atomic<int> counter{0};
        path = fs::temp_directory_path() / ("mediabase-nfo-test-" + std::to_string(std::random_device{}()) +
                                            "-" + std::to_string(counter++));
        fs::create_directories(path);
    }
    ~temp_folder() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path write(const fs::path& relative, std::string_view content) const {
        const auto file = path / relative;
        fs::create_directories(file.parent_path());
        std::ofstream(file, std::ios::binary) << content;
        return file;
    }
};

constexpr std::string_view full_nfo = R"(<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>
<movie>
  <title>The Matrix</title>
  <originaltitle>The Matrix</originaltitle>
  <ratings>
    <rating name="imdb" max="10" default="true"><value>8.7</value><votes>1,900,000</votes></rating>
    <rating name="themoviedb" max="10"><value>8.2</value><votes>24000</votes></rating>
    <rating name="metacritic" max="100"><value>73</value></rating>
  </ratings>
  <year>1999</year>
  <plot>A hacker learns the truth.</plot>
  <tagline>Welcome to the Real World.</tagline>
  <runtime>136 min</runtime>
  <mpaa>Rated R</mpaa>
  <uniqueid type="imdb" default="true">tt0133093</uniqueid>
  <uniqueid type="tmdb">603</uniqueid>
  <genre>Action</genre>
  <genre>Science Fiction / Thriller</genre>
  <country>United States of America</country>
  <set><name>The Matrix Collection</name><overview>Trilogy</overview></set>
  <credits>Lana Wachowski</credits>
  <director>Lana Wachowski</director>
  <director>Lilly Wachowski</director>
  <actor><name>Laurence Fishburne</name><role>Morpheus</role><order>1</order></actor>
  <actor><name>Keanu Reeves</name><role>Neo</role><order>0</order></actor>
  <actor><name></name><role>Nobody</role><order>2</order></actor>
</movie>
)";

} // namespace

BOOST_AUTO_TEST_SUITE(nfo)

BOOST_AUTO_TEST_CASE(a_kodi_nfo_is_read_completely) {
    const auto r = parse_nfo(full_nfo);
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(*r->title == "The Matrix");
    BOOST_TEST(*r->original_title == "The Matrix");
    BOOST_TEST(*r->year == 1999);
    BOOST_TEST(*r->plot == "A hacker learns the truth.");
    BOOST_TEST(*r->tagline == "Welcome to the Real World.");
    BOOST_TEST(*r->runtime == 136);
    BOOST_TEST(*r->certification == "Rated R");
    BOOST_TEST(*r->imdb_id == "tt0133093");
    BOOST_TEST(*r->tmdb_id == 603);
    BOOST_TEST(r->genres == (std::vector<std::string>{"Action", "Science Fiction", "Thriller"}));
    BOOST_TEST(r->countries == (std::vector<std::string>{"United States of America"}));
    BOOST_TEST(*r->collection == "The Matrix Collection");
    BOOST_REQUIRE(r->directors.size() == 2u);
    BOOST_TEST(r->directors[1].name == "Lilly Wachowski");
    BOOST_REQUIRE(r->writers.size() == 1u);
    BOOST_REQUIRE(r->actors.size() == 2u);
    BOOST_TEST(r->actors[0].name == "Keanu Reeves"); // sorted by <order>
    BOOST_TEST(*r->actors[0].role == "Neo");
    BOOST_REQUIRE(r->ratings.size() == 3u);
    BOOST_TEST(r->ratings[0].name == "imdb");
    BOOST_TEST(r->ratings[0].value == 8.7);
    BOOST_TEST(*r->ratings[0].votes == 1900000);
    BOOST_TEST(r->ratings[0].is_default);
    BOOST_TEST(r->ratings[2].value == 7.3); // 73 of 100 on the 0..10 scale
}

BOOST_AUTO_TEST_CASE(legacy_elements_are_understood) {
    const auto r = parse_nfo(R"(<movie><title> Brief Encounter </title><premiered>1945-11-24</premiered>
        <id>tt0037558</id><tmdbid>851</tmdbid><rating>7,9</rating><votes>40.000</votes>
        <set>Lean Classics</set></movie>)");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(*r->title == "Brief Encounter");
    BOOST_TEST(*r->year == 1945);
    BOOST_TEST(*r->imdb_id == "tt0037558");
    BOOST_TEST(*r->tmdb_id == 851);
    BOOST_TEST(*r->collection == "Lean Classics");
    BOOST_REQUIRE(r->ratings.size() == 1u);
    BOOST_TEST(r->ratings[0].value == 7.9);
    BOOST_TEST(*r->ratings[0].votes == 40000);
}

BOOST_AUTO_TEST_CASE(bad_values_are_left_out) {
    const auto r = parse_nfo(R"(<movie><title>X</title><year>soon</year><runtime>-5</runtime>
        <uniqueid type="tmdb">abc</uniqueid><uniqueid type="imdb">603</uniqueid><id>603</id>
        <ratings><rating name="imdb"><value>high</value></rating></ratings></movie>)");
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(!r->year.has_value());
    BOOST_TEST(!r->runtime.has_value());
    BOOST_TEST(!r->tmdb_id.has_value());
    BOOST_TEST(!r->imdb_id.has_value());
    BOOST_TEST(r->ratings.empty());
}

BOOST_AUTO_TEST_CASE(a_url_nfo_gives_the_ids_of_its_links) {
    const auto imdb = parse_nfo("https://www.imdb.com/title/tt0133093/\n");
    BOOST_REQUIRE(imdb.has_value());
    BOOST_TEST(*imdb->imdb_id == "tt0133093");
    const auto tmdb = parse_nfo("https://www.themoviedb.org/movie/603-the-matrix");
    BOOST_REQUIRE(tmdb.has_value());
    BOOST_TEST(*tmdb->tmdb_id == 603);
    const auto both =
        parse_nfo("<movie><title>The Matrix</title></movie>\nhttps://www.imdb.com/title/tt0133093/");
    BOOST_REQUIRE(both.has_value());
    BOOST_TEST(*both->title == "The Matrix");
    BOOST_TEST(*both->imdb_id == "tt0133093");
}

BOOST_AUTO_TEST_CASE(garbage_is_an_error_value_never_a_crash) {
    const std::string binary("\x00\xff\xfe<\x01movie>\x00", 10);
    for (std::string_view text :
         {std::string_view{}, std::string_view("just some words"), std::string_view("<movie><title>Cut off"),
          std::string_view("<tvshow><title>X</title></tvshow>"), std::string_view("<<<>>>&&&"),
          std::string_view(binary), std::string_view("attempt tt12")}) {
        const auto r = parse_nfo(text);
        BOOST_TEST(r.has_error());
        if (r.has_error()) BOOST_TEST((r.error().kind == error_kind::bad_response));
    }
}

BOOST_AUTO_TEST_CASE(the_file_nfo_wins_over_movie_nfo) {
    temp_folder dir;
    const auto movie_file = dir.write("The Matrix (1999)/The Matrix (1999).mkv", "video");
    dir.write("The Matrix (1999)/movie.nfo", "<movie><title>From movie.nfo</title></movie>");
    BOOST_TEST(*read_nfo_for(movie_file)->title == "From movie.nfo");
    dir.write("The Matrix (1999)/The Matrix (1999).nfo", "<movie><title>From the file's nfo</title></movie>");
    BOOST_TEST(*read_nfo_for(movie_file)->title == "From the file's nfo");
}

BOOST_AUTO_TEST_CASE(an_unusable_nfo_is_skipped) {
    temp_folder dir;
    const auto movie_file = dir.write("M/M.mkv", "video");
    dir.write("M/M.nfo", "<movie><title>broken");
    BOOST_TEST(!read_nfo_for(movie_file).has_value());
    dir.write("M/movie.nfo", "<movie><title>Fallback</title></movie>");
    BOOST_TEST(*read_nfo_for(movie_file)->title == "Fallback");
    dir.write("M/movie.nfo", "<movie/>");
    BOOST_TEST(!read_nfo_for(movie_file).has_value());
    BOOST_TEST(!read_nfo_for(dir.path / "missing" / "x.mkv").has_value());
}

BOOST_AUTO_TEST_CASE(an_oversized_nfo_is_ignored) {
    temp_folder dir;
    const auto movie_file = dir.write("M/M.mkv", "video");
    dir.write("M/M.nfo",
              "<movie><title>Big</title><plot>" + std::string(1100 * 1024, 'x') + "</plot></movie>");
    BOOST_TEST(!read_nfo_for(movie_file).has_value());
}

BOOST_AUTO_TEST_CASE(a_disc_structure_uses_the_movie_folder) {
    temp_folder dir;
    const auto index = dir.write("Heat (1995)/BDMV/index.bdmv", "disc");
    dir.write("Heat (1995)/movie.nfo", "<movie><title>Heat</title><year>1995</year></movie>");
    dir.write("Heat (1995)/poster.jpg", "jpeg");
    dir.write("Heat (1995)/fanart.png", "png");
    BOOST_TEST(*read_nfo_for(index)->title == "Heat");
    BOOST_TEST(*read_nfo_for(dir.path / "Heat (1995)" / "BDMV")->year == 1995);
    const auto art = find_local_art(index);
    BOOST_TEST(art.poster->filename() == "poster.jpg");
    BOOST_TEST(art.backdrop->filename() == "fanart.png");
}

BOOST_AUTO_TEST_CASE(local_art_prefers_file_specific_names) {
    temp_folder dir;
    const auto movie_file = dir.write("Max (2015)/Max (2015).mkv", "video");
    BOOST_TEST(!find_local_art(movie_file).poster.has_value());
    dir.write("Max (2015)/Folder.JPG", "jpeg");
    BOOST_TEST(find_local_art(movie_file).poster->filename() == "Folder.JPG"); // case-insensitive
    dir.write("Max (2015)/poster.png", "png");
    BOOST_TEST(find_local_art(movie_file).poster->filename() == "poster.png");
    dir.write("Max (2015)/Max (2015)-poster.jpg", "jpeg");
    BOOST_TEST(find_local_art(movie_file).poster->filename() == "Max (2015)-poster.jpg");

    dir.write("Max (2015)/backdrop.jpg", "jpeg");
    BOOST_TEST(find_local_art(movie_file).backdrop->filename() == "backdrop.jpg");
    dir.write("Max (2015)/fanart.jpg", "jpeg");
    BOOST_TEST(find_local_art(movie_file).backdrop->filename() == "fanart.jpg");
    dir.write("Max (2015)/Max (2015)-fanart.jpg", "jpeg");
    BOOST_TEST(find_local_art(movie_file).backdrop->filename() == "Max (2015)-fanart.jpg");
}

BOOST_AUTO_TEST_CASE(empty_art_files_do_not_count) {
    temp_folder dir;
    const auto movie_file = dir.write("M/M.mkv", "video");
    dir.write("M/poster.jpg", "");
    BOOST_TEST(!find_local_art(movie_file).poster.has_value());
}

BOOST_AUTO_TEST_CASE(a_flat_folder_gives_only_file_specific_extras) {
    temp_folder dir;
    for (int i = 0; i < 600; ++i)
        dir.write("flat/movie " + std::to_string(i) + ".mkv", "v");
    const auto movie_file = dir.path / "flat" / "movie 7.mkv";
    dir.write("flat/poster.jpg", "jpeg");
    dir.write("flat/movie.nfo", "<movie><title>Belongs to nobody</title></movie>");
    BOOST_TEST(!find_local_art(movie_file).poster.has_value());
    BOOST_TEST(!read_nfo_for(movie_file).has_value());
    dir.write("flat/movie 7-poster.jpg", "jpeg");
    dir.write("flat/movie 7.nfo", "<movie><title>Seven</title></movie>");
    BOOST_TEST(find_local_art(movie_file).poster->filename() == "movie 7-poster.jpg");
    BOOST_TEST(*read_nfo_for(movie_file)->title == "Seven");
}

BOOST_AUTO_TEST_CASE(nfo_values_are_laid_over_provider_values) {
    mediabase::movie m;
    m.title = "Provider title";
    m.overview = "Provider plot";
    m.genres = {"Drama"};
    m.tmdb_id = 1;
    const auto nfo = parse_nfo(full_nfo);
    BOOST_REQUIRE(nfo.has_value());
    apply_nfo(*nfo, m);
    BOOST_TEST(m.title == "The Matrix");
    BOOST_TEST(*m.overview == "A hacker learns the truth.");
    BOOST_TEST(m.genres.size() == 3u);
    BOOST_TEST(*m.tmdb_id == 1); // ids are only filled in
    BOOST_TEST(*m.imdb_id == "tt0133093");
    BOOST_TEST(*m.imdb_rating == 8.7);
    BOOST_TEST(*m.imdb_votes == 1900000);
    BOOST_TEST(*m.vote_average == 8.2);
    BOOST_TEST(m.cast.size() == 2u);

    const auto alone = movie_from_nfo(*nfo);
    BOOST_TEST(alone.title == "The Matrix");
    BOOST_TEST(*alone.tmdb_id == 603);
    BOOST_TEST((alone.match == mediabase::match_state::unidentified));
}

BOOST_AUTO_TEST_SUITE_END()
