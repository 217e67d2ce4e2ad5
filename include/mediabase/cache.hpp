#pragma once
/// Cache: the art cache. Downloads posters and backdrops (through the metadata client the Scraper uses, so
/// both count against one rate limit per host) or copies art lying next to a movie, and stores each image
/// once under a key derived from its content (`<sha256>.jpg`), written atomically (temp file, then rename)
/// into the art dir. A key never changes meaning, so `/img/<key>` is served as immutable.
///
/// Mailbox `bus.cache`: each cache_art request runs on its own; at most `concurrency` downloads at once (a
/// slot_pool). Disk work (reading local art, writing images) runs on the disk executor.

#include "mediabase/bus.hpp"
#include "mediabase/scraper.hpp"
#include "mediabase/slot_pool.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
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

class cache {
  public:
    cache(bus& b, metadata_source& source, std::filesystem::path art_dir, asio::any_io_executor executor,
          asio::any_io_executor disk, int concurrency);
    /// Serves `bus.cache` until stop_service. Requests in flight then finish on their own.
    asio::awaitable<void> run();

  private:
    asio::awaitable<bool> handle(cache_message message);
    asio::awaitable<void> cache_items(std::shared_ptr<providers::metadata_client> client,
                                      std::vector<art_sources> items,
                                      reply_to<std::vector<cached_art>> reply);

    bus& bus_;
    metadata_source& source_;
    std::filesystem::path art_dir_;
    asio::any_io_executor executor_;
    asio::any_io_executor disk_;
    std::shared_ptr<slot_pool> slots_;
};

} // namespace mediabase
