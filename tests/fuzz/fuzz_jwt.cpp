// libFuzzer target: the ID token code of providers/jwt.hpp and providers/jwks.hpp.
// fuzz-requires: src/providers/jwt.hpp
//
// Three kinds of input, by their first line:
//   "signed:" then a header and claims (JSON text, separated by a "=====" line): the
//       target signs them RS256 with tests/data/jwt/key_a.pem, so parse_jwt and
//       verify_id_token run on fuzzed header and claims with a valid signature;
//   "jwks:" then a document for Jwks::parse;
//   anything else: a compact token for parse_jwt, then verify_id_token.
// Invariants: nothing crashes, leaks or hits UB; parse_jwt accepts only RS256 headers
// without key-bearing parameters; a token verify_id_token accepts satisfies the
// policy by an independent reading of its claims (issuer, audience, azp, exp, iat,
// nbf, sub); every refusal is invalid_token; Jwks::parse keeps only RSA keys of
// 2048-8192 bits with unique, non-empty kids.
#include "core/crypto.hpp"
#include "fuzz_support.hpp"
#include "providers/jwks.hpp"
#include "providers/jwt.hpp"

#include <json/value.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace socialauth;

namespace {

constexpr std::int64_t kNow = 1767222000; // 2025-12-31T23:00:00Z
constexpr std::int64_t kLeeway = 60;
const std::vector<std::string> kIssuers = {"accounts.google.com", "https://accounts.google.com"};
const std::vector<std::string> kAudiences = {"123.apps.googleusercontent.com",
                                             "456.apps.googleusercontent.com"};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// key_a.pem and its public half from certs.json (kid "test-key-a"), loaded once.
struct Keys {
    EVP_PKEY* private_key = nullptr;
    providers::RsaPublicKey public_key;

    Keys() {
        const std::string dir = std::string(SOCIALAUTH_TEST_DATA) + "/jwt/";
        const std::string pem = read_file(dir + "key_a.pem");
        BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
        private_key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        auto jwks = providers::Jwks::parse(read_file(dir + "certs.json"));
        if (!private_key || !jwks || !jwks->find("test-key-a"))
            throw std::runtime_error("fuzz_jwt: cannot load the test keys");
        public_key = *jwks->find("test-key-a");
    }
};

const Keys& keys() {
    static const Keys loaded;
    return loaded;
}

std::string sign(const std::string& input) {
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    std::size_t length = 0;
    std::string signature;
    if (EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, keys().private_key) == 1 &&
        EVP_DigestSign(context, nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()),
                       input.size()) == 1) {
        signature.resize(length);
        if (EVP_DigestSign(context, reinterpret_cast<unsigned char*>(signature.data()), &length,
                           reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
            signature.clear();
        signature.resize(length);
    }
    EVP_MD_CTX_free(context);
    if (signature.empty()) fuzz::fail("cannot sign");
    return signature;
}

bool is_ours(const Json::Value& value) {
    return value.isString() &&
           std::find(kAudiences.begin(), kAudiences.end(), value.asString()) != kAudiences.end();
}

// A JSON number as seconds, rounded down; nullopt for anything else.
std::optional<double> number(const Json::Value& value) {
    if (value.type() != Json::intValue && value.type() != Json::uintValue &&
        value.type() != Json::realValue)
        return std::nullopt;
    return std::floor(value.asDouble());
}

// What an accepted token must satisfy, read independently of jwt.cpp.
void check_accepted(const providers::Jwt& jwt) {
    const Json::Value& header = jwt.header;
    const Json::Value& claims = jwt.claims;
    fuzz::require(header.isObject() && claims.isObject(), "accepted a non-object");
    fuzz::require(header["alg"].isString() && header["alg"].asString() == "RS256", "accepted alg");
    for (const char* key : {"jku", "jwk", "x5u", "x5c", "crit"})
        fuzz::require(!header.isMember(key), "accepted a key-bearing header parameter", key);

    const Json::Value& iss = claims["iss"];
    fuzz::require(iss.isString() && std::find(kIssuers.begin(), kIssuers.end(), iss.asString()) !=
                                        kIssuers.end(),
                  "accepted issuer");
    const Json::Value& aud = claims["aud"];
    if (aud.isArray()) {
        fuzz::require(!aud.empty(), "accepted an empty audience list");
        for (const auto& one : aud) fuzz::require(is_ours(one), "accepted a foreign audience in a list");
        fuzz::require(claims.isMember("azp"), "accepted an audience list without azp");
    } else {
        fuzz::require(is_ours(aud), "accepted audience");
    }
    if (claims.isMember("azp")) fuzz::require(is_ours(claims["azp"]), "accepted azp");

    const auto exp = number(claims["exp"]);
    fuzz::require(exp && *exp >= double(kNow - kLeeway), "accepted exp");
    const auto iat = number(claims["iat"]);
    fuzz::require(iat && *iat <= double(kNow + kLeeway), "accepted iat");
    if (claims.isMember("nbf")) {
        const auto nbf = number(claims["nbf"]);
        fuzz::require(nbf && *nbf <= double(kNow + kLeeway), "accepted nbf");
    }
    const Json::Value& sub = claims["sub"];
    fuzz::require(sub.isString() && !sub.asString().empty() &&
                      sub.asString().size() <= providers::kMaxSubjectBytes,
                  "accepted sub");
}

void check_token(const std::string& token) {
    const auto jwt = providers::parse_jwt(token);
    if (!jwt) {
        fuzz::require(jwt.error().code == core::Errc::invalid_token, "parse_jwt error code",
                      core::errc_name(jwt.error().code));
        return;
    }
    fuzz::require(token.size() <= providers::kMaxJwtBytes, "parsed an oversized token");
    fuzz::require(!jwt->kid.empty(), "parsed a token without kid");
    fuzz::require(jwt->header["alg"].isString() && jwt->header["alg"].asString() == "RS256",
                  "parsed a token whose alg is not RS256");
    for (const char* key : {"jku", "jwk", "x5u", "x5c", "crit"})
        fuzz::require(!jwt->header.isMember(key), "parsed a key-bearing header parameter", key);
    fuzz::require(token.compare(0, jwt->signing_input.size(), jwt->signing_input) == 0,
                  "signing input is not the token's prefix");

    const providers::IdTokenPolicy policy{kIssuers, kAudiences, kNow, kLeeway};
    const auto verified = providers::verify_id_token(*jwt, keys().public_key, policy);
    if (verified) {
        check_accepted(*jwt);
    } else {
        fuzz::require(verified.error().code == core::Errc::invalid_token, "verify error code",
                      core::errc_name(verified.error().code));
        // parsed, so long and with two dots: no fixed wording of a detail looks like it
        fuzz::require(!fuzz::contains(verified.error().detail, token), "the token in the detail");
    }
}

void check_jwks(const std::string& document) {
    const auto jwks = providers::Jwks::parse(document);
    if (!jwks) {
        fuzz::require(jwks.error().code == core::Errc::provider_unavailable, "Jwks::parse error code",
                      core::errc_name(jwks.error().code));
        return;
    }
    fuzz::require(!jwks->keys().empty(), "a key set without keys");
    std::set<std::string> kids;
    for (const auto& key : jwks->keys()) {
        fuzz::require(!key.kid.empty(), "a key without kid");
        fuzz::require(kids.insert(key.kid).second, "two keys with one kid");
        fuzz::require(!key.modulus.empty() && key.modulus[0] != '\0', "modulus with a leading zero");
        const std::size_t bits = key.modulus.size() * 8;
        fuzz::require(bits > providers::Jwks::kMinModulusBits - 8 && bits <= providers::Jwks::kMaxModulusBits,
                      "modulus size out of range");
        fuzz::require(!key.exponent.empty(), "a key without exponent");
        fuzz::require(jwks->find(key.kid) == &key, "find() misses a key");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    static const std::string kSigned = "signed:\n";
    static const std::string kJwks = "jwks:\n";
    if (input.compare(0, kSigned.size(), kSigned) == 0) {
        const auto parts = fuzz::split_parts(input.substr(kSigned.size()));
        if (parts.size() != 2) return 0;
        const std::string signing_input = core::base64url_encode(parts[0]) + "." +
                                          core::base64url_encode(parts[1]);
        check_token(signing_input + "." + core::base64url_encode(sign(signing_input)));
    } else if (input.compare(0, kJwks.size(), kJwks) == 0) {
        check_jwks(input.substr(kJwks.size()));
    } else {
        check_token(input);
    }
    return 0;
}
