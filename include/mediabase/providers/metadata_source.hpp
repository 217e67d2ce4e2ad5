#pragma once
/// The metadata client the Scraper and the Cache share (one rate limit per provider host), built from
/// Mediabase's settings and rebuilt when keys or provider URLs change.

#include "mediabase/config/settings.hpp"
#include "mediabase/providers/metadata_client.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <string>

namespace mediabase {

namespace asio = boost::asio;

/// The provider settings (URLs, keys, rate, concurrency) taken from Mediabase's settings.
[[nodiscard]] providers::metadata_settings metadata_settings_from(const settings& s);

/// The metadata client the Scraper and the Cache share, so that both count against one rate limit per
/// provider host. Replaced when keys or provider URLs change; calls in flight keep the old client alive
/// (they hold a shared_ptr). Network thread only.
class metadata_source {
  public:
    metadata_source(asio::any_io_executor executor, const settings& s);

    [[nodiscard]] std::shared_ptr<providers::metadata_client> client() const { return client_; }

    /// Builds a new client when the provider settings differ. True when it did.
    bool reconfigure(const settings& s);

  private:
    asio::any_io_executor executor_;
    std::string provider_settings_; ///< what built the client, to tell whether a change matters
    std::shared_ptr<providers::metadata_client> client_;
};

} // namespace mediabase
