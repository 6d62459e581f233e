#include "providers/google_provider.hpp"

#include "http/form_encoding.hpp"
#include "support/fake_http_client.hpp"
#include "support/fixed_clock.hpp"
#include "support/jwt_builder.hpp"
#include "support/memory_cache_storage.hpp"

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
const std::string kJwksUrl = "https://google.test/oauth2/v3/certs";
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
        config.jwks_url = kJwksUrl;
    }

    core::Result<providers::SocialProfile> authenticate(const std::string& token = kToken) {
        providers::GoogleProvider provider(config, http, cache, clock);
        return provider.authenticate({token, ""});
    }

    void tokeninfo(long status, const std::string& file) {
        http.reply_with_file(kTokeninfoUrl, status, data(file));
    }
    void userinfo(long status, const std::string& file) {
        http.reply_with_file(kUserinfoUrl, status, data(file));
    }

    // The ID token path: Google's key set at jwks_url, a token signed for now.
    void certs(const std::string& file = "certs.json") {
        http.reply(kJwksUrl, 200, testing::read_test_file(testing::jwt_data(file)),
                   "public, max-age=21600, must-revalidate, no-transform");
    }
    core::Result<providers::SocialProfile>
    authenticate_id_token(const std::string& id_token, const std::string& access_token = "") {
        providers::GoogleProvider provider(config, http, cache, clock);
        return provider.authenticate({access_token, id_token});
    }
    std::int64_t now() const { return core::to_unix_seconds(clock.now()); }

    core::GoogleConfig config;
    testing::FakeHttpClient http;
    testing::MemoryCacheStorage cache;
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
    providers::GoogleProvider provider(config, http, cache, clock);
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
        providers::GoogleProvider provider(config, fresh, cache, clock);
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
        providers::GoogleProvider provider(config, fresh, cache, clock);
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
        providers::GoogleProvider provider(config, fresh, cache, clock);
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

BOOST_AUTO_TEST_CASE(asks_for_a_token_when_given_none) {
    providers::GoogleProvider provider(config, http, cache, clock);
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
        providers::GoogleProvider provider(config, fake, cache, clock);
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

// ---- ID tokens ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(maps_a_valid_id_token_to_its_claims_without_asking_google_about_it) {
    certs();
    testing::JwtBuilder token(now());
    const auto result = authenticate_id_token(token.sign());
    BOOST_TEST_REQUIRE(code_of(result) == "ok");
    BOOST_TEST(result->uid == testing::JwtBuilder::kSub);
    BOOST_TEST(result->email == "jane@example.com");
    BOOST_TEST(result->email_vouched);
    BOOST_TEST(result->first_name == "Jane");
    BOOST_TEST(result->last_name == "Doe");
    BOOST_TEST(result->full_name == "Jane Doe");
    BOOST_TEST(result->username == "");
    BOOST_TEST_REQUIRE(result->token_expires_at.has_value());
    BOOST_TEST(*result->token_expires_at == now() + 3590);
    BOOST_TEST(result->access_token == ""); // nothing to keep: an ID token is no access token
    BOOST_TEST_REQUIRE(http.requests().size() == 1u);
    BOOST_TEST(http.requests()[0].url == kJwksUrl);
}

BOOST_AUTO_TEST_CASE(the_id_token_decides_when_an_access_token_comes_too) {
    certs();
    testing::JwtBuilder token(now());
    const auto result = authenticate_id_token(token.sign(), kToken);
    BOOST_TEST_REQUIRE(code_of(result) == "ok");
    BOOST_TEST(result->uid == testing::JwtBuilder::kSub);
    BOOST_TEST(result->access_token == "");
    BOOST_TEST(http.requests().size() == 1u); // no tokeninfo, no userinfo

    // A bad ID token is not rescued by a good access token.
    tokeninfo(200, "tokeninfo_valid.json");
    userinfo(200, "userinfo_valid.json");
    token.claims["aud"] = "999.apps.googleusercontent.com";
    BOOST_TEST(code_of(authenticate_id_token(token.sign(), kToken)) == "invalid_token");
    BOOST_TEST(http.pending() == 2u);
}

BOOST_AUTO_TEST_CASE(refuses_a_malformed_id_token_without_any_io) {
    testing::JwtBuilder token(now());
    token.header["alg"] = "none";
    for (const std::string& bad : {token.unsigned_token(), std::string("not.a.jwt"),
                                   std::string("eyJhbGciOiJSUzI1NiJ9.e30.c2ln"),
                                   std::string(20000, 'A')})
        BOOST_TEST(code_of(authenticate_id_token(bad)) == "invalid_token");
    BOOST_TEST(http.requests().empty());
    BOOST_TEST(cache.total_loads() == 0);
}

BOOST_AUTO_TEST_CASE(accepts_an_id_token_of_each_configured_client) {
    certs();
    testing::JwtBuilder token(now());
    for (const char* client :
         {"123.apps.googleusercontent.com", "456.apps.googleusercontent.com"}) {
        token.claims["aud"] = client;
        token.claims["azp"] = client;
        BOOST_TEST(code_of(authenticate_id_token(token.sign())) == "ok", client);
    }
    config.client_ids = {"456.apps.googleusercontent.com"};
    token.claims["aud"] = "123.apps.googleusercontent.com";
    token.claims["azp"] = "123.apps.googleusercontent.com";
    BOOST_TEST(code_of(authenticate_id_token(token.sign())) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(refuses_id_tokens_that_fail_any_check) {
    certs();
    const auto variant = [&](const auto& change) {
        testing::JwtBuilder token(now());
        change(token);
        return code_of(authenticate_id_token(token.sign()));
    };
    const std::string refused = "invalid_token";
    BOOST_TEST(variant([](auto& t) { t.claims["iss"] = "https://evil.example.com"; }) == refused);
    BOOST_TEST(variant([](auto& t) { t.claims["azp"] = "999.apps.googleusercontent.com"; }) ==
               refused);
    BOOST_TEST(variant([&](auto& t) { t.claims["exp"] = Json::Int64(now() - 3600); }) == refused);
    BOOST_TEST(variant([&](auto& t) { t.claims["iat"] = Json::Int64(now() + 3600); }) == refused);
    BOOST_TEST(variant([](auto& t) { t.claims["sub"] = ""; }) == refused);
    BOOST_TEST(variant([](auto& t) { t.header["jku"] = "https://evil.example.com/certs"; }) ==
               refused);
    BOOST_TEST(http.requests().size() == 1u); // one key set for all of them
}

BOOST_AUTO_TEST_CASE(refuses_an_id_token_signed_by_an_attacker_under_a_real_kid) {
    certs();
    BOOST_TEST(code_of(authenticate_id_token(testing::JwtBuilder(now()).sign(
                   testing::jwt_data("attacker.pem")))) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(refuses_profile_claims_of_the_wrong_type) {
    certs();
    for (const char* claim : {"email", "given_name", "family_name", "name", "email_verified"}) {
        testing::JwtBuilder token(now());
        token.claims[claim] = 42;
        BOOST_TEST(code_of(authenticate_id_token(token.sign())) == "invalid_token", claim);
    }
}

BOOST_AUTO_TEST_CASE(vouches_only_for_an_email_google_marks_verified) {
    certs();
    testing::JwtBuilder token(now());
    const auto vouched = [&] {
        const auto result = authenticate_id_token(token.sign());
        BOOST_TEST_REQUIRE(code_of(result) == "ok");
        return result->email_vouched;
    };
    BOOST_TEST(vouched());
    token.claims["email_verified"] = "true";
    BOOST_TEST(vouched());
    token.claims["email_verified"] = false;
    BOOST_TEST(!vouched());
    token.claims["email_verified"] = "false";
    BOOST_TEST(!vouched());
    token.claims.removeMember("email_verified");
    BOOST_TEST(!vouched());
    token.claims["email_verified"] = true;
    token.claims.removeMember("email");
    BOOST_TEST(!vouched());
}

BOOST_AUTO_TEST_CASE(allows_the_configured_clock_skew) {
    certs();
    testing::JwtBuilder token(now());
    token.claims["exp"] = Json::Int64(now() - 200);
    token.claims["iat"] = Json::Int64(now() - 3800);
    BOOST_TEST(code_of(authenticate_id_token(token.sign())) == "invalid_token"); // default 60 s
    config.leeway_seconds = 300;
    BOOST_TEST(code_of(authenticate_id_token(token.sign())) == "ok");
    config.leeway_seconds = 0;
    token.claims["exp"] = Json::Int64(now() + 10);
    token.claims["iat"] = Json::Int64(now() + 1);
    BOOST_TEST(code_of(authenticate_id_token(token.sign())) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(is_provider_unavailable_when_no_keys_can_be_had) {
    http.fail(kJwksUrl, core::make_error(core::Errc::provider_unavailable, "Connection refused"));
    BOOST_TEST(code_of(authenticate_id_token(testing::JwtBuilder(now()).sign())) ==
               "provider_unavailable");
    http.reply(kJwksUrl, 500, "oops");
    BOOST_TEST(code_of(authenticate_id_token(testing::JwtBuilder(now()).sign())) ==
               "provider_unavailable");
}

BOOST_AUTO_TEST_CASE(providers_of_two_processes_share_the_keys_through_the_storage) {
    certs();
    BOOST_TEST(code_of(authenticate_id_token(testing::JwtBuilder(now()).sign())) == "ok");
    clock.advance(std::chrono::minutes(10));
    // authenticate_id_token makes a new provider each time, as each CGI process does.
    BOOST_TEST(code_of(authenticate_id_token(testing::JwtBuilder(now()).sign())) == "ok");
    BOOST_TEST(http.requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_warm_provider_checks_id_tokens_without_io) {
    certs();
    providers::GoogleProvider provider(config, http, cache, clock);
    BOOST_TEST(code_of(provider.authenticate({"", testing::JwtBuilder(now()).sign()})) == "ok");
    const int loads = cache.total_loads();
    for (int i = 0; i < 3; ++i) {
        clock.advance(std::chrono::minutes(1));
        BOOST_TEST(code_of(provider.authenticate({"", testing::JwtBuilder(now()).sign()})) == "ok");
    }
    BOOST_TEST(cache.total_loads() == loads);
    BOOST_TEST(http.requests().size() == 1u);
}

BOOST_AUTO_TEST_CASE(follows_a_key_rotation_with_one_refetch) {
    certs();
    providers::GoogleProvider provider(config, http, cache, clock);
    BOOST_TEST(code_of(provider.authenticate({"", testing::JwtBuilder(now()).sign()})) == "ok");
    clock.advance(std::chrono::minutes(5));
    certs("certs_next.json");
    testing::JwtBuilder rotated(now());
    rotated.header["kid"] = "test-key-b";
    BOOST_TEST(code_of(provider.authenticate({"", rotated.sign(testing::jwt_data("key_b.pem"))})) ==
               "ok");
    BOOST_TEST(http.requests().size() == 2u);
    // The old key left the set: its tokens stop working.
    BOOST_TEST(code_of(provider.authenticate({"", testing::JwtBuilder(now()).sign()})) ==
               "invalid_token");
}

BOOST_AUTO_TEST_CASE(takes_keys_only_from_the_configured_url) {
    certs();
    testing::JwtBuilder token(now());
    token.header["kid"] = "attacker-key";
    BOOST_TEST(code_of(authenticate_id_token(token.sign(testing::jwt_data("attacker.pem")))) ==
               "invalid_token");
    for (const auto& request : http.requests()) BOOST_TEST(request.url == kJwksUrl);
}

BOOST_AUTO_TEST_CASE(never_puts_the_id_token_in_an_error_detail) {
    certs();
    testing::JwtBuilder token(now());
    token.claims["aud"] = "999.apps.googleusercontent.com";
    const std::string jwt = token.sign();
    const auto result = authenticate_id_token(jwt);
    BOOST_TEST_REQUIRE(code_of(result) == "invalid_token");
    BOOST_TEST(result.error().detail.rfind("google-oauth2 id_token: ", 0) == 0u,
               result.error().detail);
    for (std::size_t at = 0; at + 16 <= jwt.size(); at += 16)
        BOOST_TEST(result.error().detail.find(jwt.substr(at, 16)) == std::string::npos);
    BOOST_TEST(result.error().public_message.empty());
}

BOOST_AUTO_TEST_SUITE_END()
