// A Provider for unit tests of the pipeline and the app: it answers whatever profile or
// error the test configured, records every ProviderToken it was handed, and carries
// the per-backend allow-lists auth_allowed reads.
#pragma once

#include "providers/provider.hpp"

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace socialauth::testing {

class ScriptedProvider final : public providers::Provider {
public:
    explicit ScriptedProvider(std::string name = "google-oauth2") : name_(std::move(name)) {}

    const std::string& name() const override { return name_; }

    core::Result<providers::SocialProfile> authenticate(const providers::ProviderToken& token) override {
        received.push_back(token);
        if (throw_next_) {
            throw_next_ = false;
            throw std::runtime_error("ScriptedProvider: scripted exception");
        }
        return answer_;
    }

    const std::vector<std::string>& whitelisted_domains() const override { return domains; }
    const std::vector<std::string>& whitelisted_emails() const override { return emails; }

    // Every later call answers this profile.
    void answer(providers::SocialProfile profile) { answer_ = std::move(profile); }
    // Every later call fails with this error.
    void reject(core::Error error) { answer_ = std::move(error); }
    // The next call throws std::runtime_error.
    void throw_next() { throw_next_ = true; }

    std::vector<std::string> domains;
    std::vector<std::string> emails;
    // Every token handed to authenticate(), in order.
    std::vector<providers::ProviderToken> received;

private:
    std::string name_;
    core::Result<providers::SocialProfile> answer_ =
        core::make_error(core::Errc::internal_error, "ScriptedProvider: no answer configured");
    bool throw_next_ = false;
};

} // namespace socialauth::testing
