#include "mediabase/naming/library_walk.hpp"

#include "mediabase/naming/name_parser.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <map>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mediabase {
namespace {

/// Folders read per step at most, so progress keeps flowing through a large unchanged library.
constexpr std::int64_t folders_per_step = 512;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

file_stamp stamp_of(const struct stat& st) {
    return {static_cast<std::int64_t>(st.st_size),
            static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

/// Closes a directory stream when the folder has been read.
struct dir_closer {
    void operator()(DIR* d) const { closedir(d); }
};

/// Disc structures whose index file stands for the whole disc.
struct disc_layout {
    const char* folder;
    const char* index_file;
};
constexpr disc_layout disc_layouts[] = {{"BDMV", "index.bdmv"}, {"VIDEO_TS", "VIDEO_TS.IFO"}};


/// Sidecar names that speak for the whole folder's movie (providers/nfo.hpp reads these).
constexpr std::string_view folder_wide_sidecars[] = {"movie",  "poster",   "folder",    "cover",
                                                     "fanart", "backdrop", "background"};

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

/// "Heat (1995).NFO" -> "heat (1995)".
std::string lower_stem(std::string_view name) { return lower(name.substr(0, name.rfind('.'))); }

/// An NFO or an image in a folder being walked.
struct sidecar {
    std::string name;
    std::string stem; ///< lower-case, without the extension
    file_stamp stamp;
};

/// True when a sidecar (its lower-case stem) is metadata the NFO and art readers would take for a file
/// `file_stem` in `folder_name`: a folder-wide name, or one named after the file or the folder (discs), alone
/// or with a suffix ("heat (1995)-poster"). A release group's "grp-heat.nfo" is not.
bool describes(std::string_view sidecar_stem, std::string_view folder_name, std::string_view file_stem) {
    if (std::find(std::begin(folder_wide_sidecars), std::end(folder_wide_sidecars), sidecar_stem) !=
        std::end(folder_wide_sidecars))
        return true;
    for (const auto stem : {folder_name, file_stem})
        if (!stem.empty() && sidecar_stem.starts_with(stem) &&
            (sidecar_stem.size() == stem.size() || sidecar_stem[stem.size()] == '-'))
            return true;
    return false;
}

/// media_file::sidecar_stamp: the sidecars describing the file, each hashed (FNV-1a over name, size and
/// mtime) and summed, so the order the folder lists them in does not matter. 0: none.
std::int64_t sidecar_stamp_of(const std::vector<sidecar>& sidecars, std::string_view folder_name,
                              std::string_view file_stem) {
    std::uint64_t total = 0;
    bool any = false;
    for (const auto& s : sidecars) {
        if (!describes(s.stem, folder_name, file_stem)) continue;
        any = true;
        std::uint64_t hash = 14695981039346656037ull;
        const auto mix = [&](const void* data, std::size_t size) {
            for (std::size_t i = 0; i < size; ++i) {
                hash ^= static_cast<const unsigned char*>(data)[i];
                hash *= 1099511628211ull;
            }
        };
        mix(s.name.data(), s.name.size());
        mix(&s.stamp.size, sizeof s.stamp.size);
        mix(&s.stamp.mtime_ns, sizeof s.stamp.mtime_ns);
        total += hash;
    }
    if (any && total == 0) total = 1; // 0 means "no sidecars"
    return static_cast<std::int64_t>(total);
}

} // namespace

std::optional<bool> folder_has_entries(const std::string& folder) {
    DIR* dir = ::opendir(folder.c_str());
    if (!dir) return std::nullopt;
    bool found = false;
    while (const dirent* entry = ::readdir(dir)) {
        // Hidden names (".DS_Store", ".Trashes") and NAS metadata are not what a library is made of.
        if (!is_ignored_folder(entry->d_name)) {
            found = true;
            break;
        }
    }
    ::closedir(dir);
    return found;
}

std::optional<bool> folder_yields_video(const std::string& folder, const std::vector<std::string>& extensions) {
    struct stat top {};
    if (::stat(folder.c_str(), &top) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return false;
        return std::nullopt;
    }
    if (!S_ISDIR(top.st_mode)) return false;
    // Depth first, as the walk goes; the visited set stops symlink loops.
    std::vector<std::string> pending{folder};
    std::set<std::pair<std::uint64_t, std::uint64_t>> visited;
    bool unknown = false;
    while (!pending.empty()) {
        const auto path = std::move(pending.back());
        pending.pop_back();
        const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            unknown = true;
            continue;
        }
        std::unique_ptr<DIR, dir_closer> dir(::fdopendir(fd));
        if (!dir) {
            ::close(fd);
            unknown = true;
            continue;
        }
        struct stat self {};
        if (::fstat(fd, &self) == 0 &&
            !visited.insert({static_cast<std::uint64_t>(self.st_dev), static_cast<std::uint64_t>(self.st_ino)}).second)
            continue;
        errno = 0;
        while (const dirent* entry = ::readdir(dir.get())) {
            const std::string_view name = entry->d_name;
            if (name == "." || name == ".." || is_ignored_folder(name)) continue;
            unsigned char type = entry->d_type;
            if (type == DT_LNK || type == DT_UNKNOWN) {
                struct stat st {};
                if (::fstatat(fd, entry->d_name, &st, 0) != 0) continue;
                type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
            }
            if (type == DT_DIR) {
                pending.push_back(path + "/" + std::string(name));
                continue;
            }
            if (type != DT_REG) continue;
            if (has_video_extension(name, extensions)) return true;
            for (const auto& layout : disc_layouts)
                if (iequals(name, layout.index_file)) return true;
        }
        if (errno != 0) unknown = true;
    }
    if (unknown) return std::nullopt;
    return false;
}

bool file_vanished(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) return false;
    return errno == ENOENT || errno == ENOTDIR;
}

bool is_ignored_folder(std::string_view name) {
    return name.empty() || name.front() == '.' || name == "@eaDir" || name == "#recycle" ||
           name == "$RECYCLE.BIN" || name == "lost+found";
}

std::string_view move_name(std::string_view path) {
    auto slash = path.rfind('/');
    const auto file = slash == std::string_view::npos ? path : path.substr(slash + 1);
    const bool disc_index = std::any_of(std::begin(disc_layouts), std::end(disc_layouts),
                                        [&](const disc_layout& l) { return iequals(file, l.index_file); });
    if (!disc_index || slash == std::string_view::npos) return file;
    // Two more components: the disc folder (BDMV, VIDEO_TS) and the folder named after the movie.
    for (int up = 0; up < 2; ++up) {
        if (slash == 0) return path;
        const auto previous = path.rfind('/', slash - 1);
        if (previous == std::string_view::npos) return path;
        slash = previous;
    }
    return path.substr(slash + 1);
}

bool is_sidecar_name(std::string_view name) {
    static const std::vector<std::string> extensions{"nfo", "jpg", "jpeg", "png", "webp"};
    return has_video_extension(name, extensions);
}

bool has_video_extension(std::string_view name, const std::vector<std::string>& extensions) {
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot + 1 == name.size()) return false;
    const auto ext = name.substr(dot + 1);
    return std::any_of(extensions.begin(), extensions.end(), [&](const std::string& e) { return iequals(e, ext); });
}

library_walk::library_walk(walk_options options) : options_(std::move(options)) {
    for (std::size_t i = options_.roots.size(); i-- > 0;) {
        const auto& root = options_.roots[i];
        struct stat st {};
        if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
            spdlog::warn("media folder {} is missing or not a folder: skipped", root);
            totals_.missing_roots.push_back(root);
            continue;
        }
        pending_.push_back({root, i});
    }
    movable_root_.resize(options_.roots.size(), false);
    if (!options_.known || options_.known->empty()) return;
    for (const auto& folder : pending_)
        movable_root_[folder.root_index] = folder_has_entries(folder.path).value_or(false);
}

bool library_walk::next(walk_batch& batch, std::size_t min_movies) {
    batch.movies.clear();
    batch.moves.clear();
    batch.unchanged_movies = 0;
    std::int64_t folders_read = 0;
    while (!pending_.empty() && batch.movies.size() + batch.moves.size() < min_movies &&
           folders_read < folders_per_step) {
        if (options_.stop.stop_requested()) {
            totals_.cancelled = true;
            pending_.clear();
            break;
        }
        auto folder = std::move(pending_.back());
        pending_.pop_back();
        read_folder(folder, batch);
        ++folders_read;
    }
    return !batch.movies.empty() || !batch.moves.empty() || batch.unchanged_movies > 0 || !pending_.empty();
}

bool library_walk::under_movable_root(const std::string& path) const {
    for (std::size_t i = 0; i < options_.roots.size(); ++i) {
        if (!movable_root_[i]) continue;
        const auto& root = options_.roots[i];
        const bool below = path.size() > root.size() && path.starts_with(root) &&
                           (root.ends_with('/') || path[root.size()] == '/');
        if (below) return true;
    }
    return false;
}

const known_files::value_type* library_walk::moved_from(const std::string& path, const file_stamp& stamp) {
    if (!options_.known || options_.known->empty()) return nullptr;
    if (!known_by_stamp_built_) {
        known_by_stamp_built_ = true;
        known_by_stamp_.reserve(options_.known->size());
        for (const auto& entry : *options_.known) known_by_stamp_.emplace(entry.second.stamp, &entry);
    }
    const auto name = move_name(path);
    const auto [first, last] = known_by_stamp_.equal_range(stamp);
    for (auto it = first; it != last; ++it) {
        const auto* source = it->second;
        // Cheap tests first: a stat per candidate only for a matching name under a root that can lose files.
        if (move_name(source->first) != name || moved_sources_.contains(source)) continue;
        if (!under_movable_root(source->first) || !file_vanished(source->first)) continue;
        moved_sources_.insert(source);
        return source;
    }
    return nullptr;
}

void library_walk::read_folder(const pending_folder& folder, walk_batch& batch) {
    // A folder the user may not read is skipped; a root that cannot be read, or a folder the system failed
    // to open (no file descriptor left, an I/O error), leaves the import incomplete: that is a failure.
    const auto unreadable = [&](int error) {
        spdlog::warn("cannot read folder {}: {} (skipped)", folder.path, std::strerror(error));
        totals_.unreadable.push_back(folder.path);
        const bool is_root = folder.path == options_.roots[folder.root_index];
        const bool system = error == EMFILE || error == ENFILE || error == ENOMEM || error == EIO;
        if (is_root || system) totals_.failures.push_back(folder.path + ": " + std::strerror(error));
    };
    const int fd = ::open(folder.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        unreadable(errno);
        return;
    }
    std::unique_ptr<DIR, dir_closer> dir(::fdopendir(fd));
    if (!dir) {
        const int error = errno;
        ::close(fd);
        unreadable(error);
        return;
    }
    struct stat self {};
    if (::fstat(fd, &self) == 0 &&
        !visited_.insert({static_cast<std::uint64_t>(self.st_dev), static_cast<std::uint64_t>(self.st_ino)}).second) {
        spdlog::debug("folder {} was already walked (symlink loop or repeated link): skipped", folder.path);
        return;
    }
    ++totals_.folders;
    batch.current = folder.path;

    const auto& root = options_.roots[folder.root_index];
    const std::string relative_folder =
        folder.path.size() > root.size() ? folder.path.substr(root.size() + 1) : std::string();
    auto relative = [&](const std::string& name) {
        return relative_folder.empty() ? name : relative_folder + "/" + name;
    };

    std::vector<std::string> subfolders;
    std::vector<std::pair<std::string, file_stamp>> videos; // name, stamp
    std::vector<sidecar> sidecars; // NFOs and images in this folder
    while (const dirent* entry = ::readdir(dir.get())) {
        const std::string_view name = entry->d_name;
        if (name == "." || name == "..") continue;
        unsigned char type = entry->d_type;
        struct stat st {};
        bool have_stat = false;
        if (type == DT_LNK || type == DT_UNKNOWN) {
            // Symlinks are followed; the visited set stops loops.
            if (::fstatat(fd, entry->d_name, &st, 0) != 0) continue;
            have_stat = true;
            type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
        }
        if (type == DT_DIR) {
            if (is_ignored_folder(name)) continue;
            bool is_disc = false;
            for (const auto& layout : disc_layouts) {
                if (!iequals(name, layout.folder)) continue;
                is_disc = true;
                const std::string index = std::string(name) + "/" + layout.index_file;
                struct stat index_stat {};
                if (::fstatat(fd, index.c_str(), &index_stat, 0) == 0) videos.emplace_back(index, stamp_of(index_stat));
            }
            if (!is_disc) subfolders.emplace_back(name);
            continue;
        }
        if (type == DT_REG && is_sidecar_name(name)) {
            if (!have_stat && ::fstatat(fd, entry->d_name, &st, 0) != 0) continue;
            sidecars.push_back({std::string(name), lower_stem(name), stamp_of(st)});
            continue;
        }
        if (type != DT_REG || !has_video_extension(name, options_.extensions)) continue;
        // Disc index files count only through their disc folder (handled above).
        if (has_video_extension(name, {"bdmv", "ifo"})) continue;
        if (!have_stat && ::fstatat(fd, entry->d_name, &st, 0) != 0) continue;
        videos.emplace_back(std::string(name), stamp_of(st));
    }

    // Movies of this folder, grouped by what their names say (parts and versions of one title).
    std::map<std::string, std::size_t> movie_by_key;
    std::sort(videos.begin(), videos.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const auto first_new = batch.movies.size();
    const auto folder_name = lower(std::string_view(folder.path).substr(folder.path.rfind('/') + 1));
    for (auto& [name, stamp] : videos) {
        ++totals_.video_files;
        std::string path = folder.path + "/" + name;
        const known_file* known = nullptr;
        if (options_.known) {
            const auto it = options_.known->find(path);
            if (it != options_.known->end()) known = &it->second;
        }
        // A disc's index file ("BDMV/index.bdmv") has its sidecars named after the folder (folder_name).
        const auto file_name = std::string_view(name).substr(name.rfind('/') + 1);
        const std::int64_t sidecar_stamp =
            sidecars.empty() ? 0 : sidecar_stamp_of(sidecars, folder_name, lower_stem(file_name));
        if (known && known->stamp == stamp && known->sidecar_stamp == sidecar_stamp) {
            ++totals_.unchanged_files;
            if (unchanged_movies_.insert(known->movie).second) ++batch.unchanged_movies;
            continue;
        }
        const auto rel = relative(name);
        if (is_extra(rel)) {
            ++totals_.extras;
            continue;
        }
        const auto parsed = parse_name(rel);
        media_file file;
        file.path = std::move(path);
        file.root = root;
        file.stamp = stamp;
        file.sidecar_stamp = sidecar_stamp;
        file.resolution = parsed.resolution;
        file.source = parsed.source;
        file.video_codec = parsed.video_codec;
        file.audio_codec = parsed.audio_codec;
        file.edition = parsed.edition;
        file.container = parsed.container;
        file.part = parsed.part;
        file.three_d = parsed.three_d;

        if (!known) {
            if (const auto* source = moved_from(file.path, file.stamp)) {
                file_move move;
                move.from = source->first;
                move.movie = source->second.movie;
                move.found.title = parsed.title.empty() ? name : parsed.title;
                move.found.alternative_title = parsed.alternative_title;
                move.found.year = parsed.year;
                move.found.tmdb_id = parsed.tmdb_id;
                move.found.imdb_id = parsed.imdb_id;
                move.found.files.push_back(std::move(file));
                batch.moves.push_back(std::move(move));
                ++totals_.moved_files;
                continue;
            }
        }

        std::string key = normalized_title(parsed.title) + "|" + (parsed.year ? std::to_string(*parsed.year) : "");
        auto [it, inserted] = movie_by_key.try_emplace(std::move(key), batch.movies.size());
        if (inserted) {
            found_movie m;
            m.title = parsed.title.empty() ? name : parsed.title;
            m.alternative_title = parsed.alternative_title;
            m.year = parsed.year;
            m.tmdb_id = parsed.tmdb_id;
            m.imdb_id = parsed.imdb_id;
            batch.movies.push_back(std::move(m));
        }
        auto& movie = batch.movies[it->second];
        if (!movie.tmdb_id) movie.tmdb_id = parsed.tmdb_id;
        if (!movie.imdb_id) movie.imdb_id = parsed.imdb_id;
        movie.files.push_back(std::move(file));
    }
    for (auto i = first_new; i < batch.movies.size(); ++i) {
        const auto& files = batch.movies[i].files;
        batch.movies[i].local_metadata =
            std::any_of(files.begin(), files.end(), [](const media_file& f) { return f.sidecar_stamp != 0; });
    }
    // Parts in order: cd1 before cd2.
    for (auto i = first_new; i < batch.movies.size(); ++i) {
        auto& files = batch.movies[i].files;
        std::stable_sort(files.begin(), files.end(),
                         [](const media_file& a, const media_file& b) { return a.part.value_or(0) < b.part.value_or(0); });
    }

    std::sort(subfolders.rbegin(), subfolders.rend());
    for (auto& name : subfolders) pending_.push_back({folder.path + "/" + name, folder.root_index});
}

} // namespace mediabase
