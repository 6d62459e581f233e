#include "app/store_cache_storage.hpp"

namespace socialauth::app {

core::Result<std::optional<providers::CachedDocument>>
StoreCacheStorage::load(const std::string& key) {
    auto entry = store_.get_cached(key);
    if (!entry) return entry.error();
    if (!*entry) return std::optional<providers::CachedDocument>();
    return std::optional<providers::CachedDocument>(providers::CachedDocument{
        std::move((*entry)->value), (*entry)->fetched_at, (*entry)->expires_at});
}

core::Status StoreCacheStorage::save(const std::string& key,
                                     const providers::CachedDocument& document) {
    return store_.put_cached(
        key, store::CacheEntry{document.value, document.fetched_at, document.expires_at});
}

} // namespace socialauth::app
