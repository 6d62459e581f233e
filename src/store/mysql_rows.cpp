#include "store/mysql_rows.hpp"

namespace socialauth::store {

std::string qualified_columns(const char* columns, const char* alias) {
    const std::string prefix = std::string(alias) + ".";
    std::string out = prefix;
    for (const char* c = columns; *c != '\0'; ++c) {
        out += *c;
        if (*c == ' ') out += prefix;
    }
    return out;
}

UserRecord read_user(const SqlRow& row, unsigned first) {
    UserRecord user;
    user.id = row.int64(first);
    user.username = row.text(first + 1);
    user.email = row.text(first + 2);
    user.email_verified = row.boolean(first + 3);
    user.first_name = row.text(first + 4);
    user.last_name = row.text(first + 5);
    user.is_active = row.boolean(first + 6);
    user.date_joined = row.time(first + 7);
    user.last_login = row.optional_time(first + 8);
    return user;
}

IdentityRecord read_identity(const SqlRow& row, unsigned first) {
    IdentityRecord identity;
    identity.id = row.int64(first);
    identity.user_id = row.int64(first + 1);
    identity.provider = row.text(first + 2);
    identity.uid = row.text(first + 3);
    identity.extra_data = row.text(first + 4);
    return identity;
}

TokenRecord read_token(const SqlRow& row) {
    TokenRecord token;
    token.id = row.int64(1);
    token.token_hash = row.text(2);
    token.user_id = row.int64(3);
    token.created = row.time(4);
    token.last_used = row.optional_time(5);
    token.expires_at = row.optional_time(6);
    token.revoked_at = row.optional_time(7);
    return token;
}

} // namespace socialauth::store
