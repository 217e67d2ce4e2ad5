#pragma once
/// Cache: the art cache. Downloads posters and backdrops (through the metadata client the Scraper uses, so
/// both count against one rate limit per host) or copies art lying next to a movie, and stores each image
/// once under a key derived from its content (`<sha256>.jpg`), written atomically (temp file, then rename)
/// into the art dir. A key never changes meaning, so `/img/<key>` is served as immutable.
///
/// Mailbox `bus.cache`: each cache_art request runs on its own; at most `concurrency` downloads at once (a
/// slot_pool). Disk work (reading local art, writing images, sweeping) runs on the disk executor.
///
/// Images no movie uses any more (a pruned movie, a fixed match) are removed by a sweep (sweep_art): after
/// every prune that removed a movie, after a fixed match or refresh, and once at start-up.

#include "mediabase/runtime/bus.hpp"
#include "mediabase/providers/metadata_source.hpp"
#include "mediabase/runtime/slot_pool.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <variant>

namespace mediabase {

/// The largest image the cache takes, downloaded or local. Larger ones fail (the movie keeps no art).
inline constexpr std::size_t max_art_bytes = 10 * 1024 * 1024;

// ---- pure logic: no Asio ----

/// "jpg", "png" or "webp" when the bytes start with that format's signature; nullopt for anything else
/// (HTML error pages, GIFs, truncated files).
[[nodiscard]] std::optional<std::string> image_extension(std::string_view bytes);

/// The key of an image: the lower-case hex SHA-256 of its bytes, a dot and the extension (only
/// [0-9a-z.], so it is always a valid `/img/` name).
[[nodiscard]] std::string art_key(std::string_view bytes, std::string_view extension);

struct art_error {
    std::string message;
};

/// A key, or why the image could not be stored.
using art_outcome = std::variant<std::string, art_error>;

/// Stores an image under its key in `art_dir` (created if needed): written to a temp file and renamed, so a
/// reader never sees half an image; a key already there is kept as it is.
[[nodiscard]] art_outcome store_image(const std::filesystem::path& art_dir, std::string_view bytes);

/// Copies a local art file (at most max_art_bytes) into the cache, as store_image does.
[[nodiscard]] art_outcome copy_local_art(const std::filesystem::path& art_dir,
                                         const std::filesystem::path& file);

/// The art dir on disk and the keys handed out that no movie stores yet ("claims"). Disk thread only: the
/// Cache runs every call there, so a sweep never interleaves with storing an image.
///
/// Why claims: an image is stored (or found already there) and its key handed out before the movie that uses
/// it is written; a sweep in between must not take the image away. A sweep keeps every key claimed when it
/// begins or claimed while it runs, so a key is only removed when the catalogue read that the sweep made
/// already saw whether a movie uses it.
class art_store {
  public:
    explicit art_store(std::filesystem::path dir) : dir_(std::move(dir)) {}

    /// store_image / copy_local_art, claiming the key they give.
    [[nodiscard]] art_outcome store(std::string_view bytes);
    [[nodiscard]] art_outcome copy(const std::filesystem::path& file);
    /// Gives back one claim per key (a key claimed twice is released twice).
    void release(const std::vector<std::string>& keys);

    /// Starts a sweep: the keys claimed from now until finish_sweep are kept.
    void begin_sweep();
    /// Removes every cached image whose key is neither in `in_use` nor kept by begin_sweep, and temp files
    /// a crash left behind (older than an hour). Only names the cache writes are touched. With `only`, just
    /// those keys are looked at (no listing of the art dir).
    art_sweep_result finish_sweep(const std::unordered_set<std::string>& in_use,
                                  const std::optional<std::vector<std::string>>& only = std::nullopt);
    /// Ends a sweep that could not read the catalogue: nothing is removed.
    void cancel_sweep() { sweep_keep_.reset(); }
    /// Other servers write here too (a catalogue and art dir several servers share): an unused image less
    /// than an hour old may be one another server has cached and not yet stored the key of, so a sweep
    /// keeps it (the next sweep looks again).
    void set_shared(bool shared) { shared_ = shared; }

    [[nodiscard]] std::size_t claimed() const { return claims_.size(); }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

  private:
    void claim(const art_outcome& outcome);

    std::filesystem::path dir_;
    std::unordered_map<std::string, std::size_t> claims_;
    std::optional<std::unordered_set<std::string>> sweep_keep_; ///< set while a sweep runs
    bool shared_ = false;
};

/// True for a name the cache writes: a key (64 lower-case hex digits, ".jpg", ".png" or ".webp").
[[nodiscard]] bool is_art_key(std::string_view name);

class cache {
  public:
    cache(bus& b, metadata_source& source, std::filesystem::path art_dir, asio::any_io_executor executor,
          asio::any_io_executor disk, int concurrency);
    /// Serves `bus.cache` until stop_service. Requests in flight then finish on their own.
    asio::awaitable<void> run();
    /// Before run(): other servers may write the art dir too (art_store::set_shared).
    void share_art_dir() { store_->set_shared(true); }

  private:
    asio::awaitable<bool> handle(cache_message message);
    asio::awaitable<void> cache_items(std::shared_ptr<providers::metadata_client> client,
                                      std::vector<art_sources> items,
                                      reply_to<std::vector<cached_art>> reply);
    /// One sweep at a time (sweep_slot_): begin on disk, read the keys in use, finish on disk. An empty
    /// `reply`: nobody waits for the result.
    asio::awaitable<void> sweep(reply_to<art_sweep_result> reply, std::optional<std::vector<std::string>> only);

    bus& bus_;
    metadata_source& source_;
    asio::any_io_executor executor_;
    asio::any_io_executor disk_;
    std::shared_ptr<art_store> store_; ///< used on the disk executor only
    std::shared_ptr<slot_pool> slots_;
    std::shared_ptr<slot_pool> sweep_slot_;
};

} // namespace mediabase
