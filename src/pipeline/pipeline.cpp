#include "pipeline/pipeline.hpp"

#include "core/text.hpp"
#include "pipeline/steps.hpp"

#include <map>
#include <stdexcept>

namespace socialauth::pipeline {
namespace {

const std::map<std::string, Step>& known_steps() {
    static const std::map<std::string, Step> steps{
        {"social_details", &social_details}, {"social_uid", &social_uid},
        {"auth_allowed", &auth_allowed},     {"social_user", &social_user},
        {"get_username", &get_username},     {"associate_by_email", &associate_by_email},
        {"create_user", &create_user},       {"associate_user", &associate_user},
        {"load_extra_data", &load_extra_data}, {"user_details", &user_details}};
    return steps;
}

} // namespace

std::string email_key(const std::string& email) { return core::ascii_lower(core::trim(email)); }

Pipeline::Pipeline(const std::vector<std::string>& step_names) {
    const auto& known = known_steps();
    for (const auto& name : step_names) {
        const auto found = known.find(name);
        if (found == known.end()) throw std::invalid_argument("unknown pipeline step " + name);
        steps_.push_back(found->second);
    }
}

core::Result<PipelineState> Pipeline::run(PipelineContext& context,
                                          const providers::SocialProfile& profile) const {
    PipelineState state;
    state.backend = context.provider.name();
    state.profile = profile;
    for (Step step : steps_)
        if (auto status = step(context, state); !status) return status.error();
    // Reached when create_user is left out of the pipeline: sign-up is closed by design.
    if (!state.user)
        return core::make_public_error(core::Errc::not_allowed, "Sign-up is closed.",
                                       "pipeline ended without a user");
    return state;
}

} // namespace socialauth::pipeline
