#include "admin/command_context.hpp"

namespace socialauth::admin {

std::string config_path(const Context& context) {
    if (!context.options.config_path.empty()) return context.options.config_path;
    return core::locate_config(core::process_environment());
}

std::optional<core::Config> load_config(const Context& context) {
    auto load = core::load_config_file(config_path(context), core::process_environment());
    for (const auto& problem : load.problems) context.err << problem << '\n';
    return std::move(load.config);
}

int fail(const Context& context, std::string_view what, std::string_view detail) {
    context.err << "socialauth-admin: " << what << ": " << detail << '\n';
    return kExitFailure;
}

int usage(const Context& context, const Command& command, const std::string& message) {
    context.err << "socialauth-admin " << command.name << ": " << message << '\n'
                << "Try 'socialauth-admin " << command.name << " --help'.\n";
    return kExitUsage;
}

int usage(const Context& context, const Command& command, const core::Error& error) {
    return usage(context, command, error.detail);
}

AdminDatabase::AdminDatabase(const core::DatabaseConfig& config)
    : connection_(config), store_(connection_), queries_(connection_) {}

std::optional<store::UserRecord> AdminDatabase::find_user(const Context& context,
                                                          std::string_view what, std::int64_t id) {
    auto user = store_.find_user(id);
    if (!user) {
        fail(context, what, user.error().detail);
        return std::nullopt;
    }
    if (!*user) fail(context, what, "no user with id " + std::to_string(id));
    return std::move(*user);
}

} // namespace socialauth::admin
