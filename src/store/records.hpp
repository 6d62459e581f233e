// The rows the pipeline and the API work with, as plain values.
#pragma once

#include "core/clock.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace socialauth::store {

struct UserRecord {
    std::int64_t id = 0;
    std::string username;
    std::string email;
    bool email_verified = false;
    std::string first_name;
    std::string last_name;
    bool is_active = true;
    core::TimePoint date_joined;
    std::optional<core::TimePoint> last_login;
};

struct NewUser {
    std::string username;
    std::string email;
    bool email_verified = false;
    std::string first_name;
    std::string last_name;
    core::TimePoint date_joined;
};

struct IdentityRecord {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string provider;
    std::string uid;
    std::string extra_data; // JSON text
};

// An identity with the user it belongs to.
struct LinkedUser {
    IdentityRecord identity;
    UserRecord user;
};

// A provider_cache row: a document (at most 16 MiB) with when it was fetched and
// until when it may be used; times in whole seconds.
struct CacheEntry {
    std::string value;
    core::TimePoint fetched_at;
    core::TimePoint expires_at;
};

struct TokenRecord {
    std::int64_t id = 0;
    std::string token_hash; // hex SHA-256
    std::int64_t user_id = 0;
    core::TimePoint created;
    std::optional<core::TimePoint> last_used;
    std::optional<core::TimePoint> expires_at;
    std::optional<core::TimePoint> revoked_at;
};

// An API token with the user it was issued to and that user's identities (by id).
struct TokenOwner {
    TokenRecord token;
    UserRecord user;
    std::vector<IdentityRecord> identities;
};

} // namespace socialauth::store
