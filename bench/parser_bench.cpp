// Name parser benchmark: per-field accuracy over the corpus, and names parsed per second.
//
//   parser_bench --corpus tests/corpus/movie_names.tsv [--misses]
//   parser_bench --names names.txt [--seconds 3]
//
// Both may be given in one run. The speed run parses every line of the names file (one relative path
// per line) over and over on one thread until the time is up, and prints "mediabase <N> names/s".
#include "mediabase/naming/name_parser.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::array<std::string_view, 15> columns = {
    "path",    "title",   "year", "resolution", "source",  "video_codec",   "audio_codec",
    "edition", "three_d", "part", "imdb_id",    "tmdb_id", "release_group", "container", "alternative_title"};

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> cells;
    std::size_t begin = 0;
    while (true) {
        auto tab = line.find('\t', begin);
        cells.push_back(line.substr(begin, tab == std::string::npos ? std::string::npos : tab - begin));
        if (tab == std::string::npos) break;
        begin = tab + 1;
    }
    cells.resize(columns.size());
    return cells;
}

/// The fields of a parse as the corpus writes them: empty when absent.
std::array<std::string, 15> cells_of(std::string_view path, const mediabase::parsed_name& n) {
    auto text = [](const std::optional<std::string>& v) { return v ? *v : std::string(); };
    auto number = [](const auto& v) { return v ? std::to_string(*v) : std::string(); };
    return {std::string(path),     n.title,          number(n.year),
            text(n.resolution),    text(n.source),   text(n.video_codec),
            text(n.audio_codec),   text(n.edition),  n.three_d ? "true" : "",
            number(n.part),        text(n.imdb_id),  number(n.tmdb_id),
            text(n.release_group), text(n.container), text(n.alternative_title)};
}

int run_corpus(const std::string& file, bool show_misses) {
    std::ifstream in(file);
    if (!in) {
        std::cerr << "cannot read " << file << '\n';
        return 2;
    }
    std::array<std::size_t, 15> right{};
    std::size_t cases = 0;
    std::size_t title_year = 0;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#' || line.rfind("path\t", 0) == 0) continue;
        auto expected = split_tabs(line);
        auto got = cells_of(expected[0], mediabase::parse_name(expected[0]));
        ++cases;
        for (std::size_t c = 1; c < columns.size(); ++c) {
            if (got[c] == expected[c]) {
                ++right[c];
            } else {
                if (show_misses)
                    std::cout << "miss " << columns[c] << ": " << expected[0] << "\n    want '" << expected[c]
                              << "' got '" << got[c] << "'\n";
            }
        }
        if (got[1] == expected[1] && got[2] == expected[2]) ++title_year;
    }
    std::printf("corpus: %zu names\n", cases);
    for (std::size_t c = 1; c < columns.size(); ++c)
        std::printf("  %-17s %6.2f%%\n", std::string(columns[c]).c_str(),
                    cases ? 100.0 * double(right[c]) / double(cases) : 0.0);
    std::printf("  %-17s %6.2f%% (%zu/%zu)\n", "title+year",
                cases ? 100.0 * double(title_year) / double(cases) : 0.0, title_year, cases);
    return 0;
}

int run_speed(const std::string& file, double seconds) {
    std::ifstream in(file);
    if (!in) {
        std::cerr << "cannot read " << file << '\n';
        return 2;
    }
    std::vector<std::string> names;
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) names.push_back(line);
    if (names.empty()) {
        std::cerr << "no names in " << file << '\n';
        return 2;
    }
    std::size_t checksum = 0;
    // warm-up: first-use tables, caches
    for (std::size_t i = 0; i < names.size() && i < 5000; ++i)
        checksum += mediabase::parse_name(names[i]).title.size();
    // Parse the names round and round; the clock is read every 1,000 names, so a run lasts `seconds`
    // whatever the file's size.
    using clock = std::chrono::steady_clock;
    std::size_t parsed = 0;
    std::size_t next = 0;
    auto start = clock::now();
    std::chrono::duration<double> elapsed{};
    do {
        for (int i = 0; i < 1000; ++i) {
            checksum += mediabase::parse_name(names[next]).title.size();
            if (++next == names.size()) next = 0;
        }
        parsed += 1000;
        elapsed = clock::now() - start;
    } while (elapsed.count() < seconds);
    double rate = double(parsed) / elapsed.count();
    std::printf("mediabase %.0f names/s (%zu names, %zu parses in %.2f s, %.0f ns/name, checksum %zu)\n",
                rate, names.size(), parsed, elapsed.count(), 1e9 / rate, checksum);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::string corpus;
    std::string names;
    bool misses = false;
    double seconds = 3.0;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--corpus" && i + 1 < argc) {
            corpus = argv[++i];
        } else if (arg == "--names" && i + 1 < argc) {
            names = argv[++i];
        } else if (arg == "--seconds" && i + 1 < argc) {
            seconds = std::stod(argv[++i]);
        } else if (arg == "--misses") {
            misses = true;
        } else {
            std::cerr << "usage: parser_bench [--corpus FILE.tsv] [--misses] [--names FILE] [--seconds S]\n";
            return 2;
        }
    }
    if (corpus.empty() && names.empty()) {
        std::cerr << "usage: parser_bench [--corpus FILE.tsv] [--misses] [--names FILE] [--seconds S]\n";
        return 2;
    }
    if (!corpus.empty())
        if (int rc = run_corpus(corpus, misses); rc != 0) return rc;
    if (!names.empty())
        if (int rc = run_speed(names, seconds); rc != 0) return rc;
    return 0;
}
