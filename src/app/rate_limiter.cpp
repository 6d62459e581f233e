#include "app/rate_limiter.hpp"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>

namespace socialauth::app {
namespace {

// Deadlocks between concurrent counters are rare and retried at once.
constexpr int kMaxAttempts = 3;

std::string ipv6_prefix_64(const unsigned char (&address)[16]) {
    char text[INET6_ADDRSTRLEN];
    unsigned char prefix[16] = {};
    std::memcpy(prefix, address, 8);
    if (inet_ntop(AF_INET6, prefix, text, sizeof text) == nullptr) return "unknown";
    return std::string(text) + "/64";
}

} // namespace

std::string client_address_group(const std::string& remote_addr) {
    // inet_pton reads up to a NUL; whatever follows one must not be ignored.
    if (remote_addr.find('\0') != std::string::npos) return "unknown";
    unsigned char address[16];
    if (inet_pton(AF_INET, remote_addr.c_str(), address) == 1) {
        char text[INET_ADDRSTRLEN];
        if (inet_ntop(AF_INET, address, text, sizeof text) != nullptr) return text;
    } else if (inet_pton(AF_INET6, remote_addr.c_str(), address) == 1) {
        static const unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
        if (std::memcmp(address, kMappedPrefix, sizeof kMappedPrefix) == 0) {
            char text[INET_ADDRSTRLEN];
            if (inet_ntop(AF_INET, address + 12, text, sizeof text) != nullptr) return text;
        }
        return ipv6_prefix_64(address);
    }
    return "unknown";
}

core::Status RateLimiter::admit_exchange(const std::string& remote_addr,
                                         const std::string& backend) {
    if (auto status = hit("exchange:ip:" + client_address_group(remote_addr),
                          config_.exchange_per_ip);
        !status)
        return status;
    return hit("exchange:backend:" + backend, config_.exchange_per_backend);
}

core::Status RateLimiter::hit(const std::string& bucket, const core::RateLimit& limit) {
    if (limit.requests <= 0) return {};
    const std::int64_t now = core::to_unix_seconds(clock_.now());
    const std::int64_t window = limit.window_seconds;
    // Floor division, so that a clock before 1970 still lands in the right window.
    const std::int64_t start = now / window * window - (now % window < 0 ? window : 0);
    core::Result<bool> counted = core::make_error(core::Errc::internal_error);
    for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
        counted = store_.hit_rate_limit(bucket, window, core::from_unix_seconds(start),
                                        limit.requests);
        if (counted || counted.error().code != core::Errc::retry) break;
    }
    if (!counted) {
        core::Error error = counted.error();
        error.detail = "rate limit " + bucket + ": " + error.detail;
        return error;
    }
    if (*counted) return {};
    core::Error refused = core::make_error(core::Errc::rate_limited,
                                           bucket + " over " + std::to_string(limit.requests) +
                                               " per " + std::to_string(window) + " s");
    refused.retry_after_seconds = start + window - now;
    return refused;
}

} // namespace socialauth::app
