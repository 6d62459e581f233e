// Brings a database's schema up to date from a directory of migration files. A file is
// named NNN_name.sql (digits, an underscore, then letters, digits and underscores);
// its version is the name without ".sql", files are applied in name order, each at
// most once, and {prefix}schema_migrations records which ones were. Before a file
// runs, every `/*prefix*/` in it becomes the connection's table_prefix. The file is
// cut into statements at each `;` that ends a line (trailing blanks aside), and lines
// whose first non-blank characters are `--` are dropped; so a statement must end its
// last line with `;`, and no comment or string may end a line with one. Files must
// also be idempotent (CREATE TABLE IF NOT EXISTS and the like): DDL commits as it
// goes, so a file that fails half way is run again from the top next time. A named
// lock (GET_LOCK('<prefix>socialauth_migrate')) keeps two processes migrating at once
// from applying a file twice.
#pragma once

#include "core/result.hpp"
#include "store/mysql_connection.hpp"

#include <memory>
#include <string>
#include <vector>

namespace socialauth::store {

// One migration file: its version (the name without ".sql") and its text.
struct MigrationScript {
    std::string version;
    std::string sql;
};

// The migration files of directory, in order; Errc::server_misconfigured when the
// directory or a file can't be read or a .sql file is misnamed.
core::Result<std::vector<MigrationScript>> read_migration_directory(const std::string& directory);

class MysqlMigrator {
public:
    // How long migrate() waits for another process's migration to finish.
    static constexpr int kLockWaitSeconds = 30;

    // Owns a connection of its own, made from config (see MysqlConnection for when
    // that throws).
    explicit MysqlMigrator(core::DatabaseConfig config);
    // Works on a connection the caller owns and keeps alive; never inside a transaction.
    explicit MysqlMigrator(MysqlConnection& connection);

    // The versions of scripts not yet applied, in order. Creates nothing.
    core::Result<std::vector<std::string>> pending(const std::vector<MigrationScript>& scripts);
    core::Result<std::vector<std::string>> pending(const std::string& directory);

    // Applies every pending script; returns the versions it applied, in order (none
    // when the schema is up to date). Errc::retry when another migration held the lock
    // for kLockWaitSeconds.
    core::Result<std::vector<std::string>> migrate(const std::vector<MigrationScript>& scripts);
    // The same for the files of directory (see read_migration_directory).
    core::Result<std::vector<std::string>> migrate(const std::string& directory);

private:
    explicit MysqlMigrator(std::unique_ptr<MysqlConnection> owned);

    core::Result<std::vector<std::string>> applied_versions();
    core::Status ensure_migrations_table();
    core::Result<std::vector<const MigrationScript*>>
    pending_scripts(const std::vector<MigrationScript>& scripts);
    core::Status apply(const MigrationScript& script);
    core::Result<std::vector<std::string>> migrate_locked(const std::vector<MigrationScript>& scripts);

    std::unique_ptr<MysqlConnection> owned_;
    MysqlConnection& db_;
    std::string migrations_table_;
    std::string lock_name_;
};

// Cuts a migration file's text into statements, as described above.
std::vector<std::string> split_sql_statements(const std::string& text);

} // namespace socialauth::store
