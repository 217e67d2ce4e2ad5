// The movie name parser: a hand-written tokenizer and keyword matcher, no regular expressions, no I/O.
//
// A path is split into its folders and file; each name (a "segment") is cut into tokens at separators
// (space . _ - , brackets ...). Tokens are matched against one keyword table (resolution, source, codecs,
// editions, 3D, scene noise), joined greedily so "DTS-HD.MA.5.1" or "Director's Cut" are one match. The
// title is the run of words from the first one up to the first strong marker or the year; the year is the
// last year-like number in front of the first marker, so "Blade.Runner.2049.2017" and "1917.2019" keep
// their numbers. The file and its movie folder are then merged: a "Title (Year)" folder names an
// uninformative file.
#include "mediabase/naming/name_parser.hpp"
#include "mediabase/naming/fold.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mediabase {
namespace {

constexpr int min_year = 1888;
constexpr int max_year = 2039;
// Longer names are cut: nothing about a movie lives past the first kilobyte of a file name.
constexpr std::size_t max_segment = 1024;
constexpr std::size_t max_tokens = 128;
constexpr std::size_t max_groups = 24;
constexpr std::size_t max_key = 40;

// ---------------------------------------------------------------------------------------------------------
// Keywords
// ---------------------------------------------------------------------------------------------------------

enum class kind : std::uint8_t { resolution, source, video_codec, audio_codec, edition, three_d, noise };

enum keyword_flag : std::uint8_t {
    strong = 1,      ///< ends the title wherever it stands after the first word
    no_pre_year = 2, ///< an edition that is also a title ("The Final Cut (2004)"): never cut from a title
    beats = 4,       ///< a source that replaces one found before it ("BluRay.REMUX" is a Remux)
    atmos = 8,       ///< Atmos rides on top of another audio codec
    channels = 16,   ///< an audio codec that may carry channels ("AAC2.0", "DD5.1", "DTS-HD.MA.7.1")
    language = 32,   ///< a language tag: in front of the year of a scene name it is no title word
};

struct keyword {
    std::string_view key; ///< lower-case letters, digits and '+', the tokens joined without separators
    kind what;
    std::string_view value;
    std::uint8_t flags;
};

constexpr std::uint8_t audio_strong = strong | channels;

// Keys are the lower-cased token keys joined: "WEB-DL" -> "webdl", "Director's Cut" -> "directorscut".
constexpr keyword keywords[] = {
    // resolution
    {"2160p", kind::resolution, "2160p", strong},
    {"4k", kind::resolution, "2160p", strong},
    {"uhd", kind::resolution, "2160p", strong},
    {"3840x2160", kind::resolution, "2160p", strong},
    {"4096x2160", kind::resolution, "2160p", strong},
    {"4320p", kind::resolution, "4320p", strong},
    {"8k", kind::resolution, "4320p", strong},
    {"1080p", kind::resolution, "1080p", strong},
    {"1080i", kind::resolution, "1080i", strong},
    {"1920x1080", kind::resolution, "1080p", strong},
    {"fullhd", kind::resolution, "1080p", strong},
    {"720p", kind::resolution, "720p", strong},
    {"1280x720", kind::resolution, "720p", strong},
    {"576p", kind::resolution, "576p", strong},
    {"576i", kind::resolution, "576p", strong},
    {"720x576", kind::resolution, "576p", strong},
    {"480p", kind::resolution, "480p", strong},
    {"480i", kind::resolution, "480p", strong},
    {"720x480", kind::resolution, "480p", strong},
    {"360p", kind::resolution, "360p", strong},
    // source
    {"bluray", kind::source, "BluRay", strong},
    {"bdrip", kind::source, "BluRay", strong},
    {"brrip", kind::source, "BluRay", strong},
    {"bdr", kind::source, "BluRay", 0},
    {"bd", kind::source, "BluRay", 0},
    {"bd25", kind::source, "BluRay", strong},
    {"bd50", kind::source, "BluRay", strong},
    {"bd66", kind::source, "BluRay", strong},
    {"bd100", kind::source, "BluRay", strong},
    {"uhdbluray", kind::source, "BluRay", strong},
    {"uhdrip", kind::source, "BluRay", strong},
    {"remux", kind::source, "Remux", strong | beats},
    {"bdremux", kind::source, "Remux", strong | beats},
    {"webdl", kind::source, "WEB-DL", strong},
    {"web", kind::source, "WEB-DL", 0},
    {"webrip", kind::source, "WEBRip", strong},
    {"webdlrip", kind::source, "WEBRip", strong},
    {"webcap", kind::source, "WEBRip", strong},
    {"hdtv", kind::source, "HDTV", strong},
    {"hdtvrip", kind::source, "HDTV", strong},
    {"pdtv", kind::source, "HDTV", strong},
    {"dsr", kind::source, "HDTV", 0},
    {"dvd", kind::source, "DVD", strong},
    {"dvd5", kind::source, "DVD", strong},
    {"dvd9", kind::source, "DVD", strong},
    {"dvdr", kind::source, "DVD", strong},
    {"dvdfull", kind::source, "DVD", strong},
    {"dvdrip", kind::source, "DVDRip", strong},
    {"hdrip", kind::source, "HDRip", strong},
    {"hddvd", kind::source, "HD-DVD", strong},
    {"dvdscr", kind::source, "Screener", strong},
    {"screener", kind::source, "Screener", 0},
    {"scr", kind::source, "Screener", 0},
    {"cam", kind::source, "CAM", 0},
    {"camrip", kind::source, "CAM", strong},
    {"hdcam", kind::source, "CAM", strong},
    {"ts", kind::source, "TS", 0},
    {"hdts", kind::source, "TS", strong},
    {"telesync", kind::source, "TS", strong},
    {"tc", kind::source, "TC", 0},
    {"hdtc", kind::source, "TC", strong},
    {"telecine", kind::source, "TC", strong},
    {"r5", kind::source, "R5", 0},
    {"vhs", kind::source, "VHS", 0},
    {"vhsrip", kind::source, "VHS", strong},
    // video codec
    {"x264", kind::video_codec, "x264", strong},
    {"x265", kind::video_codec, "x265", strong},
    {"h264", kind::video_codec, "H.264", strong},
    {"h265", kind::video_codec, "H.265", strong},
    {"hevc", kind::video_codec, "HEVC", strong},
    {"avc", kind::video_codec, "AVC", strong},
    {"xvid", kind::video_codec, "XviD", strong},
    {"divx", kind::video_codec, "DivX", strong},
    {"av1", kind::video_codec, "AV1", strong},
    {"vc1", kind::video_codec, "VC-1", strong},
    {"mpeg2", kind::video_codec, "MPEG-2", strong},
    {"vp9", kind::video_codec, "VP9", strong},
    // audio codec
    {"dts", kind::audio_codec, "DTS", audio_strong},
    {"dtses", kind::audio_codec, "DTS", audio_strong},
    {"dtshd", kind::audio_codec, "DTS-HD", audio_strong},
    {"dtshdhra", kind::audio_codec, "DTS-HD", audio_strong},
    {"dtshdma", kind::audio_codec, "DTS-HD MA", audio_strong},
    {"dtsma", kind::audio_codec, "DTS-HD MA", audio_strong},
    {"dtshdmaster", kind::audio_codec, "DTS-HD MA", audio_strong},
    {"dtsx", kind::audio_codec, "DTS:X", audio_strong},
    {"truehd", kind::audio_codec, "TrueHD", audio_strong},
    {"dolbytruehd", kind::audio_codec, "TrueHD", audio_strong},
    {"truehdatmos", kind::audio_codec, "TrueHD Atmos", audio_strong},
    {"atmos", kind::audio_codec, "Atmos", audio_strong | atmos},
    {"dolbyatmos", kind::audio_codec, "Atmos", audio_strong | atmos},
    {"ac3", kind::audio_codec, "AC3", audio_strong},
    {"dd", kind::audio_codec, "AC3", channels},
    {"dolbydigital", kind::audio_codec, "AC3", audio_strong},
    {"eac3", kind::audio_codec, "EAC3", audio_strong},
    {"ddp", kind::audio_codec, "EAC3", audio_strong},
    {"dd+", kind::audio_codec, "EAC3", audio_strong},
    {"ddpatmos", kind::audio_codec, "EAC3 Atmos", audio_strong},
    {"dolbydigitalplus", kind::audio_codec, "EAC3", audio_strong},
    {"aac", kind::audio_codec, "AAC", audio_strong},
    {"aaclc", kind::audio_codec, "AAC", audio_strong},
    {"heaac", kind::audio_codec, "AAC", audio_strong},
    {"flac", kind::audio_codec, "FLAC", audio_strong},
    {"mp3", kind::audio_codec, "MP3", audio_strong},
    {"lpcm", kind::audio_codec, "LPCM", audio_strong},
    {"pcm", kind::audio_codec, "LPCM", channels},
    {"opus", kind::audio_codec, "Opus", channels},
    // editions (weak: many are words in titles too)
    {"directorscut", kind::edition, "Director's Cut", 0},
    {"directorsedition", kind::edition, "Director's Cut", 0},
    {"directorscutremastered", kind::edition, "Director's Cut Remastered", 0},
    {"dc", kind::edition, "Director's Cut", 0},
    {"extended", kind::edition, "Extended", 0},
    {"extendedcut", kind::edition, "Extended", 0},
    {"extendededition", kind::edition, "Extended", 0},
    {"extendedversion", kind::edition, "Extended", 0},
    {"theatrical", kind::edition, "Theatrical", 0},
    {"theatricalcut", kind::edition, "Theatrical", 0},
    {"theatricaledition", kind::edition, "Theatrical", 0},
    {"theatricalversion", kind::edition, "Theatrical", 0},
    {"unrated", kind::edition, "Unrated", 0},
    {"unratedcut", kind::edition, "Unrated", 0},
    {"unratededition", kind::edition, "Unrated", 0},
    {"uncut", kind::edition, "Uncut", 0},
    {"uncensored", kind::edition, "Uncensored", 0},
    {"remastered", kind::edition, "Remastered", 0},
    {"remaster", kind::edition, "Remastered", 0},
    {"4kremastered", kind::edition, "Remastered", 0},
    {"4kremaster", kind::edition, "Remastered", 0},
    {"digitallyremastered", kind::edition, "Remastered", 0},
    {"restored", kind::edition, "Restored", 0},
    {"4krestored", kind::edition, "Restored", 0},
    {"4krestoration", kind::edition, "Restored", 0},
    {"imax", kind::edition, "IMAX", 0},
    {"imaxedition", kind::edition, "IMAX", 0},
    {"imaxenhanced", kind::edition, "IMAX", 0},
    {"criterion", kind::edition, "Criterion", 0},
    {"criterioncollection", kind::edition, "Criterion", 0},
    {"specialedition", kind::edition, "Special Edition", 0},
    {"ultimate", kind::edition, "Ultimate Edition", no_pre_year},
    {"ultimateedition", kind::edition, "Ultimate Edition", 0},
    {"ultimatecut", kind::edition, "Ultimate Cut", 0},
    {"ultimatedirectorscut", kind::edition, "Ultimate Director's Cut", 0},
    {"finalcut", kind::edition, "Final Cut", no_pre_year},
    {"roguecut", kind::edition, "Rogue Cut", 0},
    {"anniversaryedition", kind::edition, "Anniversary Edition", 0},
    {"collectorsedition", kind::edition, "Collector's Edition", 0},
    {"openmatte", kind::edition, "Open Matte", 0},
    {"alternatecut", kind::edition, "Alternate Cut", 0},
    {"alternativecut", kind::edition, "Alternate Cut", 0},
    {"internationalcut", kind::edition, "International Cut", 0},
    {"redux", kind::edition, "Redux", no_pre_year},
    {"despecialized", kind::edition, "Despecialized", 0},
    // Scene abbreviations, cut from a title only when written in capitals
    {"se", kind::edition, "Special Edition", 0},
    {"om", kind::edition, "Open Matte", 0},
    // 3D
    {"3d", kind::three_d, "3D", 0},
    {"sbs", kind::three_d, "SBS", strong},
    {"hsbs", kind::three_d, "SBS", strong},
    {"halfsbs", kind::three_d, "SBS", strong},
    {"fullsbs", kind::three_d, "SBS", strong},
    {"fsbs", kind::three_d, "SBS", strong},
    {"ou", kind::three_d, "OU", 0},
    {"hou", kind::three_d, "OU", strong},
    {"halfou", kind::three_d, "OU", strong},
    {"fullou", kind::three_d, "OU", strong},
    {"tab", kind::three_d, "TAB", 0},
    {"htab", kind::three_d, "TAB", strong},
    {"halftab", kind::three_d, "TAB", strong},
    {"mvc", kind::three_d, "MVC", 0},
    // scene noise: recognised so it is neither title nor release group
    {"hdr", kind::noise, "", strong},
    {"hdr10", kind::noise, "", strong},
    {"hdr10+", kind::noise, "", strong},
    {"hdr10plus", kind::noise, "", strong},
    {"dolbyvision", kind::noise, "", strong},
    {"dovi", kind::noise, "", strong},
    {"dv", kind::noise, "", 0},
    {"sdr", kind::noise, "", 0},
    {"10bit", kind::noise, "", strong},
    {"8bit", kind::noise, "", strong},
    {"12bit", kind::noise, "", strong},
    {"hi10p", kind::noise, "", strong},
    {"60fps", kind::noise, "", strong},
    {"51", kind::noise, "", 0},
    {"71", kind::noise, "", 0},
    {"20", kind::noise, "", 0},
    {"21", kind::noise, "", 0},
    {"61", kind::noise, "", 0},
    {"ma", kind::noise, "", 0},
    {"hd", kind::noise, "", 0},
    {"sd", kind::noise, "", 0},
    {"hq", kind::noise, "", 0},
    {"hc", kind::noise, "", 0},
    {"ws", kind::noise, "", 0},
    {"fs", kind::noise, "", 0},
    {"pal", kind::noise, "", 0},
    {"ntsc", kind::noise, "", 0},
    {"proper", kind::noise, "", 0},
    {"repack", kind::noise, "", 0},
    {"rerip", kind::noise, "", 0},
    {"real", kind::noise, "", 0},
    {"limited", kind::noise, "", 0},
    {"internal", kind::noise, "", 0},
    {"readnfo", kind::noise, "", 0},
    {"nfofix", kind::noise, "", 0},
    {"retail", kind::noise, "", 0},
    {"hybrid", kind::noise, "", 0},
    {"complete", kind::noise, "", 0},
    {"festival", kind::noise, "", 0},
    {"amzn", kind::noise, "", 0},
    {"nf", kind::noise, "", 0},
    {"dsnp", kind::noise, "", 0},
    {"dsny", kind::noise, "", 0},
    {"hmax", kind::noise, "", 0},
    {"atvp", kind::noise, "", 0},
    {"hulu", kind::noise, "", 0},
    {"pcok", kind::noise, "", 0},
    {"it", kind::noise, "", 0},
    {"ma", kind::noise, "", 0},
    {"multi", kind::noise, "", language},
    {"multisub", kind::noise, "", 0},
    {"multisubs", kind::noise, "", 0},
    {"dual", kind::noise, "", 0},
    {"dualaudio", kind::noise, "", 0},
    {"subbed", kind::noise, "", 0},
    {"dubbed", kind::noise, "", 0},
    {"subs", kind::noise, "", 0},
    {"vostfr", kind::noise, "", language},
    {"french", kind::noise, "", language},
    {"truefrench", kind::noise, "", language},
    {"german", kind::noise, "", language},
    {"ita", kind::noise, "", language},
    {"italian", kind::noise, "", language},
    {"spanish", kind::noise, "", language},
    {"latino", kind::noise, "", language},
    {"eng", kind::noise, "", language},
    {"english", kind::noise, "", language},
    {"rus", kind::noise, "", language},
    {"russian", kind::noise, "", language},
    {"hindi", kind::noise, "", language},
    {"korean", kind::noise, "", language},
    {"japanese", kind::noise, "", language},
    {"chinese", kind::noise, "", language},
    {"nordic", kind::noise, "", language},
    {"swedish", kind::noise, "", language},
    {"danish", kind::noise, "", language},
    {"dutch", kind::noise, "", language},
    {"polish", kind::noise, "", language},
    {"dl", kind::noise, "", language}, // "German.DL": dual language
    {"portuguese", kind::noise, "", language},
    {"flemish", kind::noise, "", language},
    {"turkish", kind::noise, "", language},
    {"finnish", kind::noise, "", language},
    {"norwegian", kind::noise, "", language},
    {"castellano", kind::noise, "", language},
    {"subfrench", kind::noise, "", language},
    {"sample", kind::noise, "", 0},
    {"trailer", kind::noise, "", 0},
};

// Channel layouts that may follow an audio codec key: "aac" + "20", "dtshdma" + "71".
constexpr std::string_view channel_suffixes[] = {"10", "20", "21", "51", "61", "71", "2", "6", "8"};

constexpr std::string_view ordinals[] = {"10th", "15th", "20th", "25th", "30th", "35th",
                                         "40th", "45th", "50th", "60th", "70th", "75th"};

constexpr std::uint32_t hash_seed = 2166136261u;

constexpr std::uint32_t hash_more(std::uint32_t h, std::string_view more) {
    for (char c : more) {
        h ^= static_cast<unsigned char>(c);
        h *= 16777619u;
    }
    return h;
}

constexpr std::uint32_t hash_key(std::string_view key) {
    return hash_more(hash_seed, key);
}

/// Short keys compare faster inline than through memcmp.
inline bool same_key(const char* a, const char* b, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return false;
    return true;
}

/// Every key and every proper prefix of a key, so a greedy join knows when to stop trying. Slots are
/// eight bytes (hash, key, flags) so the whole table stays in the first-level caches.
class keyword_index {
  public:
    struct found {
        const keyword* word; ///< set when the key is a whole keyword
        bool prefix;         ///< the key begins a longer keyword
    };

    keyword_index() {
        for (const auto& word : keywords) {
            add(word);
            if (word.flags & channels) {
                for (auto suffix : channel_suffixes) {
                    auto& key = owned_.emplace_back(word.key);
                    key += suffix;
                    generated_.push_back(word);
                    generated_.back().key = key;
                    generated_.back().flags |= strong;
                    add(generated_.back());
                }
            }
        }
        for (auto ordinal : ordinals) {
            for (std::string_view rest : {"anniversary", "anniversaryedition"}) {
                auto& key = owned_.emplace_back(ordinal);
                key += rest;
                generated_.push_back({key, kind::edition, "Anniversary Edition", 0});
                add(generated_.back());
            }
        }
        add(generated_.emplace_back(
            keyword{"anniversary", kind::edition, "Anniversary Edition", no_pre_year}));
    }

    /// A quick filter in front of find(): false when no key or prefix has this length and first two bytes.
    [[nodiscard]] bool may_have(std::string_view key) const {
        return key.size() < 64 && ((lengths_[pair_code(key)] >> key.size()) & 1u) != 0;
    }

    /// Looks a key up by its hash_key() value.
    [[nodiscard]] std::optional<found> find(std::string_view key, std::uint32_t h) const {
        for (std::uint32_t i = h & mask;; i = (i + 1) & mask) {
            const slot& s = slots_[i];
            if (s.key == 0) return std::nullopt;
            if (s.hash == h && s.size == key.size() && same_key(s.text, key.data(), key.size()))
                return found{words_[s.key], s.prefix != 0};
        }
    }

  private:
    static constexpr std::uint32_t size = 4096;
    static constexpr std::uint32_t mask = size - 1;

    struct slot {
        std::uint32_t hash = 0;
        std::uint16_t key = 0; ///< index into words_; 0 marks an empty slot
        std::uint8_t prefix = 0;
        std::uint8_t size = 0;
        const char* text = nullptr;
    };

    /// a-z -> 0..25, 0-9 -> 26..35, anything else -> 36
    static constexpr std::array<std::uint8_t, 256> codes = [] {
        std::array<std::uint8_t, 256> t{};
        for (int c = 0; c < 256; ++c)
            t[c] = static_cast<std::uint8_t>(c >= 'a' && c <= 'z'   ? c - 'a'
                                             : c >= '0' && c <= '9' ? c - '0' + 26
                                                                    : 36);
        return t;
    }();
    static std::size_t pair_code(std::string_view key) {
        return std::size_t{codes[static_cast<unsigned char>(key[0])]} * 37 +
               (key.size() > 1 ? codes[static_cast<unsigned char>(key[1])] : 36);
    }

    slot& insert(std::string_view key) {
        if (key.size() < 64) lengths_[pair_code(key)] |= std::uint64_t{1} << key.size();
        const std::uint32_t h = hash_key(key);
        for (std::uint32_t i = h & mask;; i = (i + 1) & mask) {
            slot& s = slots_[i];
            if (s.key == 0) {
                s.hash = h;
                s.key = static_cast<std::uint16_t>(words_.size());
                s.size = static_cast<std::uint8_t>(key.size());
                s.text = key.data();
                words_.push_back(nullptr);
                return s;
            }
            if (s.hash == h && std::string_view(s.text, s.size) == key) return s;
        }
    }

    void add(const keyword& word) {
        // The first keyword with a key wins (duplicates in the table are harmless).
        slot& whole = insert(word.key);
        if (!words_[whole.key]) words_[whole.key] = &word;
        for (std::size_t n = 1; n < word.key.size(); ++n)
            insert(word.key.substr(0, n)).prefix = 1;
    }

    std::vector<slot> slots_ = std::vector<slot>(size);
    std::array<std::uint64_t, 37 * 37> lengths_{};
    std::vector<const keyword*> words_ = std::vector<const keyword*>(1); // index 0: "empty"
    std::deque<std::string> owned_;
    std::deque<keyword> generated_;
};

const keyword_index& index() {
    static const keyword_index instance;
    return instance;
}

// ---------------------------------------------------------------------------------------------------------
// Characters
// ---------------------------------------------------------------------------------------------------------

constexpr bool is_separator(unsigned char c) {
    switch (c) {
    case ' ':
    case '.':
    case '_':
    case '-':
    case ',':
    case ';':
    case ':':
    case '=':
    case '~':
    case '|':
    case '"':
    case '\t':
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
    case '/':
    case '\\':
        return true;
    default:
        return false;
    }
}

enum char_class : std::uint8_t {
    c_separator = 1,
    c_upper = 2,
    c_lower = 4,
    c_digit = 8,
    c_dropped = 16, ///< part of a word, not of its key: apostrophes, "!", "&"
    c_special = 32, ///< needs a closer look (the first byte of U+2019)
};

constexpr std::array<std::uint8_t, 256> char_classes = [] {
    std::array<std::uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        if (is_separator(static_cast<unsigned char>(c))) t[c] = c_separator;
        if (c >= 'A' && c <= 'Z') t[c] = c_upper;
        if (c >= 'a' && c <= 'z') t[c] = c_lower;
        if (c >= '0' && c <= '9') t[c] = c_digit;
    }
    for (unsigned char c : {'\'', '!', '?', '&', '#', '*'})
        t[c] = c_dropped;
    t[0xE2] = c_special;
    return t;
}();

constexpr std::array<char, 256> lower_case = [] {
    std::array<char, 256> t{};
    for (int c = 0; c < 256; ++c)
        t[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return t;
}();

constexpr bool is_open(unsigned char c) {
    return c == '(' || c == '[' || c == '{';
}
constexpr bool is_close(unsigned char c) {
    return c == ')' || c == ']' || c == '}';
}
constexpr bool is_digit(unsigned char c) {
    return c >= '0' && c <= '9';
}
constexpr bool is_upper(unsigned char c) {
    return c >= 'A' && c <= 'Z';
}
constexpr bool is_lower(unsigned char c) {
    return c >= 'a' && c <= 'z';
}
constexpr bool is_alpha(unsigned char c) {
    return is_upper(c) || is_lower(c);
}
constexpr char to_lower(char c) {
    return is_upper(static_cast<unsigned char>(c)) ? char(c + 32) : c;
}

inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (to_lower(a[i]) != to_lower(b[i])) return false;
    return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool iends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_digit(static_cast<unsigned char>(c))) return false;
    return true;
}

int to_int(std::string_view digits) {
    int n = 0;
    for (char c : digits)
        n = n * 10 + (c - '0');
    return n;
}

// ---------------------------------------------------------------------------------------------------------
// One name: tokens, matches, title
// ---------------------------------------------------------------------------------------------------------

struct token {
    std::uint16_t begin; ///< byte range in the name
    std::uint16_t end;
    std::uint16_t key_begin; ///< range in segment::keys
    std::uint16_t key_len;
    std::uint16_t year; ///< the year this token can be, 0 when none
    std::int8_t group;  ///< bracket group, -1 outside brackets
};

struct bracket_group {
    std::uint16_t first_token;
    std::uint16_t end_token;
    std::uint16_t begin; ///< raw content, brackets excluded
    std::uint16_t end;
    char open;
    bool meta;         ///< holds something other than title words
    bool edition_only; ///< Plex "{edition-...}": its words are the edition, not tokens to match
};

enum class hit_kind : std::uint8_t { word, part, imdb, tmdb };

struct hit {
    std::uint16_t begin; ///< tokens [begin, end)
    std::uint16_t end;
    hit_kind what;
    bool strong;
    const keyword* word;
    std::int64_t number; ///< part number or tmdb id
};

constexpr std::uint8_t no_hit = 0xff;

/// What one folder or file name says.
struct segment_name {
    parsed_name name;
    bool year_in_brackets = false;
    /// The part came from "Part 2" words where a title could also end ("... Hallows Part 2").
    bool part_from_words = false;
    /// A sequence number stood in front of the title ("(2)The Second Tide"): a film of a collection, whose
    /// folder names the collection, not this film.
    bool numbered = false;
};

class segment {
  public:
    explicit segment(std::string_view text) : text_(text.substr(0, std::min(text.size(), max_segment))) {
        tokenize();
        find_hits();
    }

    segment_name parse();

  private:
    void tokenize();
    void find_hits();
    bool match_id(std::size_t i);
    bool match_part(std::size_t i);
    bool match_keyword(std::size_t i);
    void add_hit(std::size_t begin, std::size_t end, hit_kind what, bool strong, const keyword* word,
                 std::int64_t number);

    [[nodiscard]] std::string_view key(std::size_t i) const {
        return {keys_.data() + tokens_[i].key_begin, tokens_[i].key_len};
    }
    [[nodiscard]] std::string_view raw(std::size_t i) const {
        return text_.substr(tokens_[i].begin, tokens_[i].end - tokens_[i].begin);
    }
    [[nodiscard]] std::string_view gap_before(std::size_t i) const {
        std::size_t from = i == 0 ? 0 : tokens_[i - 1].end;
        return text_.substr(from, tokens_[i].begin - from);
    }
    [[nodiscard]] const hit* hit_at(std::size_t i) const {
        return hit_of_[i] == no_hit ? nullptr : &hits_[hit_of_[i]];
    }
    [[nodiscard]] bool in_title_group(std::size_t i) const {
        if (tokens_[i].group < 0) return false;
        const auto& g = groups_[static_cast<std::size_t>(tokens_[i].group)];
        return !g.meta && g.open == '(';
    }
    [[nodiscard]] int year_at(std::size_t i) const { return tokens_[i].year; }
    struct letter_count {
        unsigned letters = 0;
        unsigned uppers = 0;
    };
    [[nodiscard]] letter_count letters(std::size_t i) const {
        letter_count n;
        for (char c : raw(i)) {
            const std::uint8_t cls = char_classes[static_cast<unsigned char>(c)];
            n.letters += (cls & (c_upper | c_lower)) != 0;
            n.uppers += (cls & c_upper) != 0;
        }
        return n;
    }
    [[nodiscard]] bool single_letter(std::size_t i) const {
        return tokens_[i].end - tokens_[i].begin == 1 &&
               is_alpha(static_cast<unsigned char>(text_[tokens_[i].begin]));
    }
    [[nodiscard]] int read_year(std::size_t i) const;
    [[nodiscard]] bool is_article(std::size_t i) const;
    [[nodiscard]] std::string title_text(std::size_t first, std::size_t end) const;
    void release_group(std::size_t title_end, parsed_name& name) const;

    std::string_view text_;
    std::size_t count_ = 0;
    std::size_t group_count_ = 0;
    std::size_t hit_count_ = 0;
    std::size_t key_size_ = 0;
    std::array<token, max_tokens> tokens_;
    std::array<bracket_group, max_groups> groups_;
    std::array<hit, max_tokens> hits_;
    std::array<std::uint8_t, max_tokens> hit_of_;
    std::array<char, max_segment> keys_;
};

void segment::tokenize() {
    const auto* s = reinterpret_cast<const unsigned char*>(text_.data());
    const std::size_t n = text_.size();
    int open_group = -1;
    int depth = 0;
    std::size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (char_classes[c] & c_separator) {
            if (is_open(c)) {
                if (depth++ == 0 && group_count_ < max_groups) {
                    open_group = static_cast<int>(group_count_);
                    groups_[group_count_++] = {static_cast<std::uint16_t>(count_),
                                               static_cast<std::uint16_t>(count_),
                                               static_cast<std::uint16_t>(i + 1),
                                               static_cast<std::uint16_t>(n),
                                               static_cast<char>(c),
                                               false,
                                               false};
                }
            } else if (is_close(c) && depth > 0) {
                if (--depth == 0 && open_group >= 0) {
                    auto& g = groups_[static_cast<std::size_t>(open_group)];
                    g.end = static_cast<std::uint16_t>(i);
                    open_group = -1;
                }
            }
            ++i;
            continue;
        }
        if (count_ == max_tokens) break;
        token& t = tokens_[count_];
        t.begin = static_cast<std::uint16_t>(i);
        t.key_begin = static_cast<std::uint16_t>(key_size_);
        t.group = static_cast<std::int8_t>(open_group);
        t.year = 0;
        // The key never outgrows the name: keys_ holds max_segment bytes and the name is cut to that.
        char* key = keys_.data() + key_size_;
        char* key_end = key;
        for (; i < n; ++i) {
            c = s[i];
            const std::uint8_t cls = char_classes[c];
            if (cls & c_separator) break;
            if (cls & (c_dropped | c_special)) {
                // Apostrophes (' and U+2019) and punctuation vanish from keys: "Director's" -> "directors".
                if (cls & c_dropped) continue;
                if (i + 2 < n && s[i + 1] == 0x80 && s[i + 2] == 0x99) {
                    i += 2;
                    continue;
                }
            }
            *key_end++ = lower_case[c];
        }
        t.end = static_cast<std::uint16_t>(i);
        t.key_len = static_cast<std::uint16_t>(key_end - key);
        key_size_ += t.key_len;
        ++count_;
    }
    for (std::size_t g = 0; g < group_count_; ++g) {
        auto& group = groups_[g];
        std::size_t end = group.first_token;
        while (end < count_ && tokens_[end].group == static_cast<std::int8_t>(g))
            ++end;
        group.end_token = static_cast<std::uint16_t>(end);
        std::string_view content = text_.substr(group.begin, group.end - group.begin);
        // Plex: "{edition-Director's Cut}" names the edition verbatim.
        if (istarts_with(content, "edition-")) {
            group.meta = true;
            group.edition_only = true;
        }
    }
}

void segment::add_hit(std::size_t begin, std::size_t end, hit_kind what, bool strong_hit, const keyword* word,
                      std::int64_t number) {
    hits_[hit_count_] = {
        static_cast<std::uint16_t>(begin), static_cast<std::uint16_t>(end), what, strong_hit, word, number};
    for (std::size_t i = begin; i < end; ++i)
        hit_of_[i] = static_cast<std::uint8_t>(hit_count_);
    ++hit_count_;
    if (tokens_[begin].group >= 0) groups_[static_cast<std::size_t>(tokens_[begin].group)].meta = true;
}

bool segment::match_id(std::size_t i) {
    auto k = key(i);
    // bare "tt0133093"
    if (k.size() >= 9 && k.size() <= 10 && k[0] == 't' && k[1] == 't' && all_digits(k.substr(2))) {
        add_hit(i, i + 1, hit_kind::imdb, true, nullptr, 0);
        return true;
    }
    if (i + 1 >= count_ || tokens_[i + 1].group != tokens_[i].group) return false;
    auto next = key(i + 1);
    if ((k == "imdb" || k == "imdbid") && next.size() >= 9 && next.size() <= 10 && next[0] == 't' &&
        next[1] == 't' && all_digits(next.substr(2))) {
        add_hit(i, i + 2, hit_kind::imdb, true, nullptr, 0);
        return true;
    }
    if ((k == "tmdb" || k == "tmdbid") && all_digits(next) && next.size() <= 12) {
        std::int64_t id = 0;
        for (char c : next)
            id = id * 10 + (c - '0');
        add_hit(i, i + 2, hit_kind::tmdb, true, nullptr, id);
        return true;
    }
    return false;
}

/// The number or letter of a part: "1".."99" or "a".."d".
int part_number(std::string_view s) {
    if (s.size() == 1 && s[0] >= 'a' && s[0] <= 'd') return s[0] - 'a' + 1;
    if (s.empty() || s.size() > 2 || !all_digits(s)) return 0;
    return to_int(s);
}

bool segment::match_part(std::size_t i) {
    auto k = key(i);
    struct marker {
        std::string_view word;
        bool strong_compact; ///< "cd1" always ends a title
        bool strong_spaced;  ///< "cd 1" always ends a title
    };
    static constexpr marker markers[] = {
        {"cd", true, true},   {"disc", true, true}, {"disk", true, true},
        {"dvd", true, false}, {"pt", true, false},  {"part", false, false},
    };
    for (const auto& m : markers) {
        if (k.size() <= m.word.size() + 2 && k.substr(0, m.word.size()) == m.word) {
            if (k.size() > m.word.size()) {
                // DVD5 and DVD9 are disc sizes, not parts
                if (m.word == "dvd" && (k == "dvd5" || k == "dvd9")) return false;
                if (int n = part_number(k.substr(m.word.size())); n > 0) {
                    add_hit(i, i + 1, hit_kind::part, m.strong_compact, nullptr, n);
                    return true;
                }
                continue;
            }
            if (i + 1 < count_ && tokens_[i + 1].group == tokens_[i].group) {
                auto next = key(i + 1);
                // Letters only when written together ("partB"): "Part A New Hope" is no part.
                if (all_digits(next)) {
                    if (int n = part_number(next); n > 0) {
                        add_hit(i, i + 2, hit_kind::part, m.strong_spaced, nullptr, n);
                        return true;
                    }
                }
            }
        }
    }
    return false;
}

bool segment::match_keyword(std::size_t i) {
    const auto& idx = index();
    // The keys of neighbouring tokens lie next to each other in keys_, so a joined key is a plain range.
    const char* joined = keys_.data() + tokens_[i].key_begin;
    std::size_t len = 0;
    std::uint32_t h = hash_seed;
    const keyword* best = nullptr;
    std::size_t best_end = i;
    for (std::size_t j = i; j < count_ && j < i + 6; ++j) {
        if (tokens_[j].group != tokens_[i].group) break;
        auto k = key(j);
        if (k.empty() || len + k.size() > max_key) break;
        len += k.size();
        if (!idx.may_have({joined, len})) break;
        h = hash_more(h, k);
        const auto slot = idx.find({joined, len}, h);
        if (!slot) break;
        if (slot->word) {
            best = slot->word;
            best_end = j + 1;
        }
        if (!slot->prefix) break;
    }
    if (!best) return false;
    add_hit(i, best_end, hit_kind::word, (best->flags & strong) != 0, best, 0);
    return true;
}

void segment::find_hits() {
    for (std::size_t i = 0; i < count_; ++i) {
        hit_of_[i] = no_hit;
        if (tokens_[i].key_len == 4) tokens_[i].year = static_cast<std::uint16_t>(read_year(i));
    }
    for (std::size_t i = 0; i < count_;) {
        if (tokens_[i].group >= 0 && groups_[static_cast<std::size_t>(tokens_[i].group)].edition_only) {
            ++i;
            continue;
        }
        const std::size_t len = tokens_[i].key_len;
        if (len > 0 && tokens_[i].year == 0) {
            const char first = keys_[tokens_[i].key_begin];
            // cheap first-letter gates in front of the id and part matchers
            bool matched = ((first == 't' || first == 'i') && match_id(i)) ||
                           ((first == 'c' || first == 'd' || first == 'p') && len <= 6 && match_part(i)) ||
                           match_keyword(i);
            if (matched) {
                i = hits_[hit_count_ - 1].end;
                continue;
            }
        }
        ++i;
    }
    // A bracket holding a year is no title either.
    for (std::size_t i = 0; i < count_; ++i)
        if (tokens_[i].group >= 0 && tokens_[i].year > 0)
            groups_[static_cast<std::size_t>(tokens_[i].group)].meta = true;
}

int segment::read_year(std::size_t i) const {
    auto k = key(i);
    if (k.size() != 4 || tokens_[i].end - tokens_[i].begin != 4 || !all_digits(k)) return 0;
    int year = to_int(k);
    if (year < min_year || year > max_year) return 0;
    // "1977-2019" is a span of years (a collection), not a year.
    auto is_span = [&](std::size_t a, std::size_t b) {
        if (tokens_[b].begin != tokens_[a].end + 1 || text_[tokens_[a].end] != '-') return false;
        // both ends four digits: "Title-2009-FRENCH" is a year joined by dashes, not a span
        for (std::size_t t : {a, b}) {
            auto k = key(t);
            if (k.size() != 4 || !all_digits(k) || tokens_[t].end - tokens_[t].begin != 4) return false;
        }
        return true;
    };
    if (i + 1 < count_ && is_span(i, i + 1)) return 0;
    if (i > 0 && is_span(i - 1, i)) return 0;
    return year;
}

bool segment::is_article(std::size_t i) const {
    auto k = key(i);
    return k == "the" || k == "a" || k == "an";
}

void segment::release_group(std::size_t title_end, parsed_name& name) const {
    // The group is the word(s) after the last '-' of a scene name: "x264-GRP", "DTS-HD.MA.5.1-FGT".
    std::size_t last = count_;
    while (last > title_end) {
        std::size_t i = last - 1;
        if (tokens_[i].group >= 0) {
            --last;
            continue;
        }
        // Trailing "-cd1" or "-sample" stand after the group.
        const hit* h = hit_at(i);
        if (h && (h->what == hit_kind::part ||
                  (h->word && h->word->what == kind::noise && (key(i) == "sample" || key(i) == "trailer")))) {
            last = h->begin;
            continue;
        }
        break;
    }
    if (last <= title_end) return;
    std::size_t first = last - 1;
    // A group may hold dots ("YTS.MX"), never spaces; two words at most.
    while (first > title_end && last - first < 2 && gap_before(first) == "." && !hit_at(first - 1) &&
           tokens_[first - 1].group < 0 && year_at(first - 1) == 0)
        --first;
    if (first <= title_end) return;
    auto gap = gap_before(first);
    // Radarr writes "[x265]-GROUP"
    while (!gap.empty() && is_close(static_cast<unsigned char>(gap.front())))
        gap.remove_prefix(1);
    if (gap != "-" && gap != " - ") return;
    // a group starts with a letter or digit and has letters: "2.5GB" is a size
    if (letters(first).letters == 0) return;
    for (std::size_t i = first; i < last; ++i)
        if (hit_at(i) || year_at(i) > 0 || tokens_[i].group >= 0) return;
    // Only a scene name has a group: something other than the year must stand between title and group.
    bool scene = false;
    for (std::size_t i = title_end; i < first && !scene; ++i) {
        const hit* h = hit_at(i);
        scene = h && h->what == hit_kind::word && h->word->what != kind::edition;
    }
    if (!scene) return;
    name.release_group =
        std::string(text_.substr(tokens_[first].begin, tokens_[last - 1].end - tokens_[first].begin));
}

/// Two-letter language codes that prefix a title: "De - Stadt der Lichter".
bool is_language_code(std::string_view key) {
    static constexpr std::string_view codes[] = {"de", "fr", "es", "it", "nl", "pt", "ru", "pl", "sv", "da",
                                                 "fi", "en", "ja", "ko", "zh", "tr", "cs", "hu", "el", "ro",
                                                 "bg", "hr", "sr", "sk", "sl", "uk", "he", "ar", "fa", "hi"};
    for (auto c : codes)
        if (c == key) return true;
    return false;
}

bool is_abbreviation(std::string_view key) {
    static constexpr std::string_view words[] = {"mr", "mrs", "ms",  "dr",  "jr",   "sr", "st", "inc",
                                                 "co", "vs",  "vol", "ltd", "bros", "no", "ft"};
    for (auto w : words)
        if (w == key) return true;
    return false;
}

/// Small words a title keeps in lower case ("Harry Potter and the Goblet of Fire").
bool is_small_word(std::string_view word) {
    static constexpr std::string_view words[] = {"a",  "an",   "the", "and", "or", "nor", "but",
                                                 "of", "in",   "on",  "at",  "to", "for", "from",
                                                 "by", "with", "vs",  "v",   "as"};
    for (auto w : words)
        if (w == word) return true;
    return false;
}

/// "the good the bad and the ugly" -> "The Good the Bad and the Ugly"; titles with any capital are kept.
void title_case_if_lower(std::string& title) {
    bool lower = false;
    for (char c : title) {
        if (is_upper(static_cast<unsigned char>(c))) return;
        lower = lower || is_lower(static_cast<unsigned char>(c));
    }
    if (!lower) return;
    std::size_t i = 0;
    bool first = true;
    while (i < title.size()) {
        std::size_t end = i;
        while (end < title.size() && title[end] != ' ' && title[end] != '-')
            ++end;
        std::string_view word(title.data() + i, end - i);
        if (!word.empty() && is_lower(static_cast<unsigned char>(word[0])) && (first || !is_small_word(word)))
            title[i] = static_cast<char>(title[i] - 32);
        if (!word.empty()) first = false;
        i = end + 1;
    }
}

/// Puts back the colons a file name could not hold. Windows and SMB shares forbid ':', so Kodi, Plex and
/// Radarr write "2001: A Space Odyssey" as "2001 - A Space Odyssey" and "3:10 to Yuma" as "3-10 to Yuma".
/// A title that has a colon already wrote its dashes on purpose; "... - Part 2" keeps its dash (that is
/// how both the files and TMDB often write it); only the first " - " was a colon ("Star Wars: Episode IV
/// - A New Hope").
void restore_colons(std::string& title) {
    if (title.find(':') != std::string::npos) return;
    // "H-MM" before a word is a time of day: "3-10 to Yuma", "The 12-30 Train".
    for (std::size_t dash = title.find('-'); dash != std::string::npos; dash = title.find('-', dash + 1)) {
        std::size_t h = dash;
        while (h > 0 && is_digit(static_cast<unsigned char>(title[h - 1])))
            --h;
        const std::size_t hours = dash - h;
        if (hours == 0 || hours > 2 || (h > 0 && title[h - 1] != ' ')) continue;
        if (dash + 4 >= title.size() || !is_digit(static_cast<unsigned char>(title[dash + 1])) ||
            !is_digit(static_cast<unsigned char>(title[dash + 2])) || title[dash + 3] != ' ' ||
            is_digit(static_cast<unsigned char>(title[dash + 4])))
            continue;
        if (to_int(std::string_view(title).substr(h, hours)) > 23 || title[dash + 1] > '5') continue;
        title[dash] = ':';
    }
    const std::size_t gap = title.find(" - ");
    if (gap == std::string::npos || gap == 0 || gap + 3 >= title.size()) return;
    std::string_view next = std::string_view(title).substr(gap + 3);
    next = next.substr(0, next.find(' '));
    if (iequals(next, "part") || iequals(next, "pt") || iequals(next, "pt.")) return;
    title.replace(gap, 3, ": ");
}

std::string segment::title_text(std::size_t first, std::size_t end) const {
    if (first >= end) return {};
    // Built in a stack buffer (a name is at most max_segment bytes; each gap or dot adds at most a byte
    // or two), then copied into the string once.
    std::array<char, max_segment * 2 + 8> buf;
    std::size_t w = 0;
    auto put = [&](char c) {
        // spaces collapse, and none lead
        if (c == ' ' && (w == 0 || buf[w - 1] == ' ')) return;
        buf[w++] = c;
    };
    // Letters joined by single dots are one acronym ("S.W.A.T.", "E.T.", "U.N.C.L.E.").
    auto linked = [&](std::size_t i) { // token i continues an acronym begun before it
        return i > 0 && single_letter(i) && single_letter(i - 1) && gap_before(i) == ".";
    };
    auto in_acronym = [&](std::size_t i) { return linked(i) || (i + 1 < count_ && linked(i + 1)); };
    // A name whose only separator is the dash ("Quiet-Water-2018-720p-WEB-DL") uses it as the space; a
    // name that is all title ("X-Men") keeps its dashes.
    const bool dashed = end < count_ && text_.find_first_of(" ._") == std::string_view::npos;
    auto put_gap = [&](std::string_view gap) {
        // a dot or underscore between words is a space; in a spaced name a dot stays ("Mr. Smith")
        bool spaced = gap.find(' ') != std::string_view::npos;
        for (char c : gap)
            put((c == '_' || (c == '.' && !spaced) || (c == '-' && dashed)) ? ' ' : c);
    };
    if (in_title_group(first)) {
        // a title that opens with a bracket: "(500) Days of Summer"
        const auto& g = groups_[static_cast<std::size_t>(tokens_[first].group)];
        if (g.first_token == first && g.begin > 0) put(text_[g.begin - 1]);
    }
    for (std::size_t i = first; i < end; ++i) {
        if (i > first) {
            auto gap = gap_before(i);
            if (linked(i)) {
                put('.');
            } else if (in_acronym(i - 1) && !gap.empty() && gap[0] == '.') {
                // the acronym's closing dot: "E.T.the" -> "E.T. the"
                put('.');
                gap.remove_prefix(1);
                if (gap.empty())
                    put(' ');
                else
                    put_gap(gap);
            } else {
                put_gap(gap);
            }
        }
        for (char c : raw(i))
            buf[w++] = c;
    }
    // the dot after a title's last word, when it belongs to it: "S.W.A.T.", "Monsters, Inc."
    std::size_t last = end - 1;
    std::string_view after = last + 1 < count_ ? gap_before(last + 1) : text_.substr(tokens_[last].end);
    if (!after.empty() && after[0] == '.' &&
        (in_acronym(last) || (is_abbreviation(key(last)) && after.size() > 1 && after[1] == ' ')))
        put('.');
    if (in_title_group(last)) {
        // close a bracket the title opened: "Birdman or (The Unexpected Virtue of Ignorance)"
        const auto& g = groups_[static_cast<std::size_t>(tokens_[last].group)];
        if (g.end_token == last + 1 && g.end < text_.size()) put(text_[g.end]);
    }
    // trim separators at the ends
    std::size_t lead = 0;
    while (w > 0 && (buf[w - 1] == ' ' || buf[w - 1] == '-' || buf[w - 1] == ',' || buf[w - 1] == ':' ||
                     buf[w - 1] == ';'))
        --w;
    while (lead < w && (buf[lead] == ' ' || buf[lead] == '-' || buf[lead] == ','))
        ++lead;
    std::string_view title(buf.data() + lead, w - lead);
    // "Matrix, The" -> "The Matrix"
    std::string out;
    for (std::string_view article : {", The", ", A", ", An"}) {
        if (title.size() > article.size() + 1 && iends_with(title, article)) {
            auto moved = title.substr(title.size() - article.size() + 2);
            auto rest = title.substr(0, title.size() - article.size());
            out.reserve(title.size());
            out.append(moved).append(1, ' ').append(rest);
            break;
        }
    }
    if (out.empty()) out.assign(title);
    title_case_if_lower(out);
    return out;
}

segment_name segment::parse() {
    segment_name result;
    parsed_name& name = result.name;
    if (count_ == 0) return result;

    // Leading bracket tags ("[YTS.MX] ...") and a site prefix ("www.site.com - ...") are no title.
    std::size_t start = 0;
    auto tag_at = [&](std::size_t i) { return tokens_[i].group >= 0 && !in_title_group(i); };
    while (start < count_ && tag_at(start))
        ++start;
    if (start < count_ && key(start) == "www") {
        std::size_t i = start + 1;
        while (i < count_ && gap_before(i) == "." && tokens_[i].group < 0)
            ++i;
        start = i;
    }
    // Leading ids ("tt0062622 2001 A Space Odyssey (1968)") are read below, never part of the title.
    while (start < count_) {
        const hit* h = hit_at(start);
        if (tag_at(start)) {
            ++start;
        } else if (h && (h->what == hit_kind::imdb || h->what == hit_kind::tmdb)) {
            start = h->end;
        } else {
            break;
        }
    }

    // A sequence number in front of the title: "(2)The Second Tide (2010)" in a collection's folder,
    // "01 - Iron Road (1990)". Small numbers only: "(500) Days of Summer" and "(97) Letters" are titles.
    auto sequence_number = [&](std::size_t i) {
        const auto k = key(i);
        return k.size() <= 2 && k.size() == std::size_t{tokens_[i].end} - tokens_[i].begin && all_digits(k) &&
               (k[0] == '0' || to_int(k) <= 30);
    };
    if (start + 1 < count_ && in_title_group(start) && sequence_number(start)) {
        const auto& g = groups_[static_cast<std::size_t>(tokens_[start].group)];
        if (g.first_token == start && g.end_token == start + 1) {
            result.numbered = true;
            ++start;
        }
    } else if (start + 1 < count_ && tokens_[start].group < 0 && sequence_number(start) &&
               gap_before(start + 1) == " - ") {
        result.numbered = true;
        ++start;
    }
    // A language prefix: "De - Stadt der Lichter (2004)".
    if (start + 1 < count_ && tokens_[start].group < 0 && tokens_[start].end - tokens_[start].begin == 2 &&
        gap_before(start + 1) == " - " && is_language_code(key(start)))
        ++start;
    // A release group in front of a scene name: "grp-the.quiet.harbour.1987.1080p.mkv". Told from a title
    // joined by a dash ("spider-man.2002") by the group's look (letters and digits, or no vowel) or an
    // article after the dash.
    std::string_view prefix_group;
    if (start == 0 && count_ > 2 && tokens_[0].group < 0 && tokens_[1].group < 0 && gap_before(1) == "-" &&
        text_.find(' ') == std::string_view::npos && !hit_at(0) && year_at(0) == 0) {
        bool digit = false, letter = false, vowel = false;
        for (char c : key(0)) {
            digit = digit || is_digit(static_cast<unsigned char>(c));
            letter = letter || is_lower(static_cast<unsigned char>(c));
            vowel = vowel || std::string_view("aeiouy").find(c) != std::string_view::npos;
        }
        const bool looks_like_group = (digit && letter) || (letter && !vowel && key(0).size() >= 2);
        bool year_later = false;
        for (std::size_t i = 2; i < count_ && !year_later; ++i)
            year_later = year_at(i) > 0;
        if ((looks_like_group || is_article(1)) && year_later) {
            prefix_group = raw(0);
            start = 1;
        }
    }

    // A name that begins with a marker ("1080p", "CD1", "Disc 2") has no title of its own, unless a year
    // follows it at once: "Remux (2019)" is a title.
    std::size_t first_strong = count_;
    if (start < count_) {
        if (const hit* h = hit_at(start);
            h &&
            (h->what == hit_kind::part ||
             (h->what == hit_kind::word && h->strong && h->word->what != kind::noise)) &&
            !(h->end < count_ && year_at(h->end) > 0))
            first_strong = start;
    }
    for (std::size_t i = start + 1; i < first_strong; ++i) {
        if (tokens_[i].group >= 0) {
            // a bracket of tags ends the title; "(or The Unexpected Virtue of Ignorance)" does not
            if (!in_title_group(i)) {
                first_strong = i;
                break;
            }
            continue;
        }
        if (const hit* h = hit_at(i); h && h->begin == i && h->strong) {
            first_strong = i;
            break;
        }
    }

    // Year: a bracketed one wins ("Blade Runner 2049 (2017)"), else the last one in front of the first
    // marker ("2001.A.Space.Odyssey.1968", "Wonder.Woman.1984.2020.1080p"), never the first word.
    std::size_t title_end = first_strong;
    std::size_t year_index = count_;
    for (std::size_t i = start + 1; i < count_; ++i) {
        if (tokens_[i].group >= 0 && !hit_at(i)) {
            if (int y = year_at(i); y > 0) {
                name.year = y;
                result.year_in_brackets = true;
                year_index = i;
                break;
            }
        }
    }
    // "[2019] Parasite": a bracketed year in front of the title
    for (std::size_t i = 0; !name.year && i < start; ++i) {
        if (tokens_[i].group >= 0 && year_at(i) > 0) {
            name.year = year_at(i);
            result.year_in_brackets = true;
        }
    }
    if (!name.year) {
        for (std::size_t i = start + 1; i < first_strong; ++i) {
            if (tokens_[i].group < 0 && !hit_at(i)) {
                if (int y = year_at(i); y > 0) {
                    name.year = y;
                    year_index = i;
                }
            }
        }
        if (name.year) {
            title_end = year_index;
        } else {
            for (std::size_t i = std::max<std::size_t>(first_strong, start + 1); i < count_; ++i) {
                if (tokens_[i].group < 0 && !hit_at(i)) {
                    if (int y = year_at(i); y > 0) {
                        name.year = y;
                        year_index = i;
                        break;
                    }
                }
            }
        }
    }
    // Without a year, "Title Part 2" / "Title part2" ends the title at the part.
    if (!name.year) {
        for (std::size_t i = start + 1; i < title_end; ++i) {
            if (const hit* h = hit_at(i);
                h && h->begin == i && h->what == hit_kind::part && tokens_[i].group < 0) {
                title_end = i;
                result.part_from_words = true;
                break;
            }
        }
    }

    // Scene tags and multi-word editions in front of the year belong to the tags: "Movie.EXTENDED.2010",
    // "Movie.Directors.Cut.2001". A title in capitals keeps its words.
    bool title_has_lower = false;
    for (std::size_t i = start; i < title_end && !title_has_lower; ++i) {
        const auto count = letters(i);
        title_has_lower = count.uppers < count.letters;
    }
    // A scene name (no spaces) also sheds language tags and "3D" there: "Ember.German.2012",
    // "Deep.Canyon.3D.2014"; a spaced "Step Up 3D (2010)" keeps its title.
    const bool dotted = text_.find(' ') == std::string_view::npos;
    while (title_end > start + 1 && title_has_lower) {
        const hit* h = hit_at(title_end - 1);
        if (!h || h->what != hit_kind::word || h->begin <= start || h->end != title_end) break;
        bool capitals = true;
        for (std::size_t i = h->begin; i < h->end; ++i)
            capitals = capitals && letters(i).letters >= 2 && letters(i).uppers == letters(i).letters;
        bool take = false;
        if (h->word->what == kind::edition)
            take = !(h->word->flags & no_pre_year) && (capitals || h->end - h->begin >= 2);
        else if (h->word->what == kind::three_d)
            take = dotted && raw(h->begin) == "3D";
        else
            take = capitals || (dotted && (h->word->flags & language));
        if (!take) break;
        bool words_left = false;
        for (std::size_t i = start; i < h->begin && !words_left; ++i)
            words_left = !is_article(i);
        if (!words_left) break;
        title_end = h->begin;
    }

    // An alternative title: "Blue.Hour.AKA.Hora.Azul.2003", "Northern Winds (Vents du Nord) 2005",
    // "Quiet Streets (Ana Ruiz) (1998)". A bracket that continues the title stays: "Birdman or (The
    // Unexpected Virtue of Ignorance)", "Birds of Prey (And the Fantabulous ...)".
    std::size_t alt_begin = 0;
    std::size_t alt_end = 0;
    for (std::size_t i = start + 1; i + 1 < title_end; ++i) {
        if (tokens_[i].group < 0 && key(i) == "aka" && !hit_at(i + 1)) {
            alt_begin = i + 1;
            alt_end = title_end;
            title_end = i;
            break;
        }
    }
    if (alt_end == 0 && title_end > start + 1 && in_title_group(title_end - 1)) {
        const auto& g = groups_[static_cast<std::size_t>(tokens_[title_end - 1].group)];
        const auto first = key(g.first_token);
        if (g.end_token == title_end && g.first_token > start && key(g.first_token - 1) != "or" &&
            first != "and" && first != "or" && g.first_token < g.end_token) {
            alt_begin = g.first_token;
            alt_end = g.end_token;
            title_end = g.first_token;
        }
    }

    name.title = title_text(start, title_end);
    restore_colons(name.title);
    if (alt_end > alt_begin) {
        std::string alt = title_text(alt_begin, alt_end);
        if (!alt.empty() && alt.front() == '(') alt.erase(0, 1);
        if (!alt.empty() && alt.back() == ')') alt.pop_back();
        restore_colons(alt);
        if (!alt.empty()) name.alternative_title = std::move(alt);
    }

    // Everything outside the title: markers, ids, parts.
    for (std::size_t n = 0; n < hit_count_; ++n) {
        const hit& h = hits_[n];
        if (((h.begin >= start && h.begin < title_end) || (h.begin >= alt_begin && h.begin < alt_end)) &&
            !(tokens_[h.begin].group >= 0 && !in_title_group(h.begin)))
            continue;
        switch (h.what) {
        case hit_kind::imdb: {
            auto k = key(h.end - 1);
            if (!name.imdb_id) name.imdb_id = std::string(k);
            break;
        }
        case hit_kind::tmdb:
            if (!name.tmdb_id) name.tmdb_id = h.number;
            break;
        case hit_kind::part:
            if (!name.part) name.part = static_cast<int>(h.number);
            break;
        case hit_kind::word: {
            const keyword& w = *h.word;
            switch (w.what) {
            case kind::resolution:
                if (!name.resolution) name.resolution.emplace(w.value);
                break;
            case kind::source:
                if (!name.source || ((w.flags & beats) && *name.source != w.value))
                    name.source.emplace(w.value);
                break;
            case kind::video_codec:
                if (!name.video_codec) name.video_codec.emplace(w.value);
                break;
            case kind::audio_codec:
                if (!name.audio_codec) {
                    name.audio_codec.emplace(w.value);
                } else if ((w.flags & atmos) && name.audio_codec->find("Atmos") == std::string::npos) {
                    *name.audio_codec += " Atmos";
                } else if (*name.audio_codec == "Atmos" && !(w.flags & atmos)) {
                    name.audio_codec = std::string(w.value) + " Atmos";
                }
                break;
            case kind::edition:
                if (!name.edition) {
                    name.edition.emplace(w.value);
                } else if (name.edition->find(w.value) == std::string::npos) {
                    *name.edition += ' ';
                    *name.edition += w.value;
                }
                break;
            case kind::three_d:
                name.three_d = true;
                break;
            case kind::noise:
                break;
            }
            break;
        }
        }
    }
    for (std::size_t g = 0; g < group_count_; ++g) {
        if (!groups_[g].edition_only) continue;
        auto value = text_.substr(groups_[g].begin + 8, groups_[g].end - groups_[g].begin - 8);
        if (!value.empty()) name.edition = std::string(value);
    }
    // A named cut after a bracketed year: "Superman II (1980) The Richard Donner Cut".
    if (!name.edition && result.year_in_brackets && year_index < count_ && tokens_[year_index].group >= 0) {
        std::size_t first = groups_[static_cast<std::size_t>(tokens_[year_index].group)].end_token;
        bool words = first < count_ && count_ - first <= 5;
        for (std::size_t i = first; i < count_ && words; ++i)
            words = tokens_[i].group < 0 && !hit_at(i) && letters(i).letters == static_cast<unsigned>(tokens_[i].end - tokens_[i].begin) &&
                    (i == first || gap_before(i) == " ");
        if (words && (key(count_ - 1) == "cut" || key(count_ - 1) == "edition")) {
            if (key(first) == "the" && count_ - first > 2) ++first;
            name.edition = title_text(first, count_);
        }
    }
    release_group(std::max({title_end, start, alt_end}), name);
    if (!name.release_group && !prefix_group.empty()) name.release_group = std::string(prefix_group);
    return result;
}

// ---------------------------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------------------------

constexpr std::string_view video_extensions[] = {
    "mkv",  "mp4", "avi",  "m4v",  "mov", "wmv",  "ts",  "m2ts",   "mts",  "iso",  "img", "mpg",
    "mpeg", "mpe", "flv",  "webm", "vob", "ifo",  "bup", "bdmv",   "divx", "xvid", "ogm", "ogv",
    "3gp",  "rm",  "rmvb", "asf",  "m2v", "strm", "wtv", "dvr-ms", "f4v",  "mk3d"};

/// A folder or file-name word that marks extras ("Featurettes", "behind_the_scenes").
bool extras_folder(std::string_view name, bool has_parent) {
    if (name.size() > 24 || name.size() < 5) return false;
    std::array<char, 48> buf;
    std::size_t len = 0;
    for (char c : name) {
        if (c == ' ' || c == '_' || c == '-' || c == '.') continue;
        // "Heat (1995)" and "1080p" are never extras words
        if (!is_alpha(static_cast<unsigned char>(c)) || len == buf.size()) return false;
        buf[len++] = to_lower(c);
    }
    std::string_view n(buf.data(), len);
    static constexpr std::string_view always[] = {
        "extras",       "extra",         "featurettes",     "featurette", "behindthescenes", "deletedscenes",
        "deletedscene", "interviews",    "trailers",        "trailer",    "sample",          "samples",
        "bonus",        "bonusfeatures", "specialfeatures", "makingof"};
    // Words that can also name a library's own folder ("Shorts/", "Other/") count only inside a folder.
    static constexpr std::string_view nested[] = {"shorts", "scenes", "other", "others", "clips", "short"};
    for (auto w : always)
        if (n == w) return true;
    if (has_parent)
        for (auto w : nested)
            if (n == w) return true;
    return false;
}

/// Up to eight lower-cased ASCII bytes packed into one number, for quick comparisons of short words.
constexpr std::uint64_t pack_lower(std::string_view s) {
    if (s.size() > 8) return 0;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < s.size(); ++i)
        v |= std::uint64_t(static_cast<unsigned char>(lower_case[static_cast<unsigned char>(s[i])]))
             << (8 * i);
    return v;
}

bool is_video_extension(std::string_view ext) {
    static constexpr auto packed = [] {
        std::array<std::uint64_t, std::size(video_extensions)> p{};
        for (std::size_t i = 0; i < p.size(); ++i)
            p[i] = pack_lower(video_extensions[i]);
        return p;
    }();
    const std::uint64_t v = pack_lower(ext);
    if (v == 0) return false;
    for (auto p : packed)
        if (p == v) return true;
    return false;
}

struct path_parts {
    struct span {
        std::uint32_t begin;
        std::uint32_t end;
    };
    std::string_view path;
    std::array<span, 32> dir_spans; ///< filled up to dir_count, the nearest folders last
    std::size_t dir_count = 0;
    std::string_view file;
    std::string_view stem;
    std::string_view extension;
    bool known_extension = false;

    [[nodiscard]] std::string_view dir(std::size_t i) const {
        return path.substr(dir_spans[i].begin, dir_spans[i].end - dir_spans[i].begin);
    }
};

path_parts split_path(std::string_view path) {
    path_parts p;
    path = path.substr(0, std::min<std::size_t>(path.size(), 0xFFFFFFF0u));
    p.path = path;
    const std::size_t n = path.size();
    // Windows paths use backslashes; a path never mixes both in practice.
    const char separator =
        path.find('/') == std::string_view::npos && path.find('\\') != std::string_view::npos ? '\\' : '/';
    std::size_t begin = 0;
    std::size_t last_begin = 0;
    std::size_t last_end = 0;
    bool have_last = false;
    while (begin <= n) {
        std::size_t end = path.find(separator, begin);
        if (end == std::string_view::npos) end = n;
        const std::size_t len = end - begin;
        if (len > 0 && !(len == 1 && path[begin] == '.')) {
            if (have_last) {
                if (p.dir_count == p.dir_spans.size()) {
                    // keep the nearest folders
                    for (std::size_t i = 1; i < p.dir_spans.size(); ++i)
                        p.dir_spans[i - 1] = p.dir_spans[i];
                    --p.dir_count;
                }
                p.dir_spans[p.dir_count++] = {static_cast<std::uint32_t>(last_begin),
                                              static_cast<std::uint32_t>(last_end)};
            }
            last_begin = begin;
            last_end = end;
            have_last = true;
        }
        begin = end + 1;
    }
    std::string_view last = have_last ? path.substr(last_begin, last_end - last_begin) : std::string_view{};
    p.file = last;
    p.stem = last;
    auto dot = last.rfind('.');
    if (dot != std::string_view::npos && dot + 1 < last.size() && dot > 0) {
        auto ext = last.substr(dot + 1);
        if (is_video_extension(ext)) {
            p.extension = ext;
            p.known_extension = true;
            p.stem = last.substr(0, dot);
        }
    }
    return p;
}

/// True when `word` (compared case-insensitively) is one of `words`, all of them eight bytes or shorter.
template <std::size_t N> bool is_one_of(std::string_view word, const std::array<std::string_view, N>& words) {
    const std::uint64_t v = pack_lower(word);
    if (v == 0) return false;
    for (auto w : words)
        if (pack_lower(w) == v) return true;
    return false;
}

/// Folders of a disc structure, named after nothing.
bool is_structure_folder(std::string_view name) {
    static constexpr std::array<std::string_view, 11> names = {"bdmv",     "video_ts", "audio_ts", "stream",
                                                               "playlist", "clipinf",  "backup",   "meta",
                                                               "jar",      "bdjo",     "auxdata"};
    return is_one_of(name, names) || iequals(name, "certificate");
}

/// File names that say nothing about the movie ("movie.mkv", "index.bdmv").
/// A name made of hex runs ("A93f0c1e-77bd2e10-4c1a9f", a UUID): a download tool's hash, no title.
bool looks_hashed(std::string_view title) {
    std::size_t hex = 0, digits = 0, words = 0, word = 0;
    for (std::size_t i = 0; i <= title.size(); ++i) {
        const char c = i < title.size() ? to_lower(title[i]) : ' ';
        if (c == ' ' || c == '-') {
            if (word > 0 && word < 6) return false; // short words are words
            words += word > 0;
            word = 0;
            continue;
        }
        if (!is_digit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) return false;
        digits += is_digit(static_cast<unsigned char>(c));
        ++hex;
        ++word;
    }
    return words > 0 && hex >= 12 && digits >= 3 && digits < hex;
}

bool uninformative(const parsed_name& name) {
    if (name.title.empty() || looks_hashed(name.title)) return true;
    static constexpr std::array<std::string_view, 10> names = {
        "movie", "video", "film", "index", "main", "feature", "title", "vts", "video ts", "bdmv"};
    return is_one_of(name.title, names) || iequals(name.title, "main feature");
}

bool same_title(std::string_view a, std::string_view b) {
    return normalized_title(a) == normalized_title(b);
}

void fill_missing(parsed_name& into, parsed_name&& from) {
    if (!into.resolution) into.resolution = std::move(from.resolution);
    if (!into.source) into.source = std::move(from.source);
    if (!into.video_codec) into.video_codec = std::move(from.video_codec);
    if (!into.audio_codec) into.audio_codec = std::move(from.audio_codec);
    if (!into.edition) into.edition = std::move(from.edition);
    into.three_d = into.three_d || from.three_d;
    if (!into.part) into.part = from.part;
    if (!into.imdb_id) into.imdb_id = std::move(from.imdb_id);
    if (!into.tmdb_id) into.tmdb_id = from.tmdb_id;
    if (!into.release_group) into.release_group = std::move(from.release_group);
    if (!into.alternative_title && into.title == from.title)
        into.alternative_title = std::move(from.alternative_title);
}

/// "... Part 2" at the end of a title, as a number.
int trailing_part(std::string_view title) {
    auto space = title.rfind(' ');
    if (space == std::string_view::npos || space == 0) return 0;
    auto number = title.substr(space + 1);
    auto before = title.substr(0, space);
    auto word_start = before.rfind(' ');
    auto word = word_start == std::string_view::npos ? before : before.substr(word_start + 1);
    if (!iequals(word, "part") && !iequals(word, "pt") && !iequals(word, "pt.")) return 0;
    return all_digits(number) && number.size() <= 2 ? to_int(number) : 0;
}

} // namespace

parsed_name parse_name(std::string_view relative_path) {
    path_parts path = split_path(relative_path);

    // Disc structures are one movie named after the folder that holds them.
    std::size_t dir_limit = path.dir_count;
    std::optional<std::string_view> disc;
    for (std::size_t i = path.dir_count; i-- > 0;) {
        if (iequals(path.dir(i), "BDMV")) {
            disc = "bdmv";
            dir_limit = i;
            break;
        }
        if (iequals(path.dir(i), "VIDEO_TS")) {
            disc = "video_ts";
            dir_limit = i;
            break;
        }
    }
    if (!disc && path.known_extension) {
        if (iequals(path.extension, "bdmv"))
            disc = "bdmv";
        else if ((iequals(path.extension, "ifo") || iequals(path.extension, "vob") ||
                  iequals(path.extension, "bup")) &&
                 (iequals(path.stem, "VIDEO_TS") || istarts_with(path.stem, "VTS_")))
            disc = "video_ts";
    }

    std::optional<segment_name> file;
    if (!disc && !path.stem.empty()) file = segment(path.stem).parse();

    // The movie folder: the nearest one that has a title of its own (not "CD1", "BDMV", "Extras", "1080p").
    std::optional<segment_name> folder;
    std::optional<int> folder_part;
    for (std::size_t i = dir_limit; i-- > 0;) {
        auto dir = path.dir(i);
        if (is_structure_folder(dir) || extras_folder(dir, i > 0)) continue;
        // "Title (Year)/Title (Year).mkv", the most common layout: the folder says what the file says
        if (file && dir == path.stem) break;
        segment_name parsed = segment(dir).parse();
        if (parsed.name.title.empty()) {
            if (!folder_part) folder_part = parsed.name.part;
            continue;
        }
        // "Ran (1985)/ran/VIDEO_TS": a folder without a year inside the same movie's "Title (Year)"
        for (std::size_t up = i; !parsed.name.year && up-- > 0;) {
            segment_name outer = segment(path.dir(up)).parse();
            if (!outer.name.year || !same_title(outer.name.title, parsed.name.title)) break;
            parsed = std::move(outer);
        }
        folder = std::move(parsed);
        break;
    }

    parsed_name result;
    bool use_folder = false;
    if (folder) {
        const parsed_name& d = folder->name;
        if (!file || uninformative(file->name)) {
            use_folder = true;
        } else if (d.year) {
            const parsed_name& f = file->name;
            if (!f.year) {
                use_folder = true;
            } else if (*f.year == *d.year) {
                // "Harbour Saga (2010)/(2)The Second Tide (2010).mkv": a numbered film names itself
                use_folder = (folder->year_in_brackets && !file->numbered) || same_title(f.title, d.title);
            } else {
                // "Wonder Woman 1984 (2020)/Wonder.Woman.1984.1080p.mkv"
                use_folder = same_title(f.title + ' ' + std::to_string(*f.year), d.title);
            }
        }
    }
    if (use_folder && file) {
        // the folder names the movie; the file's own markers come first, then the folder's
        result = std::move(file->name);
        // "... Part 1 (2010)/... Part 1.mkv": the folder's title already holds the words
        if (file->part_from_words && result.part && trailing_part(folder->name.title) == *result.part)
            result.part.reset();
        result.title = std::move(folder->name.title);
        result.year = folder->name.year;
        if (folder->name.alternative_title) result.alternative_title = std::move(folder->name.alternative_title);
        fill_missing(result, std::move(folder->name));
    } else if (use_folder) {
        result = std::move(folder->name);
    } else if (file) {
        result = std::move(file->name);
        if (folder) fill_missing(result, std::move(folder->name));
    } else if (folder) {
        result = std::move(folder->name);
    }
    if (!result.part && folder_part) result.part = folder_part;
    // Composed and decomposed spellings of one name show (and sort) the same.
    if (!is_ascii(result.title)) result.title = nfc(result.title);
    if (result.alternative_title && !is_ascii(*result.alternative_title))
        result.alternative_title = nfc(*result.alternative_title);

    if (disc) {
        result.container = std::string(*disc);
        if (!result.source) result.source = *disc == "bdmv" ? "BluRay" : "DVD";
    } else if (path.known_extension) {
        std::string ext(path.extension);
        for (char& c : ext)
            c = to_lower(c);
        result.container = std::move(ext);
    }
    return result;
}

bool is_extra(std::string_view relative_path) {
    path_parts path = split_path(relative_path);
    for (std::size_t i = 0; i < path.dir_count; ++i)
        if (extras_folder(path.dir(i), i > 0)) return true;
    std::string_view stem = path.stem;
    // a file named just "trailer.mp4" or "sample.mkv"
    for (std::string_view word : {"trailer", "sample", "trailers", "samples"})
        if (iequals(stem, word)) return true;
    // Scene samples: "sample-the.matrix.mkv", "the.matrix-sample.mkv", "the.matrix.sample.mkv".
    if (istarts_with(stem, "sample-") || istarts_with(stem, "sample.") || istarts_with(stem, "sample_"))
        return true;
    // Plex and Jellyfin suffixes: "Movie (1999)-trailer.mkv", "-behindthescenes", "-deleted" ...
    while (!stem.empty() && is_digit(static_cast<unsigned char>(stem.back())))
        stem.remove_suffix(1);
    while (!stem.empty() && (stem.back() == '-' || stem.back() == ' ' || stem.back() == '_'))
        stem.remove_suffix(1);
    static constexpr std::string_view dash_only[] = {
        "behindthescenes", "deleted", "deletedscene", "featurette", "interview", "scene",
        "short",           "other",   "extra",        "clip",       "trailer",   "sample"};
    for (auto marker : dash_only) {
        if (stem.size() > marker.size() + 1 && iends_with(stem, marker)) {
            char sep = stem[stem.size() - marker.size() - 1];
            if (sep == '-') return true;
            if ((sep == '.' || sep == '_') && (marker == "trailer" || marker == "sample")) return true;
        }
    }
    return false;
}

boost::json::object to_json(const parsed_name& name) {
    boost::json::object o;
    o["title"] = name.title;
    o["year"] = name.year ? boost::json::value(*name.year) : boost::json::value(nullptr);
    auto text = [](const std::optional<std::string>& v) {
        return v ? boost::json::value(*v) : boost::json::value(nullptr);
    };
    o["resolution"] = text(name.resolution);
    o["source"] = text(name.source);
    o["video_codec"] = text(name.video_codec);
    o["audio_codec"] = text(name.audio_codec);
    o["edition"] = text(name.edition);
    o["three_d"] = name.three_d;
    o["part"] = name.part ? boost::json::value(*name.part) : boost::json::value(nullptr);
    o["imdb_id"] = text(name.imdb_id);
    o["tmdb_id"] = name.tmdb_id ? boost::json::value(*name.tmdb_id) : boost::json::value(nullptr);
    o["release_group"] = text(name.release_group);
    o["container"] = text(name.container);
    o["alternative_title"] = text(name.alternative_title);
    return o;
}

std::string normalized_title(std::string_view title) {
    // 1. words of the folded title (case, composition and diacritics by fold_text), remembering which
    //    words were joined to the one before by a single dot
    struct word {
        std::uint16_t begin;
        std::uint16_t size;
        bool after_dot;
    };
    const std::string folded = fold_text(title.substr(0, std::min(title.size(), max_segment)));
    std::string letters;
    letters.reserve(folded.size() + 8);
    std::array<word, 64> words;
    std::size_t count = 0;
    bool in_word = false;
    std::string_view gap;
    std::size_t gap_begin = 0;
    const std::string_view f = folded;
    const auto* s = reinterpret_cast<const unsigned char*>(f.data());
    const std::size_t n = f.size();
    auto put = [&](std::string_view piece, std::size_t at) {
        if (!in_word) {
            if (count == words.size()) return;
            gap = f.substr(gap_begin, at - gap_begin);
            words[count++] = {static_cast<std::uint16_t>(letters.size()), 0, gap == "."};
            in_word = true;
        }
        letters += piece;
        words[count - 1].size = static_cast<std::uint16_t>(words[count - 1].size + piece.size());
    };
    auto end_word = [&](std::size_t at) {
        if (in_word) gap_begin = at;
        in_word = false;
    };
    for (std::size_t i = 0; i < n;) {
        const unsigned char c = s[i];
        if (is_lower(c) || is_digit(c)) {
            put(f.substr(i, 1), i);
            ++i;
        } else if (c == '\'' || c == '`') {
            // "Ocean's" == "Oceans"
            ++i;
        } else if (c == 0xE2 && i + 2 < n && s[i + 1] == 0x80 && (s[i + 2] == 0x99 || s[i + 2] == 0x98)) {
            i += 3;
        } else if (c == '&') {
            end_word(i);
            put("and", i);
            end_word(i + 1);
            ++i;
        } else if (c < 0x80) {
            end_word(i);
            ++i;
        } else {
            // other scripts' letters are words, their punctuation ("–", "…", "«") separates
            const utf8_char ch = next_char(f.substr(i));
            if (ch.word)
                put(f.substr(i, ch.size), i);
            else
                end_word(i);
            i += ch.size;
        }
    }
    // 2. join them; single letters joined by dots are one word ("S.W.A.T." -> "swat")
    std::string out;
    out.reserve(letters.size() + count);
    for (std::size_t i = 0; i < count; ++i) {
        const word& w = words[i];
        bool acronym = i > 0 && w.after_dot && w.size == 1 && words[i - 1].size == 1;
        if (i > 0 && !acronym) out += ' ';
        out.append(letters, w.begin, w.size);
    }
    // 3. articles: "the matrix" and "matrix, the" -> "matrix"
    std::string_view result = out;
    for (std::string_view article : {"the ", "a ", "an "}) {
        if (result.size() > article.size() && result.substr(0, article.size()) == article) {
            result.remove_prefix(article.size());
            break;
        }
    }
    std::string_view trimmed = title;
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '.'))
        trimmed.remove_suffix(1);
    for (std::string_view article : {"the", "a", "an"}) {
        auto comma = trimmed.rfind(',');
        if (comma == std::string_view::npos) break;
        auto tail = trimmed.substr(comma + 1);
        while (!tail.empty() && (tail.front() == ' ' || tail.front() == '.' || tail.front() == '_'))
            tail.remove_prefix(1);
        if (iequals(tail, article) && result.size() > article.size() + 1) {
            result.remove_suffix(article.size() + 1);
            break;
        }
    }
    return std::string(result);
}

} // namespace mediabase
