#include "mediabase/providers/omdb.hpp"

#include "json_fields.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace mediabase::providers {

namespace json = boost::json;

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

/// An OMDB text field: nullopt when absent, not a string, empty or "N/A".
std::optional<std::string> omdb_text(const json::object& o, std::string_view key) {
    auto text = json_fields::string_at(o, key);
    if (!text || *text == "N/A") return std::nullopt;
    return text;
}

std::optional<double> omdb_decimal(std::optional<std::string> text) {
    if (!text) return std::nullopt;
    double value = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc{} || end != text->data() + text->size()) return std::nullopt;
    return value;
}

bool contains_ignoring_case(std::string_view text, std::string_view word) {
    const auto it = std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
    return it != text.end();
}

} // namespace

std::optional<std::int64_t> parse_omdb_count(std::string_view text) {
    text = trim(text);
    std::string digits;
    for (char c : text) {
        if (c >= '0' && c <= '9')
            digits += c;
        else if (c != ',')
            return std::nullopt;
    }
    if (digits.empty() || digits.size() > 18) return std::nullopt;
    std::int64_t value = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return value;
}

result<omdb_ratings> parse_omdb(std::string_view body) {
    boost::system::error_code ec;
    auto value = json::parse(body, ec);
    if (ec) return make_error(error_kind::bad_response, "malformed JSON from OMDB (" + ec.message() + ")");
    const auto* o = value.if_object();
    if (!o) return make_error(error_kind::bad_response, "OMDB answer is not a JSON object");

    if (json_fields::string_at(*o, "Response") == "False") {
        const auto reason = json_fields::string_at(*o, "Error").value_or("Response False");
        if (contains_ignoring_case(reason, "api key") || contains_ignoring_case(reason, "unauthorized"))
            return make_error(error_kind::unauthorized, "OMDB: " + reason);
        if (contains_ignoring_case(reason, "limit"))
            return make_error(error_kind::unavailable, "OMDB: " + reason);
        return make_error(error_kind::not_found, "OMDB: " + reason);
    }

    omdb_ratings ratings;
    ratings.imdb_rating = omdb_decimal(omdb_text(*o, "imdbRating"));
    if (ratings.imdb_rating && (*ratings.imdb_rating < 0 || *ratings.imdb_rating > 10))
        ratings.imdb_rating.reset();
    if (auto votes = omdb_text(*o, "imdbVotes")) ratings.imdb_votes = parse_omdb_count(*votes);
    if (auto metascore = omdb_text(*o, "Metascore"))
        if (auto n = parse_omdb_count(*metascore); n && *n <= 100) ratings.metascore = static_cast<int>(*n);
    ratings.awards = omdb_text(*o, "Awards");
    return ratings;
}

void apply_omdb(const omdb_ratings& ratings, movie& m) {
    if (ratings.imdb_rating) m.imdb_rating = ratings.imdb_rating;
    if (ratings.imdb_votes) m.imdb_votes = ratings.imdb_votes;
    if (ratings.metascore) m.metascore = ratings.metascore;
    if (ratings.awards) m.awards = ratings.awards;
}

} // namespace mediabase::providers
