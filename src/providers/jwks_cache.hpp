// The signing keys published at one JWKS URL (taken from config, never from a token or
// a request), kept at three levels: a parsed copy in this process, so that a warm
// FastCGI worker checks an ID token without any I/O; the document in CacheStorage (the
// database), shared with every other process, CGI ones included; and the URL itself.
//
// A key set is used until the expiry that the max-age of its reply's Cache-Control
// gave (cache_lifetime). An expired set is never used, not even when the URL can't be
// reached: then the answer is Errc::provider_unavailable, never an accept, so a key the
// provider withdrew stops working within max-age. A kid the current set lacks (the
// provider rotated its keys) makes the set be fetched again, but at most once per
// refetch interval: not when the set is younger than that, and not when any process
// tried within it (the attempt is recorded in the storage). Two processes that find
// no record at the same moment may both fetch; the window still bounds what tokens
// with made-up kids can cause. A kid that stays unknown is Errc::invalid_token.
//
// A storage that can't be read fails the lookup with its error (a database that is
// down is a 503 anyway); a storage that can't be written only costs later fetches.
#pragma once

#include "core/clock.hpp"
#include "core/result.hpp"
#include "http/http_client.hpp"
#include "providers/cache_storage.hpp"
#include "providers/jwks.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace socialauth::providers {

// How long a fetched key set is used, from its reply's Cache-Control header: max-age
// within [kMinJwksLifetime, kMaxJwksLifetime]; no-store or no-cache count as max-age 0;
// a missing, malformed or repeated max-age gives kDefaultJwksLifetime. The floor keeps
// a provider that forbids caching from costing one fetch per login.
inline constexpr std::chrono::seconds kMinJwksLifetime{60};
inline constexpr std::chrono::seconds kDefaultJwksLifetime{3600};
inline constexpr std::chrono::seconds kMaxJwksLifetime{86400};
std::chrono::seconds cache_lifetime(std::string_view cache_control);

class JwksCache {
public:
    // where names the source in error details, e.g. "google-oauth2 jwks". http, storage
    // and clock must outlive the cache.
    JwksCache(std::string where, std::string url, std::chrono::seconds refetch_interval,
              http::HttpClient& http, CacheStorage& storage, const core::Clock& clock);

    // The usable key with this kid; see above.
    core::Result<RsaPublicKey> key(const std::string& kid);

    // The storage keys of the set and of the record of the last refetch for this URL.
    const std::string& set_key() const noexcept { return set_key_; }
    const std::string& refetch_key() const noexcept { return refetch_key_; }

private:
    struct KeySet {
        Jwks keys;
        core::TimePoint fetched_at;
        core::TimePoint expires_at;
    };

    core::Status ensure_current(core::TimePoint now);
    core::Result<std::optional<KeySet>> stored_set(core::TimePoint now);
    core::Status fetch(core::TimePoint now);
    core::Result<bool> may_refetch(core::TimePoint now);

    const std::string where_;
    const std::string url_;
    const std::chrono::seconds refetch_interval_;
    const std::string set_key_;
    const std::string refetch_key_;
    http::HttpClient& http_;
    CacheStorage& storage_;
    const core::Clock& clock_;

    std::optional<KeySet> current_;
    std::optional<core::TimePoint> last_refetch_;
};

} // namespace socialauth::providers
