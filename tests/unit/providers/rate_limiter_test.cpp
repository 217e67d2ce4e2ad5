#define BOOST_TEST_MODULE providers_rate_limiter
#include "mediabase/providers/rate_limiter.hpp"

#include <boost/test/unit_test.hpp>

#include <ctime>

using namespace mediabase::providers;
using namespace std::chrono_literals;

namespace {
const steady_time t0 = steady_time{} + 1000s;

std::chrono::system_clock::time_point utc(int year, int month, int day, int h, int m, int s) {
    std::tm parts{};
    parts.tm_year = year - 1900;
    parts.tm_mon = month - 1;
    parts.tm_mday = day;
    parts.tm_hour = h;
    parts.tm_min = m;
    parts.tm_sec = s;
    return std::chrono::system_clock::from_time_t(timegm(&parts));
}
} // namespace

BOOST_AUTO_TEST_SUITE(rate_limiter_suite)

BOOST_AUTO_TEST_CASE(a_burst_goes_at_once_then_requests_are_spaced_at_the_rate) {
    rate_limiter limiter({.requests_per_second = 10, .burst = 3});
    BOOST_TEST((limiter.reserve("tmdb", t0) == t0));
    BOOST_TEST((limiter.reserve("tmdb", t0) == t0));
    BOOST_TEST((limiter.reserve("tmdb", t0) == t0));
    // The bucket is empty: the next ones are 100 ms apart, queued in order.
    BOOST_TEST((limiter.reserve("tmdb", t0) == t0 + 100ms));
    BOOST_TEST((limiter.reserve("tmdb", t0) == t0 + 200ms));
    BOOST_TEST((limiter.reserve("tmdb", t0 + 50ms) == t0 + 300ms));
}

BOOST_AUTO_TEST_CASE(the_sustained_rate_never_exceeds_the_setting) {
    rate_limiter limiter({.requests_per_second = 35, .burst = 5});
    // 200 requests asked for at once: all of them fit in burst + rate * elapsed.
    steady_time last = t0;
    for (int i = 0; i < 200; ++i)
        last = std::max(last, limiter.reserve("tmdb", t0));
    const std::chrono::duration<double> span = last - t0;
    BOOST_TEST(span.count() >= (200 - 5) / 35.0 - 1e-6);
    BOOST_TEST(span.count() <= (200 - 5) / 35.0 + 0.05);
}

BOOST_AUTO_TEST_CASE(hosts_have_separate_buckets) {
    rate_limiter limiter({.requests_per_second = 1, .burst = 1});
    BOOST_TEST((limiter.reserve("a", t0) == t0));
    BOOST_TEST((limiter.reserve("b", t0) == t0));
    BOOST_TEST((limiter.reserve("a", t0) == t0 + 1s));
}

BOOST_AUTO_TEST_CASE(an_idle_host_saves_up_at_most_a_burst) {
    rate_limiter limiter({.requests_per_second = 10, .burst = 2});
    (void)limiter.reserve("h", t0);
    (void)limiter.reserve("h", t0);
    const auto later = t0 + 60s;
    BOOST_TEST((limiter.reserve("h", later) == later));
    BOOST_TEST((limiter.reserve("h", later) == later));
    BOOST_TEST((limiter.reserve("h", later) == later + 100ms));
}

BOOST_AUTO_TEST_CASE(a_pause_holds_every_request_until_it_ends) {
    rate_limiter limiter({.requests_per_second = 10, .burst = 5});
    (void)limiter.reserve("h", t0);
    limiter.pause_until("h", t0 + 2s);
    BOOST_TEST(limiter.paused_until("h", t0 + 1s).has_value());
    BOOST_TEST(!limiter.paused_until("h", t0 + 2s).has_value());
    BOOST_TEST(!limiter.paused_until("other", t0).has_value());
    // Resumes at the sustained rate, not with a saved-up burst.
    BOOST_TEST((limiter.reserve("h", t0 + 1s) == t0 + 2s));
    BOOST_TEST((limiter.reserve("h", t0 + 1s) == t0 + 2s + 100ms));
    // A shorter pause does not shorten a longer one.
    limiter.pause_until("h", t0 + 5s);
    limiter.pause_until("h", t0 + 3s);
    BOOST_TEST((*limiter.paused_until("h", t0) == t0 + 5s));
}

BOOST_AUTO_TEST_CASE(a_zero_rate_disables_limiting) {
    rate_limiter limiter({.requests_per_second = 0, .burst = 1});
    for (int i = 0; i < 100; ++i)
        BOOST_TEST((limiter.reserve("h", t0) == t0));
}

BOOST_AUTO_TEST_CASE(only_429_and_server_errors_are_retried) {
    BOOST_TEST((retry_action_for_status(429) == retry_action::retry_after));
    for (int status : {500, 502, 503, 504})
        BOOST_TEST((retry_action_for_status(status) == retry_action::retry_backoff));
    for (int status : {200, 204, 301, 400, 401, 403, 404, 410, 422, 501})
        BOOST_TEST((retry_action_for_status(status) == retry_action::give_up));
}

BOOST_AUTO_TEST_CASE(backoff_grows_exponentially_with_jitter_and_a_cap) {
    retry_policy policy{
        .max_attempts = 10, .backoff_base = 100ms, .backoff_cap = 1000ms, .max_retry_after = 60s};
    BOOST_TEST(backoff_delay(policy, 1, 0.0).count() == 50);
    BOOST_TEST(backoff_delay(policy, 1, 0.999).count() >= 99);
    BOOST_TEST(backoff_delay(policy, 2, 0.0).count() == 100);
    BOOST_TEST(backoff_delay(policy, 3, 0.5).count() == 300);
    BOOST_TEST(backoff_delay(policy, 8, 0.0).count() == 500);   // capped at 1000 ms
    BOOST_TEST(backoff_delay(policy, 80, 1.0).count() == 1000); // no overflow
    BOOST_TEST(backoff_delay(policy, 0, 2.0).count() <= 100);   // odd inputs clamped
}

BOOST_AUTO_TEST_CASE(retry_after_reads_delay_seconds) {
    const auto now = utc(2026, 11, 25, 12, 0, 0);
    BOOST_TEST(parse_retry_after("120", now)->count() == 120);
    BOOST_TEST(parse_retry_after(" 0 ", now)->count() == 0);
    BOOST_TEST(parse_retry_after("99999999999999", now)->count() > 3600);
    BOOST_TEST(!parse_retry_after("-5", now).has_value());
    BOOST_TEST(!parse_retry_after("1.5", now).has_value());
    BOOST_TEST(!parse_retry_after("", now).has_value());
    BOOST_TEST(!parse_retry_after("soon", now).has_value());
}

BOOST_AUTO_TEST_CASE(retry_after_reads_http_dates) {
    const auto now = utc(2026, 11, 25, 12, 0, 0);
    BOOST_TEST(parse_retry_after("Wed, 25 Nov 2026 12:00:30 GMT", now)->count() == 30);
    BOOST_TEST(parse_retry_after("Wednesday, 25-Nov-26 12:01:00 GMT", now)->count() == 60);
    BOOST_TEST(parse_retry_after("Wed Nov 25 12:00:05 2026", now)->count() == 5);
    BOOST_TEST(parse_retry_after("Wed Nov  5 12:00:05 2026", now)->count() == 0); // in the past
    BOOST_TEST(parse_retry_after("Tue, 24 Nov 2026 12:00:00 GMT", now)->count() == 0);
    BOOST_TEST(!parse_retry_after("Wed, 32 Nov 2026 12:00:30 GMT", now).has_value());
    BOOST_TEST(!parse_retry_after("Wed, 25 Foo 2026 12:00:30 GMT", now).has_value());
    BOOST_TEST(!parse_retry_after("Wed, 25 Nov 2026 25:00:30 GMT", now).has_value());
}

BOOST_AUTO_TEST_CASE(retry_after_reads_two_digit_years_with_the_50_year_rule) {
    // RFC 9110 5.6.7: a two-digit year more than 50 years ahead is the most recent past year with those digits.
    const auto now = utc(2026, 11, 25, 12, 0, 0);
    const auto year_2076 = std::chrono::ceil<std::chrono::seconds>(utc(2076, 1, 1, 0, 0, 0) - now).count();
    BOOST_TEST(parse_retry_after("Wednesday, 01-Jan-76 00:00:00 GMT", now)->count() == year_2076); // 50 ahead
    BOOST_TEST(parse_retry_after("Wednesday, 01-Jan-77 00:00:00 GMT", now)->count() == 0);          // 1977
    BOOST_TEST(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now)->count() == 0);             // 1994
    // The pivot moves with the clock: in 2080, "81" is next year, not 1981.
    const auto later = utc(2080, 6, 1, 0, 0, 0);
    const auto year_2081 = std::chrono::ceil<std::chrono::seconds>(utc(2081, 1, 1, 0, 0, 0) - later).count();
    BOOST_TEST(parse_retry_after("Wednesday, 01-Jan-81 00:00:00 GMT", later)->count() == year_2081);
}

BOOST_AUTO_TEST_SUITE_END()
