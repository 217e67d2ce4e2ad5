#include "mediabase/providers/rate_limiter.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>
#include <vector>

namespace mediabase::providers {

rate_limiter::rate_limiter(options opts) : options_(opts) {
    options_.burst = std::max(1.0, options_.burst);
}

steady_time rate_limiter::reserve(std::string_view host, steady_time now) {
    auto& b = buckets_[std::string(host)];
    if (b.fresh) {
        b.fresh = false;
        b.tokens = options_.burst;
        b.refilled_at = now;
    }
    // A paused host starts again from the end of its pause.
    const steady_time start = std::max(now, b.paused_until);
    if (options_.requests_per_second <= 0) return start;

    if (start > b.refilled_at) {
        const std::chrono::duration<double> elapsed = start - b.refilled_at;
        b.tokens = std::min(options_.burst, b.tokens + elapsed.count() * options_.requests_per_second);
        b.refilled_at = start;
    }
    // Take the token now; a negative balance is a debt that later callers queue behind.
    b.tokens -= 1.0;
    if (b.tokens >= 0) return std::max(start, b.refilled_at);
    const std::chrono::duration<double> wait(-b.tokens / options_.requests_per_second);
    return b.refilled_at + std::chrono::duration_cast<std::chrono::steady_clock::duration>(wait);
}

void rate_limiter::pause_until(std::string_view host, steady_time until) {
    auto& b = buckets_[std::string(host)];
    if (until <= b.paused_until) return;
    b.fresh = false;
    b.paused_until = until;
    // One token at the end of the pause, so requests resume at the sustained rate instead of in a burst;
    // a debt of queued requests (negative tokens) stays queued behind it.
    b.tokens = std::min(b.tokens, 1.0);
    b.refilled_at = std::max(b.refilled_at, until);
}

std::optional<steady_time> rate_limiter::paused_until(std::string_view host, steady_time now) const {
    const auto it = buckets_.find(std::string(host));
    if (it == buckets_.end() || it->second.paused_until <= now) return std::nullopt;
    return it->second.paused_until;
}

retry_action retry_action_for_status(int status) {
    if (status == 429) return retry_action::retry_after;
    if (status >= 500 && status <= 599 && status != 501 && status != 505) return retry_action::retry_backoff;
    return retry_action::give_up;
}

std::chrono::milliseconds backoff_delay(const retry_policy& policy, int attempt, double random01) {
    random01 = std::clamp(random01, 0.0, 1.0);
    const double base = static_cast<double>(std::max<std::int64_t>(0, policy.backoff_base.count()));
    const double cap = static_cast<double>(std::max<std::int64_t>(0, policy.backoff_cap.count()));
    const int exponent = std::clamp(attempt - 1, 0, 30);
    const double ceiling = std::min(cap, base * std::ldexp(1.0, exponent));
    const double delay = ceiling / 2 + random01 * (ceiling / 2);
    return std::chrono::milliseconds(static_cast<std::int64_t>(delay));
}

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

std::optional<int> month_number(std::string_view name) {
    static constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (std::size_t i = 0; i < months.size(); ++i)
        if (name == months[i]) return static_cast<int>(i);
    return std::nullopt;
}

std::optional<int> number(std::string_view s) {
    int value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
    return value;
}

/// "08:49:37" -> seconds of the day.
std::optional<std::array<int, 3>> clock_time(std::string_view s) {
    if (s.size() != 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
    const auto h = number(s.substr(0, 2)), m = number(s.substr(3, 2)), sec = number(s.substr(6, 2));
    if (!h || !m || !sec || *h > 23 || *m > 59 || *sec > 60) return std::nullopt;
    return std::array<int, 3>{*h, *m, *sec};
}

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (pos < s.size()) {
        while (pos < s.size() && (s[pos] == ' ' || s[pos] == ','))
            ++pos;
        const auto start = pos;
        while (pos < s.size() && s[pos] != ' ' && s[pos] != ',')
            ++pos;
        if (pos > start) out.push_back(s.substr(start, pos - start));
    }
    return out;
}

/// Parses the three HTTP-date forms of RFC 9110 into a UTC time_t; `now` places two-digit years.
std::optional<std::time_t> parse_http_date(std::string_view s, std::time_t now) {
    std::tm parts{};
    auto w = words(s);
    std::optional<int> day, month, year;
    std::optional<std::array<int, 3>> time;
    if (w.size() == 6 && w[5] == "GMT") {
        // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
        day = number(w[1]);
        month = month_number(w[2]);
        year = number(w[3]);
        time = clock_time(w[4]);
    } else if (w.size() == 4 && w[3] == "GMT") {
        // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
        const auto d = w[1];
        if (d.size() == 9 && d[2] == '-' && d[6] == '-') {
            day = number(d.substr(0, 2));
            month = month_number(d.substr(3, 3));
            year = number(d.substr(7, 2));
            // Two-digit years (RFC 9110 5.6.7): a year that would be more than 50 years in the future is
            // the most recent past year with those digits.
            if (year) {
                std::tm today{};
                gmtime_r(&now, &today);
                const int this_year = today.tm_year + 1900;
                *year += this_year - this_year % 100;
                if (*year > this_year + 50) *year -= 100;
            }
        }
        time = clock_time(w[2]);
    } else if (w.size() == 5) {
        // asctime: "Sun Nov  6 08:49:37 1994"
        month = month_number(w[1]);
        day = number(w[2]);
        time = clock_time(w[3]);
        year = number(w[4]);
    }
    if (!day || !month || !year || !time || *day < 1 || *day > 31 || *year < 1970) return std::nullopt;
    parts.tm_mday = *day;
    parts.tm_mon = *month;
    parts.tm_year = *year - 1900;
    parts.tm_hour = (*time)[0];
    parts.tm_min = (*time)[1];
    parts.tm_sec = (*time)[2];
    const std::time_t t = timegm(&parts);
    if (t == static_cast<std::time_t>(-1)) return std::nullopt;
    return t;
}

} // namespace

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now) {
    value = trim(value);
    if (value.empty()) return std::nullopt;
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        if (value.size() > 9) return std::chrono::seconds(999'999'999); // absurdly long: the caller gives up
        return std::chrono::seconds(*number(value));
    }
    const auto date = parse_http_date(value, std::chrono::system_clock::to_time_t(now));
    if (!date) return std::nullopt;
    const auto at = std::chrono::system_clock::from_time_t(*date);
    if (at <= now) return std::chrono::seconds(0);
    // Round up so that a retry never comes before the server's moment.
    const auto delay = std::chrono::ceil<std::chrono::seconds>(at - now);
    return delay;
}

} // namespace mediabase::providers
