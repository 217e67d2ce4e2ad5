#pragma once
/// DAL: the catalogue behind two mailboxes. Writes go through one writer (one connection, batched
/// transactions); reads have their own connection and thread, so they never wait behind an import.

#include "mediabase/runtime/bus.hpp"

namespace mediabase {

class dal_writer {
public:
    dal_writer(bus& b, catalogue& db) : bus_(b), db_(db) {}
    /// On a catalogue several servers share: after each commit, tells the others which movies changed
    /// (catalogue::announce_change), signed `instance` so that this process's own Listener skips it.
    void announce_as(std::string instance) { instance_ = std::move(instance); }
    /// Serves `bus.dal_writes` until stop_service, after every write queued before it.
    asio::awaitable<void> run();

private:
    asio::awaitable<bool> handle(dal_write_message message);
    bool write(dal_write_message& message);
    /// write(), and once more after connecting again when the database server was lost mid-write.
    bool write_once_more_if_reconnected(dal_write_message& message);
    /// The catalogue's reconnect_if_lost(), remembering for Health that this request used a new connection.
    bool reconnect_if_lost();
    bus& bus_;
    catalogue& db_;
    /// Set by write(): it committed a change (true: an import's), told the Server after the reply.
    std::optional<bool> changed_;
    /// Set by write() or a failure: what goes to Health.
    std::optional<std::string> failure_;
    /// Set by reconnect_if_lost(): the request went to a new connection (Health hears whether it went through).
    bool reconnected_ = false;
    /// Set by write(): the movies its commit changed, for the other servers (announce_as).
    std::vector<movie_change> announced_;
    std::string instance_; ///< empty: nothing is announced (one server on the catalogue)
    /// Announces what the last write changed, in payloads that fit a NOTIFY.
    void announce_changes();
};

class dal_reader {
public:
    dal_reader(bus& b, catalogue& db) : bus_(b), db_(db) {}
    asio::awaitable<void> run();

private:
    asio::awaitable<bool> handle(dal_read_message message);
    bool read(dal_read_message& message);
    bool reconnect_if_lost(); ///< as the writer's
    bus& bus_;
    catalogue& db_;
    std::optional<std::string> failure_; ///< set by read() or a failure: what goes to Health
    bool reconnected_ = false;           ///< as the writer's
};

/// The Checkpointer: copies SQLite's write-ahead log into the database file when the writer asks
/// (checkpoint_wal), on a connection and thread of its own, so that the writer's commits never wait for the
/// disk. Not started on PostgreSQL.
class wal_checkpointer {
public:
    wal_checkpointer(bus& b, catalogue& db) : bus_(b), db_(db) {}
    asio::awaitable<void> run();

private:
    bus& bus_;
    catalogue& db_;
    std::int64_t restarted_log_ = -1; ///< the pages of the log the last restart copied whole
};

/// The figures of `GET /api/v1/stats`.
boost::json::object library_stats(catalogue& db, person_id person = shared_state);

} // namespace mediabase
