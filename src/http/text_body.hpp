#pragma once
// The body of the server's answers: text of its own, or text shared with the response cache. A cached answer
// is handed to the socket from the cache's bytes, neither copied nor allocated per request (a 46 KB list
// page copied for every request was most of the user-space time of a list under load).

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional/optional.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace mediabase {

/// A Beast body (for writing only) over `text_body::value_type`.
struct text_body {
    class value_type {
    public:
        value_type& operator=(std::string text) {
            own_ = std::move(text);
            shared_.reset();
            return *this;
        }
        /// Shows `text` without copying it. Shared text never changes (the cache's answers are const).
        void share(std::shared_ptr<const std::string> text) {
            shared_ = std::move(text);
            own_.clear();
        }
        [[nodiscard]] std::string_view view() const noexcept {
            return shared_ ? std::string_view(*shared_) : std::string_view(own_);
        }
        [[nodiscard]] std::size_t size() const noexcept { return view().size(); }
        [[nodiscard]] bool empty() const noexcept { return size() == 0; }
        void clear() noexcept {
            own_.clear();
            shared_.reset();
        }
        /// The text as a string of the caller's: moved out when it is this body's own, copied when shared.
        [[nodiscard]] std::string release() {
            std::string text = shared_ ? std::string(*shared_) : std::move(own_);
            clear();
            return text;
        }

    private:
        std::string own_;
        std::shared_ptr<const std::string> shared_;
    };

    static std::uint64_t size(const value_type& body) noexcept { return body.size(); }

    class writer {
    public:
        using const_buffers_type = boost::asio::const_buffer;

        template <bool is_request, class Fields>
        writer(const boost::beast::http::header<is_request, Fields>&, const value_type& body) : body_(body) {}

        void init(boost::beast::error_code& ec) { ec = {}; }

        boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
            ec = {};
            const auto text = body_.view();
            return {{const_buffers_type(text.data(), text.size()), false}};
        }

    private:
        const value_type& body_;
    };
};

} // namespace mediabase
