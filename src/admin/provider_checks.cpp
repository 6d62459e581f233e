#include "admin/provider_checks.hpp"

#include "core/json.hpp"
#include "http/form_encoding.hpp"
#include "providers/facebook_provider.hpp"
#include "providers/jwks.hpp"
#include "providers/provider_reply.hpp"

namespace socialauth::admin {

namespace {

CheckOutcome ok(std::string detail) { return {true, std::move(detail)}; }
CheckOutcome failed(std::string detail) { return {false, std::move(detail)}; }

std::string http_status(long status) { return "HTTP " + std::to_string(status); }

// The reply's root object, or nothing when the body is not strict JSON with an object
// at the root.
std::optional<Json::Value> json_object(const std::string& body) {
    auto root = core::parse_json(body);
    if (!root || !root->isObject()) return std::nullopt;
    return std::move(*root);
}

http::HttpRequest json_get(std::string url) {
    http::HttpRequest request;
    request.url = std::move(url);
    request.headers = {{"Accept", "application/json"}};
    return request;
}

} // namespace

CheckOutcome check_google_tokeninfo(http::HttpClient& http, const core::GoogleConfig& config) {
    // Sent as the program sends a real token: in a POST body.
    http::HttpRequest request = json_get(config.tokeninfo_url);
    request.method = "POST";
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    request.body = http::form_encode({{"access_token", kProbeToken}});
    const auto reply = http.send(request);
    if (!reply) return failed(reply.error().detail);
    if (reply->status == 400) {
        const auto root = json_object(reply->body);
        if (root && (*root)["error"].isString())
            return ok("reachable: a deliberately invalid token got HTTP 400 " +
                      (*root)["error"].asString());
        return failed("HTTP 400 without Google's JSON error: is tokeninfo_url Google's tokeninfo?");
    }
    if (reply->status == 200)
        return failed("HTTP 200 for a deliberately invalid token: is tokeninfo_url Google's "
                      "tokeninfo?");
    return failed(http_status(reply->status) + " where Google's tokeninfo answers an invalid "
                                               "token with HTTP 400");
}

CheckOutcome check_google_userinfo(http::HttpClient& http, const core::GoogleConfig& config) {
    http::HttpRequest request = json_get(config.userinfo_url);
    request.headers.emplace_back("Authorization", std::string("Bearer ") + kProbeToken);
    const auto reply = http.send(request);
    if (!reply) return failed(reply.error().detail);
    if (reply->status == 401) return ok("reachable: a deliberately invalid token got HTTP 401");
    if (reply->status == 200)
        return failed("HTTP 200 for a deliberately invalid token: is userinfo_url Google's "
                      "userinfo?");
    return failed(http_status(reply->status) + " where Google's userinfo answers an invalid "
                                               "token with HTTP 401");
}

CheckOutcome check_google_jwks(http::HttpClient& http, const core::GoogleConfig& config) {
    const auto reply = http.send(json_get(config.jwks_url));
    if (!reply) return failed(reply.error().detail);
    if (reply->status != 200) return failed(http_status(reply->status) + " instead of the keys");
    const auto keys = providers::Jwks::parse(reply->body);
    if (!keys) return failed("no usable signing key: " + keys.error().detail);
    return ok(std::to_string(keys->keys().size()) + " usable signing key(s)");
}

CheckOutcome check_facebook_debug_token(http::HttpClient& http,
                                        const core::FacebookConfig& config) {
    const std::string url =
        providers::graph_api_base(config) +
        "/debug_token?input_token=" + http::percent_encode(kProbeToken) +
        "&access_token=" + http::percent_encode(config.app_id + "|" + config.app_secret);
    const auto reply = http.send(json_get(url));
    if (!reply) return failed(reply.error().detail);
    const auto root = json_object(reply->body);
    if (!root)
        return failed(http_status(reply->status) + " without Graph's JSON: is graph_url "
                                                   "Facebook's Graph API?");
    providers::MemberReader top(*root);
    providers::MemberReader error(top.object("error"));
    const auto code = error.integer("code");
    const bool transient = error.boolean("is_transient").value_or(false);
    if (code) {
        const std::string graph_error =
            http_status(reply->status) + " with Graph error code " + std::to_string(*code);
        if (transient || providers::is_transient_graph_error(*code))
            return failed(graph_error + ": Graph is throttling or failing; try again later");
        return failed(graph_error + ": Graph refused the app access token; check app_id and "
                                    "app_secret");
    }
    providers::MemberReader data(top.object("data"));
    const auto is_valid = data.boolean("is_valid");
    if (reply->status == 200 && top.ok() && data.ok() && is_valid && !*is_valid)
        return ok("reachable; app credentials accepted (a deliberately invalid input token got "
                  "is_valid false)");
    if (reply->status == 200 && is_valid && *is_valid)
        return failed("HTTP 200 calling a deliberately invalid token valid: is graph_url "
                      "Facebook's Graph API?");
    return failed(http_status(reply->status) +
                  " without Graph's debug_token answer: is graph_url Facebook's Graph API?");
}

std::vector<OnlineCheck> provider_checks(const core::Config& config, http::HttpClient& http) {
    std::vector<OnlineCheck> checks;
    if (config.google) {
        const core::GoogleConfig& google = *config.google;
        checks.push_back({"google-oauth2 tokeninfo",
                          [&http, &google] { return check_google_tokeninfo(http, google); }});
        checks.push_back({"google-oauth2 userinfo",
                          [&http, &google] { return check_google_userinfo(http, google); }});
        checks.push_back(
            {"google-oauth2 jwks", [&http, &google] { return check_google_jwks(http, google); }});
    }
    if (config.facebook) {
        const core::FacebookConfig& facebook = *config.facebook;
        checks.push_back({"facebook debug_token", [&http, &facebook] {
                              return check_facebook_debug_token(http, facebook);
                          }});
    }
    return checks;
}

} // namespace socialauth::admin
