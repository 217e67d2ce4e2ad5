#define BOOST_TEST_MODULE providers_metadata_client
// The provider facade against the fake provider server (tests/fake_provider), started once as a child
// process on an ephemeral loopback port. Each test drives metadata_client on its own io_context; nothing
// sleeps: the only waits are the ones the client itself must make (Retry-After, timeouts, backoff).
#include "mediabase/providers/metadata_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace asio = boost::asio;
namespace json = boost::json;
using namespace mediabase::providers;
using namespace std::chrono_literals;

namespace {

const std::string tmdb_key = "test-tmdb-key";
const std::string tmdb_token = "test-tmdb-token";
const std::string omdb_key = "test-omdb-key";

/// The fake provider as a child process: started with --exit-on-stdin-eof, so closing its stdin (or this
/// process dying) stops it; ready when it prints "PORT <n>".
class fake_provider_process {
  public:
    fake_provider_process() {
        const char* script = std::getenv("FAKE_PROVIDER");
        if (!script) throw std::runtime_error("FAKE_PROVIDER is not set: run this test with `meson test`");
        const char* python_env = std::getenv("FAKE_PROVIDER_PYTHON");
        const std::string python = python_env ? python_env : "/usr/bin/python3";

        int to_child[2], from_child[2];
        if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(from_child, O_CLOEXEC) != 0)
            throw std::runtime_error("pipe2 failed");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
        posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
        std::string flag = "--exit-on-stdin-eof";
        std::string script_arg = script;
        std::string python_arg = python;
        char* argv[] = {python_arg.data(), script_arg.data(), flag.data(), nullptr};
        const int spawned = posix_spawn(&pid_, python.c_str(), &actions, nullptr, argv, environ);
        posix_spawn_file_actions_destroy(&actions);
        close(to_child[0]);
        close(from_child[1]);
        stdin_ = to_child[1];
        stdout_ = from_child[0];
        if (spawned != 0) throw std::runtime_error("cannot start " + python);

        // Wait for the "PORT <n>" line, not for a guessed time.
        std::string line;
        while (port_ == 0) {
            pollfd p{stdout_, POLLIN, 0};
            if (poll(&p, 1, 20000) <= 0) throw std::runtime_error("the fake provider did not start in 20 s");
            char c = 0;
            if (read(stdout_, &c, 1) != 1)
                throw std::runtime_error("the fake provider exited before listening");
            if (c != '\n') {
                line += c;
                continue;
            }
            if (line.rfind("PORT ", 0) == 0) port_ = std::stoi(line.substr(5));
            line.clear();
        }
    }

    ~fake_provider_process() {
        close(stdin_);
        kill(pid_, SIGTERM);
        waitpid(pid_, nullptr, 0);
        close(stdout_);
    }

    fake_provider_process(const fake_provider_process&) = delete;
    fake_provider_process& operator=(const fake_provider_process&) = delete;

    int port() const { return port_; }

  private:
    pid_t pid_ = -1;
    int stdin_ = -1;
    int stdout_ = -1;
    int port_ = 0;
};

fake_provider_process* server = nullptr;

struct server_fixture {
    fake_provider_process process;
    server_fixture() { server = &process; }
    ~server_fixture() { server = nullptr; }
};

std::string base_url() {
    return "http://127.0.0.1:" + std::to_string(server->port());
}

/// A blocking HTTP/1.0 exchange with the fake provider's control endpoints, independent of the client
/// under test.
json::value control_call(const std::string& method, const std::string& path, const std::string& body = "") {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(server->port()));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        close(fd);
        throw std::runtime_error("cannot reach the fake provider");
    }
    const std::string request = method + " " + path +
                                " HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                "Content-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body;
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
        close(fd);
        throw std::runtime_error("cannot send to the fake provider");
    }
    std::string response;
    char buffer[4096];
    for (ssize_t n; (n = recv(fd, buffer, sizeof buffer, 0)) > 0;)
        response.append(buffer, static_cast<std::size_t>(n));
    close(fd);
    const auto blank = response.find("\r\n\r\n");
    if (response.rfind("HTTP/1.", 0) != 0 || response.compare(8, 5, " 200 ") != 0 ||
        blank == std::string::npos)
        throw std::runtime_error("fake provider control failed: " + response);
    return json::parse(response.substr(blank + 4));
}

void control(const json::object& switches) {
    control_call("POST", "/_control", json::serialize(switches));
}

json::object stats() {
    return control_call("GET", "/_stats").as_object();
}

std::int64_t count_in(const json::object& s, std::string_view group, std::string_view key) {
    const auto* g = s.at(group).if_object();
    if (!g) return 0;
    const auto* v = g->if_contains(key);
    return v ? v->as_int64() : 0;
}

/// Runs one coroutine to completion on a fresh run of the io_context and returns its result.
template <class T> T run(asio::io_context& io, asio::awaitable<T> work) {
    std::optional<T> out;
    std::exception_ptr failure;
    asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
        failure = e;
        if (!e) out.emplace(std::move(value));
    });
    io.restart();
    io.run();
    if (failure) std::rethrow_exception(failure);
    return std::move(*out);
}

metadata_settings test_settings() {
    metadata_settings s;
    s.tmdb_base_url = base_url() + "/3";
    s.omdb_base_url = base_url() + "/omdb/";
    s.tmdb_api_key = tmdb_key;
    s.omdb_api_key = omdb_key;
    s.requests_per_second = 500;
    s.request_timeout = 5s;
    s.backoff_base = 20ms;
    s.max_attempts = 3;
    return s;
}

/// Per test: the server's switches and counters reset, a fresh io_context.
struct client_fixture {
    asio::io_context io;
    client_fixture() { control({{"reset", true}}); }
};

mediabase::found_movie found(std::string title, std::optional<int> year = std::nullopt) {
    mediabase::found_movie f;
    f.title = std::move(title);
    f.year = year;
    return f;
}

/// Captures everything spdlog writes (down to trace) while alive.
struct log_capture {
    std::ostringstream text;
    std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
    log_capture() {
        auto logger = std::make_shared<spdlog::logger>(
            "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(text));
        logger->set_level(spdlog::level::trace);
        spdlog::set_default_logger(logger);
    }
    ~log_capture() { spdlog::set_default_logger(previous); }
};

} // namespace

BOOST_TEST_GLOBAL_FIXTURE(server_fixture);

BOOST_FIXTURE_TEST_SUITE(metadata_client_suite, client_fixture)

BOOST_AUTO_TEST_CASE(identifies_by_the_tmdb_id_in_the_name) {
    metadata_client client(io.get_executor(), test_settings());
    BOOST_TEST(!client.offline());
    auto f = found("whatever the name says");
    f.tmdb_id = 603;
    const auto r = run(io, client.identify(f, std::nullopt));
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r.has_error() ? r.error().message : ""));
    const auto& m = r->details;
    BOOST_TEST(m.title == "The Matrix");
    BOOST_TEST(*m.year == 1999);
    BOOST_TEST(*m.tmdb_id == 603);
    BOOST_TEST(*m.imdb_id == "tt0133093");
    BOOST_TEST(r->confidence == 1.0);
    BOOST_TEST((r->state == mediabase::match_state::identified));
    BOOST_TEST((m.match == mediabase::match_state::identified));
    BOOST_TEST(r->matched_by == "tmdb id 603");
    BOOST_REQUIRE(m.cast.size() == 15u);
    BOOST_TEST(m.cast[0].name == "Keanu Reeves");
    BOOST_TEST(m.directors.size() == 2u);
    BOOST_TEST(*m.certification == "R");
    BOOST_TEST(*m.collection == "The Matrix Collection");
    // OMDB ratings.
    BOOST_TEST(*m.imdb_rating == 8.7);
    BOOST_TEST(*m.imdb_votes == 1234567);
    BOOST_TEST(*m.metascore == 73);
    // Art URLs from /configuration, in the configured sizes; the cache keys stay unset.
    BOOST_TEST(*r->art.poster_url == base_url() + "/img/t/p/w500/matrix-poster.jpg");
    BOOST_TEST(*r->art.backdrop_url == base_url() + "/img/t/p/w1280/matrix-backdrop.jpg");
    BOOST_TEST(!m.poster.has_value());

    const auto s = stats();
    BOOST_TEST(count_in(s, "by_path", "/3/movie/603") == 1);
    BOOST_TEST(count_in(s, "by_path", "/3/configuration") == 1);
    BOOST_TEST(count_in(s, "by_path", "/omdb/") == 1);
    BOOST_TEST(count_in(s, "auth", "api_key") == 2);
    // One host: the connection was kept alive and reused.
    BOOST_TEST(client.http_stats().connections_reused >= 1u);
}

BOOST_AUTO_TEST_CASE(identifies_by_imdb_id_through_find) {
    metadata_client client(io.get_executor(), test_settings());
    auto f = found("The Matrix", 1999);
    f.imdb_id = "tt0133093";
    const auto r = run(io, client.identify(f, std::nullopt));
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r.has_error() ? r.error().message : ""));
    BOOST_TEST(*r->details.tmdb_id == 603);
    BOOST_TEST(r->matched_by == "imdb id tt0133093");
    const auto s = stats();
    BOOST_TEST(count_in(s, "by_path", "/3/find/tt0133093") == 1);
    BOOST_TEST(count_in(s, "by_path", "/3/search/movie") == 0);
}

BOOST_AUTO_TEST_CASE(the_read_token_is_sent_as_a_bearer_header) {
    auto settings = test_settings();
    settings.tmdb_api_key.clear();
    settings.tmdb_read_token = tmdb_token;
    metadata_client client(io.get_executor(), settings);
    BOOST_TEST(!client.offline());
    const auto r = run(io, client.fetch_by_tmdb_id(603));
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r.has_error() ? r.error().message : ""));
    const auto s = stats();
    BOOST_TEST(count_in(s, "auth", "bearer") >= 1);
    BOOST_TEST(count_in(s, "auth", "api_key") == 0);
}

BOOST_AUTO_TEST_CASE(max_2015_is_max_not_mad_max_fury_road) {
    metadata_client client(io.get_executor(), test_settings());
    const auto r = run(io, client.identify(found("Max", 2015), std::nullopt));
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r.has_error() ? r.error().message : ""));
    BOOST_TEST(*r->details.tmdb_id == 272878);
    BOOST_TEST((r->state == mediabase::match_state::identified));
    BOOST_TEST(r->confidence > 0.9);
    BOOST_TEST(r->matched_by == "search \"Max\" 2015");
    // OMDB answered "N/A" for everything.
    BOOST_TEST(*r->details.imdb_rating == 6.8);
    BOOST_TEST(!r->details.imdb_votes.has_value());
    BOOST_TEST(!r->details.awards.has_value());
}

BOOST_AUTO_TEST_CASE(a_search_with_the_year_falls_back_to_one_without) {
    metadata_client client(io.get_executor(), test_settings());
    const auto r = run(io, client.identify(found("Brief Encounter", 1946), std::nullopt));
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r.has_error() ? r.error().message : ""));
    BOOST_TEST(*r->details.tmdb_id == 851);
    BOOST_TEST((r->state == mediabase::match_state::identified));
    BOOST_TEST(r->matched_by == "search \"Brief Encounter\"");
    BOOST_TEST(count_in(stats(), "by_path", "/3/search/movie") == 2);
}

BOOST_AUTO_TEST_CASE(the_original_title_from_the_nfo_is_the_last_search) {
    metadata_client client(io.get_executor(), test_settings());
    nfo_data nfo;
    nfo.original_title = "Intouchables";
    nfo.plot = "Local plot.";
    const auto r = run(io, client.identify(found("Untouchable", 2011), nfo));
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r.has_error() ? r.error().message : ""));
    BOOST_TEST(*r->details.tmdb_id == 77338);
    BOOST_TEST(r->matched_by == "search \"Intouchables\" 2011");
    BOOST_TEST(*r->details.overview == "Local plot."); // the NFO wins over the provider
    BOOST_TEST(count_in(stats(), "by_path", "/3/search/movie") == 3);
}

BOOST_AUTO_TEST_CASE(an_unknown_id_falls_back_to_searching) {
    metadata_client client(io.get_executor(), test_settings());
    nfo_data nfo;
    nfo.tmdb_id = 424242;
    const auto r = run(io, client.identify(found("The Matrix", 1999), nfo));
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r.has_error() ? r.error().message : ""));
    BOOST_TEST(*r->details.tmdb_id == 603);
    BOOST_TEST(count_in(stats(), "by_path", "/3/movie/424242") == 1);
}

BOOST_AUTO_TEST_CASE(a_remake_without_year_is_matched_for_review) {
    metadata_client client(io.get_executor(), test_settings());
    const auto r = run(io, client.identify(found("Dune"), std::nullopt));
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r.has_error() ? r.error().message : ""));
    BOOST_TEST(*r->details.tmdb_id == 438631);
    BOOST_TEST((r->state == mediabase::match_state::review));
    BOOST_TEST((r->details.match == mediabase::match_state::review));
    BOOST_TEST(*r->details.match_confidence < 0.8);
}

BOOST_AUTO_TEST_CASE(nothing_alike_is_no_match) {
    metadata_client client(io.get_executor(), test_settings());
    const auto r = run(io, client.identify(found("A Film Nobody Made", 2003), std::nullopt));
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().kind == error_kind::no_match));
    BOOST_TEST(r.error().message.rfind("no match: ", 0) == 0);
}

BOOST_AUTO_TEST_CASE(sparse_details_and_unknown_ids) {
    metadata_client client(io.get_executor(), test_settings());
    const auto sparse = run(io, client.fetch_by_tmdb_id(999001));
    BOOST_REQUIRE_MESSAGE(sparse.has_value(), (sparse.has_error() ? sparse.error().message : ""));
    BOOST_TEST(sparse->details.title == "Sparse Movie");
    BOOST_TEST(!sparse->art.poster_url.has_value());
    const auto unknown = run(io, client.fetch_by_tmdb_id(424242));
    BOOST_REQUIRE(unknown.has_error());
    BOOST_TEST((unknown.error().kind == error_kind::not_found));
}

BOOST_AUTO_TEST_CASE(search_for_fix_match_scores_results_best_first) {
    metadata_client client(io.get_executor(), test_settings());
    const auto r = run(io, client.search("Max", 2015));
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r.has_error() ? r.error().message : ""));
    BOOST_REQUIRE(r->size() == 2u); // the fake filters by primary_release_year like TMDB
    BOOST_TEST(r->front().candidate.tmdb_id == 272878);
    BOOST_TEST(r->front().confidence > (*r)[1].confidence);
    BOOST_TEST(*r->front().poster_url == base_url() + "/img/t/p/w500/poster-272878.jpg");
}

BOOST_AUTO_TEST_CASE(without_a_key_the_client_is_offline_and_asks_nothing) {
    auto settings = test_settings();
    settings.tmdb_api_key.clear();
    metadata_client client(io.get_executor(), settings);
    BOOST_TEST(client.offline());
    const auto r = run(io, client.identify(found("The Matrix", 1999), std::nullopt));
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().kind == error_kind::offline));
    BOOST_TEST(stats().at("requests").as_int64() == 0);
}

BOOST_AUTO_TEST_CASE(a_429_with_retry_after_pauses_then_succeeds) {
    control({{"fail_next_429", 1}, {"retry_after", "1"}});
    metadata_client client(io.get_executor(), test_settings());
    const auto started = std::chrono::steady_clock::now();
    const auto r = run(io, client.fetch_by_tmdb_id(603));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r.has_error() ? r.error().message : ""));
    BOOST_TEST((elapsed >= 900ms)); // a lower bound: it waited; a loaded machine only makes it longer
    const auto s = stats();
    BOOST_TEST(s.at("sent_429").as_int64() == 1);
    BOOST_TEST(count_in(s, "by_path", "/3/movie/603") == 2);
}

BOOST_AUTO_TEST_CASE(a_retry_after_beyond_the_limit_fails_instead_of_waiting) {
    control({{"fail_next_429", 1}, {"retry_after", "3600"}});
    metadata_client client(io.get_executor(), test_settings());
    const auto r = run(io, client.fetch_by_tmdb_id(603));
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().kind == error_kind::unavailable));
    BOOST_TEST(r.error().http_status == 429);
    // It gave up at once: one request, no retry (a client that waited the hour would not finish this test).
    BOOST_TEST(count_in(stats(), "by_path", "/3/movie/603") == 1);
}

BOOST_AUTO_TEST_CASE(server_errors_are_retried_then_succeed) {
    control({{"fail_next_5xx", 2}});
    metadata_client client(io.get_executor(), test_settings());
    const auto r = run(io, client.fetch_by_tmdb_id(603));
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r.has_error() ? r.error().message : ""));
    BOOST_TEST(count_in(stats(), "statuses", "503") == 2);
    BOOST_TEST(client.http_stats().retries >= 2u);
}

BOOST_AUTO_TEST_CASE(server_errors_that_persist_make_the_provider_unavailable) {
    control({{"fail_next_5xx", 100}, {"status_5xx", 502}});
    metadata_client client(io.get_executor(), test_settings());
    const auto r = run(io, client.identify(found("The Matrix", 1999), std::nullopt));
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().kind == error_kind::unavailable));
    BOOST_TEST(r.error().message.rfind("provider unavailable: ", 0) == 0);
    BOOST_TEST(r.error().message.find("502") != std::string::npos);
    BOOST_TEST(stats().at("requests").as_int64() == 3); // max_attempts, then the identify stops
}

BOOST_AUTO_TEST_CASE(a_hanging_server_times_out_as_an_error_value) {
    control({{"hang_next", 5}});
    auto settings = test_settings();
    settings.request_timeout = 300ms;
    settings.max_attempts = 2;
    metadata_client client(io.get_executor(), settings);
    const auto r = run(io, client.fetch_by_tmdb_id(603));
    control({{"hang_next", 0}}); // lets the hanging handlers go
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().kind == error_kind::unavailable));
    BOOST_TEST(r.error().message.find("timeout after 300 ms") != std::string::npos);
    BOOST_TEST(count_in(stats(), "by_path", "/3/movie/603") == 2);
}

BOOST_AUTO_TEST_CASE(a_timeout_is_retried) {
    control({{"hang_next", 1}});
    auto settings = test_settings();
    settings.request_timeout = 300ms;
    metadata_client client(io.get_executor(), settings);
    const auto r = run(io, client.fetch_by_tmdb_id(603));
    control({{"hang_next", 0}});
    BOOST_REQUIRE_MESSAGE(r.has_value(), (r.has_error() ? r.error().message : ""));
    BOOST_TEST(count_in(stats(), "by_path", "/3/movie/603") == 2);
}

BOOST_AUTO_TEST_CASE(a_malformed_body_is_an_error_value) {
    control({{"malformed_next", 1}});
    metadata_client client(io.get_executor(), test_settings());
    const auto r = run(io, client.fetch_by_tmdb_id(603));
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().kind == error_kind::bad_response));
    BOOST_TEST(r.error().message.find("malformed JSON") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_rejected_key_is_unauthorized_and_never_retried) {
    control({{"auth_fail", true}});
    metadata_client client(io.get_executor(), test_settings());
    const auto r = run(io, client.identify(found("The Matrix", 1999), std::nullopt));
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().kind == error_kind::unauthorized));
    BOOST_TEST(r.error().message.rfind("unauthorized: ", 0) == 0);
    BOOST_TEST(r.error().http_status == 401);
    BOOST_TEST(stats().at("requests").as_int64() == 1);
}

BOOST_AUTO_TEST_CASE(keys_never_reach_logs_or_error_messages) {
    log_capture capture;
    std::vector<std::string> messages;
    {
        auto settings = test_settings();
        settings.request_timeout = 300ms;
        settings.max_attempts = 2;
        metadata_client client(io.get_executor(), settings);
        // Success (debug lines with URLs), 429, 5xx, timeout, 401: every kind of log line and error.
        control({{"fail_next_429", 1}, {"retry_after", "0"}});
        (void)run(io, client.identify(found("Max", 2015), std::nullopt));
        control({{"fail_next_5xx", 1}});
        (void)run(io, client.fetch_by_tmdb_id(603));
        control({{"hang_next", 2}});
        messages.push_back(run(io, client.fetch_by_tmdb_id(603)).error().message);
        control({{"hang_next", 0}, {"auth_fail", true}});
        messages.push_back(run(io, client.fetch_by_tmdb_id(603)).error().message);
    }
    {
        auto settings = test_settings();
        settings.tmdb_api_key.clear();
        settings.tmdb_read_token = tmdb_token;
        metadata_client client(io.get_executor(), settings);
        messages.push_back(run(io, client.fetch_by_tmdb_id(603)).error().message);
    }
    const auto logged = capture.text.str();
    BOOST_TEST(logged.find("api_key=***") != std::string::npos); // URLs are logged, redacted
    for (const auto& text : messages)
        BOOST_TEST_CONTEXT(text) {
            BOOST_TEST(text.find(tmdb_key) == std::string::npos);
            BOOST_TEST(text.find(tmdb_token) == std::string::npos);
            BOOST_TEST(text.find(omdb_key) == std::string::npos);
        }
    BOOST_TEST(logged.find(tmdb_key) == std::string::npos);
    BOOST_TEST(logged.find(tmdb_token) == std::string::npos);
    BOOST_TEST(logged.find(omdb_key) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(concurrent_calls_stay_under_the_rate_and_concurrency_limits) {
    // The fake answers 429 above 30 requests in any second; the client is set to 20/s (+ a small burst).
    control({{"rate_limit", 30}, {"latency_ms", 5}});
    auto settings = test_settings();
    settings.requests_per_second = 20;
    settings.max_concurrency = 4;
    settings.image_base_url = base_url() + "/img/t/p/";
    metadata_client client(io.get_executor(), settings);
    int succeeded = 0;
    for (int i = 0; i < 40; ++i)
        asio::co_spawn(io, client.search("Max", 2015),
                       [&](std::exception_ptr e, result<std::vector<search_match>> r) {
                           if (!e && r && !r->empty()) ++succeeded;
                       });
    io.restart();
    io.run();
    BOOST_TEST(succeeded == 40);
    const auto s = stats();
    BOOST_TEST(s.at("sent_429").as_int64() == 0);
    BOOST_TEST(s.at("max_in_one_second").as_int64() <= 28); // 25 by the bucket, plus scheduling jitter
}

BOOST_AUTO_TEST_CASE(images_download_with_their_content_type) {
    metadata_client client(io.get_executor(), test_settings());
    const auto jpeg = run(io, client.download(base_url() + "/img/t/p/w500/x.jpg", 1 << 20));
    BOOST_REQUIRE_MESSAGE(jpeg.has_value(), (jpeg.has_error() ? jpeg.error().message : ""));
    BOOST_TEST(jpeg->content_type == "image/jpeg");
    BOOST_TEST(jpeg->bytes.substr(0, 2) == "\xff\xd8");
    // Redirects are followed.
    const auto png = run(io, client.download(base_url() + "/img/redirect/w500/x.png", 1 << 20));
    BOOST_REQUIRE_MESSAGE(png.has_value(), (png.has_error() ? png.error().message : ""));
    BOOST_TEST(png->content_type == "image/png");
    BOOST_TEST(png->bytes.substr(1, 3) == "PNG");
    BOOST_TEST(stats().at("auth").as_object().empty()); // no key is sent for images
}

BOOST_AUTO_TEST_CASE(downloads_check_status_content_type_and_size) {
    metadata_client client(io.get_executor(), test_settings());
    const auto missing = run(io, client.download(base_url() + "/img/t/p/w500/missing.jpg", 1 << 20));
    BOOST_REQUIRE(missing.has_error());
    BOOST_TEST((missing.error().kind == error_kind::not_found));

    control({{"image_content_type", "text/html"}});
    const auto html = run(io, client.download(base_url() + "/img/t/p/w500/x.jpg", 1 << 20));
    BOOST_REQUIRE(html.has_error());
    BOOST_TEST((html.error().kind == error_kind::bad_response));
    BOOST_TEST(html.error().message.find("not an image") != std::string::npos);

    control({{"image_content_type", nullptr}, {"image_bytes", 200000}});
    const auto big = run(io, client.download(base_url() + "/img/t/p/w500/x.jpg", 100000));
    BOOST_REQUIRE(big.has_error());
    BOOST_TEST((big.error().kind == error_kind::too_large));
    const auto fits = run(io, client.download(base_url() + "/img/t/p/w500/x.jpg", 300000));
    BOOST_REQUIRE(fits.has_value());
    BOOST_TEST(fits->bytes.size() == 200000u);

    const auto bad_url = run(io, client.download("ftp://example.com/x.jpg", 1000));
    BOOST_REQUIRE(bad_url.has_error());
    BOOST_TEST((bad_url.error().kind == error_kind::invalid));
}

BOOST_AUTO_TEST_CASE(an_unreachable_provider_is_unavailable) {
    auto settings = test_settings();
    // A port nobody listens on: the fake's port number plus one is not guaranteed free, port 9 (discard) is
    // closed on loopback on any test machine worth the name.
    settings.tmdb_base_url = "http://127.0.0.1:9/3";
    settings.max_attempts = 2;
    metadata_client client(io.get_executor(), settings);
    const auto r = run(io, client.fetch_by_tmdb_id(603));
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().kind == error_kind::unavailable));
    BOOST_TEST(r.error().message.find("cannot connect") != std::string::npos);
    BOOST_TEST(r.error().message.find(tmdb_key) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_failed_tls_handshake_is_unavailable) {
    auto settings = test_settings();
    // https to the plain-HTTP fake: the handshake fails, which must end as an error value.
    settings.tmdb_base_url = "https://127.0.0.1:" + std::to_string(server->port()) + "/3";
    settings.max_attempts = 1;
    metadata_client client(io.get_executor(), settings);
    const auto r = run(io, client.fetch_by_tmdb_id(603));
    BOOST_REQUIRE(r.has_error());
    BOOST_TEST((r.error().kind == error_kind::unavailable));
    BOOST_TEST(r.error().message.find("TLS handshake") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
