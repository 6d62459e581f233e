#include "core/text.hpp"
#include "pipeline/steps.hpp"

namespace socialauth::pipeline {
namespace {

// The widths of the users table's columns (sql/001_initial.sql).
constexpr std::size_t kNameColumnChars = 150;
constexpr std::size_t kEmailColumnChars = 254;

std::string name_field(const std::string& value) {
    return core::truncate_utf8(core::trim(value), kNameColumnChars);
}

} // namespace

core::Status social_details(PipelineContext&, PipelineState& state) {
    const auto& profile = state.profile;
    UserDetails details;
    details.username = core::trim(profile.username);
    // A longer address is not one a mail server accepts (RFC 5321); cutting it would
    // make it someone else's, so it is dropped.
    details.email = core::trim(profile.email);
    if (details.email.size() > kEmailColumnChars) details.email.clear();
    details.email_vouched = profile.email_vouched && !details.email.empty();
    details.first_name = name_field(profile.first_name);
    details.last_name = name_field(profile.last_name);
    details.full_name = core::trim(profile.full_name);
    state.details = std::move(details);
    return {};
}

} // namespace socialauth::pipeline
