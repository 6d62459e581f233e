#include "providers/jwks_cache.hpp"

#include "core/crypto.hpp"
#include "core/text.hpp"
#include "providers/provider_reply.hpp"

#include <algorithm>
#include <cstdint>

namespace socialauth::providers {
namespace {

core::TimePoint whole_seconds(core::TimePoint t) {
    return core::from_unix_seconds(core::to_unix_seconds(t));
}

bool all_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::chrono::seconds cache_lifetime(std::string_view cache_control) {
    std::optional<std::int64_t> max_age;
    bool malformed = false;
    std::size_t start = 0;
    while (start <= cache_control.size()) {
        std::size_t comma = cache_control.find(',', start);
        if (comma == std::string_view::npos) comma = cache_control.size();
        const std::string directive =
            core::ascii_lower(core::trim(cache_control.substr(start, comma - start)));
        start = comma + 1;
        const std::size_t equals = directive.find('=');
        const std::string name = core::trim(directive.substr(0, equals));
        if (name == "no-store" || name == "no-cache") return kMinJwksLifetime;
        if (name != "max-age") continue;
        const std::string value =
            equals == std::string::npos ? std::string() : core::trim(directive.substr(equals + 1));
        // Ten digits are years beyond any cap; longer ones could overflow.
        if (max_age || !all_digits(value) || value.size() > 10) {
            malformed = true;
            continue;
        }
        max_age = std::stoll(value);
    }
    if (malformed || !max_age) return kDefaultJwksLifetime;
    return std::clamp(std::chrono::seconds(*max_age), kMinJwksLifetime, kMaxJwksLifetime);
}

JwksCache::JwksCache(std::string where, std::string url, std::chrono::seconds refetch_interval,
                     http::HttpClient& http, CacheStorage& storage, const core::Clock& clock)
    : where_(std::move(where)), url_(std::move(url)), refetch_interval_(refetch_interval),
      // Keyed by the URL, so that a set fetched from another URL (before a config
      // change) is never taken for this one's.
      set_key_("jwks:" + core::sha256_hex(url_)),
      refetch_key_("jwks-refetch:" + core::sha256_hex(url_)), http_(http), storage_(storage),
      clock_(clock) {}

core::Result<RsaPublicKey> JwksCache::key(const std::string& kid) {
    const core::TimePoint now = whole_seconds(clock_.now());
    if (auto current = ensure_current(now); !current) return current.error();
    if (const RsaPublicKey* found = current_->keys.find(kid)) return *found;

    // Another process may have fetched a newer set since this one was loaded.
    auto stored = stored_set(now);
    if (!stored) return stored.error();
    if (*stored && (*stored)->fetched_at > current_->fetched_at) {
        current_ = std::move(*stored);
        if (const RsaPublicKey* found = current_->keys.find(kid)) return *found;
    }

    auto allowed = may_refetch(now);
    if (!allowed) return allowed.error();
    if (!*allowed) return token_rejected(where_, "unknown kid (refetch throttled)");
    if (auto fetched = fetch(now); !fetched) return fetched.error();
    if (const RsaPublicKey* found = current_->keys.find(kid)) return *found;
    return token_rejected(where_, "unknown kid");
}

core::Status JwksCache::ensure_current(core::TimePoint now) {
    if (current_ && now < current_->expires_at) return {};
    auto stored = stored_set(now);
    if (!stored) return stored.error();
    if (*stored) {
        current_ = std::move(*stored);
        return {};
    }
    return fetch(now);
}

core::Result<std::optional<JwksCache::KeySet>> JwksCache::stored_set(core::TimePoint now) {
    auto entry = storage_.load(set_key_);
    if (!entry) return transport_error(where_ + " cache", entry.error());
    if (!*entry || now >= (*entry)->expires_at) return std::optional<KeySet>();
    auto keys = Jwks::parse((*entry)->value);
    // A stored document that no longer parses is as good as none: it gets replaced.
    if (!keys) return std::optional<KeySet>();
    return std::optional<KeySet>(
        KeySet{std::move(*keys), (*entry)->fetched_at, (*entry)->expires_at});
}

core::Status JwksCache::fetch(core::TimePoint now) {
    http::HttpRequest request;
    request.url = url_;
    request.headers = {{"Accept", "application/json"}};
    auto reply = http_.send(request);
    if (!reply) return transport_error(where_, reply.error());
    // Any status but 200 is the key server's trouble, never a verdict on the token.
    if (reply->status != 200)
        return provider_trouble(where_, "answered HTTP " + std::to_string(reply->status));
    auto keys = Jwks::parse(reply->body);
    if (!keys) return provider_trouble(where_, keys.error().detail);

    const core::TimePoint expires_at = now + cache_lifetime(reply->cache_control);
    (void)storage_.save(set_key_, CachedDocument{reply->body, now, expires_at});
    current_ = KeySet{std::move(*keys), now, expires_at};
    return {};
}

core::Result<bool> JwksCache::may_refetch(core::TimePoint now) {
    if (now - current_->fetched_at < refetch_interval_) return false;
    if (last_refetch_ && now - *last_refetch_ < refetch_interval_) return false;
    auto mark = storage_.load(refetch_key_);
    if (!mark) return transport_error(where_ + " cache", mark.error());
    if (*mark && now - (*mark)->fetched_at < refetch_interval_) {
        last_refetch_ = (*mark)->fetched_at;
        return false;
    }
    last_refetch_ = now;
    (void)storage_.save(refetch_key_, CachedDocument{"", now, now + refetch_interval_});
    return true;
}

} // namespace socialauth::providers
