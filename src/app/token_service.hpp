// This site's API tokens (SPEC §2.2): 256 random bits, URL-safe, shown once and stored
// only as their SHA-256. Accepted from the Authorization header alone, as
// "Token <token>" (DRF) or "Bearer <token>".
#pragma once

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace socialauth::app {

struct IssuedToken {
    std::string token;
    std::optional<core::TimePoint> expires_at;
};

struct Authenticated {
    store::TokenRecord token;
    store::UserRecord user;
    std::vector<store::IdentityRecord> identities;
};

class TokenService {
public:
    TokenService(const core::TokensConfig& config, store::Store& store, const core::Clock& clock,
                 core::RandomSource& random)
        : config_(config), store_(store), clock_(clock), random_(random) {}

    // Inside the caller's transaction: stores a new token for the user and revokes the
    // oldest live ones beyond the per-user cap.
    core::Result<IssuedToken> issue(std::int64_t user_id);

    // Errc::not_authenticated without a header; Errc::invalid_api_token for anything
    // unusable: malformed, unknown, revoked, expired, idle too long, inactive user.
    core::Result<Authenticated> authenticate(const std::string& authorization_header);

private:
    const core::TokensConfig& config_;
    store::Store& store_;
    const core::Clock& clock_;
    core::RandomSource& random_;
};

// The token in "Token <t>" or "Bearer <t>" (scheme case-insensitive), or nullopt.
std::optional<std::string> token_from_authorization(const std::string& header);

} // namespace socialauth::app
