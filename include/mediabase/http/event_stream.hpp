#pragma once
/// The pure logic of the WebSocket event stream, kept apart from Beast so it is tested without an event loop:
///
/// - `movie_batch` coalesces per-movie changes into `movies.changed` frames (ids of every change, the full
///   record of a few of them), so a 100,000-movie import sends a few hundred frames instead of 100,000.
/// - `event_outbox` is one client's queue, bounded in bytes. When it is full, the frames that can be
///   coalesced (movie changes, progress) are collapsed into one `resync` frame (the client refetches), while
///   lifecycle frames (`import.finished`, `prune.finished`, `error` ...) are always kept.

#include "mediabase/store/catalogue.hpp"
#include "mediabase/model/model.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mediabase {

/// How a frame may be treated by a client's outbox when the client falls behind.
enum class frame_kind {
    lifecycle,   ///< always delivered, in order (import.started/finished, prune.finished, error, resync)
    progress,    ///< a newer one replaces a queued one (import.progress)
    coalescable, ///< may be collapsed into a `resync` (movies.changed, the legacy movie.* frames)
};

/// Per-movie changes gathered into `movies.changed` frames.
class movie_batch {
public:
    /// Changes per frame at most: a full batch is flushed at once instead of waiting for the window. Large
    /// enough that a fast import is paced by the window (its ids cost about 7 bytes each), not by this bound.
    static constexpr std::size_t max_changes = 5000;
    /// Full movie records per frame at most (the newest changes): enough for a live feed, few bytes.
    static constexpr std::size_t max_movies = 20;

    /// Adds a change; `subject` is kept only while it is among the newest max_movies records (it is turned
    /// into JSON at take(), so a 100,000-movie import converts a few hundred records, not 100,000).
    void add(change_kind kind, movie_id id, std::optional<movie> subject);
    [[nodiscard]] bool empty() const { return changes_ == 0; }
    [[nodiscard]] bool full() const { return changes_ >= max_changes; }
    [[nodiscard]] std::size_t size() const { return changes_; }

    /// The frame for what was added since the last take, and an empty batch. Shape:
    /// `{"type": "movies.changed", "added": [ids], "updated": [ids], "removed": [ids], "movies": [movie...]}`.
    boost::json::object take();

private:
    std::vector<movie_id> added_, updated_, removed_;
    std::deque<movie> movies_; ///< the newest max_movies records
    std::size_t changes_ = 0;
};

/// One client's queue of frames, bounded in bytes.
class event_outbox {
public:
    using frame = std::shared_ptr<const std::string>;

    /// `limit`: queued bytes beyond which coalescable frames are collapsed into a resync.
    /// `hard_limit`: queued bytes of lifecycle frames beyond which the client is given up (`push` says so).
    event_outbox(std::size_t limit, std::size_t hard_limit) : limit_(limit), hard_limit_(hard_limit) {}

    /// Queues a frame. False: the client holds more than `hard_limit` bytes of frames that must not be dropped
    /// and is to be closed.
    bool push(frame text, frame_kind kind);

    /// The next frame to write, or nullptr.
    frame pop();

    [[nodiscard]] bool empty() const { return queue_.empty(); }
    [[nodiscard]] std::size_t bytes() const { return bytes_; }
    [[nodiscard]] std::size_t frames() const { return queue_.size(); }
    /// How many times this client fell behind and was sent a resync.
    [[nodiscard]] std::size_t resyncs() const { return resyncs_; }
    void clear();

    /// The `resync` frame: `{"type": "resync", "reason": ...}`.
    static const frame& resync_frame();

private:
    struct entry {
        frame text;
        frame_kind kind;
    };
    bool drop_coalescable();
    void queue_resync();

    std::deque<entry> queue_;
    std::size_t bytes_ = 0;
    std::size_t limit_;
    std::size_t hard_limit_;
    bool resync_queued_ = false;
    std::size_t resyncs_ = 0;
};

} // namespace mediabase
