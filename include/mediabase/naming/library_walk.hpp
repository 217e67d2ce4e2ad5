#pragma once
/// Walking media folders: blocking filesystem code with no Asio, run by the Scanner on its own thread and
/// tested on temp trees without an event loop.

#include "mediabase/store/catalogue.hpp"
#include "mediabase/model/model.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <unordered_map>
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
    std::int64_t moved_files = 0; ///< known files found at new places
    std::vector<std::string> unreadable;
    std::vector<std::string> missing_roots;
    /// Why the walk is incomplete beyond a folder it may not read (permissions): a media root that cannot be
    /// read, or a folder the system failed to open (out of file descriptors, I/O error). "PATH: reason".
    std::vector<std::string> failures;
    bool cancelled = false;
};

/// One step of the walk: new or changed movies, known files found at new places, and how many movies were
/// seen unchanged.
struct walk_batch {
    std::vector<found_movie> movies;
    std::vector<file_move> moves;
    std::int64_t unchanged_movies = 0;
    std::string current; ///< the last folder read
};

/// Walks the media roots folder by folder, without following symlink loops, grouping the video files of
/// each folder into movies: a disc structure (BDMV/index.bdmv, VIDEO_TS/VIDEO_TS.IFO) is one movie named
/// after its folder; parts and versions of one title in a folder are one movie; extras are left out.
/// Files whose size and mtime match `known` are counted as unchanged and not parsed.
///
/// Moves: a file whose path is not known but whose file name, size and mtime match a known file that is gone
/// from disk is reported as a file_move of that file, not as a new movie. Only known files under a media root
/// of this walk that exists and is not empty count as gone (an unmounted drive looks empty or missing), and
/// each known file is the source of one move at most. A disc structure's "file name" is its folder name with
/// the index file ("Heat (1995)/BDMV/index.bdmv"), since every disc's index file has the same name.
class library_walk {
public:
    explicit library_walk(walk_options options);

    /// Reads folders until at least `min_movies` new or changed movies (or moves) are ready or the walk is
    /// over.
    /// Returns false once the walk is over and nothing is left.
    bool next(walk_batch& batch, std::size_t min_movies = 256);

    [[nodiscard]] const walk_totals& totals() const { return totals_; }

private:
    struct pending_folder {
        std::string path;
        std::size_t root_index = 0;
    };
    struct stamp_hash {
        std::size_t operator()(const file_stamp& s) const noexcept {
            return std::hash<std::int64_t>()(s.mtime_ns) * 31 + std::hash<std::int64_t>()(s.size);
        }
    };
    void read_folder(const pending_folder& folder, walk_batch& batch);
    /// The known file a new file at `path` was moved from, or null (see the class comment).
    const known_files::value_type* moved_from(const std::string& path, const file_stamp& stamp);
    [[nodiscard]] bool under_movable_root(const std::string& path) const;

    walk_options options_;
    std::vector<bool> movable_root_; ///< per root: present and not empty, so files gone from it were moved
    /// Known files by stamp, built on the first new file (an unchanged rescan never needs it).
    std::unordered_multimap<file_stamp, const known_files::value_type*, stamp_hash> known_by_stamp_;
    bool known_by_stamp_built_ = false;
    std::unordered_set<const known_files::value_type*> moved_sources_;
    std::vector<pending_folder> pending_;
    std::set<std::pair<std::uint64_t, std::uint64_t>> visited_; ///< (device, inode) of folders read
    std::unordered_set<movie_id> unchanged_movies_;
    walk_totals totals_;
};

/// True for folders that hold no movies and are neither walked nor watched: hidden folders and NAS or desktop
/// metadata (`@eaDir`, `#recycle`, `$RECYCLE.BIN`, `lost+found`).
bool is_ignored_folder(std::string_view name);

/// The name a move keeps: the file name, or for a disc structure's index file the disc folder's name with it
/// ("Heat (1995)/BDMV/index.bdmv").
std::string_view move_name(std::string_view path);

/// Whether the folder holds at least one entry the walk would look at (hidden names such as `.DS_Store` and
/// ignored folders such as `lost+found` do not count); nullopt when it cannot be read (errno says why). An
/// unmounted drive's mount point looks empty: the walk does not take files gone from such a root for moved.
std::optional<bool> folder_has_entries(const std::string& folder);

/// Whether walking the folder would find at least one video file (a file with one of `extensions`, or a disc
/// structure's index file), skipping what the walk skips (hidden names, ignored folders). Stops at the first
/// one. False for a missing folder; nullopt when nothing was found and the folder, or one below it, could not
/// be read (the answer is unknown). The Pruner's failsafe: a folder that held movies and yields none is offline.
std::optional<bool> folder_yields_video(const std::string& folder, const std::vector<std::string>& extensions);

/// True only when the file is certainly gone (ENOENT/ENOTDIR), not merely unreadable right now.
bool file_vanished(const std::string& path);

/// True when `name` ends with one of the extensions (case-insensitive).
bool has_video_extension(std::string_view name, const std::vector<std::string>& extensions);

/// True for a file that may hold a movie's metadata: a Kodi NFO or an image (poster, fanart ...).
bool is_sidecar_name(std::string_view name);

} // namespace mediabase
