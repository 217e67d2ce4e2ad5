#pragma once
/// The actor runtime: typed, bounded mailboxes and typed replies over Asio experimental channels.
///
/// Every service reads one mailbox carrying one std::variant of its messages. Mailboxes are
/// concurrent_channels because services live on different threads (network, scanner, database).
/// Policy when a mailbox is full: the sender waits (back-pressure), never grows it and never drops,
/// except where a sender chooses `try_send` and states what it does on `false`.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>

#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace mediabase {

namespace asio = boost::asio;
using boost::system::error_code;

/// A bounded mailbox of `Message` (a std::variant of the service's message structs).
template <class Message>
class mailbox {
public:
    using channel_type = asio::experimental::concurrent_channel<void(error_code, Message)>;

    mailbox(asio::any_io_executor executor, std::size_t capacity, std::string name)
        : channel_(std::move(executor), capacity), capacity_(capacity), name_(std::move(name)) {}

    mailbox(const mailbox&) = delete;
    mailbox& operator=(const mailbox&) = delete;

    /// Waits while the mailbox is full. False: the mailbox is closed and the message was dropped.
    asio::awaitable<bool> send(Message message) {
        auto [ec] = co_await channel_.async_send(error_code{}, std::move(message), asio::as_tuple(asio::use_awaitable));
        co_return !ec;
    }

    /// Never waits. False when full or closed: the caller decides (drop, coalesce, or retry with `send`).
    bool try_send(Message message) { return channel_.try_send(error_code{}, std::move(message)); }

    /// The next message, or nullopt once the mailbox is closed.
    asio::awaitable<std::optional<Message>> receive() {
        auto [ec, message] = co_await channel_.async_receive(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return std::nullopt;
        co_return std::optional<Message>(std::move(message));
    }

    /// Wakes blocked senders and receivers with an error and refuses further messages. Cancel comes
    /// before close: the other order completes blocked senders with success and loses their messages.
    void close() {
        channel_.cancel();
        channel_.close();
    }

    [[nodiscard]] std::size_t capacity() const { return capacity_; }
    [[nodiscard]] const std::string& name() const { return name_; }

private:
    channel_type channel_;
    std::size_t capacity_;
    std::string name_;
};

/// The sending half of a typed reply, carried inside a request message. Answering never blocks (the
/// reply channel holds one value). A request dropped without an answer (a service stopping) closes the
/// channel, so the asker is woken with "no answer" instead of waiting forever.
template <class T>
class reply_to {
public:
    using channel_type = asio::experimental::concurrent_channel<void(error_code, T)>;

    reply_to() = default;
    explicit reply_to(std::shared_ptr<channel_type> channel) : channel_(std::move(channel)) {}
    reply_to(reply_to&&) noexcept = default;
    reply_to& operator=(reply_to&& other) noexcept {
        abandon();
        channel_ = std::move(other.channel_);
        return *this;
    }
    ~reply_to() { abandon(); }

    /// Sends the answer. A second call, or a call on an empty reply_to, does nothing.
    void operator()(T value) {
        if (!channel_) return;
        channel_->try_send(error_code{}, std::move(value));
        channel_.reset();
    }

    [[nodiscard]] explicit operator bool() const { return channel_ != nullptr; }

private:
    void abandon() {
        if (channel_) channel_->close();
        channel_.reset();
    }
    std::shared_ptr<channel_type> channel_;
};

/// The receiving half of a typed reply.
template <class T>
class reply_from {
public:
    using channel_type = typename reply_to<T>::channel_type;
    explicit reply_from(std::shared_ptr<channel_type> channel) : channel_(std::move(channel)) {}

    /// The answer, or nullopt when the request was dropped unanswered.
    asio::awaitable<std::optional<T>> get() {
        auto [ec, value] = co_await channel_->async_receive(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return std::nullopt;
        co_return std::optional<T>(std::move(value));
    }

private:
    std::shared_ptr<channel_type> channel_;
};

/// A reply pair whose answer resumes the asker on `executor`.
template <class T>
std::pair<reply_to<T>, reply_from<T>> make_reply(asio::any_io_executor executor) {
    auto channel = std::make_shared<typename reply_to<T>::channel_type>(std::move(executor), 1);
    return {reply_to<T>(channel), reply_from<T>(channel)};
}

/// Sends a request built by `make(reply_to<T>)` and waits for its answer. nullopt: the service is gone
/// or dropped the request.
template <class T, class Message, class Make>
asio::awaitable<std::optional<T>> ask(mailbox<Message>& box, Make make) {
    auto [to, from] = make_reply<T>(co_await asio::this_coro::executor);
    // Named, not a temporary: GCC 12 destroys class temporaries inside co_await expressions twice.
    Message request = make(std::move(to));
    if (!co_await box.send(std::move(request))) co_return std::nullopt;
    co_return co_await from.get();
}

/// Sends `message` after converting it to the mailbox's variant inside this coroutine.
/// GCC 12 destroys a braced temporary that lives across a co_await twice, so messages are built as named
/// locals and moved in: `store_movies message{...}; co_await post(box, std::move(message));`.
template <class Message, class T>
asio::awaitable<bool> post(mailbox<Message>& box, T message) {
    Message converted(std::move(message));
    co_return co_await box.send(std::move(converted));
}

/// The name of the message a variant holds, for logs ("store_movies").
template <class Message>
const char* message_name(const Message& message) {
    return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::name; }, message);
}

/// The loop every actor runs: takes messages one by one and hands them to `handle` (an awaitable
/// returning false to stop). A handler that throws is a bug: it is logged with the service and message
/// name, and the service keeps serving its next message.
template <class Message, class Handle>
asio::awaitable<void> run_mailbox(mailbox<Message>& box, Handle handle) {
    for (;;) {
        auto message = co_await box.receive();
        if (!message) co_return;
        const char* name = message_name(*message);
        bool keep_running = true;
        try {
            keep_running = co_await handle(std::move(*message));
        } catch (const std::exception& e) {
            spdlog::error("{}: handling {} failed: {}", box.name(), name, e.what());
        }
        if (!keep_running) co_return;
    }
}

} // namespace mediabase
