// A JSON Web Key Set (RFC 7517) as a provider publishes its ID token signing keys,
// reduced to the keys that can check an RS256 signature. A key is kept when its kty is
// "RSA", its use absent or "sig", its alg absent or "RS256", its key_ops absent or
// listing "verify", its kid a non-empty string, its n a strict base64url modulus of 2048
// to 8192 bits and its e a strict base64url exponent; every other key (EC keys,
// encryption keys, keys for other algorithms, malformed entries) is skipped, so one odd
// key never locks out the others. A kid that two usable keys share is ambiguous and
// neither is used. The document must be strict JSON (core::parse_json) with a "keys"
// array and at least one usable key, else Errc::provider_unavailable: the provider's
// answer is unusable. Pure: no I/O.
#pragma once

#include "core/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace socialauth::providers {

struct RsaPublicKey {
    std::string kid;
    std::string modulus;  // big-endian bytes, no leading zero byte
    std::string exponent; // big-endian bytes, no leading zero byte
};

class Jwks {
public:
    static constexpr std::size_t kMinModulusBits = 2048;
    static constexpr std::size_t kMaxModulusBits = 8192;

    static core::Result<Jwks> parse(const std::string& document);

    // nullptr when no usable key has this kid.
    const RsaPublicKey* find(std::string_view kid) const;
    const std::vector<RsaPublicKey>& keys() const noexcept { return keys_; }

private:
    std::vector<RsaPublicKey> keys_;
};

} // namespace socialauth::providers
