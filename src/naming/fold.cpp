// Text folding on utf8proc: decompose (compatibility forms, case folded), drop the combining diacritical
// marks, spell out the Latin letters that have no decomposition, compose again.
#include "mediabase/naming/fold.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace mediabase {

namespace {

char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

std::string ascii_folded(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        c = ascii_lower(c);
    return out;
}

/// Letters with a stroke or bar that Unicode does not decompose, as their base letter (applied before
/// decomposition and case folding, so both cases are listed).
utf8proc_int32_t single_letter(utf8proc_int32_t c, void*) {
    switch (c) {
    case 0x0141: // Ł
    case 0x0142: // ł
    case 0x013F: // Ŀ
    case 0x0140: // ŀ
    case 0x023D: // Ƚ
    case 0x019A: // ƚ
        return 'l';
    case 0x00D8: // Ø
    case 0x00F8: // ø
    case 0x01FE: // Ǿ
    case 0x01FF: // ǿ
        return 'o';
    case 0x0110: // Đ
    case 0x0111: // đ
    case 0x00D0: // Ð
    case 0x00F0: // ð
    case 0x0189: // Ɖ
        return 'd';
    case 0x0126: // Ħ
    case 0x0127: // ħ
        return 'h';
    case 0x0131: // ı
        return 'i';
    case 0x0166: // Ŧ
    case 0x0167: // ŧ
        return 't';
    case 0x0180: // ƀ
    case 0x0243: // Ƀ
        return 'b';
    case 0x01B5: // Ƶ
    case 0x01B6: // ƶ
        return 'z';
    case 0x01E4: // Ǥ
    case 0x01E5: // ǥ
        return 'g';
    default:
        return c;
    }
}

/// The blocks of combining marks that are diacritics on Latin, Greek and Cyrillic letters. Marks of other
/// scripts (Devanagari vowel signs, Arabic harakat, ...) belong to their letters and stay.
bool diacritic(utf8proc_int32_t c) {
    return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x1DC0 && c <= 0x1DFF) ||
           (c >= 0x20D0 && c <= 0x20FF) || (c >= 0xFE20 && c <= 0xFE2F);
}

} // namespace

bool is_ascii(std::string_view text) {
    for (char c : text)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

std::string fold_text(std::string_view text) {
    if (is_ascii(text)) return ascii_folded(text);
    const auto* s = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    const auto n = static_cast<utf8proc_ssize_t>(text.size());
    constexpr auto decompose = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPAT |
                                                              UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD);
    // A first pass measures, a second fills; the folded text may be longer than the input ("ß" -> "ss").
    utf8proc_ssize_t size = utf8proc_decompose_custom(s, n, nullptr, 0, decompose, single_letter, nullptr);
    if (size < 0) return ascii_folded(text);
    std::vector<utf8proc_int32_t> buf(static_cast<std::size_t>(size));
    size = utf8proc_decompose_custom(s, n, buf.data(), size, decompose, single_letter, nullptr);
    if (size < 0) return ascii_folded(text);
    // Drop the diacritics and spell out the ligature letters.
    std::vector<utf8proc_int32_t> kept;
    kept.reserve(static_cast<std::size_t>(size) + 8);
    for (utf8proc_ssize_t i = 0; i < size; ++i) {
        const utf8proc_int32_t c = buf[static_cast<std::size_t>(i)];
        if (diacritic(c)) continue;
        switch (c) {
        case 0x00E6: // æ
            kept.push_back('a');
            kept.push_back('e');
            break;
        case 0x0153: // œ
            kept.push_back('o');
            kept.push_back('e');
            break;
        case 0x00FE: // þ
            kept.push_back('t');
            kept.push_back('h');
            break;
        default:
            kept.push_back(c);
        }
    }
    if (kept.empty()) return {};
    // Compose again (NFC over the compatibility decomposition: NFKC), then encode as UTF-8 in place (never
    // more than four bytes per code point, so the buffer holds it).
    const utf8proc_ssize_t bytes =
        utf8proc_reencode(kept.data(), static_cast<utf8proc_ssize_t>(kept.size()),
                          static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    if (bytes < 0) return ascii_folded(text);
    return std::string(reinterpret_cast<const char*>(kept.data()), static_cast<std::size_t>(bytes));
}

std::string nfc(std::string_view text) {
    if (is_ascii(text)) return std::string(text);
    utf8proc_uint8_t* out = nullptr;
    const utf8proc_ssize_t bytes =
        utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                     static_cast<utf8proc_ssize_t>(text.size()), &out,
                     static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    if (bytes < 0) return std::string(text);
    std::string result(reinterpret_cast<const char*>(out), static_cast<std::size_t>(bytes));
    std::free(out);
    return result;
}

utf8_char next_char(std::string_view text) {
    const auto c = static_cast<unsigned char>(text.front());
    if (c < 0x80) {
        const bool word = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        return {1, word};
    }
    utf8proc_int32_t code = 0;
    const utf8proc_ssize_t size =
        utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                         static_cast<utf8proc_ssize_t>(std::min<std::size_t>(text.size(), 4)), &code);
    if (size <= 0) return {1, true};
    switch (utf8proc_category(code)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return {static_cast<std::size_t>(size), true};
    default:
        return {static_cast<std::size_t>(size), false};
    }
}

} // namespace mediabase
