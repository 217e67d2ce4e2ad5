// `mediabase db copy`: every table of one catalogue into another, either engine, keeping ids.

#include "catalogue_schema.hpp"
#include "sql_support.hpp"

#include "mediabase/store/catalogue.hpp"

#include <algorithm>
#include <stdexcept>

namespace mediabase {

using namespace sql_support;

namespace {

/// One column's value on its way from a source row to a target row: read into and written from the same
/// variables, as the kind of value the column holds.
struct cell {
    schema::column::kind type = schema::column::kind::text;
    long long integer = 0;
    double real = 0;
    std::string text;
    soci::indicator ind = soci::i_null;
};

template <class Exchange> void exchange_cell(cell& c, Exchange&& exchange) {
    switch (c.type) {
    case schema::column::kind::integer: exchange(c.integer, c.ind); break;
    case schema::column::kind::real: exchange(c.real, c.ind); break;
    case schema::column::kind::text: exchange(c.text, c.ind); break;
    }
}

std::int64_t row_count(soci::session& sql, const std::string& table) {
    long long rows = 0;
    // `table` is one of schema::tables.
    sql << "SELECT count(*) FROM " + table, soci::into(rows);
    return rows;
}

std::string joined(const std::vector<std::string>& names, const std::string& prefix = "") {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + prefix + n;
    return out;
}

/// Schema tables missing from `stored`, and stored tables the schema's list lacks.
void check_tables(const std::vector<std::string>& stored, const std::string& where) {
    const auto known = catalogue::tables();
    for (const auto& t : stored)
        if (std::find(known.begin(), known.end(), t) == known.end())
            throw std::runtime_error(where + " holds a table this build does not copy: " + t);
    for (const auto& t : known)
        if (std::find(stored.begin(), stored.end(), t) == stored.end())
            throw std::runtime_error(where + " has no table " + t);
}

} // namespace

std::vector<std::string> catalogue::tables() {
    return {schema::tables.begin(), schema::tables.end()};
}

std::vector<std::string> catalogue::stored_tables() {
    return impl_->dialect->stored_tables(impl_->sql);
}

std::vector<copied_table> catalogue::copy_to(catalogue& target, bool replace) {
    auto& from = *impl_;
    auto& to = *target.impl_;
    if (from.where.display() == to.where.display())
        throw std::runtime_error("the source and the target are the same database (" + from.where.display() + ")");
    // Both were migrated to this build's schema when opened: the same tables, the same columns.
    check_tables(from.dialect->stored_tables(from.sql), "the source " + from.where.display());
    check_tables(to.dialect->stored_tables(to.sql), "the target " + to.where.display());

    // One snapshot of the source, so rows that refer to each other agree; the target changes whole or not at all.
    read_transaction snapshot(from.sql, *from.dialect);
    write_transaction transaction(to.sql, *to.dialect);
    std::vector<std::string> filled;
    for (const auto& table : schema::tables)
        if (row_count(to.sql, std::string(table)) > 0) filled.emplace_back(table);
    if (!filled.empty() && !replace)
        throw std::runtime_error("the target " + to.where.display() + " is not empty (rows in " + joined(filled) +
                                 "): give --force to replace what it holds");
    // Children first: nothing refers to a row when it goes.
    for (auto t = schema::tables.rbegin(); t != schema::tables.rend(); ++t)
        to.sql << "DELETE FROM " + std::string(*t);

    std::vector<copied_table> copied;
    for (const auto& name : schema::tables) {
        const std::string table(name);
        const auto columns = to.dialect->columns(to.sql, table);
        const auto source_columns = from.dialect->columns(from.sql, table);
        std::vector<cell> cells(columns.size());
        std::vector<std::string> names;
        for (std::size_t i = 0; i < columns.size(); ++i) {
            if (std::none_of(source_columns.begin(), source_columns.end(),
                             [&](const auto& c) { return c.name == columns[i].name; }))
                throw std::runtime_error("the source " + from.where.display() + " has no column " + table + "." +
                                         columns[i].name);
            cells[i].type = columns[i].type;
            names.push_back(columns[i].name);
        }
        // The cells' addresses are bound to both statements: `cells` is never resized from here on.
        soci::statement insert(to.sql);
        std::vector<std::string> values;
        for (std::size_t i = 0; i < cells.size(); ++i) {
            exchange_cell(cells[i], [&](auto& v, auto& ind) { insert.exchange(soci::use(v, ind, "v" + std::to_string(i))); });
            values.push_back(":v" + std::to_string(i));
        }
        insert.alloc();
        insert.prepare("INSERT INTO " + table + " (" + joined(names) + ") VALUES (" + joined(values) + ")");
        insert.define_and_bind();

        soci::statement select(from.sql);
        for (auto& c : cells) exchange_cell(c, [&](auto& v, auto& ind) { select.exchange(soci::into(v, ind)); });
        select.alloc();
        // In key order: parents were copied whole before, so any order is valid; this one is reproducible.
        select.prepare("SELECT " + joined(names) + " FROM " + table + " ORDER BY " + names.front());
        select.define_and_bind();

        std::int64_t rows = 0;
        {
            statement_use in_use(*from.dialect, select);
            if (select.execute(true)) do {
                    insert.execute(true);
                    ++rows;
                } while (select.fetch());
        }
        const auto source_rows = row_count(from.sql, table);
        const auto target_rows = row_count(to.sql, table);
        if (rows != source_rows || target_rows != source_rows)
            throw std::runtime_error("copying " + table + ": " + std::to_string(source_rows) + " rows in the source, " +
                                     std::to_string(rows) + " read, " + std::to_string(target_rows) +
                                     " in the target; nothing was copied");
        copied.push_back({table, rows});
    }
    to.dialect->after_copy(to.sql);
    transaction.commit();
    // Cached totals and statements of the target describe what it held before.
    to.totals.clear();
    to.totals_version.reset();
    return copied;
}

} // namespace mediabase
