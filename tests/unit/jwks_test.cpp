// providers/jwks: which keys of a published key set may check an RS256 signature, and
// which documents are no usable key set at all.
#include "providers/jwks.hpp"

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "support/jwt_builder.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

namespace {

using namespace socialauth;
using testing::jwt_data;

template <typename T> std::string code_of(const core::Result<T>& result) {
    return result ? "ok" : std::string(core::errc_name(result.error().code));
}

// The key of certs.json as a JSON value, to vary member by member.
Json::Value key_a() {
    auto json = core::parse_json(testing::read_test_file(jwt_data("certs.json")));
    BOOST_TEST_REQUIRE(json.ok());
    return (*json)["keys"][0];
}

std::string set_of(std::initializer_list<Json::Value> keys) {
    Json::Value set(Json::objectValue);
    set["keys"] = Json::Value(Json::arrayValue);
    for (const auto& key : keys) set["keys"].append(key);
    return core::to_json(set);
}

std::size_t usable_keys(const std::string& document) {
    auto set = providers::Jwks::parse(document);
    return set ? set->keys().size() : 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(jwks)

BOOST_AUTO_TEST_CASE(reads_googles_certs_document) {
    auto set = providers::Jwks::parse(testing::read_test_file(jwt_data("certs_rotated.json")));
    BOOST_TEST_REQUIRE(code_of(set) == "ok");
    BOOST_TEST(set->keys().size() == 2u);
    const providers::RsaPublicKey* a = set->find("test-key-a");
    BOOST_TEST_REQUIRE(a != nullptr);
    BOOST_TEST(a->modulus.size() == 256u);
    BOOST_TEST(a->exponent == std::string("\x01\x00\x01", 3));
    BOOST_TEST(set->find("test-key-b") != nullptr);
    BOOST_TEST(set->find("test-key-c") == nullptr);
    BOOST_TEST(set->find("") == nullptr);
    BOOST_TEST(set->find("TEST-KEY-A") == nullptr);
}

BOOST_AUTO_TEST_CASE(takes_keys_without_the_optional_members) {
    Json::Value key = key_a();
    key.removeMember("use");
    key.removeMember("alg");
    BOOST_TEST(usable_keys(set_of({key})) == 1u);
    key["key_ops"] = Json::Value(Json::arrayValue);
    key["key_ops"].append("verify");
    BOOST_TEST(usable_keys(set_of({key})) == 1u);
}

BOOST_AUTO_TEST_CASE(drops_leading_zero_bytes_of_modulus_and_exponent) {
    auto plain = providers::Jwks::parse(set_of({key_a()}));
    BOOST_TEST_REQUIRE(plain.ok());
    Json::Value padded = key_a();
    padded["n"] = core::base64url_encode(std::string(1, '\0') + plain->keys()[0].modulus);
    padded["e"] = core::base64url_encode(std::string(2, '\0') + plain->keys()[0].exponent);
    auto set = providers::Jwks::parse(set_of({padded}));
    BOOST_TEST_REQUIRE(code_of(set) == "ok");
    BOOST_TEST(set->keys()[0].modulus == plain->keys()[0].modulus);
    BOOST_TEST(set->keys()[0].exponent == plain->keys()[0].exponent);
}

BOOST_AUTO_TEST_CASE(skips_keys_that_are_not_for_rs256_signatures) {
    Json::Value ec = key_a();
    ec["kty"] = "EC";
    ec["kid"] = "ec";
    Json::Value encryption = key_a();
    encryption["use"] = "enc";
    encryption["kid"] = "enc";
    Json::Value rs512 = key_a();
    rs512["alg"] = "RS512";
    rs512["kid"] = "rs512";
    Json::Value hs256 = key_a();
    hs256["alg"] = "HS256";
    hs256["kid"] = "hs256";
    Json::Value sign_only = key_a();
    sign_only["key_ops"] = Json::Value(Json::arrayValue);
    sign_only["key_ops"].append("sign");
    sign_only["kid"] = "sign-only";
    Json::Value oct(Json::objectValue);
    oct["kty"] = "oct";
    oct["kid"] = "oct";
    oct["k"] = "c2VjcmV0";
    auto set =
        providers::Jwks::parse(set_of({ec, encryption, rs512, hs256, sign_only, oct, key_a()}));
    BOOST_TEST_REQUIRE(code_of(set) == "ok");
    BOOST_TEST(set->keys().size() == 1u);
    BOOST_TEST(set->keys().front().kid == "test-key-a");
}

BOOST_AUTO_TEST_CASE(skips_malformed_keys_and_keeps_the_others) {
    std::vector<Json::Value> bad;
    const auto variant = [&](const auto& change) {
        Json::Value key = key_a();
        key["kid"] = "bad-" + std::to_string(bad.size());
        change(key);
        bad.push_back(key);
    };
    variant([](Json::Value& key) { key.removeMember("kid"); });
    variant([](Json::Value& key) { key["kid"] = ""; });
    variant([](Json::Value& key) { key["kid"] = 5; });
    variant([](Json::Value& key) { key.removeMember("n"); });
    variant([](Json::Value& key) { key["n"] = key["n"].asString() + "="; });
    variant([](Json::Value& key) { key["e"] = "AQAB="; });
    variant([](Json::Value& key) { key["e"] = "AQ"; });   // e = 1
    variant([](Json::Value& key) { key["n"] = "AQAB"; }); // far too small
    variant([](Json::Value& key) { key["kty"] = "rsa"; });
    variant([](Json::Value& key) { key["use"] = Json::Value(); });
    variant([](Json::Value& key) { key["key_ops"] = "verify"; });
    for (std::size_t i = 0; i < bad.size(); ++i) {
        BOOST_TEST(usable_keys(set_of({bad[i], key_a()})) == 1u, i);
        BOOST_TEST(code_of(providers::Jwks::parse(set_of({bad[i]}))) == "provider_unavailable", i);
    }
}

BOOST_AUTO_TEST_CASE(skips_keys_smaller_than_2048_bits) {
    BOOST_TEST(code_of(providers::Jwks::parse(testing::read_test_file(
                   jwt_data("certs_small_key.json")))) == "provider_unavailable");
}

BOOST_AUTO_TEST_CASE(uses_neither_key_of_a_kid_published_twice) {
    auto b = providers::Jwks::parse(testing::read_test_file(jwt_data("certs_next.json")));
    BOOST_TEST_REQUIRE(b.ok());
    Json::Value impostor = key_a();
    impostor["n"] = core::base64url_encode(b->keys().front().modulus);
    auto set = providers::Jwks::parse(set_of({key_a(), impostor}));
    BOOST_TEST(code_of(set) == "provider_unavailable");
    Json::Value other = key_a();
    other["kid"] = "other";
    set = providers::Jwks::parse(set_of({key_a(), impostor, other}));
    BOOST_TEST_REQUIRE(code_of(set) == "ok");
    BOOST_TEST(set->find("test-key-a") == nullptr);
    BOOST_TEST(set->find("other") != nullptr);
}

BOOST_AUTO_TEST_CASE(refuses_documents_that_are_no_key_set) {
    for (const char* document :
         {"", "not json", "[]", "{}", "{\"keys\": {}}", "{\"keys\": []}", "{\"keys\": [1, \"x\"]}",
          "{\"keys\": []} trailing", "{\"keys\": [], \"keys\": []}", "<html>moved</html>"})
        BOOST_TEST(code_of(providers::Jwks::parse(document)) == "provider_unavailable", document);
}

BOOST_AUTO_TEST_SUITE_END()
