// The google-oauth2 backend. An OAuth2 access token is checked by Google's tokeninfo
// endpoint (sent in a POST body, so it never lands in a URL or an access log): its aud
// or azp must be one of our client ids and its exp in the future; the profile comes
// from the OpenID Connect userinfo endpoint, whose sub must be tokeninfo's sub. An
// OpenID Connect ID token (what Google Identity Services gives a browser) is checked
// here without asking Google about it: parse_jwt and verify_id_token with the key its
// kid names in Google's JWKS (JwksCache, fetched from jwks_url only), issuer
// accounts.google.com or https://accounts.google.com, audience one of our client ids,
// config's leeway_seconds of clock skew; its claims are the profile. When a request
// carries both, the ID token decides and the access token is not used (nor kept). Google
// vouches for the email when email_verified is true (or the string "true").
#pragma once

#include "core/clock.hpp"
#include "core/config.hpp"
#include "http/http_client.hpp"
#include "providers/cache_storage.hpp"
#include "providers/jwks_cache.hpp"
#include "providers/provider.hpp"

namespace socialauth::providers {

class GoogleProvider final : public Provider {
public:
    // http, cache and clock must outlive the provider; the config is copied. cache
    // keeps Google's signing keys between requests and processes.
    GoogleProvider(const core::GoogleConfig& config, http::HttpClient& http,
                   CacheStorage& cache, const core::Clock& clock);

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
    core::Result<SocialProfile> check_id_token(const std::string& id_token);
    bool is_our_client(const std::string& client_id) const;

    core::GoogleConfig config_;
    http::HttpClient& http_;
    const core::Clock& clock_;
    JwksCache keys_;
};

} // namespace socialauth::providers
