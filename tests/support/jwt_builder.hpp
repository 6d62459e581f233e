// Makes ID tokens for unit tests the way Google would, and the ways an attacker would:
// a header and claims as JSON values (or raw text, for malformed ones), signed with a
// private key of tests/data/jwt (RS256 or RS512), with an HMAC key (HS256), or not at
// all. The keys there have matching public halves in tests/data/jwt/certs*.json:
//   key_a.pem       kid "test-key-a"   in certs.json, certs_rotated.json
//   key_b.pem       kid "test-key-b"   in certs_rotated.json, certs_next.json
//   attacker.pem    published nowhere
//   small_1024.pem  kid "test-key-small", 1024 bits, in certs_small_key.json
#pragma once

#include "core/crypto.hpp"
#include "core/json.hpp"

#include <json/value.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>

namespace socialauth::testing {

inline std::string jwt_data(const std::string& name) {
    return std::string(SOCIALAUTH_TEST_DATA) + "/jwt/" + name;
}

inline std::string read_test_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read test data " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A signature over input with the PEM private key in file, by digest (EVP_sha256(),
// EVP_sha512()): RSASSA-PKCS1-v1_5 for RSA keys.
inline std::string rsa_signature(const std::string& file, const std::string& input,
                                 const EVP_MD* digest = EVP_sha256()) {
    const std::string pem = read_test_file(file);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
    if (!key || !context ||
        EVP_DigestSignInit(context.get(), nullptr, digest, nullptr, key.get()) != 1)
        throw std::runtime_error("cannot sign with " + file);
    std::size_t length = 0;
    const auto* data = reinterpret_cast<const unsigned char*>(input.data());
    if (EVP_DigestSign(context.get(), nullptr, &length, data, input.size()) != 1)
        throw std::runtime_error("cannot sign with " + file);
    std::string signature(length, '\0');
    if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                       data, input.size()) != 1)
        throw std::runtime_error("cannot sign with " + file);
    signature.resize(length);
    return signature;
}

inline std::string hmac_sha256_signature(const std::string& key, const std::string& input) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest, &length);
    return std::string(reinterpret_cast<const char*>(digest), length);
}

class JwtBuilder {
public:
    static constexpr const char* kClientId = "123.apps.googleusercontent.com";
    static constexpr const char* kOtherClientId = "456.apps.googleusercontent.com";
    static constexpr const char* kSub = "110169484474386276334";

    // A token Google could have issued at now for kClientId, signed by key_a.
    explicit JwtBuilder(std::int64_t now) {
        header["alg"] = "RS256";
        header["kid"] = "test-key-a";
        header["typ"] = "JWT";
        claims["iss"] = "https://accounts.google.com";
        claims["azp"] = kClientId;
        claims["aud"] = kClientId;
        claims["sub"] = kSub;
        claims["email"] = "jane@example.com";
        claims["email_verified"] = true;
        claims["at_hash"] = "HK6E_P6Dh8Y93mRNtsDB1Q";
        claims["name"] = "Jane Doe";
        claims["given_name"] = "Jane";
        claims["family_name"] = "Doe";
        claims["iat"] = Json::Int64(now - 10);
        claims["exp"] = Json::Int64(now + 3590);
    }

    std::string header_text() const { return raw_header ? *raw_header : core::to_json(header); }
    std::string claims_text() const { return raw_claims ? *raw_claims : core::to_json(claims); }

    std::string signing_input() const {
        return core::base64url_encode(header_text()) + "." + core::base64url_encode(claims_text());
    }

    // Signed with key_file (RS256 unless digest says otherwise).
    std::string sign(const std::string& key_file = jwt_data("key_a.pem"),
                     const EVP_MD* digest = EVP_sha256()) const {
        const std::string input = signing_input();
        return input + "." + core::base64url_encode(rsa_signature(key_file, input, digest));
    }

    std::string sign_hs256(const std::string& key) const {
        const std::string input = signing_input();
        return input + "." + core::base64url_encode(hmac_sha256_signature(key, input));
    }

    std::string unsigned_token() const { return signing_input() + "."; }

    Json::Value header{Json::objectValue};
    Json::Value claims{Json::objectValue};
    // Sent instead of the JSON values when set, for malformed tokens.
    std::optional<std::string> raw_header;
    std::optional<std::string> raw_claims;
};

} // namespace socialauth::testing
