#include "mediabase/dal.hpp"

#include "mediabase/movie_json.hpp"

namespace mediabase {
namespace {

template <class... Ts> struct overloaded : Ts... { using Ts::operator()...; };

} // namespace

asio::awaitable<void> dal_writer::run() {
    co_await run_mailbox(bus_.dal_writes, [this](dal_write_message m) { return handle(std::move(m)); });
}

asio::awaitable<bool> dal_writer::handle(dal_write_message message) {
    co_return std::visit(overloaded{
                             [](stop_service&) { return false; },
                             [this](store_movies& m) {
                                 m.reply(m.movies ? db_.store_found(*m.movies) : store_result{});
                                 return true;
                             },
                             [this](remove_files& m) {
                                 m.reply(db_.remove_files(m.paths));
                                 return true;
                             },
                             [this](patch_movie& m) {
                                 m.reply(db_.patch_movie(m.id, m.patch));
                                 return true;
                             },
                         },
                         message);
}

asio::awaitable<void> dal_reader::run() {
    co_await run_mailbox(bus_.dal_reads, [this](dal_read_message m) { return handle(std::move(m)); });
}

asio::awaitable<bool> dal_reader::handle(dal_read_message message) {
    co_return std::visit(overloaded{
                             [](stop_service&) { return false; },
                             [this](load_known_files& m) {
                                 m.reply(std::make_shared<const known_files>(db_.load_known_files()));
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
