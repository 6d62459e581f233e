// socialauth-admin: the operator's command-line tool. Never the CGI binary, because a
// CGI server may pass a query string as argv. This file only reads the global options
// and hands the rest to a command (commands.hpp).
#include "admin/commands.hpp"

#include "config.h"

#include <array>
#include <exception>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

namespace {

using namespace socialauth::admin;

const char kVersionHelp[] =
    "usage: socialauth-admin version\n"
    "\n"
    "Prints the package name and version.\n"
    "\n"
    "exit status: 0 done, 2 usage error\n";

int run_version(const Context& context, const std::vector<std::string>& args);

const Command kVersionCommand{"version", "print the version", kVersionHelp, &run_version};

const std::array<const Command*, 5> kCommands = {&kMigrateCommand, &kCheckConfigCommand,
                                                 &kUsersCommand, &kTokensCommand,
                                                 &kVersionCommand};

int run_version(const Context& context, const std::vector<std::string>& args) {
    auto arguments = parse_arguments(args, {});
    if (!arguments) return usage(context, kVersionCommand, arguments.error());
    if (arguments->help) {
        context.out << kVersionHelp;
        return kExitOk;
    }
    if (!arguments->positional.empty())
        return usage(context, kVersionCommand,
                     "unexpected argument " + quote_argument(arguments->positional[0]));
    context.out << PACKAGE_STRING << '\n';
    return kExitOk;
}

void print_usage(std::ostream& out) {
    out << "usage: socialauth-admin [--config FILE] [--sql-dir DIR] COMMAND [ARGUMENTS]\n"
           "       socialauth-admin help [COMMAND]\n"
           "       socialauth-admin COMMAND --help\n"
           "\n"
           "commands:\n";
    for (const Command* command : kCommands)
        out << "  " << std::left << std::setw(14) << command->name << command->summary << '\n';
    out << "  " << std::left << std::setw(14) << "help"
        << "print this help, or a command's\n"
           "\n"
           "options (anywhere on the line):\n"
           "  --config FILE  the config file (default: $SOCIALAUTH_CONFIG, then\n"
           "                 ~/.config/socialauth/config.json, then /etc/socialauth/config.json)\n"
           "  --sql-dir DIR  the schema files (default: " SOCIALAUTH_SQL_DIR ")\n"
           "  -h, --help     help, of the tool or of the command it follows\n"
           "\n"
           "Results go to stdout, errors to stderr. No command prints a secret.\n"
           "exit status: 0 done, 1 failed (an unknown id, an unusable config or database,\n"
           "             a failed check), 2 usage error (unknown command or option, missing\n"
           "             or malformed argument)\n";
}

const Command* find_command(const std::string& name) {
    for (const Command* command : kCommands)
        if (name == command->name) return command;
    return nullptr;
}

int tool_usage_error(const std::string& message) {
    std::cerr << "socialauth-admin: " << message << "\n\n";
    print_usage(std::cerr);
    return kExitUsage;
}

// help [COMMAND]
int run_help(const std::vector<std::string>& args) {
    if (args.empty()) {
        print_usage(std::cout);
        return kExitOk;
    }
    const Command* command = args.size() == 1 ? find_command(args[0]) : nullptr;
    if (!command)
        return tool_usage_error("help takes one command name, not " + quote_argument(args.back()));
    std::cout << command->help;
    return kExitOk;
}

int run(const std::vector<std::string>& args) {
    auto line = split_global_options(args, {{}, SOCIALAUTH_SQL_DIR});
    if (!line) return tool_usage_error(line.error().detail);
    const auto& rest = line->rest;
    if (rest.empty()) return tool_usage_error("a command is missing");
    const std::string& name = rest.front();
    const std::vector<std::string> command_args(rest.begin() + 1, rest.end());
    if (name == "help" || name == "-h" || name == "--help") return run_help(command_args);
    const Command* command = find_command(name);
    if (!command) return tool_usage_error("unknown command " + quote_argument(name));
    const Context context{line->global, std::cout, std::cerr};
    return command->run(context, command_args);
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const std::exception& e) {
        // A broken invariant (Result misuse, out of memory): say so rather than abort.
        std::cerr << "socialauth-admin: internal error: " << e.what() << '\n';
        return kExitFailure;
    }
}
