// libFuzzer target: GoogleProvider::authenticate fed fuzzed provider replies through a
// scripted HttpClient, so the whole path (status policy, strict JSON, member types,
// audience, expiry, sub checks) runs on them.
// Input: parts separated by a "=====" line (fuzz_support.hpp), each "<status>\n<body>":
// the tokeninfo reply, the userinfo reply, the JWKS reply. A first line
// "id_token:<jwt>" sends that ID token instead of the access token.
// Invariants: a refusal is invalid_token or provider_unavailable, never another code
// and never with the token in its detail; a success names a uid, carries the token it
// was given and vouches only for a non-empty email.
#include "core/clock.hpp"
#include "core/config.hpp"
#include "fuzz_support.hpp"
#include "providers/google_provider.hpp"
#include "support/fake_http_client.hpp"
#include "support/fixed_clock.hpp"
#include "support/memory_cache_storage.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

using namespace socialauth;

namespace {

const std::string kTokeninfoUrl = "https://google.test/tokeninfo";
const std::string kUserinfoUrl = "https://google.test/v1/userinfo";
const std::string kJwksUrl = "https://google.test/oauth2/v3/certs";
const std::string kAccessToken = "ya29.fuzz-AccessToken-DoNotLeak-5e1f";
constexpr std::int64_t kNow = 1767225600 - 3600; // an hour before the seeds' exp

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string input(reinterpret_cast<const char*>(data), size);
    providers::ProviderToken token{kAccessToken, ""};
    static const std::string kIdPrefix = "id_token:";
    if (input.compare(0, kIdPrefix.size(), kIdPrefix) == 0) {
        const auto eol = input.find('\n');
        token = {"", input.substr(kIdPrefix.size(), eol == std::string::npos ? std::string::npos
                                                                              : eol - kIdPrefix.size())};
        input = eol == std::string::npos ? std::string() : input.substr(eol + 1);
        if (token.id_token.empty()) return 0;
    }

    core::GoogleConfig config;
    config.client_ids = {"123.apps.googleusercontent.com", "456.apps.googleusercontent.com"};
    config.tokeninfo_url = kTokeninfoUrl;
    config.userinfo_url = kUserinfoUrl;
    config.jwks_url = kJwksUrl;
    testing::FakeHttpClient http;
    testing::FixedClock clock(kNow);
    testing::MemoryCacheStorage cache; // empty: the JWKS reply below is fetched

    const auto parts = fuzz::split_parts(input);
    const std::string* urls[] = {&kTokeninfoUrl, &kUserinfoUrl, &kJwksUrl};
    // Every endpoint is scripted (a missing part: a 503), twice, so that no request
    // meets the fake's "nothing scripted" error, which no real client produces.
    for (std::size_t i = 0; i < 3; ++i) {
        const auto reply = i < parts.size() ? fuzz::parse_reply(parts[i]) : fuzz::ScriptedReply{503, ""};
        http.reply(*urls[i], reply.status, reply.body);
        http.reply(*urls[i], reply.status, reply.body);
    }

    providers::GoogleProvider provider(config, http, cache, clock);
    const auto profile = provider.authenticate(token);
    // The fuzzer learns the fixed wording of details (the check below compares with
    // them) and makes ID tokens of it; a token in the compact form, long and with two
    // dots, can only be in a detail when the code put it there.
    std::string secret = token.access_token;
    if (secret.empty() && token.id_token.size() >= 32 &&
        std::count(token.id_token.begin(), token.id_token.end(), '.') == 2)
        secret = token.id_token;
    if (profile) {
        fuzz::require(!profile->uid.empty(), "success without a uid");
        fuzz::require(profile->access_token == token.access_token, "profile carries another token");
        fuzz::require(!profile->email_vouched || !profile->email.empty(), "vouched for no email");
    } else {
        const auto& error = profile.error();
        fuzz::require(error.code == core::Errc::invalid_token ||
                          error.code == core::Errc::provider_unavailable,
                      "unexpected error code", core::errc_name(error.code));
        fuzz::require(!fuzz::contains(error.detail, secret), "the token leaked into the detail",
                      error.detail);
        fuzz::require(!fuzz::contains(error.public_message, secret),
                      "the token leaked into the public message");
    }
    return 0;
}
