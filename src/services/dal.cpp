#include "mediabase/services/dal.hpp"

#include "mediabase/model/movie_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

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

/// Whether a write that went through shows the catalogue has room again (a full disk's failure is over). Not
/// those that fit in the file's free pages whatever the disk holds: the import history row written right after
/// a failed import, the Prober's rows for the movies that import did store, an API key's last-use time; nor
/// the import locks, which write nothing to the file (SQLite) or only take a lock (PostgreSQL).
bool proves_space_is_back(const dal_write_message& message) {
    return std::visit(overloaded{[](const record_import&) { return false; },
                                 [](const store_media_info&) { return false; },
                                 [](const touch_api_key&) { return false; },
                                 [](const lock_import_roots&) { return false; },
                                 [](const unlock_import_roots&) { return false; },
                                 [](const stop_service&) { return false; },
                                 [](const auto&) { return true; }},
                      message);
}

using failure = account_outcome::failure;

account_outcome refusal(failure why, std::string message) {
    account_outcome outcome;
    outcome.error = why;
    outcome.message = std::move(message);
    return outcome;
}

/// Checks a name and password against the catalogue. An unknown name costs the same Argon2id work as a
/// wrong password, so timing does not tell which names exist.
std::optional<account> check_login(catalogue& db, const std::string& name, const std::string& password) {
    static const std::string decoy = hash_password("not any account's password");
    auto found = db.account_with_hash(name);
    const bool matches = verify_password(password, found ? found->second : decoy);
    if (!found || !matches) return std::nullopt;
    return found->first;
}

account_outcome log_in_with(catalogue& db, const log_in& m) {
    auto who = check_login(db, m.account_name, m.password);
    if (!who) return refusal(failure::refused, "wrong name or password");
    account_outcome outcome;
    outcome.session_id = db.create_session(who->id, m.token_digest, m.expires_at, m.address);
    outcome.who = std::move(*who);
    return outcome;
}

account_outcome create_with(catalogue& db, const create_account& m) {
    if (auto why = check_account_name(m.account_name)) return refusal(failure::invalid, *why);
    if (auto why = check_password(m.password)) return refusal(failure::invalid, *why);
    if (m.role != "admin" && m.role != "viewer") return refusal(failure::invalid, "role: expected admin or viewer");
    if (m.only_if_none && db.account_count() > 0)
        return refusal(failure::exists, "the first account exists already: log in");
    auto added = db.add_account(m.account_name, hash_password(m.password), m.role);
    if (!added) return refusal(failure::exists, "an account named '" + m.account_name + "' exists already");
    account_outcome outcome;
    outcome.who = std::move(*added);
    return outcome;
}

account_outcome change_with(catalogue& db, const change_password& m) {
    if (auto why = check_password(m.replacement)) return refusal(failure::invalid, *why);
    std::optional<account> who;
    if (m.by_admin) {
        if (auto found = db.account_with_hash(m.account_name)) who = found->first;
        if (!who) return refusal(failure::not_found, "no account named '" + m.account_name + "'");
    } else {
        who = check_login(db, m.account_name, m.current);
        if (!who) return refusal(failure::refused, "the current password is wrong");
    }
    account_outcome outcome;
    if (auto ended = db.set_password(m.account_name, hash_password(m.replacement), m.keep_session))
        outcome.ended_sessions = std::move(*ended);
    outcome.who = std::move(who);
    return outcome;
}

account_outcome delete_with(catalogue& db, const delete_account& m) {
    try {
        auto removed = db.remove_account(m.account_name);
        if (!removed) return refusal(failure::not_found, "no account named '" + m.account_name + "'");
        account_outcome outcome;
        outcome.ended_sessions = std::move(removed->first);
        outcome.ended_keys = std::move(removed->second);
        return outcome;
    } catch (const std::invalid_argument& e) {
        return refusal(failure::last_admin, e.what());
    }
}

} // namespace

asio::awaitable<void> dal_writer::run() {
    co_await run_mailbox(bus_.dal_writes, [this](dal_write_message m) { return handle(std::move(m)); });
}

asio::awaitable<bool> dal_writer::handle(dal_write_message message) {
    // A failing database (corrupt, full disk) drops the request unanswered: the asker hears "no answer".
    // The failure goes to Health first, while `message` (and so the asker's reply) is still held here: whoever
    // asks Health after hearing "no answer" hears the cause.
    changed_.reset();
    failure_.reset();
    reconnected_ = false;
    announced_.clear();
    const bool proves_recovery = proves_space_is_back(message);
    bool keep_running = true;
    try {
        // After an outage: a new connection before the next write (throws while the server is still away).
        reconnect_if_lost();
        keep_running = write_once_more_if_reconnected(message);
    } catch (const std::exception& e) {
        spdlog::error("catalogue: {} failed: {}", message_name(message), e.what());
        failure_ = e.what();
    }
    // A write that went through ends a passing failure (space was freed); one that reported its own failure
    // as a value (store_found) does not. Any request that went through on a new connection shows the database
    // server can be reached again.
    if (failure_ || proves_recovery || reconnected_) {
        const auto proof = proves_recovery ? database_proof::a_write : database_proof::a_new_connection;
        database_report report{failure_, proof};
        co_await post(bus_.health, std::move(report));
    }
    // Full already: a checkpoint is asked for or running, and it copies this commit's pages too.
    if (db_.wal_pages() >= wal_checkpoint_pages) bus_.checkpoints.try_send(checkpoint_wal{});
    if (changed_) {
        if (!instance_.empty()) announce_changes();
        catalogue_changed change{*changed_};
        co_await post(bus_.events, std::move(change));
    }
    co_return keep_running;
}

asio::awaitable<void> wal_checkpointer::run() {
    co_await run_mailbox(bus_.checkpoints, [this](checkpoint_message m) -> asio::awaitable<bool> {
        if (std::holds_alternative<stop_service>(m)) co_return false;
        try {
            // The copy, and the flush to disk that takes the time, while the writer goes on.
            const auto first = db_.checkpoint(wal_checkpoint::passive);
            // Then, unless a commit has restarted the log since, what came meanwhile, holding the writer off
            // only for that: the next commit starts the log again.
            // A request made while the last restart ran finds that log unchanged: nothing to do.
            auto last = first;
            if (first.in_log >= wal_checkpoint_pages && first.in_log != restarted_log_) {
                last = db_.checkpoint(wal_checkpoint::restart);
                if (last.copied == last.in_log) restarted_log_ = last.in_log;
            }
            spdlog::debug("catalogue: checkpoint copied {} of {} pages of the write-ahead log, then {} of {}",
                          first.copied, first.in_log, last.copied, last.in_log);
        } catch (const std::exception& e) {
            // The log stays whole in its file and the next request tries again: nothing is lost, and a failing
            // disk shows in the writer's own writes (Health).
            spdlog::warn("catalogue: {}", e.what());
        }
        co_return true;
    });
}

bool dal_writer::reconnect_if_lost() {
    const bool again = db_.reconnect_if_lost();
    reconnected_ = reconnected_ || again;
    return again;
}

void dal_writer::announce_changes() {
    // At most 300 ids a payload (under 7 KB): a NOTIFY payload must stay under 8,000 bytes.
    constexpr std::size_t ids_per_payload = 300;
    std::size_t next = 0;
    do {
        boost::json::array added, updated, removed;
        const auto end = std::min(announced_.size(), next + ids_per_payload);
        for (; next < end; ++next) {
            const auto& change = announced_[next];
            (change.kind == change_kind::added     ? added
             : change.kind == change_kind::updated ? updated
                                                   : removed)
                .emplace_back(change.id);
        }
        boost::json::object payload{{"from", instance_}, {"added", std::move(added)},
                                    {"updated", std::move(updated)}, {"removed", std::move(removed)}};
        try {
            db_.announce_change(boost::json::serialize(payload));
        } catch (const std::exception& e) {
            // The change is stored; only the other servers' clients hear of it later (their next refresh).
            spdlog::warn("catalogue: cannot tell the other servers of a change: {}", e.what());
            return;
        }
    } while (next < announced_.size());
}

bool dal_writer::write_once_more_if_reconnected(dal_write_message& message) {
    try {
        return write(message);
    } catch (const std::exception& e) {
        // The database server restarted: its transaction was rolled back whole, so the write goes again once on
        // a new connection (a failure then is the server's answer, reported as any other).
        if (!reconnect_if_lost()) throw;
        spdlog::warn("catalogue: {} failed on a lost connection ({}); trying it again", message_name(message),
                     e.what());
        return write(message);
    }
}

bool dal_writer::write(dal_write_message& message) {
    return std::visit(overloaded{
                             [](stop_service&) { return false; },
                             [this](store_movies& m) {
                                 std::span<const std::optional<movie>> metadata;
                                 if (m.metadata) metadata = *m.metadata;
                                 auto result = m.movies ? db_.store_found(*m.movies, metadata) : store_result{};
                                 // A batch lost with the connection was rolled back whole: stored again.
                                 if (result.error && m.movies && reconnect_if_lost())
                                     result = db_.store_found(*m.movies, metadata);
                                 // store_found keeps the batch's failure as a value: the import names it.
                                 if (result.error) failure_ = *result.error;
                                 changed_ = true;
                                 announced_ = result.changes;
                                 m.reply(std::move(result));
                                 return true;
                             },
                             [this](store_media_info& m) {
                                 auto stored = db_.store_media_info(m.results);
                                 changed_ = true;
                                 m.reply(stored);
                                 return true;
                             },
                             [this](store_art& m) {
                                 auto result = db_.store_art(m.updates);
                                 changed_ = true;
                                 for (const auto& update : m.updates)
                                     announced_.push_back({change_kind::updated, update.id, 0});
                                 m.reply(std::move(result));
                                 return true;
                             },
                             [this](set_metadata& m) {
                                 auto result = db_.update_metadata(m.id, m.metadata);
                                 changed_ = false;
                                 if (result) announced_.push_back({change_kind::updated, m.id, 0});
                                 m.reply(std::move(result));
                                 return true;
                             },
                             [this](move_files& m) {
                                 auto result = m.moves ? db_.store_moves(*m.moves) : store_result{};
                                 changed_ = true;
                                 announced_ = result.changes;
                                 m.reply(std::move(result));
                                 return true;
                             },
                             [this](remove_files& m) {
                                 auto result = db_.remove_files(m.paths);
                                 changed_ = true;
                                 announced_ = result;
                                 m.reply(std::move(result));
                                 return true;
                             },
                             [this](patch_movie& m) {
                                 auto result = db_.patch_movie(m.id, m.patch, m.person);
                                 changed_ = false;
                                 if (result) announced_.push_back({change_kind::updated, m.id, 0});
                                 m.reply(std::move(result));
                                 return true;
                             },
                             [this](record_import& m) {
                                 // A failure is logged by run_mailbox: the import itself is not undone.
                                 db_.record_import(m.job);
                                 changed_ = false;
                                 return true;
                             },
                             [this](log_in& m) {
                                 m.reply(log_in_with(db_, m));
                                 return true;
                             },
                             [this](end_sessions& m) {
                                 account_outcome outcome;
                                 if (m.everywhere)
                                     outcome.ended_sessions = db_.end_sessions(m.user_id, 0);
                                 else if (db_.end_session(m.session_id))
                                     outcome.ended_sessions.push_back(m.session_id);
                                 m.reply(std::move(outcome));
                                 return true;
                             },
                             [this](create_account& m) {
                                 m.reply(create_with(db_, m));
                                 return true;
                             },
                             [this](change_password& m) {
                                 m.reply(change_with(db_, m));
                                 return true;
                             },
                             [this](delete_account& m) {
                                 m.reply(delete_with(db_, m));
                                 return true;
                             },
                             [this](add_api_key& m) {
                                 m.reply(db_.create_api_key(m.user_id, m.key_name, m.scope, m.key_digest, m.prefix));
                                 return true;
                             },
                             [this](revoke_api_key& m) {
                                 m.reply(db_.revoke_api_key(m.user_id, m.key_id));
                                 return true;
                             },
                             [this](touch_api_key& m) {
                                 db_.touch_api_key(m.key_id, m.now);
                                 return true;
                             },
                             [this](lock_import_roots& m) {
                                 m.reply(db_.lock_import_roots(m.roots));
                                 return true;
                             },
                             [this](unlock_import_roots&) {
                                 db_.unlock_import_roots();
                                 return true;
                             },
                         },
                         message);
}

asio::awaitable<void> dal_reader::run() {
    co_await run_mailbox(bus_.dal_reads, [this](dal_read_message m) { return handle(std::move(m)); });
}

asio::awaitable<bool> dal_reader::handle(dal_read_message message) {
    // As the writer: the failure reaches Health before the asker hears "no answer" (`message` is held here).
    failure_.reset();
    reconnected_ = false;
    bool keep_running = true;
    try {
        reconnect_if_lost();
        try {
            keep_running = read(message);
        } catch (const std::exception& e) {
            if (!reconnect_if_lost()) throw;
            spdlog::warn("catalogue: {} failed on a lost connection ({}); trying it again", message_name(message),
                         e.what());
            keep_running = read(message);
        }
    } catch (const std::exception& e) {
        spdlog::error("catalogue: {} failed: {}", message_name(message), e.what());
        failure_ = e.what();
    }
    // A read proves no space was freed, but one that went through on a new connection shows the database
    // server can be reached again.
    if (failure_ || reconnected_) {
        database_report report{failure_, database_proof::a_new_connection};
        co_await post(bus_.health, std::move(report));
    }
    co_return keep_running;
}

bool dal_reader::reconnect_if_lost() {
    const bool again = db_.reconnect_if_lost();
    reconnected_ = reconnected_ || again;
    return again;
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
                             [this](resolve_credential& m) {
                                 using kind = resolve_credential::kind;
                                 credential_lookup lookup;
                                 lookup.accounts = db_.account_count();
                                 if (m.what == kind::session)
                                     lookup.found = db_.session_account(m.secret_digest, m.now);
                                 else if (m.what == kind::api_key)
                                     lookup.found = db_.key_account(m.secret_digest);
                                 else if (m.what == kind::account_name)
                                     if (auto found = db_.account_with_hash(m.account_name))
                                         lookup.found = account_credential{found->first, 0, 0, {}};
                                 m.reply(std::move(lookup));
                                 return true;
                             },
                             [this](list_accounts& m) {
                                 account_listing listing;
                                 listing.accounts = db_.list_accounts();
                                 if (m.keys_of) listing.keys = db_.list_api_keys(m.keys_of);
                                 m.reply(std::move(listing));
                                 return true;
                             },
                             [this](list_movies& m) {
                                 m.reply(db_.list_movies(m.query, m.person));
                                 return true;
                             },
                             [this](get_movie& m) {
                                 m.reply(db_.get_movie(m.id, m.person));
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
                             [this](get_files_to_probe& m) {
                                 m.reply(db_.files_to_probe(m.after, m.limit));
                                 return true;
                             },
                             [this](get_stats& m) {
                                 m.reply(library_stats(db_, m.person));
                                 return true;
                             },
                             [this](backup_catalogue& m) {
                                 auto outcome = make_backup(db_, m.dir, m.reason, m.keep);
                                 if (!outcome.file) failure_ = outcome.error;
                                 m.reply(std::move(outcome));
                                 return true;
                             },
                         },
                         message);
}

boost::json::object library_stats(catalogue& db, person_id person) {
    const auto figures = db.figures(person);
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
