#include "mediabase/providers/redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace mediabase::providers {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool is_secret_parameter(std::string_view name) {
    static constexpr std::array<std::string_view, 10> names{"api_key", "apikey",       "api-key", "key",
                                                            "token",   "access_token", "auth",    "password",
                                                            "secret",  "session_id"};
    return std::any_of(names.begin(), names.end(), [&](std::string_view n) { return iequals(n, name); });
}

} // namespace

std::string redact_url(std::string_view url) {
    // Parameters are scanned by hand rather than with Boost.URL so that malformed URLs, which are
    // exactly the ones that end up in error messages, are redacted too.
    const auto query_start = url.find('?');
    if (query_start == std::string_view::npos) return std::string(url);
    const auto fragment_start = url.find('#', query_start);
    const auto query_end = fragment_start == std::string_view::npos ? url.size() : fragment_start;

    std::string out(url.substr(0, query_start + 1));
    std::size_t pos = query_start + 1;
    while (pos <= query_end) {
        auto amp = url.find('&', pos);
        if (amp == std::string_view::npos || amp > query_end) amp = query_end;
        const auto param = url.substr(pos, amp - pos);
        const auto eq = param.find('=');
        const auto name = param.substr(0, eq);
        if (eq != std::string_view::npos && is_secret_parameter(name)) {
            out.append(name);
            out += '=';
            out.append(redacted_marker);
        } else {
            out.append(param);
        }
        if (amp < query_end) out += '&';
        pos = amp + 1;
    }
    out.append(url.substr(query_end));
    return out;
}

bool is_secret_header(std::string_view name) {
    static constexpr std::array<std::string_view, 6> names{"authorization", "proxy-authorization", "cookie",
                                                           "set-cookie",    "x-api-key",           "api-key"};
    return std::any_of(names.begin(), names.end(), [&](std::string_view n) { return iequals(n, name); });
}

std::string redact_header(std::string_view name, std::string_view value) {
    if (!is_secret_header(name)) return std::string(value);
    const auto space = value.find(' ');
    // Keep the scheme ("Bearer", "Basic") so the log still says which kind of credential was sent.
    const bool has_scheme = iequals(name, "authorization") || iequals(name, "proxy-authorization");
    if (has_scheme && space != std::string_view::npos && space > 0)
        return std::string(value.substr(0, space + 1)) + std::string(redacted_marker);
    return std::string(redacted_marker);
}

std::string redact_secrets(std::string_view text, const std::vector<std::string>& secrets) {
    std::string out(text);
    for (const auto& secret : secrets) {
        if (secret.size() < 4) continue;
        std::size_t pos = 0;
        while ((pos = out.find(secret, pos)) != std::string::npos) {
            out.replace(pos, secret.size(), redacted_marker);
            pos += redacted_marker.size();
        }
    }
    return out;
}

} // namespace mediabase::providers
