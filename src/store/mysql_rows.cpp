#include "store/mysql_rows.hpp"

namespace socialauth::store {

UserRecord read_user(const SqlRow& row) {
    UserRecord user;
    user.id = row.int64(1);
    user.username = row.text(2);
    user.email = row.text(3);
    user.email_verified = row.boolean(4);
    user.first_name = row.text(5);
    user.last_name = row.text(6);
    user.is_active = row.boolean(7);
    user.date_joined = row.time(8);
    user.last_login = row.optional_time(9);
    return user;
}

IdentityRecord read_identity(const SqlRow& row) {
    IdentityRecord identity;
    identity.id = row.int64(1);
    identity.user_id = row.int64(2);
    identity.provider = row.text(3);
    identity.uid = row.text(4);
    identity.extra_data = row.text(5);
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
