#include "app/app.hpp"

#include "app/error_response.hpp"
#include "app/exchange_request.hpp"
#include "core/crypto.hpp"
#include "core/json.hpp"

#include <chrono>
#include <cstdio>
#include <thread>

namespace socialauth::app {
namespace {

using core::Errc;

// Whole-exchange attempts when the database reports a duplicate key, a deadlock or a
// lock wait timeout: the losers of a first-login race find the winner's rows on their
// second attempt.
constexpr int kMaxExchangeAttempts = 5;
// Of those, how many may follow a lost connection: the server rolled that transaction
// back, so a new session may run it again. One, so that a database that keeps
// dropping sessions answers 503 soon. When the connection was lost during the commit
// (Store::commit may then have committed), the exchange first asks whether its token
// was stored: if so, the login is done; if the question fails too, it gives up.
constexpr int kMaxReconnectRetries = 1;
// After a deadlock or a lock wait timeout (Errc::retry) the exchange waits a random
// moment of up to this much per attempt before it tries again, so that the transaction
// it lost to can finish first instead of meeting it again: many first logins of one
// user at once otherwise deadlock again and again.
constexpr std::chrono::milliseconds kDeadlockBackoffStep{8};
constexpr std::size_t kMaxLoggedPathLength = 120;

struct Route {
    enum Kind { exchange, me, logout, logout_all, health, none } kind = none;
    std::string backend;
    const char* allowed_methods = "";
};

Route match_route(std::string path) {
    if (path.size() > 1 && path.back() == '/') path.pop_back();
    Route route;
    static const std::string social = "/social/";
    if (path.compare(0, social.size(), social) == 0) {
        std::string backend = path.substr(social.size());
        if (!backend.empty() && backend.find('/') == std::string::npos) {
            route.kind = Route::exchange;
            route.backend = std::move(backend);
            route.allowed_methods = "POST, OPTIONS";
        }
    } else if (path == "/me") {
        route = {Route::me, {}, "GET, OPTIONS"};
    } else if (path == "/logout") {
        route = {Route::logout, {}, "POST, OPTIONS"};
    } else if (path == "/logout/all") {
        route = {Route::logout_all, {}, "POST, OPTIONS"};
    } else if (path == "/health") {
        route = {Route::health, {}, "GET, OPTIONS"};
    }
    return route;
}

bool method_allowed(const Route& route, const std::string& method) {
    switch (route.kind) {
    case Route::me:
    case Route::health: return method == "GET";
    case Route::exchange:
    case Route::logout:
    case Route::logout_all: return method == "POST";
    case Route::none: return false;
    }
    return false;
}

Json::Value user_json(const store::UserRecord& user) {
    Json::Value out(Json::objectValue);
    out["id"] = Json::Int64(user.id);
    out["username"] = user.username;
    out["email"] = user.email;
    out["first_name"] = user.first_name;
    out["last_name"] = user.last_name;
    return out;
}

Json::Value optional_time(const std::optional<core::TimePoint>& t) {
    return t ? Json::Value(core::format_iso8601_utc(*t)) : Json::Value(Json::nullValue);
}

// Up to attempt * kDeadlockBackoffStep, from the random source (none when it fails).
void back_off_before_retry(core::RandomSource& random, int attempt) {
    const auto byte = random.bytes(1);
    if (!byte) return;
    const auto limit = kDeadlockBackoffStep * attempt;
    std::this_thread::sleep_for(limit * static_cast<unsigned char>((*byte)[0]) / 255);
}

core::Error body_error(http::BodyStatus status) {
    switch (status) {
    case http::BodyStatus::length_missing:
        return core::make_error(Errc::length_required, "no CONTENT_LENGTH");
    case http::BodyStatus::too_large: return core::make_error(Errc::body_too_large, "CONTENT_LENGTH over limit");
    case http::BodyStatus::length_invalid:
        return core::make_public_error(Errc::invalid_request, "Invalid Content-Length.", "bad CONTENT_LENGTH");
    case http::BodyStatus::truncated:
        return core::make_public_error(Errc::invalid_request, "Request body shorter than announced.",
                                       "body shorter than CONTENT_LENGTH");
    case http::BodyStatus::none:
    case http::BodyStatus::read: break;
    }
    return core::make_error(Errc::internal_error, "unexpected body status");
}

// Rolls the store's transaction back unless it was committed, also when an exception
// passes, so a FastCGI worker never keeps a transaction's locks into its next request.
class TransactionGuard {
public:
    explicit TransactionGuard(store::Store& store) : store_(store) {}
    ~TransactionGuard() {
        if (!committed_) store_.rollback();
    }
    TransactionGuard(const TransactionGuard&) = delete;
    TransactionGuard& operator=(const TransactionGuard&) = delete;

    core::Status commit() {
        auto status = store_.commit();
        committed_ = status.ok();
        return status;
    }

private:
    store::Store& store_;
    bool committed_ = false;
};

} // namespace

App::App(AppServices services)
    : services_(std::move(services)),
      cors_(services_.config.http.cors_allowed_origins),
      tokens_(services_.config.tokens, services_.store, services_.clock, services_.random),
      rate_limiter_(services_.config.rate_limits, services_.store, services_.clock),
      pipeline_(services_.config.pipeline) {}

http::Response App::handle(const http::Request& request) {
    const auto started = std::chrono::steady_clock::now();
    RequestOutcome outcome;
    http::Response response;
    try {
        response = route(request, outcome);
    } catch (const std::exception& e) {
        response = fail(core::make_error(Errc::internal_error, std::string("exception: ") + e.what()), outcome);
    }
    cors_.decorate(request, response);

    const double elapsed_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.1f", elapsed_ms);
    std::string line = "req=" + next_request_id() + " method=" + request.method +
                       " route=" + request.path.substr(0, kMaxLoggedPathLength) +
                       " status=" + std::to_string(response.status) +
                       " backend=" + (outcome.backend.empty() ? "-" : outcome.backend) +
                       " duration_ms=" + duration +
                       " user=" + (outcome.user_id != 0 ? std::to_string(outcome.user_id) : "-");
    if (outcome.retries > 0)
        line += " retries=" + std::to_string(outcome.retries) + " retried=" + outcome.retried;
    if (!outcome.error_detail.empty()) line += " detail=" + outcome.error_detail;
    services_.logger.log(response.status >= 500 ? core::LogLevel::error : core::LogLevel::info, line);
    return response;
}

// A random start per process, then counting: ids stay unique over a worker's life
// and across workers, and a request does not pay for random bytes it needs no secrecy
// from.
std::string App::next_request_id() {
    if (!request_number_) {
        std::uint64_t start = 0;
        if (auto bytes = services_.random.bytes(sizeof start))
            for (unsigned char byte : *bytes) start = start << 8 | byte;
        request_number_ = start;
    }
    const std::uint64_t number = (*request_number_)++;
    std::string bytes(6, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<char>(number >> (8 * (bytes.size() - 1 - i)) & 0xFF);
    return core::base64url_encode(bytes);
}

namespace {

std::string describe(const core::Error& error) {
    std::string text(core::errc_name(error.code));
    if (!error.detail.empty()) text += ": " + error.detail;
    return text;
}

} // namespace

http::Response App::fail(const core::Error& error, RequestOutcome& outcome) {
    outcome.error_detail = describe(error);
    return error_response(error);
}

http::Response App::route(const http::Request& request, RequestOutcome& outcome) {
    const Route route = match_route(request.path);
    if (route.kind == Route::none) return fail(core::make_error(Errc::not_found), outcome);
    if (route.kind == Route::exchange) {
        outcome.backend = route.backend;
        if (!services_.providers(route.backend))
            return fail(core::make_error(Errc::unknown_backend, "backend not configured"), outcome);
    }
    if (request.method == "OPTIONS") return cors_.preflight(request, route.allowed_methods);
    if (!method_allowed(route, request.method)) {
        auto response = fail(core::make_error(Errc::method_not_allowed), outcome);
        response.set_header("Allow", route.allowed_methods);
        return response;
    }
    switch (route.kind) {
    case Route::exchange: return exchange(request, route.backend, outcome);
    case Route::me: return me(request, outcome);
    case Route::logout: return logout(request, false, outcome);
    case Route::logout_all: return logout(request, true, outcome);
    case Route::health: return health(outcome);
    case Route::none: break;
    }
    return fail(core::make_error(Errc::not_found), outcome);
}

http::Response App::exchange(const http::Request& request, const std::string& backend,
                             RequestOutcome& outcome) {
    if (request.body_status != http::BodyStatus::read) return fail(body_error(request.body_status), outcome);
    auto token = parse_exchange_request(request);
    if (!token) return fail(token.error(), outcome);

    // Before the provider is called and outside the transaction below (see RateLimiter).
    if (auto admitted = rate_limiter_.admit_exchange(request.remote_addr, backend); !admitted)
        return fail(admitted.error(), outcome);

    providers::Provider* provider = services_.providers(backend);
    auto profile = provider->authenticate(*token);
    if (!profile) return fail(profile.error(), outcome);

    core::Error last_error = core::make_error(Errc::internal_error);
    int reconnects = 0;
    for (int attempt = 1; attempt <= kMaxExchangeAttempts; ++attempt) {
        if (attempt > 1) {
            ++outcome.retries;
            outcome.retried = describe(last_error);
        }
        if (auto begun = services_.store.begin(); !begun) {
            last_error = begun.error();
            break;
        }
        TransactionGuard transaction(services_.store);
        auto login = run_exchange(*provider, *profile, outcome);
        bool outcome_unknown = false;
        if (login) {
            auto committed = transaction.commit();
            if (committed) return std::move(login->response);
            last_error = committed.error();
            if (last_error.code == Errc::service_unavailable) {
                // Lost during the commit: the token is there only if it committed.
                auto stored = services_.store.find_token(login->token_hash);
                if (stored && *stored) return std::move(login->response);
                outcome_unknown = !stored;
            }
        } else {
            last_error = login.error();
        }
        if (last_error.code == Errc::service_unavailable && !outcome_unknown &&
            reconnects < kMaxReconnectRetries) {
            ++reconnects;
            continue;
        }
        if (last_error.code != Errc::conflict && last_error.code != Errc::retry) break;
        if (last_error.code == Errc::retry) back_off_before_retry(services_.random, attempt);
    }
    outcome.user_id = 0;
    return fail(last_error, outcome);
}

core::Result<PendingLogin> App::run_exchange(const providers::Provider& provider,
                                             const providers::SocialProfile& profile,
                                             RequestOutcome& outcome) {
    pipeline::PipelineContext context{services_.store, services_.config, services_.clock,
                                      services_.random, provider};
    auto state = pipeline_.run(context, profile);
    if (!state) return state.error();
    const store::UserRecord& user = *state->user;
    outcome.user_id = user.id;
    // Checked last so that whatever the pipeline wrote is rolled back with the refusal.
    // Every step that finds or makes the user holds its row locked (social_user and
    // associate_by_email read it FOR UPDATE, create_user inserted it), so is_active is
    // current until the commit: a deactivation waits for it and then revokes the token
    // issued below (Store::set_user_active), so no live token outlives it.
    if (!user.is_active) return core::make_error(Errc::account_inactive, "user is inactive");

    if (auto status = services_.store.set_last_login(user.id, services_.clock.now()); !status)
        return status.error();
    auto issued = tokens_.issue(user.id);
    if (!issued) return issued.error();

    core::OrderedJsonObject body;
    body.add("token", issued->token)
        .add("token_type", "Token")
        .add("expires_at", optional_time(issued->expires_at))
        .add("is_new", state->is_new)
        .add("user", user_json(user));
    return PendingLogin{http::json_response(200, body.str()), core::sha256_hex(issued->token)};
}

http::Response App::me(const http::Request& request, RequestOutcome& outcome) {
    auto auth = tokens_.authenticate(request.authorization);
    if (!auth) return fail(auth.error(), outcome);
    const store::UserRecord& user = auth->user;
    outcome.user_id = user.id;

    Json::Value body = user_json(user);
    body["is_active"] = user.is_active;
    body["date_joined"] = core::format_iso8601_utc(user.date_joined);
    body["last_login"] = optional_time(user.last_login);
    body["identities"] = Json::Value(Json::arrayValue);
    for (const auto& identity : auth->identities) {
        Json::Value item(Json::objectValue);
        item["provider"] = identity.provider;
        item["uid"] = identity.uid;
        body["identities"].append(item);
    }
    return http::json_response(200, body);
}

http::Response App::logout(const http::Request& request, bool everywhere, RequestOutcome& outcome) {
    auto auth = tokens_.authenticate(request.authorization);
    if (!auth) return fail(auth.error(), outcome);
    outcome.user_id = auth->user.id;
    const auto now = services_.clock.now();
    if (everywhere) {
        if (auto revoked = services_.store.revoke_all_tokens(auth->user.id, now); !revoked)
            return fail(revoked.error(), outcome);
    } else if (auto status = services_.store.revoke_token(auth->token.id, now); !status) {
        return fail(status.error(), outcome);
    }
    return http::no_content();
}

http::Response App::health(RequestOutcome& outcome) {
    if (auto status = services_.store.ping(); !status) return fail(status.error(), outcome);
    Json::Value body(Json::objectValue);
    body["status"] = "ok";
    return http::json_response(200, body);
}

http::Response misconfigured_response() {
    return error_response(core::make_error(Errc::server_misconfigured));
}

} // namespace socialauth::app
