#include "providers/google_provider.hpp"

#include "core/text.hpp"
#include "http/form_encoding.hpp"
#include "providers/jwt.hpp"
#include "providers/provider_reply.hpp"

#include <algorithm>
#include <charconv>

namespace socialauth::providers {
namespace {

const std::string kName = "google-oauth2";
constexpr std::string_view kTokeninfo = "google-oauth2 tokeninfo";
constexpr std::string_view kUserinfo = "google-oauth2 userinfo";
constexpr std::string_view kIdToken = "google-oauth2 id_token";
// Google's ID tokens name either form of its issuer (Google's "Verify the Google ID
// token" guide); fixed here, never taken from a token.
const std::vector<std::string> kIssuers = {"accounts.google.com", "https://accounts.google.com"};

// tokeninfo sends numbers as decimal strings; a JSON integer is taken as well, should
// Google ever send one.
std::optional<std::int64_t> read_unix_time(MemberReader& reader, std::string_view key) {
    const Json::Value* member = reader.find(key);
    if (!member) return std::nullopt;
    if (member->isString()) {
        const std::string text = member->asString();
        std::int64_t value = 0;
        const char* end = text.data() + text.size();
        const auto [stop, error] = std::from_chars(text.data(), end, value);
        if (error == std::errc() && stop == end && !text.empty() && text.front() != '-')
            return value;
    } else if (member->isInt64()) {
        return member->asInt64();
    }
    reader.wrong_type(key);
    return std::nullopt;
}

// userinfo sends a JSON boolean, tokeninfo the string "true" or "false".
bool read_verified(MemberReader& reader, std::string_view key) {
    const Json::Value* member = reader.find(key);
    if (!member) return false;
    if (member->isBool()) return member->asBool();
    if (member->isString()) return member->asString() == "true";
    reader.wrong_type(key);
    return false;
}

} // namespace

GoogleProvider::GoogleProvider(const core::GoogleConfig& config, http::HttpClient& http,
                               CacheStorage& cache, const core::Clock& clock)
    : config_(config), http_(http), clock_(clock),
      keys_("google-oauth2 jwks", config_.jwks_url,
            std::chrono::seconds(config_.jwks_refetch_interval_seconds), http, cache, clock) {}

const std::string& GoogleProvider::name() const { return kName; }

const std::vector<std::string>& GoogleProvider::whitelisted_domains() const {
    return config_.whitelisted_domains;
}

const std::vector<std::string>& GoogleProvider::whitelisted_emails() const {
    return config_.whitelisted_emails;
}

core::Result<SocialProfile> GoogleProvider::authenticate(const ProviderToken& token) {
    // The ID token takes precedence: it is checked locally and names its audience.
    if (!token.id_token.empty()) return check_id_token(token.id_token);
    if (token.access_token.empty())
        return core::make_error(core::Errc::invalid_request, kName + ": no token given");
    // The token goes into an Authorization header, where a line break would split it.
    if (core::has_control_characters(token.access_token))
        return token_rejected(kName, "token holds control characters");

    auto info = check_token(token.access_token);
    if (!info) return info.error();
    return fetch_profile(token.access_token, *info);
}

core::Result<GoogleProvider::TokenInfo>
GoogleProvider::check_token(const std::string& access_token) {
    http::HttpRequest request;
    request.method = "POST";
    request.url = config_.tokeninfo_url;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                       {"Accept", "application/json"}};
    request.body = http::form_encode({{"access_token", access_token}});
    const auto reply = fetch_object(http_, request, kTokeninfo);
    if (!reply) return reply.error();

    MemberReader fields(*reply);
    TokenInfo info{fields.string("sub"), 0};
    const std::string aud = fields.string("aud");
    const std::string azp = fields.string("azp");
    const auto exp = read_unix_time(fields, "exp");
    if (!fields.ok()) return provider_trouble(kTokeninfo, fields.problem());

    if (info.sub.empty()) return token_rejected(kTokeninfo, "no sub: the token identifies no user");
    // aud is the client the token was issued to; azp the one that asked for it, which
    // differs when, say, an Android client obtains a token for the web client.
    if (!is_our_client(aud) && !is_our_client(azp))
        return token_rejected(kTokeninfo, "issued to another client");
    if (!exp) return provider_trouble(kTokeninfo, "no exp");
    if (*exp <= core::to_unix_seconds(clock_.now())) return token_rejected(kTokeninfo, "expired");
    info.exp = *exp;
    return info;
}

core::Result<SocialProfile> GoogleProvider::fetch_profile(const std::string& access_token,
                                                          const TokenInfo& info) {
    http::HttpRequest request;
    request.url = config_.userinfo_url;
    request.headers = {{"Authorization", "Bearer " + access_token}, {"Accept", "application/json"}};
    const auto reply = fetch_object(http_, request, kUserinfo);
    if (!reply) return reply.error();

    MemberReader fields(*reply);
    SocialProfile profile;
    profile.uid = fields.string("sub");
    profile.email = fields.string("email");
    const bool verified = read_verified(fields, "email_verified");
    profile.first_name = fields.string("given_name");
    profile.last_name = fields.string("family_name");
    profile.full_name = fields.string("name");
    if (!fields.ok()) return provider_trouble(kUserinfo, fields.problem());

    if (profile.uid.empty())
        return token_rejected(kUserinfo, "no sub: the token identifies no user");
    if (profile.uid != info.sub) return token_rejected(kUserinfo, "sub differs from tokeninfo's");
    profile.email_vouched = verified && !profile.email.empty();
    profile.token_expires_at = info.exp;
    profile.access_token = access_token;
    return profile;
}

core::Result<SocialProfile> GoogleProvider::check_id_token(const std::string& id_token) {
    // Everything that needs no key is checked first, so a malformed token costs no
    // database read and no fetch.
    auto jwt = parse_jwt(id_token);
    if (!jwt) return transport_error(kIdToken, jwt.error());
    auto key = keys_.key(jwt->kid);
    if (!key) return key.error();
    const IdTokenPolicy policy{kIssuers, config_.client_ids, core::to_unix_seconds(clock_.now()),
                               config_.leeway_seconds};
    if (auto verified = verify_id_token(*jwt, *key, policy); !verified)
        return transport_error(kIdToken, verified.error());

    // Signed by Google, yet still read by type: a claim of another type is a refusal.
    MemberReader claims(jwt->claims);
    SocialProfile profile;
    profile.uid = claims.string("sub");
    profile.email = claims.string("email");
    const bool verified = read_verified(claims, "email_verified");
    profile.first_name = claims.string("given_name");
    profile.last_name = claims.string("family_name");
    profile.full_name = claims.string("name");
    if (!claims.ok()) return token_rejected(kIdToken, claims.problem());
    profile.email_vouched = verified && !profile.email.empty();
    profile.token_expires_at = numeric_date(jwt->claims["exp"]);
    // No provider access token came with an ID token login, so none is kept.
    return profile;
}

bool GoogleProvider::is_our_client(const std::string& client_id) const {
    return !client_id.empty() && std::find(config_.client_ids.begin(), config_.client_ids.end(),
                                           client_id) != config_.client_ids.end();
}

} // namespace socialauth::providers
