// socialauth-admin's command line, read without touching the config, the database or
// the network, so that every usage error ends the tool (exit 2) before any work starts.
// The global options (--config FILE, --sql-dir DIR) may stand anywhere on the line,
// as scripts already put --sql-dir after the command. A command's own options are
// "--name VALUE", "--name=VALUE" or "--name" alone for a flag; "--" ends the options;
// "-h" and "--help" ask for help wherever they stand. Usage errors come back as
// Errc::invalid_request with the message for the operator as detail.
#pragma once

#include "core/result.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace socialauth::admin {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct GlobalOptions {
    std::string config_path; // empty: core::locate_config decides
    std::string sql_dir;
};

// argv without the program name, split into the global options and the rest (the
// command, its arguments and its options, in their order).
struct CommandLine {
    GlobalOptions global;
    std::vector<std::string> rest;
};

core::Result<CommandLine> split_global_options(const std::vector<std::string>& args,
                                               GlobalOptions defaults);

// A command's options: which take a value and which are flags.
struct OptionSpec {
    std::set<std::string> with_value; // "--limit"
    std::set<std::string> flags;      // "--inactive"
};

struct Arguments {
    std::vector<std::string> positional;
    std::map<std::string, std::string> values;
    std::set<std::string> flags;
    bool help = false;

    bool has(const std::string& flag) const { return flags.count(flag) != 0; }
    std::optional<std::string> value(const std::string& option) const;
};

// An option not in spec, a missing value, a value given to a flag or an option given
// twice is a usage error.
core::Result<Arguments> parse_arguments(const std::vector<std::string>& args,
                                        const OptionSpec& spec);

// A row id as the operator types it: 1 to 18 decimal digits, nothing else (no sign,
// no blanks), so every id fits a signed 64-bit integer.
std::optional<std::int64_t> parse_id(std::string_view text);

// A positive whole number (a --limit): like parse_id, and not 0.
std::optional<std::int64_t> parse_positive(std::string_view text);

// The one id a subcommand takes as its only positional argument; name ("ID",
// "TOKEN_ID") is how the usage error refers to it.
core::Result<std::int64_t> single_id(const Arguments& arguments, std::string_view name);

// An argument as a usage message may quote it: control characters escaped.
std::string quote_argument(std::string_view arg);

core::Error usage_error(std::string message);

} // namespace socialauth::admin
