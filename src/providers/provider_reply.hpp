// What every backend does with a provider's HTTP reply, so all of them follow one
// error policy: a 200 is an answer; any other 4xx except 408 and 429 is the provider
// refusing the token (invalid_token); everything else — 3xx (redirects are never
// followed), 408, 429, 5xx, a body that is not strict JSON with an object at the root,
// a member of an unexpected type — is provider trouble (provider_unavailable). Details
// start with where the reply came from ("google-oauth2 tokeninfo") and never include
// reply text, which may echo the token.
#pragma once

#include "core/result.hpp"
#include "http/http_client.hpp"

#include <json/value.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace socialauth::providers {

enum class StatusClass { answer, token_refused, provider_trouble };

StatusClass classify_status(long status) noexcept;

core::Error token_rejected(std::string_view where, std::string_view why);
core::Error provider_trouble(std::string_view where, std::string_view why);

// A transport error passed on with its code, where it happened put before its detail.
core::Error transport_error(std::string_view where, const core::Error& error);

// The error for a reply whose status is not 200, by classify_status.
core::Error status_error(std::string_view where, long status);

// Strict JSON (core::parse_json) whose root is an object.
core::Result<Json::Value> parse_object(std::string_view where, const std::string& body);

// Sends request and returns the reply's object when the status is 200, else the error
// the policy above gives.
core::Result<Json::Value> fetch_object(http::HttpClient& http, const http::HttpRequest& request,
                                       std::string_view where);

// Reads members of a reply object by type. An absent or null member reads as empty; a
// member of another type also reads as empty and is remembered, so the caller checks
// ok() once after reading everything it needs.
class MemberReader {
public:
    explicit MemberReader(const Json::Value& object) : object_(object) {}
    MemberReader(Json::Value&&) = delete; // it keeps a reference

    // nullptr when absent or null.
    const Json::Value* find(std::string_view key) const;

    std::string string(std::string_view key);
    std::optional<bool> boolean(std::string_view key);
    std::optional<std::int64_t> integer(std::string_view key);
    // An empty object when absent or null.
    const Json::Value& object(std::string_view key);

    // For members a backend reads itself: records that key had an unexpected type.
    void wrong_type(std::string_view key);

    bool ok() const noexcept { return wrong_.empty(); }
    // "<key> has an unexpected type" for the first such member.
    std::string problem() const;

private:
    const Json::Value& object_;
    std::string wrong_;
};

} // namespace socialauth::providers
