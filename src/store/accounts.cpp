#include "mediabase/store/accounts.hpp"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

namespace mediabase {
namespace {

void start_sodium() {
    // sodium_init is safe to call more than once and from several threads; -1 means it cannot work.
    if (::sodium_init() < 0) throw std::runtime_error("libsodium cannot start (no entropy source?)");
}

} // namespace

std::optional<std::string> check_account_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return "an account name has 1 to 64 characters";
    const bool valid = std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-' || c == '@';
    });
    if (!valid) return "an account name may hold letters, digits, '.', '_', '-' and '@' only";
    return std::nullopt;
}

std::optional<std::string> check_password(std::string_view password) {
    if (password.size() < 8) return "a password has at least 8 characters";
    if (password.size() > 1024) return "a password has at most 1024 characters";
    return std::nullopt;
}

std::string hash_password(std::string_view password) {
    start_sodium();
    char encoded[crypto_pwhash_STRBYTES];
    if (::crypto_pwhash_str(encoded, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        throw std::runtime_error("hashing a password ran out of memory");
    return encoded;
}

bool verify_password(std::string_view password, const std::string& encoded) {
    start_sodium();
    return ::crypto_pwhash_str_verify(encoded.c_str(), password.data(), password.size()) == 0;
}

std::string new_secret() {
    start_sodium();
    unsigned char bytes[32];
    ::randombytes_buf(bytes, sizeof bytes);
    char text[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    ::sodium_bin2base64(text, sizeof text, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return "mb_" + std::string(text);
}

std::string secret_digest(std::string_view secret) {
    start_sodium();
    unsigned char digest[crypto_hash_sha256_BYTES];
    ::crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    ::sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return hex;
}

} // namespace mediabase
