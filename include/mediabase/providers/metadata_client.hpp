#pragma once
/// The metadata provider facade the Scraper calls: identifies found movies on TMDB (with OMDB ratings), looks
/// up and searches for the UI's "Fix match", and downloads art. Uses http_client; the same threading rule
/// applies (one thread or strand, alive until every call completed). API keys never appear in logs or errors.

#include "mediabase/model/model.hpp"
#include "mediabase/providers/http_client.hpp"
#include "mediabase/providers/matching.hpp"
#include "mediabase/providers/nfo.hpp"
#include "mediabase/providers/provider_error.hpp"
#include "mediabase/providers/tmdb.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mediabase::providers {

struct metadata_settings {
    std::string tmdb_base_url = "https://api.themoviedb.org/3";
    std::string omdb_base_url = "https://www.omdbapi.com/";
    std::string image_base_url;  ///< "" : `images.secure_base_url` from TMDB's /configuration
    std::string tmdb_api_key;    ///< sent as the `api_key` query parameter
    std::string tmdb_read_token; ///< sent as `Authorization: Bearer`; preferred over the API key
    std::string omdb_api_key;    ///< "" : no OMDB ratings
    std::string language = "en-US";
    double requests_per_second = 35; ///< per host, under TMDB's soft cap of ~40-50/s
    int max_concurrency = 8;         ///< concurrent requests per host
    std::chrono::milliseconds request_timeout{10000};
    int max_attempts = 4;                        ///< per request, including the first
    std::chrono::milliseconds backoff_base{250}; ///< first retry waits about this long, doubling after
    std::chrono::seconds max_retry_after{60};    ///< a longer Retry-After fails the call instead of waiting
    std::size_t max_response_bytes = 4 * 1024 * 1024; ///< for JSON answers
    std::string poster_size = "w500";
    std::string backdrop_size = "w1280";
    match_thresholds thresholds;
};

/// Where a movie's provider art can be downloaded from.
struct provider_art {
    std::optional<std::string> poster_url;
    std::optional<std::string> backdrop_url;
    tmdb_art paths; ///< the provider's own paths, to build other sizes
};

/// A movie identified on TMDB.
struct identified_movie {
    movie details; ///< TMDB details, OMDB ratings, NFO values laid over them; match and confidence set
    double confidence = 1;                       ///< 1 for a lookup by id
    match_state state = match_state::identified; ///< identified, or review when the confidence is low
    provider_art art;
    std::string matched_by; ///< how: "tmdb id 603", "imdb id tt0133093", "search \"Max\" 2015"
};

/// One result of `search` for the UI's "Fix match", best first.
struct search_match {
    search_candidate candidate;
    double confidence = 0;
    std::optional<std::string> poster_url;
};

/// What a provider answered to a key check.
struct key_status {
    enum class state { ok, invalid, unreachable, missing };
    state value = state::missing;
    std::string message;
};

struct downloaded_image {
    std::string bytes;
    std::string content_type; ///< "image/jpeg", "image/png", ...
};

class metadata_client {
  public:
    metadata_client(boost::asio::any_io_executor executor, metadata_settings settings);
    ~metadata_client();
    metadata_client(const metadata_client&) = delete;
    metadata_client& operator=(const metadata_client&) = delete;

    /// True when no TMDB key or token is configured: nothing can be identified (use the NFO alone).
    [[nodiscard]] bool offline() const;

    /// Identifies a found movie: an id from the name or NFO first, then searches (see plan_lookup). Errors:
    /// offline, unauthorized (bad key, never retried), unavailable ("provider unavailable: ..."),
    /// bad_response, no_match.
    [[nodiscard]] boost::asio::awaitable<result<identified_movie>> identify(found_movie found,
                                                                            std::optional<nfo_data> nfo);

    /// The movie with this TMDB id (not_found when TMDB does not know it).
    [[nodiscard]] boost::asio::awaitable<result<identified_movie>> fetch_by_tmdb_id(std::int64_t tmdb_id);

    /// TMDB search results scored against the query, best first (empty when nothing was found).
    [[nodiscard]] boost::asio::awaitable<result<std::vector<search_match>>> search(std::string query,
                                                                                   std::optional<int> year);

    /// Downloads an image: fails unless the status is 2xx, the content type is image/* and the body is
    /// non-empty and at most `max_bytes`. No API key is sent.
    [[nodiscard]] boost::asio::awaitable<result<downloaded_image>> download(std::string url,
                                                                            std::size_t max_bytes);

    /// Asks TMDB (`/configuration`, authenticated) whether it accepts the key or token: ok, invalid (401/403),
    /// unreachable (network, timeout, 5xx), or missing when none is set.
    [[nodiscard]] boost::asio::awaitable<key_status> check_tmdb_key();

    /// Asks OMDB for one known title with the key: ok, invalid (401), unreachable, or missing.
    [[nodiscard]] boost::asio::awaitable<key_status> check_omdb_key();

    [[nodiscard]] const metadata_settings& settings() const;
    [[nodiscard]] const http_client_stats& http_stats() const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace mediabase::providers
