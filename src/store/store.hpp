// Persistence as the pipeline and the API need it, with an explicit transaction.
// Errors: Errc::conflict for a duplicate key, Errc::retry for a deadlock or lock wait
// timeout (the caller rolls back and retries the whole unit of work),
// Errc::service_unavailable when the database can't be reached (the next call
// reconnects). Inside a transaction a write may report its failure only at the next
// read or at commit() (MysqlStore defers writes to save round trips); a commit() that
// fails with service_unavailable may have committed. MysqlStore is the production
// implementation; tests also use an in-memory one.
#pragma once

#include "core/result.hpp"
#include "store/records.hpp"

#include <optional>
#include <string>
#include <vector>

namespace socialauth::store {

template <typename T> using Result = core::Result<T>;
using core::Status;

class Store {
public:
    virtual ~Store() = default;

    virtual Status begin() = 0;
    virtual Status commit() = 0;
    // Never fails from the caller's point of view; a lost connection is dropped.
    virtual void rollback() noexcept = 0;
    // A cheap round trip, for /health.
    virtual Status ping() = 0;

    virtual Result<std::optional<UserRecord>> find_user(std::int64_t id) = 0;
    // Users whose email equals email_key compared by ASCII case (email_key is
    // trimmed and ASCII-lower-cased by the caller).
    virtual Result<std::vector<UserRecord>> find_users_by_email(const std::string& email_key) = 0;
    virtual Result<bool> username_exists(const std::string& username) = 0;
    // Errc::conflict when the username or the verified email is taken.
    virtual Result<UserRecord> create_user(const NewUser& user) = 0;
    // Writes username, email, email_verified, first_name, last_name.
    virtual Status update_user_profile(const UserRecord& user) = 0;
    virtual Status set_last_login(std::int64_t user_id, core::TimePoint when) = 0;
    // Deactivating also revokes every live API token of the user (revoked_at = when),
    // both in one transaction: the caller's when it has one, else one of its own.
    virtual Status set_user_active(std::int64_t user_id, bool active, core::TimePoint when) = 0;

    // The identity with its user, in one round trip. Both rows stay locked until the
    // transaction ends, so what they say (the user's is_active above all) stays true
    // until then: a deactivation waits for the commit.
    virtual Result<std::optional<LinkedUser>> find_identity(const std::string& provider,
                                                            const std::string& uid) = 0;
    virtual Result<std::vector<IdentityRecord>> identities_of(std::int64_t user_id) = 0;
    // Errc::conflict when (provider, uid) is already linked.
    virtual Result<IdentityRecord> create_identity(std::int64_t user_id, const std::string& provider,
                                                   const std::string& uid,
                                                   const std::string& extra_data,
                                                   core::TimePoint when) = 0;
    virtual Status update_identity_extra_data(std::int64_t identity_id,
                                              const std::string& extra_data,
                                              core::TimePoint when) = 0;

    virtual Status insert_token(const TokenRecord& token) = 0;
    // The token with its user and the user's identities, in one round trip: all that
    // an API request needs.
    virtual Result<std::optional<TokenOwner>> find_token(const std::string& token_hash) = 0;
    virtual Status touch_token(std::int64_t token_id, core::TimePoint when) = 0;
    virtual Status revoke_token(std::int64_t token_id, core::TimePoint when) = 0;
    // Revokes every live token of the user; returns how many.
    virtual Result<std::int64_t> revoke_all_tokens(std::int64_t user_id, core::TimePoint when) = 0;
    // Revokes the oldest live tokens so that at most keep remain.
    virtual Status revoke_tokens_beyond(std::int64_t user_id, std::int64_t keep,
                                        core::TimePoint when) = 0;

    // A small shared cache (provider_cache) for what providers fetch, such as Google's
    // signing keys, so that CGI processes share it. key: at most 191 bytes, compared
    // byte for byte.
    // get_cached returns the entry whether or not it has expired. Meant to run outside
    // a transaction (autocommit): put_cached replaces the entry at once for everyone.
    virtual Result<std::optional<CacheEntry>> get_cached(const std::string& key) = 0;
    virtual Status put_cached(const std::string& key, const CacheEntry& entry) = 0;

    // Counts one hit of `bucket` (at most 100 bytes) in the window of window_seconds
    // that starts at window_start unless the window has `limit` (>= 1) hits already,
    // and returns whether it counted: whether the hit is within the limit. A full
    // window stays full, so refused hits need no counting. Meant to run outside a
    // transaction (autocommit), so that no rollback takes a hit back; concurrent hits
    // from any process are all counted. Windows that ended by window_start may be
    // deleted on the way.
    virtual Result<bool> hit_rate_limit(const std::string& bucket, std::int64_t window_seconds,
                                        core::TimePoint window_start, std::int64_t limit) = 0;
};

} // namespace socialauth::store
