#include "pipeline/steps.hpp"

namespace socialauth::pipeline {

core::Status social_user(PipelineContext& context, PipelineState& state) {
    // Both rows locked: the exchange relies on is_active until it commits
    // (App::run_exchange).
    auto linked = context.store.find_identity(state.backend, state.uid);
    if (!linked) return linked.error();
    if (!*linked) return {};
    state.identity = std::move((*linked)->identity);
    state.user = std::move((*linked)->user);
    return {};
}

} // namespace socialauth::pipeline
