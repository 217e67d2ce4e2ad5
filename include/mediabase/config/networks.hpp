#pragma once
/// IP addresses and CIDR networks, as `--trusted-networks` and `--trusted-proxies` name them (pure logic).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mediabase {

/// An IPv4 or IPv6 address as 16 bytes (IPv4 as `::ffff:a.b.c.d`, so both families compare alike).
using ip_bytes = std::array<std::uint8_t, 16>;

/// Parses "192.168.1.7", "::1", "[::1]", "::ffff:10.0.0.1" (a scope `%eth0` is ignored); nullopt if not an address.
[[nodiscard]] std::optional<ip_bytes> parse_ip(std::string_view text);

/// A network in CIDR notation: "192.168.0.0/16", "fd00::/8", or one address ("10.0.0.5" is /32).
struct ip_network {
    ip_bytes base{};
    int prefix = 128; ///< in bits of the 16-byte form (IPv4 /24 is 96 + 24)

    [[nodiscard]] bool contains(const ip_bytes& address) const;
};

/// Parses a CIDR network; nullopt with a bad address or prefix.
[[nodiscard]] std::optional<ip_network> parse_network(std::string_view cidr);

/// Parses "CIDR,CIDR,..." (spaces allowed); the first bad entry as an error message naming it.
[[nodiscard]] std::optional<std::string> parse_networks(std::string_view list, std::vector<ip_network>& out);

/// 127.0.0.0/8, ::1 and their IPv4-mapped forms.
[[nodiscard]] bool is_loopback(const ip_bytes& address);

} // namespace mediabase
