// libFuzzer target: app::parse_exchange_request, the exchange body parser (SPEC §2.1).
// Input: the Content-Type on the first line, the body after it.
// Invariants: it never crashes, leaks or hits UB; a success holds at least one token,
// each trimmed, valid UTF-8 and free of control characters; a failure is one of the
// request errors, never an internal one.
#include "app/exchange_request.hpp"
#include "core/text.hpp"
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace socialauth;

namespace {

void check_field(const std::string& value) {
    fuzz::require(core::is_valid_utf8(value), "token is not valid UTF-8", value);
    fuzz::require(!core::has_control_characters(value), "token holds a control character", value);
    fuzz::require(core::trim(value) == value, "token is not trimmed", value);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    const auto eol = input.find('\n');

    http::Request request;
    request.method = "POST";
    request.path = "/social/google-oauth2/";
    request.content_type = input.substr(0, eol);
    request.body = eol == std::string::npos ? std::string() : input.substr(eol + 1);
    request.content_length = std::to_string(request.body.size());
    request.body_status = http::BodyStatus::read;

    const auto token = app::parse_exchange_request(request);
    if (token) {
        fuzz::require(!token->access_token.empty() || !token->id_token.empty(),
                      "success without a token");
        check_field(token->access_token);
        check_field(token->id_token);
    } else {
        const auto code = token.error().code;
        fuzz::require(code == core::Errc::invalid_request || code == core::Errc::invalid_json ||
                          code == core::Errc::unsupported_media_type,
                      "unexpected error code", core::errc_name(code));
    }
    return 0;
}
