#pragma once
/// Slows password guessing (pure bookkeeping, no Asio; the server uses it on the network thread).
///
/// The rule, per client address and, separately, per account name: the first `free_failures` (5) failed
/// logins cost nothing; each further failure locks that address or account out for twice as long as the
/// last, from 1 s up to 15 minutes. A login attempted while locked out is refused with 429 and `Retry-After`
/// before any password is checked, and counts as a failure (a guesser that keeps trying is locked out longer;
/// the caller reports it with failed()). A success clears the address's and the account's failures; failures
/// older than 15 minutes are forgotten. At most `max_entries` addresses and names are tracked; when full,
/// forgotten ones are dropped first, then the oldest.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>

namespace mediabase {

class login_throttle {
public:
    using clock = std::chrono::steady_clock;
    static constexpr int free_failures = 5;
    static constexpr std::chrono::seconds first_lockout{1};
    static constexpr std::chrono::seconds max_lockout{15 * 60};
    static constexpr std::chrono::seconds forget_after{15 * 60};
    static constexpr std::size_t max_entries = 10000;

    /// How long the caller must wait before trying (the longer of the address's and the account's), or
    /// nullopt when it may try now.
    [[nodiscard]] std::optional<std::chrono::seconds> wait_before(const std::string& address,
                                                                  const std::string& account, clock::time_point now);
    void failed(const std::string& address, const std::string& account, clock::time_point now);
    void succeeded(const std::string& address, const std::string& account);
    [[nodiscard]] std::size_t tracked() const { return entries_.size(); }

private:
    struct entry {
        int failures = 0;
        clock::time_point last_failure{};
        clock::time_point locked_until{};
    };
    void fail(const std::string& key, clock::time_point now);
    [[nodiscard]] std::optional<std::chrono::seconds> wait_for(const std::string& key, clock::time_point now) const;
    void make_room(clock::time_point now);
    std::unordered_map<std::string, entry> entries_;
};

} // namespace mediabase
