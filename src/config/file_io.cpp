#include "mediabase/config/file_io.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mediabase {

namespace {

namespace errc = boost::system::errc;

boost::system::error_code last_error() {
    return {errno, boost::system::system_category()};
}

/// Closes a descriptor on every way out.
struct descriptor {
    int fd = -1;
    ~descriptor() {
        if (fd >= 0) ::close(fd);
    }
};

} // namespace

boost::system::result<std::string> read_small_regular_file(const std::filesystem::path& path,
                                                           std::size_t max_bytes) {
    // O_NONBLOCK: opening a FIFO for reading must not wait for a writer; the type is checked right after.
    descriptor file{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
    if (file.fd < 0) return last_error();
    struct stat st {};
    if (::fstat(file.fd, &st) != 0) return last_error();
    if (!S_ISREG(st.st_mode)) return errc::make_error_code(errc::invalid_argument);
    if (static_cast<std::size_t>(st.st_size) > max_bytes) return errc::make_error_code(errc::file_too_large);
    std::string content;
    content.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (got < content.size()) {
        const auto n = ::read(file.fd, content.data() + got, content.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return last_error();
        if (n == 0) break; // shrank while we read: take what is there
        got += static_cast<std::size_t>(n);
    }
    content.resize(got);
    return content;
}

std::string describe(const boost::system::error_code& error, std::size_t max_bytes) {
    if (error == errc::invalid_argument) return "not a regular file";
    if (error == errc::file_too_large) return "larger than " + std::to_string(max_bytes) + " bytes";
    return error.message();
}

std::optional<std::string> write_private_file(const std::filesystem::path& path, const std::string& content) {
    auto temp = path;
    temp += ".tmp";
    ::unlink(temp.c_str()); // a leftover of a crash, or something planted there: start from nothing
    descriptor file{::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)};
    if (file.fd < 0) return "cannot write " + temp.string() + ": " + std::strerror(errno);
    std::size_t written = 0;
    while (written < content.size()) {
        const auto n = ::write(file.fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const std::string why = std::strerror(errno);
            ::unlink(temp.c_str());
            return "cannot write " + temp.string() + ": " + why;
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(file.fd) != 0) {
        const std::string why = std::strerror(errno);
        ::unlink(temp.c_str());
        return "cannot write " + temp.string() + ": " + why;
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const std::string why = std::strerror(errno);
        ::unlink(temp.c_str());
        return "cannot replace " + path.string() + ": " + why;
    }
    return std::nullopt;
}

} // namespace mediabase
