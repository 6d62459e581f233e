// app/rate_limiter: client address grouping (IPv4, IPv6 per /64, IPv4-mapped, junk),
// fixed windows aligned to the epoch, the exact Retry-After, per-client before
// per-backend, "0 means off", failing closed on store errors, retrying a deadlock —
// and, through App::handle, that the check runs before the provider is called and
// outside the exchange's transaction.
#include "app/app.hpp"
#include "app/rate_limiter.hpp"

#include "core/json.hpp"
#include "support/fixed_clock.hpp"
#include "support/fixed_random.hpp"
#include "support/memory_store.hpp"
#include "support/scripted_provider.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

namespace {

namespace sa = socialauth;
using sa::app::client_address_group;
using sa::core::Errc;

// A multiple of 60 and of 3600: 2026-01-01T00:00:00Z.
constexpr std::int64_t kWindowStart = 1767225600;

std::string code_of(const sa::core::Status& status) {
    return status ? "ok" : std::string(sa::core::errc_name(status.error().code));
}

struct LimiterFixture {
    LimiterFixture() : clock(kWindowStart) {
        config.exchange_per_ip = {3, 60};
        config.exchange_per_backend = {0, 60};
    }

    sa::core::Status admit(const std::string& ip, const std::string& backend = "google-oauth2") {
        return sa::app::RateLimiter(config, store, clock).admit_exchange(ip, backend);
    }

    std::int64_t hits(const std::string& bucket, std::int64_t window_seconds,
                      std::int64_t window_start) const {
        const auto found = store.rate_limits().find({bucket, window_seconds, window_start});
        return found == store.rate_limits().end() ? 0 : found->second;
    }

    sa::core::RateLimitsConfig config;
    sa::testing::MemoryStore store;
    sa::testing::FixedClock clock;
};

} // namespace

BOOST_AUTO_TEST_SUITE(rate_limiter)

// ---- client address groups ----------------------------------------------------------

BOOST_AUTO_TEST_CASE(an_ipv4_client_is_its_address) {
    BOOST_TEST(client_address_group("192.0.2.7") == "192.0.2.7");
    BOOST_TEST(client_address_group("10.0.0.1") == "10.0.0.1");
}

BOOST_AUTO_TEST_CASE(an_ipv6_client_is_its_64_bit_prefix) {
    BOOST_TEST(client_address_group("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64");
    BOOST_TEST(client_address_group("2001:db8:1:2::ffff") == "2001:db8:1:2::/64");
    BOOST_TEST(client_address_group("2001:0DB8:0001:0002:aaaa::1") == "2001:db8:1:2::/64");
    BOOST_TEST(client_address_group("2001:db8:1:3::1") == "2001:db8:1:3::/64");
    BOOST_TEST(client_address_group("::1") == "::/64");
}

BOOST_AUTO_TEST_CASE(an_ipv4_mapped_ipv6_client_counts_as_its_ipv4_address) {
    BOOST_TEST(client_address_group("::ffff:192.0.2.7") == "192.0.2.7");
    BOOST_TEST(client_address_group("::FFFF:c000:0207") == "192.0.2.7");
}

BOOST_AUTO_TEST_CASE(a_missing_or_malformed_address_shares_one_group) {
    const std::vector<std::string> junk_addresses{
        "", "unknown", "192.0.2.7 ", " 192.0.2.7", "192.0.2.7\r\nX-Evil: 1", "192.0.2.256",
        "2001:db8::1%eth0", "[2001:db8::1]", "192.0.2.7:8080", "unix:/run/sock",
        std::string("192.0.2.7\0", 10)};
    for (const std::string& junk : junk_addresses) {
        BOOST_TEST(client_address_group(junk) == "unknown", junk);
    }
}

// ---- counting -----------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(admits_the_limit_then_refuses_with_the_rest_of_the_window,
                        LimiterFixture) {
    clock.set(kWindowStart + 15);
    for (int i = 0; i < 3; ++i) BOOST_TEST(code_of(admit("192.0.2.7")) == "ok", i);
    const auto refused = admit("192.0.2.7");
    BOOST_TEST_REQUIRE(code_of(refused) == "rate_limited");
    BOOST_TEST(refused.error().retry_after_seconds == 45);
    BOOST_TEST(refused.error().detail.find("exchange:ip:192.0.2.7") != std::string::npos,
               refused.error().detail);
    BOOST_TEST(hits("exchange:ip:192.0.2.7", 60, kWindowStart) == 3); // a full window stays full

    clock.set(kWindowStart + 59);
    BOOST_TEST(admit("192.0.2.7").error().retry_after_seconds == 1);
    clock.set(kWindowStart + 60);
    BOOST_TEST(code_of(admit("192.0.2.7")) == "ok");
    BOOST_TEST(hits("exchange:ip:192.0.2.7", 60, kWindowStart + 60) == 1);
}

BOOST_FIXTURE_TEST_CASE(windows_are_aligned_to_the_epoch, LimiterFixture) {
    config.exchange_per_ip = {1, 3600};
    clock.set(kWindowStart + 3599);
    BOOST_TEST(code_of(admit("192.0.2.7")) == "ok");
    BOOST_TEST(hits("exchange:ip:192.0.2.7", 3600, kWindowStart) == 1);
    BOOST_TEST(admit("192.0.2.7").error().retry_after_seconds == 1);
    clock.set(kWindowStart + 3600);
    BOOST_TEST(code_of(admit("192.0.2.7")) == "ok");
}

BOOST_FIXTURE_TEST_CASE(each_client_group_has_its_own_count, LimiterFixture) {
    config.exchange_per_ip = {1, 60};
    BOOST_TEST(code_of(admit("192.0.2.7")) == "ok");
    BOOST_TEST(code_of(admit("192.0.2.8")) == "ok");
    BOOST_TEST(code_of(admit("2001:db8:1:2::1")) == "ok");
    BOOST_TEST(code_of(admit("2001:db8:1:3::1")) == "ok");
    BOOST_TEST(code_of(admit("192.0.2.7")) == "rate_limited");
    BOOST_TEST(code_of(admit("::ffff:192.0.2.8")) == "rate_limited");
    // Another address in the same /64 is the same client.
    BOOST_TEST(code_of(admit("2001:db8:1:2:ffff:ffff:ffff:ffff")) == "rate_limited");
}

BOOST_FIXTURE_TEST_CASE(clients_without_an_address_share_one_count, LimiterFixture) {
    config.exchange_per_ip = {2, 60};
    BOOST_TEST(code_of(admit("")) == "ok");
    BOOST_TEST(code_of(admit("garbage")) == "ok");
    BOOST_TEST(code_of(admit("")) == "rate_limited");
    BOOST_TEST(hits("exchange:ip:unknown", 60, kWindowStart) == 2);
}

BOOST_FIXTURE_TEST_CASE(the_backend_limit_counts_every_client_together, LimiterFixture) {
    config.exchange_per_ip = {0, 60};
    config.exchange_per_backend = {2, 120};
    clock.set(kWindowStart + 30);
    BOOST_TEST(code_of(admit("192.0.2.1")) == "ok");
    BOOST_TEST(code_of(admit("192.0.2.2")) == "ok");
    const auto refused = admit("192.0.2.3");
    BOOST_TEST_REQUIRE(code_of(refused) == "rate_limited");
    BOOST_TEST(refused.error().retry_after_seconds == 90);
    BOOST_TEST(code_of(admit("192.0.2.3", "facebook")) == "ok");
    BOOST_TEST(hits("exchange:backend:google-oauth2", 120, kWindowStart) == 2);
}

BOOST_FIXTURE_TEST_CASE(a_client_over_its_limit_does_not_use_up_the_backend, LimiterFixture) {
    config.exchange_per_ip = {1, 60};
    config.exchange_per_backend = {3, 60};
    for (int i = 0; i < 10; ++i) (void)admit("192.0.2.66");
    BOOST_TEST(hits("exchange:backend:google-oauth2", 60, kWindowStart) == 1);
    BOOST_TEST(code_of(admit("192.0.2.1")) == "ok");
    BOOST_TEST(code_of(admit("192.0.2.2")) == "ok");
    BOOST_TEST(code_of(admit("192.0.2.3")) == "rate_limited");
}

BOOST_FIXTURE_TEST_CASE(zero_requests_means_no_limit_and_no_writes, LimiterFixture) {
    config.exchange_per_ip = {0, 60};
    config.exchange_per_backend = {0, 60};
    for (int i = 0; i < 100; ++i) BOOST_TEST_REQUIRE(code_of(admit("192.0.2.7")) == "ok");
    BOOST_TEST(store.calls("hit_rate_limit") == 0);
}

BOOST_FIXTURE_TEST_CASE(a_window_length_of_its_own_gets_its_own_count, LimiterFixture) {
    config.exchange_per_ip = {1, 60};
    BOOST_TEST(code_of(admit("192.0.2.7")) == "ok");
    config.exchange_per_ip = {1, 120};
    BOOST_TEST(code_of(admit("192.0.2.7")) == "ok");
    BOOST_TEST(code_of(admit("192.0.2.7")) == "rate_limited");
}

BOOST_FIXTURE_TEST_CASE(ended_windows_are_swept_by_the_first_hit_of_a_new_one, LimiterFixture) {
    BOOST_TEST(code_of(admit("192.0.2.7")) == "ok");
    BOOST_TEST(code_of(admit("192.0.2.8")) == "ok");
    clock.set(kWindowStart + 60);
    BOOST_TEST(code_of(admit("192.0.2.9")) == "ok");
    BOOST_TEST(store.rate_limits().size() == 1u);
    BOOST_TEST(hits("exchange:ip:192.0.2.9", 60, kWindowStart + 60) == 1);
}

// ---- store failures -------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(an_unreachable_database_refuses_the_request, LimiterFixture) {
    store.fail_next("hit_rate_limit", Errc::service_unavailable);
    const auto refused = admit("192.0.2.7");
    BOOST_TEST_REQUIRE(code_of(refused) == "service_unavailable");
    BOOST_TEST(refused.error().detail.find("rate limit") != std::string::npos);
    BOOST_TEST(code_of(admit("192.0.2.7")) == "ok");
}

BOOST_FIXTURE_TEST_CASE(a_missing_table_is_an_internal_error_not_a_pass, LimiterFixture) {
    store.fail_next("hit_rate_limit", Errc::internal_error);
    BOOST_TEST(code_of(admit("192.0.2.7")) == "internal_error");
}

BOOST_FIXTURE_TEST_CASE(a_deadlock_is_retried_a_few_times, LimiterFixture) {
    store.fail_next("hit_rate_limit", Errc::retry, 2);
    BOOST_TEST(code_of(admit("192.0.2.7")) == "ok");
    BOOST_TEST(store.calls("hit_rate_limit") == 3);
    store.fail_next("hit_rate_limit", Errc::retry, 3);
    BOOST_TEST(code_of(admit("192.0.2.7")) == "retry");
}

// ---- in the exchange --------------------------------------------------------------------

namespace {

struct ExchangeFixture {
    ExchangeFixture()
        : clock(kWindowStart + 20), sink(std::make_shared<sa::core::CaptureSink>()),
          logger(sink), google("google-oauth2") {
        config.pipeline = sa::core::default_pipeline();
        config.rate_limits.exchange_per_ip = {2, 60};
        config.rate_limits.exchange_per_backend = {0, 60};
        sa::providers::SocialProfile profile;
        profile.uid = "g-1";
        profile.email = "jane@example.com";
        profile.email_vouched = true;
        google.answer(profile);
        lookup = [this](std::string_view name) -> sa::providers::Provider* {
            return name == "google-oauth2" ? &google : nullptr;
        };
        app = std::make_unique<sa::app::App>(
            sa::app::AppServices{config, store, lookup, clock, random, logger});
    }

    sa::http::Response exchange(const std::string& remote_addr,
                                const std::string& body = R"({"access_token": "ya29.t"})") {
        sa::http::Request request;
        request.method = "POST";
        request.path = "/social/google-oauth2/";
        request.content_type = "application/json";
        request.content_length = std::to_string(body.size());
        request.body_status = sa::http::BodyStatus::read;
        request.body = body;
        request.remote_addr = remote_addr;
        return app->handle(request);
    }

    sa::core::Config config;
    sa::testing::MemoryStore store;
    sa::testing::FixedClock clock;
    sa::testing::FixedRandom random;
    std::shared_ptr<sa::core::CaptureSink> sink;
    sa::core::Logger logger;
    sa::testing::ScriptedProvider google;
    sa::app::ProviderLookup lookup;
    std::unique_ptr<sa::app::App> app;
};

} // namespace

BOOST_FIXTURE_TEST_CASE(over_the_limit_is_429_rate_limited_with_retry_after_and_no_provider_call,
                        ExchangeFixture) {
    BOOST_TEST(exchange("192.0.2.7").status == 200);
    BOOST_TEST(exchange("192.0.2.7").status == 200);
    const std::size_t users = store.users().size();
    const std::size_t tokens = store.tokens().size();
    const auto response = exchange("192.0.2.7");
    BOOST_TEST(response.status == 429);
    BOOST_TEST(response.body == R"({"error":"rate_limited"})");
    BOOST_TEST_REQUIRE(response.header("Retry-After") != nullptr);
    BOOST_TEST(*response.header("Retry-After") == "40");
    BOOST_TEST(google.received.size() == 2u);
    BOOST_TEST(store.users().size() == users);
    BOOST_TEST(store.tokens().size() == tokens);
    BOOST_TEST(sink->lines.back().find("status=429") != std::string::npos, sink->lines.back());
    BOOST_TEST(exchange("192.0.2.8").status == 200);
}

BOOST_FIXTURE_TEST_CASE(a_failed_exchange_still_counts, ExchangeFixture) {
    google.reject(sa::core::make_error(Errc::invalid_token, "wrong audience"));
    BOOST_TEST(exchange("192.0.2.7").status == 400);
    google.answer(sa::providers::SocialProfile{});
    BOOST_TEST(exchange("192.0.2.7").status == 400); // no uid: refused inside the transaction
    // A rollback of the exchange's transaction did not take the hits back.
    BOOST_TEST(exchange("192.0.2.7").status == 429);
    BOOST_TEST(!store.in_transaction());
}

BOOST_FIXTURE_TEST_CASE(a_rolled_back_exchange_keeps_its_hit, ExchangeFixture) {
    // Twice: the exchange runs again once after a lost connection; the hit is one.
    store.fail_next("create_user", Errc::service_unavailable, 2);
    BOOST_TEST(exchange("192.0.2.7").status == 503);
    BOOST_TEST(store.calls("rollback") >= 1);
    const auto found = store.rate_limits().find({"exchange:ip:192.0.2.7", 60, kWindowStart});
    BOOST_TEST_REQUIRE((found != store.rate_limits().end()));
    BOOST_TEST(found->second == 1);
}

BOOST_FIXTURE_TEST_CASE(a_malformed_request_is_answered_without_counting, ExchangeFixture) {
    for (int i = 0; i < 5; ++i) BOOST_TEST(exchange("192.0.2.7", "{").status == 400);
    BOOST_TEST(store.calls("hit_rate_limit") == 0);
    BOOST_TEST(exchange("192.0.2.7").status == 200);
}

BOOST_FIXTURE_TEST_CASE(a_database_failure_while_counting_is_503_before_the_provider,
                        ExchangeFixture) {
    store.fail_next("hit_rate_limit", Errc::service_unavailable);
    const auto response = exchange("192.0.2.7");
    BOOST_TEST(response.status == 503);
    BOOST_TEST(response.body == R"({"error":"service_unavailable"})");
    BOOST_TEST(google.received.empty());
    BOOST_TEST(store.users().empty());
}

BOOST_AUTO_TEST_SUITE_END()
