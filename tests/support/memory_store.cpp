#include "support/memory_store.hpp"

#include "core/json.hpp"
#include "core/text.hpp"

#include <algorithm>

namespace socialauth::testing {

using core::Errc;
using core::make_error;
using store::Result;
using store::Status;

namespace {

// The column sizes of sql/001_initial.sql.
constexpr std::size_t kUsernameChars = 150;
constexpr std::size_t kEmailChars = 254;
constexpr std::size_t kNameChars = 150;
constexpr std::size_t kProviderChars = 32;
constexpr std::size_t kUidBytes = 255;
constexpr std::size_t kTokenHashChars = 64;
// sql/002_provider_cache.sql.
constexpr std::size_t kCacheKeyBytes = 191;
constexpr std::size_t kMediumTextBytes = 16777215;
constexpr std::size_t kBucketBytes = 100;
// MySQL's JSON nesting limit.
constexpr int kJsonDepth = 100;
// TIMESTAMP holds '1970-01-01 00:00:01' to '2038-01-19 03:14:07' UTC.
constexpr std::int64_t kFirstTimestamp = 1;
constexpr std::int64_t kLastTimestamp = 2147483647;

core::Error strict_mode_error(const std::string& column, const std::string& why) {
    return make_error(Errc::internal_error, "MySQL would refuse " + column + ": " + why);
}

core::Error duplicate(const std::string& key) {
    return make_error(Errc::conflict, "Duplicate entry for key '" + key + "'");
}

std::size_t code_points(const std::string& text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

Status check_text(const std::string& column, const std::string& value, std::size_t max_chars) {
    if (!core::is_valid_utf8(value)) return strict_mode_error(column, "not UTF-8");
    if (code_points(value) > max_chars) return strict_mode_error(column, "too long");
    return {};
}

Status check_ascii(const std::string& column, const std::string& value, std::size_t max_chars) {
    const bool ascii = std::all_of(value.begin(), value.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (!ascii) return strict_mode_error(column, "not ASCII");
    if (value.size() > max_chars) return strict_mode_error(column, "too long");
    return {};
}

Status check_time(const std::string& column, core::TimePoint t) {
    const std::int64_t seconds = core::to_unix_seconds(t);
    if (seconds < kFirstTimestamp || seconds > kLastTimestamp)
        return strict_mode_error(column, "outside TIMESTAMP's range");
    return {};
}

Status check_time(const std::string& column, const std::optional<core::TimePoint>& t) {
    return t ? check_time(column, *t) : Status();
}

Status check_json(const std::string& text) {
    if (!core::parse_json(text, kJsonDepth).ok())
        return strict_mode_error("extra_data", "not JSON");
    return {};
}

Status first_failure(std::initializer_list<Status> checks) {
    for (const Status& check : checks)
        if (!check.ok()) return check;
    return {};
}

core::TimePoint whole_seconds(core::TimePoint t) {
    return core::from_unix_seconds(core::to_unix_seconds(t));
}

std::optional<core::TimePoint> whole_seconds(const std::optional<core::TimePoint>& t) {
    if (!t) return std::nullopt;
    return whole_seconds(*t);
}

// utf8mb4_unicode_ci as far as the usernames we make go: ASCII case and trailing
// spaces (PAD SPACE) don't count.
std::string username_key(const std::string& username) {
    std::string key = core::ascii_lower(username);
    key.erase(key.find_last_not_of(' ') + 1);
    return key;
}

std::string email_key_of(const std::string& email) { return core::ascii_lower(core::trim(email)); }

// The schema's verified_email_key column.
std::optional<std::string> verified_email_key(bool email_verified, const std::string& email) {
    std::string key = email_key_of(email);
    if (!email_verified || key.empty()) return std::nullopt;
    return key;
}

bool is_live(const store::TokenRecord& token, core::TimePoint when) {
    return !token.revoked_at && (!token.expires_at || *token.expires_at > whole_seconds(when));
}

std::string json_or_empty_object(const std::string& extra_data) {
    return extra_data.empty() ? "{}" : extra_data;
}

} // namespace

void MemoryStore::fail_next(const std::string& method, Errc code, int times) {
    failures_[method] = Failure{code, times};
}

int MemoryStore::calls(const std::string& method) const {
    const auto found = calls_.find(method);
    return found == calls_.end() ? 0 : found->second;
}

void MemoryStore::set_is_active_directly(std::int64_t user_id, bool active) {
    rows_.users.at(user_id).is_active = active;
}

std::optional<core::Error> MemoryStore::enter(const std::string& method) {
    ++calls_[method];
    if (aborted_) return make_error(*aborted_, "the transaction was aborted; roll back first");
    const auto found = failures_.find(method);
    if (found == failures_.end()) return std::nullopt;
    const Errc code = found->second.code;
    if (--found->second.remaining <= 0) failures_.erase(found);
    if (snapshot_ && (code == Errc::service_unavailable || code == Errc::retry)) {
        rows_ = *snapshot_;
        aborted_ = code;
    }
    return make_error(code, "injected failure of " + method);
}

Status MemoryStore::check_user(const std::string& username, const std::string& email,
                               bool email_verified, const std::string& first_name,
                               const std::string& last_name, std::int64_t self) const {
    if (auto bad = first_failure({check_text("username", username, kUsernameChars),
                                  check_text("email", email, kEmailChars),
                                  check_text("first_name", first_name, kNameChars),
                                  check_text("last_name", last_name, kNameChars)});
        !bad.ok())
        return bad;
    const std::string name_key = username_key(username);
    const auto email_key = verified_email_key(email_verified, email);
    for (const auto& [id, other] : rows_.users) {
        if (id == self) continue;
        if (username_key(other.username) == name_key) return duplicate("username");
        if (email_key && verified_email_key(other.email_verified, other.email) == email_key)
            return duplicate("verified_email_key");
    }
    return {};
}

Status MemoryStore::begin() {
    if (snapshot_) {
        ++calls_["begin"];
        rollback();
        return make_error(Errc::internal_error, "begin() inside a transaction; rolled it back");
    }
    if (auto error = enter("begin")) return *error;
    snapshot_ = rows_;
    return {};
}

Status MemoryStore::commit() {
    if (auto error = enter("commit")) {
        rollback();
        return *error;
    }
    snapshot_.reset();
    if (lose_commit_answer_) {
        lose_commit_answer_ = false;
        return make_error(Errc::service_unavailable, "injected loss of the commit's answer");
    }
    return {};
}

void MemoryStore::rollback() noexcept {
    ++calls_["rollback"];
    if (snapshot_) rows_ = std::move(*snapshot_);
    snapshot_.reset();
    aborted_.reset();
}

Status MemoryStore::ping() {
    if (auto error = enter("ping")) return *error;
    return {};
}

Result<std::optional<store::UserRecord>> MemoryStore::find_user(std::int64_t id) {
    if (auto error = enter("find_user")) return *error;
    const auto found = rows_.users.find(id);
    if (found == rows_.users.end()) return std::optional<store::UserRecord>();
    return std::optional<store::UserRecord>(found->second);
}

Result<std::vector<store::UserRecord>>
MemoryStore::find_users_by_email(const std::string& email_key) {
    if (auto error = enter("find_users_by_email")) return *error;
    const std::string key = email_key_of(email_key);
    std::vector<store::UserRecord> users;
    if (key.empty()) return users;
    for (const auto& [id, user] : rows_.users)
        if (email_key_of(user.email) == key) users.push_back(user);
    return users;
}

Result<bool> MemoryStore::username_exists(const std::string& username) {
    if (auto error = enter("username_exists")) return *error;
    const std::string key = username_key(username);
    return std::any_of(rows_.users.begin(), rows_.users.end(),
                       [&](const auto& row) { return username_key(row.second.username) == key; });
}

Result<store::UserRecord> MemoryStore::create_user(const store::NewUser& user) {
    if (auto error = enter("create_user")) return *error;
    if (auto bad = first_failure({check_time("date_joined", user.date_joined),
                                  check_user(user.username, user.email, user.email_verified,
                                             user.first_name, user.last_name, 0)});
        !bad.ok())
        return bad.error();
    store::UserRecord created;
    created.id = next_user_id_++;
    created.username = user.username;
    created.email = user.email;
    created.email_verified = user.email_verified;
    created.first_name = user.first_name;
    created.last_name = user.last_name;
    created.is_active = true;
    created.date_joined = whole_seconds(user.date_joined);
    rows_.users[created.id] = created;
    return created;
}

Status MemoryStore::update_user_profile(const store::UserRecord& user) {
    if (auto error = enter("update_user_profile")) return *error;
    const auto found = rows_.users.find(user.id);
    if (found == rows_.users.end()) return {};
    if (auto bad = check_user(user.username, user.email, user.email_verified, user.first_name,
                              user.last_name, user.id);
        !bad.ok())
        return bad;
    store::UserRecord& row = found->second;
    row.username = user.username;
    row.email = user.email;
    row.email_verified = user.email_verified;
    row.first_name = user.first_name;
    row.last_name = user.last_name;
    return {};
}

Status MemoryStore::set_last_login(std::int64_t user_id, core::TimePoint when) {
    if (auto error = enter("set_last_login")) return *error;
    if (auto bad = check_time("last_login", when); !bad.ok()) return bad;
    const auto found = rows_.users.find(user_id);
    if (found != rows_.users.end()) found->second.last_login = whole_seconds(when);
    return {};
}

Status MemoryStore::set_user_active(std::int64_t user_id, bool active, core::TimePoint when) {
    if (auto error = enter("set_user_active")) return *error;
    if (!active)
        if (auto bad = check_time("revoked_at", when); !bad.ok()) return bad;
    const auto found = rows_.users.find(user_id);
    if (found != rows_.users.end()) found->second.is_active = active;
    if (!active)
        for (auto& [id, token] : rows_.tokens)
            if (token.user_id == user_id && is_live(token, when))
                token.revoked_at = whole_seconds(when);
    return {};
}

Result<std::optional<store::LinkedUser>> MemoryStore::find_identity(const std::string& provider,
                                                                    const std::string& uid) {
    if (auto error = enter("find_identity")) return *error;
    for (const auto& [id, row] : rows_.identities) {
        if (row.record.provider != provider || row.record.uid != uid) continue;
        const auto user = rows_.users.find(row.record.user_id);
        if (user == rows_.users.end())
            return make_error(Errc::internal_error, "identity without its user");
        return std::optional<store::LinkedUser>(store::LinkedUser{row.record, user->second});
    }
    return std::optional<store::LinkedUser>();
}

Result<std::vector<store::IdentityRecord>> MemoryStore::identities_of(std::int64_t user_id) {
    if (auto error = enter("identities_of")) return *error;
    std::vector<store::IdentityRecord> identities;
    for (const auto& [id, row] : rows_.identities)
        if (row.record.user_id == user_id) identities.push_back(row.record);
    return identities;
}

Result<store::IdentityRecord> MemoryStore::create_identity(std::int64_t user_id,
                                                           const std::string& provider,
                                                           const std::string& uid,
                                                           const std::string& extra_data,
                                                           core::TimePoint when) {
    if (auto error = enter("create_identity")) return *error;
    const std::string json = json_or_empty_object(extra_data);
    if (auto bad =
            first_failure({check_ascii("provider", provider, kProviderChars),
                           uid.size() > kUidBytes ? strict_mode_error("uid", "too long") : Status(),
                           check_json(json), check_time("created", when)});
        !bad.ok())
        return bad.error();
    if (rows_.users.count(user_id) == 0)
        return make_error(Errc::internal_error, "no user " + std::to_string(user_id));
    for (const auto& [id, row] : rows_.identities)
        if (row.record.provider == provider && row.record.uid == uid)
            return duplicate("provider_uid");
    IdentityRow row{{next_identity_id_++, user_id, provider, uid, json},
                    whole_seconds(when),
                    whole_seconds(when)};
    rows_.identities[row.record.id] = row;
    return row.record;
}

Status MemoryStore::update_identity_extra_data(std::int64_t identity_id,
                                               const std::string& extra_data,
                                               core::TimePoint when) {
    if (auto error = enter("update_identity_extra_data")) return *error;
    const std::string json = json_or_empty_object(extra_data);
    if (auto bad = first_failure({check_json(json), check_time("modified", when)}); !bad.ok())
        return bad;
    const auto found = rows_.identities.find(identity_id);
    if (found != rows_.identities.end()) {
        found->second.record.extra_data = json;
        found->second.modified = whole_seconds(when);
    }
    return {};
}

Status MemoryStore::insert_token(const store::TokenRecord& token) {
    if (auto error = enter("insert_token")) return *error;
    if (auto bad = first_failure({check_ascii("token_hash", token.token_hash, kTokenHashChars),
                                  check_time("created", token.created),
                                  check_time("last_used", token.last_used),
                                  check_time("expires_at", token.expires_at),
                                  check_time("revoked_at", token.revoked_at)});
        !bad.ok())
        return bad;
    if (rows_.users.count(token.user_id) == 0)
        return make_error(Errc::internal_error, "no user " + std::to_string(token.user_id));
    for (const auto& [id, row] : rows_.tokens)
        if (row.token_hash == token.token_hash) return duplicate("token_hash");
    store::TokenRecord row = token;
    row.id = next_token_id_++;
    row.created = whole_seconds(token.created);
    row.last_used = whole_seconds(token.last_used);
    row.expires_at = whole_seconds(token.expires_at);
    row.revoked_at = whole_seconds(token.revoked_at);
    rows_.tokens[row.id] = row;
    return {};
}

Result<std::optional<store::TokenOwner>> MemoryStore::find_token(const std::string& token_hash) {
    if (auto error = enter("find_token")) return *error;
    for (const auto& [id, row] : rows_.tokens) {
        if (row.token_hash != token_hash) continue;
        const auto user = rows_.users.find(row.user_id);
        if (user == rows_.users.end())
            return make_error(Errc::internal_error, "token without its user");
        store::TokenOwner owner{row, user->second, {}};
        for (const auto& [identity_id, identity] : rows_.identities)
            if (identity.record.user_id == row.user_id) owner.identities.push_back(identity.record);
        return std::optional<store::TokenOwner>(std::move(owner));
    }
    return std::optional<store::TokenOwner>();
}

Status MemoryStore::touch_token(std::int64_t token_id, core::TimePoint when) {
    if (auto error = enter("touch_token")) return *error;
    if (auto bad = check_time("last_used", when); !bad.ok()) return bad;
    const auto found = rows_.tokens.find(token_id);
    if (found != rows_.tokens.end()) found->second.last_used = whole_seconds(when);
    return {};
}

Status MemoryStore::revoke_token(std::int64_t token_id, core::TimePoint when) {
    if (auto error = enter("revoke_token")) return *error;
    if (auto bad = check_time("revoked_at", when); !bad.ok()) return bad;
    const auto found = rows_.tokens.find(token_id);
    if (found != rows_.tokens.end() && !found->second.revoked_at)
        found->second.revoked_at = whole_seconds(when);
    return {};
}

Result<std::int64_t> MemoryStore::revoke_all_tokens(std::int64_t user_id, core::TimePoint when) {
    if (auto error = enter("revoke_all_tokens")) return *error;
    if (auto bad = check_time("revoked_at", when); !bad.ok()) return bad.error();
    std::int64_t revoked = 0;
    for (auto& [id, token] : rows_.tokens) {
        if (token.user_id != user_id || !is_live(token, when)) continue;
        token.revoked_at = whole_seconds(when);
        ++revoked;
    }
    return revoked;
}

Status MemoryStore::revoke_tokens_beyond(std::int64_t user_id, std::int64_t keep,
                                         core::TimePoint when) {
    if (auto error = enter("revoke_tokens_beyond")) return *error;
    if (keep < 0)
        return make_error(Errc::internal_error,
                          "revoke_tokens_beyond with keep " + std::to_string(keep));
    if (auto bad = check_time("revoked_at", when); !bad.ok()) return bad;
    std::vector<store::TokenRecord*> live; // oldest first, as the map orders ids
    for (auto& [id, token] : rows_.tokens)
        if (token.user_id == user_id && is_live(token, when)) live.push_back(&token);
    const auto excess = static_cast<std::int64_t>(live.size()) - keep;
    for (std::int64_t i = 0; i < excess; ++i)
        live[static_cast<std::size_t>(i)]->revoked_at = whole_seconds(when);
    return {};
}

Result<std::optional<store::CacheEntry>> MemoryStore::get_cached(const std::string& key) {
    if (auto error = enter("get_cached")) return *error;
    const auto found = rows_.provider_cache.find(key);
    if (found == rows_.provider_cache.end()) return std::optional<store::CacheEntry>();
    return std::optional<store::CacheEntry>(found->second);
}

Status MemoryStore::put_cached(const std::string& key, const store::CacheEntry& entry) {
    if (auto error = enter("put_cached")) return *error;
    if (key.size() > kCacheKeyBytes) return strict_mode_error("cache_key", "too long");
    if (auto bad = first_failure({check_time("fetched_at", entry.fetched_at),
                                  check_time("expires_at", entry.expires_at)});
        !bad)
        return bad;
    if (!core::is_valid_utf8(entry.value)) return strict_mode_error("value", "not UTF-8");
    if (entry.value.size() > kMediumTextBytes) return strict_mode_error("value", "too long");
    rows_.provider_cache[key] = store::CacheEntry{entry.value, whole_seconds(entry.fetched_at),
                                                  whole_seconds(entry.expires_at)};
    return {};
}

Result<bool> MemoryStore::hit_rate_limit(const std::string& bucket, std::int64_t window_seconds,
                                         core::TimePoint window_start, std::int64_t limit) {
    if (auto error = enter("hit_rate_limit")) return *error;
    if (limit < 1) return make_error(Errc::internal_error, "hit_rate_limit with limit < 1");
    if (bucket.size() > kBucketBytes) return strict_mode_error("bucket", "too long");
    if (window_seconds < 1 || window_seconds > 4294967295LL)
        return strict_mode_error("window_seconds", "out of range");
    const std::int64_t start = core::to_unix_seconds(window_start);
    std::int64_t& hits = rows_.rate_limits[RateLimitKey{bucket, window_seconds, start}];
    if (hits >= limit) return false;
    ++hits;
    if (hits == 1 && !snapshot_) {
        for (auto it = rows_.rate_limits.begin(); it != rows_.rate_limits.end();) {
            const auto& [other_bucket, other_seconds, other_start] = it->first;
            if (other_start + other_seconds <= start) it = rows_.rate_limits.erase(it);
            else ++it;
        }
    }
    return true;
}

} // namespace socialauth::testing
