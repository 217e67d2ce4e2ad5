#include "rest_request.hpp"

#include "mediabase/model/movie_json.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <charconv>
#include <limits>
#include <string_view>
#include <vector>

namespace http = boost::beast::http;
namespace json = boost::json;

namespace mediabase {
namespace {

/// Parses a whole decimal integer in [min, max].
std::optional<std::int64_t> parse_int(std::string_view text, std::int64_t min, std::int64_t max) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
        return std::nullopt;
    return value;
}

api_result<json::object> parse_json_object(const http_request& request) {
    boost::system::error_code ec;
    auto value = json::parse(request.body(), ec);
    if (ec)
        return api_error{http::status::bad_request, "bad_json",
                         "request body is not valid JSON: " + ec.message()};
    if (!value.is_object())
        return api_error{http::status::bad_request, "bad_json", "request body must be a JSON object"};
    return std::move(value.as_object());
}

/// A POST that takes no options: no body, or an empty JSON object. Anything else is refused rather than
/// ignored, so a client asking for something this request does not do (a part of the library) is told so.
std::optional<api_error> refuse_options(const http_request& request) {
    if (request.body().find_first_not_of(" \t\r\n") == std::string::npos) return std::nullopt;
    auto body = parse_json_object(request);
    if (auto* e = std::get_if<api_error>(&body)) return *e;
    const auto& fields = std::get<json::object>(body);
    if (fields.empty()) return std::nullopt;
    return api_error{http::status::bad_request, "bad_request",
                     "this request takes no options, got '" + std::string(fields.begin()->key()) + "'"};
}

api_result<movie_query> parse_movie_query(const boost::urls::params_view& params) {
    movie_query query;
    for (const auto& param : params) {
        const std::string& key = param.key;
        const std::string& value = param.value;
        if (key == "q") {
            query.text = value;
        } else if (key == "sort") {
            auto sort = movie_sort_from_string(value);
            if (!sort)
                return bad_request("sort: expected title, year, added, rating or runtime, got '" + value +
                                   "'");
            query.sort = *sort;
        } else if (key == "order") {
            if (value != "asc" && value != "desc")
                return bad_request("order: expected asc or desc, got '" + value + "'");
            query.descending = value == "desc";
        } else if (key == "limit") {
            auto n = parse_int(value, 1, 1000);
            if (!n) return bad_request("limit: expected a whole number from 1 to 1000, got '" + value + "'");
            query.limit = static_cast<int>(*n);
        } else if (key == "offset") {
            auto n = parse_int(value, 0, 1'000'000'000);
            if (!n) return bad_request("offset: expected a whole number of 0 or more, got '" + value + "'");
            query.offset = static_cast<int>(*n);
        } else if (key == "genre") {
            if (!value.empty()) query.genre = value;
        } else if (key == "year_from" || key == "year_to") {
            auto n = parse_int(value, 1800, 3000);
            if (!n) return bad_request(key + ": expected a year, got '" + value + "'");
            (key == "year_from" ? query.year_from : query.year_to) = static_cast<int>(*n);
        } else if (key == "watched") {
            if (value != "true" && value != "false")
                return bad_request("watched: expected true or false, got '" + value + "'");
            query.watched = value == "true";
        } else if (key == "on_list") {
            if (value != "true" && value != "false")
                return bad_request("on_list: expected true or false, got '" + value + "'");
            query.on_list = value == "true";
        } else if (key == "resolution") {
            if (value.empty()) continue;
            // The values the name parser and the media information give; anything else would match nothing.
            static constexpr std::string_view known[] = {"4320p", "2160p", "1080p", "1080i", "720p",
                                                         "576p",  "480p",  "360p"};
            if (std::find(std::begin(known), std::end(known), value) == std::end(known))
                return bad_request("resolution: expected 4320p, 2160p, 1080p, 1080i, 720p, 576p, 480p or 360p, got '" +
                                   value + "'" + (value == "4k" || value == "4K" ? " (4K is 2160p)" : ""));
            query.resolution = value;
        } else if (key == "match") {
            if (value.empty()) continue;
            query.match = match_state_from_string(value);
            if (!query.match)
                return bad_request("match: expected identified, review, failed or unidentified, got '" +
                                   value + "'");
        } else {
            return bad_request("unknown parameter '" + key + "'");
        }
    }
    return query;
}

api_result<movie_patch> parse_movie_patch(const json::object& body) {
    movie_patch patch;
    for (const auto& [key, value] : body) {
        if (key == "watched") {
            if (!value.is_bool()) return bad_request("watched: expected true or false");
            patch.watched = value.as_bool();
        } else if (key == "rating") {
            if (value.is_null())
                patch.rating = std::optional<int>{};
            else if (value.is_int64() && value.as_int64() >= 1 && value.as_int64() <= 10)
                patch.rating = std::optional<int>{static_cast<int>(value.as_int64())};
            else
                return bad_request("rating: expected a whole number from 1 to 10, or null");
        } else if (key == "on_list") {
            if (!value.is_bool()) return bad_request("on_list: expected true or false");
            patch.on_list = value.as_bool();
        } else {
            return bad_request("unknown field '" + std::string(key) + "' (expected watched, rating or on_list)");
        }
    }
    if (!patch.watched && !patch.rating && !patch.on_list)
        return bad_request("nothing to change: give watched, rating and/or on_list");
    return patch;
}

api_result<tmdb_query> parse_tmdb_query(const boost::urls::params_view& params) {
    tmdb_query query;
    for (const auto& param : params) {
        const std::string& key = param.key;
        const std::string& value = param.value;
        if (key == "q") {
            query.text = value;
        } else if (key == "year") {
            if (value.empty()) continue;
            auto n = parse_int(value, 1800, 3000);
            if (!n) return bad_request("year: expected a year, got '" + value + "'");
            query.year = static_cast<int>(*n);
        } else {
            return bad_request("unknown parameter '" + key + "' (expected q and year)");
        }
    }
    const auto blank = query.text.find_first_not_of(" \t") == std::string::npos;
    if (blank) return bad_request("q: give a title to search for, e.g. ?q=Heat&year=1995");
    if (query.text.size() > 200) return bad_request("q: at most 200 characters");
    return query;
}

/// Splits "/api/v1/movies/42/match" into {"api", "v1", "movies", "42", "match"}.
std::vector<std::string_view> path_segments(std::string_view path) {
    std::vector<std::string_view> segments;
    while (!path.empty()) {
        const auto slash = path.find('/');
        const auto segment = path.substr(0, slash);
        if (!segment.empty()) segments.push_back(segment);
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return segments;
}

http_response method_not_allowed(const http_request& request, const char* allow) {
    auto res = error_response(request, http::status::method_not_allowed, "method_not_allowed",
                              std::string(request.method_string()) +
                                  " is not allowed here (allowed: " + allow + ")");
    res.set(http::field::allow, allow);
    return res;
}

/// Art file names are generated by the cache; anything else (slashes, dot-dot) is refused.
bool valid_art_key(std::string_view key) {
    if (key.empty() || key.size() > 128 || key.front() == '.') return false;
    return std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '_' || c == '.';
    });
}

/// A string field of a JSON body, required and at most `max` bytes.
api_result<std::string> string_field(const json::object& body, std::string_view key, std::size_t max = 1024) {
    const auto* value = body.if_contains(key);
    if (!value || !value->is_string()) return bad_request(std::string(key) + ": expected a string");
    if (value->as_string().size() > max)
        return bad_request(std::string(key) + ": at most " + std::to_string(max) + " characters");
    return std::string(value->as_string());
}

/// Only these fields may appear in `body`.
std::optional<api_error> only_fields(const json::object& body, std::initializer_list<std::string_view> allowed) {
    for (const auto& [key, value] : body)
        if (std::find(allowed.begin(), allowed.end(), std::string_view(key)) == allowed.end())
            return bad_request("unknown field '" + std::string(key) + "'");
    return std::nullopt;
}

} // namespace

route_need need_of(api_route route) {
    switch (route) {
    case api_route::healthz:
    case api_route::static_file:
    case api_route::session_get:
    case api_route::session_login:
    case api_route::setup: return route_need::anyone;
    case api_route::import_status:
    case api_route::imports:
    case api_route::movies:
    case api_route::duplicates:
    case api_route::movie_get:
    case api_route::movie_patch:
    case api_route::genres:
    case api_route::stats:
    case api_route::parse:
    case api_route::image:
    case api_route::session_logout:
    case api_route::sessions_end_all:
    case api_route::password_change:
    case api_route::keys_list:
    case api_route::key_add:
    case api_route::key_revoke: return route_need::viewer;
    case api_route::import_start:
    case api_route::movie_match:
    case api_route::movie_refresh:
    case api_route::tmdb_search:
    case api_route::providers_check:
    case api_route::prune:
    case api_route::prune_held:
    case api_route::backups_list:
    case api_route::backup_now:
    case api_route::config_get:
    case api_route::config_put:
    case api_route::users_list:
    case api_route::user_add:
    case api_route::user_remove:
    case api_route::user_password: return route_need::admin;
    }
    return route_need::admin;
}

api_error bad_request(std::string message) {
    return {http::status::bad_request, "bad_request", std::move(message)};
}
api_error not_found(std::string message) {
    return {http::status::not_found, "not_found", std::move(message)};
}

http_response json_response(const http_request& request, http::status status, const json::value& body) {
    http_response res{status, request.version()};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-store");
    // Strings may hold bytes that are not UTF-8 (file names, echoed paths and parameters): each such byte
    // becomes U+FFFD, so the answer is valid JSON. Bytes outside strings are always ASCII.
    res.body() = display_utf8(json::serialize(body));
    return res;
}

http_response error_response(const http_request& request, http::status status, std::string code,
                             std::string message) {
    return json_response(
        request, status,
        json::object{{"error", json::object{{"code", std::move(code)}, {"message", std::move(message)}}}});
}

/// Why a request's framing is refused, or nullopt. A request whose body length two parties could read two
/// ways (Transfer-Encoding with Content-Length, an unknown coding, repeated length fields) is how requests
/// are smuggled past a proxy: it gets a 400 and the connection closes.
std::optional<std::string> ambiguous_framing(const http_request& request) {
    const auto lengths = request.count(http::field::content_length);
    const auto codings = request.count(http::field::transfer_encoding);
    if (lengths > 1) return "more than one Content-Length";
    if (codings == 0) return std::nullopt;
    if (codings > 1) return "more than one Transfer-Encoding";
    if (lengths > 0) return "both Transfer-Encoding and Content-Length";
    if (request.version() < 11) return "Transfer-Encoding in an HTTP/1.0 request";
    if (!boost::beast::iequals(request[http::field::transfer_encoding], "chunked"))
        return "Transfer-Encoding other than chunked";
    return std::nullopt;
}

http_response read_error_response(const boost::system::error_code& ec, std::size_t body_limit,
                                  std::size_t header_limit) {
    http_request shell;
    shell.version(11);
    if (ec == http::error::body_limit)
        return error_response(shell, http::status::payload_too_large, "body_too_large",
                              "request body larger than " + std::to_string(body_limit) + " bytes");
    // The header limit covers the request line, the header fields and the trailer fields of a chunked body:
    // the read buffer never holds more than that, so a trailer past it overflows the buffer.
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
        return error_response(shell, http::status::request_header_fields_too_large, "headers_too_large",
                              "request headers or trailers larger than " + std::to_string(header_limit) +
                                  " bytes");
    return error_response(shell, http::status::bad_request, "bad_request",
                          "malformed HTTP request: " + ec.message());
}

std::variant<checked_request, http_response> check_request(const http_request& request) {
    auto target = boost::urls::parse_origin_form(request.target());
    if (!target)
        return error_response(request, http::status::bad_request, "bad_request", "malformed request target");
    checked_request checked;
    checked.path = target->path();
    const auto method = request.method();
    auto fail = [&](const api_error& e) { return error_response(request, e.status, e.code, e.message); };
    auto route = [&](api_route r) {
        checked.route = r;
        return std::move(checked);
    };

    const auto segments = path_segments(checked.path);
    if (segments.size() >= 2 && segments[0] == "api" && segments[1] == "v1") {
        const std::vector<std::string_view> rest(segments.begin() + 2, segments.end());
        const std::string_view resource = rest.empty() ? std::string_view() : rest[0];

        if (resource == "healthz" && rest.size() == 1) {
            if (method != http::verb::get && method != http::verb::head)
                return method_not_allowed(request, "GET");
            return route(api_route::healthz);
        }

        if (resource == "import" && rest.size() == 1) {
            if (method == http::verb::post) {
                if (auto refused = refuse_options(request)) return fail(*refused);
                return route(api_route::import_start);
            }
            if (method == http::verb::get) return route(api_route::import_status);
            return method_not_allowed(request, "GET, POST");
        }

        if (resource == "imports" && rest.size() == 1) {
            if (method != http::verb::get) return method_not_allowed(request, "GET");
            for (const auto& param : target->params()) {
                if (param.key != "limit") continue;
                auto n = parse_int(param.value, 1, 1000);
                if (!n)
                    return fail(bad_request("limit: expected a whole number from 1 to 1000, got '" +
                                            std::string(param.value) + "'"));
                checked.limit = static_cast<int>(*n);
            }
            return route(api_route::imports);
        }

        if (resource == "movies" && rest.size() == 1) {
            if (method != http::verb::get) return method_not_allowed(request, "GET");
            auto query = parse_movie_query(target->params());
            if (auto* e = std::get_if<api_error>(&query)) return fail(*e);
            checked.query = std::move(std::get<movie_query>(query));
            return route(api_route::movies);
        }

        if (resource == "movies" && rest.size() == 2 && rest[1] == "duplicates") {
            if (method != http::verb::get) return method_not_allowed(request, "GET");
            return route(api_route::duplicates);
        }

        if (resource == "movies" && rest.size() >= 2) {
            const auto id = parse_int(rest[1], 1, std::numeric_limits<std::int64_t>::max());
            if (!id) return fail(not_found("no movie with id '" + std::string(rest[1]) + "'"));
            checked.movie_id = *id;
            if (rest.size() == 2) {
                if (method == http::verb::get) return route(api_route::movie_get);
                if (method == http::verb::patch) {
                    auto body = parse_json_object(request);
                    if (auto* e = std::get_if<api_error>(&body)) return fail(*e);
                    auto patch = parse_movie_patch(std::get<json::object>(body));
                    if (auto* e = std::get_if<api_error>(&patch)) return fail(*e);
                    checked.patch = std::get<movie_patch>(patch);
                    return route(api_route::movie_patch);
                }
                return method_not_allowed(request, "GET, PATCH");
            }
            if (rest.size() == 3 && (rest[2] == "match" || rest[2] == "refresh")) {
                if (method != http::verb::post) return method_not_allowed(request, "POST");
                if (rest[2] == "refresh") return route(api_route::movie_refresh);
                auto body = parse_json_object(request);
                if (auto* e = std::get_if<api_error>(&body)) return fail(*e);
                const auto& object = std::get<json::object>(body);
                const auto* tmdb = object.if_contains("tmdb_id");
                if (!tmdb || !tmdb->is_int64() || tmdb->as_int64() < 1)
                    return fail(bad_request("tmdb_id: expected a positive whole number"));
                checked.tmdb_id = tmdb->as_int64();
                return route(api_route::movie_match);
            }
        }

        if (resource == "tmdb" && rest.size() == 2 && rest[1] == "search") {
            if (method != http::verb::get) return method_not_allowed(request, "GET");
            auto query = parse_tmdb_query(target->params());
            if (auto* e = std::get_if<api_error>(&query)) return fail(*e);
            checked.search = std::move(std::get<tmdb_query>(query));
            return route(api_route::tmdb_search);
        }

        if (resource == "providers" && rest.size() == 2 && rest[1] == "check") {
            if (method != http::verb::post) return method_not_allowed(request, "POST");
            return route(api_route::providers_check);
        }

        if (resource == "genres" && rest.size() == 1) {
            if (method != http::verb::get) return method_not_allowed(request, "GET");
            return route(api_route::genres);
        }

        if (resource == "stats" && rest.size() == 1) {
            if (method != http::verb::get) return method_not_allowed(request, "GET");
            return route(api_route::stats);
        }

        if (resource == "prune" && rest.size() == 1) {
            if (method == http::verb::get) return route(api_route::prune_held);
            if (method != http::verb::post) return method_not_allowed(request, "GET, POST");
            // An empty body prunes; {"confirm": true} removes what the failsafe held.
            if (!request.body().empty()) {
                auto body = parse_json_object(request);
                if (auto* e = std::get_if<api_error>(&body)) return fail(*e);
                for (const auto& [key, value] : std::get<json::object>(body)) {
                    if (key != "confirm")
                        return fail(
                            bad_request("unknown field '" + std::string(key) + "' (expected confirm)"));
                    if (!value.is_bool()) return fail(bad_request("confirm: expected true or false"));
                    checked.confirm_prune = value.as_bool();
                }
            }
            return route(api_route::prune);
        }

        if (resource == "backups" && rest.size() == 1) {
            if (method == http::verb::get) return route(api_route::backups_list);
            if (method == http::verb::post) {
                if (auto refused = refuse_options(request)) return fail(*refused);
                return route(api_route::backup_now);
            }
            return method_not_allowed(request, "GET, POST");
        }

        if (resource == "config" && rest.size() == 1) {
            if (method == http::verb::get) return route(api_route::config_get);
            if (method == http::verb::put) {
                auto body = parse_json_object(request);
                if (auto* e = std::get_if<api_error>(&body)) return fail(*e);
                checked.config = std::move(std::get<json::object>(body));
                return route(api_route::config_put);
            }
            return method_not_allowed(request, "GET, PUT");
        }

        if (resource == "parse" && rest.size() == 1) {
            if (method != http::verb::get) return method_not_allowed(request, "GET");
            auto it = target->params().find("name");
            if (it == target->params().end() || (*it).value.empty())
                return fail(
                    bad_request("name: give the file name or path to parse, e.g. ?name=Heat.1995.mkv"));
            checked.name = (*it).value;
            return route(api_route::parse);
        }

        // Accounts. Bodies are checked here; names and passwords are checked by the store's rules.
        auto body_fields = [&](std::initializer_list<std::string_view> allowed) -> api_result<json::object> {
            auto body = parse_json_object(request);
            if (auto* e = std::get_if<api_error>(&body)) return *e;
            if (auto e = only_fields(std::get<json::object>(body), allowed)) return *e;
            return body;
        };
        auto take = [&](const json::object& body, std::string_view key, std::string& target) -> std::optional<api_error> {
            auto value = string_field(body, key);
            if (auto* e = std::get_if<api_error>(&value)) return *e;
            target = std::move(std::get<std::string>(value));
            return std::nullopt;
        };
        if ((resource == "session" && rest.size() == 1) || (resource == "setup" && rest.size() == 1)) {
            if (resource == "session" && method == http::verb::get) return route(api_route::session_get);
            if (resource == "session" && method == http::verb::delete_) return route(api_route::session_logout);
            if (method != http::verb::post)
                return method_not_allowed(request, resource == "session" ? "GET, POST, DELETE" : "POST");
            auto body = body_fields({"name", "password"});
            if (auto* e = std::get_if<api_error>(&body)) return fail(*e);
            const auto& object = std::get<json::object>(body);
            if (auto e = take(object, "name", checked.account_name)) return fail(*e);
            if (auto e = take(object, "password", checked.password)) return fail(*e);
            return route(resource == "session" ? api_route::session_login : api_route::setup);
        }
        if (resource == "sessions" && rest.size() == 1) {
            if (method != http::verb::delete_) return method_not_allowed(request, "DELETE");
            return route(api_route::sessions_end_all);
        }
        if (resource == "session" && rest.size() == 2 && rest[1] == "password") {
            if (method != http::verb::put) return method_not_allowed(request, "PUT");
            auto body = body_fields({"current", "password"});
            if (auto* e = std::get_if<api_error>(&body)) return fail(*e);
            const auto& object = std::get<json::object>(body);
            if (auto e = take(object, "current", checked.current_password)) return fail(*e);
            if (auto e = take(object, "password", checked.password)) return fail(*e);
            return route(api_route::password_change);
        }
        if (resource == "users" && rest.size() == 1) {
            if (method == http::verb::get) return route(api_route::users_list);
            if (method != http::verb::post) return method_not_allowed(request, "GET, POST");
            auto body = body_fields({"name", "password", "role"});
            if (auto* e = std::get_if<api_error>(&body)) return fail(*e);
            const auto& object = std::get<json::object>(body);
            if (auto e = take(object, "name", checked.account_name)) return fail(*e);
            if (auto e = take(object, "password", checked.password)) return fail(*e);
            if (object.contains("role")) {
                if (auto e = take(object, "role", checked.role)) return fail(*e);
                if (checked.role != "admin" && checked.role != "viewer")
                    return fail(bad_request("role: expected admin or viewer"));
            }
            return route(api_route::user_add);
        }
        if (resource == "users" && (rest.size() == 2 || (rest.size() == 3 && rest[2] == "password"))) {
            checked.account_name = std::string(rest[1]);
            if (rest.size() == 2) {
                if (method != http::verb::delete_) return method_not_allowed(request, "DELETE");
                return route(api_route::user_remove);
            }
            if (method != http::verb::put) return method_not_allowed(request, "PUT");
            auto body = body_fields({"password"});
            if (auto* e = std::get_if<api_error>(&body)) return fail(*e);
            if (auto e = take(std::get<json::object>(body), "password", checked.password)) return fail(*e);
            return route(api_route::user_password);
        }
        if (resource == "keys" && rest.size() == 1) {
            if (method == http::verb::get) return route(api_route::keys_list);
            if (method != http::verb::post) return method_not_allowed(request, "GET, POST");
            auto body = body_fields({"name", "scope"});
            if (auto* e = std::get_if<api_error>(&body)) return fail(*e);
            const auto& object = std::get<json::object>(body);
            if (auto e = take(object, "name", checked.name)) return fail(*e);
            if (checked.name.empty() || checked.name.size() > 100)
                return fail(bad_request("name: give the key a name of 1 to 100 characters"));
            if (object.contains("scope")) {
                if (auto e = take(object, "scope", checked.key_scope)) return fail(*e);
                if (checked.key_scope != "read" && checked.key_scope != "admin")
                    return fail(bad_request("scope: expected read or admin"));
            }
            return route(api_route::key_add);
        }
        if (resource == "keys" && rest.size() == 2) {
            if (method != http::verb::delete_) return method_not_allowed(request, "DELETE");
            const auto id = parse_int(rest[1], 1, std::numeric_limits<std::int64_t>::max());
            if (!id) return fail(not_found("no API key with id '" + std::string(rest[1]) + "'"));
            checked.key_id = *id;
            return route(api_route::key_revoke);
        }

        return fail(not_found("no API route " + std::string(request.method_string()) + " " + checked.path));
    }

    if (method != http::verb::get && method != http::verb::head)
        return method_not_allowed(request, "GET, HEAD");

    if (segments.size() == 2 && segments[0] == "img") {
        if (!valid_art_key(segments[1])) return fail(not_found("no such image"));
        checked.name = std::string(segments[1]);
        return route(api_route::image);
    }
    return route(api_route::static_file);
}

} // namespace mediabase
