// A response as a plain value. Every answer of this program is JSON (or empty, for
// 204), with the headers SPEC §2 requires; adapters only serialise it.
#pragma once

#include <json/value.h>

#include <string>
#include <utility>
#include <vector>

namespace socialauth::http {

struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    void set_header(const std::string& name, const std::string& value);
    const std::string* header(const std::string& name) const;
};

// status with body to_json(value) and the standard JSON headers.
Response json_response(int status, const Json::Value& value);
// status with a body that is already JSON text.
Response json_response(int status, std::string json_text);
// 204 with the standard headers and no body.
Response no_content();

// "Status: 200 OK\r\nContent-Type: ...\r\n\r\n<body>", the CGI/FastCGI wire form.
std::string serialize_cgi(const Response& response);

} // namespace socialauth::http
