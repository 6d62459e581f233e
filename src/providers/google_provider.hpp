// The google-oauth2 backend for OAuth2 access tokens. Google's tokeninfo endpoint checks
// the token (sent in a POST body, so it never lands in a URL or an access log): its aud
// or azp must be one of our client ids and its exp in the future. The profile comes from
// the OpenID Connect userinfo endpoint, whose sub must be tokeninfo's sub; Google
// vouches for the email when email_verified is true. ID tokens are a later issue and
// are refused as invalid_token until then.
#pragma once

#include "core/clock.hpp"
#include "core/config.hpp"
#include "http/http_client.hpp"
#include "providers/provider.hpp"

namespace socialauth::providers {

class GoogleProvider final : public Provider {
public:
    // http and clock must outlive the provider; the config is copied.
    GoogleProvider(const core::GoogleConfig& config, http::HttpClient& http,
                   const core::Clock& clock);

    const std::string& name() const override;
    core::Result<SocialProfile> authenticate(const ProviderToken& token) override;
    const std::vector<std::string>& whitelisted_domains() const override;
    const std::vector<std::string>& whitelisted_emails() const override;

private:
    struct TokenInfo {
        std::string sub;
        std::int64_t exp;
    };

    core::Result<TokenInfo> check_token(const std::string& access_token);
    core::Result<SocialProfile> fetch_profile(const std::string& access_token,
                                              const TokenInfo& info);
    bool is_our_client(const std::string& client_id) const;

    core::GoogleConfig config_;
    http::HttpClient& http_;
    const core::Clock& clock_;
};

} // namespace socialauth::providers
