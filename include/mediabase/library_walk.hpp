#pragma once
/// Walking media folders: blocking filesystem code with no Asio, run by the Scanner on its own thread and
/// tested on temp trees without an event loop.

#include "mediabase/catalogue.hpp"
#include "mediabase/model.hpp"

#include <cstdint>
#include <memory>
#include <set>
#include <stop_token>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace mediabase {

struct walk_options {
    std::vector<std::string> roots;      ///< absolute media folders
    std::vector<std::string> extensions; ///< lower-case, without the dot
    std::shared_ptr<const known_files> known; ///< may be null: everything is new
    std::stop_token stop;
};

struct walk_totals {
    std::int64_t folders = 0;
    std::int64_t video_files = 0;
    std::int64_t unchanged_files = 0;
    std::int64_t extras = 0;
    std::vector<std::string> unreadable;
    std::vector<std::string> missing_roots;
    bool cancelled = false;
};

/// One step of the walk: new or changed movies, and how many movies were seen unchanged.
struct walk_batch {
    std::vector<found_movie> movies;
    std::int64_t unchanged_movies = 0;
    std::string current; ///< the last folder read
};

/// Walks the media roots folder by folder, without following symlink loops, grouping the video files of
/// each folder into movies: a disc structure (BDMV/index.bdmv, VIDEO_TS/VIDEO_TS.IFO) is one movie named
/// after its folder; parts and versions of one title in a folder are one movie; extras are left out.
/// Files whose size and mtime match `known` are counted as unchanged and not parsed.
class library_walk {
public:
    explicit library_walk(walk_options options);

    /// Reads folders until at least `min_movies` new or changed movies are ready or the walk is over.
    /// Returns false once the walk is over and nothing is left.
    bool next(walk_batch& batch, std::size_t min_movies = 256);

    [[nodiscard]] const walk_totals& totals() const { return totals_; }

private:
    struct pending_folder {
        std::string path;
        std::size_t root_index = 0;
    };
    void read_folder(const pending_folder& folder, walk_batch& batch);
    bool unchanged(const std::string& path, const file_stamp& stamp, walk_batch& batch);

    walk_options options_;
    std::vector<pending_folder> pending_;
    std::set<std::pair<std::uint64_t, std::uint64_t>> visited_; ///< (device, inode) of folders read
    std::unordered_set<movie_id> unchanged_movies_;
    walk_totals totals_;
};

/// True when `name` ends with one of the extensions (case-insensitive).
bool has_video_extension(std::string_view name, const std::vector<std::string>& extensions);

} // namespace mediabase
