// Statements with their parameters written in as literals, for the text protocol:
// several statements go to the server in one round trip only as text (the prepared
// protocol runs one at a time). A string becomes a hexadecimal literal with a
// utf8mb4 introducer, _utf8mb4 X'6A616E65', so no byte of it is ever read as SQL
// whatever the session's sql_mode or character set; a column compared with it keeps
// its own collation. Integers are written in decimal, null as NULL.
#pragma once

#include "core/result.hpp"
#include "store/mysql_connection.hpp"

#include <string>

namespace socialauth::store {

// sql with each `?` outside quotes ('...', "...", `...`) replaced by the next
// parameter. Errc::internal_error when the counts of placeholders and parameters
// differ.
core::Result<std::string> with_literals(const std::string& sql, const SqlParams& params);

} // namespace socialauth::store
