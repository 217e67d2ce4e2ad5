#pragma once
/// Choosing which TMDB movie a found movie is, and in which order to ask. Pure code, no Asio: the plan and
/// the choice are plain data, tested without a network.

#include "mediabase/model/model.hpp"
#include "mediabase/providers/nfo.hpp"
#include "mediabase/providers/tmdb.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mediabase::providers {

/// What is known about a movie before asking a provider: the file name's hints merged with a local NFO.
struct movie_hints {
    std::string title;
    std::optional<int> year;
    std::optional<std::string> original_title; ///< from an NFO
    std::optional<std::string> name_title;     ///< the file name's title when an NFO title replaced it
    std::optional<std::string> alternative_title; ///< the name's other title ("... (Vents du Nord)", "AKA ...")
    std::optional<std::int64_t> tmdb_id;
    std::optional<std::string> imdb_id;
};

/// Merges the file name's hints with an NFO. Ids from the name win, then the NFO's. The NFO's title and year
/// win over the file name's (a written NFO is more reliable than a scene name); the name's title is kept as
/// a last search if it differs.
[[nodiscard]] movie_hints make_hints(const found_movie& found, const std::optional<nfo_data>& nfo);

/// One request in a lookup plan.
struct lookup_step {
    enum class kind_type { by_tmdb_id, by_imdb_id, search };
    kind_type kind = kind_type::search;
    std::int64_t tmdb_id = 0; ///< by_tmdb_id: `/movie/{tmdb_id}`
    std::string imdb_id;      ///< by_imdb_id: `/find/{imdb_id}?external_source=imdb_id`
    std::string query;        ///< search: `/search/movie?query=`
    std::optional<int> year;  ///< search: `&primary_release_year=`
    friend bool operator==(const lookup_step&, const lookup_step&) = default;
};

/// The order of lookups: an id first (TMDB, then IMDb via /find), then a search with title and year, the
/// same without the year, then the original title (with the year, then without), then the file name's title
/// if an NFO title replaced it. Duplicate steps are left out; a step is tried only when the ones before it
/// found nothing good enough.
[[nodiscard]] std::vector<lookup_step> plan_lookup(const movie_hints& hints);

/// Lower-case ASCII letters and digits separated by single spaces: accents folded (UTF-8 Latin-1 letters),
/// "&" as "and", punctuation dropped, a leading article ("the", "a", "an") or a trailing ", The" removed.
/// "The Matrix" == "Matrix, The" == "the.matrix"; "Amélie" == "Amelie".
[[nodiscard]] std::string match_key(std::string_view title);

/// How alike two titles are, 0..1: 1 for equal match keys, otherwise a word-overlap score that stays low
/// for a short title inside a longer one ("Max" vs "Mad Max: Fury Road").
[[nodiscard]] double title_similarity(std::string_view a, std::string_view b);

/// Thresholds of the choice.
struct match_thresholds {
    double identified = 0.80;   ///< confidence at or above: identified; below: review
    double minimum = 0.45;      ///< confidence below: no match at all
    double minimum_title = 0.5; ///< a candidate whose title similarity is below this is never chosen
};

/// One scored candidate.
struct scored_candidate {
    std::size_t index = 0;  ///< into the candidate list
    double confidence = 0;  ///< 0..1
    double title_score = 0; ///< the title similarity part, 0..1
};

/// Scores every candidate: confidence = 0.7 * title similarity (best of title and original title on both
/// sides) + 0.3 * year score (same year 1, one year off 0.85, two 0.5, more 0.1, unknown 0.7). Sorted best
/// first; popularity only orders equal scores. When the two best are different movies with near-equal
/// scores (a remake without a year in the name), the best one's confidence is lowered so it goes to review.
[[nodiscard]] std::vector<scored_candidate> score_candidates(const std::vector<search_candidate>& candidates,
                                                             const movie_hints& hints);

/// The chosen candidate with its confidence and state (identified or review).
struct match_choice {
    std::size_t index = 0;
    double confidence = 0;
    match_state state = match_state::review;
};

/// The best candidate, or nullopt when none reaches `thresholds.minimum`.
[[nodiscard]] std::optional<match_choice> choose_best(const std::vector<search_candidate>& candidates,
                                                      const movie_hints& hints,
                                                      const match_thresholds& thresholds = {});

} // namespace mediabase::providers
