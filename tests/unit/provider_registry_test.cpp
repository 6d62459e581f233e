#include "providers/provider_registry.hpp"

#include "support/fake_http_client.hpp"
#include "support/fixed_clock.hpp"
#include "support/memory_cache_storage.hpp"

#include <boost/test/unit_test.hpp>

namespace {

using namespace socialauth;

struct RegistryFixture {
    RegistryFixture() : clock(1767225600) {}

    core::GoogleConfig google() const {
        core::GoogleConfig google;
        google.client_ids = {"123.apps.googleusercontent.com"};
        return google;
    }

    core::FacebookConfig facebook() const {
        core::FacebookConfig facebook;
        facebook.app_id = "1234";
        facebook.app_secret = "secret";
        return facebook;
    }

    core::Config config;
    testing::FakeHttpClient http;
    testing::MemoryCacheStorage cache;
    testing::FixedClock clock;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(provider_registry, RegistryFixture)

BOOST_AUTO_TEST_CASE(finds_each_configured_backend_by_its_name) {
    config.google = google();
    config.facebook = facebook();
    providers::ProviderRegistry registry(config, http, cache, clock);
    providers::Provider* google_provider = registry.find("google-oauth2");
    providers::Provider* facebook_provider = registry.find("facebook");
    BOOST_TEST_REQUIRE(google_provider != nullptr);
    BOOST_TEST_REQUIRE(facebook_provider != nullptr);
    BOOST_TEST(google_provider->name() == "google-oauth2");
    BOOST_TEST(facebook_provider->name() == "facebook");
}

BOOST_AUTO_TEST_CASE(finds_nothing_for_an_unknown_backend) {
    config.google = google();
    config.facebook = facebook();
    providers::ProviderRegistry registry(config, http, cache, clock);
    for (const char* name : {"github", "google", "", "google-oauth2/", "facebook "})
        BOOST_TEST(registry.find(name) == nullptr, '"' << name << '"');
}

BOOST_AUTO_TEST_CASE(matches_names_case_sensitively) {
    config.google = google();
    config.facebook = facebook();
    providers::ProviderRegistry registry(config, http, cache, clock);
    for (const char* name : {"Google-OAuth2", "GOOGLE-OAUTH2", "Facebook", "FACEBOOK"})
        BOOST_TEST(registry.find(name) == nullptr, name);
}

BOOST_AUTO_TEST_CASE(finds_nothing_for_a_backend_the_config_does_not_enable) {
    config.google = google();
    providers::ProviderRegistry only_google(config, http, cache, clock);
    BOOST_TEST(only_google.find("google-oauth2") != nullptr);
    BOOST_TEST(only_google.find("facebook") == nullptr);

    config.google.reset();
    config.facebook = facebook();
    providers::ProviderRegistry only_facebook(config, http, cache, clock);
    BOOST_TEST(only_facebook.find("google-oauth2") == nullptr);
    BOOST_TEST(only_facebook.find("facebook") != nullptr);
}

BOOST_AUTO_TEST_CASE(passes_each_backend_its_own_allow_lists) {
    config.google = google();
    config.google->whitelisted_domains = {"example.com"};
    config.facebook = facebook();
    config.facebook->whitelisted_emails = {"jane@example.org"};
    providers::ProviderRegistry registry(config, http, cache, clock);
    providers::Provider* google_provider = registry.find("google-oauth2");
    providers::Provider* facebook_provider = registry.find("facebook");
    BOOST_TEST_REQUIRE(google_provider != nullptr);
    BOOST_TEST_REQUIRE(facebook_provider != nullptr);
    BOOST_TEST(google_provider->whitelisted_domains() == std::vector<std::string>{"example.com"},
               boost::test_tools::per_element());
    BOOST_TEST(google_provider->whitelisted_emails().empty());
    BOOST_TEST(facebook_provider->whitelisted_domains().empty());
    BOOST_TEST(facebook_provider->whitelisted_emails() ==
                   std::vector<std::string>{"jane@example.org"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
