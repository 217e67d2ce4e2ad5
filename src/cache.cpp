#include "mediabase/cache.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <fstream>

#include <unistd.h>

namespace mediabase {

namespace fs = std::filesystem;

std::optional<std::string> image_extension(std::string_view bytes) {
    if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xFF\xD8\xFF") return "jpg";
    if (bytes.size() >= 8 && bytes.substr(0, 8) == std::string_view("\x89PNG\r\n\x1A\n", 8)) return "png";
    if (bytes.size() >= 12 && bytes.substr(0, 4) == "RIFF" && bytes.substr(8, 4) == "WEBP") return "webp";
    return std::nullopt;
}

std::string art_key(std::string_view bytes, std::string_view extension) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 is not available");
    static constexpr char hex[] = "0123456789abcdef";
    std::string key;
    key.reserve(length * 2 + 1 + extension.size());
    for (unsigned int i = 0; i < length; ++i) {
        key += hex[digest[i] >> 4];
        key += hex[digest[i] & 0xF];
    }
    key += '.';
    key += extension;
    return key;
}

art_outcome store_image(const fs::path& art_dir, std::string_view bytes) {
    if (bytes.empty()) return art_error{"empty image"};
    if (bytes.size() > max_art_bytes)
        return art_error{"image larger than " + std::to_string(max_art_bytes / (1024 * 1024)) + " MiB"};
    const auto extension = image_extension(bytes);
    if (!extension) return art_error{"not a JPEG, PNG or WebP image"};
    auto key = art_key(bytes, *extension);
    std::error_code ec;
    fs::create_directories(art_dir, ec);
    if (ec) return art_error{"cannot create " + art_dir.string() + ": " + ec.message()};
    const auto target = art_dir / key;
    // Same key, same bytes: an image already there is kept (unless a crash left it short).
    if (const auto size = fs::file_size(target, ec); !ec && size == bytes.size()) return key;
    // The temp name starts with a dot, which /img/ never serves.
    static std::atomic<std::uint64_t> counter{0};
    const auto temp =
        art_dir / (".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + key);
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.flush();
        if (!out) {
            fs::remove(temp, ec);
            return art_error{"cannot write " + temp.string()};
        }
    }
    fs::rename(temp, target, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        return art_error{"cannot store " + target.string() + ": " + ec.message()};
    }
    return key;
}

art_outcome copy_local_art(const fs::path& art_dir, const fs::path& file) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec) return art_error{"cannot read " + file.string() + ": " + ec.message()};
    if (size > max_art_bytes)
        return art_error{file.string() + " is larger than " + std::to_string(max_art_bytes / (1024 * 1024)) +
                         " MiB"};
    std::ifstream in(file, std::ios::binary);
    std::string bytes(static_cast<std::size_t>(size), '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(size));
    if (!in) return art_error{"cannot read " + file.string()};
    auto stored = store_image(art_dir, bytes);
    if (auto* e = std::get_if<art_error>(&stored)) e->message = file.string() + ": " + e->message;
    return stored;
}

namespace {

/// The answers of one cache_art request, filled in by its per-image coroutines.
struct items_state {
    items_state(asio::any_io_executor executor, std::size_t items, std::size_t images)
        : results(items), pending(std::move(executor), images) {}
    std::vector<cached_art> results;
    countdown pending;
};

asio::awaitable<art_outcome> store_on_disk(fs::path art_dir, std::string bytes) {
    co_return store_image(art_dir, bytes);
}

asio::awaitable<art_outcome> copy_on_disk(fs::path art_dir, std::string file) {
    co_return copy_local_art(art_dir, file);
}

/// Caches one image: the local file if there is one and it is usable, else the download.
asio::awaitable<void> cache_image(std::shared_ptr<providers::metadata_client> client,
                                  std::shared_ptr<slot_pool> slots, asio::any_io_executor disk,
                                  fs::path art_dir, std::optional<std::string> file,
                                  std::optional<std::string> url, std::shared_ptr<items_state> state,
                                  std::size_t index, bool poster) {
    const char* what = poster ? "poster" : "backdrop";
    std::optional<std::string> key;
    try {
        if (file) {
            // Named, not temporaries inside the co_await (GCC 12).
            auto copy = copy_on_disk(art_dir, *file);
            auto copied = co_await asio::co_spawn(disk, std::move(copy), asio::use_awaitable);
            if (auto* k = std::get_if<std::string>(&copied))
                key = std::move(*k);
            else
                spdlog::warn("cache: local {} not used: {}", what, std::get<art_error>(copied).message);
        }
        if (!key && url) {
            std::string bytes;
            const bool admitted = co_await slots->acquire();
            if (admitted) {
                slot_guard held(slots);
                auto address = *url;
                auto downloaded = co_await client->download(std::move(address), max_art_bytes);
                if (downloaded)
                    bytes = std::move(downloaded->bytes);
                else
                    spdlog::warn("cache: {} not downloaded: {}", what, downloaded.error().message);
            }
            if (!bytes.empty()) {
                auto store = store_on_disk(art_dir, std::move(bytes));
                auto stored = co_await asio::co_spawn(disk, std::move(store), asio::use_awaitable);
                if (auto* k = std::get_if<std::string>(&stored))
                    key = std::move(*k);
                else
                    spdlog::warn("cache: {} from {} not stored: {}", what, *url,
                                 std::get<art_error>(stored).message);
            }
        }
    } catch (const std::exception& e) {
        spdlog::error("cache: caching a {} failed: {}", what, e.what());
    }
    auto& result = state->results[index];
    if (!key) result.complete = false;
    (poster ? result.poster : result.backdrop) = std::move(key);
    state->pending.done();
}

} // namespace

cache::cache(bus& b, metadata_source& source, fs::path art_dir, asio::any_io_executor executor,
             asio::any_io_executor disk, int concurrency)
    : bus_(b), source_(source), art_dir_(std::move(art_dir)), executor_(std::move(executor)),
      disk_(std::move(disk)), slots_(std::make_shared<slot_pool>(executor_, concurrency)) {}

asio::awaitable<void> cache::run() {
    co_await run_mailbox(bus_.cache, [this](cache_message m) { return handle(std::move(m)); });
    slots_->close();
}

asio::awaitable<bool> cache::handle(cache_message message) {
    if (std::holds_alternative<stop_service>(message)) co_return false;
    auto& request = std::get<cache_art>(message);
    asio::co_spawn(executor_,
                   cache_items(source_.client(), std::move(request.items), std::move(request.reply)),
                   asio::detached);
    co_return true;
}

asio::awaitable<void> cache::cache_items(std::shared_ptr<providers::metadata_client> client,
                                         std::vector<art_sources> items,
                                         reply_to<std::vector<cached_art>> reply) {
    std::size_t images = 0;
    for (const auto& item : items)
        images += static_cast<std::size_t>(item.poster_file || item.poster_url) +
                  static_cast<std::size_t>(item.backdrop_file || item.backdrop_url);
    auto state = std::make_shared<items_state>(executor_, items.size(), images);
    for (std::size_t i = 0; i < items.size(); ++i) {
        auto& item = items[i];
        if (item.poster_file || item.poster_url)
            asio::co_spawn(executor_,
                           cache_image(client, slots_, disk_, art_dir_, std::move(item.poster_file),
                                       std::move(item.poster_url), state, i, true),
                           asio::detached);
        if (item.backdrop_file || item.backdrop_url)
            asio::co_spawn(executor_,
                           cache_image(client, slots_, disk_, art_dir_, std::move(item.backdrop_file),
                                       std::move(item.backdrop_url), state, i, false),
                           asio::detached);
    }
    co_await state->pending.wait();
    reply(std::move(state->results));
}

} // namespace mediabase
