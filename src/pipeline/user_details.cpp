#include "pipeline/steps.hpp"

#include <algorithm>

namespace socialauth::pipeline {
namespace {

bool listed(const std::vector<std::string>& fields, const char* name) {
    return std::find(fields.begin(), fields.end(), name) != fields.end();
}

// Whether the provider's value may replace the stored one.
bool may_update(const core::UsersConfig& users, const char* name, const std::string& current,
                const std::string& incoming) {
    if (incoming.empty() || incoming == current) return false;
    if (listed(users.protected_user_fields, name)) return false;
    return !(listed(users.immutable_user_fields, name) && !current.empty());
}

// SPEC §4.2: the email changes only to an address the provider vouches for and that no
// other user holds; it then counts as verified. The same address, vouched for, becomes
// verified without being rewritten.
core::Result<bool> update_email(PipelineContext& context, const UserDetails& details,
                                store::UserRecord& user) {
    const auto& users = context.config.users;
    if (!details.email_vouched || listed(users.protected_user_fields, "email")) return false;
    const bool same_address = email_key(details.email) == email_key(user.email);
    if (same_address ? user.email_verified : !may_update(users, "email", user.email, details.email))
        return false;

    auto holders = context.store.find_users_by_email(email_key(details.email));
    if (!holders) return holders.error();
    const bool held_by_other = std::any_of(holders->begin(), holders->end(),
                                           [&](const store::UserRecord& u) { return u.id != user.id; });
    if (held_by_other) return false;
    if (!same_address) user.email = details.email;
    user.email_verified = true;
    return true;
}

} // namespace

core::Status user_details(PipelineContext& context, PipelineState& state) {
    if (!state.user || state.is_new) return {};
    const auto& users = context.config.users;
    store::UserRecord updated = *state.user;
    bool changed = false;
    if (may_update(users, "first_name", updated.first_name, state.details.first_name)) {
        updated.first_name = state.details.first_name;
        changed = true;
    }
    if (may_update(users, "last_name", updated.last_name, state.details.last_name)) {
        updated.last_name = state.details.last_name;
        changed = true;
    }
    auto email_changed = update_email(context, state.details, updated);
    if (!email_changed) return email_changed.error();
    changed = changed || *email_changed;

    if (!changed) return {};
    if (auto status = context.store.update_user_profile(updated); !status) return status;
    state.user = std::move(updated);
    return {};
}

} // namespace socialauth::pipeline
