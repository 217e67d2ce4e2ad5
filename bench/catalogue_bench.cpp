// bench/catalogue_bench.cpp: the catalogue's speed at a realistic size (100,000 movies by default): storing,
// rescanning, loading the known files, listing, searching, pruning and grouping, each reported as wall time,
// CPU time and time spent waiting for a CPU. Figures, not pass/fail: tests/unit/catalogue_test.cpp checks the
// answers of the same work at a smaller size.
//
//   build/bench/catalogue_bench [COUNT]

#include "mediabase/store/catalogue.hpp"

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

using namespace mediabase;
namespace fs = std::filesystem;

namespace {

#define SAY(...) (std::cout << __VA_ARGS__ << "\n")

/// A result the figures rely on; a wrong one makes the run worthless, so it stops the program.
void expect(bool ok) {
    if (!ok) {
        std::cerr << "catalogue_bench: a result was wrong; the figures are not meaningful\n";
        std::exit(1);
    }
}

media_file file_at(std::string path, std::optional<std::string> resolution = std::nullopt) {
    media_file f;
    f.path = std::move(path);
    f.root = "/media";
    f.stamp = {1'000'000, 1'700'000'000'000'000'000};
    f.resolution = std::move(resolution);
    f.container = "mkv";
    return f;
}

found_movie found(std::string title, std::optional<int> year, std::vector<media_file> files) {
    found_movie m;
    m.title = std::move(title);
    m.year = year;
    m.files = std::move(files);
    return m;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Wall time, CPU time of this thread, and time this thread waited for a CPU. The machine that runs the
/// tests is shared, so the wall time alone says more about the neighbours than about the catalogue.
class stopwatch {
  public:
    stopwatch() : wall_(std::chrono::steady_clock::now()), cpu_(thread_cpu()), queued_(run_queue_wait()) {}
    [[nodiscard]] double wall() const { return seconds_since(wall_); }
    [[nodiscard]] double cpu() const { return thread_cpu() - cpu_; }
    [[nodiscard]] double queued() const { return run_queue_wait() - queued_; }
    [[nodiscard]] std::string report() const {
        std::ostringstream text;
        text << std::fixed << std::setprecision(1) << wall() * 1000 << " ms (CPU " << cpu() * 1000
             << " ms, waiting for a CPU " << queued() * 1000 << " ms)";
        return text.str();
    }

  private:
    static double thread_cpu() {
        timespec t{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
    }
    static double run_queue_wait() {
        std::ifstream stat("/proc/thread-self/schedstat");
        double on_cpu = 0;
        double waiting = 0;
        stat >> on_cpu >> waiting;
        return waiting / 1e9;
    }
    std::chrono::steady_clock::time_point wall_;
    double cpu_;
    double queued_;
};


void run(const fs::path& db, int count) {
    auto c = catalogue::open(db);
    const std::vector<std::string> words{
        "Love",  "War",    "Night",  "Dark",  "Star",   "Blood", "City",  "Dead",   "Man",    "Woman",
        "Last",  "Lost",   "King",   "Queen", "Ghost",  "Fire",  "Ice",   "Storm",  "Shadow", "Heart",
        "Dream", "Silent", "Secret", "Home",  "Road",   "River", "Sky",   "Sea",    "Moon",   "Sun",
        "Black", "White",  "Red",    "Blue",  "Golden", "Iron",  "Glass", "Paper",  "Stone",  "Wild",
        "Young", "Old",    "Little", "Big",   "Long",   "Final", "First", "Broken", "Hidden", "Fallen"};
    const int total = count;
    constexpr std::size_t batch_size = 500;
    std::vector<found_movie> all;
    all.reserve(total);
    for (int i = 0; i < total; ++i) {
        const auto& w1 = words[static_cast<std::size_t>(i) % words.size()];
        const auto& w2 = words[static_cast<std::size_t>(i / 50) % words.size()];
        const int year = 1930 + i % 95;
        const auto title = w1 + " " + w2 + " " + std::to_string(i);
        const auto folder = "/media/movies/" + title + " (" + std::to_string(year) + ")/";
        auto m = found(title, year,
                       {file_at(folder + title + "." + std::to_string(year) + ".1080p.BluRay.x264.mkv",
                                i % 4 == 0 ? "2160p" : "1080p")});
        m.files[0].stamp = {1'000'000 + i, 1'700'000'000'000'000'000 + i};
        all.push_back(std::move(m));
    }
    // In the order the scanner sends them: folders sorted by name.
    std::sort(all.begin(), all.end(),
              [](const auto& a, const auto& b) { return a.files[0].path < b.files[0].path; });
    const auto store_all = [&] {
        std::int64_t stored = 0;
        for (std::size_t at = 0; at < all.size(); at += batch_size) {
            const auto count = std::min(batch_size, all.size() - at);
            stored += c.store_found(std::span(all).subspan(at, count)).stored;
        }
        return stored;
    };
    const auto rate = [&](const stopwatch& watch) {
        std::ostringstream text;
        text << static_cast<int>(total / watch.wall()) << " movies/s by the clock, "
             << static_cast<int>(total / watch.cpu()) << " movies/s of CPU; " << watch.report();
        return text.str();
    };

    stopwatch adding;
    expect(store_all() == total);
    SAY("store_found, " << total << " new movies in batches of " << batch_size << ": "
                                       << rate(adding));
    expect(c.movie_count() == total);

    // A rescan where every file changed: the known-file path.
    for (auto& m : all)
        m.files[0].stamp.size += 1;
    stopwatch updating;
    expect(store_all() == total);
    SAY("store_found, " << total << " changed files: " << rate(updating));
    expect(c.movie_count() == total);

    {
        soci::session raw(soci::sqlite3, db.string());
        raw << "UPDATE movies SET genres = '[\"Drama\"]', runtime = 80 + id % 100, rating = 1 + id % 10 "
               "WHERE id % 3 = 0";
    }

    auto reader = catalogue::open(db);
    stopwatch loading;
    const auto known = reader.load_known_files();
    expect(known.size() == static_cast<std::size_t>(total));
    SAY("load_known_files, " << known.size() << " files: " << loading.report());

    const auto timed = [&](const char* what, const movie_query& q) {
        reader.list_movies(q); // a warm cache, as a server has
        stopwatch listing;
        auto page = reader.list_movies(q);
        SAY("list_movies, " << what << ": total " << page.total << ", " << page.movies.size()
                                           << " movies: " << listing.report());
        return page;
    };
    movie_query q;
    expect(timed("by title, first page", q).movies.size() == 50u);
    q.offset = total / 2;
    timed("by title, offset COUNT/2", q);
    q = {};
    q.sort = movie_sort::rating;
    q.descending = true;
    timed("by rating, descending", q);
    q.sort = movie_sort::added;
    timed("by date added, descending", q);
    q = {};
    q.sort = movie_sort::year;
    q.genre = "Drama";
    expect(timed("genre Drama by year", q).total == total / 3);
    q = {};
    q.resolution = "2160p";
    q.sort = movie_sort::runtime;
    expect(timed("2160p by runtime", q).total == total / 4);
    q = {};
    q.text = "love";
    timed("search 'love'", q);
    q.text = "st";
    timed("search 'st'", q);
    q.text = "dark night 4";
    timed("search 'dark night 4'", q);
    q.genre = "Drama";
    timed("search 'dark night 4' in Drama", q);

    {
        // One person's marks on a third of the library (user_movie_state): what their own lists read.
        soci::session raw(soci::sqlite3, db.string());
        raw << "INSERT INTO users (id, name, password_hash, role, created_at) VALUES (1, 'ann', 'h', 'admin', 'x')";
        raw << "INSERT INTO user_movie_state (user_id, movie_id, watched, rating, on_list)"
               " SELECT 1, id, id % 2, 1 + id % 10, 0 FROM movies WHERE id % 3 = 0";
    }
    const auto timed_for_person = [&](const char* what, const movie_query& query) {
        reader.list_movies(query, 1); // a warm cache
        stopwatch listing;
        auto page = reader.list_movies(query, 1);
        SAY("list_movies for a person, " << what << ": total " << page.total << ", " << page.movies.size()
                                             << " movies: " << listing.report());
        return page;
    };
    q = {};
    timed_for_person("by title, first page", q);
    q.sort = movie_sort::rating;
    q.descending = true;
    timed_for_person("by their rating, descending", q);
    q = {};
    q.watched = true;
    timed_for_person("watched", q);
    q.watched = false;
    timed_for_person("not watched", q);

    stopwatch pruning;
    expect(reader.files_under_root("/media/movies").size() == static_cast<std::size_t>(total));
    SAY("files_under_root: " << pruning.report());
    stopwatch grouping;
    expect(reader.duplicates().empty());
    SAY("duplicates: " << grouping.report());
}

} // namespace

int main(int argc, char** argv) {
    const int count = argc > 1 ? std::atoi(argv[1]) : 100'000;
    if (count < 1000) {
        std::cerr << "usage: catalogue_bench [COUNT >= 1000]\n";
        return 2;
    }
    const auto dir = fs::temp_directory_path() / ("mediabase-catalogue-bench-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    run(dir / "catalogue.db", count);
    std::error_code ec;
    fs::remove_all(dir, ec);
    return 0;
}
