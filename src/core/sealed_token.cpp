#include "core/sealed_token.hpp"

#include "core/crypto.hpp"

namespace socialauth::core {

std::string sealed_token_associated_data(std::string_view provider, std::string_view uid) {
    std::string data(provider);
    data += ':';
    data += uid;
    return data;
}

Result<std::string> seal_provider_token(std::string_view key, RandomSource& random,
                                        std::string_view provider, std::string_view uid,
                                        std::string_view token) {
    if (key.size() != kAesGcmKeyBytes)
        return make_error(Errc::internal_error, "provider token key is not 32 bytes");
    auto nonce = random.bytes(kAesGcmNonceBytes);
    if (!nonce) return nonce.error();
    if (nonce->size() != kAesGcmNonceBytes)
        return make_error(Errc::internal_error, "random source gave a nonce of the wrong size");
    auto sealed =
        aes256gcm_encrypt(key, *nonce, token, sealed_token_associated_data(provider, uid));
    if (!sealed) return make_error(Errc::internal_error, "AES-256-GCM encryption failed");
    return std::string(kSealedTokenPrefix) + base64url_encode(*nonce + *sealed);
}

std::optional<std::string> open_provider_token(std::string_view key, std::string_view provider,
                                               std::string_view uid, std::string_view sealed) {
    if (sealed.substr(0, kSealedTokenPrefix.size()) != kSealedTokenPrefix) return std::nullopt;
    const auto raw = base64url_decode(sealed.substr(kSealedTokenPrefix.size()));
    if (!raw || raw->size() < kAesGcmNonceBytes + kAesGcmTagBytes) return std::nullopt;
    const std::string_view bytes(*raw);
    return aes256gcm_decrypt(key, bytes.substr(0, kAesGcmNonceBytes),
                             bytes.substr(kAesGcmNonceBytes),
                             sealed_token_associated_data(provider, uid));
}

} // namespace socialauth::core
