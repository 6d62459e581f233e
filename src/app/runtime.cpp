#include "app/runtime.hpp"

#include "app/error_response.hpp"

#include <sys/stat.h>

namespace socialauth::app {
namespace {

// Modification time in nanoseconds, 0 when the file can't be seen.
std::int64_t modification_time_ns(const std::string& path) {
    struct stat info {};
    if (stat(path.c_str(), &info) != 0) return 0;
    return static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
}

} // namespace

Runtime::Runtime(core::EnvLookup process_env, BackendFactory make_backends, core::Logger& logger)
    : process_env_(std::move(process_env)), make_backends_(std::move(make_backends)), logger_(logger) {}

void Runtime::load(const std::string& path, const http::RequestSource& source) {
    app_.reset();
    providers_.reset();
    provider_cache_.reset();
    backends_ = {};
    config_.reset();
    loaded_path_ = path;
    loaded_mtime_ns_ = modification_time_ns(path);

    // Secrets may come from the request environment too (SetEnv in .htaccess).
    const core::EnvLookup env = [&](const std::string& name) {
        auto value = source.variable(name.c_str());
        return value ? value : process_env_(name);
    };
    auto load = core::load_config_file(path, env);
    if (!load.config) {
        for (const auto& problem : load.problems) logger_.error("config problem: " + problem);
        return;
    }
    config_ = std::move(load.config);
    schema_checked_ = !config_->database.auto_migrate;
    backends_ = make_backends_(*config_);
    provider_cache_ = std::make_unique<StoreCacheStorage>(*backends_.store);
    providers_ = std::make_unique<providers::ProviderRegistry>(*config_, *backends_.http_client,
                                                               *provider_cache_, clock_);
    app_ = std::make_unique<App>(AppServices{
        *config_, *backends_.store,
        [registry = providers_.get()](std::string_view name) { return registry->find(name); },
        clock_, random_, logger_});
}

bool Runtime::schema_ready(const http::Request& request) {
    if (schema_checked_) return true;
    // The migrator serializes processes on a database lock, so of several workers
    // starting at once one applies the files and the others find nothing to do.
    const auto applied = backends_.migrate_schema();
    if (!applied) {
        logger_.error("method=" + request.method + " route=" + request.path +
                      " status=503 detail=auto_migrate: " + applied.error().detail);
        return false;
    }
    for (const std::string& version : *applied) logger_.info("auto_migrate: applied " + version);
    schema_checked_ = true;
    return true;
}

http::Response Runtime::serve(http::RequestSource& source) {
    http::Request request = http::read_request_head(source);
    std::string path = request.config_path;
    if (path.empty()) path = core::locate_config(process_env_);
    if (!loaded_path_ || *loaded_path_ != path || modification_time_ns(path) != loaded_mtime_ns_)
        load(path, source);
    if (!app_) {
        logger_.error("method=" + request.method + " route=" + request.path +
                      " status=500 detail=server_misconfigured");
        return misconfigured_response();
    }
    if (!schema_ready(request))
        return error_response(core::make_error(core::Errc::service_unavailable, "auto_migrate failed"));
    http::read_request_body(source, request, config_->http.max_body_bytes);
    return app_->handle(request);
}

} // namespace socialauth::app
