#include "mediabase/services/core.hpp"
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "mediabase/model/movie_json.hpp"

#include <algorithm>
#include <chrono>

namespace mediabase {

namespace {

/// Enough chunks in flight to keep every Scraper slot busy while others are being stored and cached.
int chunk_credits_for(int concurrency) {
    const int chunk = static_cast<int>(core::identify_chunk_size);
    return std::max(3, (2 * std::max(1, concurrency) + chunk - 1) / chunk + 1);
}

} // namespace

core::core(bus& b, settings initial, asio::any_io_executor executor, std::optional<import_job> last_import)
    : bus_(b), settings_(std::move(initial)), executor_(std::move(executor)), ticker_(executor_),
      chunk_credits_(std::make_shared<slot_pool>(executor_, chunk_credits_for(settings_.scraper_concurrency))) {
    if (last_import) {
        next_job_id_ = last_import->id + 1;
        if (!last_import->error) known_folders_ = last_import->folders;
    }
}

bool core::start_job(import_trigger trigger) {
    if (!import_.start(next_job_id_, utc_now_iso8601(), trigger, known_folders_)) return false;
    ++next_job_id_;
    started_ = std::chrono::steady_clock::now();
    import_.update_progress(0);
    return true;
}

void core::set_warnings_from_counts() {
    const auto& c = import_.job().counts;
    if (c.failed > 0)
        import_.warn(std::to_string(c.failed) + " movies could not be stored: the server log says why; check the "
                                                "disk space and the database, then import again");
    if (c.unidentified > 0)
        import_.warn(std::to_string(c.unidentified) +
                     " movies could not be identified (provider unreachable, key rejected or no match): each "
                     "says why; they are looked up again on the next online import");
    if (settings_.media_folders.empty())
        import_.warn("no media folders are configured: add one in Settings, then import again");
}

asio::awaitable<void> core::record_job() {
    record_import message{import_.job()};
    co_await post(bus_.dal_writes, std::move(message));
}

void core::interrupt() {
    stopping_ = true;
    ticker_.cancel();
    walk_stop_.request_stop();
    chunk_credits_->close();
    if (gate_) {
        gate_->cancel();
        gate_->close();
    }
}

asio::awaitable<void> core::run() {
    asio::co_spawn(executor_, tick_progress(), asio::detached);
    co_await run_mailbox(bus_.core, [this](core_message m) { return handle(std::move(m)); });
    stopping_ = true;
    ticker_.cancel();
    walk_stop_.request_stop();
}

asio::awaitable<bool> core::handle(core_message message) {
    const bool keep_running = co_await std::visit([this](auto& m) { return on(m); }, message);
    // While the walk floods the mailbox the ticker's try_send finds it full and its ticks are dropped: the
    // progress that is due goes out from here then, so a busy import still reports 4 times a second.
    if (keep_running && !std::holds_alternative<progress_tick>(message) && import_.busy() &&
        std::chrono::steady_clock::now() - last_progress_ >= progress_interval) {
        progress_tick due;
        co_await on(due);
    }
    co_return keep_running;
}

asio::awaitable<bool> core::on(stop_service&) {
    if (import_.busy()) {
        walk_stop_.request_stop();
        import_.abort("the server is shutting down", utc_now_iso8601());
        import_event message{import_event::kind::finished, import_.job()};
        co_await post(bus_.events, std::move(message));
        co_await record_job();
    }
    co_return false;
}

asio::awaitable<bool> core::on(start_import& m) {
    if (!start_job(import_trigger::manual)) {
        m.reply(import_.job());
        co_return true;
    }
    m.reply(import_.job());
    std::string why;
    co_await launch_import(std::move(why));
    co_return true;
}

asio::awaitable<void> core::launch_import(std::string why) {
    spdlog::info("import {} started over {} media folder(s){}", import_.job().id, settings_.media_folders.size(),
                 why);
    import_event message{import_event::kind::started, import_.job()};
    co_await post(bus_.events, std::move(message));
    walk_stop_ = std::stop_source();
    asio::co_spawn(executor_,
                   begin_walk(import_.job().id, settings_.media_folders, settings_.extensions, walk_stop_.get_token()),
                   asio::detached);
}

asio::awaitable<bool> core::on(changes_detected& m) {
    if (stopping_) co_return true;
    prune_pending_ = true;
    if (import_.busy()) {
        follow_up_import_ = true;
        co_return true;
    }
    if (!start_job(m.periodic ? import_trigger::schedule : import_trigger::watcher)) co_return true;
    std::string why = m.periodic ? " (periodic rescan)"
                                 : " (files changed in " + std::to_string(m.folders.size()) + " folder(s))";
    co_await launch_import(std::move(why));
    co_return true;
}

asio::awaitable<void> core::after_import() {
    if (stopping_) co_return;
    if (follow_up_import_) {
        follow_up_import_ = false;
        if (!start_job(import_trigger::watcher)) co_return;
        std::string why = " (files changed during the last import)";
        co_await launch_import(std::move(why));
        co_return;
    }
    if (prune_pending_) {
        prune_pending_ = false;
        asio::co_spawn(executor_, prune_vanished(settings_.media_folders), asio::detached);
    }
}

asio::awaitable<void> core::prune_vanished(std::vector<std::string> roots) {
    // The Pruner publishes what it removed itself (movie.removed, prune.finished). Nobody asked for this
    // prune: the failsafe's share limit applies.
    auto extensions = settings_.extensions;
    co_await ask<prune_result>(bus_.pruner, [&](auto reply) {
        return prune_request{std::move(roots), std::move(reply), std::move(extensions), prune_mode::automatic};
    });
}

asio::awaitable<bool> core::on(prune_hold_changed& m) {
    prune_hold_ = std::move(m.hold);
    co_return true;
}

asio::awaitable<bool> core::on(get_prune_hold& m) {
    m.reply(prune_hold_ ? prune_hold_ : std::make_shared<const prune_hold>());
    co_return true;
}

asio::awaitable<void> core::begin_walk(std::int64_t job, std::vector<std::string> roots,
                                       std::vector<std::string> extensions, std::stop_token stop) {
    // One import per root at a time: another process of this server on a shared catalogue may be walking
    // the same roots (PostgreSQL advisory locks; always granted on SQLite). Refused, not queued: the walk
    // would wait behind an import of unknown length with the job already reported as running.
    if (!roots.empty()) {
        auto refused = co_await ask<std::vector<std::string>>(
            bus_.dal_writes, [&](auto reply) { return lock_import_roots{roots, std::move(reply)}; });
        if (!refused || !refused->empty()) {
            scan_summary cancelled;
            cancelled.cancelled = true;
            std::string problem;
            if (!refused) problem = co_await database_problem(bus_);
            if (refused)
                cancelled.error = "another Mediabase process named '" + settings_.server_name +
                                  "' is importing " + refused->front() +
                                  " on this catalogue (one import per folder at a time): import again once it "
                                  "has finished, or give each server its own --server-name";
            else
                cancelled.error = "cannot lock the media folders for the import: " + problem;
            scan_finished message{job, std::move(cancelled)};
            co_await post(bus_.core, std::move(message));
            co_return;
        }
    }
    auto known = co_await ask<std::shared_ptr<const known_files>>(
        bus_.dal_reads, [retry = !settings_.offline()](auto reply) {
            // Online, movies a provider has not identified yet are walked again, to be identified this time.
            return load_known_files{std::move(reply), retry};
        });
    // The walk waits while the Scraper is behind (scan_gate): online every movie goes there, offline those
    // with local metadata. Batches stored as they are give their token back at once.
    gate_ = std::make_shared<scan_gate>(executor_, scan_batches_ahead);
    for (std::size_t i = 0; i < scan_batches_ahead; ++i) gate_->try_send(error_code{});
    scan_request request{job,     std::move(roots), std::move(extensions), known.value_or(nullptr),
                         std::move(stop), gate_};
    if (!known) {
        // Without the snapshot every file would look new: end the walk at once instead.
        scan_summary cancelled;
        cancelled.cancelled = true;
        const std::string problem = co_await database_problem(bus_);
        cancelled.error = "cannot read the catalogue: " + problem;
        scan_finished message{job, std::move(cancelled)};
        co_await post(bus_.core, std::move(message));
        co_return;
    }
    co_await bus_.scanner.send(std::move(request));
}

asio::awaitable<bool> core::on(get_import_status& m) {
    m.reply(import_.job());
    co_return true;
}

asio::awaitable<bool> core::on(movies_found& m) {
    // The walk's token comes back here, or from identify_found once the movies for the Scraper are on their way.
    auto gate = std::move(m.gate);
    const bool this_job = import_.busy() && m.job == import_.job().id;
    const auto found = static_cast<std::int64_t>(m.movies.size());
    // Online every movie goes to the Scraper; offline only those with an NFO or art beside them (the Scraper
    // reads them, the Cache copies the art), the rest are stored as their names say.
    std::vector<found_movie> to_scraper;
    if (this_job && !settings_.offline()) {
        to_scraper = std::move(m.movies);
        m.movies.clear();
    } else if (this_job) {
        const auto local = std::stable_partition(m.movies.begin(), m.movies.end(),
                                                 [](const found_movie& f) { return !f.local_metadata; });
        to_scraper.assign(std::make_move_iterator(local), std::make_move_iterator(m.movies.end()));
        m.movies.erase(local, m.movies.end());
    }
    const bool to_identify = gate && !to_scraper.empty();
    if (gate && !to_identify) gate->try_send(error_code{});
    if (!this_job) co_return true;
    const auto count = static_cast<std::int64_t>(m.movies.size());
    const auto moved = static_cast<std::int64_t>(m.moves.size());
    // A moved file counts as a movie found (and stored once moved).
    import_.found(found + moved, m.unchanged_movies, std::move(m.current), m.folders_walked);
    if (to_identify) {
        import_.dispatched(static_cast<std::int64_t>(to_scraper.size()));
        asio::co_spawn(executor_, identify_found(m.job, std::move(to_scraper), std::move(gate)), asio::detached);
    }
    if (count > 0) {
        import_.dispatched(count);
        auto movies = std::make_shared<const std::vector<found_movie>>(std::move(m.movies));
        auto [to, from] = make_reply<store_result>(executor_);
        // Waits while the DAL's mailbox is full: the back-pressure reaches the Scanner through Core's mailbox.
        store_movies message{movies, std::move(to), nullptr};
        if (!co_await post(bus_.dal_writes, std::move(message))) co_return true;
        asio::co_spawn(executor_, await_stored(m.job, count, std::move(from), std::move(movies)), asio::detached);
    }
    if (moved > 0) {
        import_.dispatched(moved);
        auto described = std::make_shared<std::vector<found_movie>>();
        described->reserve(m.moves.size());
        for (const auto& move : m.moves) described->push_back(move.found);
        auto moves = std::make_shared<const std::vector<file_move>>(std::move(m.moves));
        auto [to, from] = make_reply<store_result>(executor_);
        move_files message{std::move(moves), std::move(to)};
        if (!co_await post(bus_.dal_writes, std::move(message))) co_return true;
        asio::co_spawn(executor_, await_stored(m.job, moved, std::move(from), std::move(described)),
                       asio::detached);
    }
    co_return true;
}

asio::awaitable<void> core::await_stored(std::int64_t job, std::int64_t requested, reply_from<store_result> reply,
                                         std::shared_ptr<const std::vector<found_movie>> movies) {
    auto result = co_await reply.get();
    std::vector<movie> stored_movies;
    std::vector<movie_id> updated;
    if (result)
        for (const auto& change : result->changes)
            if (change.kind == change_kind::updated) updated.push_back(change.id);
    if (!updated.empty()) {
        // An updated movie (a new version, a moved file) keeps its metadata, watched state and rating: its
        // event says so, not just what the file name says. A new movie is described from what was found.
        auto read = co_await ask<std::vector<movie>>(
            bus_.dal_reads, [&](auto r) { return get_movies{std::move(updated), std::move(r)}; });
        if (read) stored_movies = std::move(*read);
    }
    batch_stored message{job, requested, std::move(result), std::move(movies), std::move(stored_movies)};
    co_await post(bus_.core, std::move(message));
}

asio::awaitable<bool> core::on(batch_stored& m) {
    if (!import_.busy() || m.job != import_.job().id) co_return true;
    if (m.movies && !m.movies->empty() && !m.movies->back().files.empty())
        import_.handling(display_utf8(m.movies->back().files.front().path));
    if (!m.result) {
        import_.stored(0, m.requested);
        const std::string problem = co_await database_problem(bus_);
        import_.fail("movies could not be stored: " + problem);
        error_event message{"a batch of " + std::to_string(m.requested) + " movies could not be stored"};
        co_await post(bus_.events, std::move(message));
    } else {
        const auto stored = std::min(m.result->stored, m.requested);
        import_.stored(stored, m.requested - stored);
        if (m.result->failed > 0 || stored < m.requested) {
            std::string problem;
            if (m.result->error)
                problem = *m.result->error;
            else
                problem = co_await database_problem(bus_);
            import_.fail("movies could not be stored: " + problem);
        }
        // Every stored movie that is not new joined an existing movie (another version) or changed one.
        std::int64_t added = 0;
        for (const auto& change : m.result->changes) added += change.kind == change_kind::added ? 1 : 0;
        added = std::min(added, stored);
        import_.changes(added, stored - added);
        // The Prober reads the new files' streams in the background (try_send: see probe_files), once the walk
        // is over: while the Scanner still walks, the DAL writer is the import's limit, and the Prober's
        // stores would queue between its batches. The pass after the import catches up.
        if (stored > 0 && !import_.walking()) bus_.prober.try_send(probe_files{});
        for (const auto& change : m.result->changes) {
            movie_event event{change.kind, change.id, std::nullopt};
            const auto stored = std::find_if(m.stored_movies.begin(), m.stored_movies.end(),
                                             [&](const movie& s) { return s.id == change.id; });
            if (stored != m.stored_movies.end()) {
                event.subject = *stored;
            } else if (m.movies && change.source_index < m.movies->size()) {
                // Describe the change from what was found; clients fetch the full record when they need it.
                movie described = movie_from((*m.movies)[change.source_index]);
                described.id = change.id;
                event.subject = std::move(described);
            }
            co_await post(bus_.events, std::move(event));
        }
    }
    co_await finish_if_complete();
    co_return true;
}

asio::awaitable<bool> core::on(scan_finished& m) {
    if (!import_.busy() || m.job != import_.job().id) co_return true;
    // The job ends with the truth: what the walk could not see makes it incomplete.
    if (m.summary.error) import_.fail(*m.summary.error);
    for (const auto& root : m.summary.missing_roots)
        import_.fail("media folder " + root + " is missing or not a folder");
    if (!m.summary.failures.empty())
        import_.fail("cannot read " + std::to_string(m.summary.failures.size()) + " folder(s), e.g. " +
                     m.summary.failures.front());
    for (const auto& folder : m.summary.unreadable) {
        error_event message{"cannot read folder " + folder + ": skipped"};
        import_.warn("cannot read folder " + folder + ": skipped; give the server's user read access to it");
        co_await post(bus_.events, std::move(message));
    }
    for (const auto& root : m.summary.missing_roots) {
        error_event message{"media folder " + root + " is missing or not a folder: skipped"};
        import_.warn("media folder " + root +
                     " is missing or not a folder: nothing under it was imported or removed; mount the drive or "
                     "fix the path in Settings, then import again");
        co_await post(bus_.events, std::move(message));
    }
    spdlog::info("import {}: walked {} folders, {} video files ({} unchanged, {} moved, {} extras left out)", m.job,
                 m.summary.folders, m.summary.video_files, m.summary.unchanged_files, m.summary.moved_files,
                 m.summary.extras);
    import_.walk_finished(m.summary.folders, m.summary.video_files);
    if (!m.summary.cancelled) known_folders_ = m.summary.folders;
    co_await finish_if_complete();
    co_return true;
}

asio::awaitable<void> core::finish_if_complete() {
    if (!import_.complete()) co_return;
    set_warnings_from_counts();
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_);
    import_.finish(utc_now_iso8601(), took.count());
    import_.take_dirty();
    const auto& c = import_.job().counts;
    spdlog::info("import {} finished: {} found, {} skipped, {} identified, {} not identified, {} stored, {} with "
                 "art, {} failed",
                 import_.job().id, c.found, c.skipped, c.identified, c.unidentified, c.stored, c.art_cached, c.failed);
    // The roots' locks go back before anyone hears the import finished: a write asked for after that queues
    // behind the unlock.
    unlock_import_roots unlock;
    co_await post(bus_.dal_writes, std::move(unlock));
    import_event message{import_event::kind::finished, import_.job()};
    co_await post(bus_.events, std::move(message));
    // Changed files keep their ids: one pass over every file finds those the passes after each batch missed.
    bus_.prober.try_send(probe_files{true});
    co_await record_job();
    co_await after_import();
}

asio::awaitable<bool> core::on(progress_tick&) {
    if (!import_.busy()) co_return true;
    last_progress_ = std::chrono::steady_clock::now();
    import_.update_progress(std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
    if (import_.take_dirty()) {
        import_event message{import_event::kind::progress, import_.job()};
        co_await post(bus_.events, std::move(message));
    }
    co_return true;
}

asio::awaitable<void> core::tick_progress() {
    while (!stopping_) {
        ticker_.expires_after(progress_interval);
        auto [ec] = co_await ticker_.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec || stopping_) co_return;
        // A full mailbox already has work queued that will lead to progress: this tick is dropped.
        if (import_.busy()) bus_.core.try_send(progress_tick{});
    }
}

asio::awaitable<bool> core::on(get_settings& m) {
    m.reply(settings_);
    co_return true;
}

asio::awaitable<bool> core::on(update_settings& m) {
    settings changed = settings_;
    if (auto error = apply_config_json(changed, m.changes)) {
        m.reply(*error);
        co_return true;
    }
    for (auto& folder : changed.media_folders) folder = normalized_folder(folder);
    if (auto error = save_config_file(changed)) {
        m.reply(settings_error{"cannot save settings: " + *error});
        co_return true;
    }
    const bool watch_changed = changed.media_folders != settings_.media_folders ||
                               changed.extensions != settings_.extensions || changed.watch != settings_.watch ||
                               changed.rescan_interval_seconds != settings_.rescan_interval_seconds;
    settings_ = std::move(changed);
    spdlog::info("settings changed: {} media folder(s)", settings_.media_folders.size());
    if (watch_changed) {
        // Before the answer: a GET /config that follows it sees the new watch state.
        watch_folders message{settings_.media_folders, settings_.extensions, settings_.watch,
                              settings_.rescan_interval_seconds};
        co_await post(bus_.watcher, std::move(message));
    }
    m.reply(settings_);
    providers_changed providers{settings_};
    co_await post(bus_.scraper, std::move(providers));
    co_return true;
}

// ------------------------------------------------------------------------------ online imports, in chunks

asio::awaitable<void> core::identify_found(std::int64_t job, std::vector<found_movie> movies,
                                          std::shared_ptr<scan_gate> gate) {
    // Offline nothing waits for the network: the batch goes as one chunk (one transaction, not one per 8).
    const auto chunk_size = settings_.offline() ? std::max<std::size_t>(1, movies.size()) : identify_chunk_size;
    for (std::size_t first = 0; first < movies.size(); first += chunk_size) {
        const auto last = std::min(movies.size(), first + chunk_size);
        auto chunk = std::make_shared<std::vector<found_movie>>(std::make_move_iterator(movies.begin() + static_cast<std::ptrdiff_t>(first)),
                                                                std::make_move_iterator(movies.begin() + static_cast<std::ptrdiff_t>(last)));
        // Credits come back from chunks in flight, not through Core's mailbox.
        const bool admitted = co_await chunk_credits_->acquire();
        if (!admitted) co_return; // shutting down: the job is aborted
        asio::co_spawn(executor_, identify_chunk(job, std::move(chunk)), asio::detached);
    }
    if (gate) gate->try_send(error_code{});
}

asio::awaitable<void> core::identify_chunk(std::int64_t job, std::shared_ptr<const std::vector<found_movie>> movies) {
    chunk_done outcome;
    outcome.job = job;
    const auto requested = static_cast<std::int64_t>(movies->size());
    {
        slot_guard credit(chunk_credits_);
        try {
            co_await run_chunk(movies, outcome);
        } catch (const std::exception& e) {
            spdlog::error("import {}: a chunk of {} movies failed: {}", job, requested, e.what());
            outcome.error = e.what();
        }
        // The credit goes back before chunk_done is posted: Core may be waiting for one with a full mailbox.
    }
    outcome.stored = std::min(outcome.stored, requested);
    outcome.failed = requested - outcome.stored;
    outcome.added = std::min(outcome.added, outcome.stored);
    outcome.updated = outcome.stored - outcome.added;
    co_await post(bus_.core, std::move(outcome));
}

asio::awaitable<void> core::run_chunk(std::shared_ptr<const std::vector<found_movie>> movies, chunk_done& outcome) {
    const auto count = movies->size();

    // 1. Identify: local NFO and art first, then the providers. A failure is an answer (match failed).
    auto answers = co_await ask<std::vector<identification>>(
        bus_.scraper, [&](auto reply) { return identify_movies{movies, std::move(reply)}; });
    std::vector<identification> results;
    if (answers && answers->size() == count) results = std::move(*answers);
    else results.resize(count); // the Scraper is gone: store what the names say

    auto batch = std::make_shared<std::vector<found_movie>>(*movies);
    auto metadata = std::make_shared<std::vector<std::optional<movie>>>(count);
    std::vector<art_sources> art;
    std::vector<std::size_t> art_owner; ///< index in the chunk of each art request
    for (std::size_t i = 0; i < count; ++i) {
        auto& result = results[i];
        if (result.metadata && result.metadata->match == match_state::failed) ++outcome.unidentified;
        if (result.matched()) {
            ++outcome.identified;
            // A sure match's ids join other versions of the film (other folders, other names) to one movie.
            if (result.metadata->match == match_state::identified) {
                (*batch)[i].tmdb_id = result.metadata->tmdb_id;
                if (result.metadata->imdb_id) (*batch)[i].imdb_id = result.metadata->imdb_id;
            }
        }
        (*metadata)[i] = std::move(result.metadata);
        if (!result.art.empty()) {
            art.push_back(std::move(result.art));
            art_owner.push_back(i);
        }
    }

    // 2. Store with the metadata, and cache the art, at once.
    auto [store_to, store_from] = make_reply<store_result>(executor_);
    store_movies store{batch, std::move(store_to), metadata};
    if (!co_await post(bus_.dal_writes, std::move(store))) co_return;
    std::optional<reply_from<std::vector<cached_art>>> art_reply;
    if (!art.empty()) {
        auto [art_to, art_from] = make_reply<std::vector<cached_art>>(executor_);
        cache_art request{std::move(art), std::move(art_to)};
        if (co_await post(bus_.cache, std::move(request))) art_reply.emplace(std::move(art_from));
    }
    auto stored = co_await store_from.get();
    std::optional<std::vector<cached_art>> cached;
    if (art_reply) cached = co_await art_reply->get();
    // Once the keys are on their movies (or will not be), the Cache may sweep them when unused.
    release_art release;
    if (cached)
        for (const auto& keys : *cached)
            for (const auto* key : {&keys.poster, &keys.backdrop})
                if (*key) release.keys.push_back(**key);
    if (!stored) { // the DAL dropped the batch (shutting down, a failing database): every movie failed
        std::string problem = co_await database_problem(bus_);
        outcome.error = std::move(problem);
        co_await post(bus_.cache, std::move(release));
        co_return;
    }
    outcome.stored = stored->stored;
    if (stored->error) outcome.error = stored->error;
    for (const auto& change : stored->changes) outcome.added += change.kind == change_kind::added ? 1 : 0;
    if (!movies->empty() && !movies->back().files.empty())
        outcome.current = display_utf8(movies->back().files.front().path);

    // 3. The art keys onto the stored movies. Art that could not be cached is marked for the next online
    // import to try again (catalogue::movies_to_identify).
    std::vector<art_update> updates;
    if (cached && cached->size() == art_owner.size()) {
        for (std::size_t k = 0; k < art_owner.size(); ++k) {
            const auto& keys = (*cached)[k];
            if (keys.complete) ++outcome.art_cached;
            const auto i = art_owner[k];
            const movie_id id = i < stored->ids.size() ? stored->ids[i] : 0;
            if (id == 0) continue;
            art_update update;
            update.id = id;
            update.poster = keys.poster;
            update.backdrop = keys.backdrop;
            update.retry = !keys.complete;
            updates.push_back(std::move(update));
        }
    }
    if (!updates.empty())
        co_await ask<std::int64_t>(bus_.dal_writes,
                                   [&](auto reply) { return store_art{std::move(updates), std::move(reply)}; });
    if (!release.keys.empty()) co_await post(bus_.cache, std::move(release));

    // 4. Events with the movies as stored (metadata, art, files): a chunk is small, one read.
    if (stored->changes.empty()) co_return;
    std::vector<movie_id> ids;
    for (const auto& change : stored->changes) ids.push_back(change.id);
    auto read = co_await ask<std::vector<movie>>(bus_.dal_reads,
                                                 [&](auto reply) { return get_movies{std::move(ids), std::move(reply)}; });
    for (const auto& change : stored->changes) {
        movie_event event{change.kind, change.id, std::nullopt};
        if (read) {
            const auto it = std::find_if(read->begin(), read->end(), [&](const movie& m) { return m.id == change.id; });
            if (it != read->end()) event.subject = *it;
        }
        co_await post(bus_.events, std::move(event));
    }
}

asio::awaitable<bool> core::on(chunk_done& m) {
    if (!import_.busy() || m.job != import_.job().id) co_return true;
    import_.identified(m.identified);
    import_.changes(m.added, m.updated);
    import_.handling(std::move(m.current));
    import_.art_cached(m.art_cached);
    import_.unidentified(m.unidentified);
    import_.stored(m.stored, m.failed);
    if (m.failed > 0) {
        std::string problem;
        if (m.error)
            problem = *m.error;
        else
            problem = co_await database_problem(bus_);
        import_.fail("movies could not be stored: " + problem);
    }
    if (m.stored > 0 && !import_.walking()) bus_.prober.try_send(probe_files{});
    co_await finish_if_complete();
    co_return true;
}

} // namespace mediabase
