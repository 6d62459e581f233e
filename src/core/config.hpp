// The program's configuration: one JSON file (comments allowed) plus secrets from the
// environment under the Python Social Auth recipe's names. load_config() parses every
// key, collects every problem by key name instead of stopping at the first, and only
// hands out a Config when there is none.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace socialauth::core {

struct DatabaseConfig {
    std::string host = "localhost";
    int port = 3306;
    std::string socket;
    std::string user;
    std::string password;
    std::string name;
    std::string table_prefix;
    // Apply the migrations compiled into the program at a process's first request
    // (for hosts without a shell to run socialauth-admin migrate on).
    bool auto_migrate = false;
};

struct HttpConfig {
    std::int64_t max_body_bytes = 16384;
    std::vector<std::string> cors_allowed_origins;
};

struct TokensConfig {
    std::int64_t lifetime_seconds = 2592000; // 0: no absolute expiry
    std::int64_t idle_seconds = 604800;      // 0: no idle expiry
    std::int64_t max_per_user = 20;          // 0: no cap
};

struct UsersConfig {
    bool allow_signup = true;
    std::size_t username_max_length = 150;
    std::vector<std::string> protected_user_fields;
    std::vector<std::string> immutable_user_fields;
    bool store_provider_tokens = true;
    // The AES-256-GCM key for provider tokens at rest: 32 raw bytes, decoded from
    // provider_token_key (64 hex digits or base64) or SOCIALAUTH_PROVIDER_TOKEN_KEY.
    // Empty: no key, so provider tokens are not stored at all.
    std::string provider_token_key;
};

// At most `requests` hits per fixed window of window_seconds (aligned to the epoch);
// requests 0: no limit.
struct RateLimit {
    std::int64_t requests = 0;
    std::int64_t window_seconds = 60;
};

struct RateLimitsConfig {
    RateLimit exchange_per_ip{30, 60};       // per REMOTE_ADDR (IPv6: per /64)
    RateLimit exchange_per_backend{600, 60}; // per backend, all clients together
};

struct OutboundConfig {
    std::string ca_file;
    std::string proxy; // empty: never a proxy, whatever the environment says
    long connect_timeout_ms = 3000;
    long timeout_ms = 8000;
    std::int64_t max_response_bytes = 1048576;
};

struct GoogleConfig {
    std::vector<std::string> client_ids;
    std::string secret;
    std::vector<std::string> whitelisted_domains;
    std::vector<std::string> whitelisted_emails;
    std::string userinfo_url = "https://openidconnect.googleapis.com/v1/userinfo";
    std::string tokeninfo_url = "https://oauth2.googleapis.com/tokeninfo";
    std::string jwks_url = "https://www.googleapis.com/oauth2/v3/certs";
    std::int64_t leeway_seconds = 60;                 // ID tokens: clock skew allowed on exp/iat/nbf
    std::int64_t jwks_refetch_interval_seconds = 60;  // at most one JWKS refetch per unknown-kid window
};

struct FacebookConfig {
    std::string app_id;
    std::string app_secret;
    std::vector<std::string> whitelisted_domains;
    std::vector<std::string> whitelisted_emails;
    std::string api_version = "v18.0";
    std::string graph_url = "https://graph.facebook.com";
    bool trust_email = false;
};

struct Config {
    DatabaseConfig database;
    HttpConfig http;
    TokensConfig tokens;
    UsersConfig users;
    RateLimitsConfig rate_limits;
    std::vector<std::string> pipeline;
    OutboundConfig outbound;
    std::optional<GoogleConfig> google;     // set only when it has client ids
    std::optional<FacebookConfig> facebook; // set only when it has app id and secret
};

// The default step list, same names and order as Python Social Auth's.
const std::vector<std::string>& default_pipeline();

// Reads one environment variable; tests pass their own.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_environment();

struct ConfigLoad {
    std::optional<Config> config;      // set when problems is empty
    std::vector<std::string> problems; // "key.path: what is wrong"
};

// Parses config text; secrets missing from it are taken from env.
ConfigLoad parse_config(const std::string& text, const EnvLookup& env);

// Reads and parses the file at path (it must not be readable by group or others).
ConfigLoad load_config_file(const std::string& path, const EnvLookup& env);

// Where the config lives: $SOCIALAUTH_CONFIG, else ~/.config/socialauth/config.json of
// the process owner, else /etc/socialauth/config.json.
std::string locate_config(const EnvLookup& env);

} // namespace socialauth::core
