#include "mediabase/providers/provider_error.hpp"

#include <boost/throw_exception.hpp>

#include <stdexcept>

namespace mediabase::providers {

const char* to_string(error_kind kind) {
    switch (kind) {
    case error_kind::unavailable:
        return "unavailable";
    case error_kind::unauthorized:
        return "unauthorized";
    case error_kind::not_found:
        return "not_found";
    case error_kind::no_match:
        return "no_match";
    case error_kind::bad_response:
        return "bad_response";
    case error_kind::too_large:
        return "too_large";
    case error_kind::offline:
        return "offline";
    case error_kind::invalid:
        return "invalid";
    }
    return "unavailable";
}

namespace {

const char* reason(error_kind kind) {
    switch (kind) {
    case error_kind::unavailable:
        return "provider unavailable";
    case error_kind::unauthorized:
        return "unauthorized";
    case error_kind::not_found:
        return "not found";
    case error_kind::no_match:
        return "no match";
    case error_kind::bad_response:
        return "bad response";
    case error_kind::too_large:
        return "too large";
    case error_kind::offline:
        return "offline";
    case error_kind::invalid:
        return "invalid request";
    }
    return "provider unavailable";
}

} // namespace

provider_error make_error(error_kind kind, std::string detail, int http_status) {
    std::string message = reason(kind);
    if (!detail.empty()) {
        message += ": ";
        message += detail;
    }
    return provider_error{kind, std::move(message), http_status};
}

void throw_exception_from_error(const provider_error& error, const boost::source_location& where) {
    boost::throw_with_location(std::runtime_error(error.message), where);
}

} // namespace mediabase::providers
