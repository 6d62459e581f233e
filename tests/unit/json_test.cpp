// core/json: strict parsing of untrusted JSON (request bodies, provider replies), the
// config reader that allows comments, UTF-8 output and the order-keeping object that
// puts "token" first in the exchange answer.
#include "core/json.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace std::string_literals;
using socialauth::core::Errc;
using socialauth::core::OrderedJsonObject;
using socialauth::core::parse_json;
using socialauth::core::parse_json_with_comments;
using socialauth::core::to_json;

namespace {

std::string nested_arrays(int depth) {
    return std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']');
}

// {"a":{"a":...{"a":1}...}} with depth objects.
std::string nested_objects(int depth) {
    std::string text;
    for (int i = 0; i < depth; ++i) text += "{\"a\":";
    text += "1";
    text += std::string(static_cast<std::size_t>(depth), '}');
    return text;
}

bool is_invalid_json(const socialauth::core::Result<Json::Value>& result) {
    return !result && result.error().code == Errc::invalid_json;
}

} // namespace

BOOST_AUTO_TEST_SUITE(json)

BOOST_AUTO_TEST_CASE(parses_a_well_formed_object) {
    auto parsed = parse_json(R"({"access_token": "abc", "n": 3, "list": [true, null], "o": {}})");
    BOOST_TEST_REQUIRE(parsed.ok());
    BOOST_TEST(parsed->isObject());
    BOOST_TEST((*parsed)["access_token"].asString() == "abc");
    BOOST_TEST((*parsed)["n"].asInt() == 3);
    BOOST_TEST((*parsed)["list"].size() == 2u);
}

BOOST_AUTO_TEST_CASE(accepts_surrounding_white_space) {
    BOOST_TEST(parse_json(" \r\n\t{\"a\": 1}\n ").ok());
}

BOOST_AUTO_TEST_CASE(accepts_a_scalar_root_so_the_caller_can_explain_what_it_expected) {
    auto parsed = parse_json("\"just a string\"");
    BOOST_TEST_REQUIRE(parsed.ok());
    BOOST_TEST(parsed->isString());
}

BOOST_AUTO_TEST_CASE(rejects_duplicate_keys_with_a_duplicate_key_message) {
    auto parsed = parse_json(R"({"access_token": "a", "access_token": "b"})");
    BOOST_TEST_REQUIRE(is_invalid_json(parsed));
    BOOST_TEST(parsed.error().public_message.find("Duplicate key") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rejects_duplicate_keys_in_nested_objects) {
    auto parsed = parse_json(R"({"outer": {"k": 1, "k": 2}})");
    BOOST_TEST_REQUIRE(is_invalid_json(parsed));
    BOOST_TEST(parsed.error().public_message.find("Duplicate key") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(accepts_the_same_key_in_different_objects) {
    BOOST_TEST(parse_json(R"({"a": {"k": 1}, "b": {"k": 2}})").ok());
}

BOOST_AUTO_TEST_CASE(reports_malformed_json_without_calling_it_a_duplicate) {
    auto parsed = parse_json(R"({"a": })");
    BOOST_TEST_REQUIRE(is_invalid_json(parsed));
    BOOST_TEST(parsed.error().public_message.find("Duplicate") == std::string::npos);
    BOOST_TEST(!parsed.error().public_message.empty());
}

BOOST_AUTO_TEST_CASE(public_message_never_echoes_the_input) {
    const std::string secret = "ya29.secretValueThatMustNotLeak";
    for (const std::string& text : {"{\"" + secret + "\": }", "{\"a\": \"" + secret + "\", \"a\": 1}",
                                    "[\"" + secret + "\"] trailing"}) {
        auto parsed = parse_json(text);
        BOOST_TEST_REQUIRE(is_invalid_json(parsed));
        BOOST_TEST(parsed.error().public_message.find(secret) == std::string::npos);
        BOOST_TEST(parsed.error().public_message.find("secretValue") == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(rejects_trailing_garbage) {
    BOOST_TEST(is_invalid_json(parse_json(R"({"a": 1} x)")));
    BOOST_TEST(is_invalid_json(parse_json(R"({"a": 1}{"a": 2})")));
    BOOST_TEST(is_invalid_json(parse_json(R"({"a": 1},)")));
    BOOST_TEST(is_invalid_json(parse_json(R"("a" "b")")));
}

BOOST_AUTO_TEST_CASE(rejects_a_second_document_hidden_behind_a_nul) {
    // A NUL must not end the document early and hide what follows it.
    BOOST_TEST(is_invalid_json(parse_json("{\"access_token\": \"a\"}\0{\"access_token\": \"b\"}"s)));
    BOOST_TEST(is_invalid_json(parse_json("{\"a\": 1}\0"s)));
}

BOOST_AUTO_TEST_CASE(rejects_comments) {
    BOOST_TEST(is_invalid_json(parse_json("{\"a\": 1 /* comment */}")));
    BOOST_TEST(is_invalid_json(parse_json("// comment\n{\"a\": 1}")));
    BOOST_TEST(is_invalid_json(parse_json("{\"a\": 1} // comment")));
    BOOST_TEST(is_invalid_json(parse_json("{\"a\": 1, /* comment */ \"b\": 2}")));
    BOOST_TEST(is_invalid_json(parse_json("[1 // comment\n, 2]")));
}

BOOST_AUTO_TEST_CASE(rejects_non_standard_syntax) {
    BOOST_TEST(is_invalid_json(parse_json("{'a': 1}")));       // single quotes
    BOOST_TEST(is_invalid_json(parse_json("{a: 1}")));         // unquoted key
    BOOST_TEST(is_invalid_json(parse_json("{1: 1}")));         // numeric key
    BOOST_TEST(is_invalid_json(parse_json("[1, 2,]")));        // trailing comma
    BOOST_TEST(is_invalid_json(parse_json("{\"a\": 1,}")));
    BOOST_TEST(is_invalid_json(parse_json("[1,,2]")));         // dropped null
    BOOST_TEST(is_invalid_json(parse_json("[NaN]")));
    BOOST_TEST(is_invalid_json(parse_json("[Infinity]")));
}

BOOST_AUTO_TEST_CASE(rejects_empty_and_blank_text) {
    BOOST_TEST(is_invalid_json(parse_json("")));
    BOOST_TEST(is_invalid_json(parse_json("   ")));
}

BOOST_AUTO_TEST_CASE(accepts_nesting_of_exactly_32_levels) {
    BOOST_TEST(parse_json(nested_arrays(32)).ok());
    BOOST_TEST(parse_json(nested_objects(32)).ok());
}

BOOST_AUTO_TEST_CASE(rejects_nesting_of_33_levels) {
    for (const auto& text : {nested_arrays(33), nested_objects(33)}) {
        auto parsed = parse_json(text);
        BOOST_TEST_REQUIRE(is_invalid_json(parsed));
        BOOST_TEST(parsed.error().public_message.find("deep") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(counts_mixed_arrays_and_objects_as_levels) {
    std::string depth32; // [{"a":[{"a": ... }]}] alternating, 32 levels
    std::string closing;
    for (int i = 0; i < 16; ++i) {
        depth32 += "[{\"a\":";
        closing = "}]" + closing;
    }
    BOOST_TEST(parse_json(depth32 + "1" + closing).ok());
    BOOST_TEST(is_invalid_json(parse_json("[" + depth32 + "1" + closing + "]")));
}

BOOST_AUTO_TEST_CASE(rejects_pathological_nesting_without_crashing) {
    BOOST_TEST(is_invalid_json(parse_json(std::string(200000, '['))));
    BOOST_TEST(is_invalid_json(parse_json(nested_arrays(100000))));
}

BOOST_AUTO_TEST_CASE(honours_a_smaller_depth_limit) {
    BOOST_TEST(parse_json(nested_arrays(2), 2).ok());
    BOOST_TEST(is_invalid_json(parse_json(nested_arrays(3), 2)));
}

BOOST_AUTO_TEST_CASE(brackets_inside_strings_do_not_count_as_nesting) {
    const std::string brackets(100, '[');
    auto parsed = parse_json("{\"a\": \"" + brackets + "\", \"b\": \"{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\"}");
    BOOST_TEST_REQUIRE(parsed.ok());
    BOOST_TEST((*parsed)["a"].asString() == brackets);
}

BOOST_AUTO_TEST_CASE(escaped_quotes_do_not_end_a_string_for_depth_counting) {
    // The string holds \" followed by brackets: all of it is still inside the string.
    const std::string text = "{\"a\": \"\\\"" + std::string(40, '[') + "\"}";
    BOOST_TEST(parse_json(text).ok());
}

BOOST_AUTO_TEST_CASE(escaped_backslash_ends_the_string_before_real_brackets) {
    // "x\\" is a complete string: the brackets after it are real nesting and count.
    const std::string inner = nested_arrays(32);
    BOOST_TEST(parse_json("[\"x\\\\\", " + nested_arrays(31) + "]").ok());
    BOOST_TEST(is_invalid_json(parse_json("[\"x\\\\\", " + inner + "]")));
}

BOOST_AUTO_TEST_CASE(decodes_unicode_escapes_to_utf8) {
    auto parsed = parse_json(R"({"name": "J\u00fcrgen \ud83d\ude00"})");
    BOOST_TEST_REQUIRE(parsed.ok());
    BOOST_TEST((*parsed)["name"].asString() == "J\xC3\xBCrgen \xF0\x9F\x98\x80");
}

BOOST_AUTO_TEST_CASE(comment_reader_accepts_line_and_block_comments) {
    auto parsed = parse_json_with_comments(
        "// leading\n{\n  \"a\": 1, // trailing\n  /* block */ \"b\": [2 /* in list */]\n}\n// end\n");
    BOOST_TEST_REQUIRE(parsed.ok());
    BOOST_TEST((*parsed)["a"].asInt() == 1);
    BOOST_TEST((*parsed)["b"][0].asInt() == 2);
}

BOOST_AUTO_TEST_CASE(comment_reader_still_rejects_duplicate_keys) {
    auto parsed = parse_json_with_comments("{\"port\": 1, // first\n \"port\": 2}");
    BOOST_TEST_REQUIRE(is_invalid_json(parsed));
    BOOST_TEST(parsed.error().public_message.find("Duplicate key") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(comment_reader_still_rejects_trailing_garbage_and_bad_syntax) {
    BOOST_TEST(is_invalid_json(parse_json_with_comments("{\"a\": 1} x")));
    BOOST_TEST(is_invalid_json(parse_json_with_comments("{\"a\": 1,}")));
    BOOST_TEST(is_invalid_json(parse_json_with_comments("{'a': 1}")));
}

BOOST_AUTO_TEST_CASE(to_json_emits_utf8_rather_than_escapes) {
    Json::Value value(Json::objectValue);
    value["name"] = "J\xC3\xBCrgen \xE2\x82\xAC \xF0\x9F\x98\x80";
    BOOST_TEST(to_json(value) == "{\"name\":\"J\xC3\xBCrgen \xE2\x82\xAC \xF0\x9F\x98\x80\"}");
}

BOOST_AUTO_TEST_CASE(to_json_is_compact_and_escapes_control_characters) {
    Json::Value value(Json::objectValue);
    value["a"] = "line\nbreak \"quoted\" back\\slash";
    value["b"] = Json::Value(Json::arrayValue);
    value["b"].append(1);
    value["b"].append(Json::Value(Json::nullValue));
    const std::string text = to_json(value);
    BOOST_TEST(text == R"({"a":"line\nbreak \"quoted\" back\\slash","b":[1,null]})");
    BOOST_TEST(text.find('\n') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(to_json_output_parses_back_to_the_same_value) {
    Json::Value value(Json::objectValue);
    value["s"] = "\x01\x1F tab\t \xC3\xA9";
    value["i"] = Json::Int64(-9007199254740993LL);
    value["t"] = true;
    auto parsed = parse_json(to_json(value));
    BOOST_TEST_REQUIRE(parsed.ok());
    BOOST_TEST((*parsed == value));
}

BOOST_AUTO_TEST_CASE(to_json_of_a_commented_config_is_valid_json) {
    // Comments read from a config file must not come back out: in compact output a
    // "//" comment would swallow the rest of the document.
    auto config = parse_json_with_comments("{\n  \"a\": 1, // first\n  /* block */ \"b\": 2\n}\n");
    BOOST_TEST_REQUIRE(config.ok());
    const std::string text = to_json(*config);
    BOOST_TEST(text == R"({"a":1,"b":2})");
    BOOST_TEST(parse_json(text).ok());
}

BOOST_AUTO_TEST_CASE(ordered_object_keeps_insertion_order) {
    OrderedJsonObject object;
    object.add("token", "t").add("token_type", "Token").add("expires_at", Json::Value()).add("a", 1);
    BOOST_TEST(object.str() == R"({"token":"t","token_type":"Token","expires_at":null,"a":1})");
}

BOOST_AUTO_TEST_CASE(ordered_object_nests_and_stays_valid_json) {
    OrderedJsonObject inner;
    inner.add("z", 1).add("y", 2);
    OrderedJsonObject outer;
    outer.add("b", "x").add("inner", inner).add("a", true);
    BOOST_TEST(outer.str() == R"({"b":"x","inner":{"z":1,"y":2},"a":true})");
    auto parsed = parse_json(outer.str());
    BOOST_TEST_REQUIRE(parsed.ok());
    BOOST_TEST((*parsed)["inner"]["y"].asInt() == 2);
}

BOOST_AUTO_TEST_CASE(ordered_object_escapes_keys_and_values) {
    OrderedJsonObject object;
    object.add("we\"ird\nkey", "va\"lue\\");
    auto parsed = parse_json(object.str());
    BOOST_TEST_REQUIRE(parsed.ok());
    BOOST_TEST((*parsed)["we\"ird\nkey"].asString() == "va\"lue\\");
}

BOOST_AUTO_TEST_CASE(empty_ordered_object_is_an_empty_json_object) {
    BOOST_TEST(OrderedJsonObject().str() == "{}");
}

BOOST_AUTO_TEST_SUITE_END()
