#include "mediabase/app/application.hpp"

#include "mediabase/store/backups.hpp"
#include "mediabase/runtime/bus.hpp"
#include "mediabase/services/cache.hpp"
#include "mediabase/services/core.hpp"
#include "mediabase/services/dal.hpp"
#include "mediabase/services/health.hpp"
#include "mediabase/services/listener.hpp"
#include "mediabase/services/prober.hpp"
#include "mediabase/services/pruner.hpp"
#include "mediabase/services/scraper.hpp"
#include "mediabase/services/scanner.hpp"
#include "mediabase/http/server.hpp"
#include "mediabase/services/watcher.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/url/parse.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <iostream>
#include <thread>
#include <utility>

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/file.h>
#include <termios.h>

#include <unistd.h>

namespace mediabase {
namespace {

/// DATA/mediabase.lock: `serve` and `scan` hold it shared while they run, `restore` needs it alone, so a
/// catalogue is never replaced under a running server. flock: the kernel drops it when a process dies, even
/// by kill -9, so a crash never leaves a stale lock.
class data_dir_lock {
public:
    /// Takes the lock without waiting. An error message when another process holds it the other way.
    std::optional<std::string> take(const std::filesystem::path& data_dir, bool exclusive) {
        std::error_code ec;
        std::filesystem::create_directories(data_dir, ec);
        const auto path = data_dir / "mediabase.lock";
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd_ < 0) return "cannot open " + path.string() + ": " + std::strerror(errno);
        if (::flock(fd_, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0) return std::nullopt;
        if (errno != EWOULDBLOCK) return "cannot lock " + path.string() + ": " + std::strerror(errno);
        return exclusive ? "a Mediabase server or scan is using " + data_dir.string() + " (it holds " +
                               path.string() + "); stop it first"
                         : "a restore is replacing the catalogue in " + data_dir.string() + "; wait for it to end";
    }
    data_dir_lock() = default;
    data_dir_lock(const data_dir_lock&) = delete;
    data_dir_lock& operator=(const data_dir_lock&) = delete;
    ~data_dir_lock() {
        if (fd_ >= 0) ::close(fd_);
    }

private:
    int fd_ = -1;
};

/// A service's coroutine signals here when it has returned, so shutdown can wait for it.
using done_signal = asio::experimental::concurrent_channel<void(error_code)>;

/// The newest import of the history (job ids continue after it), or nullopt.
std::optional<import_job> newest_import(catalogue& db) {
    try {
        auto recent = db.recent_imports(1);
        if (!recent.empty()) return std::move(recent.front());
    } catch (const std::exception& e) {
        spdlog::warn("cannot read the import history: {}", e.what());
    }
    return std::nullopt;
}

/// Reads are served by this many connections, each on a thread of its own, all taking from the one
/// `dal_reads` mailbox: the Server lets list_query_slots() searches run at once, and the two readers
/// beyond them keep answering lookups of single movies (and the Core's and Pruner's reads).
std::size_t read_connections() { return list_query_slots() + 2; }

/// The catalogue `config` names, working for this server (`--server-name`: the files it scans are its own).
catalogue open_catalogue(const settings& config) {
    auto db = catalogue::open(config.database_target());
    db.set_server(config.server_name);
    return db;
}

/// What this process signs its announcements to the other servers with: its own Listener skips them.
std::string instance_name(const settings& config) {
    std::random_device random;
    return config.server_name + "/" + std::to_string(::getpid()) + "/" + std::to_string(random());
}

/// A reader beyond the first: its own connection, thread and done signal.
struct read_lane {
    read_lane(bus& b, const settings& config, asio::any_io_executor net)
        : db(open_catalogue(config)), reader(b, db), done(std::move(net), 1) {}
    asio::io_context ctx{1};
    catalogue db;
    dal_reader reader;
    done_signal done;
};

/// SQLite's Checkpointer with its own connection (it runs on runtime's checkpoint context).
struct checkpoint_lane {
    checkpoint_lane(bus& b, const settings& config) : db(open_catalogue(config)), checkpointer(b, db) {}
    catalogue db;
    wal_checkpointer checkpointer;
};

/// Everything a run owns. Members are declared in start order; shutdown() stops them in reverse.
class runtime {
public:
    explicit runtime(const settings& config)
        : config_(config), writer_db_(open_catalogue(config)), reader_db_(open_catalogue(config)),
          bus_{{net_.get_executor(), 64, "core"},
               {scan_ctx_.get_executor(), 4, "scanner"},
               {dal_write_ctx_.get_executor(), 8, "dal_writes"},
               {dal_read_ctx_.get_executor(), 256, "dal_reads"},
               {checkpoint_ctx_.get_executor(), 1, "checkpoints"},
               {prune_ctx_.get_executor(), 4, "pruner"},
               {net_.get_executor(), 4096, "events"},
               {watch_ctx_.get_executor(), 4, "watcher"},
               // Core's chunk credits bound the identify_movies waiting here; the rest are the UI's requests.
               {net_.get_executor(), 16, "scraper"},
               {net_.get_executor(), 16, "cache"},
               {probe_ctx_.get_executor(), 8, "prober"},
               // Every DAL thread reports at most once per message it handles, and asking it never waits long.
               {net_.get_executor(), 256, "health"},
               // Only its stop: the changes it hears go to Events.
               {listen_ctx_.get_executor(), 1, "listener"}},
          health_(bus_), dal_writer_(bus_, writer_db_), dal_reader_(bus_, reader_db_), scanner_(bus_), pruner_(bus_),
          prober_(bus_), instance_(instance_name(config)),
          listener_(bus_, config.database_target(), instance_, listen_ctx_.get_executor()),
          providers_(net_.get_executor(), config),
          scraper_(bus_, providers_, net_.get_executor(), disk_ctx_.get_executor(), config.scraper_concurrency),
          cache_(bus_, providers_, config.art_dir(), net_.get_executor(), disk_ctx_.get_executor(),
                 config.scraper_concurrency),
          core_(bus_, config, net_.get_executor(), newest_import(writer_db_)),
          watcher_(bus_,
                   {config.media_folders, config.extensions, config.watch, config.rescan_interval_seconds},
                   watch_ctx_.get_executor()) {
        // Files stored before servers had names (schema 8) are the first server's to start.
        writer_db_.claim_unowned_files();
        // The writer's commits leave the write-ahead log to the Checkpointer's connection; past 1 GiB (the
        // Checkpointer cannot keep up, or readers hold old snapshots for long) they checkpoint it themselves.
        if (config.database_target().is_sqlite()) {
            checkpoints_ = std::make_unique<checkpoint_lane>(bus_, config);
            writer_db_.defer_checkpoints(wal_backstop_pages);
        } else {
            // Several servers may share a PostgreSQL catalogue: each tells the others what it changed.
            dal_writer_.announce_as(instance_);
            cache_.share_art_dir();
        }
        for (std::size_t i = 1; i < read_connections(); ++i)
            read_lanes_.push_back(std::make_unique<read_lane>(bus_, config, net_.get_executor()));
    }

    asio::io_context& net() { return net_; }
    bus& services() { return bus_; }

    /// Accounts in the catalogue, before any service touches it (the start-up message about access).
    std::int64_t account_count() { return writer_db_.account_count(); }

    /// `PRAGMA quick_check` of the catalogue, before any service touches it: what is wrong, or nullopt.
    std::optional<std::string> check_database() { return writer_db_.quick_check(); }

    /// Starts the services in dependency order: storage first, then the workers, then Core.
    void start() {
        spawn(net_, health_.run(), health_done_);
        spawn(dal_write_ctx_, dal_writer_.run(), dal_writes_done_);
        spawn(dal_read_ctx_, dal_reader_.run(), dal_reads_done_);
        if (checkpoints_) {
            spawn(checkpoint_ctx_, checkpoints_->checkpointer.run(), checkpoints_done_);
            run_thread(checkpoint_ctx_, "mb-checkpoint");
        }
        for (auto& lane : read_lanes_) {
            spawn(lane->ctx, lane->reader.run(), lane->done);
            run_thread(lane->ctx, "mb-dal-reads");
        }
        spawn(scan_ctx_, scanner_.run(), scanner_done_);
        spawn(prune_ctx_, pruner_.run(), pruner_done_);
        spawn(probe_ctx_, prober_.run(), prober_done_);
        spawn(net_, scraper_.run(), scraper_done_);
        spawn(net_, cache_.run(), cache_done_);
        spawn(net_, core_.run(), core_done_);
        if (!config_.database_target().is_sqlite()) {
            spawn(listen_ctx_, listener_.run(), listener_done_);
            run_thread(listen_ctx_, "mb-listener");
            listener_started_ = true;
        }
        const std::pair<asio::io_context*, const char*> workers[] = {
            {&dal_write_ctx_, "mb-dal-writes"}, {&dal_read_ctx_, "mb-dal-reads"}, {&scan_ctx_, "mb-scanner"},
            {&prune_ctx_, "mb-pruner"},         {&disk_ctx_, "mb-disk"},          {&probe_ctx_, "mb-prober"}};
        for (const auto& [ctx, name] : workers) run_thread(*ctx, name);
        // Files stored before (a catalogue from before media information, a pass cut short) are read now.
        bus_.prober.try_send(probe_files{true});
    }

    /// No media information is read in this run (`scan`: the import, then exit; the server reads the files
    /// when it starts). The Prober then answers every request at once, so it still stops as the others do.
    void skip_media_reading() { prober_.interrupt(); }

    /// Starts watching the media folders (after Core, which it reports to; `serve` only).
    void start_watcher() {
        spawn(watch_ctx_, watcher_.run(), watcher_done_);
        run_thread(watch_ctx_, "mb-watcher");
        watcher_started_ = true;
    }

    /// Removes cached images no movie uses: those of movies removed while the server was down, and a
    /// crash's temp files (`serve` only; in the background).
    void sweep_art_cache() { bus_.cache.try_send(sweep_art{}); }

    /// Stops the services in reverse order, each after it has handled what it holds, then the event
    /// publisher (`events_done` is signalled by whoever serves bus.events).
    asio::awaitable<void> shutdown(done_signal& events_done) {
        if (watcher_started_) co_await stop(bus_.watcher, watcher_done_);
        if (listener_started_) co_await stop(bus_.listener, listener_done_);
        // Core first stops dispatching (it may be waiting for a chunk credit and not reading its mailbox).
        core_.interrupt();
        prober_.interrupt();
        co_await stop(bus_.core, core_done_);
        co_await stop(bus_.scraper, scraper_done_);
        co_await stop(bus_.cache, cache_done_);
        co_await stop(bus_.scanner, scanner_done_);
        co_await stop(bus_.pruner, pruner_done_);
        co_await stop(bus_.prober, prober_done_);
        co_await stop(bus_.dal_writes, dal_writes_done_);
        // After the writer, which asks it.
        if (checkpoints_) co_await stop(bus_.checkpoints, checkpoints_done_);
        // One stop per reader (any reader may take any of them): each returns after what it holds.
        for (std::size_t i = 0; i <= read_lanes_.size(); ++i) {
            stop_service message{};
            co_await post(bus_.dal_reads, std::move(message));
        }
        co_await dal_reads_done_.async_receive(asio::as_tuple(asio::use_awaitable));
        for (auto& lane : read_lanes_) co_await lane->done.async_receive(asio::as_tuple(asio::use_awaitable));
        bus_.dal_reads.close();
        co_await stop(bus_.events, events_done);
        // Last: the DAL reports to it until it stops, and the Server asks it until its clients are gone.
        co_await stop(bus_.health, health_done_);
    }

    /// Joins the worker threads; a context still busy (a forced stop) is stopped first.
    void join(bool force) {
        disk_work_.reset();
        for (auto* ctx : {&dal_write_ctx_, &dal_read_ctx_, &checkpoint_ctx_, &scan_ctx_, &prune_ctx_, &watch_ctx_,
                          &disk_ctx_, &probe_ctx_, &listen_ctx_})
            if (force) ctx->stop();
        for (auto& lane : read_lanes_)
            if (force) lane->ctx.stop();
        for (auto& t : threads_) t.join();
        threads_.clear();
    }

    /// Runs `ctx` on a thread of its own, named for `top` and `perf` (at most 15 characters).
    void run_thread(asio::io_context& ctx, const char* name) {
        auto& thread = threads_.emplace_back([&ctx] { ctx.run(); });
        ::pthread_setname_np(thread.native_handle(), name);
    }

    done_signal& make_done() { return *extra_done_.emplace_back(std::make_unique<done_signal>(net_.get_executor(), 1)); }

    template <class Awaitable>
    void spawn(asio::io_context& ctx, Awaitable work, done_signal& done) {
        asio::co_spawn(ctx, std::move(work), [&done](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    spdlog::error("a service ended with an error: {}", ex.what());
                }
            }
            done.try_send(error_code{});
        });
    }

private:
    template <class Message>
    asio::awaitable<void> stop(mailbox<Message>& box, done_signal& done) {
        // The stop message queues behind what the service already holds; close only once it has returned.
        stop_service message{};
        co_await post(box, std::move(message));
        co_await done.async_receive(asio::as_tuple(asio::use_awaitable));
        box.close();
    }

    settings config_;
    asio::io_context net_{1};
    asio::io_context dal_write_ctx_{1}, dal_read_ctx_{1}, scan_ctx_{1}, prune_ctx_{1}, watch_ctx_{1};
    /// The Prober's blocking reads of video files (libavformat).
    asio::io_context probe_ctx_{1};
    /// The Checkpointer's flushes of SQLite's write-ahead log (SQLite only).
    asio::io_context checkpoint_ctx_{1};
    /// The Listener's connection (PostgreSQL LISTEN): what other servers sharing the catalogue changed.
    asio::io_context listen_ctx_{1};
    /// Blocking file work of the Scraper and the Cache (NFOs, local art, writing images).
    asio::io_context disk_ctx_{1};
    asio::executor_work_guard<asio::io_context::executor_type> disk_work_{disk_ctx_.get_executor()};
    catalogue writer_db_;
    catalogue reader_db_;
    bus bus_;
    health health_;
    dal_writer dal_writer_;
    dal_reader dal_reader_;
    scanner scanner_;
    pruner pruner_;
    prober prober_;
    std::string instance_;
    listener listener_;
    bool listener_started_ = false;
    metadata_source providers_;
    scraper scraper_;
    cache cache_;
    core core_;
    watcher watcher_;
    bool watcher_started_ = false;
    done_signal core_done_{net_.get_executor(), 1}, scanner_done_{net_.get_executor(), 1},
        pruner_done_{net_.get_executor(), 1}, dal_writes_done_{net_.get_executor(), 1},
        dal_reads_done_{net_.get_executor(), 1}, watcher_done_{net_.get_executor(), 1},
        scraper_done_{net_.get_executor(), 1}, cache_done_{net_.get_executor(), 1},
        prober_done_{net_.get_executor(), 1}, health_done_{net_.get_executor(), 1},
        listener_done_{net_.get_executor(), 1}, checkpoints_done_{net_.get_executor(), 1};
    std::vector<std::unique_ptr<done_signal>> extra_done_;
    std::vector<std::unique_ptr<read_lane>> read_lanes_;
    std::unique_ptr<checkpoint_lane> checkpoints_; ///< SQLite only
    std::vector<std::thread> threads_;
};

/// Shutdown must not hang: past this, whatever still runs is stopped.
constexpr auto shutdown_deadline = std::chrono::milliseconds(2500);

/// Runs `shutdown` once, with a watchdog that stops the network loop at the deadline.
class shutdown_guard {
public:
    shutdown_guard(runtime& rt, std::function<asio::awaitable<void>()> shutdown)
        : rt_(rt), shutdown_(std::move(shutdown)), watchdog_(rt.net()) {}

    void trigger() {
        if (triggered_) return;
        triggered_ = true;
        watchdog_.expires_after(shutdown_deadline);
        watchdog_.async_wait([this](error_code ec) {
            if (ec) return;
            spdlog::warn("shutdown took longer than {} ms: stopping now", shutdown_deadline.count());
            forced_ = true;
            rt_.net().stop();
        });
        asio::co_spawn(rt_.net(), shutdown_(), [this](std::exception_ptr) {
            watchdog_.cancel();
            rt_.net().stop();
        });
    }
    [[nodiscard]] bool forced() const { return forced_; }

private:
    runtime& rt_;
    std::function<asio::awaitable<void>()> shutdown_;
    asio::steady_timer watchdog_;
    bool triggered_ = false;
    bool forced_ = false;
};

/// Opens the catalogue and checks it (`PRAGMA quick_check`): a damaged catalogue is a clear start-up error,
/// not a server that answers with what is left of it.
std::unique_ptr<runtime> open_runtime(const settings& config) {
    std::unique_ptr<runtime> rt;
    std::optional<std::string> problem;
    // A database server may start after Mediabase (a reboot, a restart): it is waited for, with a growing
    // pause between tries. An SQLite file that cannot be opened is an error at once.
    auto pause = std::chrono::seconds(1);
    for (;;) {
        try {
            rt = std::make_unique<runtime>(config);
            problem = rt->check_database();
            break;
        } catch (const std::exception& e) {
            if (config.database_target().is_sqlite() ||
                std::string_view(e.what()).find("cannot connect") == std::string_view::npos) {
                spdlog::error("cannot open the catalogue {}: {}", config.database_target().display(), e.what());
                return nullptr;
            }
            spdlog::error("the database is unavailable: {}; trying again in {} s", e.what(), pause.count());
            std::this_thread::sleep_for(pause);
            pause = std::min(pause * 2, std::chrono::seconds(30));
        }
    }
    if (problem) {
        spdlog::error("the catalogue {} is damaged (quick_check: {}). Nothing was changed. Restore a backup with "
                      "`mediabase restore FILE` (backups are in {})",
                      config.database_file().string(), *problem,
                      catalogue::backup_dir(config.database_file()).string());
        return nullptr;
    }
    return rt;
}

/// Makes a backup every `backup_interval_hours` (the first one when the newest is that old already), through
/// the DAL's reader, until the server stops.
asio::awaitable<void> scheduled_backups(bus& b, settings config) {
    if (config.backup_interval_hours <= 0) co_return;
    if (!config.database_target().is_sqlite()) {
        spdlog::info("backups: the catalogue is in PostgreSQL; back it up on the database server (pg_dump)");
        co_return;
    }
    const auto dir = catalogue::backup_dir(config.database_file());
    const auto interval = std::chrono::hours(config.backup_interval_hours);
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
        timer.expires_after(next_backup_due(dir, interval, std::chrono::system_clock::now()));
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        auto outcome = co_await ask<backup_outcome>(b.dal_reads, [&](auto reply) {
            return backup_catalogue{dir, "scheduled", config.backup_keep, std::move(reply)};
        });
        if (!outcome) co_return; // shutting down
        // A failed backup is tried again an hour later, not at once in a loop.
        if (!outcome->file) {
            timer.expires_after(std::chrono::hours(1));
            auto [again] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            if (again) co_return;
        }
    }
}

/// The server's access settings from the command line (already checked by parse_command_line).
access_config access_from(const settings& config) {
    access_config access;
    access.mode = auth_mode_from_string(config.auth).value_or(auth_mode::required);
    (void)parse_networks(config.trusted_networks, access.trusted_networks);
    (void)parse_networks(config.trusted_proxies, access.trusted_proxies);
    access.user_header = config.user_header;
    if (!config.public_url.empty()) {
        if (auto url = boost::urls::parse_uri(config.public_url)) {
            std::string host(url->host_name().empty() ? url->host() : url->host_name());
            std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
            if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
            access.allowed_hosts.push_back(host);
            std::string origin = std::string(url->scheme()) + "://" + std::string(url->encoded_host_and_port());
            std::transform(origin.begin(), origin.end(), origin.begin(),
                           [](unsigned char c) { return std::tolower(c); });
            // Browsers leave the scheme's default port out of Origin.
            for (const std::string_view port : {std::string_view(":443"), std::string_view(":80")})
                if (origin.ends_with(port) && origin.starts_with(port == ":443" ? "https:" : "http:"))
                    origin.resize(origin.size() - port.size());
            access.public_origin = origin;
        }
    }
    return access;
}

/// Says at start who may use the server, and exactly what to run when nobody can yet (an install upgraded
/// from before accounts starts in `required` mode with none: its owner must not be locked out silently).
void log_access(const settings& config, const access_config& access, std::int64_t accounts,
                const std::string& address) {
    const auto listen = parse_ip(config.listen_host);
    const bool beyond_loopback = !listen || !is_loopback(*listen);
    switch (access.mode) {
    case auth_mode::trusted_networks:
        spdlog::info("access: --auth trusted-networks: clients on this machine{}{} act as an admin without logging "
                     "in; others log in ({} account(s))",
                     config.trusted_networks.empty() ? "" : " and on ", config.trusted_networks, accounts);
        break;
    case auth_mode::proxy:
        spdlog::info("access: --auth proxy: the proxies at {} name the user in {}; others log in ({} account(s))",
                     config.trusted_proxies, config.user_header, accounts);
        break;
    case auth_mode::required:
        spdlog::info("access: --auth required: every API request needs a login or an API key ({} account(s))",
                     accounts);
        break;
    }
    if (accounts == 0 && access.mode != auth_mode::trusted_networks)
        spdlog::warn("access: no account exists yet, so the API answers 401 to everyone. {}Create the first admin: "
                     "open http://{}/ in a browser on this machine (the set-up page answers on loopback only), or "
                     "run `mediabase user add NAME --admin --data {}`. To use the server from this machine without "
                     "accounts, start it with --auth trusted-networks",
                     beyond_loopback ? "It listens beyond this machine and serves only the set-up page, to "
                                       "loopback. "
                                     : "",
                     beyond_loopback ? "127.0.0.1:" + address.substr(address.rfind(':') + 1) : address,
                     config.data_dir.string());
}

} // namespace

namespace {

/// An art folder that cannot be made or written leaves every movie stored without its art, each image failing
/// on its own: the log says so once, at start.
void warn_if_art_dir_unusable(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (!ec && ::access(dir.c_str(), W_OK) != 0) ec = std::error_code(errno, std::generic_category());
    if (ec)
        spdlog::warn("art folder {} cannot be used ({}): movies are stored, but their posters and backdrops are "
                     "not cached until it can be written (--art-dir, MEDIABASE_ART_DIR)",
                     dir.string(), ec.message());
}

/// Runs the network thread until it runs out of work. An exception that escapes a completion handler is a
/// bug in the code serving one client: it is logged and the server goes on serving the others.
void run_network_thread(asio::io_context& net) {
    for (;;) {
        try {
            net.run();
            return;
        } catch (const std::exception& e) {
            spdlog::error("network thread: unexpected error, the server goes on: {}", e.what());
        } catch (...) {
            spdlog::error("network thread: unexpected error, the server goes on");
        }
    }
}

/// Many clients need many descriptors: take the hard limit the system allows instead of the soft default.
void raise_file_limit() {
    struct rlimit limit {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

} // namespace

int run_server(const settings& config) {
    raise_file_limit();
    data_dir_lock lock;
    if (auto error = lock.take(config.data_dir, false)) {
        spdlog::error("{}", *error);
        return 1;
    }
    auto rt = open_runtime(config);
    if (!rt) return 1;
    server_options options;
    options.host = config.listen_host;
    options.port = config.listen_port;
    options.static_dir = config.static_dir;
    options.art_dir = config.art_dir();
    options.request_timeout = std::chrono::seconds(config.request_timeout_seconds);
    options.max_connections = static_cast<std::size_t>(config.max_connections);
    options.max_connections_per_address = static_cast<std::size_t>(config.max_connections_per_address);
    options.events_timeout = std::chrono::seconds(config.events_timeout_seconds);
    options.access = access_from(config);
    server http(rt->services(), rt->net().get_executor(), options);
    if (auto error = http.listen()) {
        spdlog::error("{}", *error);
        return 1;
    }
    rt->start();
    rt->start_watcher();
    rt->sweep_art_cache();
    auto& events_done = rt->make_done();
    rt->spawn(rt->net(), http.publish_events(), events_done);
    asio::co_spawn(rt->net(), http.accept_loop(), asio::detached);
    asio::co_spawn(rt->net(), scheduled_backups(rt->services(), config), asio::detached);

    shutdown_guard guard(*rt, [&]() -> asio::awaitable<void> {
        spdlog::info("shutting down");
        http.stop_accepting();
        http.close_clients();
        co_await rt->shutdown(events_done);
        // Give WebSocket clients a moment to answer the close frame.
        asio::steady_timer wait(rt->net());
        for (int i = 0; i < 50 && http.client_count() > 0; ++i) {
            wait.expires_after(std::chrono::milliseconds(10));
            co_await wait.async_wait(asio::as_tuple(asio::use_awaitable));
        }
    });
    asio::signal_set signals(rt->net(), SIGINT, SIGTERM);
    signals.async_wait([&](error_code ec, int) {
        if (!ec) guard.trigger();
    });

    const auto host = config.listen_host.find(':') != std::string::npos ? "[" + config.listen_host + "]"
                                                                         : config.listen_host;
    spdlog::info("Mediabase {} serving {} media folder(s), catalogue {}{}", MEDIABASE_VERSION,
                 config.media_folders.size(), config.database_target().display(),
                 config.offline() ? " (offline mode: no TMDB key; movies are known from file names and NFOs)" : "");
    warn_if_art_dir_unusable(config.art_dir());
    if (!config.database_target().is_sqlite())
        spdlog::info("catalogue: PostgreSQL, {} connections (1 for writes, {} for reads)", read_connections() + 1,
                     read_connections());
    log_access(config, options.access, rt->account_count(), host + ":" + std::to_string(http.port()));
    std::printf("listening on http://%s:%u\n", host.c_str(), static_cast<unsigned>(http.port()));
    std::fflush(stdout);

    run_network_thread(rt->net());
    rt->join(guard.forced());
    spdlog::info("stopped");
    return 0;
}

namespace {

/// Prints import progress for `mediabase scan`: a redrawn bar on a terminal, a line a second otherwise.
class progress_printer {
public:
    explicit progress_printer(bool terminal) : terminal_(terminal) {}

    void show(const import_job& job, bool final) {
        const auto now = std::chrono::steady_clock::now();
        if (!final && !terminal_ && now - last_line_ < std::chrono::seconds(1)) return;
        last_line_ = now;
        const auto& c = job.counts;
        const auto done = c.stored + c.skipped + c.failed;
        const double fraction = c.found > 0 ? static_cast<double>(done) / static_cast<double>(c.found) : 0.0;
        if (terminal_) {
            constexpr int width = 30;
            const int filled = static_cast<int>(fraction * width);
            std::string bar(static_cast<std::size_t>(filled), '#');
            bar.resize(width, '-');
            std::fprintf(stdout, "\r[%s] %s: %lld found, %lld skipped, %lld stored, %lld failed ", bar.c_str(),
                         to_string(job.state), static_cast<long long>(c.found), static_cast<long long>(c.skipped),
                         static_cast<long long>(c.stored), static_cast<long long>(c.failed));
            if (final) std::fputc('\n', stdout);
        } else {
            std::fprintf(stdout, "%s: %lld found, %lld skipped, %lld stored, %lld failed\n",
                         final ? "finished" : to_string(job.state), static_cast<long long>(c.found),
                         static_cast<long long>(c.skipped), static_cast<long long>(c.stored),
                         static_cast<long long>(c.failed));
        }
        std::fflush(stdout);
    }

private:
    bool terminal_;
    std::chrono::steady_clock::time_point last_line_{};
};

} // namespace

int run_scan(const settings& config) {
    if (config.media_folders.empty()) {
        std::fprintf(stderr, "mediabase: scan: no media folders; give --media DIR\n");
        return 2;
    }
    data_dir_lock lock;
    if (auto error = lock.take(config.data_dir, false)) {
        spdlog::error("{}", *error);
        return 1;
    }
    auto rt = open_runtime(config);
    if (!rt) return 1;
    rt->start();
    rt->skip_media_reading();
    progress_printer printer(::isatty(STDOUT_FILENO) == 1);
    int exit_code = 0;
    auto& events_done = rt->make_done();
    shutdown_guard guard(*rt, [&]() -> asio::awaitable<void> { co_await rt->shutdown(events_done); });

    auto& b = rt->services();
    auto print_events = [&]() -> asio::awaitable<void> {
        co_await run_mailbox(b.events, [&](event_message event) -> asio::awaitable<bool> {
            if (std::holds_alternative<stop_service>(event)) co_return false;
            if (const auto* e = std::get_if<error_event>(&event)) spdlog::warn("{}", e->message);
            if (const auto* e = std::get_if<import_event>(&event)) {
                const bool final = e->type == import_event::kind::finished;
                printer.show(e->job, final);
                if (final) {
                    // What to look at, with what to do: the same words the Import page shows.
                    for (const auto& warning : e->job.warnings)
                        std::fprintf(stderr, "mediabase: scan: warning: %s\n", warning.c_str());
                    if (e->job.error) {
                        spdlog::error("import stopped: {}", *e->job.error);
                        exit_code = 1;
                    }
                    guard.trigger();
                }
            }
            co_return true;
        });
    };
    rt->spawn(rt->net(), print_events(), events_done);
    asio::co_spawn(rt->net(), [&]() -> asio::awaitable<void> {
        co_await ask<import_job>(b.core, [](auto r) { return start_import{std::move(r)}; });
    }, asio::detached);

    asio::signal_set signals(rt->net(), SIGINT, SIGTERM);
    signals.async_wait([&](error_code ec, int) {
        if (!ec) guard.trigger();
    });
    rt->net().run();
    rt->join(guard.forced());
    return exit_code;
}

int run_backup(const settings& config) {
    if (!config.database_target().is_sqlite()) {
        std::fprintf(stderr, "mediabase: backup: the catalogue is in PostgreSQL (%s): back it up on the database "
                             "server, e.g. pg_dump --format=custom; `mediabase backup` copies SQLite catalogues\n",
                     config.database_target().display().c_str());
        return 2;
    }
    try {
        auto db = catalogue::open(config.database_file());
        const auto outcome = make_backup(db, catalogue::backup_dir(config.database_file()), "manual", config.backup_keep);
        if (!outcome.file) {
            std::fprintf(stderr, "mediabase: backup: %s\n", outcome.error.c_str());
            return 1;
        }
        std::printf("%s\n", outcome.file->path.c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mediabase: backup: %s\n", e.what());
        return 1;
    }
}

int run_db_copy(const std::string& from, const std::string& to, bool force) {
    // Both were checked when the command line was read.
    const auto source = std::get<database_url>(parse_database_url(from));
    const auto target = std::get<database_url>(parse_database_url(to));
    // Opening a SQLite file that is not there would create an empty catalogue: a typo in --from would then
    // copy nothing over the target (with --force, empty it). The same database twice is copy_to's error.
    std::error_code ec;
    if (source.is_sqlite() && source.display() != target.display() &&
        !std::filesystem::is_regular_file(source.file, ec)) {
        std::fprintf(stderr, "mediabase: db copy: the source %s does not exist (or is not a file)\n",
                     source.display().c_str());
        return 1;
    }
    try {
        auto source_db = catalogue::open(source);
        auto target_db = catalogue::open(target);
        const auto copied = source_db.copy_to(target_db, force);
        std::printf("copied %s into %s (row counts checked):\n", source.display().c_str(), target.display().c_str());
        for (const auto& table : copied)
            std::printf("  %-17s %lld\n", table.name.c_str(), static_cast<long long>(table.rows));
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mediabase: db copy: %s\n", redact_database_url(e.what()).c_str());
        return 1;
    }
}

int run_restore(const settings& config, const std::string& file) {
    namespace fs = std::filesystem;
    if (!config.database_target().is_sqlite()) {
        std::fprintf(stderr, "mediabase: restore: the catalogue is in PostgreSQL (%s): restore it on the database "
                             "server (pg_restore); `mediabase restore` replaces SQLite catalogues\n",
                     config.database_target().display().c_str());
        return 2;
    }
    data_dir_lock lock;
    if (auto error = lock.take(config.data_dir, true)) {
        std::fprintf(stderr, "mediabase: restore: %s\n", error->c_str());
        return 1;
    }
    const auto db_file = config.database_file();
    const auto backups = catalogue::backup_dir(db_file);
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
        std::fprintf(stderr, "mediabase: restore: %s is not a file\n", file.c_str());
        return 2;
    }
    if (fs::exists(db_file, ec)) {
        // The catalogue being replaced is kept: as a backup when sound, moved aside when damaged (a backup
        // of a damaged file would push a good one out of the kept set).
        bool sound = false;
        try {
            auto current = catalogue::open(db_file);
            sound = !current.quick_check().has_value();
            if (sound) {
                const auto kept = make_backup(current, backups, "before-restore", config.backup_keep + 1);
                if (!kept.file) {
                    std::fprintf(stderr, "mediabase: restore: cannot keep the current catalogue first: %s\n",
                                 kept.error.c_str());
                    return 1;
                }
                std::printf("the current catalogue is kept as %s\n", kept.file->path.c_str());
            }
        } catch (const std::exception& e) {
            spdlog::warn("the current catalogue cannot be opened ({}): it is moved aside", e.what());
        }
        if (!sound) {
            const auto stamp = backup_name("damaged", std::chrono::system_clock::now());
            for (const char* suffix : {"", "-wal", "-shm"}) {
                auto from = db_file;
                from += suffix;
                if (!fs::exists(from, ec)) continue;
                auto to = db_file.parent_path() / (stamp + suffix);
                fs::rename(from, to, ec);
                if (ec) {
                    std::fprintf(stderr, "mediabase: restore: cannot move %s aside: %s\n", from.c_str(),
                                 ec.message().c_str());
                    return 1;
                }
            }
            std::printf("the damaged catalogue was moved aside as %s\n", (db_file.parent_path() / stamp).c_str());
        }
    }
    try {
        catalogue::restore(file, db_file);
        auto restored = catalogue::open(db_file); // migrates an older backup to this build's schema
        std::printf("restored %s into %s: %lld movies\n", file.c_str(), db_file.c_str(),
                    static_cast<long long>(restored.movie_count()));
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mediabase: restore: %s\n", e.what());
        return 1;
    }
}

namespace {

/// Reads a password: from the terminal with echo off (asked for twice when new), or one line of stdin.
std::optional<std::string> read_password(const char* prompt, bool confirm) {
    const bool terminal = ::isatty(STDIN_FILENO) == 1;
    auto read_line = [&](const char* text) -> std::optional<std::string> {
        termios saved{};
        if (terminal) {
            std::fprintf(stderr, "%s", text);
            std::fflush(stderr);
            ::tcgetattr(STDIN_FILENO, &saved);
            termios quiet = saved;
            quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
            ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        }
        std::string line;
        const bool got = static_cast<bool>(std::getline(std::cin, line));
        if (terminal) {
            ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
            std::fputc('\n', stderr);
        }
        if (!got) return std::nullopt;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
    };
    auto password = read_line(prompt);
    if (!password) return std::nullopt;
    if (terminal && confirm) {
        auto again = read_line("Repeat the password: ");
        if (!again || *again != *password) {
            std::fprintf(stderr, "mediabase: user: the passwords differ\n");
            return std::nullopt;
        }
    }
    return password;
}

} // namespace

int run_user(const settings& config, const std::vector<std::string>& args, bool admin) {
    const auto& action = args.front();
    const std::string name = args.size() > 1 ? args[1] : std::string();
    data_dir_lock lock;
    if (auto error = lock.take(config.data_dir, false)) {
        std::fprintf(stderr, "mediabase: user: %s\n", error->c_str());
        return 1;
    }
    try {
        auto db = catalogue::open(config.database_target());
        if (action == "list") {
            for (const auto& a : db.list_accounts())
                std::printf("%s\t%s\t%s\n", a.name.c_str(), a.role.c_str(), a.created_at.c_str());
            return 0;
        }
        if (action == "add" || action == "passwd") {
            if (auto why = check_account_name(name)) {
                std::fprintf(stderr, "mediabase: user %s: %s\n", action.c_str(), why->c_str());
                return 2;
            }
            if (action == "add" && db.account_with_hash(name)) {
                std::fprintf(stderr, "mediabase: user add: an account named '%s' exists already\n", name.c_str());
                return 1;
            }
            if (action == "passwd" && !db.account_with_hash(name)) {
                std::fprintf(stderr, "mediabase: user passwd: no account named '%s'\n", name.c_str());
                return 1;
            }
            auto password = read_password("Password: ", true);
            if (!password) {
                std::fprintf(stderr, "mediabase: user %s: no password given\n", action.c_str());
                return 2;
            }
            if (auto why = check_password(*password)) {
                std::fprintf(stderr, "mediabase: user %s: %s\n", action.c_str(), why->c_str());
                return 2;
            }
            const auto hash = hash_password(*password);
            if (action == "add") {
                const bool first = db.account_count() == 0;
                auto added = db.add_account(name, hash, admin ? "admin" : "viewer");
                if (!added) {
                    std::fprintf(stderr, "mediabase: user add: an account named '%s' exists already\n", name.c_str());
                    return 1;
                }
                std::printf("added %s '%s'%s\n", added->role.c_str(), added->name.c_str(),
                            first && !admin ? " (no admin yet: add one with --admin to manage the server)" : "");
                return 0;
            }
            auto ended = db.set_password(name, hash, 0);
            std::printf("password of '%s' changed; %zu session(s) ended\n", name.c_str(), ended ? ended->size() : 0);
            return 0;
        }
        // remove
        auto removed = db.remove_account(name);
        if (!removed) {
            std::fprintf(stderr, "mediabase: user remove: no account named '%s'\n", name.c_str());
            return 1;
        }
        std::printf("removed '%s' (%zu session(s), %zu API key(s))\n", name.c_str(), removed->first.size(),
                    removed->second.size());
        return 0;
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "mediabase: user %s: %s\n", action.c_str(), e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "mediabase: user %s: %s\n", action.c_str(), e.what());
        return 1;
    }
}

} // namespace mediabase
