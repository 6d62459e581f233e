// Expected failures as values. An Error carries a short code that decides the HTTP
// answer, an optional public message that may be shown to the client, and a detail
// that is only ever logged. Neither message may contain a token or a secret.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace socialauth::core {

enum class Errc {
    invalid_request,        // malformed request fields
    invalid_json,           // unparsable body, duplicate keys, too deep
    invalid_token,          // provider token rejected for any reason
    account_inactive,       // matched user is inactive
    not_allowed,            // allow-list or closed sign-up
    unknown_backend,        // backend not known or not configured
    not_found,              // no such route
    method_not_allowed,     // route exists, method does not
    email_in_use,           // email belongs to a user we may not link to
    length_required,        // POST without CONTENT_LENGTH
    body_too_large,         // CONTENT_LENGTH over the limit
    unsupported_media_type, // neither JSON nor form
    rate_limited,           // too many requests
    not_authenticated,      // no Authorization header
    invalid_api_token,      // API token unknown, expired or revoked
    provider_unavailable,   // provider timeout, 5xx, TLS failure, malformed answer
    service_unavailable,    // database unreachable or retries exhausted
    conflict,               // duplicate key: the pipeline retries
    retry,                  // deadlock or lock wait timeout: the pipeline retries
    server_misconfigured,   // bad or missing config
    internal_error,         // a broken invariant
};

// The stable, lower-case name of a code, used in logs.
std::string_view errc_name(Errc code) noexcept;

struct Error {
    Errc code;
    std::string public_message; // may be shown to the client; empty for the default
    std::string detail;         // for the log only
    // For rate_limited: whole seconds until the client may try again (the Retry-After
    // header); 0 when not known.
    std::int64_t retry_after_seconds = 0;
};

inline Error make_error(Errc code, std::string detail = {}) {
    return Error{code, {}, std::move(detail)};
}

inline Error make_public_error(Errc code, std::string public_message, std::string detail = {}) {
    return Error{code, std::move(public_message), std::move(detail)};
}

} // namespace socialauth::core
