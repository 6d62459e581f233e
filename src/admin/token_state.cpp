#include "admin/token_state.hpp"

#include <chrono>

namespace socialauth::admin {

std::string_view token_state_name(TokenState state) noexcept {
    switch (state) {
    case TokenState::live: return "live";
    case TokenState::revoked: return "revoked";
    case TokenState::expired: return "expired";
    }
    return "unknown";
}

TokenState token_state(const store::TokenRecord& token, core::TimePoint now,
                       std::int64_t idle_seconds) {
    if (token.revoked_at) return TokenState::revoked;
    if (token.expires_at && *token.expires_at <= now) return TokenState::expired;
    const core::TimePoint last_seen = token.last_used.value_or(token.created);
    if (idle_seconds > 0 && last_seen + std::chrono::seconds(idle_seconds) <= now)
        return TokenState::expired;
    return TokenState::live;
}

TokenCounts count_tokens(const std::vector<store::TokenRecord>& tokens, core::TimePoint now,
                         std::int64_t idle_seconds) {
    TokenCounts counts;
    for (const store::TokenRecord& token : tokens) {
        switch (token_state(token, now, idle_seconds)) {
        case TokenState::live: ++counts.live; break;
        case TokenState::revoked: ++counts.revoked; break;
        case TokenState::expired: ++counts.expired; break;
        }
    }
    return counts;
}

} // namespace socialauth::admin
