#include "core/crypto.hpp"
#include "core/random.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <algorithm>
#include <memory>

namespace socialauth::core {
namespace {

std::string to_hex(const unsigned char* data, std::size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string out(n * 2, '0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 0x0F];
    }
    return out;
}

// -1 for a character outside RFC 4648 §5's alphabet.
int base64url_value(char c) noexcept {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

// RAII owners for the OpenSSL objects of a signature check.
struct OpenSslFree {
    void operator()(BIGNUM* p) const noexcept { BN_free(p); }
    void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
    void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
    void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
    void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
template <typename T> using OpenSslPtr = std::unique_ptr<T, OpenSslFree>;

OpenSslPtr<BIGNUM> big_number(std::string_view bytes) {
    return OpenSslPtr<BIGNUM>(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                                        static_cast<int>(bytes.size()), nullptr));
}

// An RSA public key from its modulus and exponent; nullptr when they can't be one. An
// exponent of 1 or an even one would let anyone make "signatures", so only odd
// exponents from 3 up and a modulus larger than the exponent are taken.
OpenSslPtr<EVP_PKEY> rsa_public_key(std::string_view modulus, std::string_view exponent) {
    constexpr std::size_t kMaxBytes = 2048; // 16384-bit keys at most
    if (modulus.empty() || exponent.empty() || modulus.size() > kMaxBytes ||
        exponent.size() > kMaxBytes)
        return nullptr;
    const auto n = big_number(modulus);
    const auto e = big_number(exponent);
    if (!n || !e || !BN_is_odd(n.get()) || !BN_is_odd(e.get()) || BN_is_one(e.get()) ||
        BN_ucmp(n.get(), e.get()) <= 0)
        return nullptr;
    const OpenSslPtr<OSSL_PARAM_BLD> builder(OSSL_PARAM_BLD_new());
    if (!builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
        OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
        return nullptr;
    const OpenSslPtr<OSSL_PARAM> params(OSSL_PARAM_BLD_to_param(builder.get()));
    const OpenSslPtr<EVP_PKEY_CTX> context(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1) return nullptr;
    EVP_PKEY* key = nullptr;
    if (EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
        return nullptr;
    return OpenSslPtr<EVP_PKEY>(key);
}

} // namespace

std::string sha256_hex(std::string_view data) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
    return to_hex(digest, sizeof digest);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
    return to_hex(digest, length);
}

bool constant_time_equals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string base64url_encode(std::string_view data) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(data[k]); };
    for (; i + 3 <= data.size(); i += 3) {
        const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (data.size() - i == 1) {
        const unsigned v = byte(i) << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
    } else if (data.size() - i == 2) {
        const unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
    }
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    // One character left over holds only 6 bits: never a whole byte.
    if (text.size() % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(text.size() / 4 * 3 + 2);
    unsigned buffer = 0;
    int bits = 0;
    for (const char c : text) {
        const int value = base64url_value(c);
        if (value < 0) return std::nullopt;
        buffer = (buffer << 6) | static_cast<unsigned>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFFu);
            buffer &= (1u << bits) - 1;
        }
    }
    if (buffer != 0) return std::nullopt; // leftover bits must be zero: one encoding only
    return out;
}

namespace {

bool rsa_sha256_check(std::string_view modulus, std::string_view exponent, std::string_view data,
                      std::string_view signature) {
    const auto key = rsa_public_key(modulus, exponent);
    if (!key) return false;
    // PKCS #1 v1.5 signatures are exactly as long as the modulus.
    if (EVP_PKEY_get_size(key.get()) <= 0 ||
        signature.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key.get())))
        return false;
    const OpenSslPtr<EVP_MD_CTX> context(EVP_MD_CTX_new());
    EVP_PKEY_CTX* key_context = nullptr; // owned by context
    if (!context ||
        EVP_DigestVerifyInit(context.get(), &key_context, EVP_sha256(), nullptr, key.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(key_context, RSA_PKCS1_PADDING) != 1)
        return false;
    return EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                            data.size()) == 1;
}

} // namespace

bool rsa_sha256_verify(std::string_view modulus, std::string_view exponent, std::string_view data,
                       std::string_view signature) {
    const bool valid = rsa_sha256_check(modulus, exponent, data, signature);
    // A refusal leaves entries on OpenSSL's per-thread error queue; later users of
    // OpenSSL (libcurl's TLS) must not find them there.
    ERR_clear_error();
    return valid;
}

namespace {

struct CipherContextFree {
    void operator()(EVP_CIPHER_CTX* p) const noexcept { EVP_CIPHER_CTX_free(p); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree>;

const unsigned char* bytes_of(std::string_view text) {
    return reinterpret_cast<const unsigned char*>(text.data());
}

// Runs one AES-256-GCM pass; on decryption `tag` is checked, on encryption written.
bool aes256gcm(bool encrypt, std::string_view key, std::string_view nonce, std::string_view input,
               std::string_view associated_data, std::string& output, unsigned char* tag) {
    if (key.size() != kAesGcmKeyBytes || nonce.size() != kAesGcmNonceBytes) return false;
    const int direction = encrypt ? 1 : 0;
    const CipherContext context(EVP_CIPHER_CTX_new());
    int length = 0;
    // The nonce length is GCM's default of 12 bytes, so no EVP_CTRL_GCM_SET_IVLEN.
    if (!context ||
        EVP_CipherInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, bytes_of(key),
                          bytes_of(nonce), direction) != 1 ||
        (!associated_data.empty() &&
         EVP_CipherUpdate(context.get(), nullptr, &length, bytes_of(associated_data),
                          static_cast<int>(associated_data.size())) != 1))
        return false;
    output.assign(input.size(), '\0');
    auto* out = reinterpret_cast<unsigned char*>(output.data());
    if (!input.empty() && EVP_CipherUpdate(context.get(), out, &length, bytes_of(input),
                                           static_cast<int>(input.size())) != 1)
        return false;
    if (!encrypt && EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG,
                                        static_cast<int>(kAesGcmTagBytes), tag) != 1)
        return false;
    int final_length = 0;
    // For decryption this is where the tag is checked.
    if (EVP_CipherFinal_ex(context.get(), out + length, &final_length) != 1) return false;
    return !encrypt || EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG,
                                           static_cast<int>(kAesGcmTagBytes), tag) == 1;
}

} // namespace

std::optional<std::string> aes256gcm_encrypt(std::string_view key, std::string_view nonce,
                                             std::string_view plaintext,
                                             std::string_view associated_data) {
    std::string sealed;
    unsigned char tag[kAesGcmTagBytes];
    const bool ok = aes256gcm(true, key, nonce, plaintext, associated_data, sealed, tag);
    ERR_clear_error();
    if (!ok) return std::nullopt;
    sealed.append(reinterpret_cast<const char*>(tag), sizeof tag);
    return sealed;
}

std::optional<std::string> aes256gcm_decrypt(std::string_view key, std::string_view nonce,
                                             std::string_view ciphertext_and_tag,
                                             std::string_view associated_data) {
    if (ciphertext_and_tag.size() < kAesGcmTagBytes) return std::nullopt;
    const std::string_view ciphertext =
        ciphertext_and_tag.substr(0, ciphertext_and_tag.size() - kAesGcmTagBytes);
    unsigned char tag[kAesGcmTagBytes];
    std::copy(ciphertext_and_tag.end() - kAesGcmTagBytes, ciphertext_and_tag.end(), tag);
    std::string plaintext;
    const bool ok = aes256gcm(false, key, nonce, ciphertext, associated_data, plaintext, tag);
    // As after a refused signature: leave OpenSSL's error queue clean for libcurl.
    ERR_clear_error();
    if (!ok) {
        OPENSSL_cleanse(plaintext.data(), plaintext.size());
        return std::nullopt;
    }
    return plaintext;
}

Result<std::string> OpenSslRandom::bytes(std::size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
        return make_error(Errc::internal_error, "RAND_bytes failed");
    return out;
}

} // namespace socialauth::core
