// Outbound HTTP as a seam. Providers see only this interface; CurlHttpClient is the
// one implementation that talks to the network, tests script their own replies.
#pragma once

#include "core/result.hpp"

#include <string>
#include <utility>
#include <vector>

namespace socialauth::http {

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body; // sent when method is POST
};

struct HttpReply {
    long status = 0;
    std::string body;
    std::string cache_control; // the Cache-Control header, "" when absent
};

class HttpClient {
public:
    virtual ~HttpClient() = default;
    // A transport failure (refused, timeout, TLS, oversized reply, redirect refused)
    // is Errc::provider_unavailable; any HTTP status is a reply.
    virtual core::Result<HttpReply> send(const HttpRequest& request) = 0;
};

} // namespace socialauth::http
