#include "http/request.hpp"

#include <limits>

namespace socialauth::http {
namespace {

std::string variable_or_empty(const RequestSource& source, const char* name) {
    auto value = source.variable(name);
    return value ? *value : std::string();
}

// Only plain decimal digits: strtoll would also take signs, spaces and hex.
std::optional<std::int64_t> parse_length(const std::string& text) {
    if (text.empty()) return std::nullopt;
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    std::int64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        // Saturates: any length this long is simply too large.
        value = value > (kMax - 9) / 10 ? kMax : value * 10 + (c - '0');
    }
    return value;
}

} // namespace

Request read_request_head(const RequestSource& source) {
    Request request;
    request.method = variable_or_empty(source, "REQUEST_METHOD");
    request.path = variable_or_empty(source, "PATH_INFO");
    request.query_string = variable_or_empty(source, "QUERY_STRING");
    request.content_type = variable_or_empty(source, "CONTENT_TYPE");
    request.authorization = variable_or_empty(source, "HTTP_AUTHORIZATION");
    request.origin = variable_or_empty(source, "HTTP_ORIGIN");
    request.access_control_request_method =
        variable_or_empty(source, "HTTP_ACCESS_CONTROL_REQUEST_METHOD");
    request.remote_addr = variable_or_empty(source, "REMOTE_ADDR");
    request.config_path = variable_or_empty(source, "SOCIALAUTH_CONFIG");
    request.content_length = source.variable("CONTENT_LENGTH");
    if (request.content_length && request.content_length->empty()) request.content_length.reset();
    return request;
}

void read_request_body(RequestSource& source, Request& request, std::int64_t max_body_bytes) {
    if (!request.content_length) {
        request.body_status = BodyStatus::length_missing;
        return;
    }
    const auto length = parse_length(*request.content_length);
    if (!length) {
        request.body_status = BodyStatus::length_invalid;
        return;
    }
    if (*length > max_body_bytes) {
        request.body_status = BodyStatus::too_large;
        return;
    }
    request.body.resize(static_cast<std::size_t>(*length));
    std::size_t have = 0;
    while (have < request.body.size()) {
        const auto n = source.read(request.body.data() + have, request.body.size() - have);
        if (n == 0) break;
        have += n;
    }
    if (have < request.body.size()) {
        request.body.resize(have);
        request.body_status = BodyStatus::truncated;
        return;
    }
    request.body_status = BodyStatus::read;
}

} // namespace socialauth::http
