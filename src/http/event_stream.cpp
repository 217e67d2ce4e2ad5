#include "mediabase/http/event_stream.hpp"

#include "mediabase/model/movie_json.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace json = boost::json;

namespace mediabase {

void movie_batch::add(change_kind kind, movie_id id, std::optional<movie> subject) {
    switch (kind) {
    case change_kind::added: added_.push_back(id); break;
    case change_kind::updated: updated_.push_back(id); break;
    case change_kind::removed: removed_.push_back(id); break;
    }
    ++changes_;
    if (kind == change_kind::removed || !subject) return;
    movies_.push_back(std::move(*subject));
    if (movies_.size() > max_movies) movies_.pop_front();
}

json::object movie_batch::take() {
    auto ids = [](std::vector<movie_id>& from) {
        json::array out;
        out.reserve(from.size());
        for (const auto id : from) out.emplace_back(id);
        from.clear();
        return out;
    };
    json::array movies;
    movies.reserve(movies_.size());
    for (const auto& m : movies_) movies.emplace_back(to_shared_json(m));
    movies_.clear();
    json::object frame{{"type", "movies.changed"},
                       {"added", ids(added_)},
                       {"updated", ids(updated_)},
                       {"removed", ids(removed_)},
                       {"movies", std::move(movies)}};
    changes_ = 0;
    return frame;
}

const event_outbox::frame& event_outbox::resync_frame() {
    static const frame text = std::make_shared<const std::string>(json::serialize(json::object{
        {"type", "resync"},
        {"reason", "this client fell behind: changes were left out; fetch the current state again"}}));
    return text;
}

bool event_outbox::push(frame text, frame_kind kind) {
    const auto size = text->size();
    if (kind == frame_kind::progress) {
        // Only the newest status matters: it replaces one still waiting in the queue.
        const auto queued = std::find_if(queue_.begin(), queue_.end(),
                                         [](const entry& e) { return e.kind == frame_kind::progress; });
        if (queued != queue_.end()) {
            bytes_ = bytes_ - queued->text->size() + size;
            queued->text = std::move(text);
            return true;
        }
    }
    if (kind != frame_kind::lifecycle && resync_queued_) return true; // the resync covers it
    if (bytes_ + size > limit_) {
        const bool dropped = drop_coalescable();
        // A resync stands for what was dropped, the incoming frame included when it may be dropped.
        if (dropped || kind != frame_kind::lifecycle) queue_resync();
        if (kind != frame_kind::lifecycle) return true;
    }
    if (kind == frame_kind::lifecycle && bytes_ + size > hard_limit_) return false;
    bytes_ += size;
    queue_.push_back({std::move(text), kind});
    return true;
}

bool event_outbox::drop_coalescable() {
    // Every frame that can be refetched goes; one resync after what is kept tells the client to refetch.
    return std::erase_if(queue_, [this](const entry& e) {
        if (e.kind == frame_kind::lifecycle) return false;
        bytes_ -= e.text->size();
        return true;
    }) > 0;
}

void event_outbox::queue_resync() {
    if (resync_queued_) return;
    resync_queued_ = true;
    ++resyncs_;
    bytes_ += resync_frame()->size();
    queue_.push_back({resync_frame(), frame_kind::lifecycle});
}

event_outbox::frame event_outbox::pop() {
    if (queue_.empty()) return nullptr;
    auto text = std::move(queue_.front().text);
    queue_.pop_front();
    bytes_ -= text->size();
    // Once the resync is on its way, later changes are the client's to apply again.
    if (text == resync_frame()) resync_queued_ = false;
    return text;
}

void event_outbox::clear() {
    queue_.clear();
    bytes_ = 0;
    resync_queued_ = false;
}

} // namespace mediabase
