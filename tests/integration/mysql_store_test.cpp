// MysqlStore, MysqlConnection and MysqlMigrator against a real MariaDB/MySQL: the
// schema files, the unique keys the pipeline relies on under concurrency, the error
// mapping (duplicate key, deadlock, lock wait, lost connection) and reconnection.
//
// The server is named by SOCIALAUTH_TEST_DB_SOCKET, SOCIALAUTH_TEST_DB_NAME and
// SOCIALAUTH_TEST_DB_USER (SOCIALAUTH_TEST_DB_PASSWORD is optional); without them the
// run fails, it never skips. Each run migrates sql/ under a random table prefix and
// drops its tables at the end, so runs can share a database.
#define BOOST_TEST_MODULE socialauth MySQL store integration tests
#include <boost/test/unit_test.hpp>

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "store/mysql_connection.hpp"
#include "store/embedded_migrations.hpp"
#include "store/mysql_migrator.hpp"
#include "store/mysql_store.hpp"
#include "support/memory_store.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <ostream>
#include <random>
#include <stdexcept>
#include <tuple>

#ifndef SOCIALAUTH_SQL_SOURCE_DIR
#error "SOCIALAUTH_SQL_SOURCE_DIR must name the repository's sql/ directory"
#endif

namespace socialauth::core {
std::ostream& operator<<(std::ostream& out, Errc code) { return out << errc_name(code); }
} // namespace socialauth::core

namespace {

using namespace socialauth;
using namespace std::chrono_literals;
using core::Errc;
using store::MysqlConnection;
using store::MysqlMigrator;
using store::embedded_migrations;
using store::read_migration_directory;
using store::MysqlStore;
using store::SqlRow;

// 2026-01-01 00:00:00 UTC.
constexpr std::int64_t kNow = 1767225600;
// Long enough that no test sees a silent revalidation it did not ask for.
constexpr std::chrono::seconds kNoRevalidation{3600};

core::TimePoint at(std::int64_t unix_seconds) { return core::from_unix_seconds(unix_seconds); }

std::string required_env(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0')
        throw std::runtime_error(std::string(name) +
                                 " is not set: these tests need a running MariaDB "
                                 "(tests/scripts start one)");
    return value;
}

core::DatabaseConfig server_config() {
    core::DatabaseConfig config;
    config.socket = required_env("SOCIALAUTH_TEST_DB_SOCKET");
    config.name = required_env("SOCIALAUTH_TEST_DB_NAME");
    config.user = required_env("SOCIALAUTH_TEST_DB_USER");
    if (const char* password = std::getenv("SOCIALAUTH_TEST_DB_PASSWORD"))
        config.password = password;
    return config;
}

std::string random_prefix() {
    std::random_device device;
    std::uniform_int_distribution<int> digit(0, 15);
    std::string prefix = "t";
    for (int i = 0; i < 10; ++i) prefix += "0123456789abcdef"[digit(device)];
    return prefix + "_";
}

core::DatabaseConfig with_prefix(std::string prefix) {
    core::DatabaseConfig config = server_config();
    config.table_prefix = std::move(prefix);
    return config;
}

std::string detail_of(const core::Status& status) {
    return status.ok() ? "" : status.error().detail;
}

template <typename T> std::string detail_of(const core::Result<T>& result) {
    return result.ok() ? "" : result.error().detail;
}

void require_ok(const core::Status& status) {
    BOOST_REQUIRE_MESSAGE(status.ok(), "unexpected error: " << detail_of(status));
}

template <typename T> T value_of(core::Result<T> result) {
    BOOST_REQUIRE_MESSAGE(result.ok(), "unexpected error: " << detail_of(result));
    return std::move(result).value();
}

template <typename T> Errc error_of(const core::Result<T>& result) {
    BOOST_REQUIRE_MESSAGE(!result.ok(), "expected an error, got a value");
    return result.error().code;
}

Errc error_of(const core::Status& status) {
    BOOST_REQUIRE_MESSAGE(!status.ok(), "expected an error, got success");
    return status.error().code;
}

void drop_tables(MysqlConnection& connection) {
    const std::string& p = connection.table_prefix();
    (void)connection.execute_direct("DROP TABLE IF EXISTS " + p + "api_tokens, " + p +
                                    "social_identities, " + p + "users, " + p +
                                    "provider_cache, " + p + "rate_limits, " + p +
                                    "schema_migrations");
}

std::int64_t connection_id(MysqlConnection& connection) {
    std::int64_t id = 0;
    require_ok(connection.query("SELECT CONNECTION_ID()", {},
                                [&](const SqlRow& row) { id = row.int64(1); }));
    return id;
}

void kill(std::int64_t id) {
    MysqlConnection killer(server_config());
    require_ok(killer.execute_direct("KILL " + std::to_string(id)));
}

// What a migration of SOCIALAUTH_SQL_SOURCE_DIR must apply on an empty database.
std::vector<std::string> versions_on_disk() {
    std::vector<std::string> versions;
    for (const auto& entry : std::filesystem::directory_iterator(SOCIALAUTH_SQL_SOURCE_DIR))
        if (entry.path().extension() == ".sql") versions.push_back(entry.path().stem().string());
    std::sort(versions.begin(), versions.end());
    return versions;
}

// Migrates sql/ once for the whole run and drops the tables afterwards.
struct MigratedDatabase {
    MigratedDatabase() : config(with_prefix(random_prefix())) {
        MysqlConnection connection(config);
        auto applied = MysqlMigrator(connection).migrate(SOCIALAUTH_SQL_SOURCE_DIR);
        if (!applied.ok())
            throw std::runtime_error("migrating " SOCIALAUTH_SQL_SOURCE_DIR " failed: " +
                                     applied.error().detail);
        first_run = *applied;
        instance = this;
    }

    ~MigratedDatabase() {
        MysqlConnection connection(config);
        drop_tables(connection);
        instance = nullptr;
    }

    static MigratedDatabase* instance;
    core::DatabaseConfig config;
    std::vector<std::string> first_run;
};

MigratedDatabase* MigratedDatabase::instance = nullptr;

BOOST_TEST_GLOBAL_FIXTURE(MigratedDatabase);

const core::DatabaseConfig& test_config() { return MigratedDatabase::instance->config; }

void clear_tables(MysqlConnection& connection) {
    for (const char* table : {"api_tokens", "social_identities", "users"})
        require_ok(connection.execute_direct("DELETE FROM " + connection.table_prefix() + table));
}

store::UserRecord make_user(store::Store& store, const std::string& username,
                            const std::string& email = "", bool verified = false) {
    store::NewUser user;
    user.username = username;
    user.email = email;
    user.email_verified = verified;
    user.date_joined = at(kNow);
    return value_of(store.create_user(user));
}

store::TokenRecord token_for(std::int64_t user_id, const std::string& secret) {
    store::TokenRecord token;
    token.token_hash = core::sha256_hex(secret);
    token.user_id = user_id;
    token.created = at(kNow);
    return token;
}

// Sends what the store has deferred: MysqlStore's writes in a transaction go with its
// next read.
core::Status send_deferred(store::Store& store) {
    auto read = store.find_user(0);
    if (!read.ok()) return read.error();
    return {};
}

std::vector<std::int64_t> user_ids_with_email(store::Store& store, const std::string& email_key) {
    std::vector<std::int64_t> ids;
    for (const auto& user : value_of(store.find_users_by_email(email_key))) ids.push_back(user.id);
    return ids;
}

// The contract tests run on MysqlStore and on the MemoryStore that unit tests use in
// its place, so that the two can't drift apart.
struct MysqlBackend {
    MysqlBackend() { clear_tables(connection); }
    MysqlConnection connection{test_config(), kNoRevalidation};
    MysqlStore store{connection};
};

struct MemoryBackend {
    testing::MemoryStore store;
};

using Backends = std::tuple<MysqlBackend, MemoryBackend>;

// A MysqlStore on empty tables, plus a second connection to the same database.
struct StoreFixture {
    StoreFixture() { clear_tables(connection); }

    std::string table(const std::string& name) const { return connection.table_prefix() + name; }

    MysqlConnection connection{test_config(), kNoRevalidation};
    MysqlStore store{connection};
    MysqlConnection other{test_config(), kNoRevalidation};
    MysqlStore other_store{other};
};

} // namespace

BOOST_AUTO_TEST_SUITE(mysql_store)

BOOST_AUTO_TEST_SUITE(migrations)

BOOST_AUTO_TEST_CASE(the_program_carries_exactly_the_schema_files) {
    const auto on_disk = value_of(read_migration_directory(SOCIALAUTH_SQL_SOURCE_DIR));
    const auto& embedded = embedded_migrations();
    BOOST_TEST_REQUIRE(embedded.size() == on_disk.size());
    for (std::size_t i = 0; i < on_disk.size(); ++i) {
        BOOST_TEST(embedded[i].version == on_disk[i].version);
        BOOST_TEST(embedded[i].sql == on_disk[i].sql, on_disk[i].version << " differs");
    }
}

BOOST_AUTO_TEST_CASE(the_embedded_schema_is_what_the_directory_applies) {
    MysqlConnection connection(test_config());
    BOOST_TEST(value_of(MysqlMigrator(connection).pending(embedded_migrations())).empty());
}

BOOST_AUTO_TEST_CASE(applies_the_initial_schema_then_nothing_on_a_second_run) {
    BOOST_TEST(versions_on_disk().front() == "001_initial");
    BOOST_TEST(MigratedDatabase::instance->first_run == versions_on_disk(),
               boost::test_tools::per_element());
    MysqlConnection connection(test_config());
    MysqlMigrator migrator(connection);
    BOOST_TEST(value_of(migrator.migrate(SOCIALAUTH_SQL_SOURCE_DIR)).empty());
    BOOST_TEST(value_of(migrator.pending(SOCIALAUTH_SQL_SOURCE_DIR)).empty());

    std::vector<std::string> recorded;
    require_ok(connection.query("SELECT version FROM " + connection.table_prefix() +
                                    "schema_migrations ORDER BY version",
                                {}, [&](const SqlRow& row) { recorded.push_back(row.text(1)); }));
    BOOST_TEST(recorded == versions_on_disk(), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(creates_every_table_under_the_prefix) {
    MysqlConnection connection(test_config());
    std::vector<std::string> tables;
    require_ok(connection.query("SELECT table_name FROM information_schema.tables"
                                " WHERE table_schema = DATABASE()"
                                " AND LEFT(table_name, CHAR_LENGTH(?)) = ? ORDER BY table_name",
                                {connection.table_prefix(), connection.table_prefix()},
                                [&](const SqlRow& row) { tables.push_back(row.text(1)); }));
    const std::string& p = connection.table_prefix();
    BOOST_TEST(tables == (std::vector<std::string>{p + "api_tokens", p + "provider_cache",
                                                   p + "rate_limits", p + "schema_migrations",
                                                   p + "social_identities", p + "users"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(pending_lists_files_on_a_fresh_prefix_without_creating_anything) {
    MysqlConnection connection(with_prefix(random_prefix()));
    BOOST_TEST(value_of(MysqlMigrator(connection).pending(SOCIALAUTH_SQL_SOURCE_DIR)) ==
                   versions_on_disk(),
               boost::test_tools::per_element());
    bool any = false;
    require_ok(connection.query("SELECT 1 FROM information_schema.tables"
                                " WHERE table_schema = DATABASE()"
                                " AND LEFT(table_name, CHAR_LENGTH(?)) = ?",
                                {connection.table_prefix(), connection.table_prefix()},
                                [&](const SqlRow&) { any = true; }));
    BOOST_TEST(!any);
}

BOOST_AUTO_TEST_CASE(two_processes_migrating_at_once_apply_each_file_once) {
    const core::DatabaseConfig config = with_prefix(random_prefix());
    MysqlConnection first(config);
    MysqlConnection second(config);
    require_ok(first.connect());
    require_ok(second.connect());
    auto run = [](MysqlConnection* connection) {
        return MysqlMigrator(*connection).migrate(SOCIALAUTH_SQL_SOURCE_DIR);
    };
    auto a = std::async(std::launch::async, run, &first);
    auto b = std::async(std::launch::async, run, &second);
    const auto applied_a = value_of(a.get());
    const auto applied_b = value_of(b.get());
    drop_tables(first);
    BOOST_TEST((applied_a.empty() || applied_b.empty()));
    BOOST_TEST(applied_a.size() + applied_b.size() == versions_on_disk().size());
}

BOOST_AUTO_TEST_CASE(applies_only_new_files_in_name_order_and_records_only_whole_ones) {
    const auto dir = std::filesystem::temp_directory_path() / ("socialauth-sql-" + random_prefix());
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "001_create.sql") << "-- made by the test;\n"
                                             "CREATE TABLE IF NOT EXISTS /*prefix*/a (x INT);\n"
                                             "INSERT INTO /*prefix*/a VALUES (1);\n";
    std::ofstream(dir / "README") << "not a migration\n";
    MysqlConnection connection(with_prefix(random_prefix()));
    MysqlMigrator migrator(connection);
    BOOST_TEST(value_of(migrator.migrate(dir.string())) == std::vector<std::string>{"001_create"},
               boost::test_tools::per_element());

    std::ofstream(dir / "003_broken.sql") << "INSERT INTO /*prefix*/a VALUES (100);\n"
                                             "THIS IS NOT SQL;\n";
    std::ofstream(dir / "002_insert.sql") << "INSERT INTO /*prefix*/a\n  VALUES (2)  ;  \n";
    BOOST_TEST(error_of(migrator.migrate(dir.string())) == Errc::internal_error);
    BOOST_TEST(value_of(migrator.pending(dir.string())) == std::vector<std::string>{"003_broken"},
               boost::test_tools::per_element());

    std::int64_t sum = 0;
    require_ok(connection.query("SELECT SUM(x) FROM " + connection.table_prefix() + "a", {},
                                [&](const SqlRow& row) { sum = row.int64(1); }));
    BOOST_TEST(sum == 103); // 003_broken ran up to its bad statement and stays pending
    std::filesystem::remove_all(dir);
    require_ok(connection.execute_direct("DROP TABLE " + connection.table_prefix() + "a, " +
                                         connection.table_prefix() + "schema_migrations"));
}

BOOST_AUTO_TEST_CASE(refuses_a_misnamed_migration_file_and_a_missing_directory) {
    const auto dir = std::filesystem::temp_directory_path() / ("socialauth-sql-" + random_prefix());
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "1-first.sql") << "SELECT 1;\n";
    MysqlConnection connection(with_prefix(random_prefix()));
    MysqlMigrator migrator(connection);
    BOOST_TEST(error_of(migrator.migrate(dir.string())) == Errc::server_misconfigured);
    std::filesystem::remove_all(dir);
    BOOST_TEST(error_of(migrator.pending(dir.string())) == Errc::server_misconfigured);
    drop_tables(connection);
}

BOOST_AUTO_TEST_CASE(cuts_statements_at_semicolons_that_end_a_line) {
    const auto statements =
        store::split_sql_statements("-- a comment; with a semicolon\n"
                                    "CREATE TABLE a (\n  x INT -- inline; comment\n);  \r\n"
                                    "\n"
                                    "INSERT INTO a VALUES (';') ;\n"
                                    "SELECT 1");
    BOOST_TEST(statements ==
                   (std::vector<std::string>{"CREATE TABLE a (\n  x INT -- inline; comment\n)",
                                             "INSERT INTO a VALUES (';')", "SELECT 1"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(users)

BOOST_AUTO_TEST_CASE_TEMPLATE(creates_a_user_and_reads_it_back, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    store::NewUser fresh;
    fresh.username = "jane";
    fresh.email = "Jane@Example.com";
    fresh.email_verified = true;
    fresh.first_name = "Jane";
    fresh.last_name = "Do\xC3\xAB \xF0\x9F\x98\x80"; // 4-byte UTF-8 needs utf8mb4
    fresh.date_joined = at(kNow) + 750ms;
    const auto created = value_of(store.create_user(fresh));
    BOOST_TEST(created.id > 0);
    BOOST_TEST(created.is_active);
    BOOST_CHECK(created.date_joined == at(kNow));

    const auto found = value_of(store.find_user(created.id));
    BOOST_REQUIRE(found.has_value());
    BOOST_TEST(found->username == "jane");
    BOOST_TEST(found->email == "Jane@Example.com");
    BOOST_TEST(found->email_verified);
    BOOST_TEST(found->first_name == "Jane");
    BOOST_TEST(found->last_name == fresh.last_name);
    BOOST_TEST(found->is_active);
    BOOST_CHECK(found->date_joined == at(kNow));
    BOOST_CHECK(!found->last_login.has_value());
    BOOST_TEST(!value_of(store.find_user(created.id + 1000)).has_value());
}

BOOST_FIXTURE_TEST_CASE(stores_the_email_key_itself, StoreFixture) {
    const auto user = make_user(store, "jane", "  Jane@Example.COM ", true);
    std::string key;
    require_ok(connection.query("SELECT email_key FROM " + table("users") + " WHERE id = ?",
                                {user.id}, [&](const SqlRow& row) { key = row.text(1); }));
    BOOST_TEST(key == "jane@example.com");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_taken_username_is_a_conflict_whatever_its_case, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    make_user(store, "jane");
    store::NewUser again;
    again.username = "jane";
    again.date_joined = at(kNow);
    BOOST_TEST(error_of(store.create_user(again)) == Errc::conflict);
    again.username = "JANE";
    BOOST_TEST(error_of(store.create_user(again)) == Errc::conflict);
    BOOST_TEST(value_of(store.username_exists("jane")));
    BOOST_TEST(value_of(store.username_exists("Jane")));
    BOOST_TEST(!value_of(store.username_exists("jane2")));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(two_users_cannot_hold_one_verified_email_in_any_ascii_case, Backend,
                              Backends) {
    Backend backend;
    auto& store = backend.store;
    make_user(store, "jane", "jane@example.com", true);
    store::NewUser rival;
    rival.username = "jane2";
    rival.email = "JANE@Example.com";
    rival.email_verified = true;
    rival.date_joined = at(kNow);
    const auto result = store.create_user(rival);
    BOOST_TEST(error_of(result) == Errc::conflict);
    // The log may read the detail; the address is personal data.
    BOOST_TEST(result.error().detail.find("example.com") == std::string::npos);
    BOOST_TEST(result.error().detail.find("verified_email_key") != std::string::npos);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(unverified_holders_of_an_email_may_be_many, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    const auto a = make_user(store, "a", "jane@example.com", false);
    const auto b = make_user(store, "b", "Jane@Example.com", false);
    const auto c = make_user(store, "c", "JANE@EXAMPLE.COM", true);
    BOOST_TEST(user_ids_with_email(store, "jane@example.com") ==
                   (std::vector<std::int64_t>{a.id, b.id, c.id}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(finds_by_email_after_trimming_and_folding_ascii_case_only, Backend,
                              Backends) {
    Backend backend;
    auto& store = backend.store;
    const auto jane = make_user(store, "jane", "jane@example.com", true);
    BOOST_TEST(user_ids_with_email(store, "  JANE@example.COM\t") ==
                   std::vector<std::int64_t>{jane.id},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(lookalike_emails_never_match, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    const auto latin = make_user(store, "latin", "jane@example.com", true);
    // Cyrillic a, fullwidth J, and a-with-diaeresis in both cases: all distinct.
    const auto cyrillic = make_user(store, "cyrillic", "jane@ex\xD0\xB0mple.com", true);
    const auto fullwidth = make_user(store, "fullwidth",
                                     "\xEF\xBC\xAA"
                                     "ane@example.com",
                                     true);
    const auto upper = make_user(store, "upper", "J\xC3\x84NE@example.com", true);
    const auto lower = make_user(store, "lower", "j\xC3\xA4ne@example.com", true);
    BOOST_TEST(user_ids_with_email(store, "jane@example.com") ==
                   std::vector<std::int64_t>{latin.id},
               boost::test_tools::per_element());
    BOOST_TEST(user_ids_with_email(store, "jane@ex\xD0\xB0mple.com") ==
                   std::vector<std::int64_t>{cyrillic.id},
               boost::test_tools::per_element());
    BOOST_TEST(user_ids_with_email(store,
                                   "\xEF\xBC\xAA"
                                   "ane@example.com") == std::vector<std::int64_t>{fullwidth.id},
               boost::test_tools::per_element());
    BOOST_TEST(user_ids_with_email(store, "j\xC3\x84ne@example.com") ==
                   std::vector<std::int64_t>{upper.id},
               boost::test_tools::per_element());
    BOOST_TEST(user_ids_with_email(store, "j\xC3\xA4ne@example.com") ==
                   std::vector<std::int64_t>{lower.id},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(an_empty_email_matches_no_one, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    make_user(store, "a", "", true);
    make_user(store, "b", "  ", true);
    BOOST_TEST(user_ids_with_email(store, "").empty());
    BOOST_TEST(user_ids_with_email(store, "   ").empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(updates_the_profile_and_its_email_key, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    auto user = make_user(store, "jane", "old@example.com", false);
    user.username = "jane.doe";
    user.email = "New@Example.com";
    user.email_verified = true;
    user.first_name = "Jane";
    user.last_name = "Doe";
    require_ok(store.update_user_profile(user));
    const auto found = value_of(store.find_user(user.id));
    BOOST_REQUIRE(found.has_value());
    BOOST_TEST(found->username == "jane.doe");
    BOOST_TEST(found->email == "New@Example.com");
    BOOST_TEST(found->email_verified);
    BOOST_TEST(found->first_name == "Jane");
    BOOST_TEST(found->last_name == "Doe");
    BOOST_TEST(user_ids_with_email(store, "new@example.com") == std::vector<std::int64_t>{user.id},
               boost::test_tools::per_element());
    BOOST_TEST(user_ids_with_email(store, "old@example.com").empty());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(an_update_cannot_take_a_verified_email_or_username_someone_holds,
                              Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    make_user(store, "jane", "jane@example.com", true);
    auto rival = make_user(store, "rival", "jane@example.com", false);
    rival.email_verified = true;
    BOOST_TEST(error_of(store.update_user_profile(rival)) == Errc::conflict);
    rival.email_verified = false;
    rival.username = "Jane";
    BOOST_TEST(error_of(store.update_user_profile(rival)) == Errc::conflict);
    const auto found = value_of(store.find_user(rival.id));
    BOOST_REQUIRE(found.has_value());
    BOOST_TEST(found->username == "rival");
    BOOST_TEST(!found->email_verified);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(sets_last_login_and_active_flag, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    const auto user = make_user(store, "jane");
    require_ok(store.set_last_login(user.id, at(kNow + 60)));
    require_ok(store.set_user_active(user.id, false, at(kNow)));
    auto found = value_of(store.find_user(user.id));
    BOOST_REQUIRE(found.has_value());
    BOOST_CHECK(found->last_login == at(kNow + 60));
    BOOST_TEST(!found->is_active);
    require_ok(store.set_user_active(user.id, true, at(kNow)));
    BOOST_TEST(value_of(store.find_user(user.id))->is_active);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_value_too_long_for_its_column_fails_instead_of_being_cut, Backend,
                              Backends) {
    Backend backend;
    auto& store = backend.store;
    store::NewUser user;
    user.username = std::string(151, 'a');
    user.date_joined = at(kNow);
    BOOST_TEST(error_of(store.create_user(user)) == Errc::internal_error);
    user.username = std::string(150, 'a');
    BOOST_TEST(value_of(store.create_user(user)).username == user.username);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(identities)

BOOST_AUTO_TEST_CASE_TEMPLATE(creates_finds_and_lists_identities, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    const auto jane = make_user(store, "jane");
    const auto google = value_of(store.create_identity(jane.id, "google-oauth2", "1234",
                                                       R"({"auth_time": 1767225600})", at(kNow)));
    const auto facebook = value_of(store.create_identity(jane.id, "facebook", "99", "", at(kNow)));
    BOOST_TEST(facebook.extra_data == "{}");

    const auto found = value_of(store.find_identity("google-oauth2", "1234"));
    BOOST_REQUIRE(found.has_value());
    BOOST_TEST(found->identity.id == google.id);
    BOOST_TEST(found->identity.user_id == jane.id);
    BOOST_TEST(found->identity.provider == "google-oauth2");
    BOOST_TEST(found->identity.uid == "1234");
    BOOST_TEST(found->user.id == jane.id);
    BOOST_TEST(found->user.username == "jane");
    BOOST_TEST(found->user.is_active);
    BOOST_CHECK(value_of(core::parse_json(found->identity.extra_data)) ==
                value_of(core::parse_json(R"({"auth_time": 1767225600})")));
    BOOST_TEST(!value_of(store.find_identity("google-oauth2", "99")).has_value());

    const auto listed = value_of(store.identities_of(jane.id));
    BOOST_REQUIRE(listed.size() == 2u);
    BOOST_TEST(listed[0].id == google.id);
    BOOST_TEST(listed[1].id == facebook.id);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_linked_provider_uid_is_a_conflict, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    const auto jane = make_user(store, "jane");
    const auto john = make_user(store, "john");
    (void)value_of(store.create_identity(jane.id, "google-oauth2", "1234", "{}", at(kNow)));
    BOOST_TEST(error_of(store.create_identity(john.id, "google-oauth2", "1234", "{}", at(kNow))) ==
               Errc::conflict);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(uids_and_providers_compare_byte_for_byte, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    const auto a = make_user(store, "a");
    const auto b = make_user(store, "b");
    const auto c = make_user(store, "c");
    const auto d = make_user(store, "d");
    const auto lower =
        value_of(store.create_identity(a.id, "google-oauth2", "abc", "{}", at(kNow)));
    const auto upper =
        value_of(store.create_identity(b.id, "google-oauth2", "ABC", "{}", at(kNow)));
    const auto spaced =
        value_of(store.create_identity(c.id, "google-oauth2", "abc ", "{}", at(kNow)));
    const auto provider =
        value_of(store.create_identity(d.id, "Google-OAuth2", "abc", "{}", at(kNow)));
    BOOST_TEST(value_of(store.find_identity("google-oauth2", "abc"))->identity.id == lower.id);
    BOOST_TEST(value_of(store.find_identity("google-oauth2", "ABC"))->identity.id == upper.id);
    BOOST_TEST(value_of(store.find_identity("google-oauth2", "abc "))->identity.id == spaced.id);
    BOOST_TEST(value_of(store.find_identity("Google-OAuth2", "abc"))->identity.id == provider.id);
    BOOST_TEST(!value_of(store.find_identity("google-oauth2", "Abc")).has_value());
}

BOOST_FIXTURE_TEST_CASE(updates_extra_data_and_modified, StoreFixture) {
    const auto jane = make_user(store, "jane");
    const auto identity = value_of(store.create_identity(jane.id, "facebook", "7", "{}", at(kNow)));
    require_ok(
        store.update_identity_extra_data(identity.id, R"({"access_token": "x"})", at(kNow + 5)));
    BOOST_CHECK(
        value_of(core::parse_json(value_of(store.find_identity("facebook", "7"))->identity.extra_data)) ==
        value_of(core::parse_json(R"({"access_token": "x"})")));
    std::string created;
    std::string modified;
    require_ok(connection.query("SELECT created, modified FROM " + table("social_identities") +
                                    " WHERE id = ?",
                                {identity.id}, [&](const SqlRow& row) {
                                    created = row.text(1);
                                    modified = row.text(2);
                                }));
    BOOST_TEST(created == core::format_sql_utc(at(kNow)));
    BOOST_TEST(modified == core::format_sql_utc(at(kNow + 5)));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(an_identity_of_a_missing_user_or_with_bad_json_is_refused, Backend,
                              Backends) {
    Backend backend;
    auto& store = backend.store;
    BOOST_TEST(error_of(store.create_identity(424242, "facebook", "7", "{}", at(kNow))) ==
               Errc::internal_error);
    const auto jane = make_user(store, "jane");
    BOOST_TEST(error_of(store.create_identity(jane.id, "facebook", "7", "{not json", at(kNow))) ==
               Errc::internal_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tokens)

BOOST_AUTO_TEST_CASE_TEMPLATE(inserts_and_finds_a_token_with_every_field, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    const auto jane = make_user(store, "jane");
    auto token = token_for(jane.id, "secret-1");
    token.last_used = at(kNow + 1);
    token.expires_at = at(kNow + 3600);
    require_ok(store.insert_token(token));
    const auto found = value_of(store.find_token(token.token_hash));
    BOOST_REQUIRE(found.has_value());
    BOOST_TEST(found->token.id > 0);
    BOOST_TEST(found->token.token_hash == token.token_hash);
    BOOST_TEST(found->token.user_id == jane.id);
    BOOST_CHECK(found->token.created == at(kNow));
    BOOST_CHECK(found->token.last_used == at(kNow + 1));
    BOOST_CHECK(found->token.expires_at == at(kNow + 3600));
    BOOST_CHECK(!found->token.revoked_at.has_value());
    BOOST_TEST(found->user.id == jane.id);
    BOOST_TEST(found->user.username == "jane");
    BOOST_TEST(!value_of(store.find_token(core::sha256_hex("other"))).has_value());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(finds_a_token_with_its_users_identities_in_id_order, Backend,
                              Backends) {
    Backend backend;
    auto& store = backend.store;
    const auto jane = make_user(store, "jane");
    const auto john = make_user(store, "john");
    require_ok(store.insert_token(token_for(jane.id, "janes")));
    BOOST_TEST(value_of(store.find_token(core::sha256_hex("janes")))->identities.empty());
    (void)value_of(store.create_identity(jane.id, "google-oauth2", "7", "{}", at(kNow)));
    (void)value_of(store.create_identity(john.id, "google-oauth2", "8", "{}", at(kNow)));
    (void)value_of(store.create_identity(jane.id, "facebook", "9", "{}", at(kNow)));
    const auto found = value_of(store.find_token(core::sha256_hex("janes")));
    BOOST_REQUIRE(found.has_value());
    BOOST_TEST(found->token.user_id == jane.id);
    BOOST_TEST(found->user.username == "jane");
    BOOST_REQUIRE(found->identities.size() == 2u);
    BOOST_TEST(found->identities[0].provider == "google-oauth2");
    BOOST_TEST(found->identities[0].uid == "7");
    BOOST_TEST(found->identities[1].provider == "facebook");
    BOOST_TEST(found->identities[1].uid == "9");
    BOOST_TEST(found->identities[0].id < found->identities[1].id);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_known_token_hash_is_a_conflict, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    const auto jane = make_user(store, "jane");
    require_ok(store.insert_token(token_for(jane.id, "secret-1")));
    BOOST_TEST(error_of(store.insert_token(token_for(jane.id, "secret-1"))) == Errc::conflict);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(touch_and_revoke_keep_the_first_revocation_time, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    const auto jane = make_user(store, "jane");
    require_ok(store.insert_token(token_for(jane.id, "secret-1")));
    const auto id = value_of(store.find_token(core::sha256_hex("secret-1")))->token.id;
    require_ok(store.touch_token(id, at(kNow + 60)));
    require_ok(store.revoke_token(id, at(kNow + 120)));
    require_ok(store.revoke_token(id, at(kNow + 180)));
    const auto found = value_of(store.find_token(core::sha256_hex("secret-1")));
    BOOST_CHECK(found->token.last_used == at(kNow + 60));
    BOOST_CHECK(found->token.revoked_at == at(kNow + 120));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(revoke_all_counts_only_live_tokens, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    const auto jane = make_user(store, "jane");
    const auto john = make_user(store, "john");
    auto expired = token_for(jane.id, "expired");
    expired.expires_at = at(kNow - 1);
    auto revoked = token_for(jane.id, "revoked");
    revoked.revoked_at = at(kNow - 10);
    require_ok(store.insert_token(token_for(jane.id, "live-1")));
    require_ok(store.insert_token(token_for(jane.id, "live-2")));
    require_ok(store.insert_token(expired));
    require_ok(store.insert_token(revoked));
    require_ok(store.insert_token(token_for(john.id, "johns")));
    BOOST_TEST(value_of(store.revoke_all_tokens(jane.id, at(kNow))) == 2);
    BOOST_CHECK(value_of(store.find_token(core::sha256_hex("live-1")))->token.revoked_at == at(kNow));
    BOOST_CHECK(value_of(store.find_token(core::sha256_hex("revoked")))->token.revoked_at ==
                at(kNow - 10));
    BOOST_CHECK(!value_of(store.find_token(core::sha256_hex("johns")))->token.revoked_at.has_value());
    BOOST_TEST(value_of(store.revoke_all_tokens(jane.id, at(kNow))) == 0);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(revoke_beyond_keeps_the_newest_live_tokens, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    const auto jane = make_user(store, "jane");
    const auto john = make_user(store, "john");
    auto revoked = token_for(jane.id, "t2");
    revoked.revoked_at = at(kNow - 10);
    auto expired = token_for(jane.id, "t3");
    expired.expires_at = at(kNow);
    require_ok(store.insert_token(token_for(jane.id, "t1")));
    require_ok(store.insert_token(revoked));
    require_ok(store.insert_token(expired));
    require_ok(store.insert_token(token_for(jane.id, "t4")));
    require_ok(store.insert_token(token_for(john.id, "johns")));
    require_ok(store.insert_token(token_for(jane.id, "t5")));
    auto last = token_for(jane.id, "t6");
    last.expires_at = at(kNow + 1);
    require_ok(store.insert_token(last));

    const auto revoked_at = [&](const std::string& secret) {
        return value_of(store.find_token(core::sha256_hex(secret)))->token.revoked_at;
    };
    require_ok(store.revoke_tokens_beyond(jane.id, 5, at(kNow)));
    BOOST_CHECK(!revoked_at("t1").has_value());

    require_ok(store.revoke_tokens_beyond(jane.id, 2, at(kNow)));
    BOOST_CHECK(revoked_at("t1") == at(kNow));
    BOOST_CHECK(revoked_at("t2") == at(kNow - 10));
    BOOST_CHECK(!revoked_at("t3").has_value()); // expired already: not counted, not touched
    BOOST_CHECK(revoked_at("t4") == at(kNow));
    BOOST_CHECK(!revoked_at("t5").has_value());
    BOOST_CHECK(!revoked_at("t6").has_value());
    BOOST_CHECK(!revoked_at("johns").has_value());

    require_ok(store.revoke_tokens_beyond(jane.id, 0, at(kNow + 5)));
    BOOST_CHECK(revoked_at("t5") == at(kNow + 5));
    BOOST_CHECK(!revoked_at("t6").has_value()); // expired at kNow + 1
    BOOST_TEST(error_of(store.revoke_tokens_beyond(jane.id, -1, at(kNow))) == Errc::internal_error);
}

BOOST_FIXTURE_TEST_CASE(the_php_query_of_the_spec_finds_live_tokens_in_any_session_time_zone,
                        StoreFixture) {
    const auto jane = make_user(store, "jane");
    const auto now = std::chrono::system_clock::now();
    auto live = token_for(jane.id, "live");
    live.expires_at = now + 1h;
    auto expired = token_for(jane.id, "expired");
    expired.expires_at = now - 1h;
    auto revoked = token_for(jane.id, "revoked");
    revoked.expires_at = now + 1h;
    revoked.revoked_at = now - 1min;
    auto forever = token_for(jane.id, "forever");
    for (const auto& token : {live, expired, revoked, forever})
        require_ok(store.insert_token(token));

    for (const char* zone : {"+00:00", "+05:30", "-08:00"}) {
        require_ok(other.execute_direct(std::string("SET time_zone = '") + zone + "'"));
        for (const char* secret : {"live", "expired", "revoked", "forever"}) {
            std::vector<std::int64_t> users;
            require_ok(other.query("SELECT user_id FROM " + table("api_tokens") +
                                       " WHERE token_hash = SHA2(?, 256) AND revoked_at IS NULL"
                                       " AND (expires_at IS NULL OR expires_at > NOW())",
                                   {std::string(secret)},
                                   [&](const SqlRow& row) { users.push_back(row.int64(1)); }));
            const bool accepted = std::string(secret) == "live" || std::string(secret) == "forever";
            BOOST_TEST(users.size() == (accepted ? 1u : 0u), secret << " in " << zone);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(provider_cache)

// Keys of their own per test: the cache table is not emptied between tests.
std::string cache_key(const std::string& name) { return "test:" + random_prefix() + name; }

BOOST_AUTO_TEST_CASE_TEMPLATE(stores_replaces_and_reads_back_a_cached_document, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    const std::string key = cache_key("jwks");
    BOOST_TEST(!value_of(store.get_cached(key)).has_value());
    require_ok(store.put_cached(key, {"{\"keys\": []}", at(kNow) + 400ms, at(kNow + 3600)}));
    auto entry = value_of(store.get_cached(key));
    BOOST_TEST_REQUIRE(entry.has_value());
    BOOST_TEST(entry->value == "{\"keys\": []}");
    BOOST_TEST(core::to_unix_seconds(entry->fetched_at) == kNow);
    BOOST_TEST(core::to_unix_seconds(entry->expires_at) == kNow + 3600);
    require_ok(store.put_cached(key, {"", at(kNow + 10), at(kNow + 20)}));
    entry = value_of(store.get_cached(key));
    BOOST_TEST_REQUIRE(entry.has_value());
    BOOST_TEST(entry->value == "");
    BOOST_TEST(core::to_unix_seconds(entry->fetched_at) == kNow + 10);
    BOOST_TEST(core::to_unix_seconds(entry->expires_at) == kNow + 20);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(returns_an_expired_entry_too, Backend, Backends) {
    Backend backend;
    const std::string key = cache_key("old");
    require_ok(backend.store.put_cached(key, {"old", at(1000000000), at(1000000060)}));
    BOOST_TEST(value_of(backend.store.get_cached(key)).has_value());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(cache_keys_compare_byte_for_byte, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    const std::string key = cache_key("case");
    require_ok(store.put_cached(key, {"lower", at(kNow), at(kNow + 60)}));
    std::string upper = key;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    BOOST_TEST(!value_of(store.get_cached(upper)).has_value());
    BOOST_TEST(!value_of(store.get_cached(key + " ")).has_value());
    require_ok(store.put_cached(key + " ", {"spaced", at(kNow), at(kNow + 60)}));
    BOOST_TEST(value_of(store.get_cached(key))->value == "lower");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(holds_a_large_document_and_refuses_an_oversized_key, Backend,
                              Backends) {
    Backend backend;
    auto& store = backend.store;
    const std::string key = cache_key("large");
    const std::string document(300000, 'k');
    require_ok(store.put_cached(key, {document, at(kNow), at(kNow + 60)}));
    BOOST_TEST(value_of(store.get_cached(key))->value == document);
    BOOST_TEST(error_of(store.put_cached(std::string(192, 'k'), {"", at(kNow), at(kNow + 60)})) ==
               Errc::internal_error);
}

BOOST_FIXTURE_TEST_CASE(a_document_put_outside_a_transaction_is_seen_at_once_by_others,
                        StoreFixture) {
    const std::string key = cache_key("shared");
    require_ok(store.put_cached(key, {"first", at(kNow), at(kNow + 60)}));
    BOOST_TEST(value_of(other_store.get_cached(key))->value == "first");
    require_ok(other_store.put_cached(key, {"second", at(kNow + 1), at(kNow + 61)}));
    BOOST_TEST(value_of(store.get_cached(key))->value == "second");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(deactivation)

BOOST_AUTO_TEST_CASE_TEMPLATE(deactivating_a_user_revokes_every_live_token_for_good, Backend,
                              Backends) {
    Backend backend;
    auto& store = backend.store;
    const auto jane = make_user(store, "jane");
    const auto john = make_user(store, "john");
    auto revoked = token_for(jane.id, "revoked-earlier");
    revoked.revoked_at = at(kNow - 10);
    require_ok(store.insert_token(token_for(jane.id, "live-1")));
    require_ok(store.insert_token(token_for(jane.id, "live-2")));
    require_ok(store.insert_token(revoked));
    require_ok(store.insert_token(token_for(john.id, "johns")));

    require_ok(store.set_user_active(jane.id, false, at(kNow + 60)));
    BOOST_TEST(!value_of(store.find_user(jane.id))->is_active);
    BOOST_CHECK(value_of(store.find_token(core::sha256_hex("live-1")))->token.revoked_at == at(kNow + 60));
    BOOST_CHECK(value_of(store.find_token(core::sha256_hex("live-2")))->token.revoked_at == at(kNow + 60));
    BOOST_CHECK(value_of(store.find_token(core::sha256_hex("revoked-earlier")))->token.revoked_at ==
                at(kNow - 10));
    BOOST_CHECK(!value_of(store.find_token(core::sha256_hex("johns")))->token.revoked_at.has_value());

    // Reactivating brings no token back.
    require_ok(store.set_user_active(jane.id, true, at(kNow + 120)));
    BOOST_TEST(value_of(store.find_user(jane.id))->is_active);
    BOOST_CHECK(value_of(store.find_token(core::sha256_hex("live-1")))->token.revoked_at == at(kNow + 60));
    BOOST_TEST(value_of(store.revoke_all_tokens(jane.id, at(kNow + 120))) == 0);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(activating_revokes_nothing, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    const auto jane = make_user(store, "jane");
    require_ok(store.insert_token(token_for(jane.id, "live")));
    require_ok(store.set_user_active(jane.id, true, at(kNow)));
    BOOST_CHECK(!value_of(store.find_token(core::sha256_hex("live")))->token.revoked_at.has_value());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_deactivation_inside_a_transaction_rolls_back_whole, Backend,
                              Backends) {
    Backend backend;
    auto& store = backend.store;
    const auto jane = make_user(store, "jane");
    require_ok(store.insert_token(token_for(jane.id, "live")));
    require_ok(store.begin());
    require_ok(store.set_user_active(jane.id, false, at(kNow)));
    store.rollback();
    BOOST_TEST(value_of(store.find_user(jane.id))->is_active);
    BOOST_CHECK(!value_of(store.find_token(core::sha256_hex("live")))->token.revoked_at.has_value());
}

BOOST_FIXTURE_TEST_CASE(the_php_check_refuses_every_token_of_a_deactivated_user, StoreFixture) {
    const auto jane = make_user(store, "jane");
    require_ok(store.insert_token(token_for(jane.id, "jane-token")));
    const auto php_check = [&] {
        bool found = false;
        require_ok(other.query("SELECT user_id FROM " + table("api_tokens") +
                                   " WHERE token_hash = SHA2(?, 256) AND revoked_at IS NULL"
                                   " AND (expires_at IS NULL OR expires_at > NOW())",
                               {std::string("jane-token")}, [&](const SqlRow&) { found = true; }));
        return found;
    };
    BOOST_TEST(php_check());
    require_ok(store.set_user_active(jane.id, false, at(kNow)));
    BOOST_TEST(!php_check());
}

// The exchange reads the user with find_identity (FOR UPDATE) before it issues a token;
// set_user_active updates the same row first. So the two take turns on that row
// lock, and whichever order they run in, no live token outlives the deactivation.
// These two tests pin that down for both orders.
BOOST_FIXTURE_TEST_CASE(a_deactivation_waits_for_a_running_exchange_then_revokes_its_token,
                        StoreFixture) {
    const auto jane = make_user(store, "jane");
    (void)value_of(store.create_identity(jane.id, "google-oauth2", "1", "{}", at(kNow)));
    require_ok(store.begin());
    BOOST_TEST(value_of(store.find_identity("google-oauth2", "1"))->user.is_active);
    require_ok(store.set_last_login(jane.id, at(kNow)));
    require_ok(store.insert_token(token_for(jane.id, "issued-while-deactivating")));
    auto deactivating = std::async(std::launch::async, [&] {
        return other_store.set_user_active(jane.id, false, at(kNow));
    });
    BOOST_TEST((deactivating.wait_for(300ms) == std::future_status::timeout));
    require_ok(store.commit());
    require_ok(deactivating.get());
    BOOST_CHECK(value_of(store.find_token(core::sha256_hex("issued-while-deactivating")))
                    ->token.revoked_at.has_value());
}

BOOST_FIXTURE_TEST_CASE(an_exchange_waits_for_a_running_deactivation_then_sees_it, StoreFixture) {
    const auto jane = make_user(store, "jane");
    (void)value_of(store.create_identity(jane.id, "google-oauth2", "1", "{}", at(kNow)));
    require_ok(other_store.begin());
    require_ok(other_store.set_user_active(jane.id, false, at(kNow)));
    require_ok(store.begin());
    auto exchange = std::async(std::launch::async, [&] {
        auto linked = store.find_identity("google-oauth2", "1");
        if (!linked.ok()) return core::Result<bool>(linked.error());
        return core::Result<bool>((*linked)->user.is_active);
    });
    BOOST_TEST((exchange.wait_for(300ms) == std::future_status::timeout));
    require_ok(other_store.commit());
    BOOST_TEST(!value_of(exchange.get())); // the exchange answers account_inactive
    store.rollback();
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(rate_limits)

// Buckets of their own per test: the counter table is not emptied between tests.
std::string bucket(const std::string& name) { return "test:" + random_prefix() + name; }

BOOST_AUTO_TEST_CASE_TEMPLATE(counts_hits_per_bucket_window_length_and_window_up_to_the_limit,
                              Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    const std::string ip = bucket("ip");
    const std::string other = bucket("other");
    for (int hit = 1; hit <= 5; ++hit) BOOST_TEST(value_of(store.hit_rate_limit(ip, 60, at(kNow), 5)), hit);
    BOOST_TEST(!value_of(store.hit_rate_limit(ip, 60, at(kNow), 5)));
    BOOST_TEST(!value_of(store.hit_rate_limit(ip, 60, at(kNow), 5))); // and stays full
    BOOST_TEST(value_of(store.hit_rate_limit(ip, 60, at(kNow), 6))); // a higher limit
    BOOST_TEST(value_of(store.hit_rate_limit(other, 60, at(kNow), 1)));
    BOOST_TEST(!value_of(store.hit_rate_limit(other, 60, at(kNow), 1)));
    BOOST_TEST(value_of(store.hit_rate_limit(ip, 120, at(kNow), 1)));
    BOOST_TEST(value_of(store.hit_rate_limit(ip, 60, at(kNow + 60), 2)));
    BOOST_TEST(value_of(store.hit_rate_limit(ip, 60, at(kNow + 60), 2)));
    BOOST_TEST(!value_of(store.hit_rate_limit(ip, 60, at(kNow + 60), 2)));
    BOOST_TEST(error_of(store.hit_rate_limit(ip, 60, at(kNow), 0)) == Errc::internal_error);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(buckets_compare_byte_for_byte, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    const std::string name = bucket("exchange:ip:2001:db8::/64");
    BOOST_TEST(value_of(store.hit_rate_limit(name, 60, at(kNow), 1)));
    std::string upper = name;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    BOOST_TEST(value_of(store.hit_rate_limit(upper, 60, at(kNow), 1)));
    BOOST_TEST(value_of(store.hit_rate_limit(name + " ", 60, at(kNow), 1)));
    BOOST_TEST(!value_of(store.hit_rate_limit(name, 60, at(kNow), 1)));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_bucket_name_longer_than_100_bytes_is_refused, Backend, Backends) {
    Backend backend;
    const std::string name = bucket("") + std::string(100, 'b');
    BOOST_TEST(error_of(backend.store.hit_rate_limit(name.substr(0, 101), 60, at(kNow), 5)) ==
               Errc::internal_error);
    BOOST_TEST(value_of(backend.store.hit_rate_limit(name.substr(0, 100), 60, at(kNow), 5)));
}

// The hits column as MySQL holds it.
std::int64_t stored_hits(MysqlConnection& connection, const std::string& name) {
    std::int64_t hits = 0;
    require_ok(connection.query("SELECT COALESCE(SUM(hits), 0) FROM " + connection.table_prefix() +
                                    "rate_limits WHERE bucket = ?",
                                {name}, [&](const SqlRow& row) { hits = row.int64(1); }));
    return hits;
}

BOOST_FIXTURE_TEST_CASE(the_first_hit_of_a_window_sweeps_up_ended_windows, StoreFixture) {
    const std::string old = bucket("old");
    const std::string day = bucket("day");
    const std::string now = bucket("now");
    // A long window still running, then one that ended long ago (its own first hit
    // sweeps only windows that ended before it started).
    (void)value_of(store.hit_rate_limit(day, 86400, at(kNow - 3600), 5));
    (void)value_of(store.hit_rate_limit(old, 60, at(kNow - 100000), 5));
    const auto rows = [&](const std::string& name) {
        std::int64_t n = 0;
        require_ok(connection.query("SELECT COUNT(*) FROM " + table("rate_limits") +
                                        " WHERE bucket = ?",
                                    {name}, [&](const SqlRow& row) { n = row.int64(1); }));
        return n;
    };
    BOOST_TEST(rows(old) == 1);
    BOOST_TEST(value_of(store.hit_rate_limit(now, 60, at(kNow), 5)));
    BOOST_TEST(rows(old) == 0);
    BOOST_TEST(rows(day) == 1); // its window runs until kNow - 3600 + 86400
    BOOST_TEST(rows(now) == 1);
}

BOOST_FIXTURE_TEST_CASE(a_hit_outside_a_transaction_is_seen_by_every_session_at_once,
                        StoreFixture) {
    const std::string name = bucket("shared");
    BOOST_TEST(value_of(store.hit_rate_limit(name, 60, at(kNow), 3)));
    BOOST_TEST(value_of(other_store.hit_rate_limit(name, 60, at(kNow), 3)));
    BOOST_TEST(stored_hits(connection, name) == 2);
    // A transaction that is rolled back afterwards does not take an earlier hit back.
    require_ok(store.begin());
    (void)make_user(store, "jane");
    store.rollback();
    BOOST_TEST(value_of(store.hit_rate_limit(name, 60, at(kNow), 3)));
    BOOST_TEST(!value_of(other_store.hit_rate_limit(name, 60, at(kNow), 3)));
    BOOST_TEST(stored_hits(connection, name) == 3); // a full window stays at the limit
}

BOOST_FIXTURE_TEST_CASE(concurrent_hits_from_many_sessions_are_admitted_up_to_the_limit_exactly,
                        StoreFixture) {
    constexpr int kSessions = 8;
    constexpr int kHitsEach = 25;
    constexpr std::int64_t kLimit = 150;
    const std::string name = bucket("crowd");
    std::vector<std::future<std::vector<int>>> sessions;
    for (int i = 0; i < kSessions; ++i) {
        sessions.push_back(std::async(std::launch::async, [&name] {
            MysqlConnection own(test_config(), kNoRevalidation);
            MysqlStore session(own);
            std::vector<int> seen;
            for (int hit = 0; hit < kHitsEach; ++hit) {
                auto counted = session.hit_rate_limit(name, 3600, at(kNow), kLimit);
                seen.push_back(counted.ok() ? (*counted ? 1 : 0) : -1);
            }
            return seen;
        }));
    }
    int admitted = 0;
    int refused = 0;
    int failed = 0;
    for (auto& session : sessions)
        for (int outcome : session.get()) (outcome == 1 ? admitted : outcome == 0 ? refused : failed)++;
    // No hit lost, none counted twice: exactly the limit got in.
    BOOST_TEST(failed == 0);
    BOOST_TEST(admitted == kLimit);
    BOOST_TEST(refused == kSessions * kHitsEach - kLimit);
    BOOST_TEST(stored_hits(connection, name) == kLimit);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(transactions)

BOOST_AUTO_TEST_CASE_TEMPLATE(rollback_discards_every_write, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    const auto jane = make_user(store, "jane");
    require_ok(store.begin());
    const auto john = make_user(store, "john", "john@example.com", true);
    (void)value_of(store.create_identity(john.id, "facebook", "1", "{}", at(kNow)));
    require_ok(store.insert_token(token_for(john.id, "johns")));
    require_ok(store.set_user_active(jane.id, false, at(kNow)));
    store.rollback();
    BOOST_TEST(!store.find_user(john.id)->has_value());
    BOOST_TEST(!value_of(store.find_identity("facebook", "1")).has_value());
    BOOST_TEST(!value_of(store.find_token(core::sha256_hex("johns"))).has_value());
    BOOST_TEST(value_of(store.find_user(jane.id))->is_active);
}

BOOST_FIXTURE_TEST_CASE(commit_publishes_writes_that_others_could_not_see_before, StoreFixture) {
    require_ok(store.begin());
    const auto jane = make_user(store, "jane");
    BOOST_TEST(!value_of(other_store.find_user(jane.id)).has_value());
    require_ok(store.commit());
    BOOST_TEST(value_of(other_store.find_user(jane.id)).has_value());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(begin_inside_a_transaction_rolls_it_back_and_fails, Backend,
                              Backends) {
    Backend backend;
    auto& store = backend.store;
    require_ok(store.begin());
    const auto jane = make_user(store, "jane");
    BOOST_TEST(error_of(store.begin()) == Errc::internal_error);
    BOOST_TEST(!value_of(store.find_user(jane.id)).has_value());
    require_ok(store.begin()); // the failed begin left no transaction open
    store.rollback();
}

BOOST_AUTO_TEST_CASE_TEMPLATE(ids_are_not_given_back_by_a_rollback, Backend, Backends) {
    Backend backend;
    auto& store = backend.store;
    require_ok(store.begin());
    const auto discarded = make_user(store, "jane");
    store.rollback();
    BOOST_TEST(make_user(store, "jane").id > discarded.id);
}

// MysqlStore defers a transaction's writes to its next read or its COMMIT (one round
// trip for all of them); what a caller can observe of that is pinned here.
BOOST_FIXTURE_TEST_CASE(deferred_writes_are_seen_by_the_next_read_and_by_others_after_commit,
                        StoreFixture) {
    const auto jane = make_user(store, "jane");
    require_ok(store.begin());
    require_ok(store.set_last_login(jane.id, at(kNow + 5)));
    require_ok(store.insert_token(token_for(jane.id, "janes")));
    BOOST_CHECK(value_of(store.find_user(jane.id))->last_login == at(kNow + 5));
    BOOST_TEST(!value_of(other_store.find_token(core::sha256_hex("janes"))).has_value());
    require_ok(store.set_last_login(jane.id, at(kNow + 9)));
    require_ok(store.commit());
    BOOST_CHECK(value_of(other_store.find_user(jane.id))->last_login == at(kNow + 9));
    BOOST_TEST(value_of(other_store.find_token(core::sha256_hex("janes"))).has_value());
}

BOOST_FIXTURE_TEST_CASE(a_deferred_write_fails_with_the_commit_that_sends_it_and_leaves_nothing,
                        StoreFixture) {
    make_user(store, "jane", "jane@example.com", true);
    auto rival = make_user(store, "rival", "jane@example.com", false);
    require_ok(store.begin());
    require_ok(store.set_last_login(rival.id, at(kNow + 5)));
    rival.email_verified = true;
    require_ok(store.update_user_profile(rival)); // queued: its conflict is not known yet
    require_ok(store.insert_token(token_for(rival.id, "rivals")));
    BOOST_TEST(error_of(store.commit()) == Errc::conflict);
    const auto found = value_of(store.find_user(rival.id));
    BOOST_TEST(!found->email_verified);
    BOOST_TEST(!found->last_login.has_value()); // written before the failed one: rolled back
    BOOST_TEST(!value_of(store.find_token(core::sha256_hex("rivals"))).has_value());
}

BOOST_FIXTURE_TEST_CASE(a_deferred_write_that_fails_with_the_next_read_aborts_the_transaction,
                        StoreFixture) {
    make_user(store, "jane", "jane@example.com", true);
    auto rival = make_user(store, "rival", "jane@example.com", false);
    require_ok(store.begin());
    rival.email_verified = true;
    require_ok(store.update_user_profile(rival));
    require_ok(store.set_last_login(rival.id, at(kNow + 5))); // after it: never ran
    BOOST_TEST(error_of(store.find_user(rival.id)) == Errc::conflict);
    // What was queued after the failed write is gone; nothing may run as if it were not.
    BOOST_TEST(error_of(store.find_user(rival.id)) == Errc::conflict);
    BOOST_TEST(error_of(store.commit()) == Errc::conflict);
    store.rollback();
    BOOST_TEST(!value_of(store.find_user(rival.id))->last_login.has_value());
}

BOOST_FIXTURE_TEST_CASE(an_empty_transaction_sends_nothing, StoreFixture) {
    // Its session is dead, and neither begin() nor commit() notices: neither went out.
    const auto before = connection_id(connection);
    kill(before);
    require_ok(store.begin());
    require_ok(store.commit());
    require_ok(store.begin());
    store.rollback();
    const auto jane = make_user(store, "jane"); // gone away, run on a new session
    BOOST_TEST(value_of(store.find_user(jane.id)).has_value());
    BOOST_TEST(connection_id(connection) != before);
}

BOOST_FIXTURE_TEST_CASE(a_transaction_begun_on_a_killed_idle_session_runs_on_a_new_one,
                        StoreFixture) {
    // START TRANSACTION goes with the first statement; as the dead session could not
    // even be sent it, nothing of the transaction was lost and a new session runs it.
    const auto before = connection_id(connection);
    kill(before);
    require_ok(store.begin());
    const auto jane = make_user(store, "jane");
    require_ok(store.set_last_login(jane.id, at(kNow + 5)));
    BOOST_TEST(!value_of(other_store.find_user(jane.id)).has_value()); // still uncommitted
    require_ok(store.commit());
    BOOST_CHECK(value_of(other_store.find_user(jane.id))->last_login == at(kNow + 5));
    BOOST_TEST(connection_id(connection) != before);
}

BOOST_FIXTURE_TEST_CASE(a_concurrent_link_of_the_same_identity_waits_then_conflicts, StoreFixture) {
    const auto jane = make_user(store, "jane");
    const auto john = make_user(store, "john");
    require_ok(store.begin());
    (void)value_of(store.create_identity(jane.id, "google-oauth2", "42", "{}", at(kNow)));
    require_ok(other_store.begin());
    auto racing = std::async(std::launch::async, [&] {
        return other_store.create_identity(john.id, "google-oauth2", "42", "{}", at(kNow));
    });
    BOOST_TEST((racing.wait_for(300ms) == std::future_status::timeout)); // blocked on the key
    require_ok(store.commit());
    BOOST_TEST(error_of(racing.get()) == Errc::conflict);
    other_store.rollback();
    BOOST_TEST(value_of(store.find_identity("google-oauth2", "42"))->identity.user_id == jane.id);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(memory_store_hooks)

BOOST_AUTO_TEST_CASE(fail_next_fails_the_next_calls_then_lets_them_through) {
    testing::MemoryStore store;
    const auto jane = make_user(store, "jane");
    store.fail_next("find_user", Errc::service_unavailable, 2);
    BOOST_TEST(error_of(store.find_user(jane.id)) == Errc::service_unavailable);
    BOOST_TEST(error_of(store.find_user(jane.id)) == Errc::service_unavailable);
    BOOST_TEST(value_of(store.find_user(jane.id)).has_value());
    BOOST_TEST(store.calls("find_user") == 3);
    BOOST_TEST(store.calls("create_user") == 1);
}

BOOST_AUTO_TEST_CASE(an_injected_deadlock_aborts_the_transaction_as_mysql_does) {
    testing::MemoryStore store;
    const auto jane = make_user(store, "jane");
    require_ok(store.begin());
    require_ok(store.set_user_active(jane.id, false, at(kNow)));
    store.fail_next("create_identity", Errc::retry);
    BOOST_TEST(error_of(store.create_identity(jane.id, "facebook", "1", "{}", at(kNow))) ==
               Errc::retry);
    BOOST_TEST(error_of(store.find_user(jane.id)) == Errc::retry);
    store.rollback();
    BOOST_TEST(!store.in_transaction());
    BOOST_TEST(store.users().at(jane.id).is_active);
    BOOST_TEST(store.identities().empty());
}

BOOST_AUTO_TEST_CASE(an_injected_conflict_leaves_the_transaction_usable) {
    testing::MemoryStore store;
    require_ok(store.begin());
    store.fail_next("create_user", Errc::conflict);
    store::NewUser user;
    user.username = "jane";
    user.date_joined = at(kNow);
    BOOST_TEST(error_of(store.create_user(user)) == Errc::conflict);
    const auto jane = value_of(store.create_user(user));
    require_ok(store.commit());
    BOOST_TEST(store.users().count(jane.id) == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(failures, StoreFixture)

BOOST_AUTO_TEST_CASE(a_statement_on_a_killed_idle_connection_runs_on_a_new_one) {
    // The client library can't send it ("gone away"), so nothing ran yet: outside a
    // transaction the statement is run on a new session instead of failing.
    const auto jane = make_user(store, "jane");
    const auto before = connection_id(connection);
    kill(before);
    BOOST_TEST(value_of(store.find_user(jane.id)).has_value());
    BOOST_TEST(connection_id(connection) != before);
}

BOOST_AUTO_TEST_CASE(lock_waits_are_at_most_ten_seconds) {
    std::string row_lock;
    std::string metadata_lock;
    require_ok(connection.query(
        "SELECT @@SESSION.innodb_lock_wait_timeout, @@SESSION.lock_wait_timeout", {},
        [&](const SqlRow& row) {
            row_lock = row.text(1);
            metadata_lock = row.text(2);
        }));
    // The server's defaults are 50 s and a day; a shorter global value would be kept.
    BOOST_TEST(row_lock == "10");
    BOOST_TEST(metadata_lock == "10");
}

BOOST_AUTO_TEST_CASE(the_session_is_set_up_in_utc_strict_and_read_committed) {
    std::string isolation;
    std::string time_zone;
    std::string sql_mode;
    require_ok(connection.query("SELECT @@SESSION.tx_isolation, @@SESSION.time_zone, "
                                "@@SESSION.sql_mode",
                                {}, [&](const SqlRow& row) {
                                    isolation = row.text(1);
                                    time_zone = row.text(2);
                                    sql_mode = row.text(3);
                                }));
    BOOST_TEST(isolation == "READ-COMMITTED");
    BOOST_TEST(time_zone == "+00:00");
    BOOST_TEST(sql_mode.find("STRICT_ALL_TABLES") != std::string::npos, sql_mode);
}

BOOST_AUTO_TEST_CASE(a_connection_lost_in_a_transaction_aborts_it_until_rollback) {
    require_ok(store.begin());
    const auto jane = make_user(store, "jane");
    kill(connection_id(connection));
    BOOST_TEST(error_of(store.set_user_active(jane.id, false, at(kNow))) ==
               Errc::service_unavailable);
    // Reconnecting here would run the rest of the unit of work outside any transaction.
    BOOST_TEST(error_of(store.find_user(jane.id)) == Errc::service_unavailable);
    BOOST_TEST(error_of(store.commit()) == Errc::service_unavailable);
    store.rollback();
    require_ok(store.begin());
    BOOST_TEST(!value_of(store.find_user(jane.id)).has_value());
    store.rollback();
}

BOOST_AUTO_TEST_CASE(an_idle_connection_the_server_closed_is_replaced_silently) {
    MysqlConnection revalidating(test_config(), std::chrono::seconds(0));
    MysqlStore fresh(revalidating);
    const auto before = connection_id(revalidating);
    kill(before);
    require_ok(fresh.ping());
    BOOST_TEST(connection_id(revalidating) != before);
}

BOOST_AUTO_TEST_CASE(a_lock_wait_timeout_is_retry_and_aborts_the_transaction) {
    const auto jane = make_user(store, "jane");
    const auto john = make_user(store, "john");
    require_ok(other.execute_direct("SET SESSION innodb_lock_wait_timeout = 1"));
    require_ok(store.begin());
    require_ok(store.set_last_login(jane.id, at(kNow)));
    require_ok(send_deferred(store));
    require_ok(other_store.begin());
    require_ok(other_store.set_user_active(john.id, false, at(kNow)));
    require_ok(other_store.set_last_login(jane.id, at(kNow + 1)));
    BOOST_TEST(error_of(send_deferred(other_store)) == Errc::retry);
    BOOST_TEST(error_of(other_store.find_user(jane.id)) == Errc::retry);
    // MySQL keeps the rest of the transaction after a lock wait timeout; committing
    // it anyway must not make its first half stick.
    BOOST_TEST(error_of(other_store.commit()) == Errc::retry);
    store.rollback();
    require_ok(other_store.begin());
    require_ok(other_store.set_last_login(jane.id, at(kNow + 2)));
    require_ok(other_store.commit());
    BOOST_CHECK(value_of(store.find_user(jane.id))->last_login == at(kNow + 2));
    BOOST_TEST(value_of(store.find_user(john.id))->is_active);
}

BOOST_AUTO_TEST_CASE(a_deadlock_is_retry_for_its_victim) {
    const auto jane = make_user(store, "jane");
    const auto john = make_user(store, "john");
    require_ok(store.begin());
    require_ok(other_store.begin());
    require_ok(store.set_last_login(jane.id, at(kNow)));
    require_ok(send_deferred(store));
    require_ok(other_store.set_last_login(john.id, at(kNow)));
    require_ok(send_deferred(other_store));
    auto first = std::async(std::launch::async, [&] {
        require_ok(store.set_last_login(john.id, at(kNow)));
        return send_deferred(store);
    });
    BOOST_TEST((first.wait_for(300ms) == std::future_status::timeout));
    require_ok(other_store.set_last_login(jane.id, at(kNow)));
    const auto second = send_deferred(other_store);
    if (!second.ok()) other_store.rollback(); // lets the first go on
    const auto first_result = first.get();
    const int victims = (first_result.ok() ? 0 : 1) + (second.ok() ? 0 : 1);
    BOOST_TEST(victims == 1);
    for (const auto* status : {&first_result, &second})
        if (!status->ok()) BOOST_TEST(status->error().code == Errc::retry);
    store.rollback();
    other_store.rollback();
}

BOOST_AUTO_TEST_CASE(an_unreachable_server_is_service_unavailable) {
    core::DatabaseConfig config = test_config();
    config.socket = "/nonexistent/socialauth.sock";
    MysqlConnection connection_to_nowhere(config);
    MysqlStore unreachable(connection_to_nowhere);
    BOOST_TEST(error_of(unreachable.ping()) == Errc::service_unavailable);
    require_ok(unreachable.begin()); // sends nothing yet
    BOOST_TEST(error_of(unreachable.find_user(1)) == Errc::service_unavailable);
    unreachable.rollback();
    BOOST_TEST(!connection_to_nowhere.in_transaction());
}

BOOST_AUTO_TEST_CASE(a_refused_login_never_shows_the_password) {
    core::DatabaseConfig config = test_config();
    config.user = "socialauth_no_such_user";
    config.password = "pw-s3cret-value";
    MysqlConnection refused(config);
    const auto status = refused.connect();
    BOOST_TEST(error_of(status) == Errc::service_unavailable);
    BOOST_TEST(status.error().detail.find("1045") != std::string::npos, status.error().detail);
    BOOST_TEST(status.error().detail.find("pw-s3cret-value") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_unsafe_table_prefix_is_refused) {
    for (const char* prefix : {"bad-prefix", "x;DROP", "a b", "\xC3\xA9"}) {
        core::DatabaseConfig config = test_config();
        config.table_prefix = prefix;
        BOOST_CHECK_THROW(MysqlConnection{config}, std::invalid_argument);
    }
    core::DatabaseConfig config = test_config();
    config.table_prefix = std::string(store::kMaxTablePrefixLength + 1, 'p');
    BOOST_CHECK_THROW(MysqlConnection{config}, std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
