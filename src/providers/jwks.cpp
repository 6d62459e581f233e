#include "providers/jwks.hpp"

#include "core/crypto.hpp"
#include "core/json.hpp"

#include <algorithm>
#include <map>
#include <optional>

namespace socialauth::providers {
namespace {

constexpr std::size_t kMaxKidBytes = 256;
constexpr std::size_t kMaxExponentBytes = 8;

const Json::Value* member(const Json::Value& object, std::string_view key) {
    return object.find(key.data(), key.data() + key.size());
}

// A member that is a string, else nullopt (absent, null or another type).
std::optional<std::string> string_member(const Json::Value& object, std::string_view key) {
    const Json::Value* value = member(object, key);
    if (value == nullptr || !value->isString()) return std::nullopt;
    return value->asString();
}

bool has_member(const Json::Value& object, std::string_view key) {
    return member(object, key) != nullptr;
}

void strip_leading_zeros(std::string& big_endian) {
    big_endian.erase(0, std::min(big_endian.find_first_not_of('\0'), big_endian.size()));
}

std::size_t bit_length(const std::string& big_endian) {
    std::size_t first = 0;
    while (first < big_endian.size() && big_endian[first] == '\0') ++first;
    if (first == big_endian.size()) return 0;
    auto top = static_cast<unsigned char>(big_endian[first]);
    std::size_t bits = (big_endian.size() - first - 1) * 8;
    while (top != 0) {
        ++bits;
        top = static_cast<unsigned char>(top >> 1);
    }
    return bits;
}

// The key when it is usable for RS256 signature checks, else nullopt.
std::optional<RsaPublicKey> usable_key(const Json::Value& jwk) {
    if (!jwk.isObject()) return std::nullopt;
    if (string_member(jwk, "kty") != "RSA") return std::nullopt;
    if (has_member(jwk, "use") && string_member(jwk, "use") != "sig") return std::nullopt;
    if (has_member(jwk, "alg") && string_member(jwk, "alg") != "RS256") return std::nullopt;
    if (const Json::Value* key_ops = member(jwk, "key_ops")) {
        const Json::Value& ops = *key_ops;
        if (!ops.isArray() || std::none_of(ops.begin(), ops.end(), [](const Json::Value& op) {
                return op.isString() && op.asString() == "verify";
            }))
            return std::nullopt;
    }
    const auto kid = string_member(jwk, "kid");
    if (!kid || kid->empty() || kid->size() > kMaxKidBytes) return std::nullopt;
    const auto n = string_member(jwk, "n");
    const auto e = string_member(jwk, "e");
    if (!n || !e) return std::nullopt;
    auto modulus = core::base64url_decode(*n);
    auto exponent = core::base64url_decode(*e);
    if (!modulus || !exponent) return std::nullopt;
    // RFC 7518 §6.3.1 wants the shortest form; a leading zero some publishers add
    // changes no number, so it goes, and equal keys have equal bytes.
    strip_leading_zeros(*modulus);
    strip_leading_zeros(*exponent);
    const std::size_t bits = bit_length(*modulus);
    if (bits < Jwks::kMinModulusBits || bits > Jwks::kMaxModulusBits) return std::nullopt;
    if (bit_length(*exponent) < 2 || exponent->size() > kMaxExponentBytes) return std::nullopt;
    return RsaPublicKey{*kid, std::move(*modulus), std::move(*exponent)};
}

core::Error unusable(const std::string& why) {
    return core::make_error(core::Errc::provider_unavailable, "JWKS " + why);
}

} // namespace

core::Result<Jwks> Jwks::parse(const std::string& document) {
    auto json = core::parse_json(document);
    if (!json) return unusable("is not JSON: " + json.error().public_message);
    if (!json->isObject()) return unusable("is not a JSON object");
    const Json::Value* keys = member(*json, "keys");
    if (keys == nullptr || !keys->isArray()) return unusable("has no keys array");

    std::map<std::string, int> kid_count;
    std::vector<RsaPublicKey> candidates;
    for (const Json::Value& jwk : *keys) {
        if (auto key = usable_key(jwk)) {
            ++kid_count[key->kid];
            candidates.push_back(std::move(*key));
        }
    }
    Jwks set;
    for (auto& key : candidates)
        if (kid_count[key.kid] == 1) set.keys_.push_back(std::move(key));
    if (set.keys_.empty()) return unusable("has no usable RS256 key");
    return set;
}

const RsaPublicKey* Jwks::find(std::string_view kid) const {
    for (const auto& key : keys_)
        if (key.kid == kid) return &key;
    return nullptr;
}

} // namespace socialauth::providers
