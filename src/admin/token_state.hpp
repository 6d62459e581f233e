// Whether an API token is still accepted, by the rules TokenService::authenticate applies
// in the same order — revoked, past its absolute expiry (expires_at), then idle for
// tokens.idle_seconds since last use (or since creation when never used) — so that what
// socialauth-admin reports agrees with what the API does. A token of an inactive user
// keeps its state here: deactivating revokes the tokens anyway, and reactivating must
// not appear to bring them back.
#pragma once

#include "core/clock.hpp"
#include "store/records.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace socialauth::admin {

enum class TokenState { live, revoked, expired };

std::string_view token_state_name(TokenState state) noexcept;

// idle_seconds 0: no idle lifetime, as in the config.
TokenState token_state(const store::TokenRecord& token, core::TimePoint now,
                       std::int64_t idle_seconds);

struct TokenCounts {
    std::int64_t live = 0;
    std::int64_t revoked = 0;
    std::int64_t expired = 0;
};

TokenCounts count_tokens(const std::vector<store::TokenRecord>& tokens, core::TimePoint now,
                         std::int64_t idle_seconds);

} // namespace socialauth::admin
