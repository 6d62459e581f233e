// store/sql_literals: parameters written into a statement for the text protocol, where
// no byte of a value may ever be read as SQL.
#include "store/sql_literals.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace std::string_literals;
using socialauth::store::SqlParams;
using socialauth::store::with_literals;

namespace {

std::string written(const std::string& sql, const SqlParams& params) {
    auto out = with_literals(sql, params);
    if (!out.ok()) BOOST_FAIL(out.error().detail);
    return *out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(sql_literals)

BOOST_AUTO_TEST_CASE(writes_integers_in_decimal_and_null_as_null) {
    BOOST_TEST(written("SELECT ?, ?, ?", {std::int64_t{42}, std::int64_t{-7}, nullptr}) ==
               "SELECT 42, -7, NULL");
    BOOST_TEST(written("LIMIT 1 OFFSET ?", {std::int64_t{9223372036854775807}}) ==
               "LIMIT 1 OFFSET 9223372036854775807");
}

BOOST_AUTO_TEST_CASE(writes_strings_as_hex_with_a_utf8mb4_introducer) {
    BOOST_TEST(written("WHERE email = ?", {"jane"s}) == "WHERE email = _utf8mb4 X'6A616E65'");
    BOOST_TEST(written("SET v = ?", {""s}) == "SET v = _utf8mb4 X''");
    BOOST_TEST(written("SET v = ?", {"caf\xC3\xA9"s}) == "SET v = _utf8mb4 X'636166C3A9'");
}

BOOST_AUTO_TEST_CASE(nothing_of_a_value_survives_as_sql) {
    // Quotes, backslashes, semicolons, comments, NUL and question marks all become hex.
    const std::string hostile = "x'; DROP TABLE users; -- \\' \" ` ? /*\0*/"s;
    const std::string out = written("UPDATE t SET v = ? WHERE id = ?", {hostile, std::int64_t{1}});
    const std::string prefix = "UPDATE t SET v = _utf8mb4 X'";
    BOOST_TEST_REQUIRE(out.compare(0, prefix.size(), prefix) == 0, out);
    const std::string hex = out.substr(prefix.size(), hostile.size() * 2);
    BOOST_TEST(hex.find_first_not_of("0123456789ABCDEF") == std::string::npos, hex);
    BOOST_TEST(out.substr(prefix.size() + hex.size()) == "' WHERE id = 1");
}

BOOST_AUTO_TEST_CASE(leaves_question_marks_inside_quotes_alone) {
    BOOST_TEST(written("SELECT '?', \"?\", `a?b`, ?", {std::int64_t{1}}) ==
               "SELECT '?', \"?\", `a?b`, 1");
}

BOOST_AUTO_TEST_CASE(refuses_counts_that_disagree_and_unclosed_quotes) {
    BOOST_TEST(!with_literals("SELECT ?, ?", {std::int64_t{1}}).ok());
    BOOST_TEST(!with_literals("SELECT ?", {std::int64_t{1}, std::int64_t{2}}).ok());
    BOOST_TEST(!with_literals("SELECT '?", {std::int64_t{1}}).ok());
    const auto refused = with_literals("SELECT ?", {});
    BOOST_TEST_REQUIRE(!refused.ok());
    BOOST_CHECK(refused.error().code == socialauth::core::Errc::internal_error);
}

BOOST_AUTO_TEST_SUITE_END()
