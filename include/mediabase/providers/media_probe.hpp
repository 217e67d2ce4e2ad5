#pragma once
/// Reading a video file's own description (container, duration, streams) with libavformat. Blocking file
/// I/O, no Asio: the Prober runs it on a thread of its own.

#include "mediabase/model/model.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <span>
#include <string>

namespace mediabase::providers {

/// How long one file may take at most: a hostile or damaged file (or a stalled network share) is given up
/// on then and reported as unreadable.
inline constexpr std::chrono::milliseconds probe_budget{5000};

/// Reads the container and stream headers of the file at `path` (`stamp`: the file as the catalogue knows
/// it, kept in the result). Never throws for a bad file: a file libavformat cannot read, one with no audio
/// or video stream, and one that takes longer than `budget` come back `unreadable` with the reason.
/// `stop` (may be null) ends the read early when set (shutdown); the result is then unreadable too.
[[nodiscard]] media_info probe_media(const std::string& path, file_stamp stamp,
                                     std::chrono::milliseconds budget = probe_budget,
                                     const std::atomic<bool>* stop = nullptr);

/// The same for bytes in memory (the fuzz target).
[[nodiscard]] media_info probe_media_bytes(std::span<const unsigned char> bytes,
                                           std::chrono::milliseconds budget = probe_budget);

} // namespace mediabase::providers
