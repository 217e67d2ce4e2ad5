#pragma once
/// Rate limiting and retry policy for provider requests. Pure logic: the caller passes the time in, so it is
/// tested without a clock or an event loop; the HTTP client waits for the time points this returns.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mediabase::providers {

using steady_time = std::chrono::steady_clock::time_point;

/// A token bucket per host ("api.themoviedb.org:443"). TMDB's soft cap is around 40-50 requests/s per
/// client, so the default stays safely under it.
class rate_limiter {
  public:
    struct options {
        double requests_per_second = 35.0; ///< sustained rate per host; <= 0 disables limiting
        double burst = 5.0;                ///< tokens a host may save up while idle (>= 1)
    };

    rate_limiter() : rate_limiter(options{}) {}
    explicit rate_limiter(options opts);

    /// Takes one token for a request to `host` and returns when that request may start: `now` when a token
    /// is available, a later time otherwise (the token is reserved, so concurrent callers queue up in
    /// order). Also honours a pause set by `pause_until`.
    [[nodiscard]] steady_time reserve(std::string_view host, steady_time now);

    /// Stops all requests to `host` until `until` (after a 429 with Retry-After). The bucket holds a single
    /// token when the pause ends, so requests resume at the sustained rate instead of in a burst.
    void pause_until(std::string_view host, steady_time until);

    /// When the host's pause ends, if one is in force at `now`.
    [[nodiscard]] std::optional<steady_time> paused_until(std::string_view host, steady_time now) const;

    [[nodiscard]] const options& settings() const { return options_; }

  private:
    struct bucket {
        double tokens = 0; ///< may go negative: tokens reserved ahead of time
        steady_time refilled_at{};
        steady_time paused_until{};
        bool fresh = true;
    };
    options options_;
    std::unordered_map<std::string, bucket> buckets_; ///< bounded by the number of hosts the client talks to
};

/// What to do after a failed attempt.
enum class retry_action {
    give_up,       ///< a final answer (success, or a 4xx other than 429): no retry
    retry_backoff, ///< 5xx, timeout or network error: retry after an exponential backoff
    retry_after,   ///< 429: retry after the server's Retry-After (or a backoff when it sent none)
};

/// Whether an HTTP status is worth retrying: 429 and 5xx (500, 502, 503, 504, ...) are; any other 4xx is not.
[[nodiscard]] retry_action retry_action_for_status(int status);

/// The policy for retries of one request.
struct retry_policy {
    int max_attempts = 4; ///< including the first attempt
    std::chrono::milliseconds backoff_base{250};
    std::chrono::milliseconds backoff_cap{8000};
    std::chrono::seconds max_retry_after{60}; ///< a longer Retry-After is not waited for: the call fails
};

/// The delay before retry number `attempt` (1 for the first retry): "equal jitter", i.e. half of
/// min(cap, base * 2^(attempt-1)) plus a random share of the other half. `random01` in [0, 1) is passed in
/// so tests are deterministic.
[[nodiscard]] std::chrono::milliseconds backoff_delay(const retry_policy& policy, int attempt,
                                                      double random01);

/// Parses a Retry-After header: delay-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT",
/// also the obsolete RFC 850 and asctime forms). Returns the delay from `now` (zero for a date in the
/// past), or nullopt when the value is neither.
[[nodiscard]] std::optional<std::chrono::seconds>
parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now);

} // namespace mediabase::providers
