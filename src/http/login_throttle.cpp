#include "mediabase/http/login_throttle.hpp"

#include <algorithm>
#include <cctype>

namespace mediabase {
namespace {

std::string address_key(const std::string& address) { return "a:" + address; }

std::string account_key(const std::string& account) {
    // Names compare without case in the catalogue: "Ann" and "ann" are one account to guess at.
    std::string key = "u:" + account;
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    return key;
}

} // namespace

std::optional<std::chrono::seconds> login_throttle::wait_for(const std::string& key, clock::time_point now) const {
    const auto it = entries_.find(key);
    if (it == entries_.end() || it->second.locked_until <= now) return std::nullopt;
    return std::chrono::ceil<std::chrono::seconds>(it->second.locked_until - now);
}

std::optional<std::chrono::seconds> login_throttle::wait_before(const std::string& address, const std::string& account,
                                                                clock::time_point now) {
    auto by_address = wait_for(address_key(address), now);
    auto by_account = wait_for(account_key(account), now);
    if (!by_address) return by_account;
    if (!by_account) return by_address;
    return std::max(*by_address, *by_account);
}

void login_throttle::fail(const std::string& key, clock::time_point now) {
    auto it = entries_.find(key);
    if (it == entries_.end()) {
        make_room(now);
        it = entries_.emplace(key, entry{}).first;
    }
    auto& e = it->second;
    if (e.failures > 0 && now - e.last_failure > forget_after) e.failures = 0;
    ++e.failures;
    e.last_failure = now;
    if (e.failures > free_failures) {
        const int doublings = std::min(e.failures - free_failures - 1, 20);
        const auto lockout = std::min<std::chrono::seconds>(first_lockout * (1LL << doublings), max_lockout);
        e.locked_until = now + lockout;
    }
}

void login_throttle::failed(const std::string& address, const std::string& account, clock::time_point now) {
    fail(address_key(address), now);
    fail(account_key(account), now);
}

void login_throttle::succeeded(const std::string& address, const std::string& account) {
    entries_.erase(address_key(address));
    entries_.erase(account_key(account));
}

void login_throttle::make_room(clock::time_point now) {
    if (entries_.size() < max_entries) return;
    std::erase_if(entries_, [&](const auto& item) {
        return item.second.locked_until <= now && now - item.second.last_failure > forget_after;
    });
    if (entries_.size() < max_entries) return;
    const auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
        return a.second.last_failure < b.second.last_failure;
    });
    entries_.erase(oldest);
}

} // namespace mediabase
