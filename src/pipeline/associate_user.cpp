#include "pipeline/steps.hpp"

namespace socialauth::pipeline {

core::Status associate_user(PipelineContext& context, PipelineState& state) {
    if (state.identity || !state.user) return {};
    auto identity = context.store.create_identity(state.user->id, state.backend, state.uid, "{}",
                                                  context.clock.now());
    if (!identity) return identity.error();
    state.identity = std::move(*identity);
    return {};
}

} // namespace socialauth::pipeline
