// Where providers keep small documents (a JWKS, a throttle mark) between requests and
// across processes, so that short-lived CGI processes share what one of them fetched.
// Production keeps them in the database (app::StoreCacheStorage over the Store); tests
// keep them in memory. Entries are returned whether or not they have expired: the
// caller decides with its own clock. Errors are the store's (service_unavailable and
// the like).
#pragma once

#include "core/clock.hpp"
#include "core/result.hpp"

#include <optional>
#include <string>

namespace socialauth::providers {

struct CachedDocument {
    std::string value;
    core::TimePoint fetched_at; // whole seconds
    core::TimePoint expires_at; // whole seconds
};

class CacheStorage {
public:
    virtual ~CacheStorage() = default;
    // key: at most 191 bytes, compared byte for byte.
    virtual core::Result<std::optional<CachedDocument>> load(const std::string& key) = 0;
    // Replaces any entry under key.
    virtual core::Status save(const std::string& key, const CachedDocument& document) = 0;
};

} // namespace socialauth::providers
