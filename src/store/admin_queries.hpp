// Reads that only socialauth-admin needs, on the tables of sql/ with the connection's
// table_prefix, over the same MysqlConnection API as MysqlStore (so Connector/C++
// stays behind that one class). Whatever the web program also does — find a user,
// (de)activate one, revoke tokens — the tool does through MysqlStore, so both follow
// one implementation. Rows come back as the records of records.hpp, ordered by id.
#pragma once

#include "core/result.hpp"
#include "store/mysql_connection.hpp"
#include "store/records.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace socialauth::store {

struct UserListFilter {
    bool inactive_only = false;
    // Non-empty: only users with this email, compared as the pipeline compares
    // (trimmed, A-Z lower-cased, byte for byte).
    std::string email;
    std::optional<std::int64_t> limit;
};

class AdminQueries {
public:
    // connection must outlive this object.
    explicit AdminQueries(MysqlConnection& connection);

    core::Result<std::vector<UserRecord>> list_users(const UserListFilter& filter);
    // Every token of the user, revoked and expired ones included.
    core::Result<std::vector<TokenRecord>> tokens_of(std::int64_t user_id);
    core::Result<std::optional<TokenRecord>> find_token(std::int64_t token_id);
    // The server's VERSION(), e.g. "10.11.6-MariaDB-0+deb12u1".
    core::Result<std::string> server_version();

private:
    core::Result<std::vector<TokenRecord>> tokens_where(const std::string& condition,
                                                        const SqlParams& params);

    MysqlConnection& db_;
    const std::string users_;
    const std::string tokens_;
};

} // namespace socialauth::store
