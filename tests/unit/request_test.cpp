// http/request: the CGI variables mapped into a Request, and the body read only when
// CONTENT_LENGTH is a plain decimal number within the limit, so a missing, odd, huge
// or lying length never costs a read beyond what was announced.
#include "http/request.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <ostream>
#include <string>

// Lets Boost.Test print a BodyStatus in a failure message (internal linkage, found by ADL).
namespace socialauth::http {
static std::ostream& operator<<(std::ostream& out, BodyStatus status) {
    switch (status) {
    case BodyStatus::none: return out << "none";
    case BodyStatus::read: return out << "read";
    case BodyStatus::length_missing: return out << "length_missing";
    case BodyStatus::length_invalid: return out << "length_invalid";
    case BodyStatus::too_large: return out << "too_large";
    case BodyStatus::truncated: return out << "truncated";
    }
    return out << "?";
}
} // namespace socialauth::http

namespace {

using socialauth::http::BodyStatus;
using socialauth::http::read_request_body;
using socialauth::http::read_request_head;
using socialauth::http::Request;
using socialauth::http::RequestSource;

constexpr std::int64_t kLimit = 16384;

// CGI variables from a map and a body stream that hands out at most chunk bytes per
// read, counting every call.
class FakeSource final : public RequestSource {
public:
    FakeSource(std::map<std::string, std::string> vars, std::string stream, std::size_t chunk = 1 << 20)
        : vars_(std::move(vars)), stream_(std::move(stream)), chunk_(chunk) {}

    std::optional<std::string> variable(const char* name) const override {
        const auto found = vars_.find(name);
        if (found == vars_.end()) return std::nullopt;
        return found->second;
    }

    std::size_t read(char* buffer, std::size_t size) override {
        ++read_calls;
        requested += size;
        const std::size_t n = std::min({size, chunk_, stream_.size() - position_});
        std::copy_n(stream_.data() + position_, n, buffer);
        position_ += n;
        return n;
    }

    std::size_t consumed() const { return position_; }

    int read_calls = 0;
    std::size_t requested = 0;

private:
    std::map<std::string, std::string> vars_;
    std::string stream_;
    std::size_t chunk_;
    std::size_t position_ = 0;
};

// A POST whose CONTENT_LENGTH is length (absent when nullopt).
FakeSource post(std::optional<std::string> length, std::string stream, std::size_t chunk = 1 << 20) {
    std::map<std::string, std::string> vars{{"REQUEST_METHOD", "POST"},
                                            {"CONTENT_TYPE", "application/json"}};
    if (length) vars["CONTENT_LENGTH"] = *length;
    return FakeSource(std::move(vars), std::move(stream), chunk);
}

Request read_all(FakeSource& source, std::int64_t limit = kLimit) {
    Request request = read_request_head(source);
    read_request_body(source, request, limit);
    return request;
}

} // namespace

BOOST_AUTO_TEST_SUITE(request)

BOOST_AUTO_TEST_CASE(maps_cgi_variables_into_the_request) {
    FakeSource source({{"REQUEST_METHOD", "POST"},
                       {"PATH_INFO", "/social/google-oauth2/"},
                       {"QUERY_STRING", "a=1"},
                       {"CONTENT_TYPE", "application/json; charset=utf-8"},
                       {"HTTP_AUTHORIZATION", "Token abc"},
                       {"HTTP_ORIGIN", "https://www.example.com"},
                       {"HTTP_ACCESS_CONTROL_REQUEST_METHOD", "POST"},
                       {"REMOTE_ADDR", "192.0.2.7"},
                       {"SOCIALAUTH_CONFIG", "/srv/private/config.json"},
                       {"CONTENT_LENGTH", "2"}},
                      "{}");
    const Request request = read_request_head(source);
    BOOST_TEST(request.method == "POST");
    BOOST_TEST(request.path == "/social/google-oauth2/");
    BOOST_TEST(request.query_string == "a=1");
    BOOST_TEST(request.content_type == "application/json; charset=utf-8");
    BOOST_TEST(request.authorization == "Token abc");
    BOOST_TEST(request.origin == "https://www.example.com");
    BOOST_TEST(request.access_control_request_method == "POST");
    BOOST_TEST(request.remote_addr == "192.0.2.7");
    BOOST_TEST(request.config_path == "/srv/private/config.json");
    BOOST_TEST_REQUIRE(request.content_length.has_value());
    BOOST_TEST(*request.content_length == "2");
}

BOOST_AUTO_TEST_CASE(reading_the_head_never_reads_the_body) {
    FakeSource source = post(std::string("2"), "{}");
    const Request request = read_request_head(source);
    BOOST_TEST(source.read_calls == 0);
    BOOST_TEST(request.body_status == BodyStatus::none);
    BOOST_TEST(request.body.empty());
}

BOOST_AUTO_TEST_CASE(missing_variables_become_empty_fields) {
    FakeSource source({}, "");
    const Request request = read_request_head(source);
    BOOST_TEST(request.method == "");
    BOOST_TEST(request.path == "");
    BOOST_TEST(request.query_string == "");
    BOOST_TEST(request.content_type == "");
    BOOST_TEST(request.authorization == "");
    BOOST_TEST(request.origin == "");
    BOOST_TEST(request.remote_addr == "");
    BOOST_TEST(request.config_path == "");
    BOOST_TEST(!request.content_length.has_value());
}

BOOST_AUTO_TEST_CASE(proxy_header_from_the_request_is_not_taken_as_anything) {
    // httpoxy: a "Proxy:" request header arrives as HTTP_PROXY and must not matter.
    FakeSource source({{"HTTP_PROXY", "http://evil.example:8080"}, {"REQUEST_METHOD", "GET"}}, "");
    const Request request = read_request_head(source);
    BOOST_TEST(request.method == "GET");
    BOOST_TEST(request.authorization == "");
    BOOST_TEST(request.origin == "");
}

BOOST_AUTO_TEST_CASE(reads_a_body_of_the_announced_length) {
    const std::string body = R"({"access_token": "abc"})";
    FakeSource source = post(std::to_string(body.size()), body);
    const Request request = read_all(source);
    BOOST_TEST(request.body_status == BodyStatus::read);
    BOOST_TEST(request.body == body);
}

BOOST_AUTO_TEST_CASE(reads_a_body_that_arrives_in_small_pieces) {
    const std::string body(1000, 'x');
    FakeSource source = post(std::string("1000"), body, 7);
    const Request request = read_all(source);
    BOOST_TEST(request.body_status == BodyStatus::read);
    BOOST_TEST(request.body == body);
    BOOST_TEST(source.read_calls >= 143);
}

BOOST_AUTO_TEST_CASE(keeps_nul_bytes_in_the_body) {
    const std::string body("a\0b", 3);
    FakeSource source = post(std::string("3"), body);
    const Request request = read_all(source);
    BOOST_TEST(request.body_status == BodyStatus::read);
    BOOST_TEST(request.body == body);
}

BOOST_AUTO_TEST_CASE(zero_length_is_an_empty_body) {
    FakeSource source = post(std::string("0"), "ignored");
    const Request request = read_all(source);
    BOOST_TEST(request.body_status == BodyStatus::read);
    BOOST_TEST(request.body.empty());
    BOOST_TEST(source.consumed() == 0u);
}

BOOST_AUTO_TEST_CASE(missing_content_length_is_length_missing_and_reads_nothing) {
    FakeSource source = post(std::nullopt, "{\"access_token\": \"abc\"}");
    const Request request = read_all(source);
    BOOST_TEST(request.body_status == BodyStatus::length_missing);
    BOOST_TEST(source.read_calls == 0);
    BOOST_TEST(request.body.empty());
}

BOOST_AUTO_TEST_CASE(empty_content_length_counts_as_missing) {
    FakeSource source = post(std::string(""), "{}");
    const Request request = read_all(source);
    BOOST_TEST(!request.content_length.has_value());
    BOOST_TEST(request.body_status == BodyStatus::length_missing);
    BOOST_TEST(source.read_calls == 0);
}

BOOST_AUTO_TEST_CASE(content_length_that_is_not_plain_decimal_is_invalid_and_reads_nothing) {
    for (const std::string length : {"-5", "-0", "abc", "+5", " 5", "5 ", "5\t", "0x10", "1e3", "5.0",
                                     "\xD9\xA3" /* Arabic-Indic 3 */, "5,0", "\xEF\xBC\x95" /* fullwidth 5 */}) {
        FakeSource source = post(length, "12345");
        const Request request = read_all(source);
        BOOST_TEST(request.body_status == BodyStatus::length_invalid,
                   "CONTENT_LENGTH '" << length << "' gave " << request.body_status);
        BOOST_TEST(source.read_calls == 0, "CONTENT_LENGTH '" << length << "'");
        BOOST_TEST(request.body.empty());
    }
}

BOOST_AUTO_TEST_CASE(content_length_over_the_limit_is_too_large_and_reads_nothing) {
    FakeSource source = post(std::to_string(kLimit + 1), std::string(static_cast<std::size_t>(kLimit + 1), 'x'));
    const Request request = read_all(source);
    BOOST_TEST(request.body_status == BodyStatus::too_large);
    BOOST_TEST(source.read_calls == 0);
    BOOST_TEST(request.body.empty());
}

BOOST_AUTO_TEST_CASE(content_length_at_the_limit_is_read) {
    const std::string body(static_cast<std::size_t>(kLimit), 'x');
    FakeSource source = post(std::to_string(kLimit), body);
    const Request request = read_all(source);
    BOOST_TEST(request.body_status == BodyStatus::read);
    BOOST_TEST(request.body.size() == body.size());
}

BOOST_AUTO_TEST_CASE(huge_content_length_is_too_large_and_reads_nothing) {
    // However many digits it has, a length of plain digits beyond the limit is a body
    // that is too large (413), never an allocation or a read.
    for (const std::string length : {"999999999999999999",     // 18 digits
                                     "9223372036854775807",    // INT64_MAX
                                     "9223372036854775808",    // INT64_MAX + 1
                                     "18446744073709551617",   // beyond UINT64_MAX
                                     "99999999999999999999999999999999999999"}) {
        FakeSource source = post(length, "{}");
        const Request request = read_all(source);
        BOOST_TEST(request.body_status == BodyStatus::too_large,
                   "CONTENT_LENGTH " << length << " gave " << request.body_status);
        BOOST_TEST(source.read_calls == 0, "CONTENT_LENGTH " << length);
        BOOST_TEST(request.body.empty());
    }
}

BOOST_AUTO_TEST_CASE(leading_zeros_do_not_change_the_length) {
    FakeSource source = post(std::string("0002"), "{}xyz");
    const Request request = read_all(source);
    BOOST_TEST(request.body_status == BodyStatus::read);
    BOOST_TEST(request.body == "{}");
}

BOOST_AUTO_TEST_CASE(body_shorter_than_announced_is_truncated) {
    FakeSource source = post(std::string("100"), "{\"access_token\"");
    const Request request = read_all(source);
    BOOST_TEST(request.body_status == BodyStatus::truncated);
    BOOST_TEST(request.body == "{\"access_token\"");
}

BOOST_AUTO_TEST_CASE(empty_stream_with_a_length_is_truncated) {
    FakeSource source = post(std::string("10"), "");
    const Request request = read_all(source);
    BOOST_TEST(request.body_status == BodyStatus::truncated);
    BOOST_TEST(request.body.empty());
}

BOOST_AUTO_TEST_CASE(body_longer_than_announced_is_read_only_up_to_the_length) {
    // With FastCGI the stream may hold more; the next request's bytes must stay unread.
    FakeSource source = post(std::string("2"), "{}NEXT-REQUEST-BYTES");
    const Request request = read_all(source);
    BOOST_TEST(request.body_status == BodyStatus::read);
    BOOST_TEST(request.body == "{}");
    BOOST_TEST(source.consumed() == 2u);
    BOOST_TEST(source.requested <= 2u);
}

BOOST_AUTO_TEST_CASE(the_limit_passed_in_is_the_one_applied) {
    FakeSource small = post(std::string("300"), std::string(300, 'x'));
    const Request refused = read_all(small, 256);
    BOOST_TEST(refused.body_status == BodyStatus::too_large);
    BOOST_TEST(small.read_calls == 0);

    FakeSource large = post(std::string("300"), std::string(300, 'x'));
    const Request accepted = read_all(large, 1024);
    BOOST_TEST(accepted.body_status == BodyStatus::read);
}

BOOST_AUTO_TEST_SUITE_END()
