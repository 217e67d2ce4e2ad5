#include "response_cache.hpp"

#include "mediabase/http/server.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>

namespace mediabase {

std::string cached_answer::etag_for(content_coding coding) const {
    if (coding == content_coding::identity) return etag;
    // "abc" -> "abc-gzip": a strong tag names one representation.
    return etag.substr(0, etag.size() - 1) + "-" + std::string(coding_token(coding)) + "\"";
}

std::optional<std::string> cache_key(const checked_request& request, person_id person) {
    // Movies and stats carry the requester's own marks (watched, rating, list): one entry per person.
    const std::string whose = "|p" + std::to_string(person);
    switch (request.route) {
    case api_route::movies: {
        const auto& q = request.query;
        // Every field, each with its own tag and length-prefixed text, so no two queries share a key.
        std::string key = "movies" + whose;
        auto add_text = [&](char tag, const std::string& text) {
            key += '|';
            key += tag;
            key += std::to_string(text.size());
            key += ':';
            key += text;
        };
        auto add_number = [&](char tag, long long n) {
            key += '|';
            key += tag;
            key += std::to_string(n);
        };
        add_text('q', q.text);
        add_number('s', static_cast<int>(q.sort));
        add_number('d', q.descending ? 1 : 0);
        add_number('l', q.limit);
        add_number('o', q.offset);
        if (q.genre) add_text('g', *q.genre);
        if (q.year_from) add_number('f', *q.year_from);
        if (q.year_to) add_number('t', *q.year_to);
        if (q.watched) add_number('w', *q.watched ? 1 : 0);
        if (q.on_list) add_number('n', *q.on_list ? 1 : 0);
        if (q.resolution) add_text('r', *q.resolution);
        if (q.match) add_text('m', to_string(*q.match));
        return key;
    }
    case api_route::movie_get: return "movie" + whose + "|" + std::to_string(request.movie_id);
    case api_route::genres: return "genres";
    case api_route::stats: return "stats" + whose;
    case api_route::duplicates: return "duplicates";
    default: return std::nullopt;
    }
}

std::string etag_of(std::string_view body) {
    char text[24];
    std::snprintf(text, sizeof text, "\"%016zx\"", std::hash<std::string_view>{}(body));
    return text;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
    auto opaque = [](std::string_view tag) {
        if (tag.starts_with("W/")) tag.remove_prefix(2);
        return tag;
    };
    const auto wanted = opaque(etag);
    while (!if_none_match.empty()) {
        const auto comma = if_none_match.find(',');
        auto tag = if_none_match.substr(0, comma);
        if_none_match = comma == std::string_view::npos ? std::string_view() : if_none_match.substr(comma + 1);
        while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
        while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
        if (tag == "*" || (!tag.empty() && opaque(tag) == wanted)) return true;
    }
    return false;
}

void response_cache::advance(std::uint64_t generation) {
    if (generation <= generation_) return;
    generation_ = generation;
    entries_.clear();
    recent_.clear();
    bytes_ = 0;
}

std::shared_ptr<cached_answer> response_cache::find(const std::string& key, std::uint64_t generation) {
    advance(generation);
    if (generation != generation_) return nullptr;
    const auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    recent_.splice(recent_.begin(), recent_, it->second.recent);
    return it->second.answer;
}

void response_cache::store(const std::string& key, std::uint64_t generation, std::shared_ptr<cached_answer> answer) {
    advance(generation);
    if (generation != generation_ || !answer || !answer->body) return;
    const auto size = answer->body->size() + key.size();
    if (size > max_bytes_) return;
    if (auto it = entries_.find(key); it != entries_.end()) {
        bytes_ -= it->second.bytes;
        recent_.erase(it->second.recent);
        entries_.erase(it);
    }
    recent_.push_front(key);
    entries_.emplace(key, entry{std::move(answer), size, recent_.begin()});
    bytes_ += size;
    evict();
}

void response_cache::add_encoding(cached_answer& answer, content_coding coding,
                                  std::shared_ptr<const std::string> body) {
    if (!body) return;
    auto& slot = coding == content_coding::br ? answer.br_body : answer.gzip_body;
    if (coding == content_coding::identity || slot) return;
    slot = std::move(body);
    // Counted against the entry holding this answer, if it is still cached.
    for (auto& [key, e] : entries_) {
        if (e.answer.get() != &answer) continue;
        e.bytes += slot->size();
        bytes_ += slot->size();
        break;
    }
    evict();
}

void response_cache::evict() {
    while (!recent_.empty() && (entries_.size() > max_entries_ || bytes_ > max_bytes_)) {
        const auto it = entries_.find(recent_.back());
        bytes_ -= it->second.bytes;
        entries_.erase(it);
        recent_.pop_back();
    }
}

bool response_cache::begin(const std::string& key, std::function<void()> on_done) {
    const auto [it, first] = in_flight_.try_emplace(key);
    if (first) return true;
    it->second.push_back(std::move(on_done));
    return false;
}

void response_cache::finish(const std::string& key) {
    const auto it = in_flight_.find(key);
    if (it == in_flight_.end()) return;
    auto waiters = std::move(it->second);
    in_flight_.erase(it);
    for (auto& wake : waiters) wake();
}

std::size_t list_query_slots() {
    return std::max<std::size_t>(1, std::thread::hardware_concurrency() / 2);
}

std::shared_ptr<read_gate::ticket> read_gate::enter(std::function<void()> on_turn) {
    auto t = std::make_shared<ticket>();
    t->on_turn = std::move(on_turn);
    if (free_ > 0 && queue_.empty()) {
        --free_;
        t->admitted = true;
        return t;
    }
    queue_.push_back(t);
    return t;
}

void read_gate::leave() {
    while (!queue_.empty()) {
        auto next = std::move(queue_.front());
        queue_.pop_front();
        if (next->gone) continue;
        next->admitted = true;
        if (next->on_turn) next->on_turn();
        return;
    }
    ++free_;
}

} // namespace mediabase
