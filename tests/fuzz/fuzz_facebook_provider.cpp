// libFuzzer target: FacebookProvider::authenticate fed fuzzed Graph replies through a
// scripted HttpClient, so the whole path (status and error-code policy, strict JSON,
// app id, validity, expiry, user id checks) runs on them.
// Input: parts separated by a "=====" line (fuzz_support.hpp), each "<status>\n<body>":
// the debug_token reply, then the /me reply.
// Invariants: a refusal is invalid_token or provider_unavailable, never another code,
// and neither the user token nor the app secret appears in its detail; a success names
// a uid, carries the token it was given and never vouches for an email (trust_email is
// off).
#include "core/clock.hpp"
#include "core/config.hpp"
#include "fuzz_support.hpp"
#include "providers/facebook_provider.hpp"
#include "support/fake_http_client.hpp"
#include "support/fixed_clock.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace socialauth;

namespace {

const std::string kDebugTokenUrl = "https://graph.facebook.test/v18.0/debug_token?";
const std::string kMeUrl = "https://graph.facebook.test/v18.0/me?";
const std::string kToken = "EAAGfuzzUserTokenDoNotLeak4c2ZD";
const std::string kAppSecret = "fuzz-app-secret-DoNotLeak-0123";
constexpr std::int64_t kNow = 1767225600 - 3600; // an hour before the seeds' expires_at

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);

    core::FacebookConfig config;
    config.app_id = "1234";
    config.app_secret = kAppSecret;
    config.graph_url = "https://graph.facebook.test";
    config.api_version = "v18.0";
    config.trust_email = false;
    testing::FakeHttpClient http;
    testing::FixedClock clock(kNow);

    const auto parts = fuzz::split_parts(input);
    const std::string* urls[] = {&kDebugTokenUrl, &kMeUrl};
    // Every endpoint is scripted (a missing part: a 503), twice, so that no request
    // meets the fake's "nothing scripted" error, which no real client produces.
    for (std::size_t i = 0; i < 2; ++i) {
        const auto reply = i < parts.size() ? fuzz::parse_reply(parts[i]) : fuzz::ScriptedReply{503, ""};
        http.reply(*urls[i], reply.status, reply.body);
        http.reply(*urls[i], reply.status, reply.body);
    }

    providers::FacebookProvider provider(config, http, clock);
    const auto profile = provider.authenticate({kToken, ""});
    if (profile) {
        fuzz::require(!profile->uid.empty(), "success without a uid");
        fuzz::require(profile->access_token == kToken, "profile carries another token");
        fuzz::require(!profile->email_vouched, "vouched for an email without trust_email");
    } else {
        const auto& error = profile.error();
        fuzz::require(error.code == core::Errc::invalid_token ||
                          error.code == core::Errc::provider_unavailable,
                      "unexpected error code", core::errc_name(error.code));
        for (const std::string* secret : {&kToken, &kAppSecret}) {
            fuzz::require(!fuzz::contains(error.detail, *secret), "a secret leaked into the detail",
                          error.detail);
            fuzz::require(!fuzz::contains(error.public_message, *secret),
                          "a secret leaked into the public message");
        }
    }
    return 0;
}
