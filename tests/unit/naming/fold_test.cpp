// The one folding of names: NFC/NFD, case, diacritics (including letters Unicode does not decompose).
#define BOOST_TEST_MODULE fold
#include <boost/test/unit_test.hpp>

#include "mediabase/naming/fold.hpp"
#include "mediabase/naming/name_parser.hpp"

using namespace mediabase;

namespace {
// "Amélie" composed (U+00E9) and decomposed (e + U+0301).
const std::string amelie_nfc = "Am\xC3\xA9lie";
const std::string amelie_nfd = "Ame\xCC\x81lie";
} // namespace

BOOST_AUTO_TEST_CASE(ascii_is_only_lowered) {
    BOOST_TEST(fold_text("The Matrix (1999)") == "the matrix (1999)");
    BOOST_TEST(fold_text("") == "");
}

BOOST_AUTO_TEST_CASE(composed_and_decomposed_fold_alike) {
    BOOST_TEST(fold_text(amelie_nfc) == "amelie");
    BOOST_TEST(fold_text(amelie_nfd) == "amelie");
    BOOST_TEST(fold_text("AM\xC3\x89LIE") == "amelie");
}

BOOST_AUTO_TEST_CASE(letters_without_a_decomposition_fold_fully) {
    BOOST_TEST(fold_text("\xC5\x81\xC3\xB3\x64\xC5\xBA") == "lodz");          // Łódź
    BOOST_TEST(fold_text("\xC3\x98resund") == "oresund");                      // Øresund
    BOOST_TEST(fold_text("Stra\xC3\x9F\x65") == "strasse");                    // Straße
    BOOST_TEST(fold_text("\xC3\x86on Flux") == "aeon flux");                   // Æon Flux
    BOOST_TEST(fold_text("\xC5\x92uvre") == "oeuvre");                         // Œuvre
    BOOST_TEST(fold_text("\xC3\x9Eorir") == "thorir");                         // Þorir
    BOOST_TEST(fold_text("\xC4\x90or\xC4\x91\x65") == "dorde");                // Đorđe
    BOOST_TEST(fold_text("\xEF\xAC\x81lm") == "film");                         // ﬁlm (ligature)
    BOOST_TEST(fold_text("\xEF\xBC\xA6\xEF\xBD\x95ll") == "full");             // Ｆｕll (full width)
}

BOOST_AUTO_TEST_CASE(other_scripts_keep_their_letters) {
    // Greek and Cyrillic lose their accents but keep their letters; case is folded.
    BOOST_TEST(fold_text("\xCE\x86\xCE\xBB\xCF\x86\xCE\xB1") == "\xCE\xB1\xCE\xBB\xCF\x86\xCE\xB1"); // Άλφα -> αλφα
    BOOST_TEST(fold_text("\xD0\x99") == "\xD0\xB8");                                             // Й -> и
    // Japanese is unchanged.
    BOOST_TEST(fold_text("\xE5\x90\x9B\xE3\x81\xAE\xE5\x90\x8D\xE3\x81\xAF") ==
               "\xE5\x90\x9B\xE3\x81\xAE\xE5\x90\x8D\xE3\x81\xAF");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_folded_byte_by_byte) {
    BOOST_TEST(fold_text("AB\xFF\xFE" "C") == "ab\xFF\xFE" "c");
}

BOOST_AUTO_TEST_CASE(nfc_composes_and_keeps_case) {
    BOOST_TEST(nfc(amelie_nfd) == amelie_nfc);
    BOOST_TEST(nfc(amelie_nfc) == amelie_nfc);
    BOOST_TEST(nfc("Heat") == "Heat");
}

BOOST_AUTO_TEST_CASE(normalized_titles_agree_across_forms) {
    BOOST_TEST(normalized_title(amelie_nfd) == normalized_title(amelie_nfc));
    BOOST_TEST(normalized_title("AM\xC3\x89LIE") == "amelie");
    BOOST_TEST(normalized_title("\xC5\x81\xC3\xB3\x64\xC5\xBA Story") == "lodz story");
    // punctuation outside ASCII separates words
    BOOST_TEST(normalized_title("Alpha\xE2\x80\x93Omega") == "alpha omega"); // en dash
    BOOST_TEST(normalized_title("The Matrix") == "matrix");
    BOOST_TEST(normalized_title("S.W.A.T.") == "swat");
}

BOOST_AUTO_TEST_CASE(parsed_titles_are_composed) {
    BOOST_TEST(parse_name(amelie_nfd + " (2001)/" + amelie_nfd + " (2001).mkv").title == amelie_nfc);
}
