#pragma once
/// Keeping API keys out of logs and error messages. Every URL and header a provider logs or puts into an
/// error goes through these functions first.

#include <string>
#include <string_view>
#include <vector>

namespace mediabase::providers {

/// The text that replaces a secret.
inline constexpr std::string_view redacted_marker = "***";

/// The URL with the values of secret query parameters (api_key, apikey, access_token, token, key, ...;
/// case-insensitive) replaced by "***". Works on malformed URLs too: it never fails, never throws.
[[nodiscard]] std::string redact_url(std::string_view url);

/// True for headers that carry credentials (Authorization, Proxy-Authorization, Cookie, X-Api-Key ...).
[[nodiscard]] bool is_secret_header(std::string_view name);

/// The value as it may be logged: "Bearer ***" for a bearer token, "***" for other secret headers, the value
/// itself otherwise.
[[nodiscard]] std::string redact_header(std::string_view name, std::string_view value);

/// The text with every occurrence of each non-empty secret replaced by "***" (a last line of defence for
/// messages built from provider answers or exceptions). Secrets shorter than 4 characters are ignored,
/// as replacing them would mangle ordinary words.
[[nodiscard]] std::string redact_secrets(std::string_view text, const std::vector<std::string>& secrets);

} // namespace mediabase::providers
