#pragma once
/// The name parser: what a movie file's path says about the movie. Pure code, no I/O.

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mediabase {

/// Everything a path (relative to its media root) tells about a movie file.
struct parsed_name {
    std::string title; ///< cleaned, human-readable ("Blade Runner 2049", "S.W.A.T.", "The Matrix")
    std::optional<int> year;
    std::optional<std::string> resolution;  ///< "2160p", "1080p", "720p", "576p", "480p"
    std::optional<std::string> source;      ///< "BluRay", "Remux", "WEB-DL", "WEBRip", "HDTV", "DVD", ...
    std::optional<std::string> video_codec; ///< "x264", "x265", "HEVC", "AVC", "XviD", "AV1", ...
    std::optional<std::string> audio_codec; ///< "DTS", "DTS-HD MA", "TrueHD", "Atmos", "AC3", "AAC", ...
    std::optional<std::string> edition;     ///< "Director's Cut", "Extended", "IMAX", ...
    bool three_d = false;
    std::optional<int> part; ///< 1-based: cd1 -> 1, partB -> 2
    std::optional<std::string> imdb_id; ///< "tt0133093"
    std::optional<std::int64_t> tmdb_id;
    std::optional<std::string> release_group;
    std::optional<std::string> container; ///< lower-case extension, "bdmv" / "video_ts" for disc structures
    /// Another title the name gives ("Northern Winds (Vents du Nord)", "Blue Hour AKA Hora Azul"): a
    /// translation or working title, searched too when matching.
    std::optional<std::string> alternative_title;
};

/// Parses a path relative to its media root ("The Matrix (1999)/The.Matrix.1999.1080p.BluRay.x264-GRP.mkv").
/// Folder and file names are used together: an uninformative file name takes its title from the folder.
[[nodiscard]] parsed_name parse_name(std::string_view relative_path);

/// True when the path is an extra, not a movie: sample, trailer, extras, featurettes, behind the scenes,
/// deleted scenes, interviews, shorts ... (as a folder or as a file-name marker like "-trailer").
[[nodiscard]] bool is_extra(std::string_view relative_path);

/// The JSON of `mediabase parse` and `GET /api/v1/parse`: every field of parsed_name, missing ones null.
[[nodiscard]] boost::json::object to_json(const parsed_name& name);

/// Lower-cased title with punctuation, accents-as-bytes and leading articles normalised away, used to
/// decide whether two names denote the same movie ("The Matrix" == "Matrix, The" == "the.matrix").
[[nodiscard]] std::string normalized_title(std::string_view title);

} // namespace mediabase
