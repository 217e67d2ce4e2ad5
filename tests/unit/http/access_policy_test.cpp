#define BOOST_TEST_MODULE access_policy
#include <boost/test/unit_test.hpp>

#include "mediabase/http/access_policy.hpp"

#include <string>
#include <vector>

using namespace mediabase;

namespace {

request_facts facts(std::string_view method, std::optional<std::string_view> host,
                    std::optional<std::string_view> origin = std::nullopt,
                    std::optional<std::string_view> fetch_site = std::nullopt, bool websocket = false) {
    request_facts f;
    f.method = method;
    f.host = host;
    f.origin = origin;
    f.sec_fetch_site = fetch_site;
    f.websocket = websocket;
    return f;
}

int status_of(const std::optional<access_refusal>& refusal) { return refusal ? refusal->status : 200; }

principal person(account_role role, credential_kind via, bool read_only = false) {
    principal p;
    p.user_id = 1;
    p.name = "ann";
    p.role = role;
    p.via = via;
    p.read_only = read_only;
    return p;
}

} // namespace

BOOST_AUTO_TEST_SUITE(access_policy_suite)

BOOST_AUTO_TEST_CASE(networks_parse_and_contain_ipv4_and_ipv6) {
    auto lan = parse_network("192.168.1.0/24");
    BOOST_REQUIRE(lan);
    BOOST_TEST(lan->contains(*parse_ip("192.168.1.77")));
    BOOST_TEST(!lan->contains(*parse_ip("192.168.2.1")));
    // An IPv4 client seen through a dual-stack socket.
    BOOST_TEST(lan->contains(*parse_ip("::ffff:192.168.1.5")));
    auto ula = parse_network("fd00::/8");
    BOOST_REQUIRE(ula);
    BOOST_TEST(ula->contains(*parse_ip("fd12:3456::1")));
    BOOST_TEST(!ula->contains(*parse_ip("fe80::1")));
    BOOST_TEST(parse_network("10.0.0.5")->contains(*parse_ip("10.0.0.5")));
    BOOST_TEST(!parse_network("10.0.0.5")->contains(*parse_ip("10.0.0.6")));
    BOOST_TEST(parse_network("0.0.0.0/0")->contains(*parse_ip("8.8.8.8")));
    for (const char* bad : {"10.0.0.0/33", "fd00::/129", "10.0.0/8", "lan", "10.0.0.0/", "10.0.0.0/8x", ""})
        BOOST_TEST(!parse_network(bad), bad);
    std::vector<ip_network> list;
    BOOST_TEST(!parse_networks("10.0.0.0/8, fd00::/8", list));
    BOOST_TEST(list.size() == 2u);
    auto error = parse_networks("10.0.0.0/8,nope", list);
    BOOST_REQUIRE(error);
    BOOST_TEST(error->find("'nope'") != std::string::npos);
    BOOST_TEST(is_loopback(*parse_ip("127.0.0.2")));
    BOOST_TEST(is_loopback(*parse_ip("::1")));
    BOOST_TEST(is_loopback(*parse_ip("::ffff:127.0.0.1")));
    BOOST_TEST(!is_loopback(*parse_ip("10.0.0.1")));
}

BOOST_AUTO_TEST_CASE(host_allow_list_refuses_rebinding_names_with_421) {
    access_config config;
    config.allowed_hosts = {"media.example.org"};
    struct row {
        const char* host;
        int status;
    };
    for (const auto& [host, status] : std::vector<row>{{"127.0.0.1:3267", 200},
                                                        {"localhost:3267", 200},
                                                        {"LOCALHOST", 200},
                                                        {"[::1]:3267", 200},
                                                        {"192.168.1.20:3267", 200},
                                                        {"media.example.org", 200},
                                                        {"Media.Example.Org:443", 200},
                                                        {"rebind.evil.example", 421},
                                                        {"rebind.evil.example:3267", 421},
                                                        {"127.0.0.1.evil.example", 421},
                                                        {"localhost.evil.example", 421}})
        BOOST_TEST(status_of(check_cross_site(facts("GET", std::string_view(host)), config)) == status, host);
    // HTTP/1.0 scripts may send no Host at all: nothing to rebind.
    BOOST_TEST(!check_cross_site(facts("GET", std::nullopt), config));
    BOOST_TEST(check_cross_site(facts("PUT", "rebind.evil.example"), config)->code == "unknown_host");
}

BOOST_AUTO_TEST_CASE(state_changes_and_upgrades_need_the_same_origin) {
    access_config config;
    config.allowed_hosts = {"media.example.org"};
    config.public_origin = "https://media.example.org";
    struct row {
        const char* method;
        std::optional<std::string_view> origin;
        std::optional<std::string_view> site;
        bool websocket;
        int status;
    };
    const std::vector<row> rows{
        {"POST", "http://127.0.0.1:3267", std::nullopt, false, 200},
        {"POST", "http://evil.example", std::nullopt, false, 403},
        {"POST", "http://127.0.0.1:8080", std::nullopt, false, 403}, // another port is another origin
        {"POST", "null", std::nullopt, false, 403},
        {"PUT", "https://media.example.org", std::nullopt, false, 200}, // the public URL behind a proxy
        {"PATCH", std::nullopt, "cross-site", false, 403},
        {"DELETE", std::nullopt, "same-site", false, 403},
        {"POST", std::nullopt, "same-origin", false, 200},
        {"POST", std::nullopt, std::nullopt, false, 200}, // curl and scripts
        {"GET", "http://evil.example", std::nullopt, true, 403},
        {"GET", "http://127.0.0.1:3267", std::nullopt, true, 200},
        // Reads: the same-origin policy keeps the answer from the other site (no CORS headers).
        {"GET", "http://evil.example", "cross-site", false, 200},
    };
    for (const auto& r : rows)
        BOOST_TEST(status_of(check_cross_site(facts(r.method, "127.0.0.1:3267", r.origin, r.site, r.websocket), config)) ==
                       r.status,
                   r.method << " " << r.origin.value_or("-") << " " << r.site.value_or("-"));
    // Default ports: http://localhost is the same origin as Host: localhost:80.
    BOOST_TEST(!check_cross_site(facts("POST", "localhost:80", "http://localhost"), config));
}

BOOST_AUTO_TEST_CASE(authorization_table) {
    const auto admin_session = person(account_role::admin, credential_kind::session);
    const auto viewer_session = person(account_role::viewer, credential_kind::session);
    const auto admin_key = person(account_role::admin, credential_kind::api_key);
    const auto read_key = person(account_role::admin, credential_kind::api_key, true);
    struct row {
        route_need need;
        const char* method;
        std::optional<principal> who;
        bool csrf;
        int status;
        const char* code;
    };
    const std::vector<row> rows{
        {route_need::anyone, "GET", std::nullopt, false, 200, ""},
        {route_need::viewer, "GET", std::nullopt, false, 401, "unauthenticated"},
        {route_need::viewer, "GET", viewer_session, false, 200, ""},
        {route_need::viewer, "PATCH", viewer_session, false, 403, "csrf"},
        {route_need::viewer, "PATCH", viewer_session, true, 200, ""},
        {route_need::admin, "POST", viewer_session, true, 403, "forbidden"},
        {route_need::admin, "POST", admin_session, true, 200, ""},
        {route_need::admin, "POST", admin_key, false, 200, ""}, // keys are not sent by browsers by themselves
        {route_need::viewer, "GET", read_key, false, 200, ""},
        {route_need::viewer, "PATCH", read_key, false, 403, "read_only_key"},
        {route_need::admin, "GET", read_key, false, 403, "forbidden"},
    };
    for (const auto& r : rows) {
        const auto refusal = authorize(r.need, r.method, r.who, r.csrf, true);
        BOOST_TEST(status_of(refusal) == r.status, r.method << " " << static_cast<int>(r.need));
        if (refusal) BOOST_TEST(refusal->code == r.code);
    }
    BOOST_TEST(authorize(route_need::viewer, "GET", std::nullopt, false, false)->code == "no_account");
}

BOOST_AUTO_TEST_CASE(trusted_networks_always_trust_loopback_and_nothing_else_by_default) {
    access_config config;
    BOOST_TEST(!principal_from_network(config, "127.0.0.1")); // required mode: nobody by address
    config.mode = auth_mode::trusted_networks;
    BOOST_TEST(principal_from_network(config, "127.0.0.2").has_value());
    BOOST_TEST(principal_from_network(config, "::1").has_value());
    BOOST_TEST(!principal_from_network(config, "192.168.1.5"));
    BOOST_REQUIRE(!parse_networks("192.168.1.0/24,fd00::/8", config.trusted_networks));
    BOOST_TEST((principal_from_network(config, "192.168.1.5")->role == account_role::admin));
    BOOST_TEST(principal_from_network(config, "fd00::5").has_value());
    BOOST_TEST(!principal_from_network(config, "192.168.2.5"));
}

BOOST_AUTO_TEST_CASE(only_trusted_proxies_may_name_the_user) {
    access_config config;
    BOOST_REQUIRE(!parse_networks("127.0.0.2", config.trusted_proxies));
    BOOST_TEST(!may_name_user(config, "127.0.0.2")); // not in proxy mode
    config.mode = auth_mode::proxy;
    BOOST_TEST(may_name_user(config, "127.0.0.2"));
    BOOST_TEST(!may_name_user(config, "127.0.0.1"));
}

BOOST_AUTO_TEST_SUITE_END()
