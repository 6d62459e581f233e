// core/sealed_token: provider tokens at rest. The v1 format byte for byte (so a PHP
// reader can rely on it), a fresh nonce from the random source per seal, round trips,
// and refusal of anything that does not open under this key and identity.
#include "core/sealed_token.hpp"

#include "core/crypto.hpp"
#include "support/fixed_random.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace {

namespace sa = socialauth;
using sa::core::open_provider_token;
using sa::core::seal_provider_token;

const std::string kKey = "0123456789abcdef0123456789ABCDEF"; // 32 bytes
const std::string kProvider = "google-oauth2";
const std::string kUid = "109876543210";
const std::string kToken = "ya29.a0AfH6SMB-provider-access-token";

std::string sealed(sa::testing::FixedRandom& random, const std::string& token = kToken) {
    auto result = seal_provider_token(kKey, random, kProvider, kUid, token);
    BOOST_TEST_REQUIRE(result.ok());
    return *result;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sealed_token)

BOOST_AUTO_TEST_CASE(is_v1_and_the_base64url_of_nonce_ciphertext_and_tag) {
    sa::testing::FixedRandom random;
    const std::string nonce = "NONCE-12byte";
    random.script(nonce);
    const std::string text = sealed(random);
    BOOST_TEST(text.rfind("v1:", 0) == 0u);
    const auto raw = sa::core::base64url_decode(text.substr(3));
    BOOST_TEST_REQUIRE(raw.has_value());
    BOOST_TEST(raw->size() == 12 + kToken.size() + 16);
    BOOST_TEST(raw->substr(0, 12) == nonce);
    // Exactly AES-256-GCM over the token with "<provider>:<uid>" as associated data.
    const auto expected =
        sa::core::aes256gcm_encrypt(kKey, nonce, kToken, "google-oauth2:109876543210");
    BOOST_TEST_REQUIRE(expected.has_value());
    BOOST_TEST(raw->substr(12) == *expected);
    BOOST_TEST(random.requests() == std::vector<std::size_t>{12});
}

BOOST_AUTO_TEST_CASE(opens_what_it_sealed) {
    sa::testing::FixedRandom random;
    for (const std::string& token : std::vector<std::string>{
             kToken, "x", std::string(2000, 'T'), std::string("EAAB\xC3\xA9\x00z", 7)}) {
        const auto opened = open_provider_token(kKey, kProvider, kUid, sealed(random, token));
        BOOST_TEST_REQUIRE(opened.has_value());
        BOOST_TEST(*opened == token);
    }
}

BOOST_AUTO_TEST_CASE(never_holds_the_token_in_plain_text) {
    sa::testing::FixedRandom random;
    const std::string text = sealed(random);
    BOOST_TEST(text.find(kToken) == std::string::npos);
    BOOST_TEST(text.find("ya29") == std::string::npos);
    BOOST_TEST(text.find(sa::core::base64url_encode(kToken).substr(0, 12)) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(each_seal_takes_a_fresh_nonce) {
    sa::testing::FixedRandom random;
    const std::string first = sealed(random);
    const std::string second = sealed(random);
    BOOST_TEST(first != second);
    BOOST_TEST(first.substr(0, 19) != second.substr(0, 19));
    BOOST_TEST(*open_provider_token(kKey, kProvider, kUid, first) == kToken);
    BOOST_TEST(*open_provider_token(kKey, kProvider, kUid, second) == kToken);
}

BOOST_AUTO_TEST_CASE(does_not_open_for_another_identity_or_key) {
    sa::testing::FixedRandom random;
    const std::string text = sealed(random);
    BOOST_TEST(!open_provider_token(kKey, "facebook", kUid, text).has_value());
    BOOST_TEST(!open_provider_token(kKey, kProvider, "109876543211", text).has_value());
    BOOST_TEST(!open_provider_token(kKey, kProvider, kUid + " ", text).has_value());
    // The separator can't be moved: provider names hold no ':'.
    BOOST_TEST(!open_provider_token(kKey, "google-oauth2:1098", "76543210", text).has_value());
    std::string other_key = kKey;
    other_key[0] = 'X';
    BOOST_TEST(!open_provider_token(other_key, kProvider, kUid, text).has_value());
}

BOOST_AUTO_TEST_CASE(does_not_open_anything_changed_or_malformed) {
    sa::testing::FixedRandom random;
    const std::string text = sealed(random);
    for (std::size_t i = 3; i < text.size(); ++i) {
        std::string changed = text;
        changed[i] = changed[i] == 'A' ? 'B' : 'A';
        BOOST_TEST(!open_provider_token(kKey, kProvider, kUid, changed).has_value(), i);
    }
    const std::vector<std::string> malformed{
        "", "v1:", kToken, "v2" + text.substr(2), "V1" + text.substr(2), text.substr(3),
        text + "=", text + "A", text.substr(0, text.size() - 1),
        "v1:" + sa::core::base64url_encode(std::string(27, 'x')), "v1:!!!!"};
    for (const std::string& bad : malformed) {
        BOOST_TEST(!open_provider_token(kKey, kProvider, kUid, bad).has_value(), bad);
    }
}

BOOST_AUTO_TEST_CASE(a_failing_random_source_seals_nothing) {
    sa::testing::FixedRandom random;
    random.fail_next();
    const auto result = seal_provider_token(kKey, random, kProvider, kUid, kToken);
    BOOST_TEST_REQUIRE(!result.ok());
    BOOST_TEST(result.error().detail.find(kToken) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_key_of_the_wrong_size_seals_nothing) {
    sa::testing::FixedRandom random;
    BOOST_TEST(!seal_provider_token("", random, kProvider, kUid, kToken).ok());
    BOOST_TEST(!seal_provider_token(kKey.substr(1), random, kProvider, kUid, kToken).ok());
    BOOST_TEST(!open_provider_token("", kProvider, kUid, sealed(random)).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
