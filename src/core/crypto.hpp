// Hashing, HMAC, encodings and comparison, over OpenSSL. Nothing here logs its input.
#pragma once

#include <string>
#include <string_view>

namespace socialauth::core {

std::string sha256_hex(std::string_view data);
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// Compares without an early exit, so the time taken does not tell where they differ.
bool constant_time_equals(std::string_view a, std::string_view b) noexcept;

// RFC 4648 §5 alphabet, no padding.
std::string base64url_encode(std::string_view data);

} // namespace socialauth::core
