// providers/jwt: the ID token parser and checker, against every forgery of the issue's
// list that needs no network: alg none, HMAC keyed with the public key, other
// algorithms, a real kid with another key's signature, key-taking header parameters,
// crit, audience, authorized party, issuer, time and subject tricks, and malformed
// tokens (size, segments, base64url, JSON).
#include "providers/jwt.hpp"

#include "support/jwt_builder.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace {

using namespace socialauth;
using testing::jwt_data;
using testing::JwtBuilder;

constexpr std::int64_t kNow = 1767225600; // 2026-01-01T00:00:00Z
constexpr std::int64_t kLeeway = 60;

template <typename T> std::string code_of(const core::Result<T>& result) {
    return result ? "ok" : std::string(core::errc_name(result.error().code));
}

providers::Jwks certs(const std::string& file = "certs.json") {
    auto set = providers::Jwks::parse(testing::read_test_file(jwt_data(file)));
    BOOST_TEST_REQUIRE(set.ok());
    return std::move(set).value();
}

struct JwtFixture {
    JwtFixture() : token(kNow), keys(certs()) {
        policy.issuers = {"accounts.google.com", "https://accounts.google.com"};
        policy.audiences = {JwtBuilder::kClientId, JwtBuilder::kOtherClientId};
        policy.now = kNow;
        policy.leeway_seconds = kLeeway;
    }

    // parse_jwt, then verify_id_token with the key the kid names: "ok" or the error code.
    std::string check(const std::string& jwt) {
        auto parsed = providers::parse_jwt(jwt);
        if (!parsed) {
            last_detail = parsed.error().detail;
            return code_of(parsed);
        }
        const providers::RsaPublicKey* key = keys.find(parsed->kid);
        if (key == nullptr) return "unknown kid";
        const auto verified = providers::verify_id_token(*parsed, *key, policy);
        last_detail = verified ? "" : verified.error().detail;
        return verified ? "ok" : std::string(core::errc_name(verified.error().code));
    }

    std::string check() { return check(token.sign()); }

    JwtBuilder token;
    providers::Jwks keys;
    providers::IdTokenPolicy policy;
    std::string last_detail;
};

std::string replace_segment(const std::string& jwt, int index, const std::string& segment) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const std::size_t dot = jwt.find('.', start);
        parts.push_back(jwt.substr(start, dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    parts.at(static_cast<std::size_t>(index)) = segment;
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "." : "") + parts[i];
    return out;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(jwt, JwtFixture)

// ---- what Google issues ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(accepts_a_token_google_could_have_issued) {
    const std::string jwt = token.sign();
    auto parsed = providers::parse_jwt(jwt);
    BOOST_TEST_REQUIRE(code_of(parsed) == "ok");
    BOOST_TEST(parsed->kid == "test-key-a");
    BOOST_TEST(parsed->claims["sub"].asString() == JwtBuilder::kSub);
    BOOST_TEST(parsed->signing_input == jwt.substr(0, jwt.rfind('.')));
    BOOST_TEST(parsed->signature.size() == 256u);
    BOOST_TEST(check(jwt) == "ok");
}

BOOST_AUTO_TEST_CASE(accepts_both_forms_of_googles_issuer) {
    for (const char* iss : {"accounts.google.com", "https://accounts.google.com"}) {
        token.claims["iss"] = iss;
        BOOST_TEST(check() == "ok", iss);
    }
}

BOOST_AUTO_TEST_CASE(accepts_a_token_without_typ_or_with_lower_case_typ) {
    token.header.removeMember("typ");
    BOOST_TEST(check() == "ok");
    token.header["typ"] = "jwt";
    BOOST_TEST(check() == "ok");
}

BOOST_AUTO_TEST_CASE(accepts_a_token_issued_to_any_of_our_client_ids) {
    token.claims["aud"] = JwtBuilder::kOtherClientId;
    token.claims["azp"] = JwtBuilder::kClientId; // e.g. an Android client asking for the web one
    BOOST_TEST(check() == "ok");
    token.claims.removeMember("azp");
    BOOST_TEST(check() == "ok");
}

// ---- algorithms -----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(refuses_alg_none_in_any_spelling) {
    for (const char* alg : {"none", "None", "NONE", "nOnE"}) {
        token.header["alg"] = alg;
        BOOST_TEST(check(token.unsigned_token()) == "invalid_token", alg);
        // ... and with a signature segment, which "none" would make meaningless.
        BOOST_TEST(check(token.sign()) == "invalid_token", alg);
    }
}

BOOST_AUTO_TEST_CASE(refuses_hs256_keyed_with_the_public_key) {
    // The classic confusion: a verifier that feeds its RSA public key to HMAC.
    const providers::RsaPublicKey& key = *keys.find("test-key-a");
    token.header["alg"] = "HS256";
    for (const std::string& hmac_key :
         {key.modulus, testing::read_test_file(jwt_data("certs.json")), key.modulus + key.exponent,
          core::base64url_encode(key.modulus)})
        BOOST_TEST(check(token.sign_hs256(hmac_key)) == "invalid_token");
    BOOST_TEST(last_detail.find("alg") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_every_other_algorithm_even_when_genuinely_signed) {
    token.header["alg"] = "RS512";
    BOOST_TEST(check(token.sign(jwt_data("key_a.pem"), EVP_sha512())) == "invalid_token");
    for (const char* alg : {"RS384", "PS256", "ES256", "ES256K", "EdDSA", "HS384", "HS512", "rs256",
                            "RS256 ", " RS256", "RS2560", ""}) {
        token.header["alg"] = alg;
        BOOST_TEST(check(token.sign()) == "invalid_token", '"' << alg << '"');
    }
    token.header["alg"] = Json::Value(Json::arrayValue);
    token.header["alg"].append("RS256");
    BOOST_TEST(check(token.sign()) == "invalid_token");
    token.header.removeMember("alg");
    BOOST_TEST(check(token.sign()) == "invalid_token");
}

// ---- keys and signatures --------------------------------------------------------

BOOST_AUTO_TEST_CASE(refuses_a_token_signed_by_another_key_under_a_real_kid) {
    BOOST_TEST(check(token.sign(jwt_data("attacker.pem"))) == "invalid_token");
    BOOST_TEST(last_detail.find("signature") != std::string::npos);
    BOOST_TEST(check(token.sign(jwt_data("key_b.pem"))) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(refuses_a_payload_changed_after_signing) {
    const std::string genuine = token.sign();
    token.claims["email"] = "admin@example.com";
    const std::string forged_payload = core::base64url_encode(token.claims_text());
    BOOST_TEST(check(replace_segment(genuine, 1, forged_payload)) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(refuses_a_header_changed_after_signing) {
    const std::string genuine = token.sign();
    token.header["typ"] = "JWT ";
    token.header.removeMember("typ");
    token.header["extra"] = 1;
    BOOST_TEST(check(replace_segment(genuine, 0, core::base64url_encode(token.header_text()))) ==
               "invalid_token");
}

BOOST_AUTO_TEST_CASE(refuses_a_signature_cut_short_extended_or_flipped) {
    const std::string genuine = token.sign();
    const auto signature = *core::base64url_decode(genuine.substr(genuine.rfind('.') + 1));
    std::string flipped = signature;
    flipped[100] = static_cast<char>(flipped[100] ^ 1);
    for (const std::string& bad :
         {signature.substr(1), signature + std::string(1, '\0'), std::string(1, '\0') + signature,
          flipped, std::string(256, '\0'), std::string(1, '\x01')})
        BOOST_TEST(check(replace_segment(genuine, 2, core::base64url_encode(bad))) ==
                   "invalid_token");
}

BOOST_AUTO_TEST_CASE(refuses_header_parameters_that_would_bring_their_own_key) {
    for (const char* parameter : {"jku", "x5u", "jwk", "x5c", "crit", "b64", "zip", "enc", "cty"}) {
        JwtBuilder evil(kNow);
        evil.header[parameter] = "https://attacker.example/keys.json";
        if (std::string(parameter) == "jwk") {
            evil.header[parameter] = Json::Value(Json::objectValue);
            evil.header[parameter]["kty"] = "RSA";
        }
        if (std::string(parameter) == "crit") {
            evil.header[parameter] = Json::Value(Json::arrayValue);
            evil.header[parameter].append("exp");
        }
        BOOST_TEST(check(evil.sign()) == "invalid_token", parameter);
        BOOST_TEST(last_detail.find(parameter) != std::string::npos, parameter);
        // Even null counts as present: the parameter is never honoured.
        evil.header[parameter] = Json::Value();
        BOOST_TEST(check(evil.sign()) == "invalid_token", parameter);
    }
}

BOOST_AUTO_TEST_CASE(refuses_a_missing_empty_or_odd_kid) {
    token.header.removeMember("kid");
    BOOST_TEST(check() == "invalid_token");
    token.header["kid"] = "";
    BOOST_TEST(check() == "invalid_token");
    token.header["kid"] = 7;
    BOOST_TEST(check() == "invalid_token");
    token.header["kid"] = std::string(257, 'k');
    BOOST_TEST(check() == "invalid_token");
}

BOOST_AUTO_TEST_CASE(refuses_typ_other_than_jwt) {
    for (const char* typ : {"at+jwt", "JWS", "JOSE", "", "JWT "}) {
        token.header["typ"] = typ;
        BOOST_TEST(check() == "invalid_token", typ);
    }
}

BOOST_AUTO_TEST_CASE(checks_the_signature_only_with_the_key_the_kid_names) {
    auto parsed = providers::parse_jwt(token.sign());
    BOOST_TEST_REQUIRE(parsed.ok());
    const providers::Jwks rotated = certs("certs_rotated.json");
    BOOST_TEST(code_of(providers::verify_id_token(*parsed, *rotated.find("test-key-b"), policy)) ==
               "invalid_token");
}

// ---- audience and authorized party ----------------------------------------------

BOOST_AUTO_TEST_CASE(refuses_a_token_for_another_client) {
    token.claims["aud"] = "999.apps.googleusercontent.com";
    token.claims.removeMember("azp");
    BOOST_TEST(check() == "invalid_token");
    // A client id that merely contains ours, or differs in case, is another client.
    for (const std::string& aud :
         {std::string(JwtBuilder::kClientId) + " ", std::string("x") + JwtBuilder::kClientId,
          std::string("123.APPS.googleusercontent.com"), std::string("")}) {
        token.claims["aud"] = aud;
        BOOST_TEST(check() == "invalid_token", aud);
    }
}

BOOST_AUTO_TEST_CASE(refuses_a_token_without_aud_or_with_aud_of_another_type) {
    token.claims.removeMember("aud");
    BOOST_TEST(check() == "invalid_token");
    token.claims["aud"] = 123;
    BOOST_TEST(check() == "invalid_token");
    token.claims["aud"] = Json::Value(Json::objectValue);
    BOOST_TEST(check() == "invalid_token");
    token.claims["aud"] = Json::Value();
    BOOST_TEST(check() == "invalid_token");
    token.claims["aud"] = Json::Value(Json::arrayValue);
    BOOST_TEST(check() == "invalid_token");
}

BOOST_AUTO_TEST_CASE(refuses_an_audience_list_with_a_client_that_is_not_ours) {
    Json::Value aud(Json::arrayValue);
    aud.append("999.apps.googleusercontent.com");
    aud.append(JwtBuilder::kClientId);
    token.claims["aud"] = aud;
    BOOST_TEST(check() == "invalid_token");
    aud = Json::Value(Json::arrayValue);
    aud.append(JwtBuilder::kClientId);
    aud.append(7);
    token.claims["aud"] = aud;
    BOOST_TEST(check() == "invalid_token");
}

BOOST_AUTO_TEST_CASE(accepts_an_audience_list_of_ours_only_with_an_azp_of_ours) {
    Json::Value aud(Json::arrayValue);
    aud.append(JwtBuilder::kClientId);
    aud.append(JwtBuilder::kOtherClientId);
    token.claims["aud"] = aud;
    BOOST_TEST(check() == "ok");
    token.claims.removeMember("azp");
    BOOST_TEST(check() == "invalid_token");
}

BOOST_AUTO_TEST_CASE(refuses_an_authorized_party_that_is_not_ours) {
    token.claims["azp"] = "999.apps.googleusercontent.com";
    BOOST_TEST(check() == "invalid_token");
    token.claims["azp"] = "";
    BOOST_TEST(check() == "invalid_token");
    token.claims["azp"] = Json::Value();
    BOOST_TEST(check() == "invalid_token");
    token.claims["azp"] = 123;
    BOOST_TEST(check() == "invalid_token");
}

// ---- issuer -----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(refuses_every_issuer_that_is_not_exactly_googles) {
    for (const char* iss :
         {"https://accounts.google.com/", "accounts.google.com.evil", "http://accounts.google.com",
          "https://accounts.google.com.evil.example", "https://evil.example.com",
          "ACCOUNTS.GOOGLE.COM", "https://accounts.google.com ", " accounts.google.com", ""}) {
        token.claims["iss"] = iss;
        BOOST_TEST(check() == "invalid_token", '"' << iss << '"');
    }
    token.claims["iss"] = Json::Value(Json::arrayValue);
    token.claims["iss"].append("accounts.google.com");
    BOOST_TEST(check() == "invalid_token");
    token.claims.removeMember("iss");
    BOOST_TEST(check() == "invalid_token");
}

// ---- times --------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(refuses_an_expired_token_beyond_the_leeway) {
    token.claims["exp"] = Json::Int64(kNow - kLeeway);
    BOOST_TEST(check() == "invalid_token");
    token.claims["exp"] = Json::Int64(kNow - 3600);
    token.claims["iat"] = Json::Int64(kNow - 7200);
    BOOST_TEST(check() == "invalid_token");
    BOOST_TEST(last_detail.find("expired") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(accepts_a_token_that_expired_within_the_leeway) {
    token.claims["exp"] = Json::Int64(kNow - kLeeway + 1);
    BOOST_TEST(check() == "ok");
    policy.leeway_seconds = 0;
    BOOST_TEST(check() == "invalid_token");
    token.claims["exp"] = Json::Int64(kNow);
    BOOST_TEST(check() == "invalid_token");
    token.claims["exp"] = Json::Int64(kNow + 1);
    BOOST_TEST(check() == "ok");
}

BOOST_AUTO_TEST_CASE(refuses_a_token_issued_in_the_future_beyond_the_leeway) {
    token.claims["iat"] = Json::Int64(kNow + kLeeway + 1);
    BOOST_TEST(check() == "invalid_token");
    token.claims["iat"] = Json::Int64(kNow + kLeeway);
    BOOST_TEST(check() == "ok");
}

BOOST_AUTO_TEST_CASE(refuses_a_token_not_valid_yet) {
    token.claims["nbf"] = Json::Int64(kNow + kLeeway + 1);
    BOOST_TEST(check() == "invalid_token");
    token.claims["nbf"] = Json::Int64(kNow + kLeeway);
    BOOST_TEST(check() == "ok");
    token.claims["nbf"] = "0";
    BOOST_TEST(check() == "invalid_token");
    token.claims["nbf"] = Json::Value();
    BOOST_TEST(check() == "invalid_token");
}

BOOST_AUTO_TEST_CASE(refuses_times_that_are_missing_or_not_json_numbers) {
    for (const char* claim : {"exp", "iat"}) {
        JwtBuilder odd(kNow);
        odd.claims.removeMember(claim);
        BOOST_TEST(check(odd.sign()) == "invalid_token", claim);
        for (const Json::Value& value :
             {Json::Value(std::to_string(kNow + 100)), Json::Value(true), Json::Value(),
              Json::Value(Json::arrayValue), Json::Value(1e300), Json::Value(-1e300)}) {
            odd.claims[claim] = value;
            BOOST_TEST(check(odd.sign()) == "invalid_token",
                       claim << " = " << core::to_json(value));
        }
    }
}

BOOST_AUTO_TEST_CASE(accepts_fractional_times) {
    token.claims["exp"] = static_cast<double>(kNow + 100) + 0.5;
    token.claims["iat"] = static_cast<double>(kNow) - 0.25;
    BOOST_TEST(check() == "ok");
}

BOOST_AUTO_TEST_CASE(reads_numeric_dates_strictly) {
    using providers::numeric_date;
    BOOST_TEST(numeric_date(Json::Value(Json::Int64(kNow))).value() == kNow);
    BOOST_TEST(numeric_date(Json::Value(Json::UInt64(kNow))).value() == kNow);
    BOOST_TEST(numeric_date(Json::Value(1.9)).value() == 1);
    BOOST_TEST(numeric_date(Json::Value(-1.5)).value() == -2);
    BOOST_TEST(numeric_date(Json::Value(Json::Int64(253402300799))).value() == 253402300799);
    BOOST_TEST(!numeric_date(Json::Value(Json::Int64(253402300800))));
    BOOST_TEST(!numeric_date(Json::Value(Json::UInt64(18446744073709551615ULL))));
    BOOST_TEST(!numeric_date(Json::Value("1767225600")));
    BOOST_TEST(!numeric_date(Json::Value(false)));
    BOOST_TEST(!numeric_date(Json::Value()));
}

// ---- subject --------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(refuses_a_token_that_names_no_user) {
    token.claims.removeMember("sub");
    BOOST_TEST(check() == "invalid_token");
    token.claims["sub"] = "";
    BOOST_TEST(check() == "invalid_token");
    token.claims["sub"] = Json::Value();
    BOOST_TEST(check() == "invalid_token");
    token.claims["sub"] = 110169484474386276334.0;
    BOOST_TEST(check() == "invalid_token");
}

BOOST_AUTO_TEST_CASE(takes_a_subject_of_up_to_255_bytes) {
    token.claims["sub"] = std::string(255, '1');
    BOOST_TEST(check() == "ok");
    token.claims["sub"] = std::string(256, '1');
    BOOST_TEST(check() == "invalid_token");
}

// ---- malformed tokens -----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(refuses_a_huge_token_before_decoding_it) {
    token.claims["padding"] = std::string(providers::kMaxJwtBytes, 'x');
    BOOST_TEST(check() == "invalid_token");
    BOOST_TEST(last_detail.find("too long") != std::string::npos);
    BOOST_TEST(code_of(providers::parse_jwt(std::string(10 * 1024 * 1024, 'A'))) ==
               "invalid_token");
}

BOOST_AUTO_TEST_CASE(refuses_a_huge_header_or_signature) {
    token.header["x"] = std::string(2000, 'x');
    BOOST_TEST(check() == "invalid_token");
    const std::string genuine = JwtBuilder(kNow).sign();
    BOOST_TEST(check(replace_segment(genuine, 2, core::base64url_encode(std::string(1025, 'x')))) ==
               "invalid_token");
}

BOOST_AUTO_TEST_CASE(refuses_anything_but_three_non_empty_segments) {
    const std::string genuine = token.sign();
    const std::string head = genuine.substr(0, genuine.find('.'));
    for (const std::string& bad :
         {std::string(""), std::string("."), std::string(".."), std::string("..."), head,
          genuine.substr(0, genuine.rfind('.')), genuine + ".", genuine + "." + head,
          genuine + ".." + head, "." + genuine, head + ".." + head, replace_segment(genuine, 1, ""),
          replace_segment(genuine, 0, "")})
        BOOST_TEST(code_of(providers::parse_jwt(bad)) == "invalid_token", '"' << bad.size() << '"');
}

BOOST_AUTO_TEST_CASE(refuses_anything_but_strict_base64url) {
    const std::string genuine = token.sign();
    const std::string header = genuine.substr(0, genuine.find('.'));
    std::string standard_alphabet = genuine;
    for (char& c : standard_alphabet) c = c == '-' ? '+' : c == '_' ? '/' : c;
    const std::vector<std::string> bad = {
        replace_segment(genuine, 0, header + "="),
        replace_segment(genuine, 0, header + "=="),
        replace_segment(genuine, 0, " " + header),
        replace_segment(genuine, 0, header.substr(0, 4) + "\n" + header.substr(4)),
        replace_segment(genuine, 0, header.substr(0, 4) + "%" + header.substr(4)),
        replace_segment(genuine, 2, genuine.substr(genuine.rfind('.') + 1) + "A"),
        replace_segment(genuine, 1, "e30+"),
        replace_segment(genuine, 1, "e30/"),
    };
    for (std::size_t i = 0; i < bad.size(); ++i) BOOST_TEST(check(bad[i]) == "invalid_token", i);
    if (standard_alphabet != genuine)
        BOOST_TEST(code_of(providers::parse_jwt(standard_alphabet)) == "invalid_token");
    // "e30" is "{}"; "e31" decodes to the same bytes with a stray low bit set.
    JwtBuilder empty(kNow);
    empty.raw_claims = "{}";
    const std::string canonical = empty.sign();
    BOOST_TEST(canonical.find(".e30.") != std::string::npos);
    BOOST_TEST(code_of(providers::parse_jwt(replace_segment(canonical, 1, "e31"))) ==
               "invalid_token");
}

BOOST_AUTO_TEST_CASE(refuses_a_header_or_payload_that_is_not_a_strict_json_object) {
    for (const char* raw :
         {"not json", "[]", "\"RS256\"", "{\"alg\":\"RS256\",\"kid\":\"test-key-a\"} x",
          "{\"alg\":\"RS256\",\"kid\":\"test-key-a\",}",
          "{\"alg\":\"none\",\"alg\":\"RS256\",\"kid\":\"test-key-a\"}",
          "{\"alg\":\"RS256\",\"kid\":\"test-key-a\" /* c */}"}) {
        JwtBuilder odd(kNow);
        odd.raw_header = raw;
        BOOST_TEST(check(odd.sign()) == "invalid_token", raw);
    }
    for (const char* raw : {"not json", "[]", "null", "42", "{\"sub\":\"1\",\"sub\":\"2\"}",
                            "{\"iss\":\"https://accounts.google.com\"} trailing"}) {
        JwtBuilder odd(kNow);
        odd.raw_claims = raw;
        BOOST_TEST(check(odd.sign()) == "invalid_token", raw);
    }
}

BOOST_AUTO_TEST_CASE(refuses_duplicate_claims_even_when_signed) {
    // Two parsers could read two different subjects from one signed payload.
    token.raw_claims = "{\"iss\":\"https://accounts.google.com\",\"aud\":\"" +
                       std::string(JwtBuilder::kClientId) +
                       "\",\"sub\":\"1\",\"sub\":\"2\",\"iat\":" + std::to_string(kNow) +
                       ",\"exp\":" + std::to_string(kNow + 100) + "}";
    BOOST_TEST(check() == "invalid_token");
}

BOOST_AUTO_TEST_CASE(never_puts_token_content_in_an_error_detail) {
    token.claims["sub"] = "";
    token.claims["iss"] = "https://SECRET-ISSUER.example";
    token.claims["email"] = "SECRET@example.com";
    const std::string jwt = token.sign();
    BOOST_TEST(check(jwt) == "invalid_token");
    for (const std::string& secret :
         {std::string("SECRET"), jwt.substr(0, 20), jwt.substr(jwt.rfind('.') + 1, 20)})
        BOOST_TEST(last_detail.find(secret) == std::string::npos, last_detail);
    token.header["alg"] = "SECRET-ALG";
    BOOST_TEST(check(token.sign()) == "invalid_token");
    BOOST_TEST(last_detail.find("SECRET") == std::string::npos, last_detail);
}

BOOST_AUTO_TEST_SUITE_END()
