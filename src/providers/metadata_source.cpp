#include "mediabase/providers/metadata_source.hpp"

namespace mediabase {

providers::metadata_settings metadata_settings_from(const settings& s) {
    providers::metadata_settings m;
    m.tmdb_base_url = s.tmdb_base_url;
    m.omdb_base_url = s.omdb_base_url;
    m.image_base_url = s.image_base_url;
    m.poster_size = s.poster_size;
    m.backdrop_size = s.backdrop_size;
    m.tmdb_api_key = s.tmdb_api_key;
    m.tmdb_read_token = s.tmdb_read_token;
    m.omdb_api_key = s.omdb_api_key;
    m.requests_per_second = s.tmdb_requests_per_second;
    m.max_concurrency = s.scraper_concurrency;
    return m;
}

namespace {

std::string provider_settings_of(const settings& s) {
    // Everything metadata_settings_from takes, one field per line.
    const auto m = metadata_settings_from(s);
    std::string text;
    for (const auto* field : {&m.tmdb_base_url, &m.omdb_base_url, &m.image_base_url, &m.tmdb_api_key,
                              &m.tmdb_read_token, &m.omdb_api_key, &m.poster_size, &m.backdrop_size})
        text += *field + '\n';
    text += std::to_string(m.requests_per_second) + '\n' + std::to_string(m.max_concurrency);
    return text;
}

} // namespace

metadata_source::metadata_source(asio::any_io_executor executor, const settings& s)
    : executor_(std::move(executor)), provider_settings_(provider_settings_of(s)),
      client_(std::make_shared<providers::metadata_client>(executor_, metadata_settings_from(s))) {}

bool metadata_source::reconfigure(const settings& s) {
    auto wanted = provider_settings_of(s);
    if (wanted == provider_settings_) return false;
    provider_settings_ = std::move(wanted);
    client_ = std::make_shared<providers::metadata_client>(executor_, metadata_settings_from(s));
    return true;
}

} // namespace mediabase
