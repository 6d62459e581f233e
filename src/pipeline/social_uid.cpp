#include "pipeline/steps.hpp"

namespace socialauth::pipeline {
namespace {

// OpenID Connect caps a subject at 255 ASCII characters; so does the uid column.
constexpr std::size_t kMaxUidBytes = 255;

} // namespace

core::Status social_uid(PipelineContext&, PipelineState& state) {
    // A token that identifies nobody is a bad token, whatever the provider said.
    if (state.profile.uid.empty())
        return core::make_error(core::Errc::invalid_token, "provider gave no user id");
    if (state.profile.uid.size() > kMaxUidBytes)
        return core::make_error(core::Errc::invalid_token, "provider user id too long");
    state.uid = state.profile.uid;
    return {};
}

} // namespace socialauth::pipeline
