// pipeline: every step of SPEC §4 against the in-memory store, one behaviour at a time,
// then whole runs. The email rules of §4.2 get the most attention: they are where
// this program deliberately differs from Python Social Auth to prevent account
// takeover.
#include "pipeline/pipeline.hpp"
#include "pipeline/steps.hpp"

#include "core/json.hpp"
#include "core/sealed_token.hpp"
#include "core/text.hpp"
#include "support/fixed_clock.hpp"
#include "support/fixed_random.hpp"
#include "support/memory_store.hpp"
#include "support/scripted_provider.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace {

using namespace socialauth;
using pipeline::PipelineState;
using providers::SocialProfile;

constexpr std::int64_t kNow = 1767225600; // 2026-01-01T00:00:00Z
const std::string kBackend = "google-oauth2";
// Cyrillic "а" (U+0430) in place of the Latin "a" of example.com.
const std::string kLookalikeDomain = "ex\xD0\xB0mple.com";
const std::string kTokenKey = "0123456789abcdef0123456789abcdef"; // 32 bytes

std::string code_of(const core::Status& status) {
    return status ? "ok" : std::string(core::errc_name(status.error().code));
}

template <typename T> std::string code_of(const core::Result<T>& result) {
    return result ? "ok" : std::string(core::errc_name(result.error().code));
}

SocialProfile profile(const std::string& uid, const std::string& email, bool vouched,
                      const std::string& first = "Jane", const std::string& last = "Doe") {
    SocialProfile p;
    p.uid = uid;
    p.email = email;
    p.email_vouched = vouched;
    p.first_name = first;
    p.last_name = last;
    p.full_name = first + " " + last;
    return p;
}

struct PipelineFixture {
    PipelineFixture() : clock(kNow), provider(kBackend) { config.pipeline = core::default_pipeline(); }

    pipeline::PipelineContext context() { return {store, config, clock, random, provider}; }

    // A state as social_details and social_uid leave it.
    PipelineState prepared(const SocialProfile& p) {
        PipelineState state;
        state.backend = provider.name();
        state.profile = p;
        auto ctx = context();
        BOOST_TEST_REQUIRE(code_of(pipeline::social_details(ctx, state)) == "ok");
        BOOST_TEST_REQUIRE(code_of(pipeline::social_uid(ctx, state)) == "ok");
        return state;
    }

    core::Status step(pipeline::Step fn, PipelineState& state) {
        auto ctx = context();
        return fn(ctx, state);
    }

    core::Result<PipelineState> run(const SocialProfile& p) {
        pipeline::Pipeline pipe(config.pipeline);
        auto ctx = context();
        return pipe.run(ctx, p);
    }

    store::UserRecord add_user(const std::string& username, const std::string& email, bool verified,
                               const std::string& first = "", const std::string& last = "") {
        store::NewUser user;
        user.username = username;
        user.email = email;
        user.email_verified = verified;
        user.first_name = first;
        user.last_name = last;
        user.date_joined = core::from_unix_seconds(kNow - 86400);
        auto created = store.create_user(user);
        BOOST_TEST_REQUIRE(code_of(created) == "ok");
        return *created;
    }

    store::IdentityRecord add_identity(std::int64_t user_id, const std::string& uid,
                                       const std::string& extra_data = "{}",
                                       const std::string& backend = kBackend) {
        auto created = store.create_identity(user_id, backend, uid, extra_data,
                                             core::from_unix_seconds(kNow - 86400));
        BOOST_TEST_REQUIRE(code_of(created) == "ok");
        return *created;
    }

    const store::UserRecord& user(std::int64_t id) const { return store.users().at(id); }

    // The provider token sealed in extra_data, opened as this backend's identity uid.
    std::string opened_token(const Json::Value& extra, const std::string& uid) const {
        auto token = core::open_provider_token(config.users.provider_token_key, kBackend, uid,
                                               extra["access_token"].asString());
        BOOST_TEST_REQUIRE(token.has_value(), "does not open: " << core::to_json(extra));
        return *token;
    }

    Json::Value extra_data_of(std::int64_t identity_id) const {
        auto parsed = core::parse_json(store.identities().at(identity_id).record.extra_data);
        BOOST_TEST_REQUIRE(parsed.ok());
        return *parsed;
    }

    core::Config config;
    testing::MemoryStore store;
    testing::FixedClock clock;
    testing::FixedRandom random;
    testing::ScriptedProvider provider;
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(pipeline_steps, PipelineFixture)

// ---- social_details -----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(social_details_trims_every_field) {
    SocialProfile p = profile("g-1", "  Jane@Example.com\t", true, " Jane ", "\nDoe ");
    p.username = " jdoe ";
    p.full_name = "  Jane Doe  ";
    const PipelineState state = prepared(p);
    BOOST_TEST(state.details.username == "jdoe");
    BOOST_TEST(state.details.email == "Jane@Example.com");
    BOOST_TEST(state.details.email_vouched);
    BOOST_TEST(state.details.first_name == "Jane");
    BOOST_TEST(state.details.last_name == "Doe");
    BOOST_TEST(state.details.full_name == "Jane Doe");
}

BOOST_AUTO_TEST_CASE(social_details_vouches_only_for_a_present_address) {
    BOOST_TEST(!prepared(profile("g-1", "   ", true)).details.email_vouched);
    BOOST_TEST(!prepared(profile("g-1", "", true)).details.email_vouched);
    BOOST_TEST(!prepared(profile("g-1", "jane@example.com", false)).details.email_vouched);
}

BOOST_AUTO_TEST_CASE(social_details_cuts_long_names_on_a_character_boundary) {
    std::string long_name;
    for (int i = 0; i < 200; ++i) long_name += "\xC3\xA9"; // é
    const PipelineState state = prepared(profile("g-1", "jane@example.com", true, long_name, " " + long_name));
    BOOST_TEST(state.details.first_name.size() == 300u); // 150 characters of 2 bytes
    BOOST_TEST(state.details.last_name == state.details.first_name);
    BOOST_TEST(core::is_valid_utf8(state.details.first_name));
    auto whole = run(profile("g-2", "jane@example.com", true, long_name, long_name));
    BOOST_TEST_REQUIRE(code_of(whole) == "ok");
}

BOOST_AUTO_TEST_CASE(social_details_drops_an_address_too_long_to_be_one) {
    const std::string long_email = std::string(243, 'a') + "@example.com"; // 255 characters
    const PipelineState state = prepared(profile("g-1", long_email, true));
    BOOST_TEST(state.details.email == "");
    BOOST_TEST(!state.details.email_vouched);
    const std::string longest = std::string(242, 'a') + "@example.com"; // 254 characters
    BOOST_TEST(prepared(profile("g-2", longest, true)).details.email == longest);
}

// ---- social_uid ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(social_uid_takes_the_providers_id) {
    const PipelineState state = prepared(profile("1234567890", "jane@example.com", true));
    BOOST_TEST(state.uid == "1234567890");
}

BOOST_AUTO_TEST_CASE(social_uid_refuses_an_empty_id_as_an_invalid_token) {
    PipelineState state;
    state.backend = kBackend;
    state.profile = profile("", "jane@example.com", true);
    BOOST_TEST(code_of(step(pipeline::social_uid, state)) == "invalid_token");
}

BOOST_AUTO_TEST_CASE(social_uid_refuses_an_id_longer_than_255_bytes) {
    PipelineState too_long;
    too_long.backend = kBackend;
    too_long.profile = profile(std::string(256, '1'), "jane@example.com", true);
    BOOST_TEST(code_of(step(pipeline::social_uid, too_long)) == "invalid_token");
    BOOST_TEST(prepared(profile(std::string(255, '1'), "jane@example.com", true)).uid.size() == 255u);
}

BOOST_AUTO_TEST_CASE(a_profile_without_an_id_creates_nothing) {
    BOOST_TEST(code_of(run(profile("", "jane@example.com", true))) == "invalid_token");
    BOOST_TEST(store.users().empty());
    BOOST_TEST(store.identities().empty());
}

// ---- auth_allowed -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(auth_allowed_lets_everyone_in_without_lists) {
    PipelineState with_email = prepared(profile("g-1", "anyone@anywhere.test", false));
    BOOST_TEST(code_of(step(pipeline::auth_allowed, with_email)) == "ok");
    PipelineState without_email = prepared(profile("g-2", "", false));
    BOOST_TEST(code_of(step(pipeline::auth_allowed, without_email)) == "ok");
}

BOOST_AUTO_TEST_CASE(auth_allowed_matches_domains_ignoring_ascii_case) {
    provider.domains = {"Example.COM"};
    for (const std::string email : {"jane@example.com", "JANE@EXAMPLE.COM", "j.doe+x@Example.Com"}) {
        PipelineState state = prepared(profile("g-1", email, true));
        BOOST_TEST(code_of(step(pipeline::auth_allowed, state)) == "ok", email);
    }
}

BOOST_AUTO_TEST_CASE(auth_allowed_refuses_other_and_lookalike_domains) {
    provider.domains = {"example.com"};
    for (const std::string& email : std::vector<std::string>{"jane@example.org", "jane@sub.example.com", "jane@example.com.evil.test", "jane@evilexample.com",
          "example.com@evil.test", "jane", "@example.com", "", "jane@" + kLookalikeDomain,
          "jane@example.com\xE2\x80\x8B" /* zero-width space */}) {
        PipelineState state = prepared(profile("g-1", email, true));
        const auto status = step(pipeline::auth_allowed, state);
        BOOST_TEST_REQUIRE(code_of(status) == "not_allowed", email);
        BOOST_TEST(!status.error().public_message.empty());
    }
}

BOOST_AUTO_TEST_CASE(auth_allowed_matches_listed_emails_ignoring_ascii_case_only) {
    provider.emails = {"Boss@Corp.test"};
    PipelineState listed = prepared(profile("g-1", "boss@corp.TEST", true));
    BOOST_TEST(code_of(step(pipeline::auth_allowed, listed)) == "ok");
    for (const std::string email : {"boss@corp.tes", "b0ss@corp.test", "other@corp.test",
                                    "bo\xD1\x95s@corp.test" /* Cyrillic dze */}) {
        PipelineState state = prepared(profile("g-1", email, true));
        BOOST_TEST(code_of(step(pipeline::auth_allowed, state)) == "not_allowed", email);
    }
}

BOOST_AUTO_TEST_CASE(auth_allowed_accepts_a_match_in_either_list) {
    provider.domains = {"staff.test"};
    provider.emails = {"guest@outside.test"};
    PipelineState staff = prepared(profile("g-1", "a@staff.test", true));
    BOOST_TEST(code_of(step(pipeline::auth_allowed, staff)) == "ok");
    PipelineState guest = prepared(profile("g-2", "guest@outside.test", true));
    BOOST_TEST(code_of(step(pipeline::auth_allowed, guest)) == "ok");
    PipelineState stranger = prepared(profile("g-3", "other@outside.test", true));
    BOOST_TEST(code_of(step(pipeline::auth_allowed, stranger)) == "not_allowed");
}

BOOST_AUTO_TEST_CASE(a_refused_email_creates_nothing) {
    provider.domains = {"example.com"};
    BOOST_TEST(code_of(run(profile("g-1", "jane@example.org", true))) == "not_allowed");
    BOOST_TEST(store.users().empty());
    BOOST_TEST(store.identities().empty());
    BOOST_TEST(store.calls("create_user") == 0);
}

// ---- social_user --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(social_user_finds_the_user_of_a_known_identity) {
    const auto jane = add_user("jane", "jane@example.com", true);
    const auto identity = add_identity(jane.id, "g-1");
    PipelineState state = prepared(profile("g-1", "other@example.org", false));
    BOOST_TEST_REQUIRE(code_of(step(pipeline::social_user, state)) == "ok");
    BOOST_TEST_REQUIRE(state.user.has_value());
    BOOST_TEST(state.user->id == jane.id);
    BOOST_TEST_REQUIRE(state.identity.has_value());
    BOOST_TEST(state.identity->id == identity.id);
}

BOOST_AUTO_TEST_CASE(social_user_matches_backend_and_uid_exactly) {
    const auto jane = add_user("jane", "jane@example.com", true);
    add_identity(jane.id, "g-1", "{}", "facebook");
    add_identity(jane.id, "G-2");
    for (const std::string uid : {"g-1", "g-2"}) {
        PipelineState state = prepared(profile(uid, "x@example.org", false));
        BOOST_TEST_REQUIRE(code_of(step(pipeline::social_user, state)) == "ok");
        BOOST_TEST(!state.user.has_value(), uid);
        BOOST_TEST(!state.identity.has_value(), uid);
    }
}

// ---- get_username -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(get_username_cleans_the_providers_username) {
    SocialProfile p = profile("g-1", "jane@example.com", true);
    p.username = "Jane Doe! <J\xC3\xBCrgen>";
    PipelineState state = prepared(p);
    BOOST_TEST_REQUIRE(code_of(step(pipeline::get_username, state)) == "ok");
    BOOST_TEST(state.username == "JaneDoeJrgen");
}

BOOST_AUTO_TEST_CASE(get_username_keeps_the_allowed_punctuation) {
    SocialProfile p = profile("g-1", "", false);
    p.username = "a.b@c+d_e-f";
    PipelineState state = prepared(p);
    BOOST_TEST_REQUIRE(code_of(step(pipeline::get_username, state)) == "ok");
    BOOST_TEST(state.username == "a.b@c+d_e-f");
}

BOOST_AUTO_TEST_CASE(get_username_falls_back_to_the_emails_local_part) {
    PipelineState state = prepared(profile("g-1", "jane.doe+news@example.com", true));
    BOOST_TEST_REQUIRE(code_of(step(pipeline::get_username, state)) == "ok");
    BOOST_TEST(state.username == "jane.doe+news");
}

BOOST_AUTO_TEST_CASE(get_username_falls_back_to_the_names_then_to_user) {
    PipelineState named = prepared(profile("g-1", "", false, "Jane", "Doe"));
    BOOST_TEST_REQUIRE(code_of(step(pipeline::get_username, named)) == "ok");
    BOOST_TEST(named.username == "JaneDoe");

    PipelineState anonymous = prepared(profile("g-2", "", false, "", ""));
    BOOST_TEST_REQUIRE(code_of(step(pipeline::get_username, anonymous)) == "ok");
    BOOST_TEST(anonymous.username == "user");

    PipelineState unusable = prepared(profile("g-3", "\xE5\xA4\xAA\xE9\x83\x8E@example.jp", false,
                                              "\xE5\xA4\xAA", "\xE9\x83\x8E"));
    BOOST_TEST_REQUIRE(code_of(step(pipeline::get_username, unusable)) == "ok");
    BOOST_TEST(unusable.username == "user");
}

BOOST_AUTO_TEST_CASE(get_username_truncates_to_username_max_length) {
    config.users.username_max_length = 8;
    SocialProfile p = profile("g-1", "", false);
    p.username = "abcdefghijkl";
    PipelineState state = prepared(p);
    BOOST_TEST_REQUIRE(code_of(step(pipeline::get_username, state)) == "ok");
    BOOST_TEST(state.username == "abcdefgh");
}

BOOST_AUTO_TEST_CASE(get_username_default_limit_is_150) {
    SocialProfile p = profile("g-1", "", false);
    p.username = std::string(200, 'a');
    PipelineState state = prepared(p);
    BOOST_TEST_REQUIRE(code_of(step(pipeline::get_username, state)) == "ok");
    BOOST_TEST(state.username == std::string(150, 'a'));
}

BOOST_AUTO_TEST_CASE(get_username_adds_a_random_suffix_on_collision) {
    add_user("jane", "old@example.org", false);
    random.script("\x01\x02\xab\xff");
    PipelineState state = prepared(profile("g-1", "jane@example.com", true));
    BOOST_TEST_REQUIRE(code_of(step(pipeline::get_username, state)) == "ok");
    BOOST_TEST(state.username == "jane0102abff");
}

BOOST_AUTO_TEST_CASE(get_username_collides_ignoring_ascii_case) {
    add_user("Jane", "old@example.org", false);
    PipelineState state = prepared(profile("g-1", "jane@example.com", true));
    BOOST_TEST_REQUIRE(code_of(step(pipeline::get_username, state)) == "ok");
    BOOST_TEST(state.username != "jane");
    BOOST_TEST(state.username.rfind("jane", 0) == 0u);
    BOOST_TEST(state.username.size() == 12u);
}

BOOST_AUTO_TEST_CASE(get_username_retries_until_the_name_is_free) {
    add_user("jane", "a@example.org", false);
    add_user("jane01010101", "b@example.org", false);
    add_user("jane02020202", "c@example.org", false);
    random.script("\x01\x01\x01\x01");
    random.script("\x02\x02\x02\x02");
    random.script("\x03\x03\x03\x03");
    PipelineState state = prepared(profile("g-1", "jane@example.com", true));
    BOOST_TEST_REQUIRE(code_of(step(pipeline::get_username, state)) == "ok");
    BOOST_TEST(state.username == "jane03030303");
}

BOOST_AUTO_TEST_CASE(get_username_suffix_respects_the_length_limit) {
    config.users.username_max_length = 10;
    add_user("abcdefghij", "a@example.org", false);
    random.script("\x12\x34\x56\x78");
    SocialProfile p = profile("g-1", "", false);
    p.username = "abcdefghijklmnop";
    PipelineState state = prepared(p);
    BOOST_TEST_REQUIRE(code_of(step(pipeline::get_username, state)) == "ok");
    BOOST_TEST(state.username == "ab12345678");
}

BOOST_AUTO_TEST_CASE(get_username_gives_up_instead_of_looping_forever) {
    add_user("jane", "a@example.org", false);
    add_user("jane00000000", "b@example.org", false);
    for (int i = 0; i < 1000; ++i) random.script(std::string(4, '\0'));
    PipelineState state = prepared(profile("g-1", "jane@example.com", true));
    BOOST_TEST(code_of(step(pipeline::get_username, state)) == "internal_error");
    BOOST_TEST(store.calls("username_exists") < 1000);
}

BOOST_AUTO_TEST_CASE(get_username_does_nothing_for_a_matched_user) {
    const auto jane = add_user("jane", "jane@example.com", true);
    PipelineState state = prepared(profile("g-1", "jane@example.com", true));
    state.user = jane;
    BOOST_TEST_REQUIRE(code_of(step(pipeline::get_username, state)) == "ok");
    BOOST_TEST(state.username == "");
    BOOST_TEST(store.calls("username_exists") == 0);
}

BOOST_AUTO_TEST_CASE(a_username_collision_never_links_to_the_holder) {
    const auto holder = add_user("jane", "jane@old.example.org", true, "Old", "Jane");
    SocialProfile p = profile("g-1", "jane@new.example.org", false);
    p.username = "jane";
    auto state = run(p);
    BOOST_TEST_REQUIRE(code_of(state) == "ok");
    BOOST_TEST(state->is_new);
    BOOST_TEST(state->user->id != holder.id);
    BOOST_TEST(state->user->username != "jane");
    BOOST_TEST(store.users().size() == 2u);
    BOOST_TEST(store.identities().begin()->second.record.user_id == state->user->id);
    BOOST_TEST(user(holder.id).email == "jane@old.example.org");
    BOOST_TEST(user(holder.id).first_name == "Old");
}

// ---- associate_by_email (SPEC §4.2) -------------------------------------------------

BOOST_AUTO_TEST_CASE(links_a_vouched_address_to_its_verified_holder) {
    const auto holder = add_user("jane", "jane@example.com", true);
    PipelineState state = prepared(profile("g-1", "jane@example.com", true));
    BOOST_TEST_REQUIRE(code_of(step(pipeline::associate_by_email, state)) == "ok");
    BOOST_TEST_REQUIRE(state.user.has_value());
    BOOST_TEST(state.user->id == holder.id);
}

BOOST_AUTO_TEST_CASE(whole_run_links_the_identity_to_the_verified_holder) {
    const auto holder = add_user("jane", "jane@example.com", true);
    auto state = run(profile("g-1", "jane@example.com", true));
    BOOST_TEST_REQUIRE(code_of(state) == "ok");
    BOOST_TEST(!state->is_new);
    BOOST_TEST(state->user->id == holder.id);
    BOOST_TEST(store.users().size() == 1u);
    BOOST_TEST_REQUIRE(store.identities().size() == 1u);
    BOOST_TEST(store.identities().begin()->second.record.user_id == holder.id);
}

BOOST_AUTO_TEST_CASE(an_unvouched_address_of_an_existing_user_is_email_in_use) {
    for (const bool holder_verified : {true, false}) {
        store = testing::MemoryStore();
        add_user("jane", "jane@example.com", holder_verified);
        PipelineState state = prepared(profile("f-1", "jane@example.com", false));
        const auto status = step(pipeline::associate_by_email, state);
        BOOST_TEST_REQUIRE(code_of(status) == "email_in_use", "holder verified: " << holder_verified);
        BOOST_TEST(!status.error().public_message.empty());
        BOOST_TEST(!state.user.has_value());
    }
}

BOOST_AUTO_TEST_CASE(a_vouched_address_whose_holder_is_unverified_is_email_in_use) {
    // Pre-account-takeover: whoever created "jane" with an unproven address must not
    // capture Jane's real, verified login later.
    add_user("squatter", "jane@example.com", false);
    PipelineState state = prepared(profile("g-1", "jane@example.com", true));
    BOOST_TEST(code_of(step(pipeline::associate_by_email, state)) == "email_in_use");
    BOOST_TEST(!state.user.has_value());
}

BOOST_AUTO_TEST_CASE(several_unverified_holders_are_email_in_use) {
    add_user("jane1", "jane@example.com", false);
    add_user("jane2", "JANE@example.com", false);
    PipelineState state = prepared(profile("g-1", "jane@example.com", true));
    BOOST_TEST(code_of(step(pipeline::associate_by_email, state)) == "email_in_use");
}

BOOST_AUTO_TEST_CASE(the_verified_holder_wins_over_unverified_ones) {
    add_user("jane1", "jane@example.com", false);
    const auto verified = add_user("jane2", "jane@example.com", true);
    add_user("jane3", "jane@example.com", false);
    PipelineState state = prepared(profile("g-1", "jane@example.com", true));
    BOOST_TEST_REQUIRE(code_of(step(pipeline::associate_by_email, state)) == "ok");
    BOOST_TEST_REQUIRE(state.user.has_value());
    BOOST_TEST(state.user->id == verified.id);
}

BOOST_AUTO_TEST_CASE(email_in_use_creates_nothing) {
    add_user("jane", "jane@example.com", false);
    BOOST_TEST(code_of(run(profile("g-1", "jane@example.com", true))) == "email_in_use");
    BOOST_TEST(store.users().size() == 1u);
    BOOST_TEST(store.identities().empty());
    BOOST_TEST(store.calls("create_user") == 1); // the add_user above only
}

BOOST_AUTO_TEST_CASE(an_address_differing_only_in_ascii_case_matches) {
    const auto holder = add_user("jane", "Jane.Doe@Example.COM", true);
    PipelineState state = prepared(profile("g-1", "  jane.doe@example.com ", true));
    BOOST_TEST_REQUIRE(code_of(step(pipeline::associate_by_email, state)) == "ok");
    BOOST_TEST_REQUIRE(state.user.has_value());
    BOOST_TEST(state.user->id == holder.id);
}

BOOST_AUTO_TEST_CASE(a_lookalike_non_ascii_address_does_not_match) {
    const auto holder = add_user("jane", "jane@example.com", true);
    PipelineState state = prepared(profile("g-1", "jane@" + kLookalikeDomain, true));
    BOOST_TEST_REQUIRE(code_of(step(pipeline::associate_by_email, state)) == "ok");
    BOOST_TEST(!state.user.has_value());

    auto whole = run(profile("g-1", "jane@" + kLookalikeDomain, true));
    BOOST_TEST_REQUIRE(code_of(whole) == "ok");
    BOOST_TEST(whole->is_new);
    BOOST_TEST(whole->user->id != holder.id);
}

BOOST_AUTO_TEST_CASE(non_ascii_case_is_not_folded) {
    add_user("elodie", "\xC3\xA9lodie@example.com", true); // élodie
    PipelineState state = prepared(profile("g-1", "\xC3\x89lodie@example.com", true)); // Élodie
    BOOST_TEST_REQUIRE(code_of(step(pipeline::associate_by_email, state)) == "ok");
    BOOST_TEST(!state.user.has_value());
}

BOOST_AUTO_TEST_CASE(associate_by_email_is_skipped_once_an_identity_matched) {
    const auto jane = add_user("jane", "jane@example.com", true);
    add_user("other", "shared@example.com", false);
    add_identity(jane.id, "g-1");
    auto state = run(profile("g-1", "shared@example.com", false));
    BOOST_TEST_REQUIRE(code_of(state) == "ok");
    BOOST_TEST(state->user->id == jane.id);
}

BOOST_AUTO_TEST_CASE(associate_by_email_is_skipped_without_an_email) {
    PipelineState state = prepared(profile("g-1", "", false));
    BOOST_TEST_REQUIRE(code_of(step(pipeline::associate_by_email, state)) == "ok");
    BOOST_TEST(!state.user.has_value());
    BOOST_TEST(store.calls("find_users_by_email") == 0);
}

// ---- create_user --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(create_user_records_the_profile_and_a_vouched_address_as_verified) {
    clock.set(kNow + 42);
    auto state = run(profile("g-1", " Jane@Example.com ", true, "Jane", "Doe"));
    BOOST_TEST_REQUIRE(code_of(state) == "ok");
    BOOST_TEST(state->is_new);
    const store::UserRecord& created = user(state->user->id);
    BOOST_TEST(created.username == "Jane");
    BOOST_TEST(created.email == "Jane@Example.com");
    BOOST_TEST(created.email_verified);
    BOOST_TEST(created.first_name == "Jane");
    BOOST_TEST(created.last_name == "Doe");
    BOOST_TEST(created.is_active);
    BOOST_TEST(core::to_unix_seconds(created.date_joined) == kNow + 42);
}

BOOST_AUTO_TEST_CASE(create_user_records_an_unvouched_address_as_unverified) {
    auto state = run(profile("f-1", "jane@example.com", false));
    BOOST_TEST_REQUIRE(code_of(state) == "ok");
    BOOST_TEST(state->is_new);
    BOOST_TEST(user(state->user->id).email == "jane@example.com");
    BOOST_TEST(!user(state->user->id).email_verified);
}

BOOST_AUTO_TEST_CASE(create_user_without_an_email) {
    auto state = run(profile("f-1", "", true));
    BOOST_TEST_REQUIRE(code_of(state) == "ok");
    BOOST_TEST(user(state->user->id).email == "");
    BOOST_TEST(!user(state->user->id).email_verified);
}

BOOST_AUTO_TEST_CASE(closed_sign_up_is_not_allowed_and_creates_nothing) {
    config.users.allow_signup = false;
    auto state = run(profile("g-1", "jane@example.com", true));
    BOOST_TEST_REQUIRE(code_of(state) == "not_allowed");
    BOOST_TEST(!state.error().public_message.empty());
    BOOST_TEST(store.users().empty());
    BOOST_TEST(store.identities().empty());
}

BOOST_AUTO_TEST_CASE(closed_sign_up_still_lets_existing_users_in) {
    config.users.allow_signup = false;
    const auto known = add_user("known", "known@example.com", true);
    add_identity(known.id, "g-known");
    const auto linked = add_user("linked", "linked@example.com", true);

    auto by_identity = run(profile("g-known", "known@example.com", true));
    BOOST_TEST_REQUIRE(code_of(by_identity) == "ok");
    BOOST_TEST(by_identity->user->id == known.id);

    auto by_email = run(profile("g-linked", "linked@example.com", true));
    BOOST_TEST_REQUIRE(code_of(by_email) == "ok");
    BOOST_TEST(by_email->user->id == linked.id);
}

BOOST_AUTO_TEST_CASE(a_pipeline_without_create_user_signs_nobody_up) {
    config.pipeline = {"social_details", "social_uid", "social_user", "associate_user"};
    BOOST_TEST(code_of(run(profile("g-1", "jane@example.com", true))) == "not_allowed");
    BOOST_TEST(store.users().empty());
}

BOOST_AUTO_TEST_CASE(without_associate_by_email_a_verified_holders_address_is_email_in_use) {
    // Leaving the step out means "never link by email", not "retry a duplicate key
    // until the database gives up": SPEC §4.2 answers 409 for such an address.
    config.pipeline.clear();
    for (const auto& name : core::default_pipeline())
        if (name != "associate_by_email") config.pipeline.push_back(name);
    add_user("jane", "jane@example.com", true);
    BOOST_TEST(code_of(run(profile("g-1", "Jane@example.com", true))) == "email_in_use");
    BOOST_TEST(store.users().size() == 1u);
}

BOOST_AUTO_TEST_CASE(create_user_leaves_a_matched_user_alone) {
    const auto jane = add_user("jane", "jane@example.com", true);
    PipelineState state = prepared(profile("g-1", "jane@example.com", true));
    state.user = jane;
    BOOST_TEST_REQUIRE(code_of(step(pipeline::create_user, state)) == "ok");
    BOOST_TEST(!state.is_new);
    BOOST_TEST(store.users().size() == 1u);
}

// ---- associate_user -----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(associate_user_links_backend_and_uid_to_the_user) {
    const auto jane = add_user("jane", "jane@example.com", true);
    PipelineState state = prepared(profile("g-77", "jane@example.com", true));
    state.user = jane;
    BOOST_TEST_REQUIRE(code_of(step(pipeline::associate_user, state)) == "ok");
    BOOST_TEST_REQUIRE(state.identity.has_value());
    BOOST_TEST_REQUIRE(store.identities().size() == 1u);
    const auto& row = store.identities().begin()->second.record;
    BOOST_TEST(row.user_id == jane.id);
    BOOST_TEST(row.provider == kBackend);
    BOOST_TEST(row.uid == "g-77");
    BOOST_TEST(state.identity->id == row.id);
}

BOOST_AUTO_TEST_CASE(associate_user_keeps_an_existing_identity) {
    const auto jane = add_user("jane", "jane@example.com", true);
    add_identity(jane.id, "g-1");
    auto state = run(profile("g-1", "jane@example.com", true));
    BOOST_TEST_REQUIRE(code_of(state) == "ok");
    BOOST_TEST(store.identities().size() == 1u);
    BOOST_TEST(store.calls("create_identity") == 1); // the add_identity above only
}

BOOST_AUTO_TEST_CASE(associate_user_reports_a_duplicate_identity_as_a_conflict_to_retry) {
    // What a concurrent first login looks like: the identity appeared meanwhile.
    const auto winner = add_user("winner", "w@example.com", true);
    add_identity(winner.id, "g-1");
    const auto loser = add_user("loser", "l@example.com", true);
    PipelineState state = prepared(profile("g-1", "l@example.com", true));
    state.user = loser;
    BOOST_TEST(code_of(step(pipeline::associate_user, state)) == "conflict");
}

// ---- load_extra_data ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(load_extra_data_stores_auth_time_expiry_and_the_sealed_provider_token) {
    config.users.provider_token_key = kTokenKey;
    SocialProfile p = profile("g-1", "jane@example.com", true);
    p.access_token = "ya29.provider-token";
    p.token_expires_at = kNow + 3599;
    auto state = run(p);
    BOOST_TEST_REQUIRE(code_of(state) == "ok");
    const Json::Value extra = extra_data_of(state->identity->id);
    BOOST_TEST(extra["auth_time"].asInt64() == kNow);
    BOOST_TEST(extra["expires"].asInt64() == 3599);
    BOOST_TEST(extra["token_type"].asString() == "Bearer");
    BOOST_TEST(extra["access_token"].asString().rfind("v1:", 0) == 0u);
    BOOST_TEST(opened_token(extra, "g-1") == "ya29.provider-token");
    const std::string& text = store.identities().at(state->identity->id).record.extra_data;
    BOOST_TEST(text.find("ya29.provider-token") == std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(load_extra_data_keeps_no_provider_token_without_a_key) {
    // store_provider_tokens is on, but there is nothing to encrypt it with: a token
    // stored in plain text by an earlier version goes too.
    BOOST_TEST_REQUIRE(config.users.store_provider_tokens);
    const auto jane = add_user("jane", "jane@example.com", true);
    add_identity(jane.id, "g-1", R"({"access_token": "old-plain-token", "auth_time": 1})");
    SocialProfile p = profile("g-1", "jane@example.com", true);
    p.access_token = "ya29.provider-token";
    auto state = run(p);
    BOOST_TEST_REQUIRE(code_of(state) == "ok");
    const Json::Value extra = extra_data_of(state->identity->id);
    BOOST_TEST(!extra.isMember("access_token"));
    BOOST_TEST(extra["auth_time"].asInt64() == kNow);
    const std::string& text = store.identities().at(state->identity->id).record.extra_data;
    BOOST_TEST(text.find("old-plain-token") == std::string::npos);
    BOOST_TEST(text.find("ya29.provider-token") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(load_extra_data_seals_for_this_identity_only) {
    config.users.provider_token_key = kTokenKey;
    SocialProfile p = profile("g-1", "jane@example.com", true);
    p.access_token = "ya29.provider-token";
    auto state = run(p);
    BOOST_TEST_REQUIRE(code_of(state) == "ok");
    const std::string sealed = extra_data_of(state->identity->id)["access_token"].asString();
    BOOST_TEST(!core::open_provider_token(kTokenKey, kBackend, "g-2", sealed).has_value());
    BOOST_TEST(!core::open_provider_token(kTokenKey, "facebook", "g-1", sealed).has_value());
    BOOST_TEST(!core::open_provider_token(std::string(32, 'k'), kBackend, "g-1", sealed).has_value());
}

BOOST_AUTO_TEST_CASE(load_extra_data_seals_again_for_a_new_token_or_key) {
    config.users.provider_token_key = kTokenKey;
    SocialProfile p = profile("g-1", "jane@example.com", true);
    p.access_token = "ya29.first";
    auto state = run(p);
    BOOST_TEST_REQUIRE(code_of(state) == "ok");
    const std::int64_t identity = state->identity->id;
    const std::string first = extra_data_of(identity)["access_token"].asString();

    p.access_token = "ya29.second";
    BOOST_TEST_REQUIRE(code_of(run(p)) == "ok");
    BOOST_TEST(opened_token(extra_data_of(identity), "g-1") == "ya29.second");

    // A rotated key: what the old key sealed can't be opened, so it is sealed anew.
    config.users.provider_token_key = std::string(32, 'N');
    BOOST_TEST_REQUIRE(code_of(run(p)) == "ok");
    const std::string resealed = extra_data_of(identity)["access_token"].asString();
    BOOST_TEST(*core::open_provider_token(config.users.provider_token_key, kBackend, "g-1",
                                          resealed) == "ya29.second");
    BOOST_TEST(resealed != first);
}

BOOST_AUTO_TEST_CASE(load_extra_data_fails_when_no_nonce_can_be_drawn) {
    config.users.provider_token_key = kTokenKey;
    const auto jane = add_user("jane", "jane@example.com", true);
    const auto identity = add_identity(jane.id, "g-1");
    PipelineState state = prepared(profile("g-1", "jane@example.com", true));
    state.profile.access_token = "ya29.provider-token";
    state.user = jane;
    state.identity = identity;
    random.fail_next();
    BOOST_TEST(code_of(step(pipeline::load_extra_data, state)) == "internal_error");
    BOOST_TEST(store.identities().at(identity.id).record.extra_data == "{}");
}

BOOST_AUTO_TEST_CASE(load_extra_data_records_an_unknown_expiry_as_null) {
    SocialProfile p = profile("g-1", "jane@example.com", true);
    p.access_token = "ya29.provider-token";
    auto state = run(p);
    BOOST_TEST_REQUIRE(code_of(state) == "ok");
    const Json::Value extra = extra_data_of(state->identity->id);
    BOOST_TEST(extra.isMember("expires"));
    BOOST_TEST(extra["expires"].isNull());
}

BOOST_AUTO_TEST_CASE(load_extra_data_keeps_no_provider_token_when_told_not_to) {
    config.users.store_provider_tokens = false;
    const auto jane = add_user("jane", "jane@example.com", true);
    add_identity(jane.id, "g-1", R"({"access_token": "old-token", "auth_time": 1})");
    SocialProfile p = profile("g-1", "jane@example.com", true);
    p.access_token = "ya29.provider-token";
    auto state = run(p);
    BOOST_TEST_REQUIRE(code_of(state) == "ok");
    const Json::Value extra = extra_data_of(state->identity->id);
    BOOST_TEST(!extra.isMember("access_token"));
    BOOST_TEST(extra["auth_time"].asInt64() == kNow);
    const std::string& text = store.identities().at(state->identity->id).record.extra_data;
    BOOST_TEST(text.find("old-token") == std::string::npos);
    BOOST_TEST(text.find("ya29.provider-token") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(load_extra_data_keeps_keys_written_by_other_programs) {
    config.users.provider_token_key = kTokenKey;
    const auto jane = add_user("jane", "jane@example.com", true);
    add_identity(jane.id, "g-1", R"({"php_app": {"plan": "gold"}, "auth_time": 1, "custom": [1, 2]})");
    SocialProfile p = profile("g-1", "jane@example.com", true);
    p.access_token = "ya29.new";
    auto state = run(p);
    BOOST_TEST_REQUIRE(code_of(state) == "ok");
    const Json::Value extra = extra_data_of(state->identity->id);
    BOOST_TEST(extra["php_app"]["plan"].asString() == "gold");
    BOOST_TEST(extra["custom"].size() == 2u);
    BOOST_TEST(extra["auth_time"].asInt64() == kNow);
    BOOST_TEST(opened_token(extra, "g-1") == "ya29.new");
}

BOOST_AUTO_TEST_CASE(load_extra_data_writes_nothing_when_nothing_changed) {
    // Also with a sealed token: the same token is not sealed again with a new nonce.
    config.users.provider_token_key = kTokenKey;
    SocialProfile p = profile("g-1", "jane@example.com", true);
    p.access_token = "ya29.same";
    p.token_expires_at = kNow + 3600;
    BOOST_TEST_REQUIRE(code_of(run(p)) == "ok");
    const int writes = store.calls("update_identity_extra_data");
    BOOST_TEST_REQUIRE(code_of(run(p)) == "ok");
    BOOST_TEST(store.calls("update_identity_extra_data") == writes);

    clock.set(kNow + 10);
    BOOST_TEST_REQUIRE(code_of(run(p)) == "ok");
    BOOST_TEST(store.calls("update_identity_extra_data") == writes + 1);
}

BOOST_AUTO_TEST_CASE(load_extra_data_needs_an_identity) {
    PipelineState state = prepared(profile("g-1", "jane@example.com", true));
    BOOST_TEST_REQUIRE(code_of(step(pipeline::load_extra_data, state)) == "ok");
    BOOST_TEST(store.calls("update_identity_extra_data") == 0);
}

// ---- user_details -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(user_details_updates_names_from_the_provider) {
    const auto jane = add_user("jane", "jane@example.com", true, "Janet", "Smith");
    add_identity(jane.id, "g-1");
    BOOST_TEST_REQUIRE(code_of(run(profile("g-1", "jane@example.com", true, "Jane", "Doe"))) == "ok");
    BOOST_TEST(user(jane.id).first_name == "Jane");
    BOOST_TEST(user(jane.id).last_name == "Doe");
}

BOOST_AUTO_TEST_CASE(user_details_writes_nothing_when_nothing_changed) {
    const auto jane = add_user("jane", "jane@example.com", true, "Jane", "Doe");
    add_identity(jane.id, "g-1");
    BOOST_TEST_REQUIRE(code_of(run(profile("g-1", "jane@example.com", true, "Jane", "Doe"))) == "ok");
    BOOST_TEST(store.calls("update_user_profile") == 0);
}

BOOST_AUTO_TEST_CASE(user_details_never_blanks_a_field) {
    const auto jane = add_user("jane", "jane@example.com", true, "Jane", "Doe");
    add_identity(jane.id, "g-1");
    BOOST_TEST_REQUIRE(code_of(run(profile("g-1", "", false, "", ""))) == "ok");
    BOOST_TEST(user(jane.id).first_name == "Jane");
    BOOST_TEST(user(jane.id).last_name == "Doe");
    BOOST_TEST(user(jane.id).email == "jane@example.com");
    BOOST_TEST(user(jane.id).email_verified);
}

BOOST_AUTO_TEST_CASE(user_details_leaves_protected_fields_alone) {
    config.users.protected_user_fields = {"first_name"};
    const auto jane = add_user("jane", "jane@example.com", true, "Janet", "Smith");
    add_identity(jane.id, "g-1");
    BOOST_TEST_REQUIRE(code_of(run(profile("g-1", "jane@example.com", true, "Jane", "Doe"))) == "ok");
    BOOST_TEST(user(jane.id).first_name == "Janet");
    BOOST_TEST(user(jane.id).last_name == "Doe");
}

BOOST_AUTO_TEST_CASE(user_details_never_overwrites_a_non_empty_immutable_field) {
    config.users.immutable_user_fields = {"first_name", "last_name"};
    const auto jane = add_user("jane", "jane@example.com", true, "Janet", "");
    add_identity(jane.id, "g-1");
    BOOST_TEST_REQUIRE(code_of(run(profile("g-1", "jane@example.com", true, "Jane", "Doe"))) == "ok");
    BOOST_TEST(user(jane.id).first_name == "Janet");
    BOOST_TEST(user(jane.id).last_name == "Doe"); // empty, so it may be filled once
}

BOOST_AUTO_TEST_CASE(user_details_changes_the_email_to_a_vouched_free_address) {
    const auto jane = add_user("jane", "jane@old.example.org", false);
    add_identity(jane.id, "g-1");
    BOOST_TEST_REQUIRE(code_of(run(profile("g-1", "jane@new.example.org", true))) == "ok");
    BOOST_TEST(user(jane.id).email == "jane@new.example.org");
    BOOST_TEST(user(jane.id).email_verified);
}

BOOST_AUTO_TEST_CASE(user_details_ignores_an_unvouched_address) {
    const auto jane = add_user("jane", "jane@old.example.org", true);
    add_identity(jane.id, "f-1", "{}");
    BOOST_TEST_REQUIRE(code_of(run(profile("f-1", "jane@new.example.org", false))) == "ok");
    BOOST_TEST(user(jane.id).email == "jane@old.example.org");
    BOOST_TEST(user(jane.id).email_verified);
}

BOOST_AUTO_TEST_CASE(user_details_never_takes_an_address_another_user_holds) {
    for (const bool other_verified : {true, false}) {
        store = testing::MemoryStore();
        const auto jane = add_user("jane", "jane@old.example.org", false);
        add_identity(jane.id, "g-1");
        add_user("other", "Shared@Example.org", other_verified);
        BOOST_TEST_REQUIRE(code_of(run(profile("g-1", "shared@example.org", true))) == "ok");
        BOOST_TEST(user(jane.id).email == "jane@old.example.org", "other verified: " << other_verified);
        BOOST_TEST(!user(jane.id).email_verified);
    }
}

BOOST_AUTO_TEST_CASE(user_details_leaves_a_protected_email_alone) {
    config.users.protected_user_fields = {"email"};
    const auto jane = add_user("jane", "jane@old.example.org", false);
    add_identity(jane.id, "g-1");
    BOOST_TEST_REQUIRE(code_of(run(profile("g-1", "jane@new.example.org", true))) == "ok");
    BOOST_TEST(user(jane.id).email == "jane@old.example.org");
    BOOST_TEST(!user(jane.id).email_verified);
}

BOOST_AUTO_TEST_CASE(user_details_fills_an_empty_immutable_email_only_once) {
    config.users.immutable_user_fields = {"email"};
    const auto jane = add_user("jane", "", false);
    add_identity(jane.id, "g-1");
    BOOST_TEST_REQUIRE(code_of(run(profile("g-1", "jane@first.example.org", true))) == "ok");
    BOOST_TEST(user(jane.id).email == "jane@first.example.org");
    BOOST_TEST(user(jane.id).email_verified);
    BOOST_TEST_REQUIRE(code_of(run(profile("g-1", "jane@second.example.org", true))) == "ok");
    BOOST_TEST(user(jane.id).email == "jane@first.example.org");
}

BOOST_AUTO_TEST_CASE(user_details_verifies_the_same_address_without_rewriting_it) {
    const auto jane = add_user("jane", "Jane@Example.COM", false);
    add_identity(jane.id, "g-1");
    BOOST_TEST_REQUIRE(code_of(run(profile("g-1", "jane@example.com", true))) == "ok");
    BOOST_TEST(user(jane.id).email == "Jane@Example.COM");
    BOOST_TEST(user(jane.id).email_verified);
}

BOOST_AUTO_TEST_CASE(user_details_leaves_a_new_user_as_created) {
    auto state = run(profile("g-1", "jane@example.com", true, "Jane", "Doe"));
    BOOST_TEST_REQUIRE(code_of(state) == "ok");
    BOOST_TEST(state->is_new);
    BOOST_TEST(store.calls("update_user_profile") == 0);
}

// ---- whole runs ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(first_login_creates_a_user_and_an_identity_and_the_second_finds_them) {
    SocialProfile p = profile("g-1", "jane.doe@example.com", true, "Jane", "Doe");
    auto first = run(p);
    BOOST_TEST_REQUIRE(code_of(first) == "ok");
    BOOST_TEST(first->is_new);
    BOOST_TEST(first->user->username == "jane.doe");
    BOOST_TEST_REQUIRE(first->identity.has_value());
    BOOST_TEST(first->backend == kBackend);

    auto second = run(p);
    BOOST_TEST_REQUIRE(code_of(second) == "ok");
    BOOST_TEST(!second->is_new);
    BOOST_TEST(second->user->id == first->user->id);
    BOOST_TEST(second->identity->id == first->identity->id);
    BOOST_TEST(store.users().size() == 1u);
    BOOST_TEST(store.identities().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_failing_step_stops_the_run) {
    store.fail_next("find_identity", core::Errc::service_unavailable);
    BOOST_TEST(code_of(run(profile("g-1", "jane@example.com", true))) == "service_unavailable");
    BOOST_TEST(store.calls("create_user") == 0);
    BOOST_TEST(store.calls("create_identity") == 0);
}

BOOST_AUTO_TEST_CASE(an_unknown_step_name_is_a_broken_invariant) {
    BOOST_CHECK_THROW(pipeline::Pipeline({"social_details", "no_such_step"}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(email_key_trims_and_lowers_ascii_only) {
    BOOST_TEST(pipeline::email_key("  Jane.Doe@Example.COM\t") == "jane.doe@example.com");
    BOOST_TEST(pipeline::email_key("\xC3\x89LODIE@X.TEST") == "\xC3\x89lodie@x.test");
}

BOOST_AUTO_TEST_SUITE_END()
