// The provider half of `check-config --online`: one request to each endpoint of an
// enabled backend, with a deliberately invalid token that no provider accepts, so that
// the provider's refusal proves the URL reaches the right service (and, for Facebook,
// that Graph accepts our app credentials) without a real user's token. What a check
// expects:
//   google-oauth2 tokeninfo  HTTP 400 with an "error" member (Google's invalid_token)
//   google-oauth2 userinfo   HTTP 401 (the invalid bearer token refused)
//   google-oauth2 jwks       HTTP 200 with at least one usable RS256 key (Jwks::parse)
//   facebook debug_token     HTTP 200 whose data says is_valid false: Graph judged the
//                            input token, so it accepted the app access token
//                            (app_id|app_secret) the request was made with. An error
//                            object at the top of the reply instead means Graph refused
//                            the app access token itself (a wrong app_id or app_secret,
//                            Graph error code 190) — or, for a transient code, is
//                            throttling or failing.
// Details never hold a secret: URLs are named without their query (CurlHttpClient), and
// no reply text is quoted.
#pragma once

#include "core/config.hpp"
#include "http/http_client.hpp"

#include <functional>
#include <string>
#include <vector>

namespace socialauth::admin {

// What every check sends in place of a token: recognisable in a provider's logs.
inline constexpr const char* kProbeToken = "socialauth-admin-check-config-not-a-token";

struct CheckOutcome {
    bool ok = false;
    std::string detail;
};

struct OnlineCheck {
    std::string name;
    std::function<CheckOutcome()> run;
};

CheckOutcome check_google_tokeninfo(http::HttpClient& http, const core::GoogleConfig& config);
CheckOutcome check_google_userinfo(http::HttpClient& http, const core::GoogleConfig& config);
CheckOutcome check_google_jwks(http::HttpClient& http, const core::GoogleConfig& config);
CheckOutcome check_facebook_debug_token(http::HttpClient& http, const core::FacebookConfig& config);

// The checks of every enabled backend, in a fixed order; none when none is enabled.
// http and config must outlive the checks.
std::vector<OnlineCheck> provider_checks(const core::Config& config, http::HttpClient& http);

} // namespace socialauth::admin
