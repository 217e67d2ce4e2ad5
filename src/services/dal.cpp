#include "mediabase/services/dal.hpp"

#include "mediabase/model/movie_json.hpp"

#include <spdlog/spdlog.h>

#include <unordered_set>

namespace mediabase {
namespace {

template <class... Ts> struct overloaded : Ts... { using Ts::operator()...; };

/// Drops the files of these movies from the snapshot: the walk then sees them as changed.
void forget_movies(known_files& files, const std::vector<movie_id>& movies) {
    if (movies.empty()) return;
    const std::unordered_set<movie_id> wanted(movies.begin(), movies.end());
    std::erase_if(files, [&](const auto& entry) { return wanted.contains(entry.second.movie); });
}

} // namespace

asio::awaitable<void> dal_writer::run() {
    co_await run_mailbox(bus_.dal_writes, [this](dal_write_message m) { return handle(std::move(m)); });
}

asio::awaitable<bool> dal_writer::handle(dal_write_message message) {
    // A failing database (corrupt, full disk) drops the request unanswered: the asker hears "no answer" and
    // the Server names the cause from bus.database.
    try {
        const auto failures_before = bus_.database->get().failures;
        // The import history row is written right after a failed import: one small row fitting in the
        // file's free pages proves nothing about the space the catalogue needs.
        const bool proves_recovery = !std::holds_alternative<record_import>(message);
        const bool keep_running = write(message);
        // A write that went through ends a passing failure (space was freed); one that reported its own
        // failure as a value (store_found) does not.
        if (proves_recovery && bus_.database->get().failures == failures_before) bus_.database->succeeded();
        co_return keep_running;
    } catch (const std::exception& e) {
        spdlog::error("catalogue: {} failed: {}", message_name(message), e.what());
        bus_.database->failed(e.what());
        co_return true;
    }
}

void dal_writer::changed() {
    // After the commit and before the reply: whoever hears the answer reads a newer generation, so never a
    // response cached from before the write.
    bus_.catalogue_generation->fetch_add(1, std::memory_order_acq_rel);
}

bool dal_writer::write(dal_write_message& message) {
    return std::visit(overloaded{
                             [](stop_service&) { return false; },
                             [this](store_movies& m) {
                                 std::span<const std::optional<movie>> metadata;
                                 if (m.metadata) metadata = *m.metadata;
                                 auto result = m.movies ? db_.store_found(*m.movies, metadata) : store_result{};
                                 // store_found keeps the batch's failure as a value: the import names it.
                                 if (result.error) bus_.database->failed(*result.error);
                                 changed();
                                 m.reply(std::move(result));
                                 return true;
                             },
                             [this](store_art& m) {
                                 auto result = db_.store_art(m.updates);
                                 changed();
                                 m.reply(std::move(result));
                                 return true;
                             },
                             [this](set_metadata& m) {
                                 auto result = db_.update_metadata(m.id, m.metadata);
                                 changed();
                                 m.reply(std::move(result));
                                 return true;
                             },
                             [this](move_files& m) {
                                 auto result = m.moves ? db_.store_moves(*m.moves) : store_result{};
                                 changed();
                                 m.reply(std::move(result));
                                 return true;
                             },
                             [this](remove_files& m) {
                                 auto result = db_.remove_files(m.paths);
                                 changed();
                                 m.reply(std::move(result));
                                 return true;
                             },
                             [this](patch_movie& m) {
                                 auto result = db_.patch_movie(m.id, m.patch);
                                 changed();
                                 m.reply(std::move(result));
                                 return true;
                             },
                             [this](record_import& m) {
                                 // A failure is logged by run_mailbox: the import itself is not undone.
                                 db_.record_import(m.job);
                                 changed();
                                 return true;
                             },
                         },
                         message);
}

asio::awaitable<void> dal_reader::run() {
    co_await run_mailbox(bus_.dal_reads, [this](dal_read_message m) { return handle(std::move(m)); });
}

asio::awaitable<bool> dal_reader::handle(dal_read_message message) {
    try {
        co_return read(message);
    } catch (const std::exception& e) {
        spdlog::error("catalogue: {} failed: {}", message_name(message), e.what());
        bus_.database->failed(e.what());
        co_return true;
    }
}

bool dal_reader::read(dal_read_message& message) {
    return std::visit(overloaded{
                             [](stop_service&) { return false; },
                             [this](get_art_keys& m) {
                                 m.reply(std::make_shared<const std::unordered_set<std::string>>(
                                     m.among ? db_.art_keys_in_use(*m.among) : db_.art_keys()));
                                 return true;
                             },
                             [this](load_known_files& m) {
                                 auto files = db_.load_known_files();
                                 if (m.retry_unmatched) forget_movies(files, db_.movies_to_identify());
                                 m.reply(std::make_shared<const known_files>(std::move(files)));
                                 return true;
                             },
                             [this](list_imports& m) {
                                 m.reply(db_.recent_imports(m.limit));
                                 return true;
                             },
                             [this](list_movies& m) {
                                 m.reply(db_.list_movies(m.query));
                                 return true;
                             },
                             [this](get_movie& m) {
                                 m.reply(db_.get_movie(m.id));
                                 return true;
                             },
                             [this](get_movies& m) {
                                 std::vector<movie> movies;
                                 movies.reserve(m.ids.size());
                                 for (auto id : m.ids)
                                     if (auto found = db_.get_movie(id)) movies.push_back(std::move(*found));
                                 m.reply(std::move(movies));
                                 return true;
                             },
                             [this](find_duplicates& m) {
                                 m.reply(db_.duplicates());
                                 return true;
                             },
                             [this](list_genres& m) {
                                 m.reply(db_.genres());
                                 return true;
                             },
                             [this](get_files_under_root& m) {
                                 m.reply(db_.files_under_root(m.root));
                                 return true;
                             },
                             [this](get_stats& m) {
                                 m.reply(library_stats(db_));
                                 return true;
                             },
                             [this](backup_catalogue& m) {
                                 auto outcome = make_backup(db_, m.dir, m.reason, m.keep);
                                 if (!outcome.file) bus_.database->failed(outcome.error);
                                 m.reply(std::move(outcome));
                                 return true;
                             },
                         },
                         message);
}

boost::json::object library_stats(catalogue& db) {
    const auto figures = db.figures();
    auto counts = [](const std::vector<label_count>& list, const char* key, bool numeric) {
        boost::json::array out;
        for (const auto& item : list) {
            boost::json::object entry;
            if (numeric)
                entry[key] = std::stoll(item.label);
            else
                entry[key] = item.label;
            entry["count"] = item.count;
            out.push_back(std::move(entry));
        }
        return out;
    };
    boost::json::array recent;
    for (const auto& m : figures.recently_added)
        recent.push_back(to_json(m));
    return {{"movies", figures.movies},
            {"files", figures.files},
            {"total_size", figures.total_size},
            {"watched", figures.watched},
            {"by_decade", counts(figures.by_decade, "decade", true)},
            {"by_genre", counts(figures.by_genre, "genre", false)},
            {"by_resolution", counts(figures.by_resolution, "resolution", false)},
            {"recently_added", std::move(recent)}};
}

} // namespace mediabase
