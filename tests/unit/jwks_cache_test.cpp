// providers/jwks_cache: Google's signing keys kept in the process, in the shared storage
// and at the URL; lifetimes from Cache-Control; one refetch per throttle window on an
// unknown kid, also across processes; never an accept without a current key set.
#include "providers/jwks_cache.hpp"

#include "app/store_cache_storage.hpp"
#include "support/fake_http_client.hpp"
#include "support/fixed_clock.hpp"
#include "support/jwt_builder.hpp"
#include "support/memory_cache_storage.hpp"
#include "support/memory_store.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace {

using namespace socialauth;
using namespace std::chrono_literals;
using testing::jwt_data;

constexpr std::int64_t kNow = 1767225600;
const std::string kUrl = "https://google.test/oauth2/v3/certs";
constexpr std::chrono::seconds kRefetchInterval{60};

template <typename T> std::string code_of(const core::Result<T>& result) {
    return result ? "ok" : std::string(core::errc_name(result.error().code));
}

std::string certs(const std::string& file) { return testing::read_test_file(jwt_data(file)); }

struct CacheFixture {
    CacheFixture() : clock(kNow) {}

    // A JwksCache as one process would have it; several share storage.
    std::unique_ptr<providers::JwksCache> process(const std::string& url = kUrl) {
        return std::make_unique<providers::JwksCache>("google-oauth2 jwks", url, kRefetchInterval,
                                                      http, storage, clock);
    }

    void publish(const std::string& file,
                 const std::string& cache_control = "public, max-age=3600") {
        http.reply(kUrl, 200, certs(file), cache_control);
    }

    std::size_t fetches() const { return http.requests().size(); }

    testing::FixedClock clock;
    testing::FakeHttpClient http;
    testing::MemoryCacheStorage storage;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(jwks_cache, CacheFixture)

// ---- lifetimes ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(takes_the_lifetime_from_max_age_within_bounds) {
    using providers::cache_lifetime;
    BOOST_TEST(cache_lifetime("public, max-age=19845, must-revalidate, no-transform").count() ==
               19845);
    BOOST_TEST(cache_lifetime("max-age=600").count() == 600);
    BOOST_TEST(cache_lifetime("Public,MAX-AGE=600").count() == 600);
    BOOST_TEST(cache_lifetime("public, max-age = 600").count() == 600);
    BOOST_TEST(cache_lifetime("max-age=1").count() == providers::kMinJwksLifetime.count());
    BOOST_TEST(cache_lifetime("max-age=0").count() == providers::kMinJwksLifetime.count());
    BOOST_TEST(cache_lifetime("max-age=31536000").count() == providers::kMaxJwksLifetime.count());
    BOOST_TEST(cache_lifetime("max-age=9999999999").count() == providers::kMaxJwksLifetime.count());
}

BOOST_AUTO_TEST_CASE(uses_the_default_lifetime_without_a_usable_max_age) {
    using providers::cache_lifetime;
    const auto fallback = providers::kDefaultJwksLifetime.count();
    for (const char* header :
         {"", "public", "max-age", "max-age=", "max-age=-5", "max-age=1h", "max-age=\"600\"",
          "max-age=600, max-age=700", "max-age=99999999999999999999", "s-maxage=600"})
        BOOST_TEST(cache_lifetime(header).count() == fallback, '"' << header << '"');
}

BOOST_AUTO_TEST_CASE(caches_as_briefly_as_allowed_when_told_not_to_cache) {
    using providers::cache_lifetime;
    for (const char* header :
         {"no-store", "no-cache", "private, no-cache, max-age=3600", "max-age=3600, no-store"})
        BOOST_TEST(cache_lifetime(header).count() == providers::kMinJwksLifetime.count(), header);
}

// ---- fetching and sharing ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(fetches_the_configured_url_once_then_answers_from_memory) {
    publish("certs.json");
    auto cache = process();
    BOOST_TEST(code_of(cache->key("test-key-a")) == "ok");
    BOOST_TEST_REQUIRE(fetches() == 1u);
    BOOST_TEST(http.requests()[0].url == kUrl);
    BOOST_TEST(http.requests()[0].method == "GET");
    const int loads = storage.total_loads();
    for (int i = 0; i < 5; ++i) {
        clock.advance(10min);
        BOOST_TEST(code_of(cache->key("test-key-a")) == "ok");
    }
    BOOST_TEST(fetches() == 1u);
    BOOST_TEST(storage.total_loads() == loads); // a warm worker reads no database
}

BOOST_AUTO_TEST_CASE(hands_out_the_published_key) {
    publish("certs.json");
    const auto key = process()->key("test-key-a");
    BOOST_TEST_REQUIRE(code_of(key) == "ok");
    auto published = providers::Jwks::parse(certs("certs.json"));
    BOOST_TEST_REQUIRE(published.ok());
    BOOST_TEST(key->modulus == published->find("test-key-a")->modulus);
    BOOST_TEST(key->exponent == published->find("test-key-a")->exponent);
}

BOOST_AUTO_TEST_CASE(stores_the_document_with_its_lifetime_for_other_processes) {
    publish("certs.json", "public, max-age=19845, must-revalidate, no-transform");
    auto cache = process();
    BOOST_TEST_REQUIRE(code_of(cache->key("test-key-a")) == "ok");
    const auto& stored = storage.entries().at(cache->set_key());
    BOOST_TEST(stored.value == certs("certs.json"));
    BOOST_TEST(core::to_unix_seconds(stored.fetched_at) == kNow);
    BOOST_TEST(core::to_unix_seconds(stored.expires_at) == kNow + 19845);
    BOOST_TEST(cache->set_key().rfind("jwks:", 0) == 0u);
    BOOST_TEST(cache->set_key().size() <= 191u);
}

BOOST_AUTO_TEST_CASE(a_second_process_uses_the_stored_set_without_fetching) {
    publish("certs.json");
    BOOST_TEST(code_of(process()->key("test-key-a")) == "ok");
    clock.advance(30min);
    auto other = process();
    BOOST_TEST(code_of(other->key("test-key-a")) == "ok");
    BOOST_TEST(fetches() == 1u);
}

BOOST_AUTO_TEST_CASE(fetches_again_when_max_age_has_passed) {
    publish("certs.json", "max-age=600");
    auto cache = process();
    BOOST_TEST(code_of(cache->key("test-key-a")) == "ok");
    clock.advance(599s);
    BOOST_TEST(code_of(cache->key("test-key-a")) == "ok");
    BOOST_TEST(fetches() == 1u);
    clock.advance(1s);
    publish("certs_rotated.json");
    BOOST_TEST(code_of(cache->key("test-key-a")) == "ok");
    BOOST_TEST(fetches() == 2u);
    // A fresh process finds the new set in the storage.
    BOOST_TEST(code_of(process()->key("test-key-b")) == "ok");
    BOOST_TEST(fetches() == 2u);
}

BOOST_AUTO_TEST_CASE(never_takes_a_set_stored_for_another_url) {
    publish("certs.json");
    auto cache = process();
    BOOST_TEST(code_of(cache->key("test-key-a")) == "ok");
    auto elsewhere = process("https://other.test/certs");
    BOOST_TEST(elsewhere->set_key() != cache->set_key());
    http.reply("https://other.test/certs", 200, certs("certs_next.json"));
    BOOST_TEST(code_of(elsewhere->key("test-key-a")) == "invalid_token");
    BOOST_TEST(http.requests().back().url == "https://other.test/certs");
}

BOOST_AUTO_TEST_CASE(replaces_a_stored_document_that_no_longer_parses) {
    auto cache = process();
    storage.entries()[cache->set_key()] =
        providers::CachedDocument{"{\"keys\": [", clock.now(), clock.now() + 1h};
    publish("certs.json");
    BOOST_TEST(code_of(cache->key("test-key-a")) == "ok");
    BOOST_TEST(fetches() == 1u);
    BOOST_TEST(storage.entries().at(cache->set_key()).value == certs("certs.json"));
}

// ---- unknown kid --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(refetches_once_for_an_unknown_kid_and_finds_a_rotated_key) {
    publish("certs.json");
    auto cache = process();
    BOOST_TEST(code_of(cache->key("test-key-a")) == "ok");
    clock.advance(5min);
    publish("certs_rotated.json");
    BOOST_TEST(code_of(cache->key("test-key-b")) == "ok");
    BOOST_TEST(fetches() == 2u);
    BOOST_TEST(code_of(cache->key("test-key-a")) == "ok");
    BOOST_TEST(code_of(cache->key("test-key-b")) == "ok");
    BOOST_TEST(fetches() == 2u);
}

BOOST_AUTO_TEST_CASE(refuses_a_kid_still_unknown_and_refetches_no_more_within_the_window) {
    publish("certs.json");
    auto cache = process();
    BOOST_TEST(code_of(cache->key("test-key-a")) == "ok");
    clock.advance(5min);
    publish("certs.json");
    const auto first = cache->key("made-up-1");
    BOOST_TEST_REQUIRE(code_of(first) == "invalid_token");
    BOOST_TEST(first.error().detail.find("unknown kid") != std::string::npos);
    BOOST_TEST(fetches() == 2u);
    for (int i = 0; i < 10; ++i) {
        clock.advance(5s);
        BOOST_TEST(code_of(cache->key("made-up-" + std::to_string(i + 2))) == "invalid_token");
    }
    BOOST_TEST(fetches() == 2u);
    // Once the window has passed, one more try.
    clock.advance(kRefetchInterval);
    publish("certs.json");
    BOOST_TEST(code_of(cache->key("made-up-99")) == "invalid_token");
    BOOST_TEST(fetches() == 3u);
}

BOOST_AUTO_TEST_CASE(does_not_refetch_a_set_younger_than_the_window) {
    publish("certs.json");
    auto cache = process();
    BOOST_TEST(code_of(cache->key("made-up")) == "invalid_token");
    clock.advance(kRefetchInterval - 1s);
    BOOST_TEST(code_of(cache->key("made-up")) == "invalid_token");
    BOOST_TEST(fetches() == 1u);
}

BOOST_AUTO_TEST_CASE(the_refetch_window_holds_across_processes) {
    publish("certs.json");
    BOOST_TEST(code_of(process()->key("test-key-a")) == "ok");
    clock.advance(5min);
    publish("certs.json");
    BOOST_TEST(code_of(process()->key("made-up-1")) == "invalid_token");
    BOOST_TEST(fetches() == 2u);
    // Fresh CGI processes, one after the other, within the window.
    for (int i = 0; i < 5; ++i) {
        clock.advance(10s);
        BOOST_TEST(code_of(process()->key("made-up-" + std::to_string(i + 2))) == "invalid_token");
    }
    BOOST_TEST(fetches() == 2u);
}

BOOST_AUTO_TEST_CASE(picks_up_a_newer_set_another_process_stored_without_fetching) {
    publish("certs.json");
    auto worker = process();
    BOOST_TEST(code_of(worker->key("test-key-a")) == "ok");
    clock.advance(5min);
    publish("certs_rotated.json");
    BOOST_TEST(code_of(process()->key("test-key-b")) == "ok");
    BOOST_TEST(fetches() == 2u);
    clock.advance(10s);
    BOOST_TEST(code_of(worker->key("test-key-b")) == "ok");
    BOOST_TEST(fetches() == 2u);
}

// ---- trouble --------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(is_provider_unavailable_with_no_keys_reachable_and_none_cached) {
    http.fail(kUrl, core::make_error(core::Errc::provider_unavailable, "Connection refused"));
    const auto key = process()->key("test-key-a");
    BOOST_TEST_REQUIRE(code_of(key) == "provider_unavailable");
    BOOST_TEST(key.error().detail.find("google-oauth2 jwks") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(is_provider_unavailable_for_any_answer_but_a_key_set) {
    const std::vector<std::pair<long, std::string>> answers = {
        {500, "oops"},
        {503, certs("certs.json")},
        {404, "{}"},
        {400, "{}"},
        {429, "{}"},
        {302, ""},
        {200, "<html>"},
        {200, "{}"},
        {200, certs("certs_small_key.json")}};
    for (const auto& [status, body] : answers) {
        testing::FakeHttpClient fresh;
        testing::MemoryCacheStorage empty;
        fresh.reply(kUrl, status, body);
        providers::JwksCache cache("google-oauth2 jwks", kUrl, kRefetchInterval, fresh, empty,
                                   clock);
        BOOST_TEST(code_of(cache.key("test-key-a")) == "provider_unavailable",
                   status << " " << body);
        BOOST_TEST(empty.entries().empty());
    }
}

BOOST_AUTO_TEST_CASE(never_uses_an_expired_set_even_when_the_url_is_down) {
    publish("certs.json", "max-age=600");
    auto worker = process();
    BOOST_TEST(code_of(worker->key("test-key-a")) == "ok");
    clock.advance(600s);
    http.fail(kUrl, core::make_error(core::Errc::provider_unavailable, "timeout"));
    BOOST_TEST(code_of(worker->key("test-key-a")) == "provider_unavailable");
    http.fail(kUrl, core::make_error(core::Errc::provider_unavailable, "timeout"));
    BOOST_TEST(code_of(process()->key("test-key-a")) == "provider_unavailable");
    // Back up: back in business.
    publish("certs.json");
    BOOST_TEST(code_of(worker->key("test-key-a")) == "ok");
}

BOOST_AUTO_TEST_CASE(a_failed_refetch_is_unavailable_and_still_counts_for_the_window) {
    publish("certs.json");
    auto cache = process();
    BOOST_TEST(code_of(cache->key("test-key-a")) == "ok");
    clock.advance(5min);
    http.fail(kUrl, core::make_error(core::Errc::provider_unavailable, "timeout"));
    BOOST_TEST(code_of(cache->key("test-key-b")) == "provider_unavailable");
    clock.advance(5s);
    BOOST_TEST(code_of(process()->key("test-key-b")) == "invalid_token");
    BOOST_TEST(code_of(cache->key("test-key-b")) == "invalid_token");
    BOOST_TEST(fetches() == 2u);
    // The known key works all along.
    BOOST_TEST(code_of(cache->key("test-key-a")) == "ok");
}

BOOST_AUTO_TEST_CASE(passes_on_a_storage_that_cannot_be_read) {
    storage.fail_with(
        core::make_error(core::Errc::service_unavailable, "MySQL server has gone away"));
    publish("certs.json");
    BOOST_TEST(code_of(process()->key("test-key-a")) == "service_unavailable");
    BOOST_TEST(fetches() == 0u);
}

BOOST_AUTO_TEST_CASE(works_on_when_the_storage_cannot_be_written) {
    struct ReadOnly final : providers::CacheStorage {
        core::Result<std::optional<providers::CachedDocument>> load(const std::string&) override {
            return std::optional<providers::CachedDocument>();
        }
        core::Status save(const std::string&, const providers::CachedDocument&) override {
            return core::make_error(core::Errc::internal_error, "disk full");
        }
    } read_only;
    publish("certs.json");
    providers::JwksCache cache("google-oauth2 jwks", kUrl, kRefetchInterval, http, read_only,
                               clock);
    BOOST_TEST(code_of(cache.key("test-key-a")) == "ok");
    BOOST_TEST(code_of(cache.key("test-key-a")) == "ok"); // from memory
    BOOST_TEST(fetches() == 1u);
}

BOOST_AUTO_TEST_CASE(shares_keys_between_processes_through_the_store) {
    testing::MemoryStore store;
    app::StoreCacheStorage first_storage(store);
    app::StoreCacheStorage second_storage(store);
    publish("certs.json", "max-age=7200");
    providers::JwksCache first("google-oauth2 jwks", kUrl, kRefetchInterval, http, first_storage,
                               clock);
    BOOST_TEST(code_of(first.key("test-key-a")) == "ok");
    BOOST_TEST_REQUIRE(store.provider_cache().count(first.set_key()) == 1u);
    const auto& row = store.provider_cache().at(first.set_key());
    BOOST_TEST(core::to_unix_seconds(row.expires_at) == kNow + 7200);
    providers::JwksCache second("google-oauth2 jwks", kUrl, kRefetchInterval, http, second_storage,
                                clock);
    BOOST_TEST(code_of(second.key("test-key-a")) == "ok");
    BOOST_TEST(fetches() == 1u);
    store.fail_next("get_cached", core::Errc::service_unavailable);
    providers::JwksCache third("google-oauth2 jwks", kUrl, kRefetchInterval, http, second_storage,
                               clock);
    BOOST_TEST(code_of(third.key("test-key-a")) == "service_unavailable");
}

BOOST_AUTO_TEST_SUITE_END()
