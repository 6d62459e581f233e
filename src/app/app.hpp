// The HTTP application of SPEC §2: App::handle turns one Request value into one
// Response value. It does no I/O of its own beyond its collaborators (store, providers)
// and never throws: every failure becomes a JSON error, logged in one line.
#pragma once

#include "app/cors.hpp"
#include "app/rate_limiter.hpp"
#include "app/token_service.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/log.hpp"
#include "core/random.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "pipeline/pipeline.hpp"
#include "providers/provider.hpp"
#include "store/store.hpp"

#include <functional>
#include <optional>
#include <string_view>

namespace socialauth::app {

// Finds a configured backend by its case-sensitive name; nullptr when there is none.
using ProviderLookup = std::function<providers::Provider*(std::string_view name)>;

struct AppServices {
    const core::Config& config;
    store::Store& store;
    ProviderLookup providers;
    const core::Clock& clock;
    core::RandomSource& random;
    core::Logger& logger;
};

// What one request did, for its log line.
struct RequestOutcome {
    std::string backend;
    std::int64_t user_id = 0;
    std::string error_detail;
    // Whole-exchange attempts after the first, and why the last one was made.
    int retries = 0;
    std::string retried;
};

// An exchange's answer before its transaction commits, with what tells afterwards
// whether it did: its token's hash.
struct PendingLogin {
    http::Response response;
    std::string token_hash;
};

class App {
public:
    explicit App(AppServices services);

    http::Response handle(const http::Request& request);

private:
    http::Response route(const http::Request& request, RequestOutcome& outcome);
    http::Response exchange(const http::Request& request, const std::string& backend,
                            RequestOutcome& outcome);
    core::Result<PendingLogin> run_exchange(const providers::Provider& provider,
                                            const providers::SocialProfile& profile,
                                            RequestOutcome& outcome);
    http::Response me(const http::Request& request, RequestOutcome& outcome);
    http::Response logout(const http::Request& request, bool everywhere, RequestOutcome& outcome);
    http::Response health(RequestOutcome& outcome);
    http::Response fail(const core::Error& error, RequestOutcome& outcome);
    std::string next_request_id();

    AppServices services_;
    Cors cors_;
    TokenService tokens_;
    RateLimiter rate_limiter_;
    pipeline::Pipeline pipeline_;
    std::optional<std::uint64_t> request_number_; // the next request id's, once seeded
};

// The answer to every request while the config is unusable.
http::Response misconfigured_response();

} // namespace socialauth::app
