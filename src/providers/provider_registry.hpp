// The backends this site has enabled, by their Python Social Auth names. A backend
// exists only when the config enables it (credentials present); lookups match names
// exactly, so "Google-OAuth2" finds nothing, as in Python Social Auth.
#pragma once

#include "core/clock.hpp"
#include "core/config.hpp"
#include "http/http_client.hpp"
#include "providers/provider.hpp"

#include <memory>
#include <string_view>
#include <vector>

namespace socialauth::providers {

class ProviderRegistry {
public:
    // http and clock must outlive the registry.
    ProviderRegistry(const core::Config& config, http::HttpClient& http, const core::Clock& clock);

    // nullptr for a backend that is unknown or not configured.
    Provider* find(std::string_view name);

private:
    std::vector<std::unique_ptr<Provider>> providers_;
};

} // namespace socialauth::providers
