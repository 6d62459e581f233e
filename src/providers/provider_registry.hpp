// The backends this site has enabled, by their Python Social Auth names. A backend
// exists only when the config enables it (credentials present); lookups match names
// exactly, so "Google-OAuth2" finds nothing, as in Python Social Auth.
#pragma once

#include "core/clock.hpp"
#include "core/config.hpp"
#include "http/http_client.hpp"
#include "providers/cache_storage.hpp"
#include "providers/provider.hpp"

#include <memory>
#include <string_view>
#include <vector>

namespace socialauth::providers {

class ProviderRegistry {
public:
    // http, cache and clock must outlive the registry. cache is where backends keep
    // what they fetched (Google's signing keys) for other requests and processes.
    ProviderRegistry(const core::Config& config, http::HttpClient& http, CacheStorage& cache,
                     const core::Clock& clock);

    // nullptr for a backend that is unknown or not configured.
    Provider* find(std::string_view name);

private:
    std::vector<std::unique_ptr<Provider>> providers_;
};

} // namespace socialauth::providers
