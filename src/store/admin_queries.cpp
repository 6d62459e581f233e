#include "store/admin_queries.hpp"

#include "core/text.hpp"

namespace socialauth::store {

namespace {

// The same columns, read the same way, as MysqlStore's user and token rows.
constexpr const char* kUserColumns =
    "id, username, email, email_verified, first_name, last_name, is_active, date_joined, "
    "last_login";
constexpr const char* kTokenColumns =
    "id, token_hash, user_id, created, last_used, expires_at, revoked_at";

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

} // namespace

AdminQueries::AdminQueries(MysqlConnection& connection)
    : db_(connection), users_(connection.table_prefix() + "users"),
      tokens_(connection.table_prefix() + "api_tokens") {}

core::Result<std::vector<UserRecord>> AdminQueries::list_users(const UserListFilter& filter) {
    std::string sql = std::string("SELECT ") + kUserColumns + " FROM " + users_ + " WHERE 1 = 1";
    SqlParams params;
    if (filter.inactive_only) sql += " AND is_active = 0";
    if (!filter.email.empty()) {
        // email_key is what MysqlStore derives from the email; an empty key matches
        // no one there, and a filter that trims to nothing matches no one here.
        sql += " AND email_key = ? AND email_key <> ''";
        params.emplace_back(core::ascii_lower(core::trim(filter.email)));
    }
    sql += " ORDER BY id";
    if (filter.limit) {
        sql += " LIMIT ?";
        params.emplace_back(*filter.limit);
    }
    std::vector<UserRecord> users;
    auto status =
        db_.query(sql, params, [&](const SqlRow& row) { users.push_back(read_user(row)); });
    if (!status.ok()) return status.error();
    return users;
}

core::Result<std::vector<TokenRecord>> AdminQueries::tokens_where(const std::string& condition,
                                                                  const SqlParams& params) {
    std::vector<TokenRecord> tokens;
    auto status = db_.query(std::string("SELECT ") + kTokenColumns + " FROM " + tokens_ +
                                " WHERE " + condition + " ORDER BY id",
                            params, [&](const SqlRow& row) { tokens.push_back(read_token(row)); });
    if (!status.ok()) return status.error();
    return tokens;
}

core::Result<std::vector<TokenRecord>> AdminQueries::tokens_of(std::int64_t user_id) {
    return tokens_where("user_id = ?", {user_id});
}

core::Result<std::optional<TokenRecord>> AdminQueries::find_token(std::int64_t token_id) {
    auto tokens = tokens_where("id = ?", {token_id});
    if (!tokens.ok()) return tokens.error();
    if (tokens->empty()) return std::optional<TokenRecord>();
    return std::optional<TokenRecord>(std::move(tokens->front()));
}

core::Result<std::string> AdminQueries::server_version() {
    std::string version;
    auto status =
        db_.query("SELECT VERSION()", {}, [&](const SqlRow& row) { version = row.text(1); });
    if (!status.ok()) return status.error();
    return version;
}

} // namespace socialauth::store
