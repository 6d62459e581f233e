// socialauth-admin users list|show|activate|deactivate.
#include "admin/commands.hpp"
#include "admin/output_table.hpp"
#include "admin/token_state.hpp"
#include "core/clock.hpp"
#include "core/text.hpp"

namespace socialauth::admin {

namespace {

const char kHelp[] =
    "usage: socialauth-admin users list [--inactive] [--email ADDRESS] [--limit N]\n"
    "       socialauth-admin users show ID\n"
    "       socialauth-admin users deactivate ID\n"
    "       socialauth-admin users activate ID\n"
    "\n"
    "  list        one line per user, by id, under a header line: id, username, email,\n"
    "              active (yes/no), date_joined, last_login (UTC; \"-\" for none)\n"
    "                --inactive       only inactive users\n"
    "                --email ADDRESS  only users with this email (A-Z case ignored)\n"
    "                --limit N        at most N users\n"
    "  show        the user's fields, one \"name  value\" line each, an \"identity\n"
    "              PROVIDER UID\" line per linked identity, and how many of the user's\n"
    "              API tokens are live, revoked and expired (tokens_live, ...)\n"
    "  deactivate  mark the user inactive and revoke every API token of theirs in the\n"
    "              same transaction, so the PHP check of api_tokens refuses them at once\n"
    "  activate    mark the user active again (revoked tokens stay revoked)\n"
    "\n"
    "exit status: 0 done, 1 failed (no user with that id, config or database error),\n"
    "             2 usage error\n";

const OptionSpec kNoOptions{};

int list(const Context& context, const Arguments& arguments) {
    if (!arguments.positional.empty())
        return usage(context, kUsersCommand,
                     "unexpected argument " + quote_argument(arguments.positional[0]));
    store::UserListFilter filter;
    filter.inactive_only = arguments.has("--inactive");
    if (auto email = arguments.value("--email")) {
        if (core::trim(*email).empty()) return usage(context, kUsersCommand, "--email is empty");
        filter.email = *email;
    }
    if (auto limit = arguments.value("--limit")) {
        filter.limit = parse_positive(*limit);
        if (!filter.limit)
            return usage(context, kUsersCommand,
                         "--limit must be a whole number from 1, not " + quote_argument(*limit));
    }
    auto config = load_config(context);
    if (!config) return kExitFailure;
    AdminDatabase db(config->database);
    auto users = db.queries().list_users(filter);
    if (!users) return fail(context, "users list", users.error().detail);
    Table table;
    table.add_row({"id", "username", "email", "active", "date_joined", "last_login"});
    for (const auto& user : *users)
        table.add_row({std::to_string(user.id), user.username, user.email, yes_no(user.is_active),
                       time_text(user.date_joined), time_text(user.last_login)});
    table.print(context.out);
    return kExitOk;
}

int show(const Context& context, const Arguments& arguments) {
    auto id = single_id(arguments, "ID");
    if (!id) return usage(context, kUsersCommand, id.error());
    auto config = load_config(context);
    if (!config) return kExitFailure;
    AdminDatabase db(config->database);
    auto user = db.find_user(context, "users show", *id);
    if (!user) return kExitFailure;
    auto identities = db.store().identities_of(*id);
    if (!identities) return fail(context, "users show", identities.error().detail);
    auto tokens = db.queries().tokens_of(*id);
    if (!tokens) return fail(context, "users show", tokens.error().detail);
    const TokenCounts counts =
        count_tokens(*tokens, core::SystemClock().now(), config->tokens.idle_seconds);

    Table table;
    table.add_row({"id", std::to_string(user->id)});
    table.add_row({"username", user->username});
    table.add_row({"email", user->email});
    table.add_row({"email_verified", yes_no(user->email_verified)});
    table.add_row({"first_name", user->first_name});
    table.add_row({"last_name", user->last_name});
    table.add_row({"active", yes_no(user->is_active)});
    table.add_row({"date_joined", time_text(user->date_joined)});
    table.add_row({"last_login", time_text(user->last_login)});
    for (const auto& identity : *identities)
        table.add_row({"identity", identity.provider, identity.uid});
    table.add_row({"tokens_live", std::to_string(counts.live)});
    table.add_row({"tokens_revoked", std::to_string(counts.revoked)});
    table.add_row({"tokens_expired", std::to_string(counts.expired)});
    table.print(context.out);
    return kExitOk;
}

// Deactivating revokes the user's API tokens in the same transaction
// (Store::set_user_active), so a PHP check of api_tokens refuses them too.
int set_active(const Context& context, const Arguments& arguments, bool active) {
    const std::string what = active ? "users activate" : "users deactivate";
    auto id = single_id(arguments, "ID");
    if (!id) return usage(context, kUsersCommand, id.error());
    auto config = load_config(context);
    if (!config) return kExitFailure;
    AdminDatabase db(config->database);
    auto user = db.find_user(context, what, *id);
    if (!user) return kExitFailure;
    if (auto status = db.store().set_user_active(*id, active, core::SystemClock().now()); !status)
        return fail(context, what, status.error().detail);
    context.out << "user " << *id << " (" << cell(user->username) << ") "
                << (active ? "activated" : "deactivated; its API tokens are revoked") << '\n';
    return kExitOk;
}

int run(const Context& context, const std::vector<std::string>& args) {
    if (args.empty())
        return usage(context, kUsersCommand,
                     "a subcommand is missing: list, show, deactivate or activate");
    const std::string& subcommand = args[0];
    const bool is_list = subcommand == "list";
    const OptionSpec spec =
        is_list ? OptionSpec{{"--limit", "--email"}, {"--inactive"}} : kNoOptions;
    auto arguments = parse_arguments({args.begin() + 1, args.end()}, spec);
    const bool help =
        subcommand == "-h" || subcommand == "--help" || (arguments && arguments->help);
    if (help) {
        context.out << kHelp;
        return kExitOk;
    }
    const bool known =
        is_list || subcommand == "show" || subcommand == "deactivate" || subcommand == "activate";
    if (!known)
        return usage(context, kUsersCommand, "unknown subcommand " + quote_argument(subcommand));
    if (!arguments) return usage(context, kUsersCommand, arguments.error());
    if (is_list) return list(context, *arguments);
    if (subcommand == "show") return show(context, *arguments);
    return set_active(context, *arguments, subcommand == "activate");
}

} // namespace

const Command kUsersCommand{"users", "list, show, deactivate and activate users", kHelp, &run};

} // namespace socialauth::admin
