#pragma once
/// Errors of the metadata providers as values: what went wrong, in words a user can read.

#include <boost/system/result.hpp>

#include <string>

namespace mediabase::providers {

/// Why a provider call failed. The message always starts with the reason a user sees
/// ("provider unavailable: ...", "unauthorized: ...", "no match: ...", "not found: ...").
enum class error_kind {
    unavailable,  ///< network error, timeout, TLS failure, 5xx or 429 after retries
    unauthorized, ///< 401/403: the API key or token was rejected (never retried)
    not_found,    ///< 404 or an empty lookup: the id is unknown to the provider
    no_match,     ///< a search found nothing close enough to the movie
    bad_response, ///< the provider answered, but with something we cannot read (malformed JSON, wrong type)
    too_large,    ///< a response body exceeded its size limit
    offline,      ///< no API key is configured: nothing can be asked
    invalid,      ///< the request itself is wrong (bad URL, unsupported scheme)
};

/// A readable name for the kind ("unavailable", "unauthorized", ...).
[[nodiscard]] const char* to_string(error_kind kind);

/// One failed provider call. Messages never contain API keys or tokens (see redact.hpp).
struct provider_error {
    error_kind kind = error_kind::unavailable;
    std::string message;
    int http_status = 0; ///< the HTTP status that caused the error, 0 when there was none
};

/// Builds an error whose message is "<reason>: <detail>", the reason derived from the kind.
[[nodiscard]] provider_error make_error(error_kind kind, std::string detail, int http_status = 0);

/// Lets `result::value()` report a provider_error (a bug in the caller: check `has_value()` first).
[[noreturn]] void throw_exception_from_error(const provider_error& error,
                                             const boost::source_location& where);

/// What every provider function returns: a value or a provider_error, never an exception for expected
/// failures.
template <class T> using result = boost::system::result<T, provider_error>;

} // namespace mediabase::providers
