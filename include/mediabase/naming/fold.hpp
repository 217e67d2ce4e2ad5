#pragma once
/// The one folding of text that decides whether two names are the same: the parser, the catalogue's title
/// keys, provider matching and search all use it. Pure code on utf8proc, no I/O.

#include <cstddef>
#include <string>
#include <string_view>

namespace mediabase {

/// Folds text for comparison: Unicode compatibility composition (NFKC: composed and decomposed forms, full-
/// width letters and ligatures agree), full case folding, and the diacritics of Latin, Greek and Cyrillic
/// letters stripped, including the letters Unicode does not decompose ("Łódź" -> "lodz", "Øresund" ->
/// "oresund", "Straße" -> "strasse", "Æon" -> "aeon"). Marks that are part of other scripts' letters
/// (Devanagari vowel signs, ...) stay. ASCII text only has its case lowered, without touching utf8proc.
/// Invalid UTF-8 is folded byte by byte: ASCII lowered, other bytes kept.
[[nodiscard]] std::string fold_text(std::string_view text);

/// The same text in Unicode normalisation form C (composed), case and accents kept: for titles shown to
/// users, so a name read in decomposed form (macOS, SMB shares) looks and sorts like its composed twin.
/// ASCII and invalid UTF-8 are returned unchanged.
[[nodiscard]] std::string nfc(std::string_view text);

/// One UTF-8 character at the front of a text.
struct utf8_char {
    std::size_t size = 1; ///< bytes it takes (1 for an invalid byte)
    bool word = false;    ///< a letter, digit or combining mark: part of a word, not a separator
};

/// The character at the front of a non-empty `text`. ASCII letters and digits are word characters;
/// an invalid byte is one byte long and counts as a word character (it is kept, never split on).
[[nodiscard]] utf8_char next_char(std::string_view text);

/// True when every byte is ASCII (below 0x80).
[[nodiscard]] bool is_ascii(std::string_view text);

} // namespace mediabase
