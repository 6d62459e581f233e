#include "store/mysql_connection.hpp"

#include "store/sql_literals.hpp"

#include <cppconn/connection.h>
#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <stdexcept>
#include <unordered_map>

namespace socialauth::store {

using core::Errc;
using core::Error;
using core::make_error;
using core::Status;

bool is_valid_table_prefix(std::string_view prefix) noexcept {
    if (prefix.size() > kMaxTablePrefixLength) return false;
    for (char c : prefix) {
        const bool ok =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) return false;
    }
    return true;
}

core::TimePoint SqlRow::time(unsigned column) const {
    core::TimePoint out;
    if (is_null(column) || !core::parse_sql_utc(text(column), out))
        throw std::runtime_error("column " + std::to_string(column) + " is not a UTC time");
    return out;
}

std::optional<core::TimePoint> SqlRow::optional_time(unsigned column) const {
    if (is_null(column)) return std::nullopt;
    return time(column);
}

namespace {

constexpr int kConnectTimeoutSeconds = 3;
// Longer than the lock waits below, so that a statement waiting for a lock ends with
// the server's lock wait timeout (retry) rather than a dropped connection: a client
// that gives up does not stop the server's statement, whose transaction would keep
// its locks until the wait ended.
constexpr int kReadWriteTimeoutSeconds = 30;
// At most this long for a row lock (innodb_lock_wait_timeout) and for a table's
// metadata lock (lock_wait_timeout, a day by default: LOCK TABLES or a DDL statement
// would otherwise hold a request until the read timeout). A server configured with a
// shorter wait keeps it.
constexpr int kLockWaitTimeoutSeconds = 10;

// Strict, so that too long or malformed values fail instead of being silently cut,
// whatever the server's default; NO_ENGINE_SUBSTITUTION so a missing InnoDB fails
// the migration instead of creating MyISAM tables without transactions.
std::string session_setup() {
    const std::string wait = std::to_string(kLockWaitTimeoutSeconds);
    return "SET time_zone = '+00:00', "
           "sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
           "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', "
           "innodb_lock_wait_timeout = LEAST(@@GLOBAL.innodb_lock_wait_timeout, " + wait + "), "
           "lock_wait_timeout = LEAST(@@GLOBAL.lock_wait_timeout, " + wait + ")";
}

enum MysqlError : int {
    kDuplicateKey = 1062,
    kLockWaitTimeout = 1205,
    kDeadlock = 1213,
    kTooManyConnections = 1040,
    kServerShutdown = 1053,
    kConnectionKilled = 1927,
    kConnectionError = 2002,
    kConnHostError = 2003,
    kServerGoneAway = 2006,
    kServerLost = 2013,
    kServerLostExtended = 2055,
    kClientInteractionTimeout = 4031,
};

Errc classify(int code) noexcept {
    switch (code) {
    case kDuplicateKey: return Errc::conflict;
    case kLockWaitTimeout:
    case kDeadlock: return Errc::retry;
    case kTooManyConnections:
    case kServerShutdown:
    case kConnectionKilled:
    case kConnectionError:
    case kConnHostError:
    case kServerGoneAway:
    case kServerLost:
    case kServerLostExtended:
    case kClientInteractionTimeout: return Errc::service_unavailable;
    default: return Errc::internal_error;
    }
}

// "Duplicate entry 'jane@example.com' for key 'verified_email_key'": the value may be
// personal data or a token hash, and only the key helps whoever reads the log.
std::string without_duplicate_value(const std::string& message) {
    const auto key = message.rfind(" for key ");
    if (message.rfind("Duplicate entry ", 0) != 0 || key == std::string::npos) return message;
    return "Duplicate entry" + message.substr(key);
}

std::string scrubbed(std::string text, const std::string& secret) {
    if (secret.empty()) return text;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
        text.replace(at, secret.size(), "***");
    return text;
}

class ResultSetRow final : public SqlRow {
public:
    explicit ResultSetRow(sql::ResultSet& rows) : rows_(rows) {}

    bool is_null(unsigned column) const override { return rows_.isNull(column); }

    std::int64_t int64(unsigned column) const override {
        require_value(column);
        return rows_.getInt64(column);
    }

    bool boolean(unsigned column) const override {
        require_value(column);
        return rows_.getBoolean(column);
    }

    std::string text(unsigned column) const override {
        require_value(column);
        return rows_.getString(column);
    }

private:
    void require_value(unsigned column) const {
        if (rows_.isNull(column))
            throw std::runtime_error("column " + std::to_string(column) + " is NULL");
    }

    sql::ResultSet& rows_;
};

} // namespace

class MysqlConnection::Impl {
public:
    Impl(core::DatabaseConfig config, std::chrono::seconds revalidate_after)
        : config_(std::move(config)), revalidate_after_(revalidate_after) {}

    ~Impl() { drop(); }

    const core::DatabaseConfig& config() const noexcept { return config_; }
    bool is_connected() const noexcept { return connection_ != nullptr; }
    bool in_transaction() const noexcept { return in_transaction_; }

    Status connect() {
        if (connection_) return {};
        try {
            sql::ConnectOptionsMap options;
            if (!config_.socket.empty()) {
                options["hostName"] = sql::SQLString("localhost");
                options["socket"] = sql::SQLString(config_.socket);
            } else {
                options["hostName"] = sql::SQLString(config_.host);
                options["port"] = config_.port;
            }
            options["userName"] = sql::SQLString(config_.user);
            options["password"] = sql::SQLString(config_.password);
            options["schema"] = sql::SQLString(config_.name);
            options["OPT_CONNECT_TIMEOUT"] = kConnectTimeoutSeconds;
            options["OPT_READ_TIMEOUT"] = kReadWriteTimeoutSeconds;
            options["OPT_WRITE_TIMEOUT"] = kReadWriteTimeoutSeconds;
            // Reconnecting behind our back would silently leave a transaction.
            options["OPT_RECONNECT"] = false;
            // For batches: several statements in one round trip (see run_batch). Only
            // this file's own statements are sent, their values as hex literals.
            options["CLIENT_MULTI_STATEMENTS"] = true;
            options["OPT_LOCAL_INFILE"] = 0;
            options["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
            options["characterSetResults"] = sql::SQLString("utf8mb4");

            connection_.reset(sql::mysql::get_mysql_driver_instance()->connect(options));
            // Both settings in one round trip; the second's failure comes with its result.
            const std::unique_ptr<sql::Statement> statement(connection_->createStatement());
            statement->execute(session_setup() +
                               ";\nSET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
            statement->getMoreResults();
        } catch (const sql::SQLException& e) {
            drop();
            return make_error(Errc::service_unavailable, "cannot connect to MySQL: " + describe(e));
        } catch (const std::exception& e) {
            drop();
            return make_error(Errc::internal_error,
                              "cannot connect to MySQL: " + scrubbed(e.what(), config_.password));
        }
        touch();
        return {};
    }

    void drop() noexcept {
        statements_.clear();
        if (!connection_) return;
        try {
            connection_->close();
        } catch (const std::exception&) {
            // The session is gone either way; closing only tells the server sooner.
        }
        connection_.reset();
    }

    void disconnect() noexcept {
        drop();
        pending_.clear();
        in_transaction_ = false;
        transaction_sent_ = false;
        aborted_.reset();
    }

    // START TRANSACTION waits for the transaction's first statement and goes with it.
    Status begin() {
        if (in_transaction_) {
            rollback();
            return make_error(Errc::internal_error, "begin() inside a transaction; rolled it back");
        }
        in_transaction_ = true;
        transaction_sent_ = false;
        pending_.push_back({"START TRANSACTION", "START TRANSACTION"});
        return {};
    }

    // A commit that fails rolls back: after a lock wait timeout the server still holds
    // the transaction open, and the next START TRANSACTION would commit it. A
    // transaction that never reached the server has nothing to commit.
    Status commit() {
        Status status;
        if (transaction_sent_ || pending_.size() > 1) {
            status = run_batch(take_pending({"COMMIT", "COMMIT"}), nullptr);
            if (!status.ok()) rollback();
        }
        pending_.clear();
        in_transaction_ = false;
        transaction_sent_ = false;
        return status;
    }

    void rollback() noexcept {
        if (connection_ && transaction_sent_) {
            try {
                direct(*connection_, "ROLLBACK");
            } catch (const std::exception&) {
                // The server rolls back what a closed session left open.
                drop();
            }
        }
        pending_.clear();
        in_transaction_ = false;
        transaction_sent_ = false;
        aborted_.reset();
    }

    Status defer(const std::string& sql, const SqlParams& params) {
        if (!in_transaction_) {
            auto changed = execute(sql, params);
            if (!changed.ok()) return changed.error();
            return {};
        }
        if (aborted_) return aborted_error(sql);
        auto text = with_literals(sql, params);
        if (!text.ok()) return text.error();
        pending_.push_back({sql, std::move(*text)});
        return {};
    }

    Status query(const std::string& sql, const SqlParams& params, const RowHandler& on_row) {
        if (!pending_.empty()) {
            auto statement = batch_statement(sql, params);
            if (!statement.ok()) return statement.error();
            return run_batch(take_pending(std::move(*statement)), &on_row);
        }
        return run(sql, [&](sql::Connection& c) {
            sql::PreparedStatement& statement = prepared(c, sql, params);
            const std::unique_ptr<sql::ResultSet> rows(statement.executeQuery());
            const ResultSetRow row(*rows);
            while (rows->next()) on_row(row);
        });
    }

    core::Result<std::int64_t> execute(const std::string& sql, const SqlParams& params) {
        if (!pending_.empty()) return ask_after(sql, params, "SELECT ROW_COUNT()");
        std::int64_t changed = 0;
        auto status = run(
            sql, [&](sql::Connection& c) { changed = prepared(c, sql, params).executeUpdate(); });
        if (!status.ok()) return status.error();
        return changed;
    }

    // The insert and the question for its id in one round trip: Connector/C++ 1.1
    // tells a prepared statement's AUTO_INCREMENT id to nobody.
    core::Result<std::int64_t> insert(const std::string& sql, const SqlParams& params) {
        return ask_after(sql, params, "SELECT LAST_INSERT_ID()");
    }

    Status execute_direct(const std::string& sql) {
        return run_batch(take_pending({sql, sql}), nullptr);
    }

private:
    // A statement of a batch: as the caller wrote it, for error messages (never with
    // its values), and as sent.
    struct BatchStatement {
        std::string sql;
        std::string text;
    };

    static core::Result<BatchStatement> batch_statement(const std::string& sql,
                                                        const SqlParams& params) {
        auto text = with_literals(sql, params);
        if (!text.ok()) return text.error();
        return BatchStatement{sql, std::move(*text)};
    }

    // The pending statements followed by `last`, leaving none pending.
    std::vector<BatchStatement> take_pending(BatchStatement last) {
        std::vector<BatchStatement> batch = std::move(pending_);
        pending_.clear();
        batch.push_back(std::move(last));
        return batch;
    }

    // Runs sql after whatever is pending and answers `question`, a one-value query
    // about it, in the same round trip.
    core::Result<std::int64_t> ask_after(const std::string& sql, const SqlParams& params,
                                         const char* question) {
        auto statement = batch_statement(sql, params);
        if (!statement.ok()) return statement.error();
        auto batch = take_pending(std::move(*statement));
        batch.push_back({question, question});
        std::optional<std::int64_t> answer;
        const RowHandler on_row = [&](const SqlRow& row) { answer = row.int64(1); };
        if (auto status = run_batch(std::move(batch), &on_row); !status.ok()) return status.error();
        if (!answer)
            return make_error(Errc::internal_error, std::string(question) + " returned no row");
        return *answer;
    }

    // Sends the statements as one text in one round trip and reads their results in
    // order; on_last_rows gets the rows of the last one. The server stops at the first
    // that fails, and the error names that one. Inside a transaction any failure
    // aborts it: the statements after the failed one, written by callers who were
    // told nothing had failed, did not run.
    Status run_batch(std::vector<BatchStatement> statements, const RowHandler* on_last_rows) {
        std::string joined;
        for (const auto& statement : statements) {
            if (!joined.empty()) joined += ";\n";
            joined += statement.text;
        }
        std::string current = statements.front().sql;
        auto status = run(current, [&](sql::Connection& c) {
            current = statements.front().sql;
            const std::unique_ptr<sql::Statement> statement(c.createStatement());
            bool has_rows = statement->execute(joined);
            for (std::size_t index = 0;;) {
                if (has_rows) {
                    const std::unique_ptr<sql::ResultSet> rows(statement->getResultSet());
                    if (on_last_rows && index + 1 == statements.size()) {
                        const ResultSetRow row(*rows);
                        while (rows->next()) (*on_last_rows)(row);
                    }
                }
                if (++index == statements.size()) break;
                current = statements[index].sql;
                has_rows = statement->getMoreResults();
            }
        });
        if (in_transaction_) {
            transaction_sent_ = true;
            if (!status.ok()) aborted_ = status.error().code;
        }
        return status;
    }

    static void direct(sql::Connection& connection, const std::string& text) {
        const std::unique_ptr<sql::Statement> statement(connection.createStatement());
        if (statement->execute(text)) {
            const std::unique_ptr<sql::ResultSet> discarded(statement->getResultSet());
        }
    }

    sql::PreparedStatement& prepared(sql::Connection& connection, const std::string& text,
                                     const SqlParams& params) {
        auto found = statements_.find(text);
        if (found == statements_.end()) {
            std::unique_ptr<sql::PreparedStatement> fresh(connection.prepareStatement(text));
            found = statements_.emplace(text, std::move(fresh)).first;
        }
        sql::PreparedStatement& statement = *found->second;
        unsigned index = 1;
        for (const SqlParam& param : params) {
            if (std::holds_alternative<std::int64_t>(param))
                statement.setInt64(index, std::get<std::int64_t>(param));
            else if (std::holds_alternative<std::string>(param))
                statement.setString(index, std::get<std::string>(param));
            else
                statement.setNull(index, sql::DataType::VARCHAR);
            ++index;
        }
        return statement;
    }

    template <typename Body> Status run(const std::string& what, Body&& body) {
        if (aborted_) return aborted_error(what);
        revalidate_if_idle();
        const bool reused = connection_ != nullptr;
        if (auto status = connect(); !status.ok()) return status;
        int code = 0;
        Status status = attempt(what, body, code);
        // "Gone away": the client library could not even send the statement, as the
        // server had closed this session meanwhile (killed, restarted, timed out).
        // Unless a transaction had reached that session, nothing was lost with it, and
        // a new session runs the statement for the first time. A session lost while a
        // statement ran (2013) is not retried here: that statement may have taken effect.
        if (!status.ok() && code == kServerGoneAway && reused && !transaction_sent_) {
            if (auto again = connect(); !again.ok()) return again;
            status = attempt(what, body, code);
        }
        if (status.ok()) {
            touch();
        } else if (in_transaction_ && (status.error().code == Errc::service_unavailable ||
                                       status.error().code == Errc::retry)) {
            aborted_ = status.error().code;
        }
        return status;
    }

    Error aborted_error(const std::string& what) const {
        return make_error(*aborted_, "the transaction was aborted; roll back before `" + what + "`");
    }

    template <typename Body> Status attempt(const std::string& what, Body& body, int& code) {
        try {
            body(*connection_);
        } catch (const sql::SQLException& e) {
            code = e.getErrorCode();
            return failure(e, what);
        } catch (const std::exception& e) {
            return make_error(Errc::internal_error,
                              "in `" + what + "`: " + scrubbed(e.what(), config_.password));
        }
        return {};
    }

    // A session that sat idle may have been closed by the server; unless a
    // transaction has reached it, nothing is lost by replacing it before use.
    void revalidate_if_idle() {
        if (!connection_ || transaction_sent_) return;
        if (std::chrono::steady_clock::now() - last_used_ < revalidate_after_) return;
        bool valid = false;
        try {
            valid = connection_->isValid();
        } catch (const std::exception&) {
            valid = false;
        }
        if (!valid) drop();
    }

    Error failure(const sql::SQLException& e, const std::string& what) {
        const Errc code = classify(e.getErrorCode());
        if (code == Errc::service_unavailable) drop();
        return make_error(code, describe(e) + " in `" + what + "`");
    }

    std::string describe(const sql::SQLException& e) const {
        std::string text = "MySQL error " + std::to_string(e.getErrorCode());
        if (!e.getSQLState().empty()) text += " (" + e.getSQLState() + ")";
        return text + ": " + scrubbed(without_duplicate_value(e.what()), config_.password);
    }

    void touch() noexcept { last_used_ = std::chrono::steady_clock::now(); }

    core::DatabaseConfig config_;
    std::chrono::seconds revalidate_after_;
    std::unique_ptr<sql::Connection> connection_;
    // Declared after connection_, so that its statements are closed before it.
    std::unordered_map<std::string, std::unique_ptr<sql::PreparedStatement>> statements_;
    std::chrono::steady_clock::time_point last_used_{};
    bool in_transaction_ = false;
    // Whether START TRANSACTION has gone to the server (begin() only queues it).
    bool transaction_sent_ = false;
    // Deferred statements, and START TRANSACTION, in order, for the next round trip.
    std::vector<BatchStatement> pending_;
    std::optional<Errc> aborted_;
};

MysqlConnection::MysqlConnection(core::DatabaseConfig config,
                                 std::chrono::seconds revalidate_after) {
    if (!is_valid_table_prefix(config.table_prefix))
        throw std::invalid_argument("database.table_prefix must match [A-Za-z0-9_]{0,46}");
    impl_ = std::make_unique<Impl>(std::move(config), revalidate_after);
}

MysqlConnection::~MysqlConnection() = default;

const std::string& MysqlConnection::table_prefix() const noexcept {
    return impl_->config().table_prefix;
}

Status MysqlConnection::connect() { return impl_->connect(); }
bool MysqlConnection::is_connected() const noexcept { return impl_->is_connected(); }
void MysqlConnection::disconnect() noexcept { impl_->disconnect(); }

Status MysqlConnection::begin() { return impl_->begin(); }
Status MysqlConnection::commit() { return impl_->commit(); }
void MysqlConnection::rollback() noexcept { impl_->rollback(); }

Status MysqlConnection::defer(const std::string& sql, const SqlParams& params) {
    return impl_->defer(sql, params);
}
bool MysqlConnection::in_transaction() const noexcept { return impl_->in_transaction(); }

Status MysqlConnection::query(const std::string& sql, const SqlParams& params,
                              const RowHandler& on_row) {
    return impl_->query(sql, params, on_row);
}

core::Result<std::int64_t> MysqlConnection::execute(const std::string& sql,
                                                    const SqlParams& params) {
    return impl_->execute(sql, params);
}

core::Result<std::int64_t> MysqlConnection::insert(const std::string& sql,
                                                   const SqlParams& params) {
    return impl_->insert(sql, params);
}

Status MysqlConnection::execute_direct(const std::string& sql) {
    return impl_->execute_direct(sql);
}

} // namespace socialauth::store
