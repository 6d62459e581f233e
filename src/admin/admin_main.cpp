// socialauth-admin: the operator's command-line tool. Never the CGI binary, because a
// CGI server may pass a query string as argv.
#include "core/clock.hpp"
#include "core/config.hpp"
#include "store/mysql_migrator.hpp"
#include "store/mysql_store.hpp"

#include "config.h"

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

namespace {

using namespace socialauth;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

const char kUsage[] =
    "usage: socialauth-admin [--config FILE] [--sql-dir DIR] COMMAND\n"
    "\n"
    "commands:\n"
    "  migrate        apply the schema migrations not yet applied, in order\n"
    "  check-config   report every problem of the config file, by key\n"
    "  version        print the version\n"
    "  users deactivate ID\n"
    "                 mark the user inactive and revoke every API token of theirs\n"
    "  users activate ID\n"
    "                 mark the user active again (revoked tokens stay revoked)\n"
    "\n"
    "options:\n"
    "  --config FILE  the config file (default: $SOCIALAUTH_CONFIG, then\n"
    "                 ~/.config/socialauth/config.json, then /etc/socialauth/config.json)\n"
    "  --sql-dir DIR  the schema files (default: " SOCIALAUTH_SQL_DIR ")\n"
    "\n"
    "exit status: 0 success, 1 failure, 2 usage error\n";

struct Options {
    std::string config_path;
    std::string sql_dir = SOCIALAUTH_SQL_DIR;
    std::string command;
    std::vector<std::string> arguments; // what follows the command
};

bool parse_options(int argc, char** argv, Options& options) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if ((arg == "--config" || arg == "--sql-dir") && i + 1 < argc) {
            (arg == "--config" ? options.config_path : options.sql_dir) = argv[++i];
        } else if (arg == "--help" || arg == "-h") {
            options.command = "help";
            return true;
        } else if (!arg.empty() && arg[0] != '-' && options.command.empty()) {
            options.command = arg;
        } else if (!arg.empty() && arg[0] != '-') {
            options.arguments.push_back(arg);
        } else {
            return false;
        }
    }
    return !options.command.empty();
}

// Loads the config, printing every problem; nullopt when there is any.
std::optional<core::Config> load_config(const std::string& path) {
    auto load = core::load_config_file(path, core::process_environment());
    for (const auto& problem : load.problems) std::cerr << problem << '\n';
    return std::move(load.config);
}

int check_config(const std::string& path) {
    auto load = core::load_config_file(path, core::process_environment());
    for (const auto& problem : load.problems) std::cout << problem << '\n';
    if (!load.config) {
        std::cout << path << ": " << load.problems.size() << " problem(s)\n";
        return kExitFailure;
    }
    std::cout << path << ": ok\n";
    return kExitOk;
}

int migrate(const Options& options, const std::string& path) {
    auto config = load_config(path);
    if (!config) return kExitFailure;
    store::MysqlMigrator migrator(config->database);
    auto applied = migrator.migrate(options.sql_dir);
    if (!applied) {
        std::cerr << "migrate failed: " << applied.error().detail << '\n';
        return kExitFailure;
    }
    for (const auto& version : *applied) std::cout << "applied " << version << '\n';
    if (applied->empty()) std::cout << "schema is up to date\n";
    return kExitOk;
}

// users activate|deactivate ID. Deactivating revokes the user's API tokens in the same
// transaction (Store::set_user_active), so a PHP check of api_tokens refuses them too.
int users(const Options& options, const std::string& path) {
    const auto& args = options.arguments;
    const bool known = args.size() == 2 && (args[0] == "activate" || args[0] == "deactivate");
    const bool numeric = known && !args[1].empty() && args[1].size() <= 18 &&
                         args[1].find_first_not_of("0123456789") == std::string::npos;
    if (!numeric) {
        std::cerr << "usage: socialauth-admin users activate|deactivate ID\n";
        return kExitUsage;
    }
    const std::int64_t id = std::stoll(args[1]);
    const bool active = args[0] == "activate";
    auto config = load_config(path);
    if (!config) return kExitFailure;
    store::MysqlStore store(config->database);
    auto user = store.find_user(id);
    if (!user) {
        std::cerr << "users " << args[0] << " failed: " << user.error().detail << '\n';
        return kExitFailure;
    }
    if (!*user) {
        std::cerr << "no user with id " << id << '\n';
        return kExitFailure;
    }
    if (auto status = store.set_user_active(id, active, core::SystemClock().now()); !status) {
        std::cerr << "users " << args[0] << " failed: " << status.error().detail << '\n';
        return kExitFailure;
    }
    std::cout << "user " << id << " (" << (*user)->username << ") "
              << (active ? "activated" : "deactivated; its API tokens are revoked") << '\n';
    return kExitOk;
}

} // namespace

int main(int argc, char** argv) {
    Options options;
    if (!parse_options(argc, argv, options) ||
        (!options.arguments.empty() && options.command != "users")) {
        std::cerr << kUsage;
        return kExitUsage;
    }
    if (options.command == "help") {
        std::cout << kUsage;
        return kExitOk;
    }
    if (options.command == "version") {
        std::cout << PACKAGE_STRING << '\n';
        return kExitOk;
    }
    const std::string path = options.config_path.empty()
                                 ? core::locate_config(core::process_environment())
                                 : options.config_path;
    if (options.command == "check-config") return check_config(path);
    if (options.command == "migrate") return migrate(options, path);
    if (options.command == "users") return users(options, path);
    std::cerr << "unknown command: " << options.command << "\n\n" << kUsage;
    return kExitUsage;
}
