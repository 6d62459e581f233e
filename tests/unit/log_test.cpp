// core/log: the Logger writes one line per call, "<UTC time> socialauth <level> <message>",
// and passes every message through escape_for_log, so no input (a request path, a
// provider's error text) can start a forged log entry or send escape sequences to the
// terminal of whoever reads the log.
#include "core/log.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>

namespace {

using socialauth::core::CaptureSink;
using socialauth::core::Logger;

struct LogFixture {
    LogFixture() : sink(std::make_shared<CaptureSink>()), logger(sink) {}

    std::shared_ptr<CaptureSink> sink;
    Logger logger;
};

// "2026-11-28T12:00:00Z"; each '0' of the shape stands for any digit. (Not std::regex:
// GCC 12 warns inside <regex> under the sanitizers, and warnings are errors in CI.)
bool is_utc_timestamp(const std::string& text) {
    const std::string shape = "0000-00-00T00:00:00Z";
    if (text.size() != shape.size()) return false;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        const bool digit = text[i] >= '0' && text[i] <= '9';
        if (shape[i] == '0' ? !digit : text[i] != shape[i]) return false;
    }
    return true;
}

bool has_raw_control_byte(const std::string& line) {
    for (char c : line) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) return true;
    }
    return false;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(logger, LogFixture)

BOOST_AUTO_TEST_CASE(writes_time_level_and_message_on_one_line) {
    logger.info("req=abc status=200");
    logger.warning("careful");
    logger.error("broken");
    BOOST_TEST_REQUIRE(sink->lines.size() == 3u);
    for (const auto& line : sink->lines) {
        BOOST_TEST(is_utc_timestamp(line.substr(0, 20)), line);
        BOOST_TEST(line.substr(20, 1) == " ", line);
    }
    BOOST_TEST(sink->lines[0].substr(21) == "socialauth info req=abc status=200");
    BOOST_TEST(sink->lines[1].substr(21) == "socialauth warning careful");
    BOOST_TEST(sink->lines[2].substr(21) == "socialauth error broken");
}

BOOST_AUTO_TEST_CASE(a_path_with_newlines_and_escape_sequences_stays_one_harmless_line) {
    const std::string path = "/me\nreq=forged status=200\r\n\x1b[2J\x1b]0;owned\x07\x08\x7f\\x0a";
    logger.info("method=GET route=" + path + " status=404");
    BOOST_TEST_REQUIRE(sink->lines.size() == 1u);
    const std::string& line = sink->lines.front();
    BOOST_TEST(!has_raw_control_byte(line), line);
    BOOST_TEST(line.find("route=/me\\x0areq=forged status=200\\x0d\\x0a\\x1b[2J\\x1b]0;owned"
                         "\\x07\\x08\\x7f\\x5cx0a status=404") != std::string::npos,
               line);
}

BOOST_AUTO_TEST_CASE(escapes_8_bit_controls_and_bytes_that_are_not_utf8) {
    logger.error("detail=\xC2\x9B" "2J \x9B" "2J \xE2\x80\xAE" "txt.exe \xFF");
    BOOST_TEST_REQUIRE(sink->lines.size() == 1u);
    const std::string& line = sink->lines.front();
    BOOST_TEST(line.find("detail=\\xc2\\x9b2J \\x9b2J \\xe2\\x80\\xaetxt.exe \\xff") !=
                   std::string::npos,
               line);
    for (char c : line) BOOST_TEST(static_cast<unsigned char>(c) < 0x80, line);
}

BOOST_AUTO_TEST_SUITE_END()
