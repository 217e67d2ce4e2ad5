#pragma once
/// How many client connections the server holds at once, in all and per client address. Pure bookkeeping
/// (no Asio): the server's accept loop asks it before and after each accept. Used on the network thread only.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace mediabase {

class connection_limits;

/// One admitted connection (HTTP or WebSocket). Gives its place back when destroyed, even if it outlives
/// the server (it holds the limits by shared pointer).
class connection_slot {
  public:
    connection_slot() = default;
    connection_slot(std::shared_ptr<connection_limits> limits, std::string address);
    connection_slot(connection_slot&& other) noexcept = default;
    connection_slot& operator=(connection_slot&& other) noexcept;
    connection_slot(const connection_slot&) = delete;
    connection_slot& operator=(const connection_slot&) = delete;
    ~connection_slot();

  private:
    void release();
    std::shared_ptr<connection_limits> limits_;
    std::string address_;
};

class connection_limits : public std::enable_shared_from_this<connection_limits> {
  public:
    /// `max_total`: connections held at once; more wait in the listen queue until one ends.
    /// `max_per_address`: connections from one client address; more are answered 503 and closed, so one
    /// client cannot take every place.
    connection_limits(std::size_t max_total, std::size_t max_per_address);

    [[nodiscard]] bool full() const { return open_ >= max_total_; }
    [[nodiscard]] std::size_t open() const { return open_; }
    [[nodiscard]] std::size_t max_total() const { return max_total_; }
    [[nodiscard]] std::size_t max_per_address() const { return max_per_address_; }
    [[nodiscard]] std::size_t open_from(const std::string& address) const;

    /// A slot for a connection from `address`, or nullopt when that address holds its share already.
    [[nodiscard]] std::optional<connection_slot> admit(const std::string& address);

    /// Called whenever a slot is given back (the accept loop waits for that when full).
    std::function<void()> on_release;

  private:
    friend class connection_slot;
    void release(const std::string& address);

    std::size_t max_total_;
    std::size_t max_per_address_;
    std::size_t open_ = 0;
    std::unordered_map<std::string, std::size_t> per_address_;
};

} // namespace mediabase
