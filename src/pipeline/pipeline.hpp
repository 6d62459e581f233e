// The user pipeline of SPEC §4: the configured steps, in order, against one Store
// transaction that the caller owns. A step reads and extends PipelineState; the first
// step that fails stops the run, and the caller rolls the transaction back, so a
// failed run leaves nothing behind.
#pragma once

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "providers/provider.hpp"
#include "store/records.hpp"
#include "store/store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace socialauth::pipeline {

// The user fields social_details derives from the provider's profile.
struct UserDetails {
    std::string username;
    std::string email; // trimmed
    bool email_vouched = false;
    std::string first_name;
    std::string last_name;
    std::string full_name;
};

struct PipelineState {
    std::string backend;
    providers::SocialProfile profile;
    UserDetails details;
    std::string uid;
    std::string username; // chosen by get_username for a new user
    std::optional<store::UserRecord> user;
    std::optional<store::IdentityRecord> identity;
    bool is_new = false;
    bool email_holders_checked = false; // associate_by_email looked and found nobody
};

struct PipelineContext {
    store::Store& store;
    const core::Config& config;
    const core::Clock& clock;
    core::RandomSource& random;
    const providers::Provider& provider;
};

using Step = core::Status (*)(PipelineContext&, PipelineState&);

class Pipeline {
public:
    // Names were validated with the config; an unknown one here is a broken invariant.
    explicit Pipeline(const std::vector<std::string>& step_names);

    // Runs every step; the state holds the user when it succeeds.
    core::Result<PipelineState> run(PipelineContext& context,
                                    const providers::SocialProfile& profile) const;

private:
    std::vector<Step> steps_;
};

} // namespace socialauth::pipeline
