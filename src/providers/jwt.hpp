// OpenID Connect ID tokens: JSON Web Tokens (RFC 7519) in JWS compact form (RFC 7515)
// signed with RS256, as Google issues them. Pure functions without I/O, so the parser can
// be fuzzed on its own; the keys come from the caller (see JwksCache).
//
// parse_jwt() accepts only what an RS256 ID token can be: at most kMaxJwtBytes; exactly
// three non-empty segments of strict base64url (no padding, no '+' or '/', one encoding
// per byte string); a header and a payload that are strict JSON objects (no duplicate
// keys, no trailing garbage); a header whose alg is exactly "RS256" (never "none", never
// an HMAC, nothing else), whose kid is a non-empty string, whose typ is absent or "JWT",
// and that has none of the parameters that would take a key, a certificate or
// processing rules from the token itself: jku, jwk, x5u, x5c, crit, b64, zip, enc, cty.
//
// verify_id_token() checks the signature with the key the caller looked up by the
// token's kid, then the claims of OIDC Core §3.1.3.7 against a policy:
//   iss  a string, exactly one of the policy's issuers;
//   aud  a string that is one of the policy's audiences (our client ids), or an array
//        of strings of which every one is ours and then azp must be present;
//   azp  when present, a string that is one of ours;
//   exp  a JSON number, after now - leeway;     iat  a JSON number, before now + leeway;
//   nbf  when present, a JSON number before now + leeway;
//   sub  a non-empty string of at most kMaxSubjectBytes.
// Every refusal is Errc::invalid_token with a detail that names the reason and never
// any part of the token.
#pragma once

#include "core/result.hpp"
#include "providers/jwks.hpp"

#include <json/value.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace socialauth::providers {

inline constexpr std::size_t kMaxJwtBytes = 16384;
inline constexpr std::size_t kMaxJwtHeaderChars = 2048;    // encoded
inline constexpr std::size_t kMaxJwtSignatureBytes = 1024; // decoded: RSA up to 8192 bits
inline constexpr std::size_t kMaxSubjectBytes = 255;       // OIDC Core §2, our uid column

struct Jwt {
    Json::Value header; // an object
    Json::Value claims; // an object
    std::string kid;
    std::string signing_input; // "<header>.<payload>" as it was sent, what was signed
    std::string signature;     // decoded
};

core::Result<Jwt> parse_jwt(std::string_view token);

struct IdTokenPolicy {
    std::vector<std::string> issuers;
    std::vector<std::string> audiences; // our client ids
    std::int64_t now = 0;               // unix seconds
    std::int64_t leeway_seconds = 0;    // allowed clock skew
};

core::Status verify_id_token(const Jwt& jwt, const RsaPublicKey& key, const IdTokenPolicy& policy);

// A NumericDate claim (RFC 7519 §2): a JSON number, fractions cut off towards negative
// infinity; nullopt for anything else, and for numbers beyond year 9999 either way.
std::optional<std::int64_t> numeric_date(const Json::Value& value);

} // namespace socialauth::providers
