// The providers' CacheStorage kept in the database through the Store (the
// provider_cache table of sql/002_provider_cache.sql), so that every CGI and FastCGI
// process on the database shares what one of them fetched. Used outside the exchange
// transaction: providers check tokens before it begins.
#pragma once

#include "providers/cache_storage.hpp"
#include "store/store.hpp"

namespace socialauth::app {

class StoreCacheStorage final : public providers::CacheStorage {
public:
    // store must outlive this.
    explicit StoreCacheStorage(store::Store& store) : store_(store) {}

    core::Result<std::optional<providers::CachedDocument>> load(const std::string& key) override;
    core::Status save(const std::string& key, const providers::CachedDocument& document) override;

private:
    store::Store& store_;
};

} // namespace socialauth::app
