// The facebook backend for user access tokens. Graph's debug_token, asked with our app
// access token, must say the token is valid, was issued to our app, has not expired
// (expires_at 0 means it never does) and names a user; /me, signed with appsecret_proof
// (HMAC-SHA256 of the token under the app secret) so a stolen token is useless to
// anyone without our secret, must then name that same user. Facebook does not vouch for
// email addresses unless config.trust_email says to. Graph reports throttling and
// transient faults as 4xx too; their error codes make those provider trouble rather
// than a rejected token.
#pragma once

#include "core/clock.hpp"
#include "core/config.hpp"
#include "http/http_client.hpp"
#include "providers/provider.hpp"

namespace socialauth::providers {

// graph_url without trailing slashes, then "/" and api_version when there is one: the
// base every Graph call of this backend goes to (socialauth-admin checks it too).
std::string graph_api_base(const core::FacebookConfig& config);

// Graph error codes that mean "try again later" (unknown, service, and the app, user
// and page rate limits), whatever the HTTP status.
bool is_transient_graph_error(std::int64_t code) noexcept;

class FacebookProvider final : public Provider {
public:
    // http and clock must outlive the provider; the config is copied.
    FacebookProvider(const core::FacebookConfig& config, http::HttpClient& http,
                     const core::Clock& clock);

    const std::string& name() const override;
    core::Result<SocialProfile> authenticate(const ProviderToken& token) override;
    const std::vector<std::string>& whitelisted_domains() const override;
    const std::vector<std::string>& whitelisted_emails() const override;

private:
    struct TokenInfo {
        std::string user_id;
        std::int64_t expires_at; // 0: never
    };

    core::Result<TokenInfo> check_token(const std::string& access_token);
    core::Result<SocialProfile> fetch_profile(const std::string& access_token,
                                              const TokenInfo& info);

    core::FacebookConfig config_;
    std::string api_base_; // graph_url/api_version
    http::HttpClient& http_;
    const core::Clock& clock_;
};

} // namespace socialauth::providers
