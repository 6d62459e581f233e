// app/exchange_request: the body of POST /social/{backend}/ (SPEC §2.1) as JSON or
// form, with access_token and/or id_token, trimmed, and refused with the right error
// code when missing, blank, malformed, duplicated or carrying forbidden characters.
#include "app/exchange_request.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace std::string_literals;

namespace {

using socialauth::core::Errc;
using socialauth::core::Result;
using socialauth::http::BodyStatus;
using socialauth::http::Request;
using socialauth::providers::ProviderToken;

constexpr const char* kJson = "application/json";
constexpr const char* kForm = "application/x-www-form-urlencoded";

Request post(const std::string& content_type, const std::string& body) {
    Request request;
    request.method = "POST";
    request.path = "/social/google-oauth2/";
    request.content_type = content_type;
    request.content_length = std::to_string(body.size());
    request.body_status = BodyStatus::read;
    request.body = body;
    return request;
}

Result<ProviderToken> parse(const std::string& content_type, const std::string& body) {
    return socialauth::app::parse_exchange_request(post(content_type, body));
}

std::string code_of(const Result<ProviderToken>& result) {
    return result ? "ok" : std::string(socialauth::core::errc_name(result.error().code));
}

} // namespace

BOOST_AUTO_TEST_SUITE(exchange_request)

BOOST_AUTO_TEST_CASE(reads_access_token_from_json) {
    auto token = parse(kJson, R"({"access_token": "ya29.abc"})");
    BOOST_TEST_REQUIRE(code_of(token) == "ok");
    BOOST_TEST(token->access_token == "ya29.abc");
    BOOST_TEST(token->id_token == "");
}

BOOST_AUTO_TEST_CASE(reads_access_token_from_a_form) {
    auto token = parse(kForm, "access_token=ya29.abc");
    BOOST_TEST_REQUIRE(code_of(token) == "ok");
    BOOST_TEST(token->access_token == "ya29.abc");
    BOOST_TEST(token->id_token == "");
}

BOOST_AUTO_TEST_CASE(reads_both_tokens) {
    auto json = parse(kJson, R"({"access_token": "at", "id_token": "h.p.s"})");
    BOOST_TEST_REQUIRE(code_of(json) == "ok");
    BOOST_TEST(json->access_token == "at");
    BOOST_TEST(json->id_token == "h.p.s");

    auto form = parse(kForm, "id_token=h.p.s&access_token=at");
    BOOST_TEST_REQUIRE(code_of(form) == "ok");
    BOOST_TEST(form->access_token == "at");
    BOOST_TEST(form->id_token == "h.p.s");
}

BOOST_AUTO_TEST_CASE(accepts_an_id_token_alone) {
    auto json = parse(kJson, R"({"id_token": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"})");
    BOOST_TEST_REQUIRE(code_of(json) == "ok");
    BOOST_TEST(json->access_token == "");
    BOOST_TEST(json->id_token == "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln");

    auto form = parse(kForm, "id_token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln");
    BOOST_TEST_REQUIRE(code_of(form) == "ok");
    BOOST_TEST(form->id_token == "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln");
}

BOOST_AUTO_TEST_CASE(accepts_a_charset_parameter_and_any_case_in_the_content_type) {
    for (const std::string type : {"application/json; charset=utf-8", "application/json;charset=UTF-8",
                                   "Application/JSON", " application/json ; charset=utf-8"}) {
        BOOST_TEST(code_of(parse(type, R"({"access_token": "t"})")) == "ok", type);
    }
    for (const std::string type : {"application/x-www-form-urlencoded; charset=utf-8",
                                   "APPLICATION/X-WWW-FORM-URLENCODED"}) {
        BOOST_TEST(code_of(parse(type, "access_token=t")) == "ok", type);
    }
}

BOOST_AUTO_TEST_CASE(refuses_other_or_missing_content_types) {
    for (const std::string type : {"", "text/plain", "multipart/form-data; boundary=x", "application/jsonp",
                                   "application/json-patch+json", "text/json", "application/xml",
                                   "application/x-www-form-urlencoded-extra", "json"}) {
        BOOST_TEST(code_of(parse(type, R"({"access_token": "t"})")) == "unsupported_media_type", "'" << type << "'");
    }
}

BOOST_AUTO_TEST_CASE(requires_a_token_field) {
    for (const auto& [type, body] : {std::pair{kJson, "{}"}, std::pair{kJson, R"({"token": "t"})"},
                                     std::pair{kForm, ""}, std::pair{kForm, "token=t&code=c"}}) {
        auto result = parse(type, body);
        BOOST_TEST_REQUIRE(code_of(result) == "invalid_request", body);
        BOOST_TEST(result.error().public_message == "This field is required.", body);
    }
}

BOOST_AUTO_TEST_CASE(refuses_blank_and_white_space_only_tokens) {
    for (const std::string body : {R"({"access_token": ""})", R"({"access_token": "   "})",
                                   R"({"access_token": " \t\r\n "})", R"({"access_token": "", "id_token": " "})"}) {
        auto result = parse(kJson, body);
        BOOST_TEST_REQUIRE(code_of(result) == "invalid_request", body);
        BOOST_TEST(result.error().public_message == "This field is required.", body);
    }
    for (const std::string body : {"access_token=", "access_token=+++", "access_token=%20%09%0A", "access_token"}) {
        BOOST_TEST(code_of(parse(kForm, body)) == "invalid_request", body);
    }
}

BOOST_AUTO_TEST_CASE(trims_surrounding_white_space) {
    auto json = parse(kJson, R"({"access_token": "  ya29.abc\n", "id_token": "\th.p.s "})");
    BOOST_TEST_REQUIRE(code_of(json) == "ok");
    BOOST_TEST(json->access_token == "ya29.abc");
    BOOST_TEST(json->id_token == "h.p.s");

    auto form = parse(kForm, "access_token=+ya29.abc%0D%0A");
    BOOST_TEST_REQUIRE(code_of(form) == "ok");
    BOOST_TEST(form->access_token == "ya29.abc");
}

BOOST_AUTO_TEST_CASE(refuses_a_non_string_token) {
    for (const std::string body : {R"({"access_token": 12345})", R"({"access_token": ["t"]})",
                                   R"({"access_token": {"v": "t"}})", R"({"access_token": true})",
                                   R"({"access_token": "t", "id_token": 5})"}) {
        BOOST_TEST(code_of(parse(kJson, body)) == "invalid_request", body);
    }
}

BOOST_AUTO_TEST_CASE(refuses_control_characters_inside_a_token) {
    for (const std::string body : {R"({"access_token": "ab\u0000cd"})", R"({"access_token": "ab\ncd"})",
                                   R"({"access_token": "ab\u001bcd"})", R"({"access_token": "ab\u007fcd"})",
                                   R"({"access_token": "ok", "id_token": "a\tb"})"}) {
        auto result = parse(kJson, body);
        BOOST_TEST_REQUIRE(code_of(result) == "invalid_request", body);
        BOOST_TEST(result.error().public_message != "", body);
    }
    for (const std::string body : {"access_token=ab%00cd", "access_token=ab%0Acd", "access_token=ab%7Fcd"}) {
        BOOST_TEST(code_of(parse(kForm, body)) == "invalid_request", body);
    }
}

BOOST_AUTO_TEST_CASE(refuses_a_raw_nul_in_the_body) {
    BOOST_TEST(code_of(parse(kForm, "access_token=ab\0cd"s)) == "invalid_request");
    BOOST_TEST(code_of(parse(kJson, "{\"access_token\": \"ab\0cd\"}"s)) != "ok");
}

BOOST_AUTO_TEST_CASE(refuses_bad_utf8) {
    BOOST_TEST(code_of(parse(kJson, "{\"access_token\": \"caf\xE9\"}")) == "invalid_request");
    BOOST_TEST(code_of(parse(kJson, "{\"access_token\": \"\xC0\xAF\"}")) == "invalid_request");
    BOOST_TEST(code_of(parse(kForm, "access_token=caf\xE9")) == "invalid_request");
    BOOST_TEST(code_of(parse(kForm, "access_token=caf%E9")) == "invalid_request");       // decoded
    BOOST_TEST(code_of(parse(kForm, "access_token=%ED%A0%80")) == "invalid_request");    // surrogate
    BOOST_TEST(code_of(parse(kJson, R"({"access_token": "ab\udc00cd"})")) == "invalid_request"); // lone low surrogate
}

BOOST_AUTO_TEST_CASE(accepts_well_formed_non_ascii_text) {
    auto token = parse(kJson, R"({"access_token": "t\u00e9st-\u20ac"})");
    BOOST_TEST_REQUIRE(code_of(token) == "ok");
    BOOST_TEST(token->access_token == "t\xC3\xA9st-\xE2\x82\xAC");
}

BOOST_AUTO_TEST_CASE(refuses_json_that_is_not_an_object) {
    for (const std::string body : {R"("ya29.abc")", R"(["ya29.abc"])", "42", "null", "true"}) {
        BOOST_TEST(code_of(parse(kJson, body)) == "invalid_json", body);
    }
}

BOOST_AUTO_TEST_CASE(refuses_unparsable_json) {
    for (const std::string body : {"", "{", R"({"access_token": })", R"({"access_token": "t"} x)",
                                   "access_token=t", R"({'access_token': 't'})"}) {
        BOOST_TEST(code_of(parse(kJson, body)) == "invalid_json", body);
    }
}

BOOST_AUTO_TEST_CASE(refuses_duplicate_json_keys) {
    auto result = parse(kJson, R"({"access_token": "a", "access_token": "b"})");
    BOOST_TEST_REQUIRE(code_of(result) == "invalid_json");
    BOOST_TEST(result.error().public_message.find("Duplicate key") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_json_nested_deeper_than_32_levels) {
    const std::string deep = std::string(32, '[') + std::string(32, ']');
    BOOST_TEST(code_of(parse(kJson, R"({"access_token": "t", "x": )" + deep + "}")) == "invalid_json");
    const std::string ok = std::string(31, '[') + std::string(31, ']');
    BOOST_TEST(code_of(parse(kJson, R"({"access_token": "t", "x": )" + ok + "}")) == "ok");
}

BOOST_AUTO_TEST_CASE(refuses_a_repeated_form_field) {
    for (const std::string body : {"access_token=a&access_token=b", "access_token=a&access_token=a",
                                   "id_token=a&access_token=t&id_token=b", "access_token=&access_token=t"}) {
        auto result = parse(kForm, body);
        BOOST_TEST_REQUIRE(code_of(result) == "invalid_request", body);
    }
}

BOOST_AUTO_TEST_CASE(ignores_unknown_fields) {
    auto json = parse(kJson, R"({"access_token": "t", "backend": "facebook", "user_id": 1,
                                 "extra": {"nested": [1, 2]}, "code": null})");
    BOOST_TEST_REQUIRE(code_of(json) == "ok");
    BOOST_TEST(json->access_token == "t");

    auto form = parse(kForm, "state=xyz&access_token=t&state=again&redirect_uri=https%3A%2F%2Fx");
    BOOST_TEST_REQUIRE(code_of(form) == "ok");
    BOOST_TEST(form->access_token == "t");
}

BOOST_AUTO_TEST_CASE(field_names_are_case_sensitive) {
    BOOST_TEST(code_of(parse(kJson, R"({"Access_Token": "t"})")) == "invalid_request");
    BOOST_TEST(code_of(parse(kForm, "ACCESS_TOKEN=t")) == "invalid_request");
}

BOOST_AUTO_TEST_CASE(json_null_token_counts_as_absent) {
    BOOST_TEST(code_of(parse(kJson, R"({"access_token": null})")) == "invalid_request");
    auto token = parse(kJson, R"({"access_token": null, "id_token": "h.p.s"})");
    BOOST_TEST_REQUIRE(code_of(token) == "ok");
    BOOST_TEST(token->id_token == "h.p.s");
}

BOOST_AUTO_TEST_CASE(error_details_never_contain_the_token) {
    const std::string secret = "ya29.SECRET-do-not-log";
    for (const auto& [type, body] :
         {std::pair<std::string, std::string>{kJson, R"({"access_token": ")" + secret + "\\u0001\"}"},
          {kForm, "access_token=" + secret + "&access_token=" + secret},
          {kJson, R"({"access_token": ")" + secret + R"(", "access_token": "x"})"},
          {kJson, R"({"access_token": [")" + secret + R"("]})"},
          {kJson, R"({"access_token": )" + secret + "}"},
          {kJson, R"({"access_token": "\x)" + secret + "\"}"},
          {"text/plain", secret}}) {
        auto result = parse(type, body);
        BOOST_TEST_REQUIRE(!result.ok(), body);
        BOOST_TEST(result.error().detail.find("SECRET") == std::string::npos, result.error().detail);
        BOOST_TEST(result.error().public_message.find("SECRET") == std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
