#pragma once
/// Who may do what, decided from plain facts about a request (no Asio, no Beast: unit-tested as a table).
/// Two checks, in this order:
///   1. cross-site defences, in every mode: a `Host` allow-list against DNS rebinding (421), and a proven
///      same origin for state-changing requests and WebSocket upgrades (403);
///   2. authorization: the route's need against who is asking (401 not logged in, 403 wrong role or scope).

#include "mediabase/config/networks.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mediabase {

/// How requests without an account are treated (`--auth`).
enum class auth_mode {
    required,         ///< every API request needs a session or a key (the default)
    trusted_networks, ///< requests from `--trusted-networks` and loopback act as an admin without logging in
    proxy,            ///< a reverse proxy from `--trusted-proxies` names the user in a header
};

[[nodiscard]] const char* to_string(auth_mode mode);
[[nodiscard]] std::optional<auth_mode> auth_mode_from_string(std::string_view text);

/// The server's access settings.
struct access_config {
    auth_mode mode = auth_mode::required;
    std::vector<ip_network> trusted_networks; ///< trusted_networks mode; loopback is always added
    std::vector<ip_network> trusted_proxies;  ///< proxy mode: only these may name the user
    std::string user_header = "X-Forwarded-User";
    /// Host names (lower case, no port) accepted in `Host` besides IP literals and loopback names: the listen
    /// host and the `--public-url` host.
    std::vector<std::string> allowed_hosts;
    /// The origin of `--public-url` ("https://media.example.org"), accepted in `Origin` behind a proxy.
    std::optional<std::string> public_origin;
};

/// What a route needs.
enum class route_need {
    anyone, ///< the web UI's files, /healthz, logging in
    viewer, ///< browsing, searching, one's own watched state and rating
    admin,  ///< imports, matches, prune, backups, settings, accounts
};

enum class account_role { viewer, admin };

[[nodiscard]] const char* to_string(account_role role);
[[nodiscard]] std::optional<account_role> account_role_from_string(std::string_view text);

/// How the requester proved who they are.
enum class credential_kind {
    none,
    session, ///< the session cookie of a browser: state changes also need the CSRF header
    api_key, ///< `Authorization: Bearer` or `X-Api-Key`
    proxy,   ///< the user header from a trusted proxy
    trusted_network,
};

/// Who asks, once credentials are resolved.
struct principal {
    std::int64_t user_id = 0; ///< 0: nobody in particular (a trusted network in trusted-networks mode)
    std::string name;
    account_role role = account_role::viewer;
    credential_kind via = credential_kind::none;
    /// An API key's scope: a `read` key may only read, whatever its owner's role.
    bool read_only = false;
    std::int64_t session_id = 0; ///< via session: which one (logout, revocation)
    std::int64_t key_id = 0;     ///< via api_key: which one (revocation)
};

/// The facts of one request the policy looks at. Header values are as received (absent: nullopt).
struct request_facts {
    std::string_view method;
    bool websocket = false;
    std::optional<std::string_view> host;
    std::optional<std::string_view> origin;
    std::optional<std::string_view> sec_fetch_site;
};

/// A refusal: the status to answer with, a stable code and a message for people.
struct access_refusal {
    int status = 403;
    std::string code;
    std::string message;
};

/// GET, HEAD and OPTIONS change nothing; every other method does.
[[nodiscard]] bool changes_state(std::string_view method);

/// Check 1, in every mode: the `Host` allow-list (421 `unknown_host`) and the same-origin proof for a
/// state-changing request or a WebSocket upgrade (403 `cross_origin`). nullopt: go on.
[[nodiscard]] std::optional<access_refusal> check_cross_site(const request_facts& facts, const access_config& config);

/// Check 2: whether `who` (nullopt: no credentials) may use a route needing `need` with `method`.
/// `csrf_header`: the request carries `X-Mediabase-CSRF` (cookie sessions need it to change anything).
/// `accounts_exist`: false on a fresh install (the 401 then says how to make the first admin).
[[nodiscard]] std::optional<access_refusal> authorize(route_need need, std::string_view method,
                                                      const std::optional<principal>& who, bool csrf_header,
                                                      bool accounts_exist);

/// Both checks in order, for callers that have resolved credentials already (and for tests).
[[nodiscard]] std::optional<access_refusal> decide(const request_facts& facts, const access_config& config,
                                                   route_need need, const std::optional<principal>& who,
                                                   bool csrf_header, bool accounts_exist);

/// The principal a request gets from its address alone: an admin from a trusted network (trusted-networks
/// mode), or nullopt.
[[nodiscard]] std::optional<principal> principal_from_network(const access_config& config,
                                                              std::string_view peer_address);

/// Whether `peer_address` may name the user in `config.user_header` (proxy mode, a trusted proxy).
[[nodiscard]] bool may_name_user(const access_config& config, std::string_view peer_address);

/// The header a browser sends with every state-changing request of a cookie session (the web UI's fetch
/// wrapper adds it). A cross-site page cannot add it without a CORS preflight, which this server refuses.
inline constexpr std::string_view csrf_header_name = "X-Mediabase-CSRF";

/// The session cookie's name.
inline constexpr std::string_view session_cookie_name = "mediabase_session";

} // namespace mediabase
