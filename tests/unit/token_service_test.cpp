// app/token_service: this site's API tokens (SPEC §2.2) — 256 random bits, URL-safe,
// stored only as SHA-256; accepted as "Token" or "Bearer"; absolute and idle expiry;
// last_used refreshed at most once a minute; a per-user cap that revokes the oldest.
#include "app/token_service.hpp"

#include "core/crypto.hpp"
#include "support/fixed_clock.hpp"
#include "support/fixed_random.hpp"
#include "support/memory_store.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace {

using namespace socialauth;
using std::chrono::seconds;

constexpr std::int64_t kNow = 1767225600; // 2026-01-01T00:00:00Z

std::string code_of(const core::Status& status) {
    return status ? "ok" : std::string(core::errc_name(status.error().code));
}

template <typename T> std::string code_of(const core::Result<T>& result) {
    return result ? "ok" : std::string(core::errc_name(result.error().code));
}

// The Errc itself: "invalid_token" names both invalid_token and invalid_api_token.
template <typename T> bool is(const core::Result<T>& result, core::Errc code) {
    return !result && result.error().code == code;
}

struct TokenFixture {
    TokenFixture() : clock(kNow) {
        user_id = add_user("jane");
        other_user_id = add_user("john");
    }

    std::int64_t add_user(const std::string& username) {
        store::NewUser user;
        user.username = username;
        user.email = username + "@example.com";
        user.date_joined = clock.now();
        auto created = store.create_user(user);
        BOOST_TEST_REQUIRE(created.ok());
        return created->id;
    }

    app::TokenService service() { return app::TokenService(config, store, clock, random); }

    std::string issue(std::int64_t user) {
        auto issued = service().issue(user);
        BOOST_TEST_REQUIRE(code_of(issued) == "ok");
        return issued->token;
    }

    core::Result<app::Authenticated> authenticate(const std::string& header) {
        return service().authenticate(header);
    }

    const store::TokenRecord& stored(const std::string& token) const {
        const std::string hash = core::sha256_hex(token);
        for (const auto& [id, record] : store.tokens())
            if (record.token_hash == hash) return record;
        throw std::logic_error("no stored token with that hash");
    }

    core::TokensConfig config;
    testing::MemoryStore store;
    testing::FixedClock clock;
    testing::FixedRandom random;
    std::int64_t user_id = 0;
    std::int64_t other_user_id = 0;
};

bool url_safe(const std::string& token) {
    return token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
           std::string::npos;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(token_service, TokenFixture)

BOOST_AUTO_TEST_CASE(issued_token_is_43_url_safe_characters_from_256_random_bits) {
    const std::string token = issue(user_id);
    BOOST_TEST(token.size() == 43u);
    BOOST_TEST(url_safe(token), token);
    BOOST_TEST_REQUIRE(!random.requests().empty());
    BOOST_TEST(random.requests().back() == 32u);
}

BOOST_AUTO_TEST_CASE(issued_token_is_the_base64url_of_the_random_bytes) {
    const std::string bytes(32, '\xfb');
    random.script(bytes);
    BOOST_TEST(issue(user_id) == core::base64url_encode(bytes));
}

BOOST_AUTO_TEST_CASE(stores_only_the_sha256_of_the_token) {
    const std::string token = issue(user_id);
    BOOST_TEST_REQUIRE(store.tokens().size() == 1u);
    const store::TokenRecord& record = store.tokens().begin()->second;
    BOOST_TEST(record.token_hash == core::sha256_hex(token));
    BOOST_TEST(record.token_hash != token);
    BOOST_TEST(record.token_hash.find(token) == std::string::npos);
    BOOST_TEST(record.user_id == user_id);
    BOOST_TEST(core::to_unix_seconds(record.created) == kNow);
    BOOST_TEST(!record.revoked_at.has_value());
    BOOST_TEST(!record.last_used.has_value());
}

BOOST_AUTO_TEST_CASE(each_issue_gives_a_different_token) {
    const std::string first = issue(user_id);
    const std::string second = issue(user_id);
    BOOST_TEST(first != second);
    BOOST_TEST(store.tokens().size() == 2u);
}

BOOST_AUTO_TEST_CASE(token_expires_after_the_configured_lifetime) {
    config.lifetime_seconds = 3600;
    auto issued = service().issue(user_id);
    BOOST_TEST_REQUIRE(issued.ok());
    BOOST_TEST_REQUIRE(issued->expires_at.has_value());
    BOOST_TEST(core::to_unix_seconds(*issued->expires_at) == kNow + 3600);
    const auto& record = stored(issued->token);
    BOOST_TEST_REQUIRE(record.expires_at.has_value());
    BOOST_TEST(core::to_unix_seconds(*record.expires_at) == kNow + 3600);
}

BOOST_AUTO_TEST_CASE(default_lifetime_is_30_days) {
    auto issued = service().issue(user_id);
    BOOST_TEST_REQUIRE(issued.ok());
    BOOST_TEST_REQUIRE(issued->expires_at.has_value());
    BOOST_TEST(core::to_unix_seconds(*issued->expires_at) == kNow + 30 * 86400);
}

BOOST_AUTO_TEST_CASE(lifetime_zero_means_no_expiry) {
    config.lifetime_seconds = 0;
    auto issued = service().issue(user_id);
    BOOST_TEST_REQUIRE(issued.ok());
    BOOST_TEST(!issued->expires_at.has_value());
    BOOST_TEST(!stored(issued->token).expires_at.has_value());
}

BOOST_AUTO_TEST_CASE(a_random_source_failure_issues_nothing) {
    random.fail_next();
    auto issued = service().issue(user_id);
    BOOST_TEST(code_of(issued) == "internal_error");
    BOOST_TEST(store.tokens().empty());
}

BOOST_AUTO_TEST_CASE(accepts_token_and_bearer_schemes_in_any_case) {
    const std::string token = issue(user_id);
    for (const std::string scheme : {"Token", "Bearer", "token", "bearer", "TOKEN", "BEARER", "BeArEr"}) {
        auto auth = authenticate(scheme + " " + token);
        BOOST_TEST_REQUIRE(code_of(auth) == "ok", scheme);
        BOOST_TEST(auth->user.id == user_id);
        BOOST_TEST(auth->user.username == "jane");
        BOOST_TEST(auth->token.token_hash == core::sha256_hex(token));
    }
}

BOOST_AUTO_TEST_CASE(tolerates_white_space_around_the_token) {
    const std::string token = issue(user_id);
    BOOST_TEST(code_of(authenticate("Token  " + token)) == "ok");
    BOOST_TEST(code_of(authenticate("Bearer " + token + " ")) == "ok");
}

BOOST_AUTO_TEST_CASE(no_header_is_not_authenticated) {
    issue(user_id);
    BOOST_TEST(is(authenticate(""), core::Errc::not_authenticated));
}

BOOST_AUTO_TEST_CASE(other_schemes_and_malformed_headers_are_invalid) {
    const std::string token = issue(user_id);
    for (const std::string& header : std::vector<std::string>{"Basic " + token, "Digest " + token, "JWT " + token, "Tokens " + token, "Token" + token,
          "Token", "Token ", "Bearer", token, " Token " + token, "Token:" + token, "Token\t" + token,
          "Token " + token + " extra", "Token " + token + "=", "Token " + token + "\n" + token,
          "Token " + std::string(257, 'A'), "Token a+b/c"}) {
        BOOST_TEST(is(authenticate(header), core::Errc::invalid_api_token), '"' << header << '"');
    }
}

BOOST_AUTO_TEST_CASE(token_from_authorization_extracts_only_well_formed_tokens) {
    BOOST_TEST(app::token_from_authorization("Token abc-_09").value_or("none") == "abc-_09");
    BOOST_TEST(app::token_from_authorization("bearer XYZ").value_or("none") == "XYZ");
    BOOST_TEST(!app::token_from_authorization("Basic dXNlcjpwYXNz").has_value());
    BOOST_TEST(!app::token_from_authorization("Token a.b").has_value());
    BOOST_TEST(!app::token_from_authorization("Token ").has_value());
    BOOST_TEST(!app::token_from_authorization("").has_value());
}

BOOST_AUTO_TEST_CASE(unknown_token_is_invalid) {
    issue(user_id);
    BOOST_TEST(is(authenticate("Token " + std::string(43, 'A')), core::Errc::invalid_api_token));
}

BOOST_AUTO_TEST_CASE(the_hash_itself_is_not_a_token) {
    const std::string token = issue(user_id);
    BOOST_TEST(is(authenticate("Token " + core::sha256_hex(token)), core::Errc::invalid_api_token));
}

BOOST_AUTO_TEST_CASE(token_is_valid_until_its_absolute_expiry) {
    config.idle_seconds = 0;
    config.lifetime_seconds = 3600;
    const std::string token = issue(user_id);
    clock.set(kNow + 3599);
    BOOST_TEST(code_of(authenticate("Token " + token)) == "ok");
    clock.set(kNow + 3600);
    BOOST_TEST(is(authenticate("Token " + token), core::Errc::invalid_api_token));
    clock.set(kNow + 86400);
    BOOST_TEST(is(authenticate("Token " + token), core::Errc::invalid_api_token));
}

BOOST_AUTO_TEST_CASE(use_does_not_extend_the_absolute_expiry) {
    config.idle_seconds = 0;
    config.lifetime_seconds = 600;
    const std::string token = issue(user_id);
    for (int minute = 1; minute < 10; ++minute) {
        clock.set(kNow + minute * 60);
        BOOST_TEST(code_of(authenticate("Token " + token)) == "ok");
    }
    clock.set(kNow + 600);
    BOOST_TEST(is(authenticate("Token " + token), core::Errc::invalid_api_token));
}

BOOST_AUTO_TEST_CASE(unused_token_expires_after_the_idle_time) {
    config.lifetime_seconds = 0;
    config.idle_seconds = 3600;
    const std::string token = issue(user_id);
    clock.set(kNow + 3600);
    BOOST_TEST(is(authenticate("Token " + token), core::Errc::invalid_api_token));
}

BOOST_AUTO_TEST_CASE(use_keeps_a_token_from_idling_out) {
    config.lifetime_seconds = 0;
    config.idle_seconds = 3600;
    const std::string token = issue(user_id);
    clock.set(kNow + 3599);
    BOOST_TEST(code_of(authenticate("Token " + token)) == "ok");
    clock.set(kNow + 3599 + 3599);
    BOOST_TEST(code_of(authenticate("Token " + token)) == "ok");
    clock.set(kNow + 3599 + 3599 + 3600);
    BOOST_TEST(is(authenticate("Token " + token), core::Errc::invalid_api_token));
}

BOOST_AUTO_TEST_CASE(idle_zero_means_no_idle_limit) {
    config.lifetime_seconds = 0;
    config.idle_seconds = 0;
    const std::string token = issue(user_id);
    clock.set(kNow + 5LL * 365 * 86400);
    BOOST_TEST(code_of(authenticate("Token " + token)) == "ok");
}

BOOST_AUTO_TEST_CASE(default_idle_time_is_7_days) {
    config.lifetime_seconds = 0;
    const std::string token = issue(user_id);
    clock.set(kNow + 7 * 86400 - 1);
    BOOST_TEST(code_of(authenticate("Token " + token)) == "ok");
    clock.set(kNow + 7 * 86400 - 1 + 7 * 86400);
    BOOST_TEST(is(authenticate("Token " + token), core::Errc::invalid_api_token));
}

BOOST_AUTO_TEST_CASE(last_used_is_refreshed_at_most_once_a_minute) {
    const std::string token = issue(user_id);
    BOOST_TEST(code_of(authenticate("Token " + token)) == "ok");
    BOOST_TEST(store.calls("touch_token") == 1);
    BOOST_TEST_REQUIRE(stored(token).last_used.has_value());
    BOOST_TEST(core::to_unix_seconds(*stored(token).last_used) == kNow);

    clock.set(kNow + 30);
    BOOST_TEST(code_of(authenticate("Token " + token)) == "ok");
    clock.set(kNow + 59);
    BOOST_TEST(code_of(authenticate("Token " + token)) == "ok");
    BOOST_TEST(store.calls("touch_token") == 1);
    BOOST_TEST(core::to_unix_seconds(*stored(token).last_used) == kNow);

    clock.set(kNow + 60);
    BOOST_TEST(code_of(authenticate("Token " + token)) == "ok");
    BOOST_TEST(store.calls("touch_token") == 2);
    BOOST_TEST(core::to_unix_seconds(*stored(token).last_used) == kNow + 60);
}

BOOST_AUTO_TEST_CASE(authenticated_record_carries_the_refreshed_last_used) {
    const std::string token = issue(user_id);
    clock.set(kNow + 120);
    auto auth = authenticate("Token " + token);
    BOOST_TEST_REQUIRE(auth.ok());
    BOOST_TEST_REQUIRE(auth->token.last_used.has_value());
    BOOST_TEST(core::to_unix_seconds(*auth->token.last_used) == kNow + 120);
}

BOOST_AUTO_TEST_CASE(cap_revokes_the_oldest_live_tokens) {
    config.max_per_user = 3;
    std::vector<std::string> tokens;
    for (int i = 0; i < 5; ++i) {
        clock.set(kNow + i);
        tokens.push_back(issue(user_id));
    }
    BOOST_TEST(is(authenticate("Token " + tokens[0]), core::Errc::invalid_api_token));
    BOOST_TEST(is(authenticate("Token " + tokens[1]), core::Errc::invalid_api_token));
    for (int i = 2; i < 5; ++i) BOOST_TEST(code_of(authenticate("Token " + tokens[i])) == "ok", i);
    BOOST_TEST(stored(tokens[0]).revoked_at.has_value());
    BOOST_TEST(!stored(tokens[4]).revoked_at.has_value());
}

BOOST_AUTO_TEST_CASE(cap_counts_each_user_separately) {
    config.max_per_user = 2;
    const std::string others = issue(other_user_id);
    for (int i = 0; i < 4; ++i) issue(user_id);
    BOOST_TEST(code_of(authenticate("Token " + others)) == "ok");
}

BOOST_AUTO_TEST_CASE(default_cap_is_20_live_tokens) {
    std::vector<std::string> tokens;
    for (int i = 0; i < 21; ++i) tokens.push_back(issue(user_id));
    BOOST_TEST(is(authenticate("Token " + tokens[0]), core::Errc::invalid_api_token));
    BOOST_TEST(code_of(authenticate("Token " + tokens[1])) == "ok");
    BOOST_TEST(code_of(authenticate("Token " + tokens[20])) == "ok");
}

BOOST_AUTO_TEST_CASE(cap_zero_means_no_limit) {
    config.max_per_user = 0;
    std::vector<std::string> tokens;
    for (int i = 0; i < 30; ++i) tokens.push_back(issue(user_id));
    for (const auto& token : tokens) BOOST_TEST(code_of(authenticate("Token " + token)) == "ok");
    BOOST_TEST(store.calls("revoke_tokens_beyond") == 0);
}

BOOST_AUTO_TEST_CASE(revoked_token_is_invalid) {
    const std::string token = issue(user_id);
    const std::string kept = issue(user_id);
    BOOST_TEST_REQUIRE(code_of(store.revoke_token(stored(token).id, clock.now())) == "ok");
    BOOST_TEST(is(authenticate("Token " + token), core::Errc::invalid_api_token));
    BOOST_TEST(code_of(authenticate("Token " + kept)) == "ok");
}

BOOST_AUTO_TEST_CASE(token_of_an_inactive_user_is_invalid) {
    // Deactivated by another program on the database, which revoked nothing.
    const std::string token = issue(user_id);
    store.set_is_active_directly(user_id, false);
    BOOST_TEST(is(authenticate("Token " + token), core::Errc::invalid_api_token));
    BOOST_TEST(store.calls("touch_token") == 0);
    store.set_is_active_directly(user_id, true);
    BOOST_TEST(code_of(authenticate("Token " + token)) == "ok");
}

BOOST_AUTO_TEST_CASE(deactivation_revokes_every_token_of_the_user_for_good) {
    const std::string first = issue(user_id);
    const std::string second = issue(user_id);
    const std::string johns = issue(other_user_id);
    clock.set(kNow + 10);
    BOOST_TEST_REQUIRE(code_of(store.set_user_active(user_id, false, clock.now())) == "ok");
    BOOST_TEST_REQUIRE(stored(first).revoked_at.has_value());
    BOOST_TEST(core::to_unix_seconds(*stored(first).revoked_at) == kNow + 10);
    BOOST_TEST(stored(second).revoked_at.has_value());
    BOOST_TEST(!stored(johns).revoked_at.has_value());

    // Reactivation brings no old token back; a new login gets a new one.
    BOOST_TEST_REQUIRE(code_of(store.set_user_active(user_id, true, clock.now())) == "ok");
    BOOST_TEST(is(authenticate("Token " + first), core::Errc::invalid_api_token));
    BOOST_TEST(is(authenticate("Token " + second), core::Errc::invalid_api_token));
    BOOST_TEST(code_of(authenticate("Token " + johns)) == "ok");
    BOOST_TEST(code_of(authenticate("Token " + issue(user_id))) == "ok");
}

BOOST_AUTO_TEST_CASE(the_earlier_of_idle_and_absolute_expiry_wins) {
    config.lifetime_seconds = 3600;
    config.idle_seconds = 600;
    const std::string idle = issue(user_id);
    const std::string busy = issue(user_id);
    for (std::int64_t t = 300; t < 3600; t += 300) {
        clock.set(kNow + t);
        BOOST_TEST(code_of(authenticate("Token " + busy)) == "ok", t);
    }
    BOOST_TEST(is(authenticate("Token " + idle), core::Errc::invalid_api_token));
    clock.set(kNow + 3600);
    BOOST_TEST(is(authenticate("Token " + busy), core::Errc::invalid_api_token));
}

BOOST_AUTO_TEST_CASE(a_refused_token_is_not_touched) {
    config.lifetime_seconds = 60;
    const std::string token = issue(user_id);
    clock.set(kNow + 3600);
    BOOST_TEST(is(authenticate("Token " + token), core::Errc::invalid_api_token));
    BOOST_TEST(store.calls("touch_token") == 0);
    BOOST_TEST(!stored(token).last_used.has_value());
}

BOOST_AUTO_TEST_CASE(cap_counts_only_live_tokens) {
    config.max_per_user = 2;
    config.lifetime_seconds = 60;
    const std::string expired = issue(user_id);
    const std::string logged_out = issue(user_id);
    BOOST_TEST_REQUIRE(code_of(store.revoke_token(stored(logged_out).id, clock.now())) == "ok");
    clock.set(kNow + 60);
    config.lifetime_seconds = 3600;
    const std::string first = issue(user_id);
    const std::string second = issue(user_id);
    BOOST_TEST(code_of(authenticate("Token " + first)) == "ok");
    BOOST_TEST(code_of(authenticate("Token " + second)) == "ok");
    const std::string third = issue(user_id);
    BOOST_TEST(is(authenticate("Token " + first), core::Errc::invalid_api_token));
    BOOST_TEST(code_of(authenticate("Token " + third)) == "ok");
}

BOOST_AUTO_TEST_CASE(database_failure_is_not_reported_as_a_bad_token) {
    const std::string token = issue(user_id);
    store.fail_next("find_token", core::Errc::service_unavailable);
    BOOST_TEST(is(authenticate("Token " + token), core::Errc::service_unavailable));
}

BOOST_AUTO_TEST_SUITE_END()
