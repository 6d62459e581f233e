#include "http/response.hpp"

#include "core/json.hpp"

#include <strings.h>

namespace socialauth::http {
namespace {

void add_standard_headers(Response& response) {
    response.set_header("Cache-Control", "no-store");
    response.set_header("X-Content-Type-Options", "nosniff");
}

const char* reason_phrase(int status) {
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

} // namespace

void Response::set_header(const std::string& name, const std::string& value) {
    for (auto& [existing, current] : headers) {
        if (strcasecmp(existing.c_str(), name.c_str()) == 0) {
            current = value;
            return;
        }
    }
    headers.emplace_back(name, value);
}

const std::string* Response::header(const std::string& name) const {
    for (const auto& [existing, value] : headers)
        if (strcasecmp(existing.c_str(), name.c_str()) == 0) return &value;
    return nullptr;
}

Response json_response(int status, const Json::Value& value) {
    return json_response(status, core::to_json(value));
}

Response json_response(int status, std::string json_text) {
    Response response;
    response.status = status;
    response.set_header("Content-Type", "application/json; charset=utf-8");
    add_standard_headers(response);
    response.body = std::move(json_text);
    return response;
}

Response no_content() {
    Response response;
    response.status = 204;
    add_standard_headers(response);
    return response;
}

std::string serialize_cgi(const Response& response) {
    std::string out = "Status: " + std::to_string(response.status) + " " +
                      reason_phrase(response.status) + "\r\n";
    for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
    out += "\r\n";
    out += response.body;
    return out;
}

} // namespace socialauth::http
