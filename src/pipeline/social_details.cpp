#include "core/text.hpp"
#include "pipeline/steps.hpp"

namespace socialauth::pipeline {

core::Status social_details(PipelineContext&, PipelineState& state) {
    const auto& profile = state.profile;
    UserDetails details;
    details.username = core::trim(profile.username);
    details.email = core::trim(profile.email);
    details.email_vouched = profile.email_vouched && !details.email.empty();
    details.first_name = core::trim(profile.first_name);
    details.last_name = core::trim(profile.last_name);
    details.full_name = core::trim(profile.full_name);
    state.details = std::move(details);
    return {};
}

} // namespace socialauth::pipeline
