#include "store/mysql_migrator.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace socialauth::store {

using core::Errc;
using core::make_error;
using core::Status;

namespace {

constexpr const char* kPrefixMarker = "/*prefix*/";
constexpr std::size_t kMaxVersionLength = 64;

std::string without_trailing_blanks(const std::string& line) {
    const auto end = line.find_last_not_of(" \t\r\f\v");
    return end == std::string::npos ? std::string() : line.substr(0, end + 1);
}

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

bool is_name_character(char c) {
    return is_ascii_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// NNN_name: digits, an underscore, then at least one letter, digit or underscore.
bool is_migration_version(const std::string& version) {
    const auto digits = std::find_if_not(version.begin(), version.end(), is_ascii_digit);
    if (digits == version.begin() || digits == version.end() || *digits != '_') return false;
    return digits + 1 != version.end() && std::all_of(digits + 1, version.end(), is_name_character);
}

std::string with_prefix(std::string text, const std::string& prefix) {
    const std::string marker(kPrefixMarker);
    for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at)) {
        text.replace(at, marker.size(), prefix);
        at += prefix.size();
    }
    return text;
}

} // namespace

std::vector<std::string> split_sql_statements(const std::string& text) {
    std::vector<std::string> statements;
    std::string current;
    const auto finish = [&](std::string statement) {
        statement = core::trim(statement);
        if (!statement.empty()) statements.push_back(std::move(statement));
    };
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        const std::string content = without_trailing_blanks(line);
        if (core::trim(content).rfind("--", 0) == 0) continue;
        if (!content.empty() && content.back() == ';') {
            current += content.substr(0, content.size() - 1);
            finish(std::move(current));
            current.clear();
        } else {
            current += content + "\n";
        }
    }
    finish(std::move(current));
    return statements;
}

core::Result<std::vector<MigrationScript>> read_migration_directory(const std::string& directory) {
    namespace fs = std::filesystem;
    std::vector<MigrationScript> found;
    std::error_code error;
    for (fs::directory_iterator it(directory, error), end; !error && it != end;
         it.increment(error)) {
        const std::string name = it->path().filename().string();
        if (it->path().extension() != ".sql") continue;
        std::string version = name.substr(0, name.size() - 4);
        if (!is_migration_version(version) || version.size() > kMaxVersionLength)
            return make_error(Errc::server_misconfigured,
                              "migration file " + it->path().string() +
                                  " is not named NNN_name.sql (letters, digits, _; at most " +
                                  std::to_string(kMaxVersionLength) + " before .sql)");
        std::ifstream file(it->path(), std::ios::binary);
        std::stringstream text;
        text << file.rdbuf();
        if (!file) return make_error(Errc::server_misconfigured, "cannot read " + it->path().string());
        found.push_back({std::move(version), text.str()});
    }
    if (error)
        return make_error(Errc::server_misconfigured,
                          "cannot read migration directory " + directory + ": " + error.message());
    std::sort(found.begin(), found.end(), [](const MigrationScript& a, const MigrationScript& b) {
        return a.version < b.version;
    });
    return found;
}

MysqlMigrator::MysqlMigrator(core::DatabaseConfig config)
    : MysqlMigrator(std::make_unique<MysqlConnection>(std::move(config))) {}

MysqlMigrator::MysqlMigrator(std::unique_ptr<MysqlConnection> owned) : MysqlMigrator(*owned) {
    owned_ = std::move(owned);
}

MysqlMigrator::MysqlMigrator(MysqlConnection& connection)
    : db_(connection), migrations_table_(connection.table_prefix() + "schema_migrations"),
      lock_name_(connection.table_prefix() + "socialauth_migrate") {}

core::Result<std::vector<std::string>> MysqlMigrator::applied_versions() {
    // Asked before reading, so that pending() never creates anything.
    bool table_exists = false;
    auto status = db_.query("SELECT 1 FROM information_schema.tables"
                            " WHERE table_schema = DATABASE() AND table_name = ?",
                            {migrations_table_}, [&](const SqlRow&) { table_exists = true; });
    if (!status.ok()) return status.error();
    std::vector<std::string> versions;
    if (!table_exists) return versions;
    status = db_.query("SELECT version FROM " + migrations_table_ + " ORDER BY version", {},
                       [&](const SqlRow& row) { versions.push_back(row.text(1)); });
    if (!status.ok()) return status.error();
    return versions;
}

Status MysqlMigrator::ensure_migrations_table() {
    return db_.execute_direct(
        "CREATE TABLE IF NOT EXISTS " + migrations_table_ +
        " (version VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,"
        " PRIMARY KEY (version)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
}

core::Result<std::vector<const MigrationScript*>>
MysqlMigrator::pending_scripts(const std::vector<MigrationScript>& scripts) {
    auto applied = applied_versions();
    if (!applied.ok()) return applied.error();
    std::vector<const MigrationScript*> pending;
    for (const MigrationScript& script : scripts)
        if (std::find(applied->begin(), applied->end(), script.version) == applied->end())
            pending.push_back(&script);
    return pending;
}

core::Result<std::vector<std::string>>
MysqlMigrator::pending(const std::vector<MigrationScript>& scripts) {
    auto pending = pending_scripts(scripts);
    if (!pending.ok()) return pending.error();
    std::vector<std::string> versions;
    for (const MigrationScript* script : *pending) versions.push_back(script->version);
    return versions;
}

core::Result<std::vector<std::string>> MysqlMigrator::pending(const std::string& directory) {
    auto scripts = read_migration_directory(directory);
    if (!scripts.ok()) return scripts.error();
    return pending(*scripts);
}

Status MysqlMigrator::apply(const MigrationScript& script) {
    const std::string sql = with_prefix(script.sql, db_.table_prefix());
    for (const std::string& statement : split_sql_statements(sql)) {
        if (auto status = db_.execute_direct(statement); !status.ok()) {
            core::Error error = status.error();
            error.detail = "migration " + script.version + ": " + error.detail;
            return error;
        }
    }
    auto recorded = db_.execute("INSERT INTO " + migrations_table_ + " (version) VALUES (?)",
                                {script.version});
    if (!recorded.ok()) return recorded.error();
    return {};
}

core::Result<std::vector<std::string>>
MysqlMigrator::migrate_locked(const std::vector<MigrationScript>& scripts) {
    if (auto status = ensure_migrations_table(); !status.ok()) return status.error();
    auto pending = pending_scripts(scripts);
    if (!pending.ok()) return pending.error();
    std::vector<std::string> applied;
    for (const MigrationScript* script : *pending) {
        if (auto status = apply(*script); !status.ok()) return status.error();
        applied.push_back(script->version);
    }
    return applied;
}

core::Result<std::vector<std::string>> MysqlMigrator::migrate(const std::string& directory) {
    auto scripts = read_migration_directory(directory);
    if (!scripts.ok()) return scripts.error();
    return migrate(*scripts);
}

core::Result<std::vector<std::string>>
MysqlMigrator::migrate(const std::vector<MigrationScript>& scripts) {
    if (db_.in_transaction())
        return make_error(Errc::internal_error, "migrate() inside a transaction");
    std::optional<std::int64_t> locked;
    auto status = db_.query("SELECT GET_LOCK(?, ?)", {lock_name_, std::int64_t{kLockWaitSeconds}},
                            [&](const SqlRow& row) {
                                if (!row.is_null(1)) locked = row.int64(1);
                            });
    if (!status.ok()) return status.error();
    if (locked != 1)
        return make_error(locked ? Errc::retry : Errc::internal_error,
                          "cannot take the migration lock " + lock_name_);
    auto applied = migrate_locked(scripts);
    // A session that died has released its lock with it.
    (void)db_.query("SELECT RELEASE_LOCK(?)", {lock_name_}, [](const SqlRow&) {});
    return applied;
}

} // namespace socialauth::store
