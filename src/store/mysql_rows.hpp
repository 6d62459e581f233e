// How the contract tables' rows are selected and read, for every query that returns
// whole records (MysqlStore, AdminQueries): one column list and one reader per table.
#pragma once

#include "store/mysql_connection.hpp"
#include "store/records.hpp"

namespace socialauth::store {

inline constexpr const char* kUserColumns =
    "id, username, email, email_verified, first_name, last_name, is_active, date_joined, "
    "last_login";
inline constexpr unsigned kUserColumnCount = 9;
inline constexpr const char* kIdentityColumns = "id, user_id, provider, uid, extra_data";
inline constexpr unsigned kIdentityColumnCount = 5;
inline constexpr const char* kTokenColumns =
    "id, token_hash, user_id, created, last_used, expires_at, revoked_at";
inline constexpr unsigned kTokenColumnCount = 7;

// A column list above with each column prefixed by a table alias, for joins:
// qualified_columns("id, user_id", "i") is "i.id, i.user_id".
std::string qualified_columns(const char* columns, const char* alias);

// A row selected with the matching column list above; read_user and read_identity
// read from column `first` on, for a join that selects them after another table's.
UserRecord read_user(const SqlRow& row, unsigned first = 1);
IdentityRecord read_identity(const SqlRow& row, unsigned first = 1);
TokenRecord read_token(const SqlRow& row);

} // namespace socialauth::store
