// core/config: defaults, every bad value and unknown key reported by its key path and
// all at once, the pipeline list, provider enablement, secrets from the environment,
// the file permission check, where the file is looked for, and the annotated
// config.example.json kept in step with the Config struct.
#include "core/config.hpp"

#include "core/json.hpp"

#include <boost/test/unit_test.hpp>
#include <json/writer.h>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using socialauth::core::Config;
using socialauth::core::ConfigLoad;
using socialauth::core::EnvLookup;
using socialauth::core::parse_config;

using Vars = std::map<std::string, std::string>;

EnvLookup env_of(Vars vars) {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        const auto found = vars.find(name);
        if (found == vars.end()) return std::nullopt;
        return found->second;
    };
}

const EnvLookup& no_env() {
    static const EnvLookup env = env_of({});
    return env;
}

// The least a config needs: the database user and name.
Json::Value minimal_json() {
    Json::Value root(Json::objectValue);
    root["database"]["user"] = "app";
    root["database"]["name"] = "appdb";
    return root;
}

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(path);
    while (std::getline(in, part, '.')) parts.push_back(part);
    return parts;
}

Json::Value& at_path(Json::Value& root, const std::string& path) {
    Json::Value* node = &root;
    for (const auto& part : split_path(path)) node = &(*node)[part];
    return *node;
}

// JSON text of a value, without the comments jsoncpp keeps from a commented file.
std::string json_text(const Json::Value& value) {
    Json::StreamWriterBuilder builder;
    builder["indentation"] = "";
    builder["commentStyle"] = "None";
    return Json::writeString(builder, value);
}

// minimal_json() with one value set at a dotted key path.
std::string minimal_with(const std::string& path, const Json::Value& value) {
    Json::Value root = minimal_json();
    at_path(root, path) = value;
    return socialauth::core::to_json(root);
}

ConfigLoad parse(const std::string& text, const EnvLookup& env = no_env()) { return parse_config(text, env); }

// Problems reported under exactly this key path ("key: what").
std::size_t problems_naming(const ConfigLoad& load, const std::string& key) {
    std::size_t n = 0;
    for (const auto& line : load.problems)
        if (line.rfind(key + ": ", 0) == 0) ++n;
    return n;
}

std::string all_problems(const ConfigLoad& load) {
    std::string out;
    for (const auto& line : load.problems) out += line + "\n";
    return out;
}

Json::Value json_array(std::initializer_list<Json::Value> items) {
    Json::Value out(Json::arrayValue);
    for (const auto& item : items) out.append(item);
    return out;
}

std::string example_path() { return std::string(SOCIALAUTH_TEST_DATA) + "/../../config.example.json"; }

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A file written with mkstemp (so mode 0600), removed again at the end of the test.
class TempFile {
public:
    explicit TempFile(const std::string& content) {
        const char* dir = std::getenv("TMPDIR");
        std::string pattern = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") +
                              "/socialauth-config-test-XXXXXX";
        const int fd = mkstemp(pattern.data());
        BOOST_TEST_REQUIRE(fd >= 0);
        path_ = pattern;
        std::size_t written = 0;
        while (written < content.size()) {
            const auto n = write(fd, content.data() + written, content.size() - written);
            BOOST_TEST_REQUIRE(n > 0);
            written += static_cast<std::size_t>(n);
        }
        close(fd);
    }
    ~TempFile() { unlink(path_.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    const std::string& path() const { return path_; }
    void chmod_to(mode_t mode) const { BOOST_TEST_REQUIRE(::chmod(path_.c_str(), mode) == 0); }

private:
    std::string path_;
};

// Every leaf key of Config, as a key path. When a field is added to Config, add it
// here: the tests below then insist that config.example.json documents it and that
// parse_config reads it.
const std::vector<std::string>& config_key_paths() {
    static const std::vector<std::string> paths{
        "database.host", "database.port", "database.socket", "database.user",
        "database.password", "database.name", "database.table_prefix", "database.auto_migrate",
        "http.max_body_bytes", "http.cors_allowed_origins",
        "tokens.lifetime_seconds", "tokens.idle_seconds", "tokens.max_per_user",
        "users.allow_signup", "users.username_max_length", "users.protected_user_fields",
        "users.immutable_user_fields", "users.store_provider_tokens", "users.provider_token_key",
        "rate_limits.exchange_per_ip.requests", "rate_limits.exchange_per_ip.window_seconds",
        "rate_limits.exchange_per_backend.requests",
        "rate_limits.exchange_per_backend.window_seconds",
        "pipeline",
        "outbound.ca_file", "outbound.proxy", "outbound.connect_timeout_ms", "outbound.timeout_ms",
        "outbound.max_response_bytes",
        "providers.google-oauth2.client_ids", "providers.google-oauth2.secret",
        "providers.google-oauth2.whitelisted_domains", "providers.google-oauth2.whitelisted_emails",
        "providers.google-oauth2.userinfo_url", "providers.google-oauth2.tokeninfo_url",
        "providers.google-oauth2.jwks_url", "providers.google-oauth2.leeway_seconds",
        "providers.google-oauth2.jwks_refetch_interval_seconds",
        "providers.facebook.app_id", "providers.facebook.app_secret",
        "providers.facebook.whitelisted_domains", "providers.facebook.whitelisted_emails",
        "providers.facebook.api_version", "providers.facebook.graph_url",
        "providers.facebook.trust_email"};
    return paths;
}

void collect_leaf_paths(const Json::Value& node, const std::string& prefix, std::set<std::string>& out) {
    if (!node.isObject()) {
        out.insert(prefix);
        return;
    }
    for (const auto& key : node.getMemberNames())
        collect_leaf_paths(node[key], prefix.empty() ? key : prefix + "." + key, out);
}

} // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(minimal_config_gets_the_documented_defaults) {
    const auto load = parse(socialauth::core::to_json(minimal_json()));
    BOOST_TEST_REQUIRE(load.problems.empty(), all_problems(load));
    BOOST_TEST_REQUIRE(load.config.has_value());
    const Config& c = *load.config;
    BOOST_TEST(c.database.host == "localhost");
    BOOST_TEST(c.database.port == 3306);
    BOOST_TEST(c.database.socket == "");
    BOOST_TEST(c.database.user == "app");
    BOOST_TEST(c.database.name == "appdb");
    BOOST_TEST(c.database.password == "");
    BOOST_TEST(c.database.table_prefix == "");
    BOOST_TEST(c.http.max_body_bytes == 16384);
    BOOST_TEST(c.http.cors_allowed_origins.empty());
    BOOST_TEST(c.tokens.lifetime_seconds == 2592000);
    BOOST_TEST(c.tokens.idle_seconds == 604800);
    BOOST_TEST(c.tokens.max_per_user == 20);
    BOOST_TEST(c.users.allow_signup);
    BOOST_TEST(c.users.username_max_length == 150u);
    BOOST_TEST(c.users.protected_user_fields.empty());
    BOOST_TEST(c.users.immutable_user_fields.empty());
    BOOST_TEST(c.users.store_provider_tokens);
    BOOST_TEST(c.users.provider_token_key.empty());
    BOOST_TEST(c.rate_limits.exchange_per_ip.requests == 30);
    BOOST_TEST(c.rate_limits.exchange_per_ip.window_seconds == 60);
    BOOST_TEST(c.rate_limits.exchange_per_backend.requests == 600);
    BOOST_TEST(c.rate_limits.exchange_per_backend.window_seconds == 60);
    BOOST_TEST(c.pipeline == socialauth::core::default_pipeline());
    BOOST_TEST(c.outbound.ca_file == "");
    BOOST_TEST(c.outbound.proxy == "");
    BOOST_TEST(c.outbound.connect_timeout_ms == 3000);
    BOOST_TEST(c.outbound.timeout_ms == 8000);
    BOOST_TEST(c.outbound.max_response_bytes == 1048576);
    BOOST_TEST(!c.google.has_value());
    BOOST_TEST(!c.facebook.has_value());
}

BOOST_AUTO_TEST_CASE(default_pipeline_has_python_social_auth_names_in_order) {
    const std::vector<std::string> expected{
        "social_details", "social_uid",    "auth_allowed",   "social_user",     "get_username",
        "associate_by_email", "create_user", "associate_user", "load_extra_data", "user_details"};
    BOOST_TEST(socialauth::core::default_pipeline() == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(requires_database_user_and_name) {
    const auto load = parse("{}");
    BOOST_TEST(!load.config.has_value());
    BOOST_TEST(problems_naming(load, "database.user") == 1u, all_problems(load));
    BOOST_TEST(problems_naming(load, "database.name") == 1u, all_problems(load));
}

BOOST_AUTO_TEST_CASE(reports_three_problems_as_three_lines_by_key_name) {
    Json::Value root = minimal_json();
    root["database"]["port"] = "3306";
    root["tokens"]["max_per_user"] = -1;
    root["providers"]["facebook"]["api_version"] = "18";
    const auto load = parse(socialauth::core::to_json(root));
    BOOST_TEST(!load.config.has_value());
    BOOST_TEST_REQUIRE(load.problems.size() == 3u, all_problems(load));
    BOOST_TEST(problems_naming(load, "database.port") == 1u);
    BOOST_TEST(problems_naming(load, "tokens.max_per_user") == 1u);
    BOOST_TEST(problems_naming(load, "providers.facebook.api_version") == 1u);
    for (const auto& line : load.problems) BOOST_TEST(line.find('\n') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(reports_every_bad_value_by_its_key_path) {
    struct Case {
        const char* path;
        Json::Value value;
    };
    const std::vector<Case> cases{
        {"database.host", 5},
        {"database.port", 0},
        {"database.port", 65536},
        {"database.port", "3306"},
        {"database.port", 3306.5},
        {"database.socket", true},
        {"database.password", 1234},
        {"database.table_prefix", "sa-"},
        {"http.max_body_bytes", 10},
        {"http.max_body_bytes", "16384"},
        {"http.cors_allowed_origins", "https://www.example.com"},
        {"http.cors_allowed_origins", json_array({"*"})},
        {"http.cors_allowed_origins", json_array({"https://www.example.com/"})},
        {"http.cors_allowed_origins", json_array({"www.example.com"})},
        {"http.cors_allowed_origins", json_array({1})},
        {"tokens.lifetime_seconds", -1},
        {"tokens.idle_seconds", "604800"},
        {"tokens.max_per_user", true},
        {"users.allow_signup", "yes"},
        {"users.allow_signup", 1},
        {"users.username_max_length", 7},
        {"users.username_max_length", 151},
        {"users.protected_user_fields", json_array({"password"})},
        {"users.immutable_user_fields", json_array({"username"})},
        {"users.protected_user_fields", "email"},
        {"users.store_provider_tokens", "false"},
        {"users.provider_token_key", 1234},
        {"users.provider_token_key", "too-short"},
        {"users.provider_token_key", std::string(63, 'a')},
        {"users.provider_token_key", std::string(64, 'g')},
        {"users.provider_token_key", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZQ=="}, // 31 bytes
        {"users.provider_token_key", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWZn"}, // 33 bytes
        {"rate_limits.exchange_per_ip.requests", -1},
        {"rate_limits.exchange_per_ip.requests", "30"},
        {"rate_limits.exchange_per_ip.window_seconds", 0},
        {"rate_limits.exchange_per_ip.window_seconds", 86401},
        {"rate_limits.exchange_per_backend.requests", 1.5},
        {"rate_limits.exchange_per_backend.window_seconds", -60},
        {"rate_limits.exchange_per_ip", 30},
        {"outbound.ca_file", "/nonexistent/socialauth/ca.pem"},
        {"outbound.proxy", 8080},
        {"outbound.connect_timeout_ms", 50},
        {"outbound.timeout_ms", 1000000},
        {"outbound.max_response_bytes", 10},
        {"providers.google-oauth2.client_ids", "123.apps.googleusercontent.com"},
        {"providers.google-oauth2.client_ids", json_array({""})},
        {"providers.google-oauth2.client_ids", json_array({123})},
        {"providers.google-oauth2.secret", false},
        {"providers.google-oauth2.whitelisted_domains", "example.com"},
        {"providers.google-oauth2.whitelisted_emails", json_array({Json::Value()})},
        {"providers.google-oauth2.userinfo_url", "http://openidconnect.googleapis.com/v1/userinfo"},
        {"providers.google-oauth2.tokeninfo_url", ""},
        {"providers.google-oauth2.jwks_url", "ftp://www.googleapis.com/oauth2/v3/certs"},
        {"providers.google-oauth2.leeway_seconds", -1},
        {"providers.google-oauth2.leeway_seconds", 301},
        {"providers.google-oauth2.leeway_seconds", "60"},
        {"providers.google-oauth2.jwks_refetch_interval_seconds", 0},
        {"providers.google-oauth2.jwks_refetch_interval_seconds", 9},
        {"providers.google-oauth2.jwks_refetch_interval_seconds", 86401},
        {"providers.facebook.app_id", 1234},
        {"providers.facebook.whitelisted_domains", 1},
        {"providers.facebook.api_version", "18.0"},
        {"providers.facebook.api_version", "v18"},
        {"providers.facebook.graph_url", "http://graph.facebook.com"},
        {"providers.facebook.trust_email", "false"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.path << " = " << socialauth::core::to_json(c.value)) {
            const auto load = parse(minimal_with(c.path, c.value));
            BOOST_TEST(!load.config.has_value());
            BOOST_TEST(problems_naming(load, c.path) == 1u, all_problems(load));
            BOOST_TEST(load.problems.size() == 1u, all_problems(load));
        }
    }
}

BOOST_AUTO_TEST_CASE(accepts_values_at_the_edges_of_their_ranges) {
    struct Case {
        const char* path;
        Json::Value value;
    };
    const std::vector<Case> cases{
        {"database.port", 1},
        {"database.port", 65535},
        {"http.max_body_bytes", 256},
        {"tokens.lifetime_seconds", 0},
        {"tokens.idle_seconds", 0},
        {"tokens.max_per_user", 0},
        {"users.username_max_length", 8},
        {"users.username_max_length", 150},
        {"users.protected_user_fields", json_array({"first_name", "last_name", "email"})},
        {"users.immutable_user_fields", json_array({"email"})},
        {"http.cors_allowed_origins", json_array({"https://www.example.com", "http://localhost:8080"})},
        {"providers.facebook.api_version", "v19.0"},
        {"rate_limits.exchange_per_ip.requests", 0},
        {"rate_limits.exchange_per_ip.window_seconds", 1},
        {"rate_limits.exchange_per_backend.window_seconds", 86400},
        {"rate_limits.exchange_per_backend.requests", 1000000000},
        {"users.provider_token_key", ""},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.path << " = " << socialauth::core::to_json(c.value)) {
            const auto load = parse(minimal_with(c.path, c.value));
            BOOST_TEST(load.problems.empty(), all_problems(load));
            BOOST_TEST(load.config.has_value());
        }
    }
}

BOOST_AUTO_TEST_CASE(connect_timeout_may_not_exceed_the_total_timeout) {
    Json::Value root = minimal_json();
    root["outbound"]["connect_timeout_ms"] = 5000;
    root["outbound"]["timeout_ms"] = 4000;
    const auto load = parse(socialauth::core::to_json(root));
    BOOST_TEST(problems_naming(load, "outbound.connect_timeout_ms") == 1u, all_problems(load));
    BOOST_TEST(!load.config.has_value());
}

BOOST_AUTO_TEST_CASE(reports_unknown_keys_at_every_level_all_at_once) {
    Json::Value root = minimal_json();
    root["extra"] = 1;
    root["database"]["hostname"] = "db";
    root["http"]["max_body"] = 1;
    root["tokens"]["lifetime"] = 1;
    root["users"]["signup"] = true;
    root["outbound"]["timeout"] = 1;
    root["providers"]["github"] = Json::Value(Json::objectValue);
    root["providers"]["google-oauth2"]["client_id"] = "x";
    root["providers"]["facebook"]["appid"] = "x";
    const auto load = parse(socialauth::core::to_json(root));
    BOOST_TEST(!load.config.has_value());
    for (const char* key : {"extra", "database.hostname", "http.max_body", "tokens.lifetime",
                            "users.signup", "outbound.timeout", "providers.github",
                            "providers.google-oauth2.client_id", "providers.facebook.appid"}) {
        BOOST_TEST(problems_naming(load, key) == 1u, key << "\n" << all_problems(load));
    }
    BOOST_TEST(load.problems.size() == 9u, all_problems(load));
    for (const auto& line : load.problems) BOOST_TEST(line.find("unknown key") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(backend_names_are_case_sensitive_keys) {
    Json::Value root = minimal_json();
    root["providers"]["Google-OAuth2"]["client_ids"] = json_array({"x"});
    const auto load = parse(socialauth::core::to_json(root));
    BOOST_TEST(problems_naming(load, "providers.Google-OAuth2") == 1u, all_problems(load));
}

BOOST_AUTO_TEST_CASE(reports_a_section_that_is_not_an_object) {
    Json::Value root = minimal_json();
    root["tokens"] = json_array({1});
    root["providers"] = "google";
    const auto load = parse(socialauth::core::to_json(root));
    BOOST_TEST(problems_naming(load, "tokens") == 1u, all_problems(load));
    BOOST_TEST(problems_naming(load, "providers") == 1u, all_problems(load));
    BOOST_TEST(!load.config.has_value());
}

BOOST_AUTO_TEST_CASE(rejects_a_root_that_is_not_an_object) {
    const auto load = parse("[]");
    BOOST_TEST(!load.config.has_value());
    BOOST_TEST_REQUIRE(load.problems.size() == 1u);
    BOOST_TEST(load.problems[0].rfind("config: ", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(reports_unparsable_json_as_one_problem) {
    for (const std::string text : {"", "{", "{\"database\": {\"user\": \"a\",}}", "{} {}"}) {
        const auto load = parse(text);
        BOOST_TEST(!load.config.has_value(), text);
        BOOST_TEST_REQUIRE(load.problems.size() == 1u, text);
        BOOST_TEST(load.problems[0].rfind("config: ", 0) == 0u, text);
    }
}

BOOST_AUTO_TEST_CASE(rejects_duplicate_keys) {
    const auto load = parse(R"({"database": {"user": "a", "name": "b", "port": 1, "port": 2}})");
    BOOST_TEST(!load.config.has_value());
    BOOST_TEST_REQUIRE(load.problems.size() == 1u);
    BOOST_TEST(load.problems[0].find("Duplicate key") != std::string::npos, all_problems(load));
}

BOOST_AUTO_TEST_CASE(allows_line_and_block_comments) {
    const auto load = parse(
        "// socialauth config\n"
        "{\n"
        "  /* the database */\n"
        "  \"database\": {\"user\": \"app\", // who\n"
        "                \"name\": \"appdb\", \"port\": 3307}\n"
        "}\n");
    BOOST_TEST_REQUIRE(load.problems.empty(), all_problems(load));
    BOOST_TEST(load.config->database.port == 3307);
}

BOOST_AUTO_TEST_CASE(pipeline_may_leave_out_steps_and_keeps_its_order) {
    const std::vector<std::string> steps{"social_details", "social_uid", "social_user",
                                         "associate_user", "user_details"};
    Json::Value list(Json::arrayValue);
    for (const auto& s : steps) list.append(s);
    const auto load = parse(minimal_with("pipeline", list));
    BOOST_TEST_REQUIRE(load.problems.empty(), all_problems(load));
    BOOST_TEST(load.config->pipeline == steps, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(pipeline_rejects_unknown_steps) {
    const auto load = parse(minimal_with(
        "pipeline", json_array({"social_details", "social_uid", "load_extra_data", "mail_validation"})));
    BOOST_TEST(!load.config.has_value());
    BOOST_TEST_REQUIRE(problems_naming(load, "pipeline") == 1u, all_problems(load));
    BOOST_TEST(load.problems[0].find("mail_validation") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(pipeline_step_names_are_case_sensitive) {
    const auto load = parse(minimal_with("pipeline", json_array({"social_details", "Social_UID"})));
    BOOST_TEST(!load.config.has_value());
    BOOST_TEST(problems_naming(load, "pipeline") >= 1u, all_problems(load));
}

BOOST_AUTO_TEST_CASE(pipeline_rejects_a_step_listed_twice) {
    const auto load = parse(minimal_with(
        "pipeline", json_array({"social_details", "social_uid", "create_user", "create_user"})));
    BOOST_TEST(!load.config.has_value());
    BOOST_TEST_REQUIRE(problems_naming(load, "pipeline") == 1u, all_problems(load));
    BOOST_TEST(load.problems[0].find("create_user") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(pipeline_requires_social_details_and_social_uid) {
    const auto without_uid = parse(minimal_with("pipeline", json_array({"social_details", "social_user"})));
    BOOST_TEST_REQUIRE(problems_naming(without_uid, "pipeline") == 1u, all_problems(without_uid));
    BOOST_TEST(without_uid.problems[0].find("social_uid") != std::string::npos);

    const auto empty = parse(minimal_with("pipeline", Json::Value(Json::arrayValue)));
    BOOST_TEST(problems_naming(empty, "pipeline") == 2u, all_problems(empty));
    BOOST_TEST(!empty.config.has_value());
}

BOOST_AUTO_TEST_CASE(pipeline_must_be_a_list_of_strings) {
    const auto load = parse(minimal_with("pipeline", "social_details"));
    BOOST_TEST(problems_naming(load, "pipeline") >= 1u, all_problems(load));
    BOOST_TEST(!load.config.has_value());
}

BOOST_AUTO_TEST_CASE(google_is_enabled_only_with_a_client_id) {
    Json::Value root = minimal_json();
    root["providers"]["google-oauth2"]["client_ids"] = Json::Value(Json::arrayValue);
    root["providers"]["google-oauth2"]["secret"] = "s3cret";
    auto load = parse(socialauth::core::to_json(root));
    BOOST_TEST_REQUIRE(load.problems.empty(), all_problems(load));
    BOOST_TEST(!load.config->google.has_value());

    root["providers"]["google-oauth2"]["client_ids"] = json_array({"a.apps.googleusercontent.com", "b"});
    root["providers"]["google-oauth2"]["whitelisted_domains"] = json_array({"example.com"});
    load = parse(socialauth::core::to_json(root));
    BOOST_TEST_REQUIRE(load.problems.empty(), all_problems(load));
    BOOST_TEST_REQUIRE(load.config->google.has_value());
    BOOST_TEST(load.config->google->client_ids ==
                   (std::vector<std::string>{"a.apps.googleusercontent.com", "b"}),
               boost::test_tools::per_element());
    BOOST_TEST(load.config->google->whitelisted_domains == std::vector<std::string>{"example.com"},
               boost::test_tools::per_element());
    BOOST_TEST(load.config->google->userinfo_url == "https://openidconnect.googleapis.com/v1/userinfo");
    BOOST_TEST(load.config->google->tokeninfo_url == "https://oauth2.googleapis.com/tokeninfo");
    BOOST_TEST(load.config->google->jwks_url == "https://www.googleapis.com/oauth2/v3/certs");
    BOOST_TEST(load.config->google->leeway_seconds == 60);
    BOOST_TEST(load.config->google->jwks_refetch_interval_seconds == 60);
}

BOOST_AUTO_TEST_CASE(facebook_is_enabled_only_with_app_id_and_secret) {
    Json::Value root = minimal_json();
    root["providers"]["facebook"]["trust_email"] = true;
    auto load = parse(socialauth::core::to_json(root));
    BOOST_TEST_REQUIRE(load.problems.empty(), all_problems(load));
    BOOST_TEST(!load.config->facebook.has_value());

    root["providers"]["facebook"]["app_id"] = "1234";
    root["providers"]["facebook"]["app_secret"] = "fb-secret";
    load = parse(socialauth::core::to_json(root));
    BOOST_TEST_REQUIRE(load.problems.empty(), all_problems(load));
    BOOST_TEST_REQUIRE(load.config->facebook.has_value());
    BOOST_TEST(load.config->facebook->app_id == "1234");
    BOOST_TEST(load.config->facebook->app_secret == "fb-secret");
    BOOST_TEST(load.config->facebook->trust_email);
    BOOST_TEST(load.config->facebook->api_version == "v18.0");
    BOOST_TEST(load.config->facebook->graph_url == "https://graph.facebook.com");
}

BOOST_AUTO_TEST_CASE(facebook_with_only_half_its_credentials_is_a_problem) {
    const auto id_only = parse(minimal_with("providers.facebook.app_id", "1234"));
    BOOST_TEST(problems_naming(id_only, "providers.facebook.app_secret") == 1u, all_problems(id_only));
    BOOST_TEST(!id_only.config.has_value());

    const auto secret_only = parse(minimal_with("providers.facebook.app_secret", "fb-secret"));
    BOOST_TEST(problems_naming(secret_only, "providers.facebook.app_id") == 1u, all_problems(secret_only));
    BOOST_TEST(!secret_only.config.has_value());
}

BOOST_AUTO_TEST_CASE(environment_supplies_secrets_the_file_leaves_out) {
    const auto env = env_of({{"SOCIAL_AUTH_GOOGLE_OAUTH2_KEY", "env-id.apps.googleusercontent.com"},
                             {"SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET", "env-google-secret"},
                             {"SOCIAL_AUTH_FACEBOOK_KEY", "env-fb-id"},
                             {"SOCIAL_AUTH_FACEBOOK_SECRET", "env-fb-secret"},
                             {"SOCIALAUTH_DB_PASSWORD", "env-db-password"}});
    const auto load = parse(socialauth::core::to_json(minimal_json()), env);
    BOOST_TEST_REQUIRE(load.problems.empty(), all_problems(load));
    const Config& c = *load.config;
    BOOST_TEST(c.database.password == "env-db-password");
    BOOST_TEST_REQUIRE(c.google.has_value());
    BOOST_TEST(c.google->client_ids == std::vector<std::string>{"env-id.apps.googleusercontent.com"},
               boost::test_tools::per_element());
    BOOST_TEST(c.google->secret == "env-google-secret");
    BOOST_TEST_REQUIRE(c.facebook.has_value());
    BOOST_TEST(c.facebook->app_id == "env-fb-id");
    BOOST_TEST(c.facebook->app_secret == "env-fb-secret");
}

BOOST_AUTO_TEST_CASE(environment_fills_empty_secret_values_in_the_file) {
    Json::Value root = minimal_json();
    root["database"]["password"] = "";
    root["providers"]["google-oauth2"]["client_ids"] = Json::Value(Json::arrayValue);
    root["providers"]["facebook"]["app_id"] = "";
    root["providers"]["facebook"]["app_secret"] = "";
    const auto env = env_of({{"SOCIAL_AUTH_GOOGLE_OAUTH2_KEY", "env-id"},
                             {"SOCIAL_AUTH_FACEBOOK_KEY", "env-fb-id"},
                             {"SOCIAL_AUTH_FACEBOOK_SECRET", "env-fb-secret"},
                             {"SOCIALAUTH_DB_PASSWORD", "env-db-password"}});
    const auto load = parse(socialauth::core::to_json(root), env);
    BOOST_TEST_REQUIRE(load.problems.empty(), all_problems(load));
    BOOST_TEST(load.config->database.password == "env-db-password");
    BOOST_TEST_REQUIRE(load.config->google.has_value());
    BOOST_TEST(load.config->google->client_ids.front() == "env-id");
    BOOST_TEST_REQUIRE(load.config->facebook.has_value());
    BOOST_TEST(load.config->facebook->app_id == "env-fb-id");
}

BOOST_AUTO_TEST_CASE(file_values_take_precedence_over_the_environment) {
    Json::Value root = minimal_json();
    root["database"]["password"] = "file-db-password";
    root["providers"]["google-oauth2"]["client_ids"] = json_array({"file-id"});
    root["providers"]["google-oauth2"]["secret"] = "file-google-secret";
    root["providers"]["facebook"]["app_id"] = "file-fb-id";
    root["providers"]["facebook"]["app_secret"] = "file-fb-secret";
    const auto env = env_of({{"SOCIAL_AUTH_GOOGLE_OAUTH2_KEY", "env-id"},
                             {"SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET", "env-google-secret"},
                             {"SOCIAL_AUTH_FACEBOOK_KEY", "env-fb-id"},
                             {"SOCIAL_AUTH_FACEBOOK_SECRET", "env-fb-secret"},
                             {"SOCIALAUTH_DB_PASSWORD", "env-db-password"}});
    const auto load = parse(socialauth::core::to_json(root), env);
    BOOST_TEST_REQUIRE(load.problems.empty(), all_problems(load));
    BOOST_TEST(load.config->database.password == "file-db-password");
    BOOST_TEST(load.config->google->client_ids == std::vector<std::string>{"file-id"},
               boost::test_tools::per_element());
    BOOST_TEST(load.config->google->secret == "file-google-secret");
    BOOST_TEST(load.config->facebook->app_id == "file-fb-id");
    BOOST_TEST(load.config->facebook->app_secret == "file-fb-secret");
}

BOOST_AUTO_TEST_CASE(empty_environment_values_enable_nothing) {
    const auto env = env_of({{"SOCIAL_AUTH_GOOGLE_OAUTH2_KEY", ""},
                             {"SOCIAL_AUTH_FACEBOOK_KEY", ""},
                             {"SOCIAL_AUTH_FACEBOOK_SECRET", ""}});
    const auto load = parse(socialauth::core::to_json(minimal_json()), env);
    BOOST_TEST_REQUIRE(load.problems.empty(), all_problems(load));
    BOOST_TEST(!load.config->google.has_value());
    BOOST_TEST(!load.config->facebook.has_value());
}

BOOST_AUTO_TEST_CASE(half_of_facebooks_credentials_from_the_environment_is_a_problem) {
    const auto load = parse(socialauth::core::to_json(minimal_json()),
                            env_of({{"SOCIAL_AUTH_FACEBOOK_KEY", "env-fb-id"}}));
    BOOST_TEST(problems_naming(load, "providers.facebook.app_secret") == 1u, all_problems(load));
}

BOOST_AUTO_TEST_CASE(table_prefix_takes_letters_digits_and_underscore_up_to_32) {
    for (const std::string& ok : std::vector<std::string>{"", "sa_", "App2_", std::string(32, 'p')}) {
        const auto load = parse(minimal_with("database.table_prefix", ok));
        BOOST_TEST(load.problems.empty(), ok << ": " << all_problems(load));
        if (load.config) BOOST_TEST(load.config->database.table_prefix == ok);
    }
    for (const std::string& bad :
         std::vector<std::string>{"sa-", "a b", "sa.", "x;DROP", "pr\xC3\xA9", "`x`", std::string(33, 'p')}) {
        const auto load = parse(minimal_with("database.table_prefix", bad));
        BOOST_TEST(problems_naming(load, "database.table_prefix") == 1u, bad << ": " << all_problems(load));
        BOOST_TEST(!load.config.has_value());
    }
}

BOOST_AUTO_TEST_CASE(loads_a_file_only_its_owner_can_read) {
    TempFile file(socialauth::core::to_json(minimal_json()));
    const auto load = socialauth::core::load_config_file(file.path(), no_env());
    BOOST_TEST(load.problems.empty(), all_problems(load));
    BOOST_TEST(load.config.has_value());
}

BOOST_AUTO_TEST_CASE(load_config_file_applies_the_environment) {
    TempFile file(socialauth::core::to_json(minimal_json()));
    const auto load =
        socialauth::core::load_config_file(file.path(), env_of({{"SOCIALAUTH_DB_PASSWORD", "pw"}}));
    BOOST_TEST_REQUIRE(load.config.has_value(), all_problems(load));
    BOOST_TEST(load.config->database.password == "pw");
}

BOOST_AUTO_TEST_CASE(refuses_a_file_that_group_or_others_may_access) {
    TempFile file(socialauth::core::to_json(minimal_json()));
    for (const mode_t mode : {mode_t{0640}, mode_t{0604}, mode_t{0620}, mode_t{0602}, mode_t{0644},
                              mode_t{0601}, mode_t{0610}}) {
        file.chmod_to(mode);
        const auto load = socialauth::core::load_config_file(file.path(), no_env());
        BOOST_TEST(!load.config.has_value(), "mode " << std::oct << mode);
        BOOST_TEST_REQUIRE(load.problems.size() == 1u, "mode " << std::oct << mode);
        BOOST_TEST(load.problems[0].find(file.path()) != std::string::npos);
        BOOST_TEST(load.problems[0].find("group or others") != std::string::npos, load.problems[0]);
    }
    file.chmod_to(0400);
    BOOST_TEST(socialauth::core::load_config_file(file.path(), no_env()).config.has_value());
}

BOOST_AUTO_TEST_CASE(reports_a_missing_file) {
    const std::string path = "/nonexistent/socialauth/config.json";
    const auto load = socialauth::core::load_config_file(path, no_env());
    BOOST_TEST(!load.config.has_value());
    BOOST_TEST_REQUIRE(load.problems.size() == 1u);
    BOOST_TEST(load.problems[0].rfind("config: ", 0) == 0u);
    BOOST_TEST(load.problems[0].find(path) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(reports_problems_in_a_file_by_key_name) {
    Json::Value root = minimal_json();
    root["database"]["port"] = 0;
    TempFile file(socialauth::core::to_json(root));
    const auto load = socialauth::core::load_config_file(file.path(), no_env());
    BOOST_TEST(problems_naming(load, "database.port") == 1u, all_problems(load));
}

BOOST_AUTO_TEST_CASE(locate_config_prefers_socialauth_config) {
    const auto env = env_of({{"SOCIALAUTH_CONFIG", "/srv/site/private/socialauth.json"},
                             {"HOME", "/nonexistent-home"}});
    BOOST_TEST(socialauth::core::locate_config(env) == "/srv/site/private/socialauth.json");
}

BOOST_AUTO_TEST_CASE(locate_config_falls_back_to_the_owners_home_then_etc) {
    // The fallback depends on the machine: the owner's file when it exists, else /etc.
    std::string home_file;
    if (const passwd* owner = getpwuid(getuid()); owner != nullptr && owner->pw_dir != nullptr)
        home_file = std::string(owner->pw_dir) + "/.config/socialauth/config.json";
    const std::string found = socialauth::core::locate_config(no_env());
    if (!home_file.empty() && access(home_file.c_str(), F_OK) == 0)
        BOOST_TEST(found == home_file);
    else
        BOOST_TEST(found == "/etc/socialauth/config.json");
    // An empty SOCIALAUTH_CONFIG counts as unset.
    BOOST_TEST(socialauth::core::locate_config(env_of({{"SOCIALAUTH_CONFIG", ""}})) == found);
}

BOOST_AUTO_TEST_CASE(example_config_parses_without_problems) {
    const std::string text = read_file(example_path());
    BOOST_TEST_REQUIRE(!text.empty(), "cannot read " << example_path());
    const auto load = parse(text);
    BOOST_TEST(load.problems.empty(), all_problems(load));
    BOOST_TEST(load.config.has_value());
}

BOOST_AUTO_TEST_CASE(example_config_documents_every_config_key) {
    auto json = socialauth::core::parse_json_with_comments(read_file(example_path()));
    BOOST_TEST_REQUIRE(json.ok(), "cannot parse " << example_path());
    std::set<std::string> in_example;
    collect_leaf_paths(*json, "", in_example);
    for (const auto& path : config_key_paths())
        BOOST_TEST(in_example.count(path) == 1u, path << " is missing from config.example.json");
    const std::set<std::string> known(config_key_paths().begin(), config_key_paths().end());
    for (const auto& path : in_example)
        BOOST_TEST(known.count(path) == 1u, path << " is in config.example.json but not in config_key_paths()");
}

BOOST_AUTO_TEST_CASE(parse_config_reads_every_documented_key) {
    // A value of the wrong type at each key must be reported under that key, which
    // proves the parser reads it (an unread key would be reported as unknown).
    auto json = socialauth::core::parse_json_with_comments(read_file(example_path()));
    BOOST_TEST_REQUIRE(json.ok());
    for (const auto& path : config_key_paths()) {
        Json::Value root = *json;
        Json::Value wrong(Json::objectValue);
        wrong["not"] = "this";
        at_path(root, path) = wrong;
        const auto load = parse(json_text(root));
        BOOST_TEST(problems_naming(load, path) >= 1u, path << ": " << all_problems(load));
        for (const auto& line : load.problems)
            BOOST_TEST(line.find("unknown key") == std::string::npos, path << ": " << line);
    }
}

BOOST_AUTO_TEST_CASE(example_config_states_the_code_defaults) {
    // Apart from the placeholders a user must replace, the example's values are the
    // defaults, so reading it tells the truth about what leaving a key out means.
    const auto example = parse(read_file(example_path()));
    const auto defaults = parse(socialauth::core::to_json(minimal_json()));
    BOOST_TEST_REQUIRE(example.config.has_value());
    BOOST_TEST_REQUIRE(defaults.config.has_value());
    const Config& e = *example.config;
    const Config& d = *defaults.config;
    BOOST_TEST(e.database.host == d.database.host);
    BOOST_TEST(e.database.port == d.database.port);
    BOOST_TEST(e.database.socket == d.database.socket);
    BOOST_TEST(e.database.table_prefix == d.database.table_prefix);
    BOOST_TEST(e.http.max_body_bytes == d.http.max_body_bytes);
    BOOST_TEST(e.http.cors_allowed_origins == d.http.cors_allowed_origins);
    BOOST_TEST(e.tokens.lifetime_seconds == d.tokens.lifetime_seconds);
    BOOST_TEST(e.tokens.idle_seconds == d.tokens.idle_seconds);
    BOOST_TEST(e.tokens.max_per_user == d.tokens.max_per_user);
    BOOST_TEST(e.users.allow_signup == d.users.allow_signup);
    BOOST_TEST(e.users.username_max_length == d.users.username_max_length);
    BOOST_TEST(e.users.protected_user_fields == d.users.protected_user_fields);
    BOOST_TEST(e.users.immutable_user_fields == d.users.immutable_user_fields);
    BOOST_TEST(e.users.store_provider_tokens == d.users.store_provider_tokens);
    BOOST_TEST(e.users.provider_token_key == d.users.provider_token_key);
    BOOST_TEST(e.rate_limits.exchange_per_ip.requests == d.rate_limits.exchange_per_ip.requests);
    BOOST_TEST(e.rate_limits.exchange_per_ip.window_seconds ==
               d.rate_limits.exchange_per_ip.window_seconds);
    BOOST_TEST(e.rate_limits.exchange_per_backend.requests ==
               d.rate_limits.exchange_per_backend.requests);
    BOOST_TEST(e.rate_limits.exchange_per_backend.window_seconds ==
               d.rate_limits.exchange_per_backend.window_seconds);
    BOOST_TEST(e.pipeline == d.pipeline, boost::test_tools::per_element());
    BOOST_TEST(e.outbound.ca_file == d.outbound.ca_file);
    BOOST_TEST(e.outbound.proxy == d.outbound.proxy);
    BOOST_TEST(e.outbound.connect_timeout_ms == d.outbound.connect_timeout_ms);
    BOOST_TEST(e.outbound.timeout_ms == d.outbound.timeout_ms);
    BOOST_TEST(e.outbound.max_response_bytes == d.outbound.max_response_bytes);

    const socialauth::core::GoogleConfig google_defaults;
    BOOST_TEST_REQUIRE(e.google.has_value());
    BOOST_TEST(e.google->userinfo_url == google_defaults.userinfo_url);
    BOOST_TEST(e.google->tokeninfo_url == google_defaults.tokeninfo_url);
    BOOST_TEST(e.google->jwks_url == google_defaults.jwks_url);
    BOOST_TEST(e.google->leeway_seconds == google_defaults.leeway_seconds);
    BOOST_TEST(e.google->jwks_refetch_interval_seconds ==
               google_defaults.jwks_refetch_interval_seconds);
    BOOST_TEST(e.google->whitelisted_domains.empty());
    BOOST_TEST(e.google->whitelisted_emails.empty());

    // Facebook is disabled in the example (no app id), so its defaults are read from
    // the JSON itself.
    auto json = socialauth::core::parse_json_with_comments(read_file(example_path()));
    BOOST_TEST_REQUIRE(json.ok());
    const Json::Value& fb = (*json)["providers"]["facebook"];
    const socialauth::core::FacebookConfig facebook_defaults;
    BOOST_TEST(fb["api_version"].asString() == facebook_defaults.api_version);
    BOOST_TEST(fb["graph_url"].asString() == facebook_defaults.graph_url);
    BOOST_TEST(fb["trust_email"].asBool() == facebook_defaults.trust_email);
}

// ---- users.provider_token_key --------------------------------------------------------

namespace {

// The 32 bytes "0123456789abcdef0123456789abcdef" in each accepted spelling.
const std::string kKeyBytes = "0123456789abcdef0123456789abcdef";
const std::string kKeyHex = "3031323334353637383961626364656630313233343536373839616263646566";
const std::string kKeyBase64 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

std::string key_read_from(const std::string& text, const EnvLookup& env = no_env()) {
    const auto load = parse(text, env);
    BOOST_TEST_REQUIRE(load.config.has_value(), all_problems(load));
    return load.config->users.provider_token_key;
}

} // namespace

BOOST_AUTO_TEST_CASE(provider_token_key_is_hex_or_base64_of_32_bytes) {
    const std::vector<std::string> spellings{
        kKeyHex, kKeyBase64, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY",
        " " + kKeyBase64 + "\n"};
    for (const auto& spelling : spellings)
        BOOST_TEST(key_read_from(minimal_with("users.provider_token_key", spelling)) == kKeyBytes,
                   spelling);
    // Upper-case hex, and base64 with + and / as well as its URL-safe form.
    std::string upper = kKeyHex;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    BOOST_TEST(key_read_from(minimal_with("users.provider_token_key", upper)) == kKeyBytes);
    const std::string high(32, '\xFB');
    BOOST_TEST(key_read_from(minimal_with("users.provider_token_key",
                                          "+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/s=")) == high);
    BOOST_TEST(key_read_from(minimal_with("users.provider_token_key",
                                          "-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_s")) == high);
}

BOOST_AUTO_TEST_CASE(provider_token_key_may_come_from_the_environment) {
    const std::string minimal = socialauth::core::to_json(minimal_json());
    BOOST_TEST(key_read_from(minimal).empty());
    BOOST_TEST(key_read_from(minimal, env_of({{"SOCIALAUTH_PROVIDER_TOKEN_KEY", kKeyHex}})) ==
               kKeyBytes);
    BOOST_TEST(key_read_from(minimal, env_of({{"SOCIALAUTH_PROVIDER_TOKEN_KEY", ""}})).empty());
    // The file wins over the environment, as for every other secret.
    const std::string other_hex(64, 'f');
    BOOST_TEST(key_read_from(minimal_with("users.provider_token_key", other_hex),
                             env_of({{"SOCIALAUTH_PROVIDER_TOKEN_KEY", kKeyHex}})) ==
               std::string(32, '\xFF'));
}

BOOST_AUTO_TEST_CASE(a_malformed_provider_token_key_is_reported_by_key_name_without_its_value) {
    const std::string secret_looking = "my-secret-passphrase-that-is-no-key";
    auto load = parse(minimal_with("users.provider_token_key", secret_looking));
    BOOST_TEST(!load.config.has_value());
    BOOST_TEST_REQUIRE(problems_naming(load, "users.provider_token_key") == 1u, all_problems(load));
    BOOST_TEST(all_problems(load).find(secret_looking) == std::string::npos);

    load = parse(socialauth::core::to_json(minimal_json()),
                 env_of({{"SOCIALAUTH_PROVIDER_TOKEN_KEY", secret_looking}}));
    BOOST_TEST(!load.config.has_value());
    BOOST_TEST_REQUIRE(problems_naming(load, "users.provider_token_key") == 1u, all_problems(load));
    BOOST_TEST(all_problems(load).find("SOCIALAUTH_PROVIDER_TOKEN_KEY") != std::string::npos);
    BOOST_TEST(all_problems(load).find(secret_looking) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(rate_limits_are_read_per_limit) {
    Json::Value root = minimal_json();
    root["rate_limits"]["exchange_per_ip"]["requests"] = 5;
    root["rate_limits"]["exchange_per_backend"]["window_seconds"] = 3600;
    const auto load = parse(socialauth::core::to_json(root));
    BOOST_TEST_REQUIRE(load.config.has_value(), all_problems(load));
    const auto& limits = load.config->rate_limits;
    BOOST_TEST(limits.exchange_per_ip.requests == 5);
    BOOST_TEST(limits.exchange_per_ip.window_seconds == 60);
    BOOST_TEST(limits.exchange_per_backend.requests == 600);
    BOOST_TEST(limits.exchange_per_backend.window_seconds == 3600);

    root["rate_limits"]["exchange_per_client"]["requests"] = 5;
    BOOST_TEST(problems_naming(parse(socialauth::core::to_json(root)),
                               "rate_limits.exchange_per_client") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
