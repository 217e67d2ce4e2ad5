#include "mediabase/providers/matching.hpp"
#include "mediabase/naming/fold.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <set>

namespace mediabase::providers {

namespace {

std::string roman_to_digits(const std::string& word) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> numerals{
        {{"ii", "2"}, {"iii", "3"}, {"iv", "4"}, {"vi", "6"}, {"vii", "7"}, {"viii", "8"}, {"ix", "9"}}};
    for (const auto& [roman, digits] : numerals)
        if (word == roman) return std::string(digits);
    return word;
}

std::vector<std::string> split_words(std::string_view s) {
    std::vector<std::string> words;
    std::string current;
    for (char c : s) {
        if (c == ' ') {
            if (!current.empty()) words.push_back(std::move(current));
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty()) words.push_back(std::move(current));
    return words;
}

bool is_article(const std::string& w) {
    return w == "the" || w == "a" || w == "an";
}

std::string lower_trimmed(std::string_view s) {
    std::string out;
    for (char c : s)
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!out.empty() && (out.back() == ' ' || out.back() == '.'))
        out.pop_back();
    return out;
}

std::set<std::string> bigrams(const std::string& key) {
    std::string joined;
    for (char c : key)
        if (c != ' ') joined += c;
    std::set<std::string> out;
    for (std::size_t i = 0; i + 1 < joined.size(); ++i)
        out.insert(joined.substr(i, 2));
    return out;
}

template <class Set> double dice(const Set& a, const Set& b) {
    if (a.empty() || b.empty()) return 0;
    std::size_t common = 0;
    for (const auto& x : a)
        common += b.count(x);
    return 2.0 * static_cast<double>(common) / static_cast<double>(a.size() + b.size());
}

double year_score(std::optional<int> wanted, std::optional<int> found) {
    if (!wanted || !found) return 0.7;
    switch (std::abs(*wanted - *found)) {
    case 0:
        return 1.0;
    case 1:
        return 0.85; // release dates differ between countries and festivals
    case 2:
        return 0.5;
    default:
        return 0.1;
    }
}

double best_title_score(const search_candidate& c, const movie_hints& hints) {
    std::vector<std::string_view> wanted{hints.title};
    if (hints.original_title) wanted.push_back(*hints.original_title);
    if (hints.name_title) wanted.push_back(*hints.name_title);
    if (hints.alternative_title) wanted.push_back(*hints.alternative_title);
    double best = 0;
    for (auto w : wanted) {
        if (w.empty()) continue;
        best = std::max(best, title_similarity(w, c.title));
        if (c.original_title) best = std::max(best, title_similarity(w, *c.original_title));
    }
    return best;
}

void add_step(std::vector<lookup_step>& plan, lookup_step step) {
    if (std::find(plan.begin(), plan.end(), step) == plan.end()) plan.push_back(std::move(step));
}

void add_searches(std::vector<lookup_step>& plan, const std::string& query, std::optional<int> year) {
    if (match_key(query).empty()) return;
    if (year) add_step(plan, {lookup_step::kind_type::search, 0, {}, query, year});
    add_step(plan, {lookup_step::kind_type::search, 0, {}, query, std::nullopt});
}

} // namespace

std::string match_key(std::string_view title) {
    // Case, composition and diacritics by the one folding the catalogue and the parser use too.
    const std::string folded = fold_text(title);
    const std::string_view f = folded;
    std::string spaced;
    for (std::size_t i = 0; i < f.size();) {
        const auto c = static_cast<unsigned char>(f[i]);
        if (c < 0x80 && std::isalnum(c)) {
            spaced += static_cast<char>(c);
            ++i;
        } else if (c == '\'' || c == '`') {
            ++i; // "Ocean's" is one word
        } else if (c == '&' || c == '+') {
            spaced += " and ";
            ++i;
        } else if (c == 0xE2 && i + 2 < f.size() && f[i + 1] == '\x80' && (f[i + 2] == '\x98' || f[i + 2] == '\x99')) {
            i += 3; // typographic apostrophes
        } else if (c >= 0x80) {
            // other scripts' letters stay as they are, their punctuation separates
            const utf8_char ch = next_char(f.substr(i));
            spaced += ch.word ? f.substr(i, ch.size) : std::string_view(" ");
            i += ch.size;
        } else {
            spaced += ' ';
            ++i;
        }
    }
    auto words = split_words(spaced);

    // "S.W.A.T." and "S W A T" both read "swat": runs of single letters are joined.
    const auto& merged = words;
    std::vector<std::string> joined;
    for (std::size_t i = 0; i < merged.size();) {
        std::size_t j = i;
        while (j < merged.size() && merged[j].size() == 1 &&
               std::isalpha(static_cast<unsigned char>(merged[j][0])))
            ++j;
        if (j - i >= 2) {
            std::string acronym;
            for (std::size_t k = i; k < j; ++k)
                acronym += merged[k];
            joined.push_back(std::move(acronym));
            i = j;
        } else {
            joined.push_back(roman_to_digits(merged[i]));
            ++i;
        }
    }

    // Articles: "The Matrix" and "Matrix, The" are the same title; a title that is only an article stays.
    const auto lowered = lower_trimmed(title);
    const bool trailing_article =
        lowered.ends_with(", the") || lowered.ends_with(", a") || lowered.ends_with(", an");
    if (joined.size() > 1 && trailing_article && is_article(joined.back())) joined.pop_back();
    if (joined.size() > 1 && is_article(joined.front())) joined.erase(joined.begin());

    std::string key;
    for (const auto& w : joined) {
        if (!key.empty()) key += ' ';
        key += w;
    }
    return key;
}

double title_similarity(std::string_view a, std::string_view b) {
    const auto ka = match_key(a), kb = match_key(b);
    if (ka.empty() || kb.empty()) return 0;
    if (ka == kb) return 1.0;
    auto without_spaces = [](std::string s) {
        s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
        return s;
    };
    // "Spider-Man" and "Spiderman".
    if (without_spaces(ka) == without_spaces(kb)) return 0.95;
    const auto wa = split_words(ka), wb = split_words(kb);
    const double words =
        dice(std::set<std::string>(wa.begin(), wa.end()), std::set<std::string>(wb.begin(), wb.end()));
    // Letter pairs catch small spelling differences ("The Matix") but count for less than whole words.
    // Capped so that a letter-only likeness never makes a confident match on its own.
    const double letters = 0.7 * dice(bigrams(ka), bigrams(kb));
    return std::min(0.9, std::max(words, letters));
}

movie_hints make_hints(const found_movie& found, const std::optional<nfo_data>& nfo) {
    movie_hints hints;
    hints.title = found.title;
    hints.year = found.year;
    hints.tmdb_id = found.tmdb_id;
    hints.imdb_id = found.imdb_id;
    if (found.alternative_title && match_key(*found.alternative_title) != match_key(found.title))
        hints.alternative_title = found.alternative_title;
    if (!nfo) return hints;
    if (nfo->title && match_key(*nfo->title) != "") {
        if (!found.title.empty() && match_key(found.title) != match_key(*nfo->title))
            hints.name_title = found.title;
        hints.title = *nfo->title;
    }
    if (nfo->year) hints.year = nfo->year;
    if (nfo->original_title && match_key(*nfo->original_title) != match_key(hints.title))
        hints.original_title = nfo->original_title;
    if (!hints.tmdb_id) hints.tmdb_id = nfo->tmdb_id;
    if (!hints.imdb_id) hints.imdb_id = nfo->imdb_id;
    return hints;
}

std::vector<lookup_step> plan_lookup(const movie_hints& hints) {
    std::vector<lookup_step> plan;
    if (hints.tmdb_id && *hints.tmdb_id > 0)
        add_step(plan, {lookup_step::kind_type::by_tmdb_id, *hints.tmdb_id, {}, {}, {}});
    if (hints.imdb_id && !hints.imdb_id->empty())
        add_step(plan, {lookup_step::kind_type::by_imdb_id, 0, *hints.imdb_id, {}, {}});
    add_searches(plan, hints.title, hints.year);
    if (hints.original_title) add_searches(plan, *hints.original_title, hints.year);
    if (hints.name_title) add_searches(plan, *hints.name_title, hints.year);
    if (hints.alternative_title) add_searches(plan, *hints.alternative_title, hints.year);
    return plan;
}

std::vector<scored_candidate> score_candidates(const std::vector<search_candidate>& candidates,
                                               const movie_hints& hints) {
    std::vector<scored_candidate> scored;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const double title = best_title_score(candidates[i], hints);
        const double confidence = 0.7 * title + 0.3 * year_score(hints.year, candidates[i].year);
        scored.push_back({i, std::clamp(confidence, 0.0, 1.0), title});
    }
    std::stable_sort(scored.begin(), scored.end(), [&](const scored_candidate& a, const scored_candidate& b) {
        if (std::fabs(a.confidence - b.confidence) > 1e-9) return a.confidence > b.confidence;
        return candidates[a.index].popularity > candidates[b.index].popularity;
    });
    // Two different movies that fit equally well (a remake, no year in the name): not sure enough.
    if (scored.size() >= 2 && scored[0].confidence - scored[1].confidence < 0.02 &&
        candidates[scored[0].index].tmdb_id != candidates[scored[1].index].tmdb_id)
        scored[0].confidence *= 0.85;
    return scored;
}

std::optional<match_choice> choose_best(const std::vector<search_candidate>& candidates,
                                        const movie_hints& hints, const match_thresholds& thresholds) {
    for (const auto& s : score_candidates(candidates, hints)) {
        if (s.title_score < thresholds.minimum_title) continue;
        if (s.confidence < thresholds.minimum) return std::nullopt;
        const auto state =
            s.confidence >= thresholds.identified ? match_state::identified : match_state::review;
        return match_choice{s.index, s.confidence, state};
    }
    return std::nullopt;
}

} // namespace mediabase::providers
