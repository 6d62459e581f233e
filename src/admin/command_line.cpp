#include "admin/command_line.hpp"

#include "core/text.hpp"

namespace socialauth::admin {

namespace {

constexpr std::size_t kMaxIdDigits = 18;

bool is_help(const std::string& arg) { return arg == "-h" || arg == "--help"; }

// "--name=value" -> ("--name", "value"); anything else -> (arg, nullopt).
std::pair<std::string, std::optional<std::string>> split_inline_value(const std::string& arg) {
    const auto equals = arg.find('=');
    if (arg.rfind("--", 0) != 0 || equals == std::string::npos) return {arg, std::nullopt};
    return {arg.substr(0, equals), arg.substr(equals + 1)};
}

} // namespace

core::Error usage_error(std::string message) {
    return core::make_error(core::Errc::invalid_request, std::move(message));
}

std::optional<std::string> Arguments::value(const std::string& option) const {
    const auto found = values.find(option);
    if (found == values.end()) return std::nullopt;
    return found->second;
}

core::Result<CommandLine> split_global_options(const std::vector<std::string>& args,
                                               GlobalOptions defaults) {
    CommandLine line{std::move(defaults), {}};
    std::set<std::string> seen;
    bool options_ended = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (options_ended) {
            line.rest.push_back(args[i]);
            continue;
        }
        auto [name, inline_value] = split_inline_value(args[i]);
        if (name != "--config" && name != "--sql-dir") {
            // "--" stays for the command's own parser, which ends its options there too.
            options_ended = args[i] == "--";
            line.rest.push_back(args[i]);
            continue;
        }
        if (!seen.insert(name).second) return usage_error(name + " given twice");
        std::string value;
        if (inline_value) {
            value = *inline_value;
        } else if (i + 1 < args.size()) {
            value = args[++i];
        } else {
            return usage_error(name + " needs a value");
        }
        if (value.empty()) return usage_error(name + " needs a value");
        (name == "--config" ? line.global.config_path : line.global.sql_dir) = value;
    }
    return line;
}

core::Result<Arguments> parse_arguments(const std::vector<std::string>& args,
                                        const OptionSpec& spec) {
    Arguments parsed;
    bool options_ended = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        // A lone "-" is a word, as in most tools; it is never a valid id either.
        if (options_ended || arg.size() < 2 || arg[0] != '-') {
            parsed.positional.push_back(arg);
            continue;
        }
        if (arg == "--") {
            options_ended = true;
            continue;
        }
        if (is_help(arg)) {
            parsed.help = true;
            continue;
        }
        auto [name, inline_value] = split_inline_value(arg);
        if (spec.flags.count(name) != 0) {
            if (inline_value) return usage_error(name + " takes no value");
            if (!parsed.flags.insert(name).second) return usage_error(name + " given twice");
            continue;
        }
        if (spec.with_value.count(name) == 0)
            return usage_error("unknown option " + quote_argument(name));
        if (parsed.values.count(name) != 0) return usage_error(name + " given twice");
        if (!inline_value) {
            if (i + 1 >= args.size()) return usage_error(name + " needs a value");
            inline_value = args[++i];
        }
        parsed.values[name] = *inline_value;
    }
    return parsed;
}

std::optional<std::int64_t> parse_id(std::string_view text) {
    if (text.empty() || text.size() > kMaxIdDigits) return std::nullopt;
    std::int64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

std::optional<std::int64_t> parse_positive(std::string_view text) {
    auto value = parse_id(text);
    if (value && *value == 0) return std::nullopt;
    return value;
}

core::Result<std::int64_t> single_id(const Arguments& arguments, std::string_view name) {
    const auto& positional = arguments.positional;
    if (positional.empty()) return usage_error(std::string(name) + " is missing");
    if (positional.size() > 1)
        return usage_error("unexpected argument " + quote_argument(positional[1]));
    const auto id = parse_id(positional[0]);
    if (!id)
        return usage_error(std::string(name) + " must be a number, not " +
                           quote_argument(positional[0]));
    return *id;
}

std::string quote_argument(std::string_view arg) { return "'" + core::escape_for_log(arg) + "'"; }

} // namespace socialauth::admin
