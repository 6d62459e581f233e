// admin/command_line: socialauth-admin finds every usage error (exit 2) before it reads
// the config: global options anywhere on the line, a command's own options in both
// forms, and ids that are plain decimal numbers only.
#include "admin/command_line.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace {

using namespace socialauth::admin;
using Args = std::vector<std::string>;

const GlobalOptions kDefaults{"", "/usr/share/socialauth/sql"};
const OptionSpec kListSpec{{"--limit", "--email"}, {"--inactive"}};

std::string usage_message(const socialauth::core::Result<Arguments>& parsed) {
    BOOST_REQUIRE(!parsed);
    BOOST_CHECK(parsed.error().code == socialauth::core::Errc::invalid_request);
    return parsed.error().detail;
}

} // namespace

BOOST_AUTO_TEST_SUITE(admin_command_line)

BOOST_AUTO_TEST_CASE(takes_global_options_before_and_after_the_command) {
    const auto line = split_global_options(
        {"--config", "/etc/a.json", "migrate", "--sql-dir=/srv/sql"}, kDefaults);
    BOOST_REQUIRE(line);
    BOOST_CHECK_EQUAL(line->global.config_path, "/etc/a.json");
    BOOST_CHECK_EQUAL(line->global.sql_dir, "/srv/sql");
    BOOST_CHECK(line->rest == Args{"migrate"});
}

BOOST_AUTO_TEST_CASE(keeps_the_defaults_and_the_command_arguments_in_order) {
    const auto line = split_global_options({"users", "list", "--limit", "3"}, kDefaults);
    BOOST_REQUIRE(line);
    BOOST_CHECK_EQUAL(line->global.config_path, "");
    BOOST_CHECK_EQUAL(line->global.sql_dir, kDefaults.sql_dir);
    BOOST_CHECK((line->rest == Args{"users", "list", "--limit", "3"}));
}

BOOST_AUTO_TEST_CASE(refuses_a_global_option_without_a_value_or_given_twice) {
    for (const Args& args : {Args{"migrate", "--config"}, Args{"--config=", "migrate"},
                             Args{"--config", "a", "--config", "b", "migrate"}}) {
        const auto line = split_global_options(args, kDefaults);
        BOOST_CHECK(!line);
    }
}

BOOST_AUTO_TEST_CASE(leaves_what_follows_a_double_dash_to_the_command) {
    const auto line = split_global_options({"users", "--", "--config", "x"}, kDefaults);
    BOOST_REQUIRE(line);
    BOOST_CHECK_EQUAL(line->global.config_path, "");
    BOOST_CHECK((line->rest == Args{"users", "--", "--config", "x"}));
}

BOOST_AUTO_TEST_CASE(reads_flags_and_values_in_both_forms) {
    const auto parsed =
        parse_arguments({"--inactive", "--limit", "5", "--email=a@b.example"}, kListSpec);
    BOOST_REQUIRE(parsed);
    BOOST_CHECK(parsed->has("--inactive"));
    BOOST_CHECK_EQUAL(parsed->value("--limit").value_or(""), "5");
    BOOST_CHECK_EQUAL(parsed->value("--email").value_or(""), "a@b.example");
    BOOST_CHECK(parsed->positional.empty());
    BOOST_CHECK(!parsed->help);
}

BOOST_AUTO_TEST_CASE(sees_a_help_request_wherever_it_stands) {
    for (const Args& args : {Args{"--help"}, Args{"42", "-h"}, Args{"--inactive", "--help"}}) {
        const auto parsed = parse_arguments(args, kListSpec);
        BOOST_REQUIRE(parsed);
        BOOST_CHECK(parsed->help);
    }
}

BOOST_AUTO_TEST_CASE(names_the_problem_of_a_bad_option) {
    BOOST_CHECK_EQUAL(usage_message(parse_arguments({"--bogus"}, kListSpec)),
                      "unknown option '--bogus'");
    BOOST_CHECK_EQUAL(usage_message(parse_arguments({"--limit"}, kListSpec)),
                      "--limit needs a value");
    BOOST_CHECK_EQUAL(usage_message(parse_arguments({"--inactive=1"}, kListSpec)),
                      "--inactive takes no value");
    BOOST_CHECK_EQUAL(usage_message(parse_arguments({"--limit", "1", "--limit=2"}, kListSpec)),
                      "--limit given twice");
    // A negative number is no id: it reads as an option and is refused as one.
    BOOST_CHECK_EQUAL(usage_message(parse_arguments({"-1"}, {})), "unknown option '-1'");
}

BOOST_AUTO_TEST_CASE(quotes_an_argument_with_its_control_characters_escaped) {
    BOOST_CHECK_EQUAL(usage_message(parse_arguments({"--\x1b[31m"}, {})),
                      "unknown option '--\\x1b[31m'");
}

BOOST_AUTO_TEST_CASE(takes_words_after_a_double_dash_as_positional) {
    const auto parsed = parse_arguments({"--", "--inactive", "-"}, kListSpec);
    BOOST_REQUIRE(parsed);
    BOOST_CHECK((parsed->positional == Args{"--inactive", "-"}));
    BOOST_CHECK(!parsed->has("--inactive"));
}

BOOST_AUTO_TEST_CASE(reads_ids_of_decimal_digits_only) {
    BOOST_CHECK_EQUAL(parse_id("42").value_or(-1), 42);
    BOOST_CHECK_EQUAL(parse_id("0").value_or(-1), 0);
    BOOST_CHECK_EQUAL(parse_id("999999999999999999").value_or(-1), 999999999999999999);
    for (const char* bad : {"", "1x", "x1", "+1", " 1", "1 ", "1.0", "0x10", "1000000000000000000"})
        BOOST_CHECK_MESSAGE(!parse_id(bad), bad);
    BOOST_CHECK(!parse_positive("0"));
    BOOST_CHECK_EQUAL(parse_positive("7").value_or(-1), 7);
}

BOOST_AUTO_TEST_CASE(wants_exactly_one_id) {
    const auto id_of = [](const Args& positional) {
        Arguments arguments;
        arguments.positional = positional;
        return single_id(arguments, "ID");
    };
    BOOST_CHECK_EQUAL(id_of({"12"}).value(), 12);
    BOOST_CHECK_EQUAL(id_of({}).error().detail, "ID is missing");
    BOOST_CHECK_EQUAL(id_of({"1", "2"}).error().detail, "unexpected argument '2'");
    BOOST_CHECK_EQUAL(id_of({"1x"}).error().detail, "ID must be a number, not '1x'");
}

BOOST_AUTO_TEST_SUITE_END()
