#include "mediabase/providers/http_client.hpp"

#include "mediabase/providers/redact.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <unordered_map>

namespace mediabase::providers {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

/// Where a URL points to, ready for a request.
struct target {
    bool tls = false;
    std::string host; ///< name or address, without IPv6 brackets
    std::string port; ///< "443", "80", or the URL's port
    std::string path; ///< path and query: the request target
    std::string key;  ///< "host:port" (with the scheme): the rate-limit and connection-pool key
    std::string host_header;
};

result<target> parse_target(const std::string& url) {
    const auto parsed = boost::urls::parse_uri(url);
    if (!parsed) return make_error(error_kind::invalid, "not a URL: " + redact_url(url));
    const auto& u = *parsed;
    target t;
    if (u.scheme_id() == boost::urls::scheme::https)
        t.tls = true;
    else if (u.scheme_id() != boost::urls::scheme::http)
        return make_error(error_kind::invalid, "unsupported URL scheme: " + redact_url(url));
    t.host = u.host_address();
    if (t.host.empty()) return make_error(error_kind::invalid, "URL has no host: " + redact_url(url));
    const std::string default_port = t.tls ? "443" : "80";
    t.port = u.has_port() && !u.port().empty() ? std::string(u.port()) : default_port;
    t.path = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
    if (u.has_query()) {
        t.path += '?';
        t.path += u.encoded_query();
    }
    t.host_header = std::string(u.encoded_host());
    if (t.port != default_port) t.host_header += ":" + t.port;
    t.key = (t.tls ? "https://" : "http://") + t.host + ":" + t.port;
    return t;
}

bool is_ip_address(const std::string& host) {
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

/// One kept-alive connection, plain or TLS.
struct connection {
    std::string key;
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;
    clock_type::time_point idle_since{};

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
};

/// The outcome of one request/response exchange on a connection.
struct exchange_outcome {
    boost::system::error_code ec;
    bool got_response_bytes = false;
    http::response<http::string_body> response;
};

template <class Stream>
asio::awaitable<exchange_outcome> exchange_on(Stream& stream, beast::flat_buffer& buffer,
                                              const http::request<http::empty_body>& request,
                                              std::size_t max_body, clock_type::time_point deadline) {
    exchange_outcome out;
    beast::get_lowest_layer(stream).expires_at(deadline);
    auto [write_ec, written] = co_await http::async_write(stream, request, use_tuple);
    (void)written;
    if (write_ec) {
        out.ec = write_ec;
        co_return out;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{max_body});
    // CDNs in front of the providers send many headers; Beast's default of 8 KiB is tight.
    parser.header_limit(64 * 1024);
    auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
    (void)read;
    out.got_response_bytes = parser.got_some();
    out.ec = read_ec;
    if (!read_ec) out.response = parser.release();
    beast::get_lowest_layer(stream).expires_never();
    co_return out;
}

/// A failed attempt: the error, and whether trying again may help.
struct attempt_failure {
    provider_error error;
    bool retryable = true;
};

/// Errors that mean a kept-alive connection was closed by the server while idle.
bool is_stale_connection_error(const boost::system::error_code& ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_aborted;
}

} // namespace

std::optional<std::string_view> http_response::header(std::string_view name) const {
    for (const auto& h : headers)
        if (iequals(h.name, name)) return std::string_view(h.value);
    return std::nullopt;
}

struct http_client::impl {
    asio::any_io_executor executor;
    options opts;
    ssl::context tls{ssl::context::tls_client};
    rate_limiter limiter;
    http_client_stats stats;
    std::minstd_rand random{std::random_device{}()};

    /// Kept-alive connections per host key, at most max_idle_per_host each (the oldest is closed first).
    std::unordered_map<std::string, std::vector<std::unique_ptr<connection>>> idle;

    /// Requests in flight per host key; waiters sleep on `freed`, which release() wakes one at a time.
    struct host_slots {
        int active = 0;
        std::unique_ptr<asio::steady_timer> freed;
    };
    std::unordered_map<std::string, host_slots> slots;

    impl(asio::any_io_executor ex, options o)
        : executor(std::move(ex)), opts(std::move(o)), limiter(opts.rate) {
        boost::system::error_code ec;
        tls.set_default_verify_paths(ec);
        if (ec) spdlog::warn("http client: cannot load the system's CA certificates: {}", ec.message());
        tls.set_verify_mode(opts.verify_certificates ? ssl::verify_peer : ssl::verify_none, ec);
        opts.max_connections_per_host = std::max(1, opts.max_connections_per_host);
        opts.max_idle_per_host = std::max(0, opts.max_idle_per_host);
        opts.retry.max_attempts = std::max(1, opts.retry.max_attempts);
    }

    double next_random() { return std::uniform_real_distribution<double>(0.0, 1.0)(random); }

    asio::awaitable<void> sleep_until(clock_type::time_point at) {
        if (at <= clock_type::now()) co_return;
        asio::steady_timer timer(executor, at);
        co_await timer.async_wait(use_tuple);
    }

    asio::awaitable<void> acquire_slot(const std::string& key) {
        auto& s = slots[key];
        if (!s.freed) s.freed = std::make_unique<asio::steady_timer>(executor, clock_type::time_point::max());
        while (s.active >= opts.max_connections_per_host)
            co_await s.freed->async_wait(use_tuple);
        ++s.active;
    }

    void release_slot(const std::string& key) {
        auto& s = slots[key];
        --s.active;
        if (s.freed) s.freed->cancel_one();
    }

    /// Waits for a rate-limit token for the host; waits again if a pause (429) began meanwhile.
    asio::awaitable<void> wait_for_token(const std::string& key) {
        for (;;) {
            co_await sleep_until(limiter.reserve(key, clock_type::now()));
            const auto paused = limiter.paused_until(key, clock_type::now());
            if (!paused) co_return;
            co_await sleep_until(*paused);
        }
    }

    std::unique_ptr<connection> take_idle(const std::string& key) {
        const auto it = idle.find(key);
        if (it == idle.end()) return nullptr;
        auto& pool = it->second;
        while (!pool.empty()) {
            auto c = std::move(pool.back());
            pool.pop_back();
            if (clock_type::now() - c->idle_since < opts.max_idle_time) return c;
        }
        return nullptr;
    }

    void put_idle(std::unique_ptr<connection> c) {
        if (opts.max_idle_per_host == 0) return;
        auto& pool = idle[c->key];
        if (static_cast<int>(pool.size()) >= opts.max_idle_per_host) pool.erase(pool.begin());
        c->idle_since = clock_type::now();
        pool.push_back(std::move(c));
    }

    std::string timeout_text() const {
        return "timeout after " + std::to_string(opts.timeout.count()) + " ms";
    }

    /// Opens a TCP (and TLS) connection before `deadline`.
    asio::awaitable<result<std::unique_ptr<connection>>>
    connect(const target& t, clock_type::time_point deadline, const std::string& logged_url) {
        const auto failed = [&](std::string what) {
            return make_error(error_kind::unavailable, what + " (GET " + logged_url + ")");
        };
        // getaddrinfo cannot be interrupted, but its completion can: the guard cancels it at the deadline.
        auto resolver = std::make_shared<tcp::resolver>(executor);
        asio::steady_timer guard(executor, deadline);
        guard.async_wait([resolver](boost::system::error_code ec) {
            if (!ec) resolver->cancel();
        });
        auto [resolve_ec, endpoints] = co_await resolver->async_resolve(t.host, t.port, use_tuple);
        guard.cancel();
        if (resolve_ec) {
            if (clock_type::now() >= deadline) co_return failed(timeout_text() + " resolving " + t.host);
            co_return failed("cannot resolve " + t.host + ": " + resolve_ec.message());
        }

        auto c = std::make_unique<connection>();
        c->key = t.key;
        if (t.tls)
            c->secure.emplace(executor, tls);
        else
            c->plain.emplace(executor);
        auto& lowest = c->lowest();
        lowest.expires_at(deadline);
        auto [connect_ec, endpoint] = co_await lowest.async_connect(endpoints, use_tuple);
        (void)endpoint;
        if (connect_ec) {
            if (connect_ec == beast::error::timeout)
                co_return failed(timeout_text() + " connecting to " + t.host);
            co_return failed("cannot connect to " + t.host + ":" + t.port + ": " + connect_ec.message());
        }
        if (t.tls) {
            // SNI (not for addresses, which RFC 6066 forbids) and host name verification on the certificate.
            if (!is_ip_address(t.host) &&
                !SSL_set_tlsext_host_name(c->secure->native_handle(), t.host.c_str()))
                co_return failed("TLS: cannot set the server name " + t.host);
            if (opts.verify_certificates) c->secure->set_verify_callback(ssl::host_name_verification(t.host));
            auto [handshake_ec] = co_await c->secure->async_handshake(ssl::stream_base::client, use_tuple);
            if (handshake_ec) {
                if (handshake_ec == beast::error::timeout)
                    co_return failed(timeout_text() + " in the TLS handshake with " + t.host);
                co_return failed("TLS handshake with " + t.host + " failed: " + handshake_ec.message());
            }
        }
        lowest.expires_never();
        ++stats.connections_opened;
        co_return std::move(c);
    }

    http::request<http::empty_body> make_request(const target& t,
                                                 const std::vector<http_header>& headers) const {
        http::request<http::empty_body> request{http::verb::get, t.path, 11};
        request.set(http::field::host, t.host_header);
        request.set(http::field::user_agent, opts.user_agent);
        request.set(http::field::accept, "*/*");
        for (const auto& h : headers)
            request.set(h.name, h.value);
        request.keep_alive(true);
        return request;
    }

    /// One attempt: a connection (kept-alive or new), the request, the response.
    asio::awaitable<std::variant<http_response, attempt_failure>>
    attempt(const target& t, const std::vector<http_header>& headers, std::size_t max_body,
            const std::string& logged_url) {
        const auto deadline = clock_type::now() + opts.timeout;
        const auto request = make_request(t, headers);
        auto c = take_idle(t.key);
        bool reused = c != nullptr;
        // A kept-alive connection the server closed while it was idle fails at once: then one new connection.
        for (int round = 0; round < 2; ++round) {
            if (!c) {
                auto opened = co_await connect(t, deadline, logged_url);
                if (!opened) co_return attempt_failure{opened.error(), true};
                c = std::move(*opened);
                reused = false;
            } else {
                ++stats.connections_reused;
            }
            ++stats.attempts;
            // Not a conditional expression: GCC 12 miscompiles co_await inside ?:.
            exchange_outcome out;
            if (c->secure)
                out = co_await exchange_on(*c->secure, c->buffer, request, max_body, deadline);
            else
                out = co_await exchange_on(*c->plain, c->buffer, request, max_body, deadline);
            if (!out.ec) {
                http_response response;
                response.status = static_cast<int>(out.response.result_int());
                for (const auto& field : out.response)
                    response.headers.push_back(
                        {std::string(field.name_string()), std::string(field.value())});
                if (auto type = out.response.find(http::field::content_type); type != out.response.end())
                    response.content_type = std::string(type->value());
                const bool keep_alive = out.response.keep_alive();
                response.body = std::move(out.response.body());
                if (keep_alive) put_idle(std::move(c));
                co_return response;
            }
            if (reused && !out.got_response_bytes && is_stale_connection_error(out.ec)) {
                c.reset();
                continue;
            }
            if (out.ec == http::error::body_limit)
                co_return attempt_failure{make_error(error_kind::too_large,
                                                     "response body larger than " + std::to_string(max_body) +
                                                         " bytes (GET " + logged_url + ")"),
                                          false};
            if (out.ec == beast::error::timeout)
                co_return attempt_failure{
                    make_error(error_kind::unavailable, timeout_text() + " (GET " + logged_url + ")"), true};
            co_return attempt_failure{
                make_error(error_kind::unavailable, out.ec.message() + " (GET " + logged_url + ")"), true};
        }
        co_return attempt_failure{
            make_error(error_kind::unavailable, "connection closed (GET " + logged_url + ")"), true};
    }

    /// One URL (no redirects) with the retry policy.
    asio::awaitable<result<http_response>>
    get_with_retries(const std::string& url, const std::vector<http_header>& headers, std::size_t max_body) {
        auto parsed = parse_target(url);
        if (!parsed) co_return parsed.error();
        const target& t = *parsed;
        const auto logged_url = redact_url(url);
        const auto& policy = opts.retry;

        for (int attempt_number = 1;; ++attempt_number) {
            co_await acquire_slot(t.key);
            co_await wait_for_token(t.key);
            const auto started = clock_type::now();
            auto outcome = co_await attempt(t, headers, max_body, logged_url);
            release_slot(t.key);
            if (attempt_number > 1) ++stats.retries;
            const bool last = attempt_number >= policy.max_attempts;

            if (auto* failure = std::get_if<attempt_failure>(&outcome)) {
                if (!failure->retryable || last) {
                    spdlog::warn("{}", failure->error.message);
                    co_return std::move(failure->error);
                }
                const auto delay = backoff_delay(policy, attempt_number, next_random());
                spdlog::warn("{}; retrying in {} ms (attempt {}/{})", failure->error.message, delay.count(),
                             attempt_number, policy.max_attempts);
                co_await sleep_until(clock_type::now() + delay);
                continue;
            }

            auto& response = std::get<http_response>(outcome);
            response.attempts = attempt_number;
            const auto elapsed =
                std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - started).count();
            spdlog::debug("GET {} -> {} ({} ms, {} bytes)", logged_url, response.status, elapsed,
                          response.body.size());
            const auto action = retry_action_for_status(response.status);
            if (action == retry_action::give_up || last) co_return std::move(response);

            if (action == retry_action::retry_after) {
                const auto header = response.header("Retry-After");
                const auto wait =
                    header ? parse_retry_after(*header, std::chrono::system_clock::now()) : std::nullopt;
                if (wait && *wait > policy.max_retry_after) {
                    // Waiting that long would stall the import; the host stays paused for everyone else.
                    limiter.pause_until(t.key, clock_type::now() + *wait);
                    spdlog::warn("GET {} -> 429 with Retry-After {} s, longer than the {} s we wait",
                                 logged_url, wait->count(), policy.max_retry_after.count());
                    co_return std::move(response);
                }
                const auto pause = wait ? std::chrono::duration_cast<clock_type::duration>(*wait)
                                        : std::chrono::duration_cast<clock_type::duration>(
                                              backoff_delay(policy, attempt_number, next_random()));
                limiter.pause_until(t.key, clock_type::now() + pause);
                spdlog::warn("GET {} -> 429; pausing the host for {} ms (attempt {}/{})", logged_url,
                             std::chrono::duration_cast<std::chrono::milliseconds>(pause).count(),
                             attempt_number, policy.max_attempts);
                continue;
            }
            const auto delay = backoff_delay(policy, attempt_number, next_random());
            spdlog::warn("GET {} -> {}; retrying in {} ms (attempt {}/{})", logged_url, response.status,
                         delay.count(), attempt_number, policy.max_attempts);
            co_await sleep_until(clock_type::now() + delay);
        }
    }
};

http_client::http_client(asio::any_io_executor executor) : http_client(std::move(executor), options{}) {}

http_client::http_client(asio::any_io_executor executor, options opts)
    : impl_(std::make_unique<impl>(std::move(executor), std::move(opts))) {}

http_client::~http_client() = default;

asio::awaitable<result<http_response>> http_client::get(std::string url, std::vector<http_header> headers,
                                                        http_request_options request) {
    const std::size_t max_body = request.max_body_bytes.value_or(impl_->opts.max_body_bytes);
    std::string current = std::move(url);
    for (int redirects = 0;; ++redirects) {
        auto response = co_await impl_->get_with_retries(current, headers, max_body);
        if (!response) co_return response;
        const int status = response->status;
        const auto location = response->header("Location");
        const bool redirect =
            (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) && location &&
            !location->empty();
        if (!redirect) {
            response->url = std::move(current);
            co_return response;
        }
        if (redirects >= impl_->opts.max_redirects)
            co_return make_error(error_kind::unavailable,
                                 "too many redirects (GET " + redact_url(current) + ")");

        const auto reference = boost::urls::parse_uri_reference(*location);
        if (!reference)
            co_return make_error(error_kind::bad_response,
                                 "malformed redirect location (GET " + redact_url(current) + ")");
        boost::urls::url next(current);
        if (!next.resolve(*reference))
            co_return make_error(error_kind::bad_response,
                                 "unresolvable redirect (GET " + redact_url(current) + ")");
        const auto before = parse_target(current);
        const auto after = parse_target(std::string(next.buffer()));
        // Credentials go to the host they were meant for, never along a redirect to another one.
        if (before && after && before->key != after->key)
            std::erase_if(headers, [](const http_header& h) { return is_secret_header(h.name); });
        spdlog::debug("GET {} -> {} redirect to {}", redact_url(current), status, redact_url(next.buffer()));
        current = std::string(next.buffer());
    }
}

void http_client::close_idle_connections() {
    impl_->idle.clear();
}

const http_client_stats& http_client::stats() const {
    return impl_->stats;
}

const http_client::options& http_client::settings() const {
    return impl_->opts;
}

} // namespace mediabase::providers
