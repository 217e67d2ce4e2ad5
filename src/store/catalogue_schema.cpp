// The catalogue's life cycle: opening a database (through the dialect), the schema migrations and version,
// the integrity check, backup and restore, and the database health figures.
#include "catalogue_schema.hpp"
#include "sql_support.hpp"
#include "mediabase/store/backups.hpp"

#include <chrono>
#include <stdexcept>
#include <system_error>

namespace mediabase {

using namespace sql_support;

namespace {

namespace fs = std::filesystem;

void migrate(soci::session& sql, const sql_dialect& dialect, const fs::path& file) {
    const auto too_new = [&](int version) {
        return std::runtime_error(
            "the database " + file.string() + " has schema version " + std::to_string(version) +
            ", newer than this build of Mediabase supports (" + std::to_string(schema::current_version) +
            "); run a newer Mediabase or restore a backup");
    };
    int version = dialect.schema_version(sql);
    if (version > schema::current_version) throw too_new(version);
    if (version > 0 && version < schema::current_version) {
        // A migration rewrites the catalogue: keep a copy of it as it was, to go back to.
        const auto target = catalogue::backup_dir(file) /
                            backup_name("before-v" + std::to_string(schema::current_version),
                                        std::chrono::system_clock::now());
        try {
            dialect.backup(sql, target);
        } catch (const std::exception& e) {
            throw std::runtime_error("not migrating the database " + file.string() +
                                     " without a backup: " + e.what());
        }
        spdlog::info("catalogue: backed up {} to {} before migrating it", file.string(), target.string());
    }
    for (const auto& step : schema::migrations) {
        if (step.version <= version) continue;
        try {
            write_transaction transaction(sql, dialect);
            // Another catalogue on the same file (the DAL's reader) may have migrated meanwhile.
            version = dialect.schema_version(sql);
            if (version > schema::current_version) throw too_new(version);
            if (step.version <= version) continue;
            for (const auto statement : step.statements)
                sql << std::string(statement);
            dialect.set_schema_version(sql, step.version);
            transaction.commit();
        } catch (const soci::soci_error& e) {
            throw std::runtime_error("cannot migrate the database " + file.string() + " to schema version " +
                                     std::to_string(step.version) + ": " + e.what());
        }
        spdlog::info("catalogue: {} migrated to schema version {}", file.string(), step.version);
        version = step.version;
    }
}

} // namespace

catalogue catalogue::open(const std::filesystem::path& db_file) {
    const auto file = fs::absolute(db_file);
    if (file.has_parent_path()) {
        std::error_code ec;
        fs::create_directories(file.parent_path(), ec);
        if (ec)
            throw std::runtime_error("cannot create the database folder " + file.parent_path().string() +
                                     ": " + ec.message());
    }
    auto p = std::make_unique<impl>();
    p->file = file;
    p->dialect = make_sqlite_dialect();
    p->dialect->open(p->sql, file);
    migrate(p->sql, *p->dialect, file);
    return catalogue(std::move(p));
}

catalogue::catalogue(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

catalogue::~catalogue() {
    if (!impl_) return;
    impl_->writes.reset();
    impl_->reads.reset();
    try {
        impl_->dialect->before_close(impl_->sql);
    } catch (const std::exception& e) {
        spdlog::warn("catalogue: closing {}: {}", impl_->file.string(), e.what());
    }
}

catalogue::catalogue(catalogue&&) noexcept = default;
catalogue& catalogue::operator=(catalogue&&) noexcept = default;

int catalogue::current_schema_version() {
    return schema::current_version;
}

int catalogue::schema_version() {
    return impl_->dialect->schema_version(impl_->sql);
}

std::optional<std::string> catalogue::quick_check() {
    return impl_->dialect->check(impl_->sql);
}

void catalogue::backup_to(const std::filesystem::path& target) {
    impl_->dialect->backup(impl_->sql, target);
}

std::filesystem::path catalogue::backup_dir(const std::filesystem::path& db_file) {
    return fs::absolute(db_file).parent_path() / "backups";
}

void catalogue::restore(const std::filesystem::path& source, const std::filesystem::path& db_file) {
    // A file-level restore, with no catalogue open: the engine is the one catalogue::open uses.
    make_sqlite_dialect()->restore(source, db_file, schema::current_version);
}

void database_health::failed(const std::string& what) {
    std::lock_guard lock(mutex_);
    if (!status_.error) status_.since = utc_now_iso8601();
    status_.error = what;
    ++status_.failures;
    // SQLite's words for a corrupt file (SQLITE_CORRUPT, SQLITE_NOTADB).
    if (what.find("malformed") != std::string::npos || what.find("not a database") != std::string::npos)
        status_.damaged = true;
}

void database_health::succeeded() {
    std::lock_guard lock(mutex_);
    if (!status_.error || status_.damaged) return;
    status_.error.reset();
    status_.since.reset();
}

database_health::status database_health::get() const {
    std::lock_guard lock(mutex_);
    return status_;
}

} // namespace mediabase
