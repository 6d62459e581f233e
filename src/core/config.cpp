#include "core/config.hpp"

#include "core/crypto.hpp"
#include "core/json.hpp"
#include "core/text.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace socialauth::core {
namespace {

// Reads one JSON object value by value. Every problem is recorded under its full key
// path and reading goes on, so the user sees all of them at once.
class Section {
public:
    Section(const Json::Value* value, std::string path, std::vector<std::string>& problems)
        : value_(value), path_(std::move(path)), problems_(problems) {
        if (value_ != nullptr && !value_->isNull() && !value_->isObject()) {
            problem("", "must be an object");
            value_ = nullptr;
        }
    }

    ~Section() {
        if (value_ == nullptr || value_->isNull()) return;
        for (const auto& key : value_->getMemberNames())
            if (known_.count(key) == 0) problem(key, "unknown key");
    }

    Section(const Section&) = delete;
    Section& operator=(const Section&) = delete;

    bool present() const { return value_ != nullptr && !value_->isNull(); }

    void text(const char* key, std::string& out) {
        if (const auto* v = member(key)) {
            if (v->isString()) out = v->asString();
            else problem(key, "must be a string");
        }
    }

    void boolean(const char* key, bool& out) {
        if (const auto* v = member(key)) {
            if (v->isBool()) out = v->asBool();
            else problem(key, "must be true or false");
        }
    }

    template <typename Int> void integer(const char* key, Int& out, std::int64_t min, std::int64_t max) {
        if (const auto* v = member(key)) {
            if (v->isIntegral() && v->isInt64() && v->asInt64() >= min && v->asInt64() <= max)
                out = static_cast<Int>(v->asInt64());
            else
                problem(key, "must be an integer from " + std::to_string(min) + " to " +
                                 std::to_string(max));
        }
    }

    void text_list(const char* key, std::vector<std::string>& out) {
        const auto* v = member(key);
        if (v == nullptr) return;
        if (!v->isArray()) {
            problem(key, "must be a list of strings");
            return;
        }
        out.clear();
        for (const auto& item : *v) {
            if (!item.isString()) {
                problem(key, "must be a list of strings");
                return;
            }
            out.push_back(item.asString());
        }
    }

    // A nested object; absent is fine (defaults apply).
    Section object(const char* key) { return Section(member(key), path_ + key + ".", problems_); }

    const Json::Value* member(const char* key) {
        known_.insert(key);
        if (!present() || !value_->isMember(key)) return nullptr;
        return &(*value_)[key];
    }

    void problem(const std::string& key, const std::string& what) {
        std::string where = path_ + key;
        if (!where.empty() && where.back() == '.') where.pop_back();
        problems_.push_back((where.empty() ? std::string("config") : where) + ": " + what);
    }

private:
    const Json::Value* value_;
    std::string path_;
    std::vector<std::string>& problems_;
    std::set<std::string> known_;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_alnum(char c) { return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// [A-Za-z0-9_]{0,32}: spliced into SQL table names, so nothing else may pass.
bool is_table_prefix(const std::string& text) {
    return text.size() <= 32 &&
           std::all_of(text.begin(), text.end(), [](char c) { return is_alnum(c) || c == '_'; });
}

// http(s)://host[:port] with nothing after it, as browsers send Origin.
bool is_origin(const std::string& text) {
    std::size_t i = text.rfind("https://", 0) == 0 ? 8 : text.rfind("http://", 0) == 0 ? 7 : 0;
    if (i == 0) return false;
    const std::size_t host_start = i;
    while (i < text.size() && (is_alnum(text[i]) || text[i] == '.' || text[i] == '-')) ++i;
    if (i == host_start) return false;
    if (i == text.size()) return true;
    if (text[i] != ':') return false;
    const std::size_t port_digits = text.size() - i - 1;
    return port_digits >= 1 && port_digits <= 5 &&
           std::all_of(text.begin() + static_cast<std::ptrdiff_t>(i) + 1, text.end(), is_digit);
}

// v<1-3 digits>.<1-3 digits>, as Graph API versions are named.
bool is_api_version(const std::string& text) {
    const auto dot = text.find('.');
    if (text.size() < 4 || text[0] != 'v' || dot == std::string::npos) return false;
    const std::string major = text.substr(1, dot - 1);
    const std::string minor = text.substr(dot + 1);
    const auto digits = [](const std::string& part) {
        return !part.empty() && part.size() <= 3 && std::all_of(part.begin(), part.end(), is_digit);
    };
    return digits(major) && digits(minor);
}

void take_env(const EnvLookup& env, const char* name, std::string& out) {
    if (!out.empty()) return;
    if (auto value = env(name)) out = *value;
}

bool is_https_url(const std::string& url) {
    return url.rfind("https://", 0) == 0 && url.size() > 8;
}

void check_user_fields(Section& section, const char* key, const std::vector<std::string>& fields) {
    static const std::set<std::string> allowed{"first_name", "last_name", "email"};
    for (const auto& f : fields)
        if (allowed.count(f) == 0)
            section.problem(key, "unknown field \"" + f + "\" (first_name, last_name, email)");
}

void read_database(Section s, DatabaseConfig& db, const EnvLookup& env) {
    s.text("host", db.host);
    s.integer("port", db.port, 1, 65535);
    s.text("socket", db.socket);
    s.text("user", db.user);
    s.text("password", db.password);
    s.text("name", db.name);
    s.text("table_prefix", db.table_prefix);
    s.boolean("auto_migrate", db.auto_migrate);
    take_env(env, "SOCIALAUTH_DB_PASSWORD", db.password);
    if (db.user.empty()) s.problem("user", "required");
    if (db.name.empty()) s.problem("name", "required");
    if (!is_table_prefix(db.table_prefix))
        s.problem("table_prefix", "only letters, digits and _ (at most 32)");
}

void read_http(Section s, HttpConfig& http) {
    s.integer("max_body_bytes", http.max_body_bytes, 256, 16 * 1024 * 1024);
    s.text_list("cors_allowed_origins", http.cors_allowed_origins);
    for (const auto& o : http.cors_allowed_origins)
        if (!is_origin(o))
            s.problem("cors_allowed_origins",
                      "\"" + o + "\" is not an origin like https://www.example.com");
}

void read_tokens(Section s, TokensConfig& tokens) {
    s.integer("lifetime_seconds", tokens.lifetime_seconds, 0, 10LL * 365 * 86400);
    s.integer("idle_seconds", tokens.idle_seconds, 0, 10LL * 365 * 86400);
    s.integer("max_per_user", tokens.max_per_user, 0, 100000);
}

// 32 bytes written as 64 hex digits, or as base64 (standard or URL-safe alphabet,
// padding optional) as `openssl rand -base64 32` prints them; nullopt otherwise.
std::optional<std::string> decode_key(std::string text) {
    constexpr std::size_t kKeyBytes = 32;
    text = trim(text);
    const auto hex_value = [](char c) {
        if (is_digit(c)) return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    if (text.size() == 2 * kKeyBytes &&
        std::all_of(text.begin(), text.end(), [&](char c) { return hex_value(c) >= 0; })) {
        std::string key(kKeyBytes, '\0');
        for (std::size_t i = 0; i < kKeyBytes; ++i)
            key[i] = static_cast<char>(hex_value(text[2 * i]) * 16 + hex_value(text[2 * i + 1]));
        return key;
    }
    while (!text.empty() && text.back() == '=') text.pop_back();
    std::replace(text.begin(), text.end(), '+', '-');
    std::replace(text.begin(), text.end(), '/', '_');
    auto key = base64url_decode(text);
    if (!key || key->size() != kKeyBytes) return std::nullopt;
    return key;
}

void read_provider_token_key(Section& s, UsersConfig& users, const EnvLookup& env) {
    constexpr const char* kKeyProblem =
        "must be 32 bytes as 64 hex digits or base64 (openssl rand -base64 32)";
    std::string text;
    s.text("provider_token_key", text);
    if (!text.empty()) {
        if (auto key = decode_key(text)) users.provider_token_key = std::move(*key);
        else s.problem("provider_token_key", kKeyProblem);
        return;
    }
    auto from_env = env("SOCIALAUTH_PROVIDER_TOKEN_KEY");
    if (!from_env || from_env->empty()) return;
    if (auto key = decode_key(*from_env)) users.provider_token_key = std::move(*key);
    else
        s.problem("provider_token_key", std::string("SOCIALAUTH_PROVIDER_TOKEN_KEY ") + kKeyProblem);
}

void read_users(Section s, UsersConfig& users, const EnvLookup& env) {
    s.boolean("allow_signup", users.allow_signup);
    s.integer("username_max_length", users.username_max_length, 8, 150);
    s.text_list("protected_user_fields", users.protected_user_fields);
    s.text_list("immutable_user_fields", users.immutable_user_fields);
    s.boolean("store_provider_tokens", users.store_provider_tokens);
    read_provider_token_key(s, users, env);
    check_user_fields(s, "protected_user_fields", users.protected_user_fields);
    check_user_fields(s, "immutable_user_fields", users.immutable_user_fields);
}

void read_rate_limit(Section s, RateLimit& limit) {
    s.integer("requests", limit.requests, 0, 1000000000);
    s.integer("window_seconds", limit.window_seconds, 1, 86400);
}

void read_rate_limits(Section s, RateLimitsConfig& limits) {
    read_rate_limit(s.object("exchange_per_ip"), limits.exchange_per_ip);
    read_rate_limit(s.object("exchange_per_backend"), limits.exchange_per_backend);
}

void read_outbound(Section s, OutboundConfig& out) {
    s.text("ca_file", out.ca_file);
    s.text("proxy", out.proxy);
    s.integer("connect_timeout_ms", out.connect_timeout_ms, 100, 60000);
    s.integer("timeout_ms", out.timeout_ms, 100, 120000);
    s.integer("max_response_bytes", out.max_response_bytes, 1024, 64 * 1024 * 1024);
    if (out.connect_timeout_ms > out.timeout_ms)
        s.problem("connect_timeout_ms", "must not exceed timeout_ms");
    if (!out.ca_file.empty() && access(out.ca_file.c_str(), R_OK) != 0)
        s.problem("ca_file", "cannot read " + out.ca_file);
}

void check_url(Section& s, const char* key, const std::string& url) {
    if (!is_https_url(url)) s.problem(key, "must be an https:// URL");
}

void read_google(Section s, std::optional<GoogleConfig>& out, const EnvLookup& env) {
    GoogleConfig g;
    s.text_list("client_ids", g.client_ids);
    s.text("secret", g.secret);
    s.text_list("whitelisted_domains", g.whitelisted_domains);
    s.text_list("whitelisted_emails", g.whitelisted_emails);
    s.text("userinfo_url", g.userinfo_url);
    s.text("tokeninfo_url", g.tokeninfo_url);
    s.text("jwks_url", g.jwks_url);
    s.integer("leeway_seconds", g.leeway_seconds, 0, 300);
    s.integer("jwks_refetch_interval_seconds", g.jwks_refetch_interval_seconds, 10, 86400);
    if (g.client_ids.empty())
        if (auto key = env("SOCIAL_AUTH_GOOGLE_OAUTH2_KEY"); key && !key->empty())
            g.client_ids.push_back(*key);
    take_env(env, "SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET", g.secret);
    for (const auto& id : g.client_ids)
        if (id.empty()) s.problem("client_ids", "must not contain an empty string");
    check_url(s, "userinfo_url", g.userinfo_url);
    check_url(s, "tokeninfo_url", g.tokeninfo_url);
    check_url(s, "jwks_url", g.jwks_url);
    if (!g.client_ids.empty()) out = std::move(g);
}

void read_facebook(Section s, std::optional<FacebookConfig>& out, const EnvLookup& env) {
    FacebookConfig f;
    s.text("app_id", f.app_id);
    s.text("app_secret", f.app_secret);
    s.text_list("whitelisted_domains", f.whitelisted_domains);
    s.text_list("whitelisted_emails", f.whitelisted_emails);
    s.text("api_version", f.api_version);
    s.text("graph_url", f.graph_url);
    s.boolean("trust_email", f.trust_email);
    take_env(env, "SOCIAL_AUTH_FACEBOOK_KEY", f.app_id);
    take_env(env, "SOCIAL_AUTH_FACEBOOK_SECRET", f.app_secret);
    if (!is_api_version(f.api_version))
        s.problem("api_version", "must look like v18.0");
    check_url(s, "graph_url", f.graph_url);
    if (f.app_id.empty() != f.app_secret.empty())
        s.problem(f.app_id.empty() ? "app_id" : "app_secret",
                  "required when " + std::string(f.app_id.empty() ? "app_secret" : "app_id") +
                      " is set");
    if (!f.app_id.empty() && !f.app_secret.empty()) out = std::move(f);
}

void read_pipeline(Section& root, std::vector<std::string>& pipeline) {
    if (root.member("pipeline") == nullptr) return;
    root.text_list("pipeline", pipeline);
    const auto& known = default_pipeline();
    std::set<std::string> seen;
    for (const auto& step : pipeline) {
        if (std::find(known.begin(), known.end(), step) == known.end())
            root.problem("pipeline", "unknown step \"" + step + "\"");
        else if (!seen.insert(step).second)
            root.problem("pipeline", "step \"" + step + "\" listed twice");
    }
    for (const char* required : {"social_details", "social_uid"})
        if (seen.count(required) == 0)
            root.problem("pipeline", std::string("must include \"") + required + "\"");
}

} // namespace

const std::vector<std::string>& default_pipeline() {
    static const std::vector<std::string> steps{
        "social_details", "social_uid",         "auth_allowed", "social_user",
        "get_username",   "associate_by_email", "create_user",  "associate_user",
        "load_extra_data", "user_details"};
    return steps;
}

EnvLookup process_environment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) return std::nullopt;
        return std::string(value);
    };
}

ConfigLoad parse_config(const std::string& text, const EnvLookup& env) {
    ConfigLoad load;
    auto json = parse_json_with_comments(text);
    if (!json) {
        load.problems.push_back("config: not valid JSON (" + json.error().detail + ")");
        return load;
    }
    if (!json->isObject()) {
        load.problems.push_back("config: must be a JSON object");
        return load;
    }
    Config config;
    config.pipeline = default_pipeline();
    {
        Section root(&*json, "", load.problems);
        read_database(root.object("database"), config.database, env);
        read_http(root.object("http"), config.http);
        read_tokens(root.object("tokens"), config.tokens);
        read_users(root.object("users"), config.users, env);
        read_rate_limits(root.object("rate_limits"), config.rate_limits);
        read_outbound(root.object("outbound"), config.outbound);
        read_pipeline(root, config.pipeline);
        Section providers = root.object("providers");
        read_google(providers.object("google-oauth2"), config.google, env);
        read_facebook(providers.object("facebook"), config.facebook, env);
    }
    if (load.problems.empty()) load.config = std::move(config);
    return load;
}

ConfigLoad load_config_file(const std::string& path, const EnvLookup& env) {
    ConfigLoad load;
    struct stat info {};
    if (stat(path.c_str(), &info) != 0) {
        load.problems.push_back("config: cannot find " + path);
        return load;
    }
    if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        load.problems.push_back("config: " + path +
                                " must not be accessible by group or others (chmod 600)");
        return load;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        load.problems.push_back("config: cannot read " + path);
        return load;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), env);
}

std::string locate_config(const EnvLookup& env) {
    if (auto path = env("SOCIALAUTH_CONFIG"); path && !path->empty()) return *path;
    if (const passwd* owner = getpwuid(getuid()); owner != nullptr && owner->pw_dir != nullptr) {
        std::string home = std::string(owner->pw_dir) + "/.config/socialauth/config.json";
        if (access(home.c_str(), F_OK) == 0) return home;
    }
    return "/etc/socialauth/config.json";
}

} // namespace socialauth::core
