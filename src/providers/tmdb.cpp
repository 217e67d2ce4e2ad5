#include "mediabase/providers/tmdb.hpp"

#include "json_fields.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <charconv>

namespace mediabase::providers {

namespace json = boost::json;
using namespace json_fields;

namespace {

/// The body as a JSON object, or a bad_response error saying what it was instead.
result<json::object> parse_object(std::string_view body, std::string_view what) {
    boost::system::error_code ec;
    auto value = json::parse(body, ec);
    if (ec)
        return make_error(error_kind::bad_response,
                          "malformed JSON in TMDB " + std::string(what) + " (" + ec.message() + ")");
    if (!value.is_object())
        return make_error(error_kind::bad_response, "TMDB " + std::string(what) + " is not a JSON object");
    return std::move(value.get_object());
}

std::vector<std::string> string_list(const json::object& o, std::string_view key) {
    std::vector<std::string> out;
    if (const auto* list = array_at(o, key))
        for (const auto& item : *list)
            if (item.is_string() && !item.get_string().empty()) out.emplace_back(item.get_string());
    return out;
}

/// The "name" of each object in a list (genres, production_countries), without duplicates.
std::vector<std::string> names_in(const json::object& o, std::string_view key) {
    std::vector<std::string> out;
    if (const auto* list = array_at(o, key))
        for (const auto& item : *list)
            if (const auto* entry = item.if_object())
                if (auto name = string_at(*entry, "name");
                    name && std::find(out.begin(), out.end(), *name) == out.end())
                    out.push_back(std::move(*name));
    return out;
}

std::optional<search_candidate> candidate_from(const json::value& item) {
    const auto* o = item.if_object();
    if (!o) return std::nullopt;
    const auto id = integer_at(*o, "id");
    if (!id || *id <= 0) return std::nullopt;
    search_candidate c;
    c.tmdb_id = *id;
    c.original_title = string_at(*o, "original_title");
    auto title = string_at(*o, "title");
    if (!title) title = c.original_title;
    if (!title) return std::nullopt;
    c.title = std::move(*title);
    if (auto date = string_at(*o, "release_date")) c.year = year_of_date(*date);
    c.overview = string_at(*o, "overview");
    c.popularity = number_at(*o, "popularity").value_or(0);
    c.vote_count = std::max<std::int64_t>(0, integer_at(*o, "vote_count").value_or(0));
    c.poster_path = string_at(*o, "poster_path");
    return c;
}

std::vector<search_candidate> candidates_in(const json::object& o, std::string_view key) {
    std::vector<search_candidate> out;
    if (const auto* list = array_at(o, key))
        for (const auto& item : *list)
            if (auto c = candidate_from(item)) out.push_back(std::move(*c));
    return out;
}

void add_person(std::vector<credit>& people, std::string name, std::optional<std::string> role) {
    const bool known =
        std::any_of(people.begin(), people.end(), [&](const credit& c) { return c.name == name; });
    if (!known) people.push_back(credit{std::move(name), std::move(role)});
}

void read_credits(const json::object& credits, movie& m) {
    if (const auto* crew = array_at(credits, "crew")) {
        for (const auto& item : *crew) {
            const auto* person = item.if_object();
            if (!person) continue;
            auto name = string_at(*person, "name");
            if (!name) continue;
            const auto job = string_at(*person, "job");
            if (job == "Director") add_person(m.directors, *name, job);
            if (string_at(*person, "department") == "Writing") add_person(m.writers, *name, job);
        }
    }
    if (const auto* cast = array_at(credits, "cast")) {
        struct billed {
            credit person;
            std::int64_t order;
        };
        std::vector<billed> people;
        std::int64_t position = 0;
        for (const auto& item : *cast) {
            const auto* person = item.if_object();
            ++position;
            if (!person) continue;
            auto name = string_at(*person, "name");
            if (!name) continue;
            people.push_back({credit{std::move(*name), string_at(*person, "character")},
                              integer_at(*person, "order").value_or(1'000'000 + position)});
        }
        std::stable_sort(people.begin(), people.end(),
                         [](const billed& a, const billed& b) { return a.order < b.order; });
        for (auto& p : people) {
            if (m.cast.size() >= max_cast) break;
            m.cast.push_back(std::move(p.person));
        }
    }
}

/// The first non-empty certification of one country's release dates, theatrical (type 3) first.
std::optional<std::string> certification_in(const json::object& country) {
    const auto* dates = array_at(country, "release_dates");
    if (!dates) return std::nullopt;
    std::optional<std::string> any;
    for (const auto& item : *dates) {
        const auto* date = item.if_object();
        if (!date) continue;
        auto cert = string_at(*date, "certification");
        if (!cert) continue;
        if (integer_at(*date, "type") == 3) return cert;
        if (!any) any = std::move(cert);
    }
    return any;
}

std::optional<std::string> read_certification(const json::object& release_dates) {
    const auto* results = array_at(release_dates, "results");
    if (!results) return std::nullopt;
    for (const auto& item : *results)
        if (const auto* country = item.if_object(); country && string_at(*country, "iso_3166_1") == "US")
            if (auto cert = certification_in(*country)) return cert;
    for (const auto& item : *results)
        if (const auto* country = item.if_object())
            if (auto cert = certification_in(*country)) return cert;
    return std::nullopt;
}

bool looks_like_imdb_id(const std::string& s) {
    return s.size() >= 9 && s.rfind("tt", 0) == 0 &&
           std::all_of(s.begin() + 2, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::optional<int> year_of_date(std::string_view date) {
    if (date.size() < 4) return std::nullopt;
    if (date.size() > 4 && date[4] != '-') return std::nullopt;
    int year = 0;
    const auto [end, ec] = std::from_chars(date.data(), date.data() + 4, year);
    if (ec != std::errc{} || end != date.data() + 4 || year < 1800 || year > 2200) return std::nullopt;
    return year;
}

result<tmdb_image_config> parse_configuration(std::string_view body) {
    auto parsed = parse_object(body, "configuration");
    if (!parsed) return parsed.error();
    const auto* images = object_at(*parsed, "images");
    if (!images) return make_error(error_kind::bad_response, "TMDB configuration has no \"images\"");
    tmdb_image_config config;
    auto base = string_at(*images, "secure_base_url");
    if (!base) base = string_at(*images, "base_url");
    if (!base) return make_error(error_kind::bad_response, "TMDB configuration has no image base URL");
    config.secure_base_url = std::move(*base);
    config.poster_sizes = string_list(*images, "poster_sizes");
    config.backdrop_sizes = string_list(*images, "backdrop_sizes");
    return config;
}

result<std::vector<search_candidate>> parse_search_results(std::string_view body) {
    auto parsed = parse_object(body, "search results");
    if (!parsed) return parsed.error();
    if (!parsed->contains("results"))
        return make_error(error_kind::bad_response, "TMDB search answer has no \"results\"");
    return candidates_in(*parsed, "results");
}

result<std::vector<search_candidate>> parse_find_results(std::string_view body) {
    auto parsed = parse_object(body, "find results");
    if (!parsed) return parsed.error();
    return candidates_in(*parsed, "movie_results");
}

result<tmdb_movie> parse_movie_details(std::string_view body) {
    auto parsed = parse_object(body, "movie details");
    if (!parsed) return parsed.error();
    const auto& o = *parsed;
    const auto id = integer_at(o, "id");
    if (!id || *id <= 0) return make_error(error_kind::bad_response, "TMDB movie details have no id");

    tmdb_movie out;
    auto& m = out.details;
    m.tmdb_id = *id;
    m.original_title = string_at(o, "original_title");
    auto title = string_at(o, "title");
    if (!title) title = m.original_title;
    if (!title)
        return make_error(error_kind::bad_response, "TMDB movie " + std::to_string(*id) + " has no title");
    m.title = std::move(*title);
    if (auto date = string_at(o, "release_date")) m.year = year_of_date(*date);
    m.overview = string_at(o, "overview");
    m.tagline = string_at(o, "tagline");
    if (auto runtime = integer_at(o, "runtime"); runtime && *runtime > 0 && *runtime < 10000)
        m.runtime = static_cast<int>(*runtime);
    m.genres = names_in(o, "genres");
    m.countries = names_in(o, "production_countries");
    if (const auto* credits = object_at(o, "credits")) read_credits(*credits, m);
    if (const auto* release_dates = object_at(o, "release_dates"))
        m.certification = read_certification(*release_dates);
    m.vote_average = number_at(o, "vote_average");
    if (auto votes = integer_at(o, "vote_count"); votes && *votes >= 0) m.vote_count = votes;

    auto imdb = string_at(o, "imdb_id");
    if (!imdb)
        if (const auto* external = object_at(o, "external_ids")) imdb = string_at(*external, "imdb_id");
    if (imdb && looks_like_imdb_id(*imdb)) m.imdb_id = std::move(imdb);
    if (const auto* collection = object_at(o, "belongs_to_collection"))
        m.collection = string_at(*collection, "name");

    out.art.poster_path = string_at(o, "poster_path");
    out.art.backdrop_path = string_at(o, "backdrop_path");
    out.popularity = number_at(o, "popularity").value_or(0);
    return out;
}

std::optional<std::string> parse_error_message(std::string_view body) {
    boost::system::error_code ec;
    const auto value = json::parse(body, ec);
    if (ec || !value.is_object()) return std::nullopt;
    const auto& o = value.get_object();
    if (auto message = string_at(o, "status_message")) return message;
    if (const auto* errors = array_at(o, "errors"); errors && !errors->empty() && errors->front().is_string())
        return std::string(errors->front().get_string());
    return std::nullopt;
}

std::string image_url(std::string_view base_url, std::string_view size, std::string_view path) {
    while (!base_url.empty() && base_url.back() == '/')
        base_url.remove_suffix(1);
    while (!size.empty() && size.front() == '/')
        size.remove_prefix(1);
    while (!size.empty() && size.back() == '/')
        size.remove_suffix(1);
    while (!path.empty() && path.front() == '/')
        path.remove_prefix(1);
    std::string url(base_url);
    url += '/';
    url += size;
    url += '/';
    url += path;
    return url;
}

std::string pick_image_size(const std::vector<std::string>& offered, std::string_view wanted) {
    if (offered.empty() || std::find(offered.begin(), offered.end(), wanted) != offered.end())
        return std::string(wanted);
    return "original";
}

} // namespace mediabase::providers
