// Provider access tokens at rest (SPEC §4.1 load_extra_data, issue 3): sealed with
// AES-256-GCM under users.provider_token_key, with a fresh 96-bit nonce from the random
// source for every seal, a 128-bit tag, and "<provider>:<uid>" of the identity as
// associated data, so a sealed token copied into another identity's row does not open.
// Provider names never hold a ':', so the associated data names one identity only.
//
// Encoding, versioned so that a later format can sit beside this one:
//   "v1:" + base64url(nonce[12] | ciphertext | tag[16]), RFC 4648 §5, no padding.
// README.md shows how PHP opens it with openssl_decrypt(..., 'aes-256-gcm', ...).
#pragma once

#include "core/random.hpp"
#include "core/result.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace socialauth::core {

inline constexpr std::string_view kSealedTokenPrefix = "v1:";

// "<provider>:<uid>", the associated data of a sealed token.
std::string sealed_token_associated_data(std::string_view provider, std::string_view uid);

// internal_error when the random source fails or the key is not 32 bytes.
Result<std::string> seal_provider_token(std::string_view key, RandomSource& random,
                                        std::string_view provider, std::string_view uid,
                                        std::string_view token);

// The token, or nullopt for anything that does not open under this key and identity:
// another format, bad base64url, too short, a changed byte, another key or identity.
std::optional<std::string> open_provider_token(std::string_view key, std::string_view provider,
                                               std::string_view uid, std::string_view sealed);

} // namespace socialauth::core
