#include "providers/google_provider.hpp"

#include "http/form_encoding.hpp"
#include "support/fake_http_client.hpp"
#include "support/fixed_clock.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace socialauth;

const std::string kTokeninfoUrl = "https://google.test/tokeninfo";
const std::string kUserinfoUrl = "https://google.test/v1/userinfo";
// Distinctive, so a test can tell whether it leaked into an error detail.
const std::string kToken = "ya29.a0AfB_unitTestToken-DoNotLeak_7f3c";
constexpr std::int64_t kExp = 1767225600; // tokeninfo_valid.json's exp

std::string data(const std::string& name) {
    return std::string(SOCIALAUTH_TEST_DATA) + "/google/" + name;
}

template <typename T> std::string code_of(const core::Result<T>& result) {
    return result ? "ok" : std::string(core::errc_name(result.error().code));
}

struct GoogleFixture {
    GoogleFixture() : clock(kExp - 3600) {
        config.client_ids = {"123.apps.googleusercontent.com", "456.apps.googleusercontent.com"};
        config.tokeninfo_url = kTokeninfoUrl;
        config.userinfo_url = kUserinfoUrl;
    }

    core::Result<providers::SocialProfile> authenticate(const std::string& token = kToken) {
        providers::GoogleProvider provider(config, http, clock);
        return provider.authenticate({token, ""});
    }

    void tokeninfo(long status, const std::string& file) {
        http.reply_with_file(kTokeninfoUrl, status, data(file));
    }
    void userinfo(long status, const std::string& file) {
        http.reply_with_file(kUserinfoUrl, status, data(file));
    }

    core::GoogleConfig config;
    testing::FakeHttpClient http;
    testing::FixedClock clock;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(google_provider, GoogleFixture)

BOOST_AUTO_TEST_CASE(maps_a_valid_token_to_the_userinfo_profile) {
    tokeninfo(200, "tokeninfo_valid.json");
    userinfo(200, "userinfo_valid.json");
    const auto result = authenticate();
    BOOST_TEST_REQUIRE(code_of(result) == "ok");
    BOOST_TEST(result->uid == "110169484474386276334");
    BOOST_TEST(result->email == "jane@example.com");
    BOOST_TEST(result->email_vouched);
    BOOST_TEST(result->first_name == "Jane");
    BOOST_TEST(result->last_name == "Doe");
    BOOST_TEST(result->full_name == "Jane Doe");
    BOOST_TEST(result->username == "");
    BOOST_TEST_REQUIRE(result->token_expires_at.has_value());
    BOOST_TEST(*result->token_expires_at == kExp);
    BOOST_TEST(result->access_token == kToken);
    BOOST_TEST(http.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(is_named_like_the_python_social_auth_backend) {
    providers::GoogleProvider provider(config, http, clock);
    BOOST_TEST(provider.name() == "google-oauth2");
}

BOOST_AUTO_TEST_CASE(posts_the_token_to_tokeninfo_in_the_body_not_the_url) {
    tokeninfo(200, "tokeninfo_valid.json");
    userinfo(200, "userinfo_valid.json");
    BOOST_TEST_REQUIRE(code_of(authenticate()) == "ok");
    BOOST_TEST_REQUIRE(http.requests().size() == 2u);
    const auto& request = http.requests()[0];
    BOOST_TEST(request.method == "POST");
    BOOST_TEST(request.url == kTokeninfoUrl);
    BOOST_TEST(request.body == "access_token=" + http::percent_encode(kToken));
    const std::pair<std::string, std::string> form_type{"Content-Type",
                                                        "application/x-www-form-urlencoded"};
    BOOST_TEST((std::find(request.headers.begin(), request.headers.end(), form_type) !=
                request.headers.end()));
}

BOOST_AUTO_TEST_CASE(asks_userinfo_with_the_token_as_bearer_credentials) {
    tokeninfo(200, "tokeninfo_valid.json");
    userinfo(200, "userinfo_valid.json");
    BOOST_TEST_REQUIRE(code_of(authenticate()) == "ok");
    BOOST_TEST_REQUIRE(http.requests().size() == 2u);
    const auto& request = http.requests()[1];
    BOOST_TEST(request.method == "GET");
    BOOST_TEST(request.url == kUserinfoUrl);
    const std::pair<std::string, std::string> bearer{"Authorization", "Bearer " + kToken};
    BOOST_TEST((std::find(request.headers.begin(), request.headers.end(), bearer) !=
                request.headers.end()));
}

BOOST_AUTO_TEST_CASE(rejects_token_issued_to_another_client) {
    tokeninfo(200, "tokeninfo_foreign_audience.json");
    BOOST_TEST(code_of(authenticate()) == "invalid_token");
    BOOST_TEST(http.requests().size() == 1u); // userinfo is never asked
}

BOOST_AUTO_TEST_CASE(accepts_token_whose_azp_alone_is_one_of_our_clients) {
    tokeninfo(200, "tokeninfo_azp_only.json");
    userinfo(200, "userinfo_valid.json");
    BOOST_TEST(code_of(authenticate()) == "ok");
}

BOOST_AUTO_TEST_CASE(rejects_token_that_expires_now) {
    clock.set(kExp);
    tokeninfo(200, "tokeninfo_valid.json");
    BOOST_TEST(code_of(authenticate()) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(rejects_token_that_has_expired) {
    clock.set(kExp);
    clock.advance(std::chrono::hours(24));
    tokeninfo(200, "tokeninfo_valid.json");
    BOOST_TEST(code_of(authenticate()) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(rejects_token_tokeninfo_calls_invalid) {
    tokeninfo(400, "tokeninfo_invalid_token.json");
    BOOST_TEST(code_of(authenticate()) == "invalid_token");
    BOOST_TEST(http.requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(rejects_token_on_any_client_error_from_tokeninfo) {
    for (const long status : {401L, 403L, 404L}) {
        testing::FakeHttpClient fresh;
        fresh.reply_with_file(kTokeninfoUrl, status, data("tokeninfo_invalid_token.json"));
        providers::GoogleProvider provider(config, fresh, clock);
        BOOST_TEST(code_of(provider.authenticate({kToken, ""})) == "invalid_token",
                   "HTTP " << status);
    }
}

BOOST_AUTO_TEST_CASE(rejects_token_userinfo_refuses) {
    tokeninfo(200, "tokeninfo_valid.json");
    userinfo(401, "userinfo_invalid_credentials.json");
    BOOST_TEST(code_of(authenticate()) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(rejects_tokeninfo_that_names_no_user) {
    tokeninfo(200, "tokeninfo_missing_sub.json");
    BOOST_TEST(code_of(authenticate()) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(rejects_userinfo_that_names_no_user) {
    tokeninfo(200, "tokeninfo_valid.json");
    userinfo(200, "userinfo_missing_sub.json");
    BOOST_TEST(code_of(authenticate()) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(rejects_userinfo_of_another_user_than_tokeninfo_names) {
    tokeninfo(200, "tokeninfo_valid.json");
    userinfo(200, "userinfo_other_sub.json");
    BOOST_TEST(code_of(authenticate()) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(does_not_vouch_for_an_unverified_email) {
    tokeninfo(200, "tokeninfo_valid.json");
    userinfo(200, "userinfo_unverified_email.json");
    const auto result = authenticate();
    BOOST_TEST_REQUIRE(code_of(result) == "ok");
    BOOST_TEST(result->email == "jane@example.com");
    BOOST_TEST(!result->email_vouched);
}

BOOST_AUTO_TEST_CASE(vouches_for_email_verified_given_as_the_string_true) {
    tokeninfo(200, "tokeninfo_valid.json");
    userinfo(200, "userinfo_verified_as_string.json");
    const auto result = authenticate();
    BOOST_TEST_REQUIRE(code_of(result) == "ok");
    BOOST_TEST(result->email_vouched);
}

BOOST_AUTO_TEST_CASE(reports_server_errors_as_provider_unavailable) {
    for (const long status : {500L, 502L, 503L}) {
        testing::FakeHttpClient fresh;
        fresh.reply_with_file(kTokeninfoUrl, status, data("server_error.html"));
        providers::GoogleProvider provider(config, fresh, clock);
        BOOST_TEST(code_of(provider.authenticate({kToken, ""})) == "provider_unavailable",
                   "HTTP " << status);
    }
    tokeninfo(200, "tokeninfo_valid.json");
    userinfo(503, "server_error.html");
    BOOST_TEST(code_of(authenticate()) == "provider_unavailable");
}

BOOST_AUTO_TEST_CASE(reports_rate_limiting_as_provider_unavailable) {
    tokeninfo(429, "rate_limited.json");
    BOOST_TEST(code_of(authenticate()) == "provider_unavailable");
}

BOOST_AUTO_TEST_CASE(reports_a_redirect_as_provider_unavailable) {
    tokeninfo(200, "tokeninfo_valid.json");
    userinfo(302, "moved.html");
    BOOST_TEST(code_of(authenticate()) == "provider_unavailable");
}

BOOST_AUTO_TEST_CASE(reports_a_reply_that_is_not_json_as_provider_unavailable) {
    tokeninfo(200, "server_error.html");
    BOOST_TEST(code_of(authenticate()) == "provider_unavailable");
}

BOOST_AUTO_TEST_CASE(reports_truncated_json_as_provider_unavailable) {
    tokeninfo(200, "tokeninfo_truncated.json");
    BOOST_TEST(code_of(authenticate()) == "provider_unavailable");
}

BOOST_AUTO_TEST_CASE(reports_json_that_is_not_an_object_as_provider_unavailable) {
    tokeninfo(200, "tokeninfo_array.json");
    BOOST_TEST(code_of(authenticate()) == "provider_unavailable");
}

BOOST_AUTO_TEST_CASE(reports_members_of_the_wrong_type_as_provider_unavailable) {
    for (const char* file : {"tokeninfo_aud_object.json", "tokeninfo_sub_number.json",
                             "tokeninfo_exp_not_a_number.json"}) {
        testing::FakeHttpClient fresh;
        fresh.reply_with_file(kTokeninfoUrl, 200, data(file));
        providers::GoogleProvider provider(config, fresh, clock);
        BOOST_TEST(code_of(provider.authenticate({kToken, ""})) == "provider_unavailable", file);
    }
    tokeninfo(200, "tokeninfo_valid.json");
    userinfo(200, "userinfo_sub_number.json");
    BOOST_TEST(code_of(authenticate()) == "provider_unavailable");
}

BOOST_AUTO_TEST_CASE(reports_tokeninfo_without_exp_as_provider_unavailable) {
    tokeninfo(200, "tokeninfo_missing_exp.json");
    BOOST_TEST(code_of(authenticate()) == "provider_unavailable");
}

BOOST_AUTO_TEST_CASE(passes_a_transport_error_on_as_provider_unavailable) {
    http.fail(kTokeninfoUrl,
              core::make_error(core::Errc::provider_unavailable,
                               "https://google.test/tokeninfo: Timeout was reached"));
    const auto result = authenticate();
    BOOST_TEST_REQUIRE(code_of(result) == "provider_unavailable");
    BOOST_TEST(result.error().detail.find("Timeout was reached") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_an_id_token_until_they_are_supported) {
    providers::GoogleProvider provider(config, http, clock);
    const auto result = provider.authenticate({"", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"});
    BOOST_TEST_REQUIRE(code_of(result) == "invalid_token");
    BOOST_TEST(result.error().detail.find("id_token not supported yet") != std::string::npos);
    BOOST_TEST(http.requests().empty());
}

BOOST_AUTO_TEST_CASE(asks_for_a_token_when_given_none) {
    providers::GoogleProvider provider(config, http, clock);
    BOOST_TEST(code_of(provider.authenticate({"", ""})) == "invalid_request");
    BOOST_TEST(http.requests().empty());
}

BOOST_AUTO_TEST_CASE(rejects_a_token_with_a_line_break_without_asking_google) {
    BOOST_TEST(code_of(authenticate("ya29.abc\r\nX-Injected: 1")) == "invalid_token");
    BOOST_TEST(http.requests().empty());
}

BOOST_AUTO_TEST_CASE(never_puts_the_token_in_an_error_detail) {
    const std::vector<std::pair<long, std::string>> tokeninfo_replies = {
        {400, "tokeninfo_invalid_token.json"},
        {200, "tokeninfo_foreign_audience.json"},
        {200, "tokeninfo_missing_sub.json"},
        {200, "tokeninfo_aud_object.json"},
        {200, "tokeninfo_truncated.json"},
        {503, "server_error.html"},
        {429, "rate_limited.json"}};
    const std::vector<std::pair<long, std::string>> userinfo_replies = {
        {401, "userinfo_invalid_credentials.json"},
        {200, "userinfo_other_sub.json"},
        {200, "userinfo_sub_number.json"},
        {302, "moved.html"}};
    const auto check = [&](testing::FakeHttpClient& fake, const std::string& label) {
        providers::GoogleProvider provider(config, fake, clock);
        const auto result = provider.authenticate({kToken, ""});
        BOOST_TEST_REQUIRE(!result, label);
        BOOST_TEST(!result.error().detail.empty(), label);
        BOOST_TEST(result.error().detail.find(kToken) == std::string::npos, label);
        BOOST_TEST(result.error().detail.find(http::percent_encode(kToken)) == std::string::npos,
                   label);
        BOOST_TEST(result.error().public_message.find(kToken) == std::string::npos, label);
    };
    for (const auto& [status, file] : tokeninfo_replies) {
        testing::FakeHttpClient fake;
        fake.reply_with_file(kTokeninfoUrl, status, data(file));
        check(fake, file);
    }
    for (const auto& [status, file] : userinfo_replies) {
        testing::FakeHttpClient fake;
        fake.reply_with_file(kTokeninfoUrl, 200, data("tokeninfo_valid.json"));
        fake.reply_with_file(kUserinfoUrl, status, data(file));
        check(fake, file);
    }
    clock.set(kExp + 1);
    testing::FakeHttpClient expired;
    expired.reply_with_file(kTokeninfoUrl, 200, data("tokeninfo_valid.json"));
    check(expired, "expired");
}

BOOST_AUTO_TEST_SUITE_END()
