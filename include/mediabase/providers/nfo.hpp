#pragma once
/// Local metadata first: Kodi `.nfo` files and art lying next to a movie file. Pure code (pugixml and the
/// filesystem), no Asio.

#include "mediabase/model/model.hpp"
#include "mediabase/providers/provider_error.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mediabase::providers {

/// One rating in an NFO (`<ratings><rating name="imdb">` or the legacy `<rating>`).
struct nfo_rating {
    std::string name; ///< "imdb", "themoviedb", ... ("default" for a legacy `<rating>`)
    double value = 0;
    std::optional<std::int64_t> votes;
    bool is_default = false;
};

/// What a Kodi movie NFO says. Every field is optional: NFOs written by hand are often sparse.
struct nfo_data {
    std::optional<std::string> title;
    std::optional<std::string> original_title;
    std::optional<int> year; ///< `<year>`, or the year of `<premiered>`
    std::optional<std::string> plot;
    std::optional<std::string> tagline;
    std::optional<int> runtime; ///< minutes
    std::vector<std::string> genres;
    std::vector<std::string> countries;
    std::vector<credit> directors;
    std::vector<credit> writers; ///< `<credits>`
    std::vector<credit> actors;  ///< name and role, in `<order>` (or document) order
    std::vector<nfo_rating> ratings;
    std::optional<std::string> certification; ///< `<mpaa>`
    std::optional<std::int64_t> tmdb_id; ///< `<uniqueid type="tmdb">`, `<tmdbid>`, or a themoviedb.org URL
    std::optional<std::string>
        imdb_id; ///< `<uniqueid type="imdb">`, `<imdbid>`, `<id>tt...</id>`, or an IMDb URL
    std::optional<std::string> collection; ///< `<set><name>` (or the legacy `<set>text</set>`)

    /// True when the NFO carries nothing usable (an empty `<movie/>`).
    [[nodiscard]] bool empty() const;
};

/// Parses the text of a movie NFO. Besides the XML form, accepts Kodi's "URL NFO" (a file holding just an
/// IMDb or TMDB link, possibly after the XML). Garbage gives an error value, never an exception.
[[nodiscard]] result<nfo_data> parse_nfo(std::string_view text);

/// The NFO that belongs to a movie file: `<file stem>.nfo`, then `movie.nfo` in the same folder (only when
/// the folder is small enough to be the movie's own, at most 512 entries: in a flat folder of many movies
/// `movie.nfo` belongs to none of them); for a disc structure (`BDMV/index.bdmv`, `VIDEO_TS/VIDEO_TS.IFO`,
/// or the disc folder itself) also in the movie's folder above it. nullopt when there is none, it is
/// unreadable, larger than 1 MiB, or not a usable NFO.
[[nodiscard]] std::optional<nfo_data> read_nfo_for(const std::filesystem::path& movie_file);

/// A movie made from an NFO alone (offline, or before any provider is asked). `match` stays unidentified.
[[nodiscard]] movie movie_from_nfo(const nfo_data& nfo);

/// Lays what the NFO says over a movie (local metadata wins over the provider's): set scalar fields replace
/// the movie's, non-empty lists replace the movie's lists; ids are only filled in when the movie has none.
void apply_nfo(const nfo_data& nfo, movie& m);

/// Art found next to a movie file.
struct local_art {
    std::optional<std::filesystem::path>
        poster; ///< `<stem>-poster`, `poster`, `folder`, `cover` (.jpg/.jpeg/.png/.webp)
    std::optional<std::filesystem::path>
        backdrop; ///< `<stem>-fanart`, `<stem>-backdrop`, `fanart`, `backdrop`
};

/// Looks for poster and backdrop files next to a movie file (and, for a disc structure, in the movie's
/// folder above `BDMV`/`VIDEO_TS`). File-specific names win over folder-wide ones; names match
/// case-insensitively in a movie's own folder, and only the file-specific names (exactly) count in a flat
/// folder of more than 512 entries. Only regular, non-empty files count. Never throws.
[[nodiscard]] local_art find_local_art(const std::filesystem::path& movie_file);

} // namespace mediabase::providers
