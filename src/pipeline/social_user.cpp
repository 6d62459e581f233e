#include "pipeline/steps.hpp"

namespace socialauth::pipeline {

core::Status social_user(PipelineContext& context, PipelineState& state) {
    auto identity = context.store.find_identity(state.backend, state.uid);
    if (!identity) return identity.error();
    if (!*identity) return {};

    // Locked: the exchange relies on is_active until it commits (App::run_exchange).
    auto user = context.store.lock_user((*identity)->user_id);
    if (!user) return user.error();
    if (!*user)
        return core::make_error(core::Errc::internal_error, "identity without its user");
    state.identity = std::move(**identity);
    state.user = std::move(**user);
    return {};
}

} // namespace socialauth::pipeline
