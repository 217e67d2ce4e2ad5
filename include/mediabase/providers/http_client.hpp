#pragma once
/// A small HTTP/1.1 client for the metadata providers (Beast + OpenSSL, C++20 coroutines). Beast stays in
/// the .cpp: this header only needs Asio's awaitable.
///
/// What every `get` does: https with certificate and host name verification (system trust store, SNI) or
/// plain http (tests, local proxies); keep-alive connections reused per host (a bounded pool); a timeout on
/// every attempt; a token bucket per host (waits for a token, never sends over the rate); retries of 5xx,
/// timeouts and network errors with exponential backoff and jitter, of 429 after its Retry-After (the whole
/// host pauses); no retry of any other 4xx; redirects followed (bounded); a response body size limit.
/// Expected failures are values, never exceptions. Not thread-safe: use one client from one thread or strand,
/// and keep it alive until every call has completed.

#include "mediabase/providers/provider_error.hpp"
#include "mediabase/providers/rate_limiter.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mediabase::providers {

struct http_header {
    std::string name;
    std::string value;
};

/// A complete response. Any HTTP status is a response (the caller decides what a 404 means); only transport
/// failures (and a body over its limit) are errors.
struct http_response {
    int status = 0;
    std::string body;
    std::string content_type;         ///< the Content-Type header, "" when absent
    std::vector<http_header> headers; ///< all response headers, in order
    std::string url;  ///< the URL that answered, after redirects (may hold secrets: redact it)
    int attempts = 1; ///< attempts the last hop took (1 when the first one succeeded)

    /// The first header with this name (case-insensitive).
    [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

/// Per-call settings.
struct http_request_options {
    std::optional<std::size_t> max_body_bytes; ///< overrides the client's limit for this call
};

/// Counters for tests and diagnostics.
struct http_client_stats {
    std::uint64_t attempts = 0;           ///< requests written to a connection (retries included)
    std::uint64_t retries = 0;            ///< attempts after the first of a hop
    std::uint64_t connections_opened = 0; ///< new TCP (and TLS) connections
    std::uint64_t connections_reused = 0; ///< attempts that used a kept-alive connection
};

class http_client {
  public:
    struct options {
        std::chrono::milliseconds timeout{10000};     ///< per attempt: connect, TLS, write and read together
        std::size_t max_body_bytes = 8 * 1024 * 1024; ///< larger bodies fail with too_large
        int max_redirects = 5;
        int max_connections_per_host = 8;       ///< concurrent requests per host; more wait for a free slot
        int max_idle_per_host = 4;              ///< kept-alive connections per host; more are closed
        std::chrono::seconds max_idle_time{30}; ///< an idle connection older than this is not reused
        rate_limiter::options rate;
        retry_policy retry;
        std::string user_agent = "Mediabase";
        bool verify_certificates = true; ///< off only for tests against a self-signed server
    };

    explicit http_client(boost::asio::any_io_executor executor);
    http_client(boost::asio::any_io_executor executor, options opts);
    ~http_client();
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;

    /// GET `url` with extra request headers. See the class comment for what happens on the way.
    [[nodiscard]] boost::asio::awaitable<result<http_response>>
    get(std::string url, std::vector<http_header> headers = {}, http_request_options request = {});

    /// Closes every kept-alive connection (they are reopened on demand).
    void close_idle_connections();

    [[nodiscard]] const http_client_stats& stats() const;
    [[nodiscard]] const options& settings() const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace mediabase::providers
