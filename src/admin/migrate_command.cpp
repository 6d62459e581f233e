// socialauth-admin migrate: applies the migration files not yet applied and names each
// one it applied, so that running it again (it is idempotent) says so.
#include "admin/commands.hpp"
#include "store/mysql_migrator.hpp"

namespace socialauth::admin {

namespace {

const char kHelp[] =
    "usage: socialauth-admin [--config FILE] [--sql-dir DIR] migrate\n"
    "\n"
    "Applies the schema migrations of the sql directory (--sql-dir, default\n"
    SOCIALAUTH_SQL_DIR ") that the database has not had yet, in order, and prints\n"
    "\"applied VERSION\" for each; \"schema is up to date\" when there was none. Safe\n"
    "to run again, also from two places at once.\n"
    "\n"
    "exit status: 0 done, 1 failed (config, database or a migration), 2 usage error\n";

int run(const Context& context, const std::vector<std::string>& args) {
    auto arguments = parse_arguments(args, {});
    if (!arguments) return usage(context, kMigrateCommand, arguments.error());
    if (arguments->help) {
        context.out << kHelp;
        return kExitOk;
    }
    if (!arguments->positional.empty())
        return usage(context, kMigrateCommand,
                     "unexpected argument " + quote_argument(arguments->positional[0]));
    auto config = load_config(context);
    if (!config) return kExitFailure;
    store::MysqlMigrator migrator(config->database);
    auto applied = migrator.migrate(context.options.sql_dir);
    if (!applied) return fail(context, "migrate", applied.error().detail);
    for (const auto& version : *applied) context.out << "applied " << version << '\n';
    if (applied->empty()) context.out << "schema is up to date\n";
    return kExitOk;
}

} // namespace

const Command kMigrateCommand{"migrate", "apply the schema migrations not yet applied", kHelp,
                              &run};

} // namespace socialauth::admin
