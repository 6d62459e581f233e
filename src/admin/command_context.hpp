// What every socialauth-admin command works with: the global options, the two output
// streams (results on out, errors on err, so a script can pipe one and still see the
// other) and the way each reports trouble. A command is a name, its help and a function
// that takes the arguments after its name and returns an exit code (command_line.hpp):
// 0 done, 1 failed (an unknown id, an unreachable database, a failed check), 2 usage.
#pragma once

#include "admin/command_line.hpp"
#include "core/config.hpp"
#include "core/result.hpp"
#include "store/admin_queries.hpp"
#include "store/mysql_connection.hpp"
#include "store/mysql_store.hpp"

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace socialauth::admin {

struct Context {
    GlobalOptions options;
    std::ostream& out;
    std::ostream& err;
};

struct Command {
    const char* name;
    const char* summary; // one line of the tool's help
    const char* help;    // what `COMMAND --help` and `help COMMAND` print
    int (*run)(const Context& context, const std::vector<std::string>& args);
};

// The config file the options name, else the one core::locate_config finds.
std::string config_path(const Context& context);

// The config, or nullopt after printing every problem on err.
std::optional<core::Config> load_config(const Context& context);

// Prints "socialauth-admin: <what>: <detail>" on err; returns kExitFailure.
int fail(const Context& context, std::string_view what, std::string_view detail);

// Prints the usage error and where to find help on err; returns kExitUsage.
int usage(const Context& context, const Command& command, const core::Error& error);
int usage(const Context& context, const Command& command, const std::string& message);

// One database session for a command: the web program's Store for what the web program
// does too (finding a user, (de)activating, revoking), AdminQueries for the rest.
class AdminDatabase {
public:
    explicit AdminDatabase(const core::DatabaseConfig& config);
    AdminDatabase(const AdminDatabase&) = delete;
    AdminDatabase& operator=(const AdminDatabase&) = delete;

    store::MysqlStore& store() { return store_; }
    store::AdminQueries& queries() { return queries_; }

    // The user, or nullopt after reporting on err why not ("no user with id N" or the
    // database's error) under the name `what`.
    std::optional<store::UserRecord> find_user(const Context& context, std::string_view what,
                                               std::int64_t id);

private:
    store::MysqlConnection connection_;
    store::MysqlStore store_;
    store::AdminQueries queries_;
};

} // namespace socialauth::admin
