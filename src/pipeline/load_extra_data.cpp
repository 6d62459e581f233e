#include "core/json.hpp"
#include "core/sealed_token.hpp"
#include "pipeline/steps.hpp"

namespace socialauth::pipeline {

using store::IdentityRecord;

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
    // The provider token is kept only sealed (core/sealed_token.hpp): without a key it
    // is not kept at all, and a plaintext one left by an earlier version goes.
    const std::string& key = context.config.users.provider_token_key;
    const std::string& token = state.profile.access_token;
    if (context.config.users.store_provider_tokens && !key.empty() && !token.empty()) {
        const IdentityRecord& identity = *state.identity;
        const Json::Value stored_token = extra.get("access_token", Json::Value());
        // Sealing again would change the row at every login (a fresh nonce), so a
        // stored seal of this very token stays.
        if (!stored_token.isString() ||
            core::open_provider_token(key, identity.provider, identity.uid,
                                      stored_token.asString()) != token) {
            auto sealed = core::seal_provider_token(key, context.random, identity.provider,
                                                    identity.uid, token);
            if (!sealed) return sealed.error();
            extra["access_token"] = std::move(*sealed);
        }
    } else {
        extra.removeMember("access_token");
    }

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
