#include "core/text.hpp"
#include "pipeline/steps.hpp"

#include <algorithm>

namespace socialauth::pipeline {
namespace {

bool contains_ascii_caseless(const std::vector<std::string>& list, const std::string& key) {
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& item) { return email_key(item) == key; });
}

} // namespace

core::Status auth_allowed(PipelineContext& context, PipelineState& state) {
    const auto& domains = context.provider.whitelisted_domains();
    const auto& emails = context.provider.whitelisted_emails();
    if (domains.empty() && emails.empty()) return {};

    const std::string key = email_key(state.details.email);
    const auto at = key.rfind('@');
    const bool allowed =
        at != std::string::npos && at > 0 &&
        (contains_ascii_caseless(emails, key) || contains_ascii_caseless(domains, key.substr(at + 1)));
    if (!allowed)
        return core::make_public_error(core::Errc::not_allowed,
                                       "Your email address is not allowed to sign in here.",
                                       "email not in whitelisted_domains/whitelisted_emails");
    return {};
}

} // namespace socialauth::pipeline
