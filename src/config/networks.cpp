#include "mediabase/config/networks.hpp"

#include <charconv>
#include <cstring>

#include <arpa/inet.h>

namespace mediabase {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

} // namespace

std::optional<ip_bytes> parse_ip(std::string_view text) {
    if (text.size() > 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
    if (const auto scope = text.find('%'); scope != std::string_view::npos) text = text.substr(0, scope);
    if (text.empty() || text.size() > 63) return std::nullopt;
    const std::string copy(text);
    ip_bytes out{};
    in_addr v4{};
    if (::inet_pton(AF_INET, copy.c_str(), &v4) == 1) {
        out[10] = 0xff;
        out[11] = 0xff;
        std::memcpy(out.data() + 12, &v4, 4);
        return out;
    }
    in6_addr v6{};
    if (::inet_pton(AF_INET6, copy.c_str(), &v6) == 1) {
        std::memcpy(out.data(), &v6, 16);
        return out;
    }
    return std::nullopt;
}

bool ip_network::contains(const ip_bytes& address) const {
    int bits = prefix;
    for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
        const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
        if ((address[i] & mask) != (base[i] & mask)) return false;
    }
    return true;
}

std::optional<ip_network> parse_network(std::string_view cidr) {
    cidr = trim(cidr);
    const auto slash = cidr.find('/');
    const auto address = parse_ip(cidr.substr(0, slash));
    if (!address) return std::nullopt;
    const bool v4 = cidr.substr(0, slash).find(':') == std::string_view::npos;
    const int width = v4 ? 32 : 128;
    int prefix = width;
    if (slash != std::string_view::npos) {
        const auto digits = cidr.substr(slash + 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (ec != std::errc{} || end != digits.data() + digits.size() || prefix < 0 || prefix > width)
            return std::nullopt;
    }
    return ip_network{*address, v4 ? 96 + prefix : prefix};
}

std::optional<std::string> parse_networks(std::string_view list, std::vector<ip_network>& out) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        const auto item = trim(list.substr(0, comma));
        if (!item.empty()) {
            auto network = parse_network(item);
            if (!network) {
                // Appended rather than "'" + std::string(item): GCC 12 at -O3 warns (-Wrestrict) on that form.
                std::string error = "'";
                error.append(item).append("' is not an address or a network (e.g. 192.168.1.0/24, fd00::/8)");
                return error;
            }
            out.push_back(*network);
        }
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return std::nullopt;
}

bool is_loopback(const ip_bytes& address) {
    static const ip_network v4_loopback = *parse_network("127.0.0.0/8");
    static const ip_network v6_loopback = *parse_network("::1/128");
    return v4_loopback.contains(address) || v6_loopback.contains(address);
}

} // namespace mediabase
