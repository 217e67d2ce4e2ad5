#include "mediabase/store/database_url.hpp"

#include <libpq-fe.h>

#include <cctype>
#include <memory>

namespace mediabase {
namespace {

constexpr std::string_view masked = "••••";

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
    return true;
}

bool is_url(std::string_view text) {
    return starts_with_nocase(text, "postgresql://") || starts_with_nocase(text, "postgres://");
}

/// A URL: the password of `user:password@` and of `password=` in the query.
std::string redact_url_form(std::string_view url) {
    const auto authority = url.find("://") + 3;
    auto query = url.find('?', authority);
    if (query == std::string_view::npos) query = url.size();
    std::string out;
    // The last '@' before the query ends the user part: a malformed password holding '/' or '@' is masked whole.
    const auto at = url.rfind('@', query);
    const auto colon = at == std::string_view::npos || at < authority ? std::string_view::npos
                                                                      : url.find(':', authority);
    if (colon != std::string_view::npos && colon < at) {
        out.append(url.substr(0, colon + 1));
        out.append(masked);
        out.append(url.substr(at, query - at));
    } else {
        out.append(url.substr(0, query));
    }
    std::size_t pos = query;
    while (pos < url.size()) {
        // pos is at '?' or '&': copy it, then one parameter.
        out += url[pos++];
        auto end = url.find_first_of("&#", pos);
        if (end == std::string_view::npos) end = url.size();
        const auto param = url.substr(pos, end - pos);
        if (starts_with_nocase(param, "password=")) {
            out.append(param.substr(0, 9));
            out.append(masked);
        } else {
            out.append(param);
        }
        pos = end;
        if (pos < url.size() && url[pos] == '#') {
            out.append(url.substr(pos));
            break;
        }
    }
    return out;
}

/// A conninfo, read as libpq reads it: `key = value` pairs, a value bare or in single quotes with backslash
/// escapes. The value of `password` is masked; everything else is copied as it was written.
std::string redact_conninfo_form(std::string_view text) {
    std::string out;
    std::size_t i = 0;
    const auto space = [&](std::size_t at) { return at < text.size() && std::isspace(static_cast<unsigned char>(text[at])); };
    while (i < text.size()) {
        const auto start = i;
        while (space(i)) ++i;
        const auto key_start = i;
        while (i < text.size() && text[i] != '=' && !space(i)) ++i;
        const auto key = text.substr(key_start, i - key_start);
        while (space(i)) ++i;
        if (i >= text.size() || text[i] != '=') {
            out.append(text.substr(start, i - start));
            continue;
        }
        ++i;
        while (space(i)) ++i;
        const auto value_start = i;
        if (i < text.size() && text[i] == '\'') {
            ++i;
            while (i < text.size() && text[i] != '\'') i += text[i] == '\\' ? 2 : 1;
            if (i < text.size()) ++i;
        } else {
            while (i < text.size() && !space(i)) i += text[i] == '\\' ? 2 : 1;
        }
        i = std::min(i, text.size());
        out.append(text.substr(start, value_start - start));
        if (starts_with_nocase(key, "password") && key.size() == 8)
            out.append(masked);
        else
            out.append(text.substr(value_start, i - value_start));
    }
    return out;
}

} // namespace

std::string redact_database_url(std::string_view text) {
    if (is_url(text)) return redact_url_form(text);
    if (text.find('=') != std::string_view::npos && !starts_with_nocase(text, "sqlite:"))
        return redact_conninfo_form(text);
    return std::string(text);
}

std::string database_url::display() const {
    return is_sqlite() ? file.string() : redact_database_url(conninfo);
}

std::variant<database_url, std::string> parse_database_url(std::string_view text) {
    database_url url;
    if (starts_with_nocase(text, "sqlite:")) {
        auto path = text.substr(7);
        // sqlite:///abs/path, the URL spelling, names the same file as sqlite:/abs/path.
        if (path.starts_with("//")) path.remove_prefix(2);
        if (path.empty()) return std::string("expected sqlite:PATH, with the path of the database file");
        std::error_code ec;
        url.file = std::filesystem::absolute(std::filesystem::path(path), ec).lexically_normal();
        if (ec) return "cannot make " + std::string(path) + " absolute: " + ec.message();
        return url;
    }
    if (!is_url(text) && text.find('=') == std::string_view::npos)
        return std::string("expected sqlite:PATH, postgresql://USER:PASSWORD@HOST:PORT/DATABASE or a libpq "
                           "conninfo such as 'host=/run/postgresql dbname=mediabase'");
    char* error = nullptr;
    const std::string conninfo(text);
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfoParse(conninfo.c_str(), &error),
                                                                         &PQconninfoFree);
    if (!options) {
        std::string message = error ? error : "out of memory";
        if (error) PQfreemem(error);
        while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) message.pop_back();
        return "not a PostgreSQL connection string (" + redact_database_url(message) + ")";
    }
    url.engine = database_engine::postgresql;
    url.conninfo = conninfo;
    return url;
}

} // namespace mediabase
