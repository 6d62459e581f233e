// One MySQL/MariaDB session over Connector/C++, which no other header sees. It connects
// lazily, sets the session up the way the schema assumes (UTC, READ COMMITTED,
// utf8mb4, strict mode, no automatic reconnect, row and metadata lock waits of at
// most 10 s or the server's shorter global value), caches prepared statements by their
// SQL text for the life of the session and turns every failure into a core::Error:
// duplicate key -> conflict, deadlock or lock wait timeout -> retry, a lost or refused
// connection -> service_unavailable (the session is dropped and the next call
// reconnects), anything else -> internal_error.
//
// Round trips are what a request costs most, so a transaction sends as few as it can:
// begin() and defer() only queue their statements, and they go to the server together
// with the next statement whose answer the caller needs (query, execute, insert) or
// with the COMMIT, as one multi-statement text (sql_literals.hpp) that the server runs
// in order and stops at the first failure. A deferred statement's failure is
// therefore the failure of the call that sent it. A commit() that fails with
// service_unavailable may have committed (the connection was lost while the COMMIT or
// a statement sent with it ran). Outside a transaction statements run at once,
// prepared.
//
// A statement that could not be sent because the server had closed the session
// ("gone away") is run once more on a new session when no transaction has reached
// the server. A transaction that lost its connection or hit a deadlock or lock wait
// timeout, or whose batch failed, is aborted: every call fails with that same code
// until rollback(), so no later statement can run outside the transaction the caller
// believes it is in; a commit() that fails rolls back. Error details name the MySQL
// error code and message and the statement as written (with `?`), never the
// password, a parameter or a duplicate key's value.
#pragma once

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/result.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace socialauth::store {

// The longest table_prefix: the longest table name and the migration lock name
// must stay within MySQL's 64 characters.
inline constexpr std::size_t kMaxTablePrefixLength = 46;

// [A-Za-z0-9_]*, at most kMaxTablePrefixLength characters: safe to splice into SQL.
bool is_valid_table_prefix(std::string_view prefix) noexcept;

// A value bound to a `?` placeholder; booleans go as 0 or 1.
using SqlParam = std::variant<std::nullptr_t, std::int64_t, std::string>;
using SqlParams = std::vector<SqlParam>;

// One row of a result; columns count from 1 as in SQL. A NULL where the accessor
// expects a value, or a time in another form than format_sql_utc's, throws, and the
// query that read it fails with internal_error.
class SqlRow {
public:
    virtual ~SqlRow() = default;
    virtual bool is_null(unsigned column) const = 0;
    virtual std::int64_t int64(unsigned column) const = 0;
    virtual bool boolean(unsigned column) const = 0;
    virtual std::string text(unsigned column) const = 0;
    core::TimePoint time(unsigned column) const;
    std::optional<core::TimePoint> optional_time(unsigned column) const;
};

using RowHandler = std::function<void(const SqlRow&)>;

class MysqlConnection {
public:
    // A session idle this long is pinged before its next use outside a transaction, so
    // that one the server closed meanwhile (wait_timeout) is replaced silently instead
    // of failing a request.
    static constexpr std::chrono::seconds kDefaultRevalidateAfter{5};

    // Throws std::invalid_argument when config.table_prefix is not valid.
    explicit MysqlConnection(core::DatabaseConfig config,
                             std::chrono::seconds revalidate_after = kDefaultRevalidateAfter);
    ~MysqlConnection();
    MysqlConnection(const MysqlConnection&) = delete;
    MysqlConnection& operator=(const MysqlConnection&) = delete;

    const std::string& table_prefix() const noexcept;

    // Connects unless connected; every other call does this itself.
    core::Status connect();
    bool is_connected() const noexcept;
    void disconnect() noexcept;

    // begin() inside a transaction rolls that one back and fails with internal_error:
    // START TRANSACTION would silently commit it.
    core::Status begin();
    core::Status commit();
    void rollback() noexcept;
    bool in_transaction() const noexcept;

    // A statement whose only answer the caller needs is whether it failed: inside a
    // transaction it waits for the next round trip (see above), outside one it runs
    // at once.
    core::Status defer(const std::string& sql, const SqlParams& params);

    // Statements with `?` placeholders: prepared and cached, or in a batch after
    // whatever is pending.
    core::Status query(const std::string& sql, const SqlParams& params, const RowHandler& on_row);
    // Returns the number of rows changed.
    core::Result<std::int64_t> execute(const std::string& sql, const SqlParams& params);
    // Returns the AUTO_INCREMENT id the statement generated; always a batch.
    core::Result<std::int64_t> insert(const std::string& sql, const SqlParams& params);

    // Runs one statement as text, unprepared and uncached, after whatever is pending:
    // for DDL, which the prepared protocol does not fully cover, and for session
    // settings. Any rows are discarded. sql must be a single statement.
    core::Status execute_direct(const std::string& sql);

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace socialauth::store
