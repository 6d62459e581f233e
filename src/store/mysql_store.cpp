#include "store/mysql_store.hpp"

#include "core/text.hpp"
#include "store/mysql_rows.hpp"

#include <algorithm>

namespace socialauth::store {

namespace {

// A token is live while neither revoked nor past its absolute expiry.
constexpr const char* kLiveAt = "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)";

std::string email_key_of(const std::string& email) { return core::ascii_lower(core::trim(email)); }

std::string json_or_empty_object(const std::string& extra_data) {
    return extra_data.empty() ? "{}" : extra_data;
}

SqlParam time_param(core::TimePoint t) { return core::format_sql_utc(t); }

SqlParam time_param(const std::optional<core::TimePoint>& t) {
    if (!t) return nullptr;
    return core::format_sql_utc(*t);
}

SqlParam bool_param(bool b) { return std::int64_t{b ? 1 : 0}; }

// The database keeps whole seconds; records handed back say what a read would.
core::TimePoint whole_seconds(core::TimePoint t) {
    return core::from_unix_seconds(core::to_unix_seconds(t));
}

} // namespace

MysqlStore::MysqlStore(core::DatabaseConfig config)
    : MysqlStore(std::make_unique<MysqlConnection>(std::move(config))) {}

MysqlStore::MysqlStore(std::unique_ptr<MysqlConnection> owned) : MysqlStore(*owned) {
    owned_ = std::move(owned);
}

MysqlStore::MysqlStore(MysqlConnection& connection)
    : db_(connection), users_(connection.table_prefix() + "users"),
      identities_(connection.table_prefix() + "social_identities"),
      tokens_(connection.table_prefix() + "api_tokens"),
      rate_limits_(connection.table_prefix() + "rate_limits"),
      provider_cache_(connection.table_prefix() + "provider_cache") {}

Status MysqlStore::begin() { return db_.begin(); }

Status MysqlStore::commit() { return db_.commit(); }

void MysqlStore::rollback() noexcept { db_.rollback(); }

Status MysqlStore::ping() {
    return db_.query("SELECT 1", {}, [](const SqlRow&) {});
}

Result<std::vector<UserRecord>> MysqlStore::users_where(const std::string& condition,
                                                        const SqlParams& params) {
    std::vector<UserRecord> users;
    auto status =
        db_.query(std::string("SELECT ") + kUserColumns + " FROM " + users_ + " WHERE " + condition,
                  params, [&](const SqlRow& row) { users.push_back(read_user(row)); });
    if (!status.ok()) return status.error();
    return users;
}

Result<std::vector<IdentityRecord>> MysqlStore::identities_where(const std::string& condition,
                                                                 const SqlParams& params) {
    std::vector<IdentityRecord> identities;
    auto status = db_.query(
        std::string("SELECT ") + kIdentityColumns + " FROM " + identities_ + " WHERE " + condition,
        params, [&](const SqlRow& row) { identities.push_back(read_identity(row)); });
    if (!status.ok()) return status.error();
    return identities;
}

Status MysqlStore::update(const std::string& sql, const SqlParams& params) {
    return db_.defer(sql, params);
}

Result<std::optional<UserRecord>> MysqlStore::find_user(std::int64_t id) {
    auto users = users_where("id = ?", {id});
    if (!users.ok()) return users.error();
    if (users->empty()) return std::optional<UserRecord>();
    return std::optional<UserRecord>(std::move(users->front()));
}

Result<std::vector<UserRecord>> MysqlStore::find_users_by_email(const std::string& email_key) {
    const std::string key = email_key_of(email_key);
    if (key.empty()) return std::vector<UserRecord>();
    return users_where("email_key = ? ORDER BY id FOR UPDATE", {key});
}

Result<bool> MysqlStore::username_exists(const std::string& username) {
    bool exists = false;
    auto status = db_.query("SELECT 1 FROM " + users_ + " WHERE username = ? LIMIT 1", {username},
                            [&](const SqlRow&) { exists = true; });
    if (!status.ok()) return status.error();
    return exists;
}

Result<UserRecord> MysqlStore::create_user(const NewUser& user) {
    const core::TimePoint joined = whole_seconds(user.date_joined);
    auto id = db_.insert("INSERT INTO " + users_ +
                             " (username, email, email_key, email_verified, first_name, last_name,"
                             " is_active, date_joined) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
                         {user.username, user.email, email_key_of(user.email),
                          bool_param(user.email_verified), user.first_name, user.last_name,
                          time_param(joined)});
    if (!id.ok()) return id.error();
    UserRecord created;
    created.id = *id;
    created.username = user.username;
    created.email = user.email;
    created.email_verified = user.email_verified;
    created.first_name = user.first_name;
    created.last_name = user.last_name;
    created.is_active = true;
    created.date_joined = joined;
    return created;
}

Status MysqlStore::update_user_profile(const UserRecord& user) {
    return update("UPDATE " + users_ +
                      " SET username = ?, email = ?, email_key = ?, email_verified = ?,"
                      " first_name = ?, last_name = ? WHERE id = ?",
                  {user.username, user.email, email_key_of(user.email),
                   bool_param(user.email_verified), user.first_name, user.last_name, user.id});
}

Status MysqlStore::set_last_login(std::int64_t user_id, core::TimePoint when) {
    return update("UPDATE " + users_ + " SET last_login = ? WHERE id = ?",
                  {time_param(when), user_id});
}

Status MysqlStore::set_user_active(std::int64_t user_id, bool active, core::TimePoint when) {
    // The user row first: an exchange updates it (last_login) before it issues a token,
    // so the two wait for each other there, and the exchange reads is_active after.
    const bool own_transaction = !db_.in_transaction();
    if (own_transaction)
        if (auto begun = db_.begin(); !begun.ok()) return begun;
    Status status = update("UPDATE " + users_ + " SET is_active = ? WHERE id = ?",
                           {bool_param(active), user_id});
    if (status.ok() && !active)
        if (auto revoked = revoke_all_tokens(user_id, when); !revoked.ok())
            status = revoked.error();
    if (!own_transaction) return status;
    if (!status.ok()) {
        db_.rollback();
        return status;
    }
    return db_.commit();
}

Result<std::optional<LinkedUser>> MysqlStore::find_identity(const std::string& provider,
                                                            const std::string& uid) {
    // LEFT JOIN: an identity whose user is missing fails (a NULL user column) instead
    // of passing for an identity nobody has.
    std::optional<LinkedUser> found;
    auto status = db_.query(
        "SELECT " + qualified_columns(kIdentityColumns, "i") + ", " +
            qualified_columns(kUserColumns, "u") + " FROM " + identities_ + " i LEFT JOIN " +
            users_ + " u ON u.id = i.user_id WHERE i.provider = ? AND i.uid = ? FOR UPDATE",
        {provider, uid}, [&](const SqlRow& row) {
            found = LinkedUser{read_identity(row), read_user(row, kIdentityColumnCount + 1)};
        });
    if (!status.ok()) return status.error();
    return found;
}

Result<std::vector<IdentityRecord>> MysqlStore::identities_of(std::int64_t user_id) {
    return identities_where("user_id = ? ORDER BY id", {user_id});
}

Result<IdentityRecord> MysqlStore::create_identity(std::int64_t user_id,
                                                   const std::string& provider,
                                                   const std::string& uid,
                                                   const std::string& extra_data,
                                                   core::TimePoint when) {
    const std::string json = json_or_empty_object(extra_data);
    auto id = db_.insert("INSERT INTO " + identities_ +
                             " (user_id, provider, uid, extra_data, created, modified)"
                             " VALUES (?, ?, ?, ?, ?, ?)",
                         {user_id, provider, uid, json, time_param(when), time_param(when)});
    if (!id.ok()) return id.error();
    return IdentityRecord{*id, user_id, provider, uid, json};
}

Status MysqlStore::update_identity_extra_data(std::int64_t identity_id,
                                              const std::string& extra_data, core::TimePoint when) {
    return update("UPDATE " + identities_ + " SET extra_data = ?, modified = ? WHERE id = ?",
                  {json_or_empty_object(extra_data), time_param(when), identity_id});
}

Status MysqlStore::insert_token(const TokenRecord& token) {
    // Not insert(): the new id is not needed, and asking for it is a round trip.
    return update("INSERT INTO " + tokens_ +
                      " (token_hash, user_id, created, last_used, expires_at, revoked_at)"
                      " VALUES (?, ?, ?, ?, ?, ?)",
                  {token.token_hash, token.user_id, time_param(token.created),
                   time_param(token.last_used), time_param(token.expires_at),
                   time_param(token.revoked_at)});
}

Result<std::optional<TokenOwner>> MysqlStore::find_token(const std::string& token_hash) {
    // LEFT JOIN, as in find_identity: a token without its user fails. A row per
    // identity, or one with NULL identity columns for a user without any.
    constexpr unsigned kFirstIdentityColumn = kTokenColumnCount + kUserColumnCount + 1;
    std::optional<TokenOwner> found;
    auto status = db_.query(
        "SELECT " + qualified_columns(kTokenColumns, "t") + ", " +
            qualified_columns(kUserColumns, "u") + ", " +
            qualified_columns(kIdentityColumns, "i") + " FROM " + tokens_ + " t LEFT JOIN " +
            users_ + " u ON u.id = t.user_id LEFT JOIN " + identities_ +
            " i ON i.user_id = u.id WHERE t.token_hash = ?",
        {token_hash}, [&](const SqlRow& row) {
            if (!found)
                found = TokenOwner{read_token(row), read_user(row, kTokenColumnCount + 1), {}};
            if (!row.is_null(kFirstIdentityColumn))
                found->identities.push_back(read_identity(row, kFirstIdentityColumn));
        });
    if (!status.ok()) return status.error();
    // Sorted here: ORDER BY on the joined table costs the server a temporary table.
    if (found)
        std::sort(found->identities.begin(), found->identities.end(),
                  [](const IdentityRecord& a, const IdentityRecord& b) { return a.id < b.id; });
    return found;
}

Status MysqlStore::touch_token(std::int64_t token_id, core::TimePoint when) {
    return update("UPDATE " + tokens_ + " SET last_used = ? WHERE id = ?",
                  {time_param(when), token_id});
}

Status MysqlStore::revoke_token(std::int64_t token_id, core::TimePoint when) {
    return update("UPDATE " + tokens_ + " SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                  {time_param(when), token_id});
}

Result<std::int64_t> MysqlStore::revoke_all_tokens(std::int64_t user_id, core::TimePoint when) {
    return db_.execute("UPDATE " + tokens_ + " SET revoked_at = ? WHERE user_id = ? AND " + kLiveAt,
                       {time_param(when), user_id, time_param(when)});
}

Status MysqlStore::revoke_tokens_beyond(std::int64_t user_id, std::int64_t keep,
                                        core::TimePoint when) {
    if (keep < 0)
        return core::make_error(core::Errc::internal_error,
                                "revoke_tokens_beyond with keep " + std::to_string(keep));
    // The newest live token past the first `keep` and every older live one go, in one
    // statement (one round trip). The derived table is materialised, as its LIMIT
    // keeps it from being merged: that is what lets an UPDATE read its own table.
    return update("UPDATE " + tokens_ + " SET revoked_at = ? WHERE user_id = ? AND " + kLiveAt +
                      " AND id <= (SELECT id FROM (SELECT id FROM " + tokens_ +
                      " WHERE user_id = ? AND " + kLiveAt +
                      " ORDER BY id DESC LIMIT 1 OFFSET ?) AS newest_to_revoke)",
                  {time_param(when), user_id, time_param(when), user_id, time_param(when), keep});
}

Result<std::optional<CacheEntry>> MysqlStore::get_cached(const std::string& key) {
    std::optional<CacheEntry> entry;
    auto status = db_.query("SELECT value, fetched_at, expires_at FROM " + provider_cache_ +
                                " WHERE cache_key = ?",
                            {key}, [&](const SqlRow& row) {
                                entry = CacheEntry{row.text(1), row.time(2), row.time(3)};
                            });
    if (!status.ok()) return status.error();
    return entry;
}

Status MysqlStore::put_cached(const std::string& key, const CacheEntry& entry) {
    // One statement, so concurrent writers never fail on the primary key: the last
    // one's entry stays.
    return update("INSERT INTO " + provider_cache_ +
                      " (cache_key, value, fetched_at, expires_at) VALUES (?, ?, ?, ?)"
                      " ON DUPLICATE KEY UPDATE value = VALUES(value),"
                      " fetched_at = VALUES(fetched_at), expires_at = VALUES(expires_at)",
                  {key, entry.value, time_param(entry.fetched_at), time_param(entry.expires_at)});
}

Result<bool> MysqlStore::hit_rate_limit(const std::string& bucket, std::int64_t window_seconds,
                                        core::TimePoint window_start, std::int64_t limit) {
    if (limit < 1)
        return core::make_error(core::Errc::internal_error,
                                "hit_rate_limit with limit " + std::to_string(limit));
    const std::int64_t start = core::to_unix_seconds(window_start);
    // One statement counts the hit and tells whether it did, in one round trip and
    // with no read-modify-write race between processes: the affected-row count is 1
    // for a new window's row, 2 for a counted hit and 0 for a full window, whose row
    // the update leaves as it is (the session does not ask for CLIENT_FOUND_ROWS).
    auto affected = db_.execute("INSERT INTO " + rate_limits_ +
                                    " (bucket, window_seconds, window_start, window_end, hits)"
                                    " VALUES (?, ?, ?, ?, 1)"
                                    " ON DUPLICATE KEY UPDATE hits = IF(hits < ?, hits + 1, hits)",
                                {bucket, window_seconds, start, start + window_seconds, limit});
    if (!affected.ok()) return affected.error();
    // The first hit of a window sweeps up rows of ended windows, a bounded batch at a
    // time. The hit stands whatever the sweep does; a failed sweep is retried by the
    // next new window.
    if (*affected == 1 && !db_.in_transaction())
        (void)db_.execute("DELETE FROM " + rate_limits_ + " WHERE window_end <= ? LIMIT 1000",
                          {start});
    return *affected != 0;
}

} // namespace socialauth::store
