#include "providers/provider_registry.hpp"

#include "providers/facebook_provider.hpp"
#include "providers/google_provider.hpp"

namespace socialauth::providers {

ProviderRegistry::ProviderRegistry(const core::Config& config, http::HttpClient& http,
                                   CacheStorage& cache, const core::Clock& clock) {
    if (config.google)
        providers_.push_back(std::make_unique<GoogleProvider>(*config.google, http, cache, clock));
    if (config.facebook)
        providers_.push_back(std::make_unique<FacebookProvider>(*config.facebook, http, clock));
}

Provider* ProviderRegistry::find(std::string_view name) {
    for (const auto& provider : providers_)
        if (provider->name() == name) return provider.get();
    return nullptr;
}

} // namespace socialauth::providers
