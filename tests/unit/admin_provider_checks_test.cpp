// admin/provider_checks: `check-config --online` reads a provider's refusal of a
// deliberately invalid token as proof that the URL reaches that provider, tells a
// refused Facebook app access token (wrong app secret) from a judged input token, and
// never lets a secret into what it prints.
#include "admin/provider_checks.hpp"

#include "support/fake_http_client.hpp"
#include "support/jwt_builder.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

namespace {

using namespace socialauth;

const std::string kTokeninfoUrl = "https://oauth2.googleapis.test/tokeninfo";
const std::string kUserinfoUrl = "https://openidconnect.googleapis.test/v1/userinfo";
const std::string kJwksUrl = "https://www.googleapis.test/oauth2/v3/certs";
const std::string kDebugTokenUrl = "https://graph.facebook.test/v18.0/debug_token?";
const std::string kAppSecret = "0123456789abcdef-app-secret";

std::string data(const std::string& name) { return std::string(SOCIALAUTH_TEST_DATA) + "/" + name; }

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

struct ChecksFixture {
    ChecksFixture() {
        google.client_ids = {"client.apps.googleusercontent.com"};
        google.tokeninfo_url = kTokeninfoUrl;
        google.userinfo_url = kUserinfoUrl;
        google.jwks_url = kJwksUrl;
        facebook.app_id = "1234";
        facebook.app_secret = kAppSecret;
        facebook.graph_url = "https://graph.facebook.test/";
    }

    admin::CheckOutcome debug_token(long status, const std::string& body) {
        http.reply(kDebugTokenUrl, status, body);
        return admin::check_facebook_debug_token(http, facebook);
    }

    testing::FakeHttpClient http;
    core::GoogleConfig google;
    core::FacebookConfig facebook;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(admin_provider_checks, ChecksFixture)

BOOST_AUTO_TEST_CASE(tokeninfo_is_reachable_when_it_refuses_the_probe_with_400) {
    http.reply_with_file(kTokeninfoUrl, 400, data("google/tokeninfo_invalid_token.json"));
    const auto outcome = admin::check_google_tokeninfo(http, google);
    BOOST_CHECK(outcome.ok);
    BOOST_CHECK(contains(outcome.detail, "HTTP 400 invalid_token"));
    // sent as a real token is: in a POST body, never in the URL
    BOOST_REQUIRE_EQUAL(http.requests().size(), 1U);
    BOOST_CHECK_EQUAL(http.requests()[0].method, "POST");
    BOOST_CHECK_EQUAL(http.requests()[0].url, kTokeninfoUrl);
    BOOST_CHECK(contains(http.requests()[0].body, admin::kProbeToken));
}

BOOST_AUTO_TEST_CASE(tokeninfo_fails_on_anything_but_googles_refusal) {
    http.reply(kTokeninfoUrl, 200, R"({"aud":"x"})");
    BOOST_CHECK(!admin::check_google_tokeninfo(http, google).ok);
    http.reply(kTokeninfoUrl, 404, "<html>not found</html>");
    const auto not_found = admin::check_google_tokeninfo(http, google);
    BOOST_CHECK(!not_found.ok);
    BOOST_CHECK(contains(not_found.detail, "HTTP 404"));
    http.reply(kTokeninfoUrl, 400, "<html>bad request</html>");
    BOOST_CHECK(!admin::check_google_tokeninfo(http, google).ok);
}

BOOST_AUTO_TEST_CASE(a_transport_error_fails_with_its_detail) {
    http.fail(kTokeninfoUrl, core::make_error(core::Errc::provider_unavailable,
                                              "https://127.0.0.1:9/tokeninfo: Couldn't connect"));
    const auto outcome = admin::check_google_tokeninfo(http, google);
    BOOST_CHECK(!outcome.ok);
    BOOST_CHECK(contains(outcome.detail, "Couldn't connect"));
}

BOOST_AUTO_TEST_CASE(userinfo_is_reachable_when_it_answers_401) {
    http.reply_with_file(kUserinfoUrl, 401, data("google/userinfo_invalid_credentials.json"));
    BOOST_CHECK(admin::check_google_userinfo(http, google).ok);
    BOOST_CHECK_EQUAL(http.requests()[0].method, "GET");
    http.reply(kUserinfoUrl, 200, "{}");
    BOOST_CHECK(!admin::check_google_userinfo(http, google).ok);
    http.reply(kUserinfoUrl, 503, "{}");
    BOOST_CHECK(!admin::check_google_userinfo(http, google).ok);
}

BOOST_AUTO_TEST_CASE(jwks_must_hold_a_usable_key) {
    http.reply(kJwksUrl, 200, testing::read_test_file(testing::jwt_data("certs.json")));
    const auto outcome = admin::check_google_jwks(http, google);
    BOOST_CHECK(outcome.ok);
    BOOST_CHECK_EQUAL(outcome.detail, "1 usable signing key(s)");
    http.reply(kJwksUrl, 200, R"({"keys":[]})");
    BOOST_CHECK(!admin::check_google_jwks(http, google).ok);
    http.reply(kJwksUrl, 500, "{}");
    BOOST_CHECK(!admin::check_google_jwks(http, google).ok);
}

BOOST_AUTO_TEST_CASE(facebook_accepts_the_app_when_graph_judges_the_input_token) {
    const auto outcome =
        debug_token(200, R"({"data":{"error":{"code":190,"message":"Invalid OAuth access token."},)"
                         R"("is_valid":false,"scopes":[]}})");
    BOOST_CHECK(outcome.ok);
    BOOST_CHECK(contains(outcome.detail, "app credentials accepted"));
    // graph_url's trailing slash dropped, api_version added, both tokens in the query
    const std::string& url = http.requests().at(0).url;
    BOOST_CHECK(url.rfind(kDebugTokenUrl, 0) == 0);
    BOOST_CHECK(contains(url, std::string("input_token=") + admin::kProbeToken));
    BOOST_CHECK(contains(url, "access_token=1234%7C" + kAppSecret));
}

BOOST_AUTO_TEST_CASE(facebook_fails_when_graph_refuses_the_app_access_token) {
    const auto outcome =
        debug_token(400, testing::read_test_file(data("facebook/oauth_exception.json")));
    BOOST_CHECK(!outcome.ok);
    BOOST_CHECK(contains(outcome.detail, "Graph error code 190"));
    BOOST_CHECK(contains(outcome.detail, "app_secret"));
    BOOST_CHECK(!contains(outcome.detail, kAppSecret));
}

BOOST_AUTO_TEST_CASE(facebook_throttling_fails_as_try_again_later) {
    const auto outcome =
        debug_token(400, testing::read_test_file(data("facebook/rate_limited.json")));
    BOOST_CHECK(!outcome.ok);
    BOOST_CHECK(contains(outcome.detail, "code 4"));
    BOOST_CHECK(contains(outcome.detail, "try again later"));
}

BOOST_AUTO_TEST_CASE(facebook_fails_on_answers_graph_would_not_give) {
    BOOST_CHECK(!debug_token(200, R"({"data":{"is_valid":true,"app_id":"1234"}})").ok);
    BOOST_CHECK(!debug_token(200, "<html>hello</html>").ok);
    BOOST_CHECK(!debug_token(200, R"({"data":{}})").ok);
    BOOST_CHECK(!debug_token(500, R"({"data":{"is_valid":false}})").ok);
}

BOOST_AUTO_TEST_CASE(lists_the_checks_of_enabled_backends_only) {
    core::Config config;
    BOOST_CHECK(admin::provider_checks(config, http).empty());
    config.facebook = facebook;
    auto checks = admin::provider_checks(config, http);
    BOOST_REQUIRE_EQUAL(checks.size(), 1U);
    BOOST_CHECK_EQUAL(checks[0].name, "facebook debug_token");
    config.google = google;
    checks = admin::provider_checks(config, http);
    BOOST_REQUIRE_EQUAL(checks.size(), 4U);
    BOOST_CHECK_EQUAL(checks[0].name, "google-oauth2 tokeninfo");
    BOOST_CHECK_EQUAL(checks[1].name, "google-oauth2 userinfo");
    BOOST_CHECK_EQUAL(checks[2].name, "google-oauth2 jwks");
}

BOOST_AUTO_TEST_SUITE_END()
