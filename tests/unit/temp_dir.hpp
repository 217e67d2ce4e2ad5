#pragma once
// A folder made for one test and removed after it, shared by the unit tests that touch the filesystem.

#include <filesystem>
#include <random>
#include <string>

namespace mediabase::testing {

struct temp_dir {
    std::filesystem::path path;
    explicit temp_dir(const std::string& prefix = "mediabase-test-") {
        std::random_device random;
        path = std::filesystem::temp_directory_path() /
               (prefix + std::to_string(random()) + "-" + std::to_string(random()));
        std::filesystem::create_directories(path);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

} // namespace mediabase::testing
