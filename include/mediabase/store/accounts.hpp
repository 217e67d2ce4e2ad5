#pragma once
/// Accounts, browser sessions and API keys as the catalogue stores them (pure logic: no Asio), and the
/// secrets around them. Passwords are hashed with Argon2id (libsodium's crypto_pwhash_str); session tokens
/// and API keys are 32 random bytes, stored as their SHA-256 only (they are long enough that a fast hash
/// cannot be searched), so the database never holds anything that logs in.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mediabase {

/// One person who may log in.
struct account {
    std::int64_t id = 0;
    std::string name;
    std::string role; ///< "admin" or "viewer"
    std::string created_at;
};

/// A person as a session or key resolves to, with what identified them.
struct account_credential {
    account who;
    std::int64_t session_id = 0; ///< a session: its id
    std::int64_t key_id = 0;     ///< an API key: its id
    std::string scope;           ///< an API key: "read" or "admin"
};

/// An API key as listed (never the key itself: only its first characters, to tell keys apart).
struct api_key_info {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string name;
    std::string scope; ///< "read" or "admin"
    std::string prefix;
    std::string created_at;
    std::optional<std::string> last_used_at;
};

/// A browser session as listed.
struct session_info {
    std::int64_t id = 0;
    std::string created_at;
    std::string expires_at;
    std::optional<std::string> address;
};

/// An account name: 1 to 64 letters, digits, `.`, `_`, `-` or `@`. The reason it is not, or nullopt.
[[nodiscard]] std::optional<std::string> check_account_name(std::string_view name);

/// A password: 8 to 1024 bytes. The reason it is not, or nullopt.
[[nodiscard]] std::optional<std::string> check_password(std::string_view password);

/// Argon2id (libsodium's interactive limits): the encoded hash with its salt and parameters.
/// Throws std::runtime_error when libsodium cannot start or runs out of memory.
[[nodiscard]] std::string hash_password(std::string_view password);

/// Whether `password` matches an encoded hash (constant time inside libsodium).
[[nodiscard]] bool verify_password(std::string_view password, const std::string& encoded);

/// A new secret (a session token or an API key): "mb_" and 43 URL-safe base64 characters of 32 random bytes.
[[nodiscard]] std::string new_secret();

/// What the database stores of a secret: its SHA-256, hex.
[[nodiscard]] std::string secret_digest(std::string_view secret);

} // namespace mediabase
