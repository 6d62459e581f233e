#include "providers/facebook_provider.hpp"

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "core/text.hpp"
#include "http/form_encoding.hpp"
#include "providers/provider_reply.hpp"

#include <algorithm>
#include <array>

namespace socialauth::providers {
namespace {

const std::string kName = "facebook";
constexpr std::string_view kDebugToken = "facebook debug_token";
constexpr std::string_view kMe = "facebook /me";

constexpr std::array<std::int64_t, 7> kTransientCodes = {1, 2, 4, 17, 32, 341, 613};

core::Error graph_error(std::string_view where, const http::HttpReply& reply) {
    if (classify_status(reply.status) != StatusClass::token_refused)
        return status_error(where, reply.status);
    const std::string status = "answered HTTP " + std::to_string(reply.status);
    const auto root = core::parse_json(reply.body);
    if (!root || !root->isObject()) return token_rejected(where, status);
    MemberReader top(*root);
    MemberReader error(top.object("error"));
    const auto code = error.integer("code");
    const bool transient = error.boolean("is_transient").value_or(false);
    if (!code) return token_rejected(where, status);
    const std::string described = status + " with Graph error code " + std::to_string(*code);
    if (transient || is_transient_graph_error(*code)) return provider_trouble(where, described);
    return token_rejected(where, described);
}

// Like fetch_object, but a refused request's error object decides between a rejected
// token and throttling.
core::Result<Json::Value> fetch_graph(http::HttpClient& http, const std::string& url,
                                      std::string_view where) {
    http::HttpRequest request;
    request.url = url;
    request.headers = {{"Accept", "application/json"}};
    const auto reply = http.send(request);
    if (!reply) return transport_error(where, reply.error());
    if (reply->status != 200) return graph_error(where, *reply);
    return parse_object(where, reply->body);
}

} // namespace

std::string graph_api_base(const core::FacebookConfig& config) {
    std::string base = config.graph_url;
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    if (!config.api_version.empty()) base += "/" + config.api_version;
    return base;
}

bool is_transient_graph_error(std::int64_t code) noexcept {
    return std::find(kTransientCodes.begin(), kTransientCodes.end(), code) != kTransientCodes.end();
}

FacebookProvider::FacebookProvider(const core::FacebookConfig& config, http::HttpClient& http,
                                   const core::Clock& clock)
    : config_(config), api_base_(graph_api_base(config)), http_(http), clock_(clock) {}

const std::string& FacebookProvider::name() const { return kName; }

const std::vector<std::string>& FacebookProvider::whitelisted_domains() const {
    return config_.whitelisted_domains;
}

const std::vector<std::string>& FacebookProvider::whitelisted_emails() const {
    return config_.whitelisted_emails;
}

core::Result<SocialProfile> FacebookProvider::authenticate(const ProviderToken& token) {
    if (token.access_token.empty()) {
        if (token.id_token.empty())
            return core::make_error(core::Errc::invalid_request, kName + ": no token given");
        return token_rejected(kName, "id_token not supported");
    }
    // No access token Facebook issues holds one; refusing early keeps odd bytes off the
    // wire.
    if (core::has_control_characters(token.access_token))
        return token_rejected(kName, "token holds control characters");

    auto info = check_token(token.access_token);
    if (!info) return info.error();
    return fetch_profile(token.access_token, *info);
}

core::Result<FacebookProvider::TokenInfo>
FacebookProvider::check_token(const std::string& access_token) {
    const std::string url =
        api_base_ + "/debug_token?input_token=" + http::percent_encode(access_token) +
        "&access_token=" + http::percent_encode(config_.app_id + "|" + config_.app_secret);
    const auto reply = fetch_graph(http_, url, kDebugToken);
    if (!reply) return reply.error();

    MemberReader top(*reply);
    MemberReader fields(top.object("data"));
    const auto is_valid = fields.boolean("is_valid");
    const std::string app_id = fields.string("app_id");
    const auto expires_at = fields.integer("expires_at");
    TokenInfo info{fields.string("user_id"), 0};
    if (!top.ok()) return provider_trouble(kDebugToken, top.problem());
    if (!fields.ok()) return provider_trouble(kDebugToken, fields.problem());

    if (!is_valid) return provider_trouble(kDebugToken, "no data.is_valid");
    if (!*is_valid) return token_rejected(kDebugToken, "the token is not valid");
    if (app_id != config_.app_id) return token_rejected(kDebugToken, "issued to another app");
    if (!expires_at) return provider_trouble(kDebugToken, "no data.expires_at");
    if (*expires_at != 0 && *expires_at <= core::to_unix_seconds(clock_.now()))
        return token_rejected(kDebugToken, "expired");
    if (info.user_id.empty())
        return token_rejected(kDebugToken, "no user_id: the token identifies no user");
    info.expires_at = *expires_at;
    return info;
}

core::Result<SocialProfile> FacebookProvider::fetch_profile(const std::string& access_token,
                                                            const TokenInfo& info) {
    const std::string url =
        api_base_ + "/me?fields=id,name,email,first_name,last_name" +
        "&access_token=" + http::percent_encode(access_token) +
        "&appsecret_proof=" + core::hmac_sha256_hex(config_.app_secret, access_token);
    const auto reply = fetch_graph(http_, url, kMe);
    if (!reply) return reply.error();

    MemberReader fields(*reply);
    SocialProfile profile;
    profile.uid = fields.string("id");
    profile.email = fields.string("email");
    profile.first_name = fields.string("first_name");
    profile.last_name = fields.string("last_name");
    profile.full_name = fields.string("name");
    if (!fields.ok()) return provider_trouble(kMe, fields.problem());

    if (profile.uid.empty()) return token_rejected(kMe, "no id: the token identifies no user");
    if (profile.uid != info.user_id)
        return token_rejected(kMe, "id differs from debug_token's user_id");
    profile.email_vouched = config_.trust_email && !profile.email.empty();
    if (info.expires_at != 0) profile.token_expires_at = info.expires_at;
    profile.access_token = access_token;
    return profile;
}

} // namespace socialauth::providers
