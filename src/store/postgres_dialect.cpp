// The PostgreSQL dialect: libpq through SOCI's backend, the schema version in a table, jsonb for id lists, the
// search column (tsvector over unaccented text) and its tsquery, advisory locks for migrations. Backups are
// the database server's job (pg_dump): backup and restore say so.
#include "catalogue_schema.hpp"
#include "sql_dialect.hpp"
#include "sql_support.hpp"
#include "mediabase/model/movie_json.hpp"
#include "mediabase/naming/fold.hpp"

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <utf8proc.h>

#include <algorithm>
#include <stdexcept>

namespace mediabase {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t max_search_words = 16;
/// Longer words start no word of a title; tsquery refuses words past 2 KiB.
constexpr std::size_t max_search_word_bytes = 256;
/// Typed words shorter than this are not looked for with a typo.
constexpr std::size_t min_typo_word_bytes = 4;
/// How close a typed word must be to a word of a title (pg_trgm's word_similarity): "matirx" is 0.43 from
/// "matrix", "blade" 0 from "matrix".
constexpr const char* typo_similarity = "0.4";
/// The advisory lock key migrations hold (per database): "mb" and a schema counter.
constexpr long long migration_lock_key = 0x6d62'0001;

const std::string server_side =
    "the catalogue is in PostgreSQL, whose backups are the database server's job: use pg_dump and pg_restore "
    "(or your server's replication or snapshots); Mediabase backs up and restores SQLite catalogues only";

/// A letter, digit or mark, what SQLite's unicode61 keeps in a word (and a private-use character, which it
/// keeps too). Anything else breaks words: punctuation such as "’", which unaccent would turn into a quote.
bool is_word_char(utf8proc_int32_t c) {
    if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    // Bytes that were not UTF-8: a word that matches nothing, as in SQLite.
    if (c == 0xFFFD) return true;
    // Modifier letters: unaccent maps some of them to ASCII quotes.
    if (c >= 0x02B0 && c <= 0x02FF) return false;
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO: case UTF8PROC_CATEGORY_CO:
        return true;
    default:
        return false;
    }
}

/// The words of valid UTF-8 `text`, each cut to max_search_word_bytes (at a character boundary).
std::vector<std::string> words_of(std::string_view text) {
    std::vector<std::string> words;
    std::string word;
    const auto end_word = [&] {
        if (!word.empty()) words.push_back(std::move(word));
        word.clear();
    };
    const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    utf8proc_ssize_t at = 0;
    const auto size = static_cast<utf8proc_ssize_t>(text.size());
    while (at < size) {
        utf8proc_int32_t c = 0;
        const auto length = utf8proc_iterate(bytes + at, size - at, &c);
        if (length <= 0) {
            // Not UTF-8 (the caller made it so already): a break.
            end_word();
            ++at;
            continue;
        }
        if (is_word_char(c)) {
            if (word.size() + static_cast<std::size_t>(length) <= max_search_word_bytes)
                word.append(text.substr(static_cast<std::size_t>(at), static_cast<std::size_t>(length)));
        } else {
            end_word();
        }
        at += length;
    }
    end_word();
    return words;
}

/// libpq's messages span lines; one line reads better in a log and an error answer.
std::string one_line(std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text;
}

PGconn* connection_of(soci::session& sql) {
    auto* backend = static_cast<soci::postgresql_session_backend*>(sql.get_backend());
    return backend ? backend->conn_ : nullptr;
}

class postgres_dialect final : public sql_dialect {
  public:
    void open(soci::session& sql, const database_url& where) const override {
        try {
            sql.open(soci::postgresql, where.conninfo);
            // Notices (an extension that exists already) would go to stderr.
            sql << "SET client_min_messages = warning";
            sql << std::string("SET pg_trgm.word_similarity_threshold = ") + typo_similarity;
        } catch (const soci::soci_error& e) {
            throw std::runtime_error("cannot connect to the database " + where.display() + ": " +
                                     one_line(redact_database_url(e.what())));
        }
    }

    std::span<const schema::migration_step> migrations() const override { return schema::postgres_migrations; }

    void lock_schema(soci::session& sql) const override {
        long long locked = 0;
        sql << "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(" + std::to_string(migration_lock_key) +
                   ")) AS l",
            soci::into(locked);
    }

    std::optional<std::int64_t> try_named_lock(soci::session& sql, const std::string& name) const override {
        // The key is the name's hash within this schema: catalogues in other schemas of the database are others.
        long long key = 0;
        sql << "SELECT hashtextextended('mediabase:' || current_schema() || ':' || :name, 0)", soci::into(key),
            soci::use(name, "name");
        int granted = 0;
        sql << "SELECT CASE WHEN pg_try_advisory_lock(:key) THEN 1 ELSE 0 END", soci::into(granted),
            soci::use(key, "key");
        if (!granted) return std::nullopt;
        return static_cast<std::int64_t>(key);
    }

    void named_unlock(soci::session& sql, std::int64_t key) const override {
        long long held = key;
        int released = 0;
        sql << "SELECT CASE WHEN pg_advisory_unlock(:key) THEN 1 ELSE 0 END", soci::into(released),
            soci::use(held, "key");
    }

    void notify(soci::session& sql, const std::string& channel, const std::string& payload) const override {
        long long sent = 0;
        sql << "SELECT count(*) FROM (SELECT pg_notify(:channel, :payload)) AS n", soci::into(sent),
            soci::use(channel, "channel"), soci::use(payload, "payload");
    }

    bool file_backups() const override { return false; }

    bool connection_lost(soci::session& sql) const override {
        auto* conn = connection_of(sql);
        return !conn || PQstatus(conn) == CONNECTION_BAD;
    }

    // The planner's statistics are autovacuum's.
    void before_close(soci::session&) const override {}
    void tidy_after_import(soci::session& sql) const override {
        sql << "VACUUM (ANALYZE) movies, media_files, movie_genres";
    }
    // The server writes its own log back (its checkpointer process).
    void defer_checkpoints(soci::session&, wal_backlog&) const override {}
    wal_pages_copied checkpoint(soci::session&, wal_checkpoint) const override { return {}; }

    // A prepared statement keeps the plan made from the table sizes it first saw: the movie loads planned
    // on an empty catalogue scanned every row of a growing one, batch after batch, until autovacuum's next
    // ANALYZE (a minute or more later). ANALYZE also makes every connection plan those statements again.
    void refresh_statistics(soci::session& sql) const override {
        sql << "ANALYZE movies, media_files, media_info";
    }

    int schema_version(soci::session& sql) const override {
        long long tables = 0;
        sql << "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
               " AND table_name = 'mediabase_schema'",
            soci::into(tables);
        if (tables == 0) return 0;
        int version = 0;
        soci::indicator ind = soci::i_null;
        sql << "SELECT max(version) FROM mediabase_schema", soci::into(version, ind);
        return ind == soci::i_ok ? version : 0;
    }

    void set_schema_version(soci::session& sql, int version) const override {
        sql << "CREATE TABLE IF NOT EXISTS mediabase_schema (version INTEGER NOT NULL)";
        sql << "DELETE FROM mediabase_schema";
        sql << "INSERT INTO mediabase_schema (version) VALUES (" + std::to_string(version) + ")";
    }

    // Read committed: each statement sees what others committed before it; rows are locked as they are
    // written, and a unique path keeps two servers from storing one file twice.
    std::string begin_write() const override { return "BEGIN"; }

    std::string begin_read() const override { return "BEGIN ISOLATION LEVEL REPEATABLE READ"; }

    std::string order(bool descending, bool nullable) const override {
        if (!nullable) return descending ? " DESC" : " ASC";
        return descending ? " DESC NULLS LAST" : " ASC NULLS FIRST";
    }

    // Those columns are citext: `=` ignores case already.
    std::string nocase() const override { return ""; }

    std::string id_list(std::string_view parameter) const override {
        return "SELECT CAST(value AS BIGINT) FROM jsonb_array_elements_text(CAST(:" + std::string(parameter) +
               " AS jsonb))";
    }

    std::string json_rows(std::string_view parameter, std::string_view alias,
                          std::string_view columns) const override {
        std::string defined;
        for (const auto& column : sql_support::json_row_columns(columns)) {
            if (!defined.empty()) defined += ", ";
            // Text in byte order, as the title keys and paths are stored (and their indexes sorted).
            defined += column.name + " " + column.type + (column.type == "text" ? " COLLATE \"C\"" : "");
        }
        return "jsonb_to_recordset(CAST(:" + std::string(parameter) + " AS jsonb)) AS " + std::string(alias) + "(" +
               defined + ")";
    }

    std::vector<std::int64_t> reserve_ids(soci::session& sql, const std::string& table,
                                          std::size_t count) const override {
        std::vector<std::int64_t> ids;
        if (count == 0) return ids;
        ids.reserve(count);
        long long id = 0;
        long long wanted = static_cast<long long>(count);
        // `table` is one of the catalogue's own table names.
        auto draw = sql_support::prepare(sql,
                                         "SELECT nextval(pg_get_serial_sequence('" + table +
                                             "', 'id')) FROM generate_series(1, :count) ORDER BY 1",
                                         soci::into(id), soci::use(wanted, "count"));
        sql_support::for_each_row(*this, draw, [&] { ids.push_back(id); });
        return ids;
    }

    void prefer_index_lookups(soci::session& sql) const override {
        // Local to the transaction. A GIN index only serves bitmap scans: without them the trigram index is
        // out, and without sequential scans and hash or merge joins each row is looked up in a btree.
        std::string a, b, c, d;
        sql << "SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true),"
               " set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)",
            soci::into(a), soci::into(b), soci::into(c), soci::into(d);
    }

    // Each statement is a round trip to the server: a batch goes in a few (store_at_once).
    bool stores_batches_at_once() const override { return true; }

    // The search column is generated from the row.
    std::string index_movies() const override { return ""; }

    std::string text_match() const override {
        return "m.search @@ to_tsquery('simple', mediabase_unaccent(:text))";
    }

    /// Each word a prefix term ('word':*), all of them required; a word with letters outside ASCII is also
    /// looked for folded as the title keys are ("Łódź" -> "lodz"). Words are runs of letters and digits only,
    /// so nothing typed can form tsquery syntax; invalid UTF-8 becomes U+FFFD first (PostgreSQL refuses it).
    std::string text_query(std::string_view typed) const override {
        const auto text = display_utf8(typed);
        std::string query;
        std::size_t count = 0;
        const auto term = [](const std::string& word) { return "'" + word + "':*"; };
        for (const auto& word : words_of(text)) {
            if (count++ == max_search_words) break;
            if (!query.empty()) query += " & ";
            if (is_ascii(word)) {
                query += term(word);
                continue;
            }
            std::string folded;
            for (const auto& part : words_of(fold_text(word))) {
                if (!folded.empty()) folded += " & ";
                folded += term(part);
            }
            query += folded.empty() ? term(word) : "(" + term(word) + " | (" + folded + "))";
        }
        return query;
    }

    /// Folded like the title keys. Only when every word has 4 letters or more: a shorter one has trigrams in
    /// almost any title, and leaving it out would drop a word the search requires.
    std::vector<std::string> typo_words(std::string_view typed) const override {
        auto words = words_of(fold_text(display_utf8(typed)));
        if (words.size() > max_search_words ||
            std::any_of(words.begin(), words.end(), [](const auto& w) { return w.size() < min_typo_word_bytes; }))
            return {};
        return words;
    }

    std::string typo_match(std::size_t words) const override {
        std::string condition;
        for (std::size_t i = 0; i < words; ++i)
            condition += (i ? " AND " : "(") + std::string(":typo_") + std::to_string(i) + " <% m.title_key";
        return condition.empty() ? condition : condition + ")";
    }

    std::int64_t last_insert_id(soci::session& sql, const std::string& table) const override {
        long long id = 0;
        // `table` is one of the catalogue's own table names.
        sql << "SELECT currval(pg_get_serial_sequence('" + table + "', 'id'))", soci::into(id);
        return id;
    }

    // A result is read whole into memory and holds no snapshot once the statement has run.
    void reset(soci::statement&) const override {}

    // The sum of what every connection's writes counted up (schema version 9): it grows with each commit that
    // wrote what a list shows, and only then.
    std::optional<std::int64_t> data_version(soci::session& sql) const override {
        long long version = 0;
        sql << "SELECT coalesce(sum(version), 0) FROM mediabase_data_version", soci::into(version);
        return static_cast<std::int64_t>(version);
    }

    // The server checks its own pages (checksums, amcheck); a connection that answers is what start-up needs.
    std::vector<std::string> stored_tables(soci::session& sql) const override {
        const char* query = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                            "AND table_type = 'BASE TABLE' AND table_name NOT IN ('mediabase_schema',"
                            " 'mediabase_data_version') ORDER BY table_name";
        return sql_support::column_values<std::string>(*this, sql, query);
    }

    std::vector<schema::column> columns(soci::session& sql, const std::string& table) const override {
        std::vector<schema::column> out;
        std::string name, type, udt;
        // movies.search is generated from the row; udt_name names citext (data_type says USER-DEFINED).
        soci::statement st =
            (sql.prepare << "SELECT column_name, data_type, udt_name FROM information_schema.columns WHERE "
                            "table_schema = current_schema() AND table_name = :t AND is_generated = 'NEVER' "
                            "ORDER BY ordinal_position",
             soci::use(table), soci::into(name), soci::into(type), soci::into(udt));
        if (st.execute(true))
            do out.push_back({name, schema::kind_of_type(type == "USER-DEFINED" ? udt : type)});
            while (st.fetch());
        return out;
    }

    void after_copy(soci::session& sql) const override {
        // Identity columns draw from a sequence that knows nothing of the ids copied in.
        std::string table;
        std::vector<std::string> with_sequence;
        soci::statement st = (sql.prepare << "SELECT table_name FROM information_schema.columns WHERE table_schema "
                                             "= current_schema() AND column_name = 'id' AND is_identity = 'YES'",
                              soci::into(table));
        if (st.execute(true))
            do with_sequence.push_back(table);
            while (st.fetch());
        for (const auto& t : with_sequence) {
            long long next = 0;
            // `t` is one of the catalogue's own table names (an identifier from the catalog).
            sql << "SELECT setval(pg_get_serial_sequence(:t, 'id'), coalesce(max(id), 0) + 1, false) FROM " + t,
                soci::use(t), soci::into(next);
        }
    }

    std::optional<std::string> check(soci::session& sql) const override {
        int one = 0;
        sql << "SELECT 1", soci::into(one);
        return one == 1 ? std::nullopt : std::optional<std::string>("the database did not answer SELECT 1");
    }

    void backup(soci::session&, const fs::path&) const override { throw std::runtime_error(server_side); }

    void restore(const fs::path&, const fs::path&, int) const override { throw std::runtime_error(server_side); }
};

} // namespace

namespace schema {

void prepare_postgres_extensions(soci::session& sql) {
    for (const std::string extension : {"unaccent", "pg_trgm", "citext"}) {
        long long present = 0;
        sql << "SELECT count(*) FROM pg_extension WHERE extname = '" + extension + "'", soci::into(present);
        if (present > 0) continue;
        try {
            sql << "CREATE EXTENSION " + extension;
        } catch (const soci::soci_error& e) {
            throw soci::soci_error("cannot create the extension " + extension + " (" + one_line(e.what()) +
                                   "); have the database's owner or a superuser run: CREATE EXTENSION IF NOT "
                                   "EXISTS unaccent; CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION "
                                   "IF NOT EXISTS citext;");
        }
    }
    // Schema-qualified inside: the functions are evaluated under any search path (generated columns, pg_dump).
    std::string unaccent_schema, own_schema;
    sql << "SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
           " WHERE e.extname = 'unaccent'",
        soci::into(unaccent_schema);
    sql << "SELECT quote_ident(current_schema())", soci::into(own_schema);
    auto as_literal = unaccent_schema + ".unaccent";
    for (std::size_t at = as_literal.find('\''); at != std::string::npos; at = as_literal.find('\'', at + 2))
        as_literal.insert(at, 1, '\'');
    sql << "CREATE OR REPLACE FUNCTION mediabase_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE"
           " STRICT AS $$ SELECT " + unaccent_schema + ".unaccent('" + as_literal + "'::regdictionary, $1) $$";
    // Punctuation breaks words, as in SQLite's unicode61 ("Spider-Man" is "spider" and "man").
    sql << "CREATE OR REPLACE FUNCTION mediabase_search_text(text) RETURNS text LANGUAGE sql IMMUTABLE"
           " PARALLEL SAFE STRICT AS $$ SELECT regexp_replace(" + own_schema +
               ".mediabase_unaccent($1), '[[:punct:]]+', ' ', 'g') $$";
}

} // namespace schema

std::unique_ptr<sql_dialect> make_postgres_dialect() {
    return std::make_unique<postgres_dialect>();
}

} // namespace mediabase
