#include "mediabase/core.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace mediabase {

core::core(bus& b, settings initial, asio::any_io_executor executor)
    : bus_(b), settings_(std::move(initial)), executor_(std::move(executor)), ticker_(executor_) {}

asio::awaitable<void> core::run() {
    asio::co_spawn(executor_, tick_progress(), asio::detached);
    co_await run_mailbox(bus_.core, [this](core_message m) { return handle(std::move(m)); });
    stopping_ = true;
    ticker_.cancel();
    walk_stop_.request_stop();
}

asio::awaitable<bool> core::handle(core_message message) {
    co_return co_await std::visit([this](auto& m) { return on(m); }, message);
}

asio::awaitable<bool> core::on(stop_service&) {
    if (import_.busy()) {
        walk_stop_.request_stop();
        import_.abort("the server is shutting down", utc_now_iso8601());
        import_event message{import_event::kind::finished, import_.job()};
        co_await post(bus_.events, std::move(message));
    }
    co_return false;
}

asio::awaitable<bool> core::on(start_import& m) {
    if (!import_.start(next_job_id_, utc_now_iso8601())) {
        m.reply(import_.job());
        co_return true;
    }
    ++next_job_id_;
    m.reply(import_.job());
    spdlog::info("import {} started over {} media folder(s)", import_.job().id, settings_.media_folders.size());
    import_event message{import_event::kind::started, import_.job()};
    co_await post(bus_.events, std::move(message));
    walk_stop_ = std::stop_source();
    asio::co_spawn(executor_,
                   begin_walk(import_.job().id, settings_.media_folders, settings_.extensions, walk_stop_.get_token()),
                   asio::detached);
    co_return true;
}

asio::awaitable<void> core::begin_walk(std::int64_t job, std::vector<std::string> roots,
                                       std::vector<std::string> extensions, std::stop_token stop) {
    auto known = co_await ask<std::shared_ptr<const known_files>>(
        bus_.dal_reads, [](auto reply) { return load_known_files{std::move(reply)}; });
    scan_request request{job, std::move(roots), std::move(extensions), known.value_or(nullptr), std::move(stop)};
    if (!known) {
        // Without the snapshot every file would look new: end the walk at once instead.
        scan_summary cancelled;
        cancelled.cancelled = true;
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
    if (!import_.busy() || m.job != import_.job().id) co_return true;
    const auto count = static_cast<std::int64_t>(m.movies.size());
    import_.found(count, m.unchanged_movies, std::move(m.current));
    if (count == 0) co_return true;
    import_.dispatched(count);
    auto movies = std::make_shared<const std::vector<found_movie>>(std::move(m.movies));
    auto [to, from] = make_reply<store_result>(executor_);
    // Waits while the DAL's mailbox is full: the back-pressure reaches the Scanner through Core's mailbox.
    store_movies message{movies, std::move(to)};
    if (!co_await post(bus_.dal_writes, std::move(message))) co_return true;
    asio::co_spawn(executor_, await_stored(m.job, count, std::move(from), std::move(movies)), asio::detached);
    co_return true;
}

asio::awaitable<void> core::await_stored(std::int64_t job, std::int64_t requested, reply_from<store_result> reply,
                                         std::shared_ptr<const std::vector<found_movie>> movies) {
    auto result = co_await reply.get();
    batch_stored message{job, requested, std::move(result), std::move(movies)};
    co_await post(bus_.core, std::move(message));
}

asio::awaitable<bool> core::on(batch_stored& m) {
    if (!import_.busy() || m.job != import_.job().id) co_return true;
    if (!m.result) {
        import_.stored(0, m.requested);
        error_event message{"a batch of " + std::to_string(m.requested) + " movies could not be stored"};
        co_await post(bus_.events, std::move(message));
    } else {
        const auto stored = std::min(m.result->stored, m.requested);
        import_.stored(stored, m.requested - stored);
        for (const auto& change : m.result->changes) {
            movie_event event{change.kind, change.id, std::nullopt};
            if (m.movies && change.source_index < m.movies->size()) {
                // Describe the change from what was found; clients fetch the full record when they need it.
                const auto& found = (*m.movies)[change.source_index];
                movie described;
                described.id = change.id;
                described.title = found.title;
                described.year = found.year;
                described.tmdb_id = found.tmdb_id;
                described.imdb_id = found.imdb_id;
                described.files = found.files;
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
    for (const auto& folder : m.summary.unreadable) {
        error_event message{"cannot read folder " + folder + ": skipped"};
        co_await post(bus_.events, std::move(message));
    }
    for (const auto& root : m.summary.missing_roots) {
        error_event message{"media folder " + root + " is missing or not a folder: skipped"};
        co_await post(bus_.events, std::move(message));
    }
    spdlog::info("import {}: walked {} folders, {} video files ({} unchanged, {} extras left out)",
                 m.job, m.summary.folders, m.summary.video_files, m.summary.unchanged_files, m.summary.extras);
    import_.walk_finished();
    co_await finish_if_complete();
    co_return true;
}

asio::awaitable<void> core::finish_if_complete() {
    if (!import_.complete()) co_return;
    import_.finish(utc_now_iso8601());
    import_.take_dirty();
    const auto& c = import_.job().counts;
    spdlog::info("import {} finished: {} found, {} skipped, {} stored, {} failed", import_.job().id, c.found,
                 c.skipped, c.stored, c.failed);
    import_event message{import_event::kind::finished, import_.job()};
    co_await post(bus_.events, std::move(message));
}

asio::awaitable<bool> core::on(progress_tick&) {
    if (import_.busy() && import_.take_dirty()) {
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
    settings_ = std::move(changed);
    spdlog::info("settings changed: {} media folder(s)", settings_.media_folders.size());
    m.reply(settings_);
    co_return true;
}

} // namespace mediabase
