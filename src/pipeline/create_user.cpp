#include "pipeline/steps.hpp"

namespace socialauth::pipeline {

core::Status create_user(PipelineContext& context, PipelineState& state) {
    if (state.user) return {};
    if (!context.config.users.allow_signup)
        return core::make_public_error(core::Errc::not_allowed, "Sign-up is closed.",
                                       "allow_signup is off");
    if (state.username.empty())
        return core::make_error(core::Errc::internal_error, "create_user needs get_username");

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
