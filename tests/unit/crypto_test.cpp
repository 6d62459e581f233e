// core/crypto and core/random: the digests, MAC, comparison, encoding and random bytes
// that API tokens (SHA-256 storage, base64url) and Facebook's appsecret_proof rest on,
// checked against published test vectors.
#include "core/crypto.hpp"
#include "core/random.hpp"

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

using namespace std::string_literals;
using socialauth::core::base64url_encode;
using socialauth::core::constant_time_equals;
using socialauth::core::hmac_sha256_hex;
using socialauth::core::OpenSslRandom;
using socialauth::core::sha256_hex;

BOOST_AUTO_TEST_SUITE(crypto)

// FIPS 180-2 / NIST CSRC examples.
BOOST_AUTO_TEST_CASE(sha256_matches_nist_vectors) {
    BOOST_TEST(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    BOOST_TEST(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    BOOST_TEST(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
               "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    BOOST_TEST(sha256_hex(std::string(1000000, 'a')) ==
               "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

BOOST_AUTO_TEST_CASE(sha256_hashes_every_byte_including_nul) {
    BOOST_TEST(sha256_hex("a\0b"s) != sha256_hex("a"));
    BOOST_TEST(sha256_hex("\0"s) == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

BOOST_AUTO_TEST_CASE(sha256_hex_is_64_lower_case_hex_digits) {
    const std::string digest = sha256_hex("any token");
    BOOST_TEST(digest.size() == 64u);
    BOOST_TEST(digest.find_first_not_of("0123456789abcdef") == std::string::npos);
}

// RFC 4231 §4.2: key 20 x 0x0b, "Hi There".
BOOST_AUTO_TEST_CASE(hmac_sha256_matches_rfc4231_test_case_1) {
    BOOST_TEST(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There") ==
               "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

// RFC 4231 §4.3: a key shorter than the block, "Jefe".
BOOST_AUTO_TEST_CASE(hmac_sha256_matches_rfc4231_test_case_2) {
    BOOST_TEST(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
               "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// RFC 4231 §4.4: key 20 x 0xaa, data 50 x 0xdd.
BOOST_AUTO_TEST_CASE(hmac_sha256_matches_rfc4231_test_case_3) {
    BOOST_TEST(hmac_sha256_hex(std::string(20, '\xaa'), std::string(50, '\xdd')) ==
               "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
}

// RFC 4231 §4.7: a key longer than the block size is hashed first.
BOOST_AUTO_TEST_CASE(hmac_sha256_matches_rfc4231_test_case_6) {
    BOOST_TEST(hmac_sha256_hex(std::string(131, '\xaa'),
                               "Test Using Larger Than Block-Size Key - Hash Key First") ==
               "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

// RFC 4231 §4.8: long key and long data.
BOOST_AUTO_TEST_CASE(hmac_sha256_matches_rfc4231_test_case_7) {
    BOOST_TEST(hmac_sha256_hex(std::string(131, '\xaa'),
                               "This is a test using a larger than block-size key and a larger "
                               "than block-size data. The key needs to be hashed before being used "
                               "by the HMAC algorithm.") ==
               "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

BOOST_AUTO_TEST_CASE(hmac_sha256_accepts_an_empty_key) {
    const std::string expected = "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad";
    BOOST_TEST(hmac_sha256_hex("", "") == expected);
    BOOST_TEST(hmac_sha256_hex(std::string_view(), "") == expected);
}

BOOST_AUTO_TEST_CASE(constant_time_equals_compares_whole_strings) {
    BOOST_TEST(constant_time_equals("", ""));
    BOOST_TEST(constant_time_equals("abc", "abc"));
    BOOST_TEST(constant_time_equals("a\0b"s, "a\0b"s));
    BOOST_TEST(!constant_time_equals("abc", "abd"));
    BOOST_TEST(!constant_time_equals("abc", "Abc"));
    BOOST_TEST(!constant_time_equals("a\0b"s, "a\0c"s));
}

BOOST_AUTO_TEST_CASE(constant_time_equals_rejects_prefixes_and_different_lengths) {
    BOOST_TEST(!constant_time_equals("abc", "abcd"));
    BOOST_TEST(!constant_time_equals("abcd", "abc"));
    BOOST_TEST(!constant_time_equals("", "a"));
    BOOST_TEST(!constant_time_equals("abc", "abc\0"s));
}

// RFC 4648 §10, without the padding that §5 lets the URL-safe form drop.
BOOST_AUTO_TEST_CASE(base64url_matches_rfc4648_vectors_without_padding) {
    BOOST_TEST(base64url_encode("") == "");
    BOOST_TEST(base64url_encode("f") == "Zg");
    BOOST_TEST(base64url_encode("fo") == "Zm8");
    BOOST_TEST(base64url_encode("foo") == "Zm9v");
    BOOST_TEST(base64url_encode("foob") == "Zm9vYg");
    BOOST_TEST(base64url_encode("fooba") == "Zm9vYmE");
    BOOST_TEST(base64url_encode("foobar") == "Zm9vYmFy");
}

BOOST_AUTO_TEST_CASE(base64url_uses_minus_and_underscore_instead_of_plus_and_slash) {
    // Standard base64 of these bytes is "+/8=" and "++++" / "////".
    BOOST_TEST(base64url_encode("\xfb\xff") == "-_8");
    BOOST_TEST(base64url_encode("\xfb\xef\xbe") == "----");
    BOOST_TEST(base64url_encode("\xff\xff\xff") == "____");
}

BOOST_AUTO_TEST_CASE(base64url_encodes_nul_and_high_bytes) {
    BOOST_TEST(base64url_encode("\0\0\0"s) == "AAAA");
    BOOST_TEST(base64url_encode("\0"s) == "AA");
    BOOST_TEST(base64url_encode("\x80") == "gA");
}

BOOST_AUTO_TEST_CASE(base64url_of_32_bytes_is_43_url_safe_characters) {
    const std::string encoded = base64url_encode(std::string(32, '\xa5'));
    BOOST_TEST(encoded.size() == 43u);
    BOOST_TEST(encoded.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(openssl_random_gives_the_requested_number_of_bytes) {
    OpenSslRandom random;
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{6}, std::size_t{32}, std::size_t{1000}}) {
        auto bytes = random.bytes(n);
        BOOST_TEST_REQUIRE(bytes.ok());
        BOOST_TEST(bytes->size() == n);
    }
}

BOOST_AUTO_TEST_CASE(openssl_random_differs_between_calls) {
    OpenSslRandom random;
    std::set<std::string> seen;
    for (int i = 0; i < 16; ++i) {
        auto bytes = random.bytes(32);
        BOOST_TEST_REQUIRE(bytes.ok());
        seen.insert(*bytes);
    }
    BOOST_TEST(seen.size() == 16u);
    BOOST_TEST(seen.count(std::string(32, '\0')) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
