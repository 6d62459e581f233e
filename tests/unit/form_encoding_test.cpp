// http/form_encoding: application/x-www-form-urlencoded both ways. parse_form keeps
// every field as sent (repeated, empty, without '=') so the exchange decides what they
// mean; form_encode and percent_encode produce what parse_form reads back.
#include "http/form_encoding.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <string>

using namespace std::string_literals;
using socialauth::http::form_encode;
using socialauth::http::FormFields;
using socialauth::http::parse_form;
using socialauth::http::percent_encode;

namespace {

// FormFields as one readable line, so a failing comparison shows both sides; bytes
// outside printable ASCII appear as \xNN.
std::string show(const FormFields& fields) {
    std::string out;
    const auto put = [&out](const std::string& text) {
        for (char ch : text) {
            const auto c = static_cast<unsigned char>(ch);
            if (c >= 0x20 && c < 0x7F && c != '\\') {
                out += ch;
            } else {
                char buf[5];
                std::snprintf(buf, sizeof buf, "\\x%02x", c);
                out += buf;
            }
        }
    };
    for (const auto& [name, value] : fields) {
        out += '[';
        put(name);
        out += "]=[";
        put(value);
        out += "] ";
    }
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(form_encoding)

BOOST_AUTO_TEST_CASE(splits_fields_on_ampersand_and_equals) {
    const FormFields expected{{"access_token", "abc"}, {"id_token", "xyz"}};
    BOOST_TEST(show(parse_form("access_token=abc&id_token=xyz")) == show(expected));
}

BOOST_AUTO_TEST_CASE(decodes_plus_as_space) {
    const FormFields expected{{"a b", "c d "}};
    BOOST_TEST(show(parse_form("a+b=c+d+")) == show(expected));
}

BOOST_AUTO_TEST_CASE(decodes_percent_escapes_in_either_case) {
    const FormFields expected{{"k&=", "a+b/\xC3\xA9 \n"}};
    BOOST_TEST(show(parse_form("k%26%3d=a%2Bb%2f%C3%a9%20%0A")) == show(expected));
}

BOOST_AUTO_TEST_CASE(decodes_an_encoded_nul_so_the_caller_can_refuse_it) {
    const FormFields parsed = parse_form("access_token=ab%00cd");
    BOOST_TEST_REQUIRE(parsed.size() == 1u);
    BOOST_TEST(parsed[0].second == "ab\0cd"s);
}

BOOST_AUTO_TEST_CASE(keeps_repeated_keys_in_order) {
    const FormFields expected{{"access_token", "first"}, {"x", "1"}, {"access_token", "second"}};
    BOOST_TEST(show(parse_form("access_token=first&x=1&access_token=second")) == show(expected));
}

BOOST_AUTO_TEST_CASE(keeps_empty_keys_and_empty_values) {
    const FormFields expected{{"", "value"}, {"access_token", ""}, {"", ""}};
    BOOST_TEST(show(parse_form("=value&access_token=&=")) == show(expected));
}

BOOST_AUTO_TEST_CASE(field_without_equals_is_a_key_with_an_empty_value) {
    const FormFields expected{{"access_token", ""}, {"flag", ""}};
    BOOST_TEST(show(parse_form("access_token&flag")) == show(expected));
}

BOOST_AUTO_TEST_CASE(only_the_first_equals_separates_key_and_value) {
    const FormFields expected{{"id_token", "a.b.c=="}};
    BOOST_TEST(show(parse_form("id_token=a.b.c==")) == show(expected));
}

BOOST_AUTO_TEST_CASE(skips_empty_pieces_between_ampersands) {
    const FormFields expected{{"a", "1"}, {"b", "2"}};
    BOOST_TEST(show(parse_form("&a=1&&b=2&")) == show(expected));
    BOOST_TEST(parse_form("").empty());
    BOOST_TEST(parse_form("&&&").empty());
}

BOOST_AUTO_TEST_CASE(an_encoded_ampersand_or_equals_does_not_split) {
    const FormFields expected{{"access_token", "a&b=c"}};
    BOOST_TEST(show(parse_form("access_token=a%26b%3Dc")) == show(expected));
}

BOOST_AUTO_TEST_CASE(passes_malformed_percent_escapes_through) {
    const FormFields expected{{"a", "%zz"}, {"b", "100%"}, {"c", "%4"}, {"d", "%A"}};
    BOOST_TEST(show(parse_form("a=%zz&b=100%&c=%4&d=%%41")) == show(expected));
}

BOOST_AUTO_TEST_CASE(keeps_raw_utf8_and_high_bytes) {
    const FormFields parsed = parse_form("name=J\xC3\xBCrgen&bad=\xFF%\xC3");
    BOOST_TEST_REQUIRE(parsed.size() == 2u);
    BOOST_TEST(parsed[0].second == "J\xC3\xBCrgen");
    BOOST_TEST(parsed[1].second == "\xFF%\xC3");
}

BOOST_AUTO_TEST_CASE(percent_encode_keeps_only_unreserved_characters) {
    const std::string unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    BOOST_TEST(percent_encode(unreserved) == unreserved);
    BOOST_TEST(percent_encode(" ") == "%20");
    BOOST_TEST(percent_encode("+&=%/?#") == "%2B%26%3D%25%2F%3F%23");
    BOOST_TEST(percent_encode("\xC3\xA9") == "%C3%A9");
    BOOST_TEST(percent_encode("\0\n\x7F\xFF"s) == "%00%0A%7F%FF");
    BOOST_TEST(percent_encode("") == "");
}

BOOST_AUTO_TEST_CASE(form_encode_joins_encoded_fields) {
    BOOST_TEST(form_encode({{"access_token", "a b"}, {"fields", "id,name,email"}}) ==
               "access_token=a%20b&fields=id%2Cname%2Cemail");
    BOOST_TEST(form_encode({}) == "");
    BOOST_TEST(form_encode({{"", ""}}) == "=");
}

BOOST_AUTO_TEST_CASE(form_encode_and_parse_form_round_trip) {
    const FormFields fields{{"access_token", "ya29.a0AfB_x-y~z"},
                            {"with space", "a b+c"},
                            {"specials", "&=%?#/\\\"'<>"},
                            {"utf8", "J\xC3\xBCrgen \xE2\x82\xAC \xF0\x9F\x98\x80"},
                            {"control", "tab\tnl\ncr\rnul\0end"s},
                            {"", ""},
                            {"access_token", "repeated"},
                            {"empty", ""}};
    BOOST_TEST(show(parse_form(form_encode(fields))) == show(fields));
}

BOOST_AUTO_TEST_CASE(percent_encoded_value_decodes_back_for_every_byte) {
    std::string all;
    for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
    const FormFields parsed = parse_form("v=" + percent_encode(all));
    BOOST_TEST_REQUIRE(parsed.size() == 1u);
    BOOST_TEST(parsed[0].second == all);
}

BOOST_AUTO_TEST_SUITE_END()
