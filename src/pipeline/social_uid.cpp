#include "pipeline/steps.hpp"

namespace socialauth::pipeline {

core::Status social_uid(PipelineContext&, PipelineState& state) {
    // A token that identifies nobody is a bad token, whatever the provider said.
    if (state.profile.uid.empty())
        return core::make_error(core::Errc::invalid_token, "provider gave no user id");
    state.uid = state.profile.uid;
    return {};
}

} // namespace socialauth::pipeline
