// core/clock: the SQL DATETIME form every row's times are read in.
#include "core/clock.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using socialauth::core::format_sql_utc;
using socialauth::core::from_unix_seconds;
using socialauth::core::parse_sql_utc;
using socialauth::core::TimePoint;
using socialauth::core::to_unix_seconds;

BOOST_AUTO_TEST_SUITE(sql_times)

BOOST_AUTO_TEST_CASE(reads_back_what_format_sql_utc_writes) {
    for (const std::int64_t seconds :
         {0LL, 951782400LL, 1767225599LL, 4102444800LL, -2208988800LL}) {
        TimePoint parsed;
        const std::string text = format_sql_utc(from_unix_seconds(seconds));
        BOOST_TEST_REQUIRE(parse_sql_utc(text, parsed), text);
        BOOST_TEST(to_unix_seconds(parsed) == seconds, text);
    }
    TimePoint leap_day;
    BOOST_TEST_REQUIRE(parse_sql_utc("2024-02-29 23:59:58", leap_day));
    BOOST_TEST(to_unix_seconds(leap_day) == 1709251198);
}

BOOST_AUTO_TEST_CASE(refuses_anything_but_that_exact_form) {
    TimePoint unused;
    for (const char* text : {"", "2026-01-01", "2026-01-01 00:00", "2026-01-01 00:00:00.5",
                             "2026-01-01T00:00:00", "2026-01-01 00:00:00 ", " 2026-01-01 00:00:00",
                             "+026-01-01 00:00:00", "2026-1-01 00:00:00", "2026-01-01 0:00:000",
                             "2026/01/01 00:00:00", "20x6-01-01 00:00:00", "2026-01-01 00:0-:00"})
        BOOST_TEST(!parse_sql_utc(text, unused), text);
}

BOOST_AUTO_TEST_SUITE_END()
