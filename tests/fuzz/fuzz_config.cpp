// libFuzzer target: core::parse_config, the config loader (SPEC §6), on fuzzed file
// text, once without and once with secrets in the environment.
// Invariants: a Config comes back exactly when no problem is reported; an enabled
// backend has its credentials; a problem report never repeats a secret it was given.
#include "core/config.hpp"
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

using namespace socialauth;

namespace {

const std::map<std::string, std::string>& secrets() {
    static const std::map<std::string, std::string> values = {
        {"SOCIAL_AUTH_GOOGLE_OAUTH2_KEY", "fuzz-client.apps.googleusercontent.com"},
        {"SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET", "fuzz-google-secret-DoNotLeak"},
        {"SOCIAL_AUTH_FACEBOOK_KEY", "4321"},
        {"SOCIAL_AUTH_FACEBOOK_SECRET", "fuzz-facebook-secret-DoNotLeak"},
        {"SOCIALAUTH_DB_PASSWORD", "fuzz-db-password-DoNotLeak"},
    };
    return values;
}

// A secret from the environment must not reach a report; one the file itself holds
// (in a key name, say) may be quoted back.
void check(const core::ConfigLoad& load, bool with_env, const std::string& text) {
    fuzz::require(load.config.has_value() == load.problems.empty(),
                  "a config and problems, or neither");
    for (const auto& problem : load.problems) {
        fuzz::require(!problem.empty(), "an empty problem report");
        if (!with_env) continue;
        for (const auto& [name, value] : secrets()) {
            if (name == "SOCIAL_AUTH_GOOGLE_OAUTH2_KEY" || name == "SOCIAL_AUTH_FACEBOOK_KEY" ||
                fuzz::contains(text, value))
                continue;
            fuzz::require(!fuzz::contains(problem, value), "a secret in a problem report", problem);
        }
    }
    if (!load.config) return;
    const core::Config& config = *load.config;
    if (config.google) fuzz::require(!config.google->client_ids.empty(), "google enabled without client ids");
    if (config.facebook)
        fuzz::require(!config.facebook->app_id.empty() && !config.facebook->app_secret.empty(),
                      "facebook enabled without app id and secret");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const core::EnvLookup none = [](const std::string&) -> std::optional<std::string> {
        return std::nullopt;
    };
    const core::EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
        const auto it = secrets().find(name);
        if (it == secrets().end()) return std::nullopt;
        return it->second;
    };
    check(core::parse_config(text, none), false, text);
    check(core::parse_config(text, env), true, text);
    return 0;
}
