#include "core/json.hpp"
#include "pipeline/steps.hpp"

namespace socialauth::pipeline {

core::Status load_extra_data(PipelineContext& context, PipelineState& state) {
    if (!state.identity) return {};

    // Keys written by other programs on the same database are kept.
    Json::Value extra(Json::objectValue);
    if (auto stored = core::parse_json(state.identity->extra_data); stored && stored->isObject())
        extra = *stored;

    const auto now = core::to_unix_seconds(context.clock.now());
    extra["auth_time"] = Json::Int64(now);
    if (state.profile.token_expires_at)
        extra["expires"] = Json::Int64(*state.profile.token_expires_at - now);
    else
        extra["expires"] = Json::nullValue;
    extra["token_type"] = "Bearer";
    if (context.config.users.store_provider_tokens && !state.profile.access_token.empty())
        extra["access_token"] = state.profile.access_token;
    else
        extra.removeMember("access_token");

    std::string text = core::to_json(extra);
    if (text == state.identity->extra_data) return {};
    if (auto status = context.store.update_identity_extra_data(state.identity->id, text,
                                                               context.clock.now());
        !status)
        return status;
    state.identity->extra_data = std::move(text);
    return {};
}

} // namespace socialauth::pipeline
