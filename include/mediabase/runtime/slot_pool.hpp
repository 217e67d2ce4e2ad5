#pragma once
/// Small synchronisation for coroutines on one thread: slot_pool and countdown.
///
/// slot_pool: a counting semaphore for coroutines on one thread (or strand): at most N holders at a time, the
/// others wait in `acquire`. Used to bound how many movies the Scraper identifies and the Cache downloads at
/// once, and how many chunks of an import Core has in flight.
///
/// Held through a shared_ptr by every coroutine that may hold a slot, so a coroutine destroyed late (a forced
/// shutdown) never releases into a pool that is gone.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>

namespace mediabase {

class slot_pool {
  public:
    slot_pool(boost::asio::any_io_executor executor, int slots)
        : free_(std::max(1, slots)),
          wake_(std::move(executor), std::chrono::steady_clock::time_point::max()) {}

    /// Waits for a free slot and takes it. False once the pool is closed (nothing is taken then).
    boost::asio::awaitable<bool> acquire() {
        // The timer never expires: `release` and `close` wake waiters by cancelling one or all of them.
        while (free_ == 0 && !closed_)
            co_await wake_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        if (closed_) co_return false;
        --free_;
        co_return true;
    }

    void release() {
        ++free_;
        wake_.cancel_one();
    }

    /// Wakes every waiter with false; later `acquire`s fail at once.
    void close() {
        closed_ = true;
        wake_.cancel();
    }

    [[nodiscard]] int free() const { return free_; }

  private:
    int free_;
    bool closed_ = false;
    boost::asio::steady_timer wake_;
};

/// Waits until `count` pieces of work have each called `done` once (one waiter; coroutines on one thread).
class countdown {
  public:
    countdown(boost::asio::any_io_executor executor, std::size_t count)
        : remaining_(count), wake_(std::move(executor), std::chrono::steady_clock::time_point::max()) {}

    void done() {
        if (remaining_ > 0 && --remaining_ == 0) wake_.cancel();
    }

    boost::asio::awaitable<void> wait() {
        while (remaining_ > 0)
            co_await wake_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }

    [[nodiscard]] std::size_t remaining() const { return remaining_; }

  private:
    std::size_t remaining_;
    boost::asio::steady_timer wake_; ///< never expires: cancelled when the count reaches zero
};

/// Releases a slot when it goes out of scope.
class slot_guard {
  public:
    explicit slot_guard(std::shared_ptr<slot_pool> pool) : pool_(std::move(pool)) {}
    slot_guard(const slot_guard&) = delete;
    slot_guard& operator=(const slot_guard&) = delete;
    ~slot_guard() {
        if (pool_) pool_->release();
    }

  private:
    std::shared_ptr<slot_pool> pool_;
};

} // namespace mediabase
