#include "mediabase/http/access_policy.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>


namespace mediabase {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

/// The host of a `Host` value or an origin's authority, lower case, without port or brackets.
std::string host_of(std::string_view authority) {
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        return lower(authority.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
    }
    const auto colon = authority.find(':');
    return lower(authority.substr(0, colon));
}

/// "localhost" and names under it resolve to loopback by RFC 6761 in every browser: no rebinding.
bool is_loopback_name(std::string_view host) {
    return host == "localhost" || host.ends_with(".localhost");
}

/// `scheme://authority` of an Origin value, lower case; nullopt when it is not one ("null", garbage).
std::optional<std::string> origin_authority(std::string_view origin) {
    const auto sep = origin.find("://");
    if (sep == std::string_view::npos) return std::nullopt;
    const auto scheme = lower(origin.substr(0, sep));
    if (scheme != "http" && scheme != "https") return std::nullopt;
    auto rest = origin.substr(sep + 3);
    if (rest.empty() || rest.find('/') != std::string_view::npos) return std::nullopt;
    return lower(rest);
}

/// The authority with the scheme's default port made explicit-free: "host:80" over http is "host".
std::string without_default_port(std::string authority, std::string_view scheme) {
    const std::string_view port = scheme == "https" ? ":443" : ":80";
    if (std::string_view(authority).ends_with(port)) authority.erase(authority.size() - port.size());
    return authority;
}

} // namespace

const char* to_string(auth_mode mode) {
    switch (mode) {
    case auth_mode::required: return "required";
    case auth_mode::trusted_networks: return "trusted-networks";
    case auth_mode::proxy: return "proxy";
    }
    return "required";
}

std::optional<auth_mode> auth_mode_from_string(std::string_view text) {
    if (text == "required") return auth_mode::required;
    if (text == "trusted-networks") return auth_mode::trusted_networks;
    if (text == "proxy") return auth_mode::proxy;
    return std::nullopt;
}

const char* to_string(account_role role) { return role == account_role::admin ? "admin" : "viewer"; }

std::optional<account_role> account_role_from_string(std::string_view text) {
    if (text == "admin") return account_role::admin;
    if (text == "viewer") return account_role::viewer;
    return std::nullopt;
}

bool changes_state(std::string_view method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

std::optional<access_refusal> check_cross_site(const request_facts& facts, const access_config& config) {
    // DNS rebinding: a page on attacker.example whose name now resolves to this server sends its own name
    // as Host. IP literals and loopback names cannot be rebound; other names must be ours.
    if (facts.host) {
        const auto host = host_of(trim(*facts.host));
        const bool allowed = parse_ip(host) || is_loopback_name(host) ||
                             std::find(config.allowed_hosts.begin(), config.allowed_hosts.end(), host) !=
                                 config.allowed_hosts.end();
        if (!allowed)
            return access_refusal{421, "unknown_host",
                                  "this server does not answer to the name '" + host +
                                      "'; use its address, or start it with --public-url naming it"};
    }
    if (!changes_state(facts.method) && !facts.websocket) return std::nullopt;
    // A browser names the page's origin on every state-changing request and WebSocket upgrade: it must be
    // this server (as the request addresses it) or the public URL. Scripts send no Origin.
    if (facts.origin) {
        const auto value = trim(*facts.origin);
        const auto authority = origin_authority(value);
        bool same = false;
        if (authority) {
            const auto scheme = lower(value.substr(0, value.find("://")));
            const auto origin = without_default_port(*authority, scheme);
            if (facts.host) same = origin == without_default_port(lower(trim(*facts.host)), scheme);
            if (!same && config.public_origin) same = lower(value) == *config.public_origin;
        }
        if (!same)
            return access_refusal{403, "cross_origin",
                                  "refused: the request comes from another site (Origin: " +
                                      std::string(value.substr(0, 200)) + ")"};
        return std::nullopt;
    }
    // No Origin: a browser still says where the request comes from in Sec-Fetch-Site.
    if (facts.sec_fetch_site) {
        const auto site = lower(trim(*facts.sec_fetch_site));
        if (site != "same-origin" && site != "none")
            return access_refusal{403, "cross_origin",
                                  "refused: the request comes from another site (Sec-Fetch-Site: " + site + ")"};
    }
    return std::nullopt;
}

std::optional<access_refusal> authorize(route_need need, std::string_view method, const std::optional<principal>& who,
                                        bool csrf_header, bool accounts_exist) {
    if (need == route_need::anyone) return std::nullopt;
    if (!who) {
        if (!accounts_exist)
            return access_refusal{401, "no_account",
                                  "no account exists yet: create the first admin with `mediabase user add NAME "
                                  "--admin`, or open the web UI from the server's own machine"};
        return access_refusal{401, "unauthenticated",
                              "log in, or send an API key (Authorization: Bearer KEY or X-Api-Key)"};
    }
    const bool writes = changes_state(method);
    // A cookie travels with any request the browser makes; the header proves the page is ours.
    if (who->via == credential_kind::session && writes && !csrf_header)
        return access_refusal{403, "csrf",
                              "refused: a browser session must send the " + std::string(csrf_header_name) +
                                  " header with requests that change something"};
    if (who->read_only && writes)
        return access_refusal{403, "read_only_key", "this API key has the read scope: it cannot change anything"};
    if (need == route_need::admin && (who->role != account_role::admin || who->read_only))
        return access_refusal{403, "forbidden",
                              who->read_only ? "this API key has the read scope; this needs an admin key"
                                             : "this needs an admin account; '" + who->name + "' is a viewer"};
    return std::nullopt;
}

std::optional<access_refusal> decide(const request_facts& facts, const access_config& config, route_need need,
                                     const std::optional<principal>& who, bool csrf_header, bool accounts_exist) {
    if (auto refused = check_cross_site(facts, config)) return refused;
    return authorize(need, facts.method, who, csrf_header, accounts_exist);
}

std::optional<principal> principal_from_network(const access_config& config, std::string_view peer_address) {
    if (config.mode != auth_mode::trusted_networks) return std::nullopt;
    const auto address = parse_ip(peer_address);
    if (!address) return std::nullopt;
    const bool trusted = is_loopback(*address) ||
                         std::any_of(config.trusted_networks.begin(), config.trusted_networks.end(),
                                     [&](const ip_network& n) { return n.contains(*address); });
    if (!trusted) return std::nullopt;
    principal who;
    who.name = "trusted network";
    who.role = account_role::admin;
    who.via = credential_kind::trusted_network;
    return who;
}

bool may_name_user(const access_config& config, std::string_view peer_address) {
    if (config.mode != auth_mode::proxy) return false;
    const auto address = parse_ip(peer_address);
    return address && std::any_of(config.trusted_proxies.begin(), config.trusted_proxies.end(),
                                  [&](const ip_network& n) { return n.contains(*address); });
}

} // namespace mediabase
