#include "providers/facebook_provider.hpp"

#include "http/form_encoding.hpp"
#include "support/fake_http_client.hpp"
#include "support/fixed_clock.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace socialauth;

const std::string kDebugTokenUrl = "https://graph.facebook.test/v18.0/debug_token?";
const std::string kMeUrl = "https://graph.facebook.test/v18.0/me?";
// Distinctive, so a test can tell whether it leaked into an error detail.
const std::string kToken = "EAAGm0PX4ZCpsBAUnitTestTokenDoNotLeak9f2ZD";
const std::string kAppSecret = "0123456789abcdef-app-secret";
constexpr std::int64_t kExpiresAt = 1767225600; // debug_token_valid.json's expires_at

std::string data(const std::string& name) {
    return std::string(SOCIALAUTH_TEST_DATA) + "/facebook/" + name;
}

template <typename T> std::string code_of(const core::Result<T>& result) {
    return result ? "ok" : std::string(core::errc_name(result.error().code));
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

struct FacebookFixture {
    FacebookFixture() : clock(kExpiresAt - 3600) {
        config.app_id = "1234";
        config.app_secret = kAppSecret;
        config.graph_url = "https://graph.facebook.test/";
        config.api_version = "v18.0";
    }

    core::Result<providers::SocialProfile> authenticate(const std::string& token = kToken) {
        providers::FacebookProvider provider(config, http, clock);
        return provider.authenticate({token, ""});
    }

    void debug_token(long status, const std::string& file) {
        http.reply_with_file(kDebugTokenUrl, status, data(file));
    }
    void me(long status, const std::string& file) {
        http.reply_with_file(kMeUrl, status, data(file));
    }

    core::FacebookConfig config;
    testing::FakeHttpClient http;
    testing::FixedClock clock;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(facebook_provider, FacebookFixture)

BOOST_AUTO_TEST_CASE(maps_a_valid_token_to_the_me_profile) {
    debug_token(200, "debug_token_valid.json");
    me(200, "me_valid.json");
    const auto result = authenticate();
    BOOST_TEST_REQUIRE(code_of(result) == "ok");
    BOOST_TEST(result->uid == "10158000000000001");
    BOOST_TEST(result->email == "jane@example.com");
    BOOST_TEST(!result->email_vouched); // Facebook does not vouch by default
    BOOST_TEST(result->first_name == "Jane");
    BOOST_TEST(result->last_name == "Doe");
    BOOST_TEST(result->full_name == "Jane Doe");
    BOOST_TEST(result->username == "");
    BOOST_TEST_REQUIRE(result->token_expires_at.has_value());
    BOOST_TEST(*result->token_expires_at == kExpiresAt);
    BOOST_TEST(result->access_token == kToken);
    BOOST_TEST(http.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(is_named_like_the_python_social_auth_backend) {
    providers::FacebookProvider provider(config, http, clock);
    BOOST_TEST(provider.name() == "facebook");
}

BOOST_AUTO_TEST_CASE(vouches_for_the_email_when_trust_email_is_set) {
    config.trust_email = true;
    debug_token(200, "debug_token_valid.json");
    me(200, "me_valid.json");
    const auto result = authenticate();
    BOOST_TEST_REQUIRE(code_of(result) == "ok");
    BOOST_TEST(result->email_vouched);
}

BOOST_AUTO_TEST_CASE(vouches_for_no_email_when_there_is_none) {
    config.trust_email = true;
    debug_token(200, "debug_token_valid.json");
    me(200, "me_without_email.json");
    const auto result = authenticate();
    BOOST_TEST_REQUIRE(code_of(result) == "ok");
    BOOST_TEST(result->email == "");
    BOOST_TEST(!result->email_vouched);
}

BOOST_AUTO_TEST_CASE(asks_debug_token_with_the_app_access_token) {
    debug_token(200, "debug_token_valid.json");
    me(200, "me_valid.json");
    BOOST_TEST_REQUIRE(code_of(authenticate()) == "ok");
    BOOST_TEST_REQUIRE(http.requests().size() == 2u);
    const auto& request = http.requests()[0];
    BOOST_TEST(request.method == "GET");
    BOOST_TEST(request.url == kDebugTokenUrl + "input_token=" + kToken + "&access_token=1234%7C" +
                                  http::percent_encode(kAppSecret));
}

BOOST_AUTO_TEST_CASE(signs_the_me_request_with_appsecret_proof) {
    // HMAC-SHA256 with key "secret" over "token", computed independently:
    //   printf token | openssl dgst -sha256 -hmac secret
    const std::string expected_proof =
        "e941110e3d2bfe82621f0e3e1434730d7305d106c5f68c87165d0b27a4611a4a";
    config.app_secret = "secret";
    debug_token(200, "debug_token_valid.json");
    me(200, "me_valid.json");
    BOOST_TEST_REQUIRE(code_of(authenticate("token")) == "ok");
    BOOST_TEST_REQUIRE(http.requests().size() == 2u);
    const auto& request = http.requests()[1];
    BOOST_TEST(request.method == "GET");
    BOOST_TEST(request.url == kMeUrl + "fields=id,name,email,first_name,last_name" +
                                  "&access_token=token&appsecret_proof=" + expected_proof);
}

BOOST_AUTO_TEST_CASE(rejects_token_debug_token_calls_invalid) {
    debug_token(200, "debug_token_invalid.json");
    BOOST_TEST(code_of(authenticate()) == "invalid_token");
    BOOST_TEST(http.requests().size() == 1u); // /me is never asked
}

BOOST_AUTO_TEST_CASE(rejects_token_graph_refuses_with_an_oauth_exception) {
    debug_token(400, "oauth_exception.json");
    BOOST_TEST(code_of(authenticate()) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(rejects_token_me_refuses_with_an_oauth_exception) {
    debug_token(200, "debug_token_valid.json");
    me(400, "oauth_exception.json");
    BOOST_TEST(code_of(authenticate()) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(rejects_token_issued_to_another_app) {
    debug_token(200, "debug_token_other_app.json");
    BOOST_TEST(code_of(authenticate()) == "invalid_token");
    BOOST_TEST(http.requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(rejects_token_that_expires_now) {
    clock.set(kExpiresAt);
    debug_token(200, "debug_token_valid.json");
    BOOST_TEST(code_of(authenticate()) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(rejects_token_that_has_expired) {
    clock.set(kExpiresAt);
    clock.advance(std::chrono::hours(24 * 60));
    debug_token(200, "debug_token_valid.json");
    BOOST_TEST(code_of(authenticate()) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(accepts_token_that_never_expires) {
    clock.set(kExpiresAt);
    clock.advance(std::chrono::hours(24 * 365));
    debug_token(200, "debug_token_never_expires.json");
    me(200, "me_valid.json");
    const auto result = authenticate();
    BOOST_TEST_REQUIRE(code_of(result) == "ok");
    BOOST_TEST(!result->token_expires_at.has_value());
}

BOOST_AUTO_TEST_CASE(rejects_token_that_names_no_user) {
    debug_token(200, "debug_token_no_user.json");
    BOOST_TEST(code_of(authenticate()) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(rejects_me_without_an_id) {
    debug_token(200, "debug_token_valid.json");
    me(200, "me_missing_id.json");
    BOOST_TEST(code_of(authenticate()) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(rejects_me_of_another_user_than_debug_token_names) {
    debug_token(200, "debug_token_valid.json");
    me(200, "me_other_user.json");
    BOOST_TEST(code_of(authenticate()) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(reports_server_errors_as_provider_unavailable) {
    debug_token(500, "server_error.json");
    BOOST_TEST(code_of(authenticate()) == "provider_unavailable");

    testing::FakeHttpClient fresh;
    fresh.reply_with_file(kDebugTokenUrl, 200, data("debug_token_valid.json"));
    fresh.reply_with_file(kMeUrl, 503, data("not_json.html"));
    providers::FacebookProvider provider(config, fresh, clock);
    BOOST_TEST(code_of(provider.authenticate({kToken, ""})) == "provider_unavailable");
}

BOOST_AUTO_TEST_CASE(reports_rate_limiting_as_provider_unavailable) {
    // Graph signals throttling with an error code, usually under 400 or 403.
    for (const long status : {400L, 403L, 429L}) {
        testing::FakeHttpClient fresh;
        fresh.reply_with_file(kDebugTokenUrl, status, data("rate_limited.json"));
        providers::FacebookProvider provider(config, fresh, clock);
        BOOST_TEST(code_of(provider.authenticate({kToken, ""})) == "provider_unavailable",
                   "HTTP " << status);
    }
}

BOOST_AUTO_TEST_CASE(reports_a_redirect_as_provider_unavailable) {
    debug_token(302, "moved.html");
    BOOST_TEST(code_of(authenticate()) == "provider_unavailable");
}

BOOST_AUTO_TEST_CASE(reports_a_reply_that_is_not_json_as_provider_unavailable) {
    debug_token(200, "debug_token_valid.json");
    me(200, "not_json.html");
    BOOST_TEST(code_of(authenticate()) == "provider_unavailable");
}

BOOST_AUTO_TEST_CASE(reports_members_of_the_wrong_type_as_provider_unavailable) {
    for (const char* file : {"debug_token_app_id_number.json", "debug_token_is_valid_string.json",
                             "debug_token_data_array.json"}) {
        testing::FakeHttpClient fresh;
        fresh.reply_with_file(kDebugTokenUrl, 200, data(file));
        providers::FacebookProvider provider(config, fresh, clock);
        BOOST_TEST(code_of(provider.authenticate({kToken, ""})) == "provider_unavailable", file);
    }
    debug_token(200, "debug_token_valid.json");
    me(200, "me_id_number.json");
    BOOST_TEST(code_of(authenticate()) == "provider_unavailable");
}

BOOST_AUTO_TEST_CASE(passes_a_transport_error_on_as_provider_unavailable) {
    http.fail(
        kDebugTokenUrl,
        core::make_error(core::Errc::provider_unavailable,
                         "https://graph.facebook.test/v18.0/debug_token: Timeout was reached"));
    const auto result = authenticate();
    BOOST_TEST_REQUIRE(code_of(result) == "provider_unavailable");
    BOOST_TEST(contains(result.error().detail, "Timeout was reached"));
}

BOOST_AUTO_TEST_CASE(refuses_an_id_token) {
    providers::FacebookProvider provider(config, http, clock);
    BOOST_TEST(code_of(provider.authenticate({"", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"})) ==
               "invalid_token");
    BOOST_TEST(http.requests().empty());
}

BOOST_AUTO_TEST_CASE(never_puts_the_token_or_the_app_secret_in_an_error_detail) {
    const std::vector<std::pair<long, std::string>> debug_token_replies = {
        {400, "oauth_exception.json"},
        {200, "debug_token_invalid.json"},
        {200, "debug_token_other_app.json"},
        {200, "debug_token_no_user.json"},
        {200, "debug_token_app_id_number.json"},
        {500, "server_error.json"},
        {403, "rate_limited.json"},
        {302, "moved.html"}};
    const std::vector<std::pair<long, std::string>> me_replies = {{400, "oauth_exception.json"},
                                                                  {200, "me_other_user.json"},
                                                                  {200, "me_missing_id.json"},
                                                                  {200, "me_id_number.json"},
                                                                  {200, "not_json.html"}};
    const auto check = [&](testing::FakeHttpClient& fake, const std::string& label) {
        providers::FacebookProvider provider(config, fake, clock);
        const auto result = provider.authenticate({kToken, ""});
        BOOST_TEST_REQUIRE(!result, label);
        const std::string& detail = result.error().detail;
        BOOST_TEST(!detail.empty(), label);
        for (const std::string& secret :
             {kToken, http::percent_encode(kToken), kAppSecret, http::percent_encode(kAppSecret)})
            BOOST_TEST(!contains(detail, secret), label);
        BOOST_TEST(!contains(result.error().public_message, kToken), label);
    };
    for (const auto& [status, file] : debug_token_replies) {
        testing::FakeHttpClient fake;
        fake.reply_with_file(kDebugTokenUrl, status, data(file));
        check(fake, file);
    }
    for (const auto& [status, file] : me_replies) {
        testing::FakeHttpClient fake;
        fake.reply_with_file(kDebugTokenUrl, 200, data("debug_token_valid.json"));
        fake.reply_with_file(kMeUrl, status, data(file));
        check(fake, file);
    }
}

BOOST_AUTO_TEST_SUITE_END()
