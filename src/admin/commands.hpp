// The commands of socialauth-admin, one file per group (migrate_command.cpp,
// config_command.cpp, users_command.cpp, tokens_command.cpp); admin_main.cpp
// dispatches to them. Constant-initialised, so admin_main's table of them is safe to
// build at any time.
#pragma once

#include "admin/command_context.hpp"

namespace socialauth::admin {

extern const Command kMigrateCommand;
extern const Command kCheckConfigCommand;
extern const Command kUsersCommand;
extern const Command kTokensCommand;

} // namespace socialauth::admin
