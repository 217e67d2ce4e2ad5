#pragma once
/// Scraper: identifies movies on TMDB (with OMDB ratings) on the network thread. Local metadata first: a
/// Kodi NFO and art next to the movie are read (on the disk thread) before any provider is asked. Offline
/// (no TMDB key) it asks nothing and uses the NFO alone.
///
/// Mailbox `bus.scraper`: every request is handled by a coroutine of its own, so a search from the UI never
/// waits behind an import; at most `scraper_concurrency` movies of imports are identified at once (a
/// slot_pool), and how many chunks wait is bounded by Core (see core::identify_chunk).

#include "mediabase/runtime/bus.hpp"
#include "mediabase/providers/metadata_client.hpp"
#include "mediabase/providers/metadata_source.hpp"
#include "mediabase/runtime/slot_pool.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace mediabase {

// ---- pure logic: the Scraper's answers built from what the providers and the disk said ----

/// What lies next to a movie's first file.
struct local_metadata {
    std::optional<providers::nfo_data> nfo;
    providers::local_art art;
};

/// Reads the NFO and local art of each movie (blocking: run it on the disk thread).
[[nodiscard]] std::vector<local_metadata> read_local_metadata(const std::vector<found_movie>& movies);

/// A movie matched on TMDB: its metadata (art keys left empty: the Cache sets them) and where its art is.
/// Local art wins over the provider's.
[[nodiscard]] identification matched_identification(const providers::identified_movie& identified,
                                                    const local_metadata& local);

/// A lookup that failed: the movie keeps what its name (and NFO) say, with match failed and the reason.
[[nodiscard]] identification failed_identification(const found_movie& found, const local_metadata& local,
                                                   const std::string& reason);

/// Offline: what the NFO says (match unidentified), or nothing beyond the name; local art either way.
[[nodiscard]] identification offline_identification(const found_movie& found, const local_metadata& local);

/// The Server's view of a provider error.
[[nodiscard]] provider_failure to_failure(const providers::provider_error& error);

/// A TMDB image URL with another size ("…/w500/x.jpg" -> "…/w185/x.jpg"); unchanged when it has no
/// `/<from>/` segment.
[[nodiscard]] std::string resized_image_url(std::string_view url, std::string_view from, std::string_view to);

class scraper {
  public:
    /// `disk` runs the blocking NFO and local art reads.
    scraper(bus& b, metadata_source& source, asio::any_io_executor executor, asio::any_io_executor disk,
            int concurrency);
    /// Serves `bus.scraper` until stop_service. Requests still in flight then finish on their own.
    asio::awaitable<void> run();

    /// Search results keep at most this many candidates.
    static constexpr std::size_t max_search_hits = 20;

  private:
    asio::awaitable<bool> handle(scraper_message message);
    asio::awaitable<void> identify_chunk(std::shared_ptr<providers::metadata_client> client,
                                         std::shared_ptr<const std::vector<found_movie>> movies,
                                         reply_to<std::vector<identification>> reply);
    asio::awaitable<void> identify_again(std::shared_ptr<providers::metadata_client> client,
                                         found_movie found, reply_to<provider_answer<identification>> reply);
    asio::awaitable<void> fetch(std::shared_ptr<providers::metadata_client> client, std::int64_t tmdb_id,
                                reply_to<provider_answer<identification>> reply);
    /// Settings' "Test keys": whether TMDB and OMDB accept the keys the client holds.
    asio::awaitable<void> check_keys(std::shared_ptr<providers::metadata_client> client,
                                     reply_to<check_provider_keys::report> reply);
    asio::awaitable<void> search(std::shared_ptr<providers::metadata_client> client, std::string query,
                                 std::optional<int> year,
                                 reply_to<provider_answer<std::vector<tmdb_search_hit>>> reply);
    asio::awaitable<std::vector<local_metadata>>
    read_local(std::shared_ptr<const std::vector<found_movie>> movies);

    bus& bus_;
    metadata_source& source_;
    asio::any_io_executor executor_;
    asio::any_io_executor disk_;
    std::shared_ptr<slot_pool> slots_;
};

} // namespace mediabase
