// socialauth-admin tokens list|revoke. A token's hash is shown only as a short prefix:
// enough to tell tokens apart or match one an operator holds (SHA2(token, 256)), too
// little to stand for it anywhere.
#include "admin/commands.hpp"
#include "admin/output_table.hpp"
#include "admin/token_state.hpp"
#include "core/clock.hpp"

namespace socialauth::admin {

namespace {

constexpr std::size_t kHashPrefixLength = 8;

const char kHelp[] =
    "usage: socialauth-admin tokens list USER_ID\n"
    "       socialauth-admin tokens revoke TOKEN_ID\n"
    "       socialauth-admin tokens revoke --user USER_ID\n"
    "\n"
    "  list    one line per API token of the user, by id, under a header line: id,\n"
    "          hash_prefix (the first 8 hex digits of SHA2(token, 256)), created,\n"
    "          last_used, expires_at, revoked_at (UTC; \"-\" for none), state (live,\n"
    "          revoked, or expired by its absolute or idle lifetime)\n"
    "  revoke  revoke one token by its id, or with --user every live token of the\n"
    "          user; the PHP check of api_tokens refuses them at once. Revoking a\n"
    "          revoked token changes nothing and succeeds.\n"
    "\n"
    "exit status: 0 done, 1 failed (no user or token with that id, config or\n"
    "             database error), 2 usage error\n";

int list(const Context& context, const Arguments& arguments) {
    auto user_id = single_id(arguments, "USER_ID");
    if (!user_id) return usage(context, kTokensCommand, user_id.error());
    auto config = load_config(context);
    if (!config) return kExitFailure;
    AdminDatabase db(config->database);
    if (!db.find_user(context, "tokens list", *user_id)) return kExitFailure;
    auto tokens = db.queries().tokens_of(*user_id);
    if (!tokens) return fail(context, "tokens list", tokens.error().detail);
    const core::TimePoint now = core::SystemClock().now();
    Table table;
    table.add_row(
        {"id", "hash_prefix", "created", "last_used", "expires_at", "revoked_at", "state"});
    for (const auto& token : *tokens)
        table.add_row(
            {std::to_string(token.id), token.token_hash.substr(0, kHashPrefixLength),
             time_text(token.created), time_text(token.last_used), time_text(token.expires_at),
             time_text(token.revoked_at),
             std::string(token_state_name(token_state(token, now, config->tokens.idle_seconds)))});
    table.print(context.out);
    return kExitOk;
}

int revoke_one(const Context& context, std::int64_t token_id) {
    auto config = load_config(context);
    if (!config) return kExitFailure;
    AdminDatabase db(config->database);
    auto token = db.queries().find_token(token_id);
    if (!token) return fail(context, "tokens revoke", token.error().detail);
    if (!*token)
        return fail(context, "tokens revoke", "no token with id " + std::to_string(token_id));
    const std::string which =
        "token " + std::to_string(token_id) + " of user " + std::to_string((*token)->user_id);
    if ((*token)->revoked_at) {
        context.out << which << " was already revoked at " << time_text((*token)->revoked_at)
                    << '\n';
        return kExitOk;
    }
    if (auto status = db.store().revoke_token(token_id, core::SystemClock().now()); !status)
        return fail(context, "tokens revoke", status.error().detail);
    context.out << which << " revoked\n";
    return kExitOk;
}

int revoke_all(const Context& context, std::int64_t user_id) {
    auto config = load_config(context);
    if (!config) return kExitFailure;
    AdminDatabase db(config->database);
    auto user = db.find_user(context, "tokens revoke", user_id);
    if (!user) return kExitFailure;
    auto revoked = db.store().revoke_all_tokens(user_id, core::SystemClock().now());
    if (!revoked) return fail(context, "tokens revoke", revoked.error().detail);
    context.out << "revoked " << *revoked << " token(s) of user " << user_id << " ("
                << cell(user->username) << ")\n";
    return kExitOk;
}

int revoke(const Context& context, const Arguments& arguments) {
    const auto user = arguments.value("--user");
    if (!user) {
        auto token_id = single_id(arguments, "TOKEN_ID");
        if (!token_id) return usage(context, kTokensCommand, token_id.error());
        return revoke_one(context, *token_id);
    }
    if (!arguments.positional.empty())
        return usage(context, kTokensCommand, "give either TOKEN_ID or --user USER_ID, not both");
    const auto user_id = parse_id(*user);
    if (!user_id)
        return usage(context, kTokensCommand,
                     "--user must be a number, not " + quote_argument(*user));
    return revoke_all(context, *user_id);
}

int run(const Context& context, const std::vector<std::string>& args) {
    if (args.empty())
        return usage(context, kTokensCommand, "a subcommand is missing: list or revoke");
    const std::string& subcommand = args[0];
    const bool is_revoke = subcommand == "revoke";
    const OptionSpec spec = is_revoke ? OptionSpec{{"--user"}, {}} : OptionSpec{};
    auto arguments = parse_arguments({args.begin() + 1, args.end()}, spec);
    if (subcommand == "-h" || subcommand == "--help" || (arguments && arguments->help)) {
        context.out << kHelp;
        return kExitOk;
    }
    if (subcommand != "list" && !is_revoke)
        return usage(context, kTokensCommand, "unknown subcommand " + quote_argument(subcommand));
    if (!arguments) return usage(context, kTokensCommand, arguments.error());
    return is_revoke ? revoke(context, *arguments) : list(context, *arguments);
}

} // namespace

const Command kTokensCommand{"tokens", "list and revoke a user's API tokens", kHelp, &run};

} // namespace socialauth::admin
