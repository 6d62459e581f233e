// core/crypto and core/random: the digests, MAC, comparison, encoding and random bytes
// that API tokens (SHA-256 storage, base64url) and Facebook's appsecret_proof rest on,
// checked against published test vectors.
#include "core/crypto.hpp"
#include "core/json.hpp"
#include "core/random.hpp"
#include "support/jwt_builder.hpp"

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

// ---- AES-256-GCM ------------------------------------------------------------------------

namespace {

std::string from_hex(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return out;
}

std::string to_hex(const std::string& bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 0x0F];
    }
    return out;
}

// The AES-256 cases (13 to 16) of McGrew and Viega, "The Galois/Counter Mode of
// Operation", the test vectors NIST publishes with SP 800-38D.
struct GcmVector {
    const char* key;
    const char* nonce;
    const char* plaintext;
    const char* associated_data;
    const char* ciphertext;
    const char* tag;
};

const GcmVector kGcmVectors[] = {
    {"0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "00000000000000000000000000000000", "",
     "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
     "",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
     "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

} // namespace

BOOST_AUTO_TEST_CASE(aes256gcm_matches_the_gcm_specification_vectors) {
    int n = 13;
    for (const GcmVector& v : kGcmVectors) {
        BOOST_TEST_CONTEXT("test case " << n++) {
            const auto sealed = socialauth::core::aes256gcm_encrypt(
                from_hex(v.key), from_hex(v.nonce), from_hex(v.plaintext), from_hex(v.associated_data));
            BOOST_TEST_REQUIRE(sealed.has_value());
            BOOST_TEST(to_hex(*sealed) == std::string(v.ciphertext) + v.tag);
            const auto opened = socialauth::core::aes256gcm_decrypt(
                from_hex(v.key), from_hex(v.nonce), *sealed, from_hex(v.associated_data));
            BOOST_TEST_REQUIRE(opened.has_value());
            BOOST_TEST(to_hex(*opened) == v.plaintext);
        }
    }
}

BOOST_AUTO_TEST_CASE(aes256gcm_refuses_any_changed_bit_key_nonce_or_associated_data) {
    const GcmVector& v = kGcmVectors[3];
    const std::string key = from_hex(v.key);
    const std::string nonce = from_hex(v.nonce);
    const std::string data = from_hex(v.associated_data);
    const std::string sealed = from_hex(std::string(v.ciphertext) + v.tag);
    using socialauth::core::aes256gcm_decrypt;
    for (std::size_t byte = 0; byte < sealed.size(); ++byte) {
        std::string changed = sealed;
        changed[byte] = static_cast<char>(changed[byte] ^ 0x01);
        BOOST_TEST(!aes256gcm_decrypt(key, nonce, changed, data).has_value(), byte);
    }
    std::string other_key = key;
    other_key[31] = static_cast<char>(other_key[31] ^ 0x80);
    BOOST_TEST(!aes256gcm_decrypt(other_key, nonce, sealed, data).has_value());
    std::string other_nonce = nonce;
    other_nonce[0] = static_cast<char>(other_nonce[0] ^ 0x01);
    BOOST_TEST(!aes256gcm_decrypt(key, other_nonce, sealed, data).has_value());
    BOOST_TEST(!aes256gcm_decrypt(key, nonce, sealed, data + "x").has_value());
    BOOST_TEST(!aes256gcm_decrypt(key, nonce, sealed, "").has_value());
    BOOST_TEST(!aes256gcm_decrypt(key, nonce, sealed.substr(0, sealed.size() - 1), data).has_value());
    BOOST_TEST(!aes256gcm_decrypt(key, nonce, sealed.substr(0, 15), data).has_value());
    BOOST_TEST(!aes256gcm_decrypt(key, nonce, "", data).has_value());
}

BOOST_AUTO_TEST_CASE(aes256gcm_takes_only_a_32_byte_key_and_a_12_byte_nonce) {
    using socialauth::core::aes256gcm_encrypt;
    const std::string key(32, 'k');
    const std::string nonce(12, 'n');
    BOOST_TEST(aes256gcm_encrypt(key, nonce, "text", "").has_value());
    BOOST_TEST(!aes256gcm_encrypt(std::string(16, 'k'), nonce, "text", "").has_value());
    BOOST_TEST(!aes256gcm_encrypt(std::string(33, 'k'), nonce, "text", "").has_value());
    BOOST_TEST(!aes256gcm_encrypt(key, std::string(16, 'n'), "text", "").has_value());
    BOOST_TEST(!aes256gcm_encrypt(key, "", "text", "").has_value());
    const auto sealed = aes256gcm_encrypt(key, nonce, "text", "");
    BOOST_TEST(!socialauth::core::aes256gcm_decrypt(std::string(16, 'k'), nonce, *sealed, "").has_value());
}

// RFC 4648 §10 vectors, in the URL-safe alphabet without padding.
BOOST_AUTO_TEST_CASE(base64url_decode_inverts_the_encoding) {
    using socialauth::core::base64url_decode;
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"},
        {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, encoded] : vectors)
        BOOST_TEST(base64url_decode(encoded).value() == plain);
    std::string bytes;
    for (int i = 0; i < 300; ++i) {
        BOOST_TEST(base64url_decode(base64url_encode(bytes)).value() == bytes, i);
        bytes += static_cast<char>((i * 151 + 7) & 0xFF);
    }
    BOOST_TEST(base64url_decode("-_-_").value() == "\xfb\xff\xbf"s);
}

BOOST_AUTO_TEST_CASE(base64url_decode_takes_one_encoding_only) {
    using socialauth::core::base64url_decode;
    for (const char* bad : {"Zg==", "Zm8=", "Zg=", "+/+/", "Zm9v+A", "Zm9v/A", "Zm9v YmFy", " Zg",
                            "Zg\n", "Zm9v\r\n", "Z", "Zm9vY", "Zh", "Zm9", "Zm9vYh", "%41", "Zg.",
                            "\xc3\xa9"})
        BOOST_TEST(!base64url_decode(bad).has_value(), '"' << bad << '"');
    BOOST_TEST(!base64url_decode("Zg\0"s).has_value());
}

namespace {
// key_a's public half as its modulus and exponent bytes.
std::pair<std::string, std::string> key_a_public() {
    auto certs = socialauth::core::parse_json(
        socialauth::testing::read_test_file(socialauth::testing::jwt_data("certs.json")));
    BOOST_TEST_REQUIRE(certs.ok());
    const Json::Value& key = (*certs)["keys"][0];
    return {socialauth::core::base64url_decode(key["n"].asString()).value(),
            socialauth::core::base64url_decode(key["e"].asString()).value()};
}
} // namespace

BOOST_AUTO_TEST_CASE(rsa_sha256_verify_accepts_exactly_the_signed_bytes) {
    using socialauth::core::rsa_sha256_verify;
    const auto [n, e] = key_a_public();
    const std::string data = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0";
    const std::string signature =
        socialauth::testing::rsa_signature(socialauth::testing::jwt_data("key_a.pem"), data);
    BOOST_TEST(rsa_sha256_verify(n, e, data, signature));
    BOOST_TEST(!rsa_sha256_verify(n, e, data + " ", signature));
    BOOST_TEST(!rsa_sha256_verify(n, e, data.substr(1), signature));
    std::string flipped = signature;
    flipped[0] = static_cast<char>(flipped[0] ^ 0x01);
    BOOST_TEST(!rsa_sha256_verify(n, e, data, flipped));
    BOOST_TEST(!rsa_sha256_verify(n, e, data, signature.substr(1)));
    BOOST_TEST(!rsa_sha256_verify(n, e, data, "\0"s + signature));
    BOOST_TEST(!rsa_sha256_verify(n, e, data, ""));
    // The same bytes signed with SHA-512, or by another key, are no RS256 signature.
    BOOST_TEST(!rsa_sha256_verify(
        n, e, data,
        socialauth::testing::rsa_signature(socialauth::testing::jwt_data("key_a.pem"), data,
                                           EVP_sha512())));
    BOOST_TEST(!rsa_sha256_verify(
        n, e, data,
        socialauth::testing::rsa_signature(socialauth::testing::jwt_data("attacker.pem"), data)));
}

BOOST_AUTO_TEST_CASE(rsa_sha256_verify_refuses_keys_that_would_accept_forgeries) {
    using socialauth::core::rsa_sha256_verify;
    const auto [n, e] = key_a_public();
    const std::string data = "data";
    const std::string signature =
        socialauth::testing::rsa_signature(socialauth::testing::jwt_data("key_a.pem"), data);
    BOOST_TEST(!rsa_sha256_verify(n, "\x01"s, data, signature)); // e = 1: m^e = m
    BOOST_TEST(!rsa_sha256_verify(n, "\x02"s, data, signature));
    BOOST_TEST(!rsa_sha256_verify(n, "\x00"s, data, signature));
    BOOST_TEST(!rsa_sha256_verify(n, "", data, signature));
    BOOST_TEST(!rsa_sha256_verify("", e, data, signature));
    BOOST_TEST(!rsa_sha256_verify(std::string(256, '\0'), e, data, signature));
    BOOST_TEST(!rsa_sha256_verify(e, n, data, signature));
}

BOOST_AUTO_TEST_SUITE_END()
