// Accounts, sessions and API keys (schema version 5). Secrets arrive as digests: nothing here logs in.
#include "sql_support.hpp"

#include <stdexcept>

namespace mediabase {

using namespace sql_support;

namespace {

/// An integer column whatever width the engine reports it in (SQLite's INTEGER comes back as int or long long).
std::int64_t integer(const soci::row& row, std::size_t i) {
    switch (row.get_properties(i).get_data_type()) {
    case soci::dt_integer: return row.get<int>(i);
    case soci::dt_unsigned_long_long: return static_cast<std::int64_t>(row.get<unsigned long long>(i));
    default: return row.get<long long>(i);
    }
}

account account_row(const soci::row& row, std::size_t first = 0) {
    account a;
    a.id = integer(row, first);
    a.name = row.get<std::string>(first + 1);
    a.role = row.get<std::string>(first + 2);
    a.created_at = row.get<std::string>(first + 3);
    return a;
}

std::vector<std::int64_t> ids_of(soci::session& sql, const std::string& query, long long user_id) {
    std::vector<std::int64_t> ids;
    soci::rowset<soci::row> rows = (sql.prepare << query, soci::use(user_id, "user"));
    for (const auto& row : rows) ids.push_back(integer(row, 0));
    return ids;
}

} // namespace

std::int64_t catalogue::account_count() {
    long long count = 0;
    impl_->sql << "SELECT count(*) FROM users", soci::into(count);
    return count;
}

std::optional<account> catalogue::add_account(const std::string& name, const std::string& password_hash,
                                              const std::string& role) {
    auto& sql = impl_->sql;
    write_transaction transaction(sql, *impl_->dialect);
    long long taken = 0;
    sql << "SELECT count(*) FROM users WHERE name = :name", soci::use(name, "name"), soci::into(taken);
    if (taken > 0) return std::nullopt;
    long long admins = 0;
    sql << "SELECT count(*) FROM users WHERE role = 'admin'", soci::into(admins);
    long long states = 0;
    sql << "SELECT count(*) FROM user_movie_state", soci::into(states);
    const auto now = utc_now_iso8601();
    sql << "INSERT INTO users (name, password_hash, role, created_at) VALUES (:name, :hash, :role, :now)",
        soci::use(name, "name"), soci::use(password_hash, "hash"), soci::use(role, "role"), soci::use(now, "now");
    long long id = impl_->dialect->last_insert_id(sql, "users");
    // The watched state and ratings kept before accounts existed belong to whoever owned the server: the
    // first admin.
    if (role == "admin" && admins == 0 && states == 0)
        sql << "INSERT INTO user_movie_state (user_id, movie_id, watched, rating)"
               " SELECT CAST(:id AS BIGINT), id, watched, rating FROM movies WHERE watched <> 0 OR rating IS NOT NULL",
            soci::use(id, "id");
    transaction.commit();
    return account{id, name, role, now};
}

std::vector<account> catalogue::list_accounts() {
    std::vector<account> out;
    soci::rowset<soci::row> rows = impl_->sql.prepare << "SELECT id, name, role, created_at FROM users ORDER BY id";
    for (const auto& row : rows) out.push_back(account_row(row));
    return out;
}

std::optional<std::pair<account, std::string>> catalogue::account_with_hash(const std::string& name) {
    soci::rowset<soci::row> rows = (impl_->sql.prepare << "SELECT id, name, role, created_at, password_hash FROM users"
                                                          " WHERE name = :name",
                                    soci::use(name, "name"));
    for (const auto& row : rows) return std::pair{account_row(row), row.get<std::string>(4)};
    return std::nullopt;
}

std::optional<std::vector<std::int64_t>> catalogue::set_password(const std::string& name, const std::string& hash,
                                                                 std::int64_t keep_session) {
    auto& sql = impl_->sql;
    write_transaction transaction(sql, *impl_->dialect);
    long long id = 0;
    soci::indicator found = soci::i_null;
    sql << "SELECT id FROM users WHERE name = :name", soci::use(name, "name"), soci::into(id, found);
    if (found != soci::i_ok) return std::nullopt;
    sql << "UPDATE users SET password_hash = :hash WHERE id = :id", soci::use(hash, "hash"), soci::use(id, "id");
    long long keep = keep_session;
    auto ended = ids_of(sql, "SELECT id FROM sessions WHERE user_id = :user AND id <> " + std::to_string(keep), id);
    sql << "DELETE FROM sessions WHERE user_id = :user AND id <> :keep", soci::use(id, "user"),
        soci::use(keep, "keep");
    transaction.commit();
    return ended;
}

std::optional<std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>>>
catalogue::remove_account(const std::string& name) {
    auto& sql = impl_->sql;
    write_transaction transaction(sql, *impl_->dialect);
    long long id = 0;
    std::string role;
    soci::indicator found = soci::i_null;
    sql << "SELECT id, role FROM users WHERE name = :name", soci::use(name, "name"), soci::into(id, found),
        soci::into(role);
    if (found != soci::i_ok) return std::nullopt;
    long long admins = 0, others = 0;
    sql << "SELECT count(*) FROM users WHERE role = 'admin' AND id <> :id", soci::use(id, "id"), soci::into(admins);
    sql << "SELECT count(*) FROM users WHERE id <> :id", soci::use(id, "id"), soci::into(others);
    // Viewers left without any admin could not be managed from the web UI.
    if (role == "admin" && admins == 0 && others > 0)
        throw std::invalid_argument("'" + name + "' is the last admin; make another admin first");
    auto sessions = ids_of(sql, "SELECT id FROM sessions WHERE user_id = :user", id);
    auto keys = ids_of(sql, "SELECT id FROM api_keys WHERE user_id = :user", id);
    sql << "DELETE FROM users WHERE id = :id", soci::use(id, "id");
    transaction.commit();
    return std::pair{std::move(sessions), std::move(keys)};
}

std::int64_t catalogue::create_session(std::int64_t user_id, const std::string& token_digest,
                                       const std::string& expires_at, const std::string& address) {
    auto& sql = impl_->sql;
    const auto now = utc_now_iso8601();
    long long user = user_id;
    sql << "INSERT INTO sessions (user_id, token_digest, created_at, expires_at, address)"
           " VALUES (:user, :digest, :now, :expires, :address)",
        soci::use(user, "user"), soci::use(token_digest, "digest"), soci::use(now, "now"),
        soci::use(expires_at, "expires"), soci::use(address, "address");
    long long id = impl_->dialect->last_insert_id(sql, "sessions");
    // Expired sessions are dropped as new ones start: the table stays as small as the sessions in use.
    sql << "DELETE FROM sessions WHERE expires_at <= :now", soci::use(now, "now");
    return id;
}

std::optional<account_credential> catalogue::session_account(const std::string& token_digest, const std::string& now) {
    soci::rowset<soci::row> rows =
        (impl_->sql.prepare << "SELECT u.id, u.name, u.role, u.created_at, s.id FROM sessions s"
                               " JOIN users u ON u.id = s.user_id WHERE s.token_digest = :digest AND s.expires_at > :now",
         soci::use(token_digest, "digest"), soci::use(now, "now"));
    for (const auto& row : rows) {
        account_credential credential;
        credential.who = account_row(row);
        credential.session_id = integer(row, 4);
        return credential;
    }
    return std::nullopt;
}

bool catalogue::end_session(std::int64_t session_id) {
    long long id = session_id;
    soci::statement st = (impl_->sql.prepare << "DELETE FROM sessions WHERE id = :id", soci::use(id, "id"));
    st.execute(true);
    return st.get_affected_rows() > 0;
}

std::vector<std::int64_t> catalogue::end_sessions(std::int64_t user_id, std::int64_t keep_session) {
    auto& sql = impl_->sql;
    long long user = user_id, keep = keep_session;
    auto ended = ids_of(sql, "SELECT id FROM sessions WHERE user_id = :user AND id <> " + std::to_string(keep), user);
    sql << "DELETE FROM sessions WHERE user_id = :user AND id <> :keep", soci::use(user, "user"),
        soci::use(keep, "keep");
    return ended;
}

api_key_info catalogue::create_api_key(std::int64_t user_id, const std::string& name, const std::string& scope,
                                       const std::string& key_digest, const std::string& prefix) {
    auto& sql = impl_->sql;
    const auto now = utc_now_iso8601();
    long long user = user_id;
    sql << "INSERT INTO api_keys (user_id, name, scope, key_digest, prefix, created_at)"
           " VALUES (:user, :name, :scope, :digest, :prefix, :now)",
        soci::use(user, "user"), soci::use(name, "name"), soci::use(scope, "scope"), soci::use(key_digest, "digest"),
        soci::use(prefix, "prefix"), soci::use(now, "now");
    long long id = impl_->dialect->last_insert_id(sql, "api_keys");
    return api_key_info{id, user_id, name, scope, prefix, now, std::nullopt};
}

std::optional<account_credential> catalogue::key_account(const std::string& key_digest) {
    soci::rowset<soci::row> rows =
        (impl_->sql.prepare << "SELECT u.id, u.name, u.role, u.created_at, k.id, k.scope FROM api_keys k"
                               " JOIN users u ON u.id = k.user_id WHERE k.key_digest = :digest",
         soci::use(key_digest, "digest"));
    for (const auto& row : rows) {
        account_credential credential;
        credential.who = account_row(row);
        credential.key_id = integer(row, 4);
        credential.scope = row.get<std::string>(5);
        return credential;
    }
    return std::nullopt;
}

void catalogue::touch_api_key(std::int64_t key_id, const std::string& now) {
    long long id = key_id;
    impl_->sql << "UPDATE api_keys SET last_used_at = :now WHERE id = :id", soci::use(now, "now"), soci::use(id, "id");
}

std::vector<api_key_info> catalogue::list_api_keys(std::int64_t user_id) {
    long long user = user_id;
    std::vector<api_key_info> out;
    soci::rowset<soci::row> rows =
        (impl_->sql.prepare << "SELECT id, user_id, name, scope, prefix, created_at, last_used_at FROM api_keys"
                               " WHERE user_id = :user ORDER BY id",
         soci::use(user, "user"));
    for (const auto& row : rows) {
        api_key_info key;
        key.id = integer(row, 0);
        key.user_id = integer(row, 1);
        key.name = row.get<std::string>(2);
        key.scope = row.get<std::string>(3);
        key.prefix = row.get<std::string>(4);
        key.created_at = row.get<std::string>(5);
        if (row.get_indicator(6) == soci::i_ok) key.last_used_at = row.get<std::string>(6);
        out.push_back(std::move(key));
    }
    return out;
}

bool catalogue::revoke_api_key(std::int64_t user_id, std::int64_t key_id) {
    long long user = user_id, id = key_id;
    soci::statement st = (impl_->sql.prepare << "DELETE FROM api_keys WHERE id = :id AND user_id = :user",
                          soci::use(id, "id"), soci::use(user, "user"));
    st.execute(true);
    return st.get_affected_rows() > 0;
}

} // namespace mediabase
