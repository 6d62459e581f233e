// Hashing, HMAC, encodings, comparison and signature checks, over OpenSSL. Nothing here
// logs its input.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace socialauth::core {

std::string sha256_hex(std::string_view data);
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// Compares without an early exit, so the time taken does not tell where they differ.
bool constant_time_equals(std::string_view a, std::string_view b) noexcept;

// RFC 4648 §5 alphabet, no padding.
std::string base64url_encode(std::string_view data);

// The strict inverse of base64url_encode: only the URL-safe alphabet, no padding, no
// white space, and the unused low bits of the last character zero, so every byte string
// has exactly one accepted encoding. nullopt for anything else.
std::optional<std::string> base64url_decode(std::string_view text);

// RSASSA-PKCS1-v1_5 with SHA-256 (JWS "RS256") over data, with the public key given by
// its big-endian modulus and exponent bytes (a JWK's decoded n and e). False for a bad
// signature, a signature whose length is not the modulus length, or an unusable key.
bool rsa_sha256_verify(std::string_view modulus, std::string_view exponent, std::string_view data,
                       std::string_view signature);

// AES-256-GCM (NIST SP 800-38D) with a 96-bit nonce and a 128-bit tag. A nonce must
// never repeat under one key: take it from a CSPRNG. Encryption answers the
// ciphertext followed by the tag, or nullopt when the key is not 32 bytes, the nonce
// not 12, or OpenSSL fails.
inline constexpr std::size_t kAesGcmKeyBytes = 32;
inline constexpr std::size_t kAesGcmNonceBytes = 12;
inline constexpr std::size_t kAesGcmTagBytes = 16;
std::optional<std::string> aes256gcm_encrypt(std::string_view key, std::string_view nonce,
                                             std::string_view plaintext,
                                             std::string_view associated_data);
// The plaintext of ciphertext-and-tag, or nullopt when the tag does not verify (wrong
// key, nonce or associated data, or any bit changed) or the sizes are wrong.
std::optional<std::string> aes256gcm_decrypt(std::string_view key, std::string_view nonce,
                                             std::string_view ciphertext_and_tag,
                                             std::string_view associated_data);

} // namespace socialauth::core
