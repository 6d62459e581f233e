// One process's life: loads the config once per config path (the process environment
// or, as with an .htaccess SetEnv, the request's SOCIALAUTH_CONFIG), builds the
// services from it and serves requests with them. With a bad config every request
// gets 500 server_misconfigured and the reasons are logged, so a process manager does
// not restart the program in a loop. A config file that changes on disk is loaded
// again at the next request, so a fix or a rotated secret applies without a restart.
#pragma once

#include "app/app.hpp"
#include "app/store_cache_storage.hpp"
#include "core/config.hpp"
#include "core/log.hpp"
#include "http/http_client.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "providers/provider_registry.hpp"
#include "store/store.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace socialauth::app {

// The adapters to the outside world; main() decides which.
struct Backends {
    std::unique_ptr<store::Store> store;
    std::unique_ptr<http::HttpClient> http_client;
    // Brings the schema up to date ("auto_migrate"); the versions it applied.
    std::function<core::Result<std::vector<std::string>>()> migrate_schema;
};

using BackendFactory = std::function<Backends(const core::Config& config)>;

class Runtime {
public:
    Runtime(core::EnvLookup process_env, BackendFactory make_backends, core::Logger& logger);

    http::Response serve(http::RequestSource& source);

private:
    void load(const std::string& path, const http::RequestSource& source);
    // Runs the migrations once per loaded config when it asks for auto_migrate; false
    // (logged) when they failed, so the request gets 503 and the next one tries again.
    bool schema_ready(const http::Request& request);

    core::EnvLookup process_env_;
    BackendFactory make_backends_;
    core::Logger& logger_;
    core::SystemClock clock_;
    core::OpenSslRandom random_;

    std::optional<std::string> loaded_path_;
    std::int64_t loaded_mtime_ns_ = 0; // a changed file is loaded again: fixes and rotations apply
    std::optional<core::Config> config_;
    bool schema_checked_ = false;
    Backends backends_;
    std::unique_ptr<StoreCacheStorage> provider_cache_; // over backends_.store
    std::unique_ptr<providers::ProviderRegistry> providers_;
    std::unique_ptr<App> app_;
};

} // namespace socialauth::app
