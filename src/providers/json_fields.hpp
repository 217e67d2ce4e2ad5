#pragma once
// Defensive reads of JSON fields shared by the TMDB and OMDB mappings: a missing, null or wrongly typed field
// reads as empty, never as an exception. Private to src/providers.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace mediabase::providers::json_fields {

inline const boost::json::object* object_at(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v ? v->if_object() : nullptr;
}

inline const boost::json::array* array_at(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v ? v->if_array() : nullptr;
}

/// A non-empty string (surrounding spaces trimmed).
inline std::optional<std::string> string_at(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    std::string_view s = v->get_string();
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
        s.remove_suffix(1);
    if (s.empty()) return std::nullopt;
    return std::string(s);
}

inline std::optional<double> number_at(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v) return std::nullopt;
    double d = 0;
    if (v->is_double())
        d = v->get_double();
    else if (v->is_int64())
        d = static_cast<double>(v->get_int64());
    else if (v->is_uint64())
        d = static_cast<double>(v->get_uint64());
    else
        return std::nullopt;
    if (!std::isfinite(d)) return std::nullopt;
    return d;
}

/// An integer, also when written as an integral double ("runtime": 136.0).
inline std::optional<std::int64_t> integer_at(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64()) {
        if (v->get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return std::nullopt;
        return static_cast<std::int64_t>(v->get_uint64());
    }
    if (v->is_double()) {
        const double d = v->get_double();
        if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9e15) return std::nullopt;
        return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

} // namespace mediabase::providers::json_fields
