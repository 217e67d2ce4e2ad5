#include "mediabase/http/connection_limits.hpp"

namespace mediabase {

connection_slot::connection_slot(std::shared_ptr<connection_limits> limits, std::string address)
    : limits_(std::move(limits)), address_(std::move(address)) {}

connection_slot& connection_slot::operator=(connection_slot&& other) noexcept {
    if (this != &other) {
        release();
        limits_ = std::move(other.limits_);
        address_ = std::move(other.address_);
    }
    return *this;
}

connection_slot::~connection_slot() {
    release();
}

void connection_slot::release() {
    if (!limits_) return;
    auto limits = std::move(limits_);
    limits_.reset();
    limits->release(address_);
}

connection_limits::connection_limits(std::size_t max_total, std::size_t max_per_address)
    : max_total_(max_total), max_per_address_(max_per_address) {}

std::size_t connection_limits::open_from(const std::string& address) const {
    const auto it = per_address_.find(address);
    return it == per_address_.end() ? 0 : it->second;
}

std::optional<connection_slot> connection_limits::admit(const std::string& address) {
    auto& count = per_address_[address];
    if (count >= max_per_address_) {
        if (count == 0) per_address_.erase(address);
        return std::nullopt;
    }
    ++count;
    ++open_;
    return connection_slot(shared_from_this(), address);
}

void connection_limits::release(const std::string& address) {
    if (const auto it = per_address_.find(address); it != per_address_.end() && --it->second == 0)
        per_address_.erase(it);
    --open_;
    if (on_release) on_release();
}

} // namespace mediabase
