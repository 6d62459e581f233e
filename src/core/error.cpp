#include "core/error.hpp"

namespace socialauth::core {

std::string_view errc_name(Errc code) noexcept {
    switch (code) {
    case Errc::invalid_request: return "invalid_request";
    case Errc::invalid_json: return "invalid_json";
    case Errc::invalid_token: return "invalid_token";
    case Errc::account_inactive: return "account_inactive";
    case Errc::not_allowed: return "not_allowed";
    case Errc::unknown_backend: return "unknown_backend";
    case Errc::not_found: return "not_found";
    case Errc::method_not_allowed: return "method_not_allowed";
    case Errc::email_in_use: return "email_in_use";
    case Errc::length_required: return "length_required";
    case Errc::body_too_large: return "body_too_large";
    case Errc::unsupported_media_type: return "unsupported_media_type";
    case Errc::rate_limited: return "rate_limited";
    case Errc::not_authenticated: return "not_authenticated";
    case Errc::invalid_api_token: return "invalid_token";
    case Errc::provider_unavailable: return "provider_unavailable";
    case Errc::service_unavailable: return "service_unavailable";
    case Errc::conflict: return "conflict";
    case Errc::retry: return "retry";
    case Errc::server_misconfigured: return "server_misconfigured";
    case Errc::internal_error: return "internal_error";
    }
    return "internal_error";
}

} // namespace socialauth::core
