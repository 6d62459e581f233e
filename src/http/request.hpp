// A web request as a plain value, filled through a RequestSource that each server
// interface (CGI, FastCGI) implements. The application never touches the environment
// or a stream itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace socialauth::http {

// What happened to the body. It is read only when CONTENT_LENGTH is present, a plain
// decimal number and within the limit, so a huge or lying length costs nothing.
enum class BodyStatus { none, read, length_missing, length_invalid, too_large, truncated };

struct Request {
    std::string method;        // "GET", "POST", ...
    std::string path;          // PATH_INFO, "" when absent
    std::string query_string;  // kept only to refuse tokens placed there
    std::string content_type;
    std::string authorization; // the Authorization header, "" when absent
    std::string origin;        // the Origin header, "" when absent
    std::string access_control_request_method;
    std::string remote_addr;
    std::string config_path;   // SOCIALAUTH_CONFIG from the request environment, if any
    std::optional<std::string> content_length; // raw CONTENT_LENGTH
    BodyStatus body_status = BodyStatus::none;
    std::string body;
};

// One request's CGI variables and body stream.
class RequestSource {
public:
    virtual ~RequestSource() = default;
    virtual std::optional<std::string> variable(const char* name) const = 0;
    // Reads up to size bytes; returns how many, 0 at end of stream.
    virtual std::size_t read(char* buffer, std::size_t size) = 0;
};

// Everything but the body.
Request read_request_head(const RequestSource& source);

// Reads the body into request.body when CONTENT_LENGTH allows, and sets body_status.
void read_request_body(RequestSource& source, Request& request, std::int64_t max_body_bytes);

} // namespace socialauth::http
