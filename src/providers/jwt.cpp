#include "providers/jwt.hpp"

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <cmath>

namespace socialauth::providers {
namespace {

constexpr std::size_t kMaxKidBytes = 256;
// 9999-12-31T23:59:59Z: no real token needs more, and the sums below can't overflow.
constexpr std::int64_t kMaxNumericDate = 253402300799;

// Header parameters that would take keys, certificates or processing rules from the
// token itself (RFC 7515 §4.1, RFC 7797, RFC 7516): never honoured, so refused.
constexpr std::string_view kRefusedHeaderParameters[] = {"jku", "jwk", "x5u", "x5c", "crit",
                                                         "b64", "zip", "enc", "cty"};

core::Error refused(std::string_view why) {
    return core::make_error(core::Errc::invalid_token, "ID token " + std::string(why));
}

const Json::Value* member(const Json::Value& object, std::string_view key) {
    return object.find(key.data(), key.data() + key.size());
}

core::Result<Json::Value> decode_object(std::string_view segment, std::string_view name) {
    const auto bytes = core::base64url_decode(segment);
    if (!bytes) return refused(std::string(name) + " is not strict base64url");
    auto json = core::parse_json(*bytes);
    if (!json) return refused(std::string(name) + " is not strict JSON");
    if (!json->isObject()) return refused(std::string(name) + " is not a JSON object");
    return std::move(json).value();
}

core::Status check_header(const Json::Value& header) {
    const Json::Value* alg = member(header, "alg");
    // Only RS256: "none", HS256 keyed with the public key and every other algorithm
    // are refused before any key is looked at.
    if (alg == nullptr || !alg->isString() || alg->asString() != "RS256")
        return refused("alg is not RS256");
    for (const auto parameter : kRefusedHeaderParameters)
        if (member(header, parameter) != nullptr)
            return refused("header has " + std::string(parameter));
    if (const Json::Value* typ = member(header, "typ"))
        if (!typ->isString() || core::ascii_lower(typ->asString()) != "jwt")
            return refused("typ is not JWT");
    const Json::Value* kid = member(header, "kid");
    if (kid == nullptr || !kid->isString() || kid->asString().empty() ||
        kid->asString().size() > kMaxKidBytes)
        return refused("has no usable kid");
    return {};
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

core::Status check_audience(const Json::Value& claims, const IdTokenPolicy& policy) {
    const Json::Value* azp = member(claims, "azp");
    if (azp != nullptr && (!azp->isString() || !contains(policy.audiences, azp->asString())))
        return refused("azp is not one of our client ids");
    const Json::Value* aud = member(claims, "aud");
    if (aud == nullptr) return refused("has no aud");
    if (aud->isString()) {
        if (!contains(policy.audiences, aud->asString()))
            return refused("aud is not one of our client ids");
        return {};
    }
    if (!aud->isArray() || aud->empty()) return refused("aud is neither a string nor a list");
    // OIDC Core §3.1.3.7: no audience we don't trust, and an authorized party named.
    for (const Json::Value& item : *aud)
        if (!item.isString() || !contains(policy.audiences, item.asString()))
            return refused("aud lists a client that is not ours");
    if (azp == nullptr) return refused("has several audiences but no azp");
    return {};
}

core::Status check_times(const Json::Value& claims, const IdTokenPolicy& policy) {
    const auto date = [&](std::string_view key) -> std::optional<std::int64_t> {
        const Json::Value* value = member(claims, key);
        return value == nullptr ? std::nullopt : numeric_date(*value);
    };
    const auto exp = date("exp");
    const auto iat = date("iat");
    if (!exp) return refused("has no numeric exp");
    if (!iat) return refused("has no numeric iat");
    if (*exp <= policy.now - policy.leeway_seconds) return refused("has expired");
    if (*iat > policy.now + policy.leeway_seconds) return refused("was issued in the future");
    if (member(claims, "nbf") != nullptr) {
        const auto nbf = date("nbf");
        if (!nbf) return refused("has a nbf that is not a number");
        if (*nbf > policy.now + policy.leeway_seconds) return refused("is not valid yet");
    }
    return {};
}

} // namespace

std::optional<std::int64_t> numeric_date(const Json::Value& value) {
    switch (value.type()) {
    case Json::intValue:
    case Json::uintValue:
        if (!value.isInt64()) return std::nullopt;
        if (value.asInt64() > kMaxNumericDate || value.asInt64() < -kMaxNumericDate)
            return std::nullopt;
        return value.asInt64();
    case Json::realValue: {
        const double number = value.asDouble();
        if (!std::isfinite(number) || std::fabs(number) > static_cast<double>(kMaxNumericDate))
            return std::nullopt;
        return static_cast<std::int64_t>(std::floor(number));
    }
    default: return std::nullopt;
    }
}

core::Result<Jwt> parse_jwt(std::string_view token) {
    if (token.size() > kMaxJwtBytes) return refused("is too long");
    const std::size_t first_dot = token.find('.');
    const std::size_t second_dot =
        first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
    if (second_dot == std::string_view::npos ||
        token.find('.', second_dot + 1) != std::string_view::npos)
        return refused("does not have three segments");
    const std::string_view header_part = token.substr(0, first_dot);
    const std::string_view payload_part = token.substr(first_dot + 1, second_dot - first_dot - 1);
    const std::string_view signature_part = token.substr(second_dot + 1);
    if (header_part.empty() || payload_part.empty() || signature_part.empty())
        return refused("has an empty segment");
    if (header_part.size() > kMaxJwtHeaderChars) return refused("header is too long");

    auto header = decode_object(header_part, "header");
    if (!header) return header.error();
    if (auto checked = check_header(*header); !checked) return checked.error();
    auto claims = decode_object(payload_part, "payload");
    if (!claims) return claims.error();
    auto signature = core::base64url_decode(signature_part);
    if (!signature) return refused("signature is not strict base64url");
    if (signature->size() > kMaxJwtSignatureBytes) return refused("signature is too long");

    Jwt jwt;
    jwt.kid = (*header)["kid"].asString();
    jwt.header = std::move(*header);
    jwt.claims = std::move(*claims);
    jwt.signing_input = std::string(token.substr(0, second_dot));
    jwt.signature = std::move(*signature);
    return jwt;
}

core::Status verify_id_token(const Jwt& jwt, const RsaPublicKey& key, const IdTokenPolicy& policy) {
    if (key.kid != jwt.kid) return refused("was checked against another key"); // a caller bug
    if (!core::rsa_sha256_verify(key.modulus, key.exponent, jwt.signing_input, jwt.signature))
        return refused("signature does not verify");

    const Json::Value& claims = jwt.claims;
    const Json::Value* iss = member(claims, "iss");
    if (iss == nullptr || !iss->isString() || !contains(policy.issuers, iss->asString()))
        return refused("iss is not an accepted issuer");
    if (auto audience = check_audience(claims, policy); !audience) return audience;
    if (auto times = check_times(claims, policy); !times) return times;
    const Json::Value* sub = member(claims, "sub");
    if (sub == nullptr || !sub->isString() || sub->asString().empty())
        return refused("has no sub: it identifies no user");
    if (sub->asString().size() > kMaxSubjectBytes) return refused("sub is too long");
    return {};
}

} // namespace socialauth::providers
