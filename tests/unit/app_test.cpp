// app: App::handle end to end over plain values (SPEC §2) — routing, the exact error
// bodies of the §2.1 table, the exchange answer, /me, /logout, /health, API token
// authentication, CORS, the whole-exchange retry on conflicts, "no failure changes
// anything", and a log line per request that never holds a token.
#include "app/app.hpp"

#include "app/error_response.hpp"
#include "core/crypto.hpp"
#include "core/json.hpp"
#include "support/fixed_clock.hpp"
#include "support/fixed_random.hpp"
#include "support/memory_store.hpp"
#include "support/scripted_provider.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace {

namespace sa = socialauth;
using sa::core::Errc;
using sa::http::Request;
using sa::http::Response;

constexpr std::int64_t kNow = 1767225600; // 2026-01-01T00:00:00Z
const std::string kProviderToken = "ya29.PROVIDER-SECRET-token";
const std::string kAllowedOrigin = "https://app.example.com";
const std::string kExchangePath = "/social/google-oauth2/";
const std::string kJson = "application/json";

sa::providers::SocialProfile jane_profile() {
    sa::providers::SocialProfile p;
    p.uid = "google-uid-1";
    p.email = "jane@example.com";
    p.email_vouched = true;
    p.first_name = "Jane";
    p.last_name = "Doe";
    p.full_name = "Jane Doe";
    p.access_token = kProviderToken;
    p.token_expires_at = kNow + 3599;
    return p;
}

std::string token_body(const std::string& token = kProviderToken) {
    return R"({"access_token": ")" + token + R"("})";
}

Json::Value parsed(const Response& response) {
    auto json = sa::core::parse_json(response.body);
    BOOST_TEST_REQUIRE(json.ok(), "not JSON: " << response.body);
    return *json;
}

std::string header_or_none(const Response& response, const std::string& name) {
    const std::string* value = response.header(name);
    return value != nullptr ? *value : std::string("<none>");
}

// SPEC §2: every answer carries these; one with a body is JSON.
void check_standard_headers(const Response& response) {
    BOOST_TEST_CONTEXT("status " << response.status << " body " << response.body) {
        BOOST_TEST(header_or_none(response, "Cache-Control") == "no-store");
        BOOST_TEST(header_or_none(response, "X-Content-Type-Options") == "nosniff");
        if (response.status == 204) {
            BOOST_TEST(response.body.empty());
        } else {
            BOOST_TEST(header_or_none(response, "Content-Type") == "application/json; charset=utf-8");
            BOOST_TEST(sa::core::parse_json(response.body).ok());
        }
    }
}

struct AppFixture {
    AppFixture()
        : clock(kNow), sink(std::make_shared<sa::core::CaptureSink>()), logger(sink),
          google("google-oauth2"), facebook("facebook") {
        config.pipeline = sa::core::default_pipeline();
        config.http.cors_allowed_origins = {kAllowedOrigin};
        google.answer(jane_profile());
    }

    // Built on first use, so a test may change the config first.
    sa::app::App& application() {
        if (!app_) {
            sa::app::ProviderLookup lookup = [this](std::string_view name) -> sa::providers::Provider* {
                if (name == "google-oauth2") return &google;
                if (name == "facebook") return &facebook;
                return nullptr;
            };
            app_ = std::make_unique<sa::app::App>(
                sa::app::AppServices{config, store, lookup, clock, random, logger});
        }
        return *app_;
    }

    Response handle(const Request& request) {
        const std::size_t lines_before = sink->lines.size();
        Response response = application().handle(request);
        BOOST_TEST(sink->lines.size() == lines_before + 1, "one log line per request");
        check_standard_headers(response);
        return response;
    }

    static Request post(const std::string& path, const std::string& body,
                        const std::string& content_type = kJson) {
        Request request;
        request.method = "POST";
        request.path = path;
        request.content_type = content_type;
        request.content_length = std::to_string(body.size());
        request.body_status = sa::http::BodyStatus::read;
        request.body = body;
        request.remote_addr = "192.0.2.1";
        return request;
    }

    static Request get(const std::string& path, const std::string& authorization = "") {
        Request request;
        request.method = "GET";
        request.path = path;
        request.authorization = authorization;
        return request;
    }

    static Request with_auth(Request request, const std::string& authorization) {
        request.authorization = authorization;
        return request;
    }

    Response exchange(const std::string& body = token_body()) { return handle(post(kExchangePath, body)); }

    // A successful exchange's API token.
    std::string login() {
        const Response response = exchange();
        BOOST_TEST_REQUIRE(response.status == 200, response.body);
        return parsed(response)["token"].asString();
    }

    std::string last_log_line() const { return sink->lines.empty() ? std::string() : sink->lines.back(); }

    std::string all_log_lines() const {
        std::string out;
        for (const auto& line : sink->lines) out += line + "\n";
        return out;
    }

    std::size_t live_tokens() const {
        std::size_t n = 0;
        for (const auto& [id, token] : store.tokens())
            if (!token.revoked_at) ++n;
        return n;
    }

    sa::core::Config config;
    sa::testing::MemoryStore store;
    sa::testing::FixedClock clock;
    sa::testing::FixedRandom random;
    std::shared_ptr<sa::core::CaptureSink> sink;
    sa::core::Logger logger;
    sa::testing::ScriptedProvider google;
    sa::testing::ScriptedProvider facebook;

private:
    std::unique_ptr<sa::app::App> app_;
};

void expect_answer(const Response& response, int status, const std::string& body) {
    BOOST_TEST(response.status == status, response.body);
    BOOST_TEST(response.body == body);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(app, AppFixture)

// ---- routing ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(exchange_route_takes_an_optional_trailing_slash) {
    BOOST_TEST(exchange().status == 200);
    BOOST_TEST(handle(post("/social/google-oauth2", token_body())).status == 200);
}

BOOST_AUTO_TEST_CASE(other_routes_take_an_optional_trailing_slash) {
    const std::string token = login();
    BOOST_TEST(handle(get("/me/", "Token " + token)).status == 200);
    BOOST_TEST(handle(get("/health/")).status == 200);
    BOOST_TEST(handle(with_auth(post("/logout/all/", ""), "Token " + token)).status == 204);
}

BOOST_AUTO_TEST_CASE(unknown_routes_are_404_not_found) {
    for (const std::string path : {"", "/", "/nope", "/social", "/social/", "/social//",
                                   "/social/google-oauth2/extra", "/social/google-oauth2//", "/me/x", "/ME",
                                   "/Social/google-oauth2/", "/health//", "/logout/everything", "//me"}) {
        BOOST_TEST_CONTEXT("path '" << path << "'") {
            expect_answer(handle(get(path)), 404, R"({"error":"not_found"})");
        }
    }
}

BOOST_AUTO_TEST_CASE(unknown_or_differently_cased_backends_are_404_unknown_backend) {
    for (const std::string backend : {"Google-OAuth2", "GOOGLE-OAUTH2", "github", "google", "Facebook"}) {
        const Response response = handle(post("/social/" + backend + "/", token_body()));
        expect_answer(response, 404, R"({"error":"unknown_backend"})");
    }
    BOOST_TEST(google.received.empty());
    BOOST_TEST(store.calls("begin") == 0);
}

BOOST_AUTO_TEST_CASE(routes_the_exchange_to_the_named_backend) {
    facebook.answer(jane_profile());
    BOOST_TEST(handle(post("/social/facebook/", token_body())).status == 200);
    BOOST_TEST(facebook.received.size() == 1u);
    BOOST_TEST(google.received.empty());
    BOOST_TEST_REQUIRE(store.identities().size() == 1u);
    BOOST_TEST(store.identities().begin()->second.record.provider == "facebook");
}

BOOST_AUTO_TEST_CASE(wrong_method_is_405_with_an_allow_header) {
    struct Case {
        std::string method;
        std::string path;
        std::string allow;
    };
    for (const Case& c : {Case{"GET", kExchangePath, "POST, OPTIONS"}, Case{"PUT", kExchangePath, "POST, OPTIONS"},
                          Case{"POST", "/me", "GET, OPTIONS"}, Case{"DELETE", "/me", "GET, OPTIONS"},
                          Case{"GET", "/logout", "POST, OPTIONS"}, Case{"GET", "/logout/all", "POST, OPTIONS"},
                          Case{"POST", "/health", "GET, OPTIONS"}}) {
        Request request = post(c.path, token_body());
        request.method = c.method;
        const Response response = handle(request);
        BOOST_TEST_CONTEXT(c.method << " " << c.path) {
            expect_answer(response, 405, R"({"error":"method_not_allowed"})");
            BOOST_TEST(header_or_none(response, "Allow") == c.allow);
        }
    }
    BOOST_TEST(google.received.empty());
}

// ---- the exchange: success ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(exchange_answers_the_token_first) {
    const Response response = exchange();
    BOOST_TEST_REQUIRE(response.status == 200, response.body);
    BOOST_TEST(response.body.rfind(R"({"token":")", 0) == 0u, response.body);
    const auto type_at = response.body.find(R"("token_type":)");
    const auto expires_at = response.body.find(R"("expires_at":)");
    const auto is_new_at = response.body.find(R"("is_new":)");
    const auto user_at = response.body.find(R"("user":)");
    BOOST_TEST(type_at < expires_at);
    BOOST_TEST(expires_at < is_new_at);
    BOOST_TEST(is_new_at < user_at);
    BOOST_TEST(user_at != std::string::npos);
}

BOOST_AUTO_TEST_CASE(exchange_answers_a_new_api_token_and_the_user) {
    const Response response = exchange();
    BOOST_TEST_REQUIRE(response.status == 200, response.body);
    const Json::Value body = parsed(response);
    const std::string token = body["token"].asString();
    BOOST_TEST(token.size() == 43u);
    BOOST_TEST(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
               std::string::npos);
    BOOST_TEST(body["token_type"].asString() == "Token");
    BOOST_TEST(body["expires_at"].asString() == "2026-01-31T00:00:00Z");
    BOOST_TEST(body["is_new"].asBool());
    const Json::Value& user = body["user"];
    BOOST_TEST_REQUIRE(store.users().size() == 1u);
    const auto& row = store.users().begin()->second;
    BOOST_TEST(user["id"].asInt64() == row.id);
    BOOST_TEST(user["username"].asString() == "jane");
    BOOST_TEST(user["email"].asString() == "jane@example.com");
    BOOST_TEST(user["first_name"].asString() == "Jane");
    BOOST_TEST(user["last_name"].asString() == "Doe");
    BOOST_TEST(user.getMemberNames() ==
                   (std::vector<std::string>{"email", "first_name", "id", "last_name", "username"}),
               boost::test_tools::per_element());
    BOOST_TEST(body.getMemberNames().size() == 5u);
}

BOOST_AUTO_TEST_CASE(exchange_stores_only_the_hash_of_the_api_token) {
    const std::string token = login();
    BOOST_TEST_REQUIRE(store.tokens().size() == 1u);
    const auto& record = store.tokens().begin()->second;
    BOOST_TEST(record.token_hash == sa::core::sha256_hex(token));
    BOOST_TEST(record.user_id == store.users().begin()->first);
}

BOOST_AUTO_TEST_CASE(exchange_hands_the_trimmed_tokens_to_the_provider) {
    BOOST_TEST(exchange(R"({"access_token": "  )" + kProviderToken + R"( ", "id_token": "h.p.s", "x": 1})")
                   .status == 200);
    BOOST_TEST_REQUIRE(google.received.size() == 1u);
    BOOST_TEST(google.received[0].access_token == kProviderToken);
    BOOST_TEST(google.received[0].id_token == "h.p.s");
}

BOOST_AUTO_TEST_CASE(exchange_accepts_a_form_body) {
    const Response response =
        handle(post(kExchangePath, "access_token=" + kProviderToken, "application/x-www-form-urlencoded"));
    BOOST_TEST(response.status == 200, response.body);
}

BOOST_AUTO_TEST_CASE(exchange_records_the_login_time) {
    clock.set(kNow + 5);
    login();
    const auto& user = store.users().begin()->second;
    BOOST_TEST_REQUIRE(user.last_login.has_value());
    BOOST_TEST(sa::core::to_unix_seconds(*user.last_login) == kNow + 5);
}

BOOST_AUTO_TEST_CASE(second_exchange_finds_the_same_user_with_a_new_token) {
    const Response first = exchange();
    const Response second = exchange();
    BOOST_TEST_REQUIRE(second.status == 200);
    const Json::Value a = parsed(first);
    const Json::Value b = parsed(second);
    BOOST_TEST(a["is_new"].asBool());
    BOOST_TEST(!b["is_new"].asBool());
    BOOST_TEST(a["user"]["id"].asInt64() == b["user"]["id"].asInt64());
    BOOST_TEST(a["token"].asString() != b["token"].asString());
    BOOST_TEST(store.users().size() == 1u);
    BOOST_TEST(live_tokens() == 2u);
}

BOOST_AUTO_TEST_CASE(expires_at_is_null_without_a_token_lifetime) {
    config.tokens.lifetime_seconds = 0;
    const Response response = exchange();
    BOOST_TEST_REQUIRE(response.status == 200);
    BOOST_TEST(parsed(response)["expires_at"].isNull());
    BOOST_TEST(response.body.find(R"("expires_at":null)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_answer_never_contains_the_provider_token) {
    const Response response = exchange();
    BOOST_TEST_REQUIRE(response.status == 200);
    BOOST_TEST(response.body.find(kProviderToken) == std::string::npos);
}

// ---- the exchange: every error of the §2.1 table ------------------------------------

BOOST_AUTO_TEST_CASE(missing_or_blank_token_is_400_invalid_request) {
    for (const std::string body : {"{}", R"({"access_token": ""})", R"({"access_token": "   "})",
                                   R"({"other": "x"})"}) {
        expect_answer(exchange(body), 400,
                      R"({"error":"invalid_request","errors":{"access_token":"This field is required."}})");
    }
    BOOST_TEST(google.received.empty());
}

BOOST_AUTO_TEST_CASE(bad_characters_are_400_invalid_request) {
    for (const std::string body : {R"({"access_token": "a\u0000b"})", "{\"access_token\": \"caf\xE9\"}",
                                   R"({"access_token": 42})"}) {
        const Response response = exchange(body);
        BOOST_TEST(response.status == 400);
        BOOST_TEST(parsed(response)["error"].asString() == "invalid_request");
        BOOST_TEST(parsed(response)["errors"].isMember("access_token"));
    }
    BOOST_TEST(google.received.empty());
}

BOOST_AUTO_TEST_CASE(malformed_json_is_400_invalid_json) {
    expect_answer(exchange("{"), 400, R"({"error":"invalid_json","errors":{"detail":"Malformed JSON."}})");
    expect_answer(exchange(R"({"access_token": "a", "access_token": "b"})"), 400,
                  R"({"error":"invalid_json","errors":{"detail":"Duplicate key in JSON."}})");
    expect_answer(exchange(std::string(33, '[') + std::string(33, ']')), 400,
                  R"({"error":"invalid_json","errors":{"detail":"JSON nested too deeply."}})");
    const Response not_object = exchange(R"(["token"])");
    BOOST_TEST(not_object.status == 400);
    BOOST_TEST(parsed(not_object)["error"].asString() == "invalid_json");
    BOOST_TEST(google.received.empty());
}

BOOST_AUTO_TEST_CASE(a_rejected_provider_token_is_400_invalid_token_and_creates_nothing) {
    for (const std::string detail : {"aud mismatch", "expired", "bad signature", "provider said 401"}) {
        google.reject(sa::core::make_error(Errc::invalid_token, detail));
        expect_answer(exchange(), 400, R"({"error":"invalid_token","errors":{"token":"Invalid token"}})");
    }
    BOOST_TEST(store.users().empty());
    BOOST_TEST(store.identities().empty());
    BOOST_TEST(store.tokens().empty());
    BOOST_TEST(store.calls("begin") == 0);
}

BOOST_AUTO_TEST_CASE(a_profile_without_uid_gets_the_same_invalid_token_answer) {
    auto profile = jane_profile();
    profile.uid = "";
    google.answer(profile);
    expect_answer(exchange(), 400, R"({"error":"invalid_token","errors":{"token":"Invalid token"}})");
    BOOST_TEST(store.users().empty());
}

BOOST_AUTO_TEST_CASE(an_inactive_user_is_400_account_inactive_and_nothing_changes) {
    const std::string first_token = login();
    const std::int64_t id = store.users().begin()->first;
    BOOST_TEST_REQUIRE(store.set_user_active(id, false, clock.now()).ok());
    const sa::store::UserRecord before = store.users().at(id);
    const std::string extra_before = store.identities().begin()->second.record.extra_data;
    const std::size_t tokens_before = store.tokens().size();

    auto changed = jane_profile();
    changed.first_name = "Janet";
    changed.email = "janet@example.org";
    changed.access_token = "ya29.another-provider-token";
    google.answer(changed);
    clock.set(kNow + 3600);
    expect_answer(exchange(), 400,
                  R"({"error":"account_inactive","errors":{"non_field_errors":"This user account is inactive"}})");

    const sa::store::UserRecord& after = store.users().at(id);
    BOOST_TEST(store.tokens().size() == tokens_before);
    BOOST_TEST(after.first_name == before.first_name);
    BOOST_TEST(after.email == before.email);
    BOOST_TEST(after.email_verified == before.email_verified);
    BOOST_TEST(!after.is_active);
    BOOST_TEST_REQUIRE(after.last_login.has_value());
    BOOST_TEST(sa::core::to_unix_seconds(*after.last_login) == kNow);
    BOOST_TEST(store.identities().begin()->second.record.extra_data == extra_before);
    BOOST_TEST(!store.in_transaction());
}

BOOST_AUTO_TEST_CASE(closed_sign_up_is_403_not_allowed) {
    config.users.allow_signup = false;
    expect_answer(exchange(), 403, R"({"error":"not_allowed","errors":{"non_field_errors":"Sign-up is closed."}})");
    BOOST_TEST(store.users().empty());
}

BOOST_AUTO_TEST_CASE(an_email_outside_the_allow_list_is_403_not_allowed) {
    google.domains = {"corp.example"};
    const Response response = exchange();
    BOOST_TEST(response.status == 403);
    BOOST_TEST(parsed(response)["error"].asString() == "not_allowed");
    BOOST_TEST(parsed(response)["errors"]["non_field_errors"].isString());
    BOOST_TEST(store.users().empty());
}

BOOST_AUTO_TEST_CASE(an_email_held_by_an_unverified_user_is_409_email_in_use) {
    sa::store::NewUser squatter;
    squatter.username = "squatter";
    squatter.email = "jane@example.com";
    squatter.email_verified = false;
    squatter.date_joined = sa::core::from_unix_seconds(kNow - 100);
    BOOST_TEST_REQUIRE(store.create_user(squatter).ok());
    const Response response = exchange();
    BOOST_TEST(response.status == 409);
    const Json::Value body = parsed(response);
    BOOST_TEST(body["error"].asString() == "email_in_use");
    BOOST_TEST(body["errors"]["email"].isString());
    BOOST_TEST(body.getMemberNames().size() == 2u);
    BOOST_TEST(store.users().size() == 1u);
    BOOST_TEST(store.identities().empty());
    BOOST_TEST(store.tokens().empty());
    BOOST_TEST(!store.users().begin()->second.email_verified);
}

BOOST_AUTO_TEST_CASE(body_problems_are_answered_before_reading_or_calling_anyone) {
    Request missing = post(kExchangePath, "");
    missing.content_length.reset();
    missing.body_status = sa::http::BodyStatus::length_missing;
    expect_answer(handle(missing), 411, R"({"error":"length_required"})");

    Request large = post(kExchangePath, "");
    large.content_length = "99999999";
    large.body_status = sa::http::BodyStatus::too_large;
    expect_answer(handle(large), 413, R"({"error":"body_too_large"})");

    Request invalid = post(kExchangePath, "");
    invalid.content_length = "-1";
    invalid.body_status = sa::http::BodyStatus::length_invalid;
    const Response invalid_answer = handle(invalid);
    BOOST_TEST(invalid_answer.status == 400);
    BOOST_TEST(parsed(invalid_answer)["error"].asString() == "invalid_request");

    Request truncated = post(kExchangePath, "{\"access");
    truncated.content_length = "100";
    truncated.body_status = sa::http::BodyStatus::truncated;
    const Response truncated_answer = handle(truncated);
    BOOST_TEST(truncated_answer.status == 400);
    BOOST_TEST(parsed(truncated_answer)["error"].asString() == "invalid_request");

    BOOST_TEST(google.received.empty());
    BOOST_TEST(store.calls("begin") == 0);
}

BOOST_AUTO_TEST_CASE(other_content_types_are_415_unsupported_media_type) {
    for (const std::string type : {"text/plain", "", "multipart/form-data; boundary=x"}) {
        expect_answer(handle(post(kExchangePath, token_body(), type)), 415,
                      R"({"error":"unsupported_media_type"})");
    }
    BOOST_TEST(google.received.empty());
}

BOOST_AUTO_TEST_CASE(rate_limited_is_429_with_retry_after) {
    const Response response = sa::app::error_response(sa::core::make_error(Errc::rate_limited, "too many"));
    expect_answer(response, 429, R"({"error":"rate_limited"})");
    check_standard_headers(response);
    BOOST_TEST(response.header("Retry-After") != nullptr, "SPEC §2.1: 429 comes with Retry-After");
    BOOST_TEST(header_or_none(response, "Retry-After") == "60");
}

BOOST_AUTO_TEST_CASE(retry_after_carries_the_seconds_the_limiter_computed) {
    sa::core::Error error = sa::core::make_error(Errc::rate_limited, "exchange:ip:192.0.2.1 over 30");
    error.retry_after_seconds = 17;
    const Response response = sa::app::error_response(error);
    expect_answer(response, 429, R"({"error":"rate_limited"})");
    BOOST_TEST(header_or_none(response, "Retry-After") == "17");
    // Only a 429 says when to come back.
    error.code = Errc::service_unavailable;
    BOOST_TEST(sa::app::error_response(error).header("Retry-After") == nullptr);
}

BOOST_AUTO_TEST_CASE(the_exchange_is_rate_limited_per_client_before_the_provider_is_asked) {
    config.rate_limits.exchange_per_ip = {2, 60};
    clock.set(kNow + 45);
    BOOST_TEST(exchange().status == 200);
    BOOST_TEST(exchange().status == 200);
    const Response refused = exchange();
    expect_answer(refused, 429, R"({"error":"rate_limited"})");
    BOOST_TEST(header_or_none(refused, "Retry-After") == "15");
    BOOST_TEST(google.received.size() == 2u);
    BOOST_TEST(live_tokens() == 2u);
}

BOOST_AUTO_TEST_CASE(provider_trouble_is_502_provider_unavailable) {
    google.reject(sa::core::make_error(Errc::provider_unavailable, "timeout after 8000 ms"));
    expect_answer(exchange(), 502, R"({"error":"provider_unavailable"})");
    BOOST_TEST(store.users().empty());
}

BOOST_AUTO_TEST_CASE(an_unreachable_database_is_503_service_unavailable) {
    store.fail_next("begin", Errc::service_unavailable);
    expect_answer(exchange(), 503, R"({"error":"service_unavailable"})");
    store.fail_next("find_identity", Errc::service_unavailable, 2); // the retry's too
    expect_answer(exchange(), 503, R"({"error":"service_unavailable"})");
    BOOST_TEST(store.users().empty());
    BOOST_TEST(!store.in_transaction());
}

BOOST_AUTO_TEST_CASE(a_connection_lost_before_commit_is_retried_once_on_a_new_session) {
    // The server rolled the lost session's transaction back: running it again is safe.
    store.fail_next("create_identity", Errc::service_unavailable);
    const Response response = exchange();
    BOOST_TEST_REQUIRE(response.status == 200, response.body);
    BOOST_TEST(store.calls("begin") == 2);
    BOOST_TEST(store.users().size() == 1u);
    BOOST_TEST(store.identities().size() == 1u);
    BOOST_TEST(store.tokens().size() == 1u);
    BOOST_TEST(parsed(response)["user"]["id"].asInt64() == store.users().begin()->first);
    BOOST_TEST(last_log_line().find(" retries=1 retried=service_unavailable: ") != std::string::npos,
               last_log_line());
}

BOOST_AUTO_TEST_CASE(a_connection_lost_twice_is_503_and_creates_nothing) {
    store.fail_next("create_user", Errc::service_unavailable, 2);
    expect_answer(exchange(), 503, R"({"error":"service_unavailable"})");
    BOOST_TEST(store.calls("begin") == 2);
    BOOST_TEST(store.users().empty());
    BOOST_TEST(store.identities().empty());
    BOOST_TEST(store.tokens().empty());
    BOOST_TEST(!store.in_transaction());
}

BOOST_AUTO_TEST_CASE(a_connection_lost_during_a_commit_that_did_not_commit_is_run_again) {
    // The token is not there, so the transaction did not commit: running it again is safe.
    store.fail_next("commit", Errc::service_unavailable);
    const Response response = exchange();
    BOOST_TEST_REQUIRE(response.status == 200, response.body);
    BOOST_TEST(store.calls("begin") == 2);
    BOOST_TEST(store.calls("find_token") == 1);
    BOOST_TEST(store.users().size() == 1u);
    BOOST_TEST(store.tokens().size() == 1u);
    BOOST_TEST(store.tokens().begin()->second.token_hash ==
               sa::core::sha256_hex(parsed(response)["token"].asString()));
}

BOOST_AUTO_TEST_CASE(a_connection_lost_during_a_commit_that_committed_answers_that_login) {
    // A second run would issue a second token; the stored token says the first counts.
    store.lose_next_commit_answer();
    const Response response = exchange();
    BOOST_TEST_REQUIRE(response.status == 200, response.body);
    BOOST_TEST(store.calls("begin") == 1);
    BOOST_TEST(store.tokens().size() == 1u);
    BOOST_TEST(store.tokens().begin()->second.token_hash ==
               sa::core::sha256_hex(parsed(response)["token"].asString()));
    BOOST_TEST(parsed(response)["user"]["id"].asInt64() == store.users().begin()->first);
}

BOOST_AUTO_TEST_CASE(a_lost_commit_whose_outcome_cannot_be_asked_is_503_and_not_run_again) {
    store.fail_next("commit", Errc::service_unavailable);
    store.fail_next("find_token", Errc::service_unavailable);
    expect_answer(exchange(), 503, R"({"error":"service_unavailable"})");
    BOOST_TEST(store.calls("begin") == 1);
}

BOOST_AUTO_TEST_CASE(only_one_reconnect_among_the_retries) {
    // A conflict first, then lost connections: one of those is retried, not more.
    store.fail_next("find_identity", Errc::conflict);
    store.fail_next("create_user", Errc::service_unavailable, 1000);
    expect_answer(exchange(), 503, R"({"error":"service_unavailable"})");
    BOOST_TEST(store.calls("begin") == 3);
    BOOST_TEST(store.users().empty());
}

BOOST_AUTO_TEST_CASE(misconfigured_answer_is_500_without_detail) {
    const Response response = sa::app::misconfigured_response();
    expect_answer(response, 500, R"({"error":"server_misconfigured"})");
    check_standard_headers(response);
}

BOOST_AUTO_TEST_CASE(an_internal_failure_is_500_without_detail_and_creates_nothing) {
    random.fail_next(); // the API token's bytes
    const Response response = exchange();
    expect_answer(response, 500, R"({"error":"internal_error"})");
    BOOST_TEST(store.users().empty());
    BOOST_TEST(store.identities().empty());
    BOOST_TEST(store.tokens().empty());
    BOOST_TEST(!store.in_transaction());
}

BOOST_AUTO_TEST_CASE(an_exception_from_the_provider_is_500_internal_error) {
    google.throw_next();
    expect_answer(exchange(), 500, R"({"error":"internal_error"})");
    BOOST_TEST(exchange().status == 200); // and the next request is served normally
}

BOOST_AUTO_TEST_CASE(an_exception_inside_the_transaction_rolls_it_back) {
    random.throw_next(); // thrown while issuing the API token, after the pipeline wrote
    expect_answer(exchange(), 500, R"({"error":"internal_error"})");
    BOOST_TEST(!store.in_transaction(), "the failed exchange left its transaction open");
    BOOST_TEST(store.users().empty());
    BOOST_TEST(store.identities().empty());
    // The next request must not fail, or commit the broken one's writes along with its own.
    const Response next = exchange();
    BOOST_TEST(next.status == 200, next.body);
    BOOST_TEST(store.users().size() == 1u);
}

// ---- retries -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_conflict_is_retried_and_answers_the_one_surviving_user) {
    store.fail_next("create_identity", Errc::conflict);
    const Response response = exchange();
    BOOST_TEST_REQUIRE(response.status == 200, response.body);
    BOOST_TEST(store.users().size() == 1u);
    BOOST_TEST(store.identities().size() == 1u);
    BOOST_TEST(store.tokens().size() == 1u);
    BOOST_TEST(store.calls("begin") == 2);
    const Json::Value body = parsed(response);
    BOOST_TEST(body["user"]["id"].asInt64() == store.users().begin()->first);
    const Response me = handle(get("/me", "Token " + body["token"].asString()));
    BOOST_TEST_REQUIRE(me.status == 200);
    BOOST_TEST(parsed(me)["id"].asInt64() == store.users().begin()->first);
}

BOOST_AUTO_TEST_CASE(a_deadlock_is_retried) {
    store.fail_next("create_user", Errc::retry);
    BOOST_TEST(exchange().status == 200);
    BOOST_TEST(store.users().size() == 1u);
}

BOOST_AUTO_TEST_CASE(the_log_line_says_how_often_and_why_an_exchange_was_retried) {
    BOOST_TEST(exchange().status == 200);
    BOOST_TEST(last_log_line().find("retries=") == std::string::npos, last_log_line());
    store.fail_next("set_last_login", Errc::retry, 2);
    BOOST_TEST(exchange().status == 200);
    BOOST_TEST(last_log_line().find(" retries=2 retried=retry: injected failure of set_last_login")
                   != std::string::npos,
               last_log_line());
    BOOST_TEST(last_log_line().find("detail=") == std::string::npos, last_log_line());
}

BOOST_AUTO_TEST_CASE(a_failed_commit_is_retried) {
    store.fail_next("commit", Errc::retry);
    BOOST_TEST(exchange().status == 200);
    BOOST_TEST(store.users().size() == 1u);
    BOOST_TEST(store.tokens().size() == 1u);
}

BOOST_AUTO_TEST_CASE(endless_conflicts_give_up_with_503_and_create_nothing) {
    store.fail_next("create_identity", Errc::conflict, 1000);
    expect_answer(exchange(), 503, R"({"error":"service_unavailable"})");
    BOOST_TEST(last_log_line().find(" retries=4 retried=conflict: ") != std::string::npos,
               last_log_line());
    BOOST_TEST(store.users().empty());
    BOOST_TEST(store.identities().empty());
    BOOST_TEST(store.tokens().empty());
    BOOST_TEST(store.calls("begin") > 1);
    BOOST_TEST(store.calls("begin") <= 10);
    BOOST_TEST(!store.in_transaction());
}

// ---- API token authentication (SPEC §2.2) -----------------------------------------

BOOST_AUTO_TEST_CASE(no_authorization_is_401_not_authenticated) {
    for (const std::string path : {"/me", "/logout", "/logout/all"}) {
        Request request = path == "/me" ? get(path) : post(path, "");
        const Response response = handle(request);
        expect_answer(response, 401, R"({"error":"not_authenticated"})");
        BOOST_TEST(header_or_none(response, "WWW-Authenticate") == "Token");
    }
}

BOOST_AUTO_TEST_CASE(a_bad_api_token_is_401_invalid_token) {
    login();
    for (const std::string& authorization :
         std::vector<std::string>{"Token " + std::string(43, 'A'), "Basic dXNlcjpwYXNz", "Token", "Bearer not/a/token"}) {
        const Response response = handle(get("/me", authorization));
        expect_answer(response, 401, R"({"error":"invalid_token"})");
        BOOST_TEST(header_or_none(response, "WWW-Authenticate") == "Token");
    }
}

BOOST_AUTO_TEST_CASE(an_expired_api_token_is_401_invalid_token) {
    const std::string token = login();
    clock.set(kNow + 31 * 86400);
    expect_answer(handle(get("/me", "Token " + token)), 401, R"({"error":"invalid_token"})");
}

BOOST_AUTO_TEST_CASE(a_token_in_the_query_string_or_body_is_not_accepted) {
    const std::string token = login();
    Request in_query = get("/me");
    in_query.query_string = "token=" + token;
    expect_answer(handle(in_query), 401, R"({"error":"not_authenticated"})");

    Request in_body = post("/logout", R"({"token": ")" + token + R"("})");
    expect_answer(handle(in_body), 401, R"({"error":"not_authenticated"})");
    BOOST_TEST(live_tokens() == 1u);
}

// ---- /me, /logout, /logout/all, /health ------------------------------------------------

BOOST_AUTO_TEST_CASE(me_describes_the_user_behind_the_token) {
    const std::string token = login();
    for (const std::string scheme : {"Token ", "Bearer "}) {
        const Response response = handle(get("/me", scheme + token));
        BOOST_TEST_REQUIRE(response.status == 200, response.body);
        const Json::Value body = parsed(response);
        BOOST_TEST(body["id"].asInt64() == store.users().begin()->first);
        BOOST_TEST(body["username"].asString() == "jane");
        BOOST_TEST(body["email"].asString() == "jane@example.com");
        BOOST_TEST(body["first_name"].asString() == "Jane");
        BOOST_TEST(body["last_name"].asString() == "Doe");
        BOOST_TEST(body["is_active"].asBool());
        BOOST_TEST(body["date_joined"].asString() == "2026-01-01T00:00:00Z");
        BOOST_TEST(body["last_login"].asString() == "2026-01-01T00:00:00Z");
        BOOST_TEST_REQUIRE(body["identities"].isArray());
        BOOST_TEST_REQUIRE(body["identities"].size() == 1u);
        BOOST_TEST(body["identities"][0]["provider"].asString() == "google-oauth2");
        BOOST_TEST(body["identities"][0]["uid"].asString() == "google-uid-1");
        BOOST_TEST(body["identities"][0].getMemberNames().size() == 2u);
        BOOST_TEST(response.body.find(kProviderToken) == std::string::npos);
        BOOST_TEST(response.body.find("extra_data") == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(logout_revokes_only_the_presented_token) {
    const std::string first = login();
    const std::string second = login();
    const Response response = handle(with_auth(post("/logout", ""), "Token " + first));
    BOOST_TEST(response.status == 204);
    BOOST_TEST(response.body.empty());
    expect_answer(handle(get("/me", "Token " + first)), 401, R"({"error":"invalid_token"})");
    BOOST_TEST(handle(get("/me", "Token " + second)).status == 200);
    expect_answer(handle(with_auth(post("/logout", ""), "Token " + first)), 401, R"({"error":"invalid_token"})");
}

BOOST_AUTO_TEST_CASE(logout_all_revokes_every_token_of_that_user_only) {
    const std::string first = login();
    const std::string second = login();
    auto john = jane_profile();
    john.uid = "google-uid-2";
    john.email = "john@example.com";
    google.answer(john);
    const std::string johns = login();

    BOOST_TEST(handle(with_auth(post("/logout/all", ""), "Bearer " + second)).status == 204);
    expect_answer(handle(get("/me", "Token " + first)), 401, R"({"error":"invalid_token"})");
    expect_answer(handle(get("/me", "Token " + second)), 401, R"({"error":"invalid_token"})");
    BOOST_TEST(handle(get("/me", "Token " + johns)).status == 200);
}

BOOST_AUTO_TEST_CASE(health_is_ok_while_the_database_answers) {
    expect_answer(handle(get("/health")), 200, R"({"status":"ok"})");
}

BOOST_AUTO_TEST_CASE(head_is_not_a_method_of_health) {
    Request head = get("/health");
    head.method = "HEAD";
    const auto response = handle(head);
    BOOST_TEST(response.status == 405);
    BOOST_TEST(*response.header("Allow") == "GET, OPTIONS");
}

BOOST_AUTO_TEST_CASE(health_is_503_when_the_database_does_not_answer) {
    store.fail_next("ping", Errc::service_unavailable);
    expect_answer(handle(get("/health")), 503, R"({"error":"service_unavailable"})");
    expect_answer(handle(get("/health")), 200, R"({"status":"ok"})");
}

// ---- CORS -----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_listed_origin_gets_cors_headers_on_answers_and_errors) {
    Request request = post(kExchangePath, token_body());
    request.origin = kAllowedOrigin;
    const Response ok = handle(request);
    BOOST_TEST(ok.status == 200);
    BOOST_TEST(header_or_none(ok, "Access-Control-Allow-Origin") == kAllowedOrigin);
    BOOST_TEST(header_or_none(ok, "Vary") == "Origin");

    request.body = "{}";
    request.content_length = "2";
    const Response error = handle(request);
    BOOST_TEST(error.status == 400);
    BOOST_TEST(header_or_none(error, "Access-Control-Allow-Origin") == kAllowedOrigin);
}

BOOST_AUTO_TEST_CASE(an_unlisted_origin_gets_no_cors_headers) {
    for (const std::string origin : {"https://evil.example", "https://app.example.com.evil.example",
                                     "http://app.example.com", "https://APP.example.com", "null",
                                     "https://app.example.com/"}) {
        Request request = post(kExchangePath, token_body());
        request.origin = origin;
        const Response response = handle(request);
        BOOST_TEST(response.header("Access-Control-Allow-Origin") == nullptr, origin);
        BOOST_TEST(response.header("Access-Control-Allow-Credentials") == nullptr, origin);
    }
    const Response no_origin = handle(get("/health"));
    BOOST_TEST(no_origin.header("Access-Control-Allow-Origin") == nullptr);
}

BOOST_AUTO_TEST_CASE(preflight_from_a_listed_origin_is_allowed) {
    Request request;
    request.method = "OPTIONS";
    request.path = kExchangePath;
    request.origin = kAllowedOrigin;
    request.access_control_request_method = "POST";
    const Response response = handle(request);
    BOOST_TEST(response.status == 204);
    BOOST_TEST(header_or_none(response, "Access-Control-Allow-Origin") == kAllowedOrigin);
    BOOST_TEST(header_or_none(response, "Access-Control-Allow-Methods").find("POST") != std::string::npos);
    const std::string headers = header_or_none(response, "Access-Control-Allow-Headers");
    BOOST_TEST(headers.find("Authorization") != std::string::npos);
    BOOST_TEST(headers.find("Content-Type") != std::string::npos);
    BOOST_TEST(google.received.empty());
    BOOST_TEST(store.calls("begin") == 0);
}

BOOST_AUTO_TEST_CASE(preflight_from_an_unlisted_origin_gets_no_cors_headers) {
    Request request;
    request.method = "OPTIONS";
    request.path = "/me";
    request.origin = "https://evil.example";
    request.access_control_request_method = "GET";
    const Response response = handle(request);
    BOOST_TEST(response.header("Access-Control-Allow-Origin") == nullptr);
    BOOST_TEST(response.header("Access-Control-Allow-Methods") == nullptr);
    BOOST_TEST(response.header("Access-Control-Allow-Headers") == nullptr);
}

BOOST_AUTO_TEST_CASE(preflight_for_unknown_routes_and_backends_is_404) {
    Request request;
    request.method = "OPTIONS";
    request.origin = kAllowedOrigin;
    request.path = "/nope";
    expect_answer(handle(request), 404, R"({"error":"not_found"})");
    request.path = "/social/github/";
    expect_answer(handle(request), 404, R"({"error":"unknown_backend"})");
}

BOOST_AUTO_TEST_CASE(without_configured_origins_nobody_gets_cors_headers) {
    config.http.cors_allowed_origins.clear();
    Request request = post(kExchangePath, token_body());
    request.origin = kAllowedOrigin;
    const Response response = handle(request);
    BOOST_TEST(response.header("Access-Control-Allow-Origin") == nullptr);
}

// ---- the log line ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(logs_one_line_with_method_route_status_backend_and_user) {
    const Response response = exchange();
    BOOST_TEST_REQUIRE(response.status == 200);
    const std::string line = last_log_line();
    BOOST_TEST(line.find("method=POST") != std::string::npos, line);
    BOOST_TEST(line.find("route=" + kExchangePath) != std::string::npos, line);
    BOOST_TEST(line.find("status=200") != std::string::npos, line);
    BOOST_TEST(line.find("backend=google-oauth2") != std::string::npos, line);
    BOOST_TEST(line.find("user=" + std::to_string(store.users().begin()->first)) != std::string::npos, line);
    BOOST_TEST(line.find("duration_ms=") != std::string::npos, line);
    BOOST_TEST(line.find("req=") != std::string::npos, line);
}

BOOST_AUTO_TEST_CASE(logs_the_status_of_failures) {
    google.reject(sa::core::make_error(Errc::invalid_token, "aud mismatch"));
    exchange();
    BOOST_TEST(last_log_line().find("status=400") != std::string::npos, last_log_line());
    BOOST_TEST(last_log_line().find("invalid_token") != std::string::npos, last_log_line());
    store.fail_next("ping", Errc::service_unavailable);
    handle(get("/health"));
    BOOST_TEST(last_log_line().find("status=503") != std::string::npos, last_log_line());
}

BOOST_AUTO_TEST_CASE(never_logs_a_provider_token_or_an_api_token) {
    const std::string token = login();
    handle(get("/me", "Token " + token));
    handle(get("/me", "Bearer " + token + "x"));
    Request in_query = get("/me");
    in_query.query_string = "access_token=" + kProviderToken + "&token=" + token;
    handle(in_query);
    exchange(R"({"access_token": ")" + kProviderToken + R"(\u0001"})");
    exchange(R"({"access_token": ")" + kProviderToken + R"(", "access_token": "x"})");
    exchange(R"({"access_token": )" + kProviderToken + "}");
    handle(post(kExchangePath, "access_token=" + kProviderToken + "&access_token=again",
                "application/x-www-form-urlencoded"));
    handle(post(kExchangePath, token_body(), "text/plain"));
    google.reject(sa::core::make_error(Errc::invalid_token, "aud mismatch"));
    exchange();
    handle(with_auth(post("/logout", ""), "Token " + token));

    const std::string lines = all_log_lines();
    BOOST_TEST(lines.find("PROVIDER-SECRET") == std::string::npos, lines);
    BOOST_TEST(lines.find(token) == std::string::npos, lines);
    BOOST_TEST(lines.find(token.substr(0, 16)) == std::string::npos, lines);
}

BOOST_AUTO_TEST_CASE(a_hostile_path_cannot_forge_log_lines) {
    handle(get("/me\nreq=forged status=200"));
    BOOST_TEST(sink->lines.size() == 1u);
    BOOST_TEST(last_log_line().find('\n') == std::string::npos);
    BOOST_TEST(last_log_line().find("status=404") != std::string::npos, last_log_line());
}

BOOST_AUTO_TEST_CASE(no_control_character_from_a_request_reaches_the_log) {
    const std::string hostile = "\n2026-01-01T00:00:00Z socialauth info req=x status=200\r\x1b[2J\x1b]0;x\x07";
    handle(get("/me" + hostile));
    handle(post("/social/google" + hostile + "/", token_body()));
    Request bad_method = get(kExchangePath);
    bad_method.method = "GE\x1bT";
    handle(bad_method);
    handle(post(kExchangePath, R"({"access_token": "a\u001b[2Jb"})"));
    BOOST_TEST_REQUIRE(sink->lines.size() == 4u);
    for (const auto& line : sink->lines) {
        for (char c : line) {
            const auto u = static_cast<unsigned char>(c);
            BOOST_TEST((u >= 0x20 && u != 0x7F), "raw byte " << int(u) << " in " << line);
        }
    }
    BOOST_TEST(sink->lines[0].find("route=/me\\x0a2026") != std::string::npos, sink->lines[0]);
}

// ---- response headers never carry input ------------------------------------------------

BOOST_AUTO_TEST_CASE(no_request_value_reaches_a_response_header) {
    const std::string injected = "\r\nSet-Cookie: owned=1\r\nX-Injected: 1";
    const std::string api_token = login();
    std::vector<Request> requests;
    for (const std::string& origin : {kAllowedOrigin + injected, injected, kAllowedOrigin + "\n",
                                      "https://evil.example" + injected}) {
        Request exchange_request = post(kExchangePath, token_body());
        exchange_request.origin = origin;
        requests.push_back(exchange_request);
        Request preflight;
        preflight.method = "OPTIONS";
        preflight.path = kExchangePath;
        preflight.origin = origin;
        preflight.access_control_request_method = "POST" + injected;
        requests.push_back(preflight);
        Request me = get("/me", "Token " + api_token + injected);
        me.origin = origin;
        requests.push_back(me);
    }
    for (const std::string& path : {"/me" + injected, "/social/google-oauth2" + injected + "/",
                                    kExchangePath + injected, "/logout" + injected}) {
        Request request = post(path, token_body());
        request.origin = kAllowedOrigin;
        request.remote_addr = "192.0.2.9" + injected;
        request.content_type = "application/json" + injected;
        requests.push_back(request);
    }
    Request wrong_method = get("/me");
    wrong_method.method = "PUT" + injected;
    requests.push_back(wrong_method);
    requests.push_back(post(kExchangePath, token_body())); // over the limit: 429

    std::set<int> statuses;
    for (const Request& request : requests) {
        if (&request == &requests.back()) config.rate_limits.exchange_per_ip = {1, 60};
        const Response response = handle(request);
        statuses.insert(response.status);
        for (const auto& [name, value] : response.headers) {
            BOOST_TEST_CONTEXT("status " << response.status << " header " << name << ": " << value) {
                BOOST_TEST(name.find_first_of("\r\n") == std::string::npos);
                BOOST_TEST(value.find_first_of("\r\n") == std::string::npos);
                BOOST_TEST(value.find("owned") == std::string::npos);
                BOOST_TEST(value.find("Injected") == std::string::npos);
                BOOST_TEST(value.find("evil") == std::string::npos);
            }
            BOOST_TEST(name != "Set-Cookie");
            BOOST_TEST(name != "X-Injected");
        }
        const std::string wire = sa::http::serialize_cgi(response);
        BOOST_TEST(wire.find("owned") == std::string::npos);
    }
    // The requests above reached every kind of answer that sets headers of its own.
    for (const int status : {200, 204, 401, 404, 405, 429})
        BOOST_TEST(statuses.count(status) == 1u, "no answer with status " << status);
}

BOOST_AUTO_TEST_SUITE_END()
