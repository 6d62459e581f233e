#include "app/token_service.hpp"

#include "core/crypto.hpp"
#include "core/text.hpp"

#include <chrono>

namespace socialauth::app {
namespace {

constexpr std::size_t kTokenBytes = 32;
// last_used is refreshed at most this often, so a busy client is not a write per call.
constexpr std::chrono::seconds kTouchInterval{60};

core::Error invalid(const char* why) { return core::make_error(core::Errc::invalid_api_token, why); }

bool token_characters_only(const std::string& token) {
    for (char c : token) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                        c == '-' || c == '_';
        if (!ok) return false;
    }
    return !token.empty() && token.size() <= 256;
}

} // namespace

std::optional<std::string> token_from_authorization(const std::string& header) {
    const auto space = header.find(' ');
    if (space == std::string::npos) return std::nullopt;
    const std::string scheme = core::ascii_lower(header.substr(0, space));
    if (scheme != "token" && scheme != "bearer") return std::nullopt;
    std::string token = core::trim(header.substr(space + 1));
    if (!token_characters_only(token)) return std::nullopt;
    return token;
}

core::Result<IssuedToken> TokenService::issue(std::int64_t user_id) {
    auto bytes = random_.bytes(kTokenBytes);
    if (!bytes) return bytes.error();
    IssuedToken issued;
    issued.token = core::base64url_encode(*bytes);

    const auto now = clock_.now();
    store::TokenRecord record;
    record.token_hash = core::sha256_hex(issued.token);
    record.user_id = user_id;
    record.created = now;
    if (config_.lifetime_seconds > 0)
        record.expires_at = now + std::chrono::seconds(config_.lifetime_seconds);
    issued.expires_at = record.expires_at;
    if (auto status = store_.insert_token(record); !status) return status.error();
    if (config_.max_per_user > 0)
        if (auto status = store_.revoke_tokens_beyond(user_id, config_.max_per_user, now); !status)
            return status.error();
    return issued;
}

core::Result<Authenticated> TokenService::authenticate(const std::string& authorization_header) {
    if (authorization_header.empty())
        return core::make_error(core::Errc::not_authenticated, "no Authorization header");
    const auto token = token_from_authorization(authorization_header);
    if (!token) return invalid("malformed Authorization header");

    const std::string hash = core::sha256_hex(*token);
    auto found = store_.find_token(hash);
    if (!found) return found.error();
    if (!*found || !core::constant_time_equals((*found)->token.token_hash, hash))
        return invalid("unknown token");
    store::TokenRecord record = std::move((*found)->token);
    store::UserRecord user = std::move((*found)->user);

    const auto now = clock_.now();
    if (record.revoked_at) return invalid("revoked token");
    if (record.expires_at && *record.expires_at <= now) return invalid("expired token");
    const auto last_seen = record.last_used.value_or(record.created);
    if (config_.idle_seconds > 0 && last_seen + std::chrono::seconds(config_.idle_seconds) <= now)
        return invalid("idle token");

    if (!user.is_active) return invalid("token of an inactive user");

    if (!record.last_used || now - *record.last_used >= kTouchInterval) {
        if (auto status = store_.touch_token(record.id, now); !status) return status.error();
        record.last_used = now;
    }
    return Authenticated{std::move(record), std::move(user), std::move((*found)->identities)};
}

} // namespace socialauth::app
