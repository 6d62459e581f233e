#include "store/admin_queries.hpp"

#include "core/text.hpp"
#include "store/mysql_rows.hpp"

namespace socialauth::store {

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
