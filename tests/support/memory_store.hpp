// A Store in memory that behaves like MysqlStore on our schema, so that unit tests of
// the pipeline and the API see what production would: usernames unique ignoring
// ASCII case and trailing spaces, (provider, uid) unique byte for byte, at most one
// user per verified email key (trimmed, A-Z lower-cased; empty keys never match),
// token hashes unique; each violation is Errc::conflict and changes nothing. begin()
// snapshots the rows and rollback() restores them; ids, like AUTO_INCREMENT, are not
// given back by a rollback. Values MySQL's strict mode would refuse (too long, bad
// UTF-8, extra_data that is not JSON, a time outside TIMESTAMP's range, a row
// pointing at a missing user) fail with Errc::internal_error, and times keep whole
// seconds only. Beyond MySQL, only
// usernames that differ by non-ASCII case or accents are told apart here.
//
// Test hooks: fail_next() makes the next calls of a method fail with a chosen code,
// as a dead connection (service_unavailable) or a deadlock (retry) would; inside a
// transaction those two abort it the way MysqlConnection does (its writes are gone
// and every call fails with the same code until rollback()). The rows are readable
// for assertions. Rate limit counters (hit_rate_limit) are rows like any other: a
// rollback takes back hits counted inside the transaction, as InnoDB would.
#pragma once

#include "store/store.hpp"

#include <map>
#include <optional>
#include <string>
#include <tuple>

namespace socialauth::testing {

class MemoryStore final : public store::Store {
public:
    struct IdentityRow {
        store::IdentityRecord record;
        core::TimePoint created;
        core::TimePoint modified;
    };

    store::Status begin() override;
    store::Status commit() override;
    void rollback() noexcept override;
    store::Status ping() override;

    store::Result<std::optional<store::UserRecord>> find_user(std::int64_t id) override;
    store::Result<std::vector<store::UserRecord>>
    find_users_by_email(const std::string& email_key) override;
    store::Result<bool> username_exists(const std::string& username) override;
    store::Result<store::UserRecord> create_user(const store::NewUser& user) override;
    store::Status update_user_profile(const store::UserRecord& user) override;
    store::Status set_last_login(std::int64_t user_id, core::TimePoint when) override;
    store::Status set_user_active(std::int64_t user_id, bool active, core::TimePoint when) override;

    store::Result<std::optional<store::LinkedUser>>
    find_identity(const std::string& provider, const std::string& uid) override;
    store::Result<std::vector<store::IdentityRecord>> identities_of(std::int64_t user_id) override;
    store::Result<store::IdentityRecord>
    create_identity(std::int64_t user_id, const std::string& provider, const std::string& uid,
                    const std::string& extra_data, core::TimePoint when) override;
    store::Status update_identity_extra_data(std::int64_t identity_id,
                                             const std::string& extra_data,
                                             core::TimePoint when) override;

    store::Status insert_token(const store::TokenRecord& token) override;
    store::Result<std::optional<store::TokenOwner>>
    find_token(const std::string& token_hash) override;
    store::Status touch_token(std::int64_t token_id, core::TimePoint when) override;
    store::Status revoke_token(std::int64_t token_id, core::TimePoint when) override;
    store::Result<std::int64_t> revoke_all_tokens(std::int64_t user_id,
                                                  core::TimePoint when) override;
    store::Status revoke_tokens_beyond(std::int64_t user_id, std::int64_t keep,
                                       core::TimePoint when) override;

    store::Result<std::optional<store::CacheEntry>> get_cached(const std::string& key) override;
    store::Status put_cached(const std::string& key, const store::CacheEntry& entry) override;

    store::Result<bool> hit_rate_limit(const std::string& bucket, std::int64_t window_seconds,
                                       core::TimePoint window_start, std::int64_t limit) override;

    // The next `times` calls of `method` (named as in Store, e.g. "create_user") fail
    // with `code` and change nothing.
    void fail_next(const std::string& method, core::Errc code, int times = 1);
    // The next commit() commits, then fails with service_unavailable: the connection
    // was lost before the server's answer arrived.
    void lose_next_commit_answer() noexcept { lose_commit_answer_ = true; }
    // How often `method` was called, failed calls included.
    int calls(const std::string& method) const;
    // Flips users.is_active alone, as another program on the database (a PHP admin
    // page) may: unlike set_user_active, no token is revoked.
    void set_is_active_directly(std::int64_t user_id, bool active);

    bool in_transaction() const noexcept { return snapshot_.has_value(); }
    const std::map<std::int64_t, store::UserRecord>& users() const noexcept { return rows_.users; }
    const std::map<std::int64_t, IdentityRow>& identities() const noexcept {
        return rows_.identities;
    }
    const std::map<std::int64_t, store::TokenRecord>& tokens() const noexcept {
        return rows_.tokens;
    }
    const std::map<std::string, store::CacheEntry>& provider_cache() const noexcept {
        return rows_.provider_cache;
    }
    // (bucket, window_seconds, window_start in Unix seconds) -> hits.
    using RateLimitKey = std::tuple<std::string, std::int64_t, std::int64_t>;
    const std::map<RateLimitKey, std::int64_t>& rate_limits() const noexcept {
        return rows_.rate_limits;
    }

private:
    struct Rows {
        std::map<std::int64_t, store::UserRecord> users;
        std::map<std::int64_t, IdentityRow> identities;
        std::map<std::int64_t, store::TokenRecord> tokens;
        std::map<RateLimitKey, std::int64_t> rate_limits;
        std::map<std::string, store::CacheEntry> provider_cache;
    };

    struct Failure {
        core::Errc code;
        int remaining;
    };

    // Counts the call and returns the error it must fail with, if any.
    std::optional<core::Error> enter(const std::string& method);
    store::Status check_user(const std::string& username, const std::string& email,
                             bool email_verified, const std::string& first_name,
                             const std::string& last_name, std::int64_t self) const;

    Rows rows_;
    std::optional<Rows> snapshot_;
    std::optional<core::Errc> aborted_;
    std::int64_t next_user_id_ = 1;
    std::int64_t next_identity_id_ = 1;
    std::int64_t next_token_id_ = 1;
    std::map<std::string, Failure> failures_;
    bool lose_commit_answer_ = false;
    std::map<std::string, int> calls_;
};

} // namespace socialauth::testing
