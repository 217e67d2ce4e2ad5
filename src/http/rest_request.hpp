#pragma once
// The half of the REST API that needs no service: a request's target, method, query parameters and JSON body
// checked, and its route named. No Asio: rest_api answers the checked request with the services, and
// fuzz/http_request_fuzz.cpp drives this directly.

#include "mediabase/store/catalogue.hpp"
#include "mediabase/http/access_policy.hpp"
#include "text_body.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace mediabase {

using http_request = boost::beast::http::request<boost::beast::http::string_body>;
/// Answers carry a text_body: a cached answer is sent from the cache's bytes.
using http_response = boost::beast::http::response<text_body>;

/// A JSON response (`Content-Type: application/json`, not cached). Always valid UTF-8: bytes of strings that
/// are not (a file name, an echoed path) become U+FFFD.
http_response json_response(const http_request& request, boost::beast::http::status status,
                            const boost::json::value& body);

/// A JSON error response: `{"error": {"code": ..., "message": ...}}`.
http_response error_response(const http_request& request, boost::beast::http::status status, std::string code,
                             std::string message);

/// A request that failed: the status, a stable code and a message for people.
struct api_error {
    boost::beast::http::status status;
    std::string code;
    std::string message;
};

template <class T>
using api_result = std::variant<T, api_error>;

api_error bad_request(std::string message);
api_error not_found(std::string message);

/// What a checked request asks for.
enum class api_route {
    healthz,
    import_start,
    import_status,
    imports, ///< `GET /imports?limit=`: the history, newest first
    movies,
    duplicates,
    movie_get,
    movie_patch,
    movie_match,
    movie_refresh,
    tmdb_search,
    genres,
    stats,
    prune,
    prune_held,   ///< `GET /prune`: what the failsafe held back
    backups_list, ///< `GET /backups`
    backup_now,   ///< `POST /backups`
    config_get,
    config_put,
    providers_check, ///< `POST /providers/check`: ask each provider whether it accepts its key
    parse,
    image,       ///< `/img/{key}`
    static_file, ///< the web UI
    // Accounts (README, Security).
    session_get,       ///< `GET /session`: who is asking, the auth mode, whether set-up is open
    session_login,     ///< `POST /session {"name", "password"}`
    session_logout,    ///< `DELETE /session`: this browser session
    sessions_end_all,  ///< `DELETE /sessions`: every session of the account ("log out everywhere")
    password_change,   ///< `PUT /session/password {"current", "password"}`
    setup,             ///< `POST /setup {"name", "password"}`: the first admin, from loopback, once
    users_list,        ///< `GET /users`
    user_add,          ///< `POST /users {"name", "password", "role"}`
    user_remove,       ///< `DELETE /users/{name}`
    user_password,     ///< `PUT /users/{name}/password {"password"}`
    keys_list,         ///< `GET /keys`: the asker's API keys
    key_add,           ///< `POST /keys {"name", "scope"}`: the key is in the answer, once
    key_revoke,        ///< `DELETE /keys/{id}`
};

/// `GET /tmdb/search?q=&year=`.
struct tmdb_query {
    std::string text;
    std::optional<int> year;
};

/// A request whose route, method, parameters and body are valid. Only the fields of its route are set.
struct checked_request {
    api_route route = api_route::healthz;
    std::string path;                    ///< the decoded URL path
    std::int64_t movie_id = 0;           ///< movie_get, movie_patch, movie_match, movie_refresh
    std::optional<std::int64_t> tmdb_id; ///< movie_match
    movie_query query;                   ///< movies
    movie_patch patch;                   ///< movie_patch
    tmdb_query search;                   ///< tmdb_search
    boost::json::object config;          ///< config_put: the fields to change (checked by the Core)
    std::string name;                    ///< parse: the name to parse; image: the art key
    int limit = 20;                      ///< imports: how many
    bool confirm_prune = false;          ///< prune: remove what the failsafe held (`{"confirm": true}`)
    std::string account_name;            ///< session_login, setup, user_*: the account
    std::string password;                ///< session_login, setup, user_add, password_change, user_password
    std::string current_password;        ///< password_change
    std::string role = "viewer";         ///< user_add
    std::string key_scope = "read";      ///< key_add: read or admin
    std::int64_t key_id = 0;             ///< key_revoke
};

/// What a route needs of the asker (access_policy.hpp): the UI's files, /healthz and logging in need nothing;
/// browsing and one's own state need a viewer; what changes the library or the server needs an admin.
[[nodiscard]] route_need need_of(api_route route);

/// Why a request's framing is refused (Transfer-Encoding with Content-Length, an unknown coding, repeated
/// length fields: what request smuggling relies on), or nullopt.
[[nodiscard]] std::optional<std::string> ambiguous_framing(const http_request& request);

/// The answer to a request that could not be read: 413 past the body limit, 431 past the header limit (which
/// covers trailers too), 400 otherwise.
[[nodiscard]] http_response read_error_response(const boost::system::error_code& ec, std::size_t body_limit,
                                                std::size_t header_limit);

/// Checks a request: the checked request, or the error response to send as it is (400 for a malformed
/// target, query or body, 404 for an unknown route or a malformed id, 405 for a wrong method). Never throws
/// for any input.
[[nodiscard]] std::variant<checked_request, http_response> check_request(const http_request& request);

} // namespace mediabase
