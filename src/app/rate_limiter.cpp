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
    const std::int64_t now = core::to_unix_seconds(clock_.now());
    std::vector<store::RateLimitHit> hits;
    for (const auto& [bucket, limit] :
         {std::pair<std::string, const core::RateLimit&>{
              "exchange:ip:" + client_address_group(remote_addr), config_.exchange_per_ip},
          std::pair<std::string, const core::RateLimit&>{"exchange:backend:" + backend,
                                                          config_.exchange_per_backend}}) {
        if (limit.requests <= 0) continue;
        const std::int64_t window = limit.window_seconds;
        // Floor division, so that a clock before 1970 still lands in the right window.
        const std::int64_t start = now / window * window - (now % window < 0 ? window : 0);
        hits.push_back({bucket, window, core::from_unix_seconds(start), limit.requests});
    }
    if (hits.empty()) return {};

    core::Result<std::optional<std::size_t>> refused = core::make_error(core::Errc::internal_error);
    for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
        refused = store_.hit_rate_limits(hits);
        if (refused || refused.error().code != core::Errc::retry) break;
    }
    if (!refused) {
        core::Error error = refused.error();
        error.detail = "rate limit " + hits.front().bucket + ": " + error.detail;
        return error;
    }
    if (!*refused) return {};
    const store::RateLimitHit& full = hits[**refused];
    core::Error error = core::make_error(core::Errc::rate_limited,
                                         full.bucket + " over " + std::to_string(full.limit) +
                                             " per " + std::to_string(full.window_seconds) + " s");
    error.retry_after_seconds =
        core::to_unix_seconds(full.window_start) + full.window_seconds - now;
    return error;
}

} // namespace socialauth::app
