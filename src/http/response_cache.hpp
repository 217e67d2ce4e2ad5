#pragma once
// Answers to catalogue reads kept per catalogue generation: the same list, search or movie is built once
// until a write changes the catalogue, then served from memory with an ETag (304 on If-None-Match). No Asio:
// the Server owns one, used on the network thread only; rest_api does the waiting.

#include "compression.hpp"
#include "rest_request.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mediabase {

/// One cached answer: the identity body and, made when first asked for, its encoded forms.
struct cached_answer {
    unsigned status = 200;
    std::string content_type;
    std::shared_ptr<const std::string> body;
    std::string etag; ///< strong, quoted, from the body's bytes
    std::shared_ptr<const std::string> gzip_body;
    std::shared_ptr<const std::string> br_body;

    /// The ETag of the body as sent with `coding` (each encoding is its own representation).
    [[nodiscard]] std::string etag_for(content_coding coding) const;
};

/// The cache key of a checked request (its route and its parameters in one canonical form, so
/// `?limit=50` and `?offset=0&limit=50` share one entry), or nullopt for answers that are not cached
/// (anything that is not a read of the catalogue alone). `person`: whose marks the answer shows
/// (shared_state for a request with no account).
[[nodiscard]] std::optional<std::string> cache_key(const checked_request& request, person_id person);

/// A strong ETag made from a body's bytes: `"<16 hex digits>"`.
[[nodiscard]] std::string etag_of(std::string_view body);

/// Whether an If-None-Match value matches `etag` (a list, `*`, weak `W/` tags compared weakly, RFC 9110 13.1.2).
[[nodiscard]] bool etag_matches(std::string_view if_none_match, std::string_view etag);



/// A FIFO of requests waiting for one of a fixed number of slots (list queries at the DAL). No Asio: the
/// caller waits on a timer that `on_turn` cancels. Network thread only.
/// Bounded by the connections (one request each, --max-connections); a ticket waits at most its time
/// budget, then leaves the queue as `gone`.
class read_gate {
public:
    /// One request's place: `admitted` once it holds a slot; `gone` once it gave up waiting.
    struct ticket {
        std::function<void()> on_turn;
        bool admitted = false;
        bool gone = false;
    };

    explicit read_gate(std::size_t slots) : free_(slots) {}

    /// Takes a slot now (the ticket comes back admitted) or queues; when a slot is handed over, the ticket
    /// is admitted and `on_turn` runs. A caller that stops waiting sets `gone` on a ticket not admitted.
    std::shared_ptr<ticket> enter(std::function<void()> on_turn);
    /// Gives a slot back: to the longest waiting request still there, or to the pool.
    void leave();

    [[nodiscard]] std::size_t waiting() const { return queue_.size(); }
    [[nodiscard]] std::size_t free_slots() const { return free_; }

private:
    std::size_t free_;
    std::list<std::shared_ptr<ticket>> queue_;
};

/// Bounded: at most `max_entries` answers and `max_bytes` of bodies (encoded forms included); past either
/// the least recently used answers are dropped. A newer catalogue generation drops everything.
class response_cache {
public:
    /// `list_slots`: list queries at the DAL at once (list_query_slots() in a server).
    explicit response_cache(std::size_t max_entries = 1024, std::size_t max_bytes = 64u << 20,
                            std::size_t list_slots = 1)
        : list_queries(list_slots), max_entries_(max_entries), max_bytes_(max_bytes) {}

    /// The answer cached for `key` at `generation`, or null.
    std::shared_ptr<cached_answer> find(const std::string& key, std::uint64_t generation);

    /// Keeps `answer`, made from the catalogue as it was at `generation` (read before the query ran). An
    /// answer of an older generation than the cache's is not kept: a write has made it stale.
    void store(const std::string& key, std::uint64_t generation, std::shared_ptr<cached_answer> answer);

    /// Adds the encoded body to a cached answer, counting its bytes.
    void add_encoding(cached_answer& answer, content_coding coding, std::shared_ptr<const std::string> body);

    /// Single flight: true when the caller should build the answer for `key` (and call finish after);
    /// false when another request is building it (then `on_done` runs when it finishes). The waiters are
    /// bounded by the connections (one request each).
    bool begin(const std::string& key, std::function<void()> on_done);
    /// Ends the flight of `key` and wakes the requests that waited for it.
    void finish(const std::string& key);

    [[nodiscard]] std::size_t size() const { return entries_.size(); }
    [[nodiscard]] std::size_t bytes() const { return bytes_; }
    /// The catalogue generation answers are kept for: read before a query runs, given back to store().
    [[nodiscard]] std::uint64_t generation() const { return generation_; }
    /// The catalogue changed: every cached answer is stale, and answers being built now are not kept.
    void invalidate() { advance(generation_ + 1); }

    /// The slots of list and search queries at the DAL (a cache miss of `GET /movies` takes one).
    read_gate list_queries;

private:
    struct entry {
        std::shared_ptr<cached_answer> answer;
        std::size_t bytes = 0;
        std::list<std::string>::iterator recent;
    };
    void advance(std::uint64_t generation);
    void evict();
    std::size_t max_entries_;
    std::size_t max_bytes_;
    std::uint64_t generation_ = 0;
    std::size_t bytes_ = 0;
    std::unordered_map<std::string, entry> entries_;
    std::list<std::string> recent_; ///< most recently used first
    std::unordered_map<std::string, std::vector<std::function<void()>>> in_flight_;
};


} // namespace mediabase
