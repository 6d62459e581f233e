#include "pipeline/steps.hpp"

#include <algorithm>

namespace socialauth::pipeline {
namespace {

core::Error email_in_use(const char* why) {
    return core::make_public_error(
        core::Errc::email_in_use,
        "This email address belongs to an existing account. Sign in with that account first "
        "to connect this login.",
        why);
}

} // namespace

// SPEC §4.2: link by email only when the provider vouches for the address and the
// existing user's address is verified too; otherwise never guess.
core::Status associate_by_email(PipelineContext& context, PipelineState& state) {
    if (state.user || state.details.email.empty()) return {};

    auto holders = context.store.find_users_by_email(email_key(state.details.email));
    if (!holders) return holders.error();
    if (holders->empty()) {
        state.email_holders_checked = true;
        return {};
    }

    if (!state.details.email_vouched) return email_in_use("address not vouched by provider");
    const auto verified = std::find_if(holders->begin(), holders->end(),
                                       [](const store::UserRecord& u) { return u.email_verified; });
    if (verified == holders->end()) return email_in_use("holders have unverified addresses");
    state.user = *verified;
    return {};
}

} // namespace socialauth::pipeline
