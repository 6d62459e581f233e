// A social backend: checks a token with the provider, including that it was issued to
// this site, and returns who it identifies. Every rejection of the token itself is
// Errc::invalid_token (one identical public answer for every reason, the reason only
// in the detail); provider trouble is Errc::provider_unavailable.
#pragma once

#include "core/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace socialauth::providers {

struct ProviderToken {
    std::string access_token; // "" when absent
    std::string id_token;     // "" when absent
};

// What the provider told us about the person, already mapped to our field names.
struct SocialProfile {
    std::string uid;           // the provider's stable id; never the email
    std::string username;      // the provider's username, if it has one
    std::string email;         // as the provider gave it, "" when none
    bool email_vouched = false; // the provider vouches the address belongs to this person
    std::string first_name;
    std::string last_name;
    std::string full_name;
    std::optional<std::int64_t> token_expires_at; // unix seconds, when the provider says
    std::string access_token;  // the provider token, for load_extra_data; never logged
};

class Provider {
public:
    virtual ~Provider() = default;
    // The Python Social Auth backend name, e.g. "google-oauth2".
    virtual const std::string& name() const = 0;
    virtual core::Result<SocialProfile> authenticate(const ProviderToken& token) = 0;
    // The per-backend allow-lists of auth_allowed.
    virtual const std::vector<std::string>& whitelisted_domains() const = 0;
    virtual const std::vector<std::string>& whitelisted_emails() const = 0;
};

} // namespace socialauth::providers
