#pragma once
/// Reading and writing the small files the server keeps in its data folder (config.json), safely: a read
/// takes only a regular file of bounded size (never blocks on a FIFO, never reads a device), a write is
/// atomic (temporary file, fsync, rename) and private to the server's user.

#include <boost/system/result.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

namespace mediabase {

/// The whole file, or why not: `no_such_file_or_directory` when it is missing, `invalid_argument` when it
/// is not a regular file (a FIFO, a device, a folder), `file_too_large` past `max_bytes`, else the I/O error.
boost::system::result<std::string> read_small_regular_file(const std::filesystem::path& path,
                                                           std::size_t max_bytes);

/// A one-line explanation of a read_small_regular_file error.
std::string describe(const boost::system::error_code& error, std::size_t max_bytes);

/// Replaces `path` with `content` atomically, with mode 0600. An error message, or nullopt.
std::optional<std::string> write_private_file(const std::filesystem::path& path, const std::string& content);

} // namespace mediabase
