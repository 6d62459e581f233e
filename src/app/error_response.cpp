#include "app/error_response.hpp"

namespace socialauth::app {
namespace {

using core::Errc;

constexpr std::int64_t kDefaultRetryAfterSeconds = 60;

struct Mapping {
    int status;
    const char* error;
    const char* field;           // member of "errors", nullptr when there is none
    const char* default_message; // used when the Error has no public message
};

Mapping mapping_for(Errc code) {
    switch (code) {
    case Errc::invalid_request: return {400, "invalid_request", "access_token", "This field is required."};
    case Errc::invalid_json: return {400, "invalid_json", "detail", "Malformed JSON."};
    case Errc::invalid_token: return {400, "invalid_token", "token", "Invalid token"};
    case Errc::account_inactive:
        return {400, "account_inactive", "non_field_errors", "This user account is inactive"};
    case Errc::not_allowed: return {403, "not_allowed", "non_field_errors", "Not allowed."};
    case Errc::unknown_backend: return {404, "unknown_backend", nullptr, nullptr};
    case Errc::not_found: return {404, "not_found", nullptr, nullptr};
    case Errc::method_not_allowed: return {405, "method_not_allowed", nullptr, nullptr};
    case Errc::email_in_use:
        return {409, "email_in_use", "email", "This email address belongs to an existing account."};
    case Errc::length_required: return {411, "length_required", nullptr, nullptr};
    case Errc::body_too_large: return {413, "body_too_large", nullptr, nullptr};
    case Errc::unsupported_media_type: return {415, "unsupported_media_type", nullptr, nullptr};
    case Errc::rate_limited: return {429, "rate_limited", nullptr, nullptr};
    case Errc::not_authenticated: return {401, "not_authenticated", nullptr, nullptr};
    case Errc::invalid_api_token: return {401, "invalid_token", nullptr, nullptr};
    case Errc::provider_unavailable: return {502, "provider_unavailable", nullptr, nullptr};
    // Retries exhausted on conflicts or deadlocks: the client may simply try again.
    case Errc::service_unavailable:
    case Errc::conflict:
    case Errc::retry: return {503, "service_unavailable", nullptr, nullptr};
    case Errc::server_misconfigured: return {500, "server_misconfigured", nullptr, nullptr};
    case Errc::internal_error: return {500, "internal_error", nullptr, nullptr};
    }
    return {500, "internal_error", nullptr, nullptr};
}

} // namespace

http::Response error_response(const core::Error& error) {
    const Mapping m = mapping_for(error.code);
    Json::Value body(Json::objectValue);
    body["error"] = m.error;
    if (m.field != nullptr) {
        Json::Value errors(Json::objectValue);
        errors[m.field] = error.public_message.empty() ? m.default_message : error.public_message;
        body["errors"] = errors;
    }
    auto response = http::json_response(m.status, body);
    if (error.code == Errc::not_authenticated || error.code == Errc::invalid_api_token)
        response.set_header("WWW-Authenticate", "Token");
    // Computed by the rate limiter, never taken from input; 60 s when it did not say.
    if (error.code == Errc::rate_limited)
        response.set_header("Retry-After", std::to_string(error.retry_after_seconds > 0
                                                              ? error.retry_after_seconds
                                                              : kDefaultRetryAfterSeconds));
    return response;
}

} // namespace socialauth::app
