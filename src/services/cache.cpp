#include "mediabase/services/cache.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
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

bool is_art_key(std::string_view name) {
    const auto dot = name.find('.');
    if (dot != 64) return false;
    const auto extension = name.substr(dot + 1);
    if (extension != "jpg" && extension != "png" && extension != "webp") return false;
    return std::all_of(name.begin(), name.begin() + 64,
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

void art_store::claim(const art_outcome& outcome) {
    const auto* key = std::get_if<std::string>(&outcome);
    if (!key) return;
    ++claims_[*key];
    if (sweep_keep_) sweep_keep_->insert(*key);
}

art_outcome art_store::store(std::string_view bytes) {
    auto outcome = store_image(dir_, bytes);
    claim(outcome);
    return outcome;
}

art_outcome art_store::copy(const fs::path& file) {
    auto outcome = copy_local_art(dir_, file);
    claim(outcome);
    return outcome;
}

void art_store::release(const std::vector<std::string>& keys) {
    for (const auto& key : keys) {
        const auto it = claims_.find(key);
        if (it == claims_.end()) continue;
        if (--it->second == 0) claims_.erase(it);
    }
}

void art_store::begin_sweep() {
    sweep_keep_.emplace();
    for (const auto& [key, count] : claims_) sweep_keep_->insert(key);
}

art_sweep_result art_store::finish_sweep(const std::unordered_set<std::string>& in_use,
                                        const std::optional<std::vector<std::string>>& only) {
    art_sweep_result result;
    if (!sweep_keep_) return result;
    const auto keep = std::move(*sweep_keep_);
    sweep_keep_.reset();
    const auto stale_before = fs::file_time_type::clock::now() - std::chrono::hours(1);
    // Removes one entry of the art dir if it is an unused image or a stale temp file.
    const auto consider = [&](const fs::path& file) {
        const auto name = file.filename().string();
        bool remove = false;
        if (is_art_key(name)) {
            remove = !in_use.contains(name) && !keep.contains(name);
            if (remove && shared_) {
                std::error_code time_ec;
                const auto written = fs::last_write_time(file, time_ec);
                remove = !time_ec && written < stale_before;
            }
        } else if (name.starts_with(".tmp-")) {
            std::error_code time_ec;
            const auto written = fs::last_write_time(file, time_ec);
            remove = !time_ec && written < stale_before;
        }
        if (!remove) return;
        std::error_code size_ec, remove_ec;
        const auto size = fs::file_size(file, size_ec);
        if (!fs::remove(file, remove_ec)) {
            if (remove_ec) spdlog::warn("cache: cannot remove {}: {}", file.string(), remove_ec.message());
            return;
        }
        if (!is_art_key(name)) return; // a crash's temp file: cleaned, not counted
        ++result.removed;
        if (!size_ec) result.bytes += static_cast<std::int64_t>(size);
    };
    if (only) {
        // Only keys: a name that is not one never reaches the file system.
        for (const auto& key : std::unordered_set<std::string>(only->begin(), only->end()))
            if (is_art_key(key)) consider(dir_ / key);
        return result;
    }
    std::error_code ec;
    fs::directory_iterator it(dir_, ec), end;
    if (ec) return result; // no art dir yet: nothing to remove
    for (; it != end; it.increment(ec)) {
        if (ec) break;
        consider(it->path());
    }
    if (ec) spdlog::warn("cache: sweeping {} stopped early: {}", dir_.string(), ec.message());
    return result;
}

namespace {

/// Runs `work` on `executor` and gives back what it returns (blocking disk work off the network thread).
template <class Work>
asio::awaitable<std::invoke_result_t<Work&>> run_on(asio::any_io_executor executor, Work work) {
    using result = std::invoke_result_t<Work&>;
    // The function object overload of co_spawn keeps `work` alive for the whole coroutine. Named, not a
    // temporary inside the co_await: GCC 12 destroys such temporaries twice.
    auto task = [work = std::move(work)]() mutable -> asio::awaitable<result> { co_return work(); };
    auto done = asio::co_spawn(executor, std::move(task), asio::use_awaitable);
    co_return co_await std::move(done);
}

/// The answers of one cache_art request, filled in by its per-image coroutines.
struct items_state {
    items_state(asio::any_io_executor executor, std::size_t items, std::size_t images)
        : results(items), pending(std::move(executor), images) {}
    std::vector<cached_art> results;
    countdown pending;
};

/// Caches one image: the local file if there is one and it is usable, else the download.
asio::awaitable<void> cache_image(std::shared_ptr<providers::metadata_client> client,
                                  std::shared_ptr<slot_pool> slots, asio::any_io_executor disk,
                                  std::shared_ptr<art_store> store, std::optional<std::string> file,
                                  std::optional<std::string> url, std::shared_ptr<items_state> state,
                                  std::size_t index, bool poster) {
    const char* what = poster ? "poster" : "backdrop";
    std::optional<std::string> key;
    try {
        if (file) {
            // Named, not temporaries inside the co_await (GCC 12).
            auto copy = run_on(disk, [store, path = fs::path(*file)] { return store->copy(path); });
            auto copied = co_await std::move(copy);
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
                auto write = run_on(disk, [store, bytes = std::move(bytes)] { return store->store(bytes); });
                auto stored = co_await std::move(write);
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
    : bus_(b), source_(source), executor_(std::move(executor)), disk_(std::move(disk)),
      store_(std::make_shared<art_store>(std::move(art_dir))),
      slots_(std::make_shared<slot_pool>(executor_, concurrency)),
      sweep_slot_(std::make_shared<slot_pool>(executor_, 1)) {}

asio::awaitable<void> cache::run() {
    co_await run_mailbox(bus_.cache, [this](cache_message m) { return handle(std::move(m)); });
    slots_->close();
    sweep_slot_->close();
}

asio::awaitable<bool> cache::handle(cache_message message) {
    if (std::holds_alternative<stop_service>(message)) co_return false;
    if (auto* request = std::get_if<cache_art>(&message)) {
        asio::co_spawn(executor_,
                       cache_items(source_.client(), std::move(request->items), std::move(request->reply)),
                       asio::detached);
    } else if (auto* released = std::get_if<release_art>(&message)) {
        asio::post(disk_, [store = store_, keys = std::move(released->keys)] { store->release(keys); });
    } else if (auto* request = std::get_if<sweep_art>(&message)) {
        asio::co_spawn(executor_, sweep(std::move(request->reply), std::move(request->only)), asio::detached);
    }
    co_return true;
}

asio::awaitable<void> cache::sweep(reply_to<art_sweep_result> reply, std::optional<std::vector<std::string>> only) {
    art_sweep_result result;
    const bool admitted = co_await sweep_slot_->acquire();
    if (admitted) {
        slot_guard held(sweep_slot_);
        auto begin = run_on(disk_, [store = store_] { store->begin_sweep(); return true; });
        co_await std::move(begin);
        auto in_use = co_await ask<std::shared_ptr<const std::unordered_set<std::string>>>(
            bus_.dal_reads, [&](auto r) { return get_art_keys{std::move(r), only}; });
        if (in_use && *in_use) {
            auto finish = run_on(disk_, [store = store_, keys = *in_use, only = std::move(only)] {
                return store->finish_sweep(*keys, only);
            });
            result = co_await std::move(finish);
            if (result.removed > 0)
                spdlog::info("cache: removed {} images no movie uses ({} KiB)", result.removed,
                             result.bytes / 1024);
        } else {
            auto cancel = run_on(disk_, [store = store_] { store->cancel_sweep(); return true; });
            co_await std::move(cancel);
        }
    }
    reply(result);
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
                           cache_image(client, slots_, disk_, store_, std::move(item.poster_file),
                                       std::move(item.poster_url), state, i, true),
                           asio::detached);
        if (item.backdrop_file || item.backdrop_url)
            asio::co_spawn(executor_,
                           cache_image(client, slots_, disk_, store_, std::move(item.backdrop_file),
                                       std::move(item.backdrop_url), state, i, false),
                           asio::detached);
    }
    co_await state->pending.wait();
    reply(std::move(state->results));
}

} // namespace mediabase
