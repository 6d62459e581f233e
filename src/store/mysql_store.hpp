// The Store over MySQL/MariaDB, on the tables of sql/001_initial.sql with the
// connection's table_prefix. Writes whose only answer is success (every update, the
// token insert) are deferred inside a transaction: they go to the server with the
// transaction's next read or its COMMIT (MysqlConnection), so their errors come from
// that call. Uniqueness (username
// ignoring case, (provider, uid) byte for byte, one user per verified email, token
// hash) is left to the schema's unique keys, whose violations come back as
// Errc::conflict. The email_key column is derived here from the email (trimmed,
// A-Z lower-cased), so no caller can store one that disagrees with its email; an
// empty email_key matches no one. find_identity and find_users_by_email lock the rows
// they return (FOR UPDATE), so the user a transaction is about to link to can't
// change under it; under READ COMMITTED they take no gap locks, which keeps
// concurrent first logins from deadlocking on rows that don't exist yet. An empty
// extra_data is stored as {}. Updates of a row that does not exist change nothing
// and succeed. Times are stored with whole seconds.
#pragma once

#include "store/mysql_connection.hpp"
#include "store/store.hpp"

#include <memory>
#include <string>

namespace socialauth::store {

class MysqlStore final : public Store {
public:
    // Owns a connection of its own, made from config (see MysqlConnection for when
    // that throws).
    explicit MysqlStore(core::DatabaseConfig config);
    // Works on a connection the caller owns and keeps alive.
    explicit MysqlStore(MysqlConnection& connection);

    Status begin() override;
    Status commit() override;
    void rollback() noexcept override;
    Status ping() override;

    Result<std::optional<UserRecord>> find_user(std::int64_t id) override;
    Result<std::vector<UserRecord>> find_users_by_email(const std::string& email_key) override;
    Result<bool> username_exists(const std::string& username) override;
    Result<UserRecord> create_user(const NewUser& user) override;
    Status update_user_profile(const UserRecord& user) override;
    Status set_last_login(std::int64_t user_id, core::TimePoint when) override;
    Status set_user_active(std::int64_t user_id, bool active, core::TimePoint when) override;

    Result<std::optional<LinkedUser>> find_identity(const std::string& provider,
                                                        const std::string& uid) override;
    Result<std::vector<IdentityRecord>> identities_of(std::int64_t user_id) override;
    Result<IdentityRecord> create_identity(std::int64_t user_id, const std::string& provider,
                                           const std::string& uid, const std::string& extra_data,
                                           core::TimePoint when) override;
    Status update_identity_extra_data(std::int64_t identity_id, const std::string& extra_data,
                                      core::TimePoint when) override;

    Status insert_token(const TokenRecord& token) override;
    Result<std::optional<TokenOwner>> find_token(const std::string& token_hash) override;
    Status touch_token(std::int64_t token_id, core::TimePoint when) override;
    Status revoke_token(std::int64_t token_id, core::TimePoint when) override;
    Result<std::int64_t> revoke_all_tokens(std::int64_t user_id, core::TimePoint when) override;
    Status revoke_tokens_beyond(std::int64_t user_id, std::int64_t keep,
                                core::TimePoint when) override;

    Result<std::optional<CacheEntry>> get_cached(const std::string& key) override;
    Status put_cached(const std::string& key, const CacheEntry& entry) override;

    Result<bool> hit_rate_limit(const std::string& bucket, std::int64_t window_seconds,
                                core::TimePoint window_start, std::int64_t limit) override;

private:
    explicit MysqlStore(std::unique_ptr<MysqlConnection> owned);

    Result<std::vector<UserRecord>> users_where(const std::string& condition,
                                                const SqlParams& params);
    Result<std::vector<IdentityRecord>> identities_where(const std::string& condition,
                                                         const SqlParams& params);
    Status update(const std::string& sql, const SqlParams& params);

    std::unique_ptr<MysqlConnection> owned_;
    MysqlConnection& db_;
    const std::string users_;
    const std::string identities_;
    const std::string tokens_;
    const std::string rate_limits_;
    const std::string provider_cache_;
};

} // namespace socialauth::store
