// socialauth-admin check-config [--online]: every problem of the config file by key;
// with --online also what the file can't show — whether the database takes the
// credentials and has the current schema, and whether each enabled provider's
// endpoints answer as that provider does (provider_checks.hpp).
#include "admin/commands.hpp"
#include "admin/provider_checks.hpp"
#include "core/text.hpp"
#include "http/curl_http_client.hpp"
#include "store/mysql_migrator.hpp"

#include <algorithm>

namespace socialauth::admin {

namespace {

const char kHelp[] =
    "usage: socialauth-admin [--config FILE] [--sql-dir DIR] check-config [--online]\n"
    "\n"
    "Reads the config file and reports every problem on stdout, one line each,\n"
    "named by key, then \"FILE: ok\" or \"FILE: N problem(s)\".\n"
    "\n"
    "  --online   when the file is fine, also check what it points to, one line per\n"
    "             check: ok or FAIL, the check's name, what was found.\n"
    "               database                 connects with the configured credentials\n"
    "               schema                   no migration of --sql-dir is pending\n"
    "               google-oauth2 tokeninfo  answers a deliberately invalid token with\n"
    "                                        Google's HTTP 400\n"
    "               google-oauth2 userinfo   answers it with HTTP 401\n"
    "               google-oauth2 jwks       serves usable signing keys\n"
    "               facebook debug_token     accepts the app access token (app_id and\n"
    "                                        app_secret) and judges the invalid token\n"
    "             (provider lines only for the enabled backends). No secret is printed.\n"
    "\n"
    "exit status: 0 done (no problem, every check ok), 1 a problem or a failed check,\n"
    "             2 usage error\n";

// What a check's detail must never show, though none is known to carry one: library
// messages are outside our control.
std::vector<std::string> secrets_of(const core::Config& config) {
    std::vector<std::string> secrets = {config.database.password, config.users.provider_token_key};
    if (config.google) secrets.push_back(config.google->secret);
    if (config.facebook) secrets.push_back(config.facebook->app_secret);
    secrets.erase(std::remove(secrets.begin(), secrets.end(), std::string()), secrets.end());
    return secrets;
}

std::string redacted(std::string text, const std::vector<std::string>& secrets) {
    for (const std::string& secret : secrets)
        for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
            text.replace(at, secret.size(), "***");
    return text;
}

CheckOutcome check_database(store::MysqlConnection& connection,
                            const core::DatabaseConfig& config) {
    if (auto connected = connection.connect(); !connected) return {false, connected.error().detail};
    auto version = store::AdminQueries(connection).server_version();
    if (!version) return {false, version.error().detail};
    return {true,
            "connected to database " + config.name + " as " + config.user + ", server " + *version};
}

CheckOutcome check_schema(store::MysqlConnection& connection, const std::string& sql_dir) {
    if (!connection.is_connected()) return {false, "not checked: no database connection"};
    auto pending = store::MysqlMigrator(connection).pending(sql_dir);
    if (!pending) return {false, pending.error().detail};
    if (pending->empty()) return {true, "up to date with " + sql_dir};
    std::string versions;
    for (const auto& version : *pending) versions += " " + version;
    return {false, std::to_string(pending->size()) + " pending migration(s):" + versions +
                       " (run socialauth-admin migrate)"};
}

// Runs the checks in order, printing each line as soon as it is known (a provider may
// take its whole timeout); returns how many failed.
std::size_t run_checks(const Context& context, const std::vector<OnlineCheck>& checks,
                       const std::vector<std::string>& secrets) {
    std::size_t name_width = 0;
    for (const auto& check : checks) name_width = std::max(name_width, check.name.size());
    std::size_t failures = 0;
    for (const auto& check : checks) {
        const CheckOutcome outcome = check.run();
        if (!outcome.ok) ++failures;
        context.out << (outcome.ok ? "ok  " : "FAIL") << "  " << check.name
                    << std::string(name_width - check.name.size(), ' ') << "  "
                    << core::escape_for_log(redacted(outcome.detail, secrets)) << std::endl;
    }
    return failures;
}

int run(const Context& context, const std::vector<std::string>& args) {
    auto arguments = parse_arguments(args, {{}, {"--online"}});
    if (!arguments) return usage(context, kCheckConfigCommand, arguments.error());
    if (arguments->help) {
        context.out << kHelp;
        return kExitOk;
    }
    if (!arguments->positional.empty())
        return usage(context, kCheckConfigCommand,
                     "unexpected argument " + quote_argument(arguments->positional[0]));

    const std::string path = config_path(context);
    auto load = core::load_config_file(path, core::process_environment());
    for (const auto& problem : load.problems) context.out << problem << '\n';
    if (!load.config) {
        context.out << path << ": " << load.problems.size() << " problem(s)\n";
        return kExitFailure;
    }
    context.out << path << ": ok\n";
    if (!arguments->has("--online")) return kExitOk;

    const core::Config& config = *load.config;
    store::MysqlConnection connection(config.database);
    http::CurlHttpClient http(config.outbound);
    std::vector<OnlineCheck> checks = {
        {"database", [&] { return check_database(connection, config.database); }},
        {"schema", [&] { return check_schema(connection, context.options.sql_dir); }},
    };
    for (auto& check : provider_checks(config, http)) checks.push_back(std::move(check));
    const std::size_t failures = run_checks(context, checks, secrets_of(config));
    if (failures == 0) return kExitOk;
    context.err << "socialauth-admin: check-config: " << failures << " of " << checks.size()
                << " online check(s) failed\n";
    return kExitFailure;
}

} // namespace

const Command kCheckConfigCommand{
    "check-config", "report config problems by key; --online: database, providers", kHelp, &run};

} // namespace socialauth::admin
