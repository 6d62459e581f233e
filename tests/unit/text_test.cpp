// core/text: the UTF-8, control-character, trimming, case and log-escaping helpers that
// request parsing, email matching and the log line rely on.
#include "core/text.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace std::string_literals;
using socialauth::core::ascii_lower;
using socialauth::core::escape_for_log;
using socialauth::core::has_control_characters;
using socialauth::core::is_valid_utf8;
using socialauth::core::trim;

BOOST_AUTO_TEST_SUITE(text)

BOOST_AUTO_TEST_CASE(accepts_ascii_and_well_formed_multibyte_utf8) {
    BOOST_TEST(is_valid_utf8(""));
    BOOST_TEST(is_valid_utf8("plain ascii ~"));
    BOOST_TEST(is_valid_utf8("caf\xC3\xA9"));           // U+00E9, 2 bytes
    BOOST_TEST(is_valid_utf8("\xE2\x82\xAC"));          // U+20AC, 3 bytes
    BOOST_TEST(is_valid_utf8("\xF0\x9F\x98\x80"));      // U+1F600, 4 bytes
    BOOST_TEST(is_valid_utf8("\xC2\x80"));              // U+0080, smallest 2-byte
    BOOST_TEST(is_valid_utf8("\xEF\xBF\xBF"));          // U+FFFF
    BOOST_TEST(is_valid_utf8("\xED\x9F\xBF"));          // U+D7FF, just below surrogates
    BOOST_TEST(is_valid_utf8("\xEE\x80\x80"));          // U+E000, just above surrogates
    BOOST_TEST(is_valid_utf8("\xF4\x8F\xBF\xBF"));      // U+10FFFF, the last code point
    BOOST_TEST(is_valid_utf8("a\xC3\xA9z\xF0\x9F\x98\x80!"));
}

BOOST_AUTO_TEST_CASE(accepts_nul_as_valid_utf8) {
    // NUL is valid UTF-8; refusing it is has_control_characters' job.
    BOOST_TEST(is_valid_utf8("a\0b"s));
}

BOOST_AUTO_TEST_CASE(rejects_overlong_encodings) {
    BOOST_TEST(!is_valid_utf8("\xC0\x80"));             // NUL in 2 bytes
    BOOST_TEST(!is_valid_utf8("\xC0\xAF"));             // '/' in 2 bytes
    BOOST_TEST(!is_valid_utf8("\xC1\xBF"));             // U+007F in 2 bytes
    BOOST_TEST(!is_valid_utf8("\xE0\x80\xAF"));         // '/' in 3 bytes
    BOOST_TEST(!is_valid_utf8("\xE0\x9F\xBF"));         // U+07FF in 3 bytes
    BOOST_TEST(!is_valid_utf8("\xF0\x80\x80\xAF"));     // '/' in 4 bytes
    BOOST_TEST(!is_valid_utf8("\xF0\x8F\xBF\xBF"));     // U+FFFF in 4 bytes
}

BOOST_AUTO_TEST_CASE(rejects_utf16_surrogates) {
    BOOST_TEST(!is_valid_utf8("\xED\xA0\x80"));         // U+D800
    BOOST_TEST(!is_valid_utf8("\xED\xAF\xBF"));         // U+DBFF
    BOOST_TEST(!is_valid_utf8("\xED\xB0\x80"));         // U+DC00
    BOOST_TEST(!is_valid_utf8("\xED\xBF\xBF"));         // U+DFFF
    BOOST_TEST(!is_valid_utf8("\xED\xA0\xBD\xED\xB8\x80")); // CESU-8 pair
}

BOOST_AUTO_TEST_CASE(rejects_code_points_above_u10ffff) {
    BOOST_TEST(!is_valid_utf8("\xF4\x90\x80\x80"));     // U+110000
    BOOST_TEST(!is_valid_utf8("\xF5\x80\x80\x80"));
    BOOST_TEST(!is_valid_utf8("\xF7\xBF\xBF\xBF"));
    BOOST_TEST(!is_valid_utf8("\xF8\x88\x80\x80\x80")); // old 5-byte form
    BOOST_TEST(!is_valid_utf8("\xFC\x84\x80\x80\x80\x80"));
}

BOOST_AUTO_TEST_CASE(rejects_truncated_sequences) {
    BOOST_TEST(!is_valid_utf8("\xC3"));
    BOOST_TEST(!is_valid_utf8("caf\xC3"));
    BOOST_TEST(!is_valid_utf8("\xE2\x82"));
    BOOST_TEST(!is_valid_utf8("\xF0\x9F\x98"));
    BOOST_TEST(!is_valid_utf8("\xE2\x82z"));            // continuation replaced by ASCII
    BOOST_TEST(!is_valid_utf8("\xF0\x9F\x98 "));
}

BOOST_AUTO_TEST_CASE(rejects_stray_continuation_and_invalid_bytes) {
    BOOST_TEST(!is_valid_utf8("\x80"));
    BOOST_TEST(!is_valid_utf8("a\xBF"));
    BOOST_TEST(!is_valid_utf8("\xC3\xA9\xA9"));         // one continuation too many
    BOOST_TEST(!is_valid_utf8("\xFE"));
    BOOST_TEST(!is_valid_utf8("\xFF"));
    BOOST_TEST(!is_valid_utf8("latin1 caf\xE9"));
}

BOOST_AUTO_TEST_CASE(finds_every_c0_control_character_and_del) {
    for (int c = 0; c < 0x20; ++c) {
        const std::string text = "ab"s + static_cast<char>(c) + "cd";
        BOOST_TEST(has_control_characters(text), "byte " << c);
    }
    BOOST_TEST(has_control_characters("ab\x7F"));
    BOOST_TEST(has_control_characters("\0"s));
}

BOOST_AUTO_TEST_CASE(does_not_flag_printable_ascii_or_utf8_text) {
    BOOST_TEST(!has_control_characters(""));
    BOOST_TEST(!has_control_characters("ya29.a0AfB_xyz-123 ~!@#$%^&*()"));
    BOOST_TEST(!has_control_characters("J\xC3\xBCrgen \xE2\x82\xAC"));
}

BOOST_AUTO_TEST_CASE(trims_ascii_white_space_at_both_ends_only) {
    BOOST_TEST(trim("  token  ") == "token");
    BOOST_TEST(trim("\t\r\n\f\vtoken\t\r\n\f\v") == "token");
    BOOST_TEST(trim("a b\tc") == "a b\tc");
    BOOST_TEST(trim("inner  space ") == "inner  space");
    BOOST_TEST(trim("x") == "x");
}

BOOST_AUTO_TEST_CASE(trims_blank_text_to_empty) {
    BOOST_TEST(trim("") == "");
    BOOST_TEST(trim(" ") == "");
    BOOST_TEST(trim(" \t\r\n\f\v ") == "");
}

BOOST_AUTO_TEST_CASE(trim_keeps_nul_and_non_ascii_space) {
    BOOST_TEST(trim(" a\0 "s) == "a\0"s);
    // U+00A0 NO-BREAK SPACE is not ASCII white space: it stays, so a lookalike stays visible.
    BOOST_TEST(trim("\xC2\xA0x\xC2\xA0") == "\xC2\xA0x\xC2\xA0");
}

BOOST_AUTO_TEST_CASE(ascii_lower_lowers_only_a_to_z) {
    BOOST_TEST(ascii_lower("Jane.DOE@Example.COM") == "jane.doe@example.com");
    BOOST_TEST(ascii_lower("@[`{") == "@[`{"); // neighbours of A-Z and a-z
    BOOST_TEST(ascii_lower("0123456789_-+.") == "0123456789_-+.");
}

BOOST_AUTO_TEST_CASE(ascii_lower_leaves_non_ascii_alone) {
    BOOST_TEST(ascii_lower("\xC3\x89LODIE") == "\xC3\x89lodie");         // É stays É
    BOOST_TEST(ascii_lower("\xD0\x90" "DMIN") == "\xD0\x90" "dmin"); // Cyrillic А stays
    BOOST_TEST(ascii_lower("\xE2\x84\xAA") == "\xE2\x84\xAA");            // KELVIN SIGN stays
    BOOST_TEST(ascii_lower("\xC4\xB0") == "\xC4\xB0");                    // dotted capital I stays
}

BOOST_AUTO_TEST_CASE(truncate_utf8_counts_characters_not_bytes) {
    using socialauth::core::truncate_utf8;
    BOOST_TEST(truncate_utf8("a\xC3\xA9" "b", 2) == "a\xC3\xA9");
    BOOST_TEST(truncate_utf8("\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 1) == "\xF0\x9F\x98\x80");
    BOOST_TEST(truncate_utf8("abc", 0) == "");
    BOOST_TEST(truncate_utf8("abc", 3) == "abc");
    BOOST_TEST(truncate_utf8("abc", 10) == "abc");
    BOOST_TEST(truncate_utf8("", 5) == "");
}

BOOST_AUTO_TEST_CASE(escape_for_log_makes_one_line) {
    const std::string escaped = escape_for_log("first\nsecond\r\nthird");
    BOOST_TEST(escaped.find('\n') == std::string::npos);
    BOOST_TEST(escaped.find('\r') == std::string::npos);
    BOOST_TEST(escaped == "first\\x0asecond\\x0d\\x0athird");
}

BOOST_AUTO_TEST_CASE(escape_for_log_escapes_every_control_character_and_del) {
    std::string all;
    for (int c = 0; c < 0x20; ++c) all += static_cast<char>(c);
    all += '\x7F';
    const std::string escaped = escape_for_log(all);
    for (char c : escaped) {
        const auto u = static_cast<unsigned char>(c);
        BOOST_TEST((u >= 0x20 && u != 0x7F), "raw control byte " << int(u));
    }
    BOOST_TEST(escaped.substr(0, 8) == "\\x00\\x01");
    BOOST_TEST(escaped.substr(escaped.size() - 4) == "\\x7f");
}

BOOST_AUTO_TEST_CASE(escape_for_log_escapes_backslash_so_escapes_cannot_be_forged) {
    // An attacker who sends the text "\x0a" must not look like a real escaped newline.
    BOOST_TEST(escape_for_log("a\\x0ab") == "a\\x5cx0ab");
    BOOST_TEST(escape_for_log("\\") == "\\x5c");
}

BOOST_AUTO_TEST_CASE(escape_for_log_escapes_terminal_escapes_c1_controls_and_bidi_overrides) {
    BOOST_TEST(escape_for_log("a\x1b[31mred") == "a\\x1b[31mred");
    BOOST_TEST(escape_for_log("\xC2\x9B" "31m") == "\\xc2\\x9b31m");        // U+009B CSI
    BOOST_TEST(escape_for_log("\xC2\x85") == "\\xc2\\x85");                 // U+0085 NEL
    BOOST_TEST(escape_for_log("a\xE2\x80\xA8" "b") == "a\\xe2\\x80\\xa8b"); // U+2028
    BOOST_TEST(escape_for_log("\xE2\x80\xAE" "gpj.exe") == "\\xe2\\x80\\xaegpj.exe"); // RLO
    BOOST_TEST(escape_for_log("\xE2\x81\xA6") == "\\xe2\\x81\\xa6");         // LRI
    BOOST_TEST(escape_for_log("\xC2\xA0") == "\xC2\xA0");                       // NBSP shows
    BOOST_TEST(escape_for_log("\xE2\x80\x94") == "\xE2\x80\x94");             // em dash shows
}

BOOST_AUTO_TEST_CASE(escape_for_log_escapes_bytes_that_are_not_utf8) {
    BOOST_TEST(escape_for_log("\x9B" "31m") == "\\x9b31m"); // 8-bit CSI of Latin-1 terminals
    BOOST_TEST(escape_for_log("\xFF\xFE") == "\\xff\\xfe");
    BOOST_TEST(escape_for_log("\xC3") == "\\xc3");           // cut short
    BOOST_TEST(escape_for_log("\xC3(") == "\\xc3(");
    BOOST_TEST(escape_for_log("\xC0\x8A") == "\\xc0\\x8a"); // overlong newline
    BOOST_TEST(escape_for_log("\xED\xA0\x80") == "\\xed\\xa0\\x80"); // surrogate
    BOOST_TEST(escape_for_log("\xE2\x82" "J\xC3\xBC") == "\\xe2\\x82J\xC3\xBC");
}

BOOST_AUTO_TEST_CASE(escape_for_log_keeps_printable_text_and_utf8) {
    BOOST_TEST(escape_for_log("req=abc status=200") == "req=abc status=200");
    BOOST_TEST(escape_for_log("J\xC3\xBCrgen") == "J\xC3\xBCrgen");
}

BOOST_AUTO_TEST_SUITE_END()
