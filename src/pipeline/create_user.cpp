#include "pipeline/steps.hpp"

namespace socialauth::pipeline {

core::Status create_user(PipelineContext& context, PipelineState& state) {
    if (state.user) return {};
    if (!context.config.users.allow_signup)
        return core::make_public_error(core::Errc::not_allowed, "Sign-up is closed.",
                                       "allow_signup is off");
    if (state.username.empty())
        return core::make_error(core::Errc::internal_error, "create_user needs get_username");

    // Without associate_by_email in the pipeline nobody has looked yet: an address held
    // by another user is never linked then, nor shared by a second user (SPEC §4.2).
    if (!state.email_holders_checked && !state.details.email.empty()) {
        auto holders = context.store.find_users_by_email(email_key(state.details.email));
        if (!holders) return holders.error();
        if (!holders->empty())
            return core::make_public_error(core::Errc::email_in_use,
                                           "This email address belongs to an existing account.",
                                           "address held; associate_by_email not in pipeline");
    }

    store::NewUser user;
    user.username = state.username;
    user.email = state.details.email;
    user.email_verified = state.details.email_vouched;
    user.first_name = state.details.first_name;
    user.last_name = state.details.last_name;
    user.date_joined = context.clock.now();
    auto created = context.store.create_user(user);
    if (!created) return created.error();
    state.user = std::move(*created);
    state.is_new = true;
    return {};
}

} // namespace socialauth::pipeline
