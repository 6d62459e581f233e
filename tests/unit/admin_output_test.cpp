// admin/output_table and admin/token_state: what socialauth-admin prints lines up in
// columns, can't be bent by a provider-supplied value (escape sequences, line breaks),
// and counts a token live, revoked or expired exactly as the API would treat it.
#include "admin/output_table.hpp"
#include "admin/token_state.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <sstream>
#include <string>

namespace {

using namespace socialauth;
using namespace std::chrono_literals;

std::string printed(const admin::Table& table) {
    std::ostringstream out;
    table.print(out);
    return out.str();
}

const core::TimePoint kNow = core::from_unix_seconds(1767225600); // 2026-01-01T00:00:00Z
constexpr std::int64_t kIdleSeconds = 3600;

store::TokenRecord token_created(core::TimePoint created) {
    store::TokenRecord token;
    token.created = created;
    return token;
}

} // namespace

BOOST_AUTO_TEST_SUITE(admin_output)

BOOST_AUTO_TEST_CASE(aligns_columns_two_spaces_apart_without_trailing_blanks) {
    admin::Table table;
    table.add_row({"id", "username", "active"});
    table.add_row({"7", "jane", "yes"});
    table.add_row({"1234", "bob", "no"});
    BOOST_CHECK_EQUAL(printed(table), "id    username  active\n"
                                      "7     jane      yes\n"
                                      "1234  bob       no\n");
}

BOOST_AUTO_TEST_CASE(pads_by_characters_not_bytes) {
    admin::Table table;
    table.add_row({"José", "x"});
    table.add_row({"Jose", "y"});
    BOOST_CHECK_EQUAL(printed(table), "José  x\nJose  y\n");
}

BOOST_AUTO_TEST_CASE(lets_rows_differ_in_length) {
    admin::Table table;
    table.add_row({"username", "jane"});
    table.add_row({"identity", "google-oauth2", "1093"});
    table.add_row({"identity", "facebook", "77"});
    BOOST_CHECK_EQUAL(printed(table), "username  jane\n"
                                      "identity  google-oauth2  1093\n"
                                      "identity  facebook       77\n");
}

BOOST_AUTO_TEST_CASE(shows_an_empty_value_as_a_dash) {
    admin::Table table;
    table.add_row({"last_login", admin::time_text(std::nullopt)});
    table.add_row({"first_name", ""});
    BOOST_CHECK_EQUAL(printed(table), "last_login  -\nfirst_name  -\n");
}

BOOST_AUTO_TEST_CASE(escapes_what_could_forge_a_line_or_drive_the_terminal) {
    admin::Table table;
    table.add_row({"first_name", "Eve\n42  mallory\x1b[2J\tx\u202e"});
    BOOST_CHECK_EQUAL(printed(table),
                      "first_name  Eve\\x0a42  mallory\\x1b[2J\\x09x\\xe2\\x80\\xae\n");
}

BOOST_AUTO_TEST_CASE(prints_times_in_utc_iso_8601) {
    BOOST_CHECK_EQUAL(admin::time_text(kNow), "2026-01-01T00:00:00Z");
    BOOST_CHECK_EQUAL(admin::yes_no(true), "yes");
    BOOST_CHECK_EQUAL(admin::yes_no(false), "no");
}

BOOST_AUTO_TEST_CASE(calls_a_token_revoked_before_anything_else) {
    auto token = token_created(kNow - 10s);
    token.revoked_at = kNow - 5s;
    token.expires_at = kNow - 1s;
    BOOST_CHECK(admin::token_state(token, kNow, kIdleSeconds) == admin::TokenState::revoked);
}

BOOST_AUTO_TEST_CASE(calls_a_token_expired_at_its_absolute_expiry) {
    auto token = token_created(kNow - 10s);
    token.expires_at = kNow;
    BOOST_CHECK(admin::token_state(token, kNow, kIdleSeconds) == admin::TokenState::expired);
    token.expires_at = kNow + 1s;
    BOOST_CHECK(admin::token_state(token, kNow, kIdleSeconds) == admin::TokenState::live);
}

BOOST_AUTO_TEST_CASE(calls_a_token_expired_when_idle_since_last_use_or_creation) {
    auto never_used = token_created(kNow - std::chrono::seconds(kIdleSeconds));
    BOOST_CHECK(admin::token_state(never_used, kNow, kIdleSeconds) == admin::TokenState::expired);
    auto used = token_created(kNow - 100h);
    used.last_used = kNow - std::chrono::seconds(kIdleSeconds - 1);
    BOOST_CHECK(admin::token_state(used, kNow, kIdleSeconds) == admin::TokenState::live);
    // idle_seconds 0: no idle lifetime
    BOOST_CHECK(admin::token_state(never_used, kNow, 0) == admin::TokenState::live);
}

BOOST_AUTO_TEST_CASE(counts_tokens_by_state) {
    auto live = token_created(kNow - 1s);
    auto revoked = token_created(kNow - 1s);
    revoked.revoked_at = kNow;
    auto expired = token_created(kNow - 1s);
    expired.expires_at = kNow - 1s;
    const auto counts = admin::count_tokens({live, revoked, expired, live}, kNow, kIdleSeconds);
    BOOST_CHECK_EQUAL(counts.live, 2);
    BOOST_CHECK_EQUAL(counts.revoked, 1);
    BOOST_CHECK_EQUAL(counts.expired, 1);
    BOOST_CHECK_EQUAL(admin::token_state_name(admin::TokenState::expired), "expired");
}

BOOST_AUTO_TEST_SUITE_END()
