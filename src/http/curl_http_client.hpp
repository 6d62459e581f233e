// The HttpClient that talks to the network, and the only user of libcurl. Its defaults
// are strict and not configurable: TLS 1.2 or later with peer and host verification
// against the system store (plus outbound.ca_file, added on top, when set); https only;
// no redirects (a 3xx comes back as a reply with its status); no proxy unless
// outbound.proxy names one, so HTTPS_PROXY and friends from a request's environment
// never apply (httpoxy); connect and total timeouts; replies larger than
// outbound.max_response_bytes are cut off and refused. One curl handle lives as long as
// the object, so a FastCGI worker reuses its HTTPS connections across requests; the
// object is therefore not thread-safe (one per worker thread). Error details name the
// curl error and the URL without its query, which may carry a token.
#pragma once

#include "core/config.hpp"
#include "http/http_client.hpp"

#include <memory>

namespace socialauth::http {

class CurlHttpClient final : public HttpClient {
public:
    explicit CurlHttpClient(core::OutboundConfig config);
    ~CurlHttpClient() override;
    CurlHttpClient(const CurlHttpClient&) = delete;
    CurlHttpClient& operator=(const CurlHttpClient&) = delete;

    // GET and POST only. A header name or value that could split the request (CR, LF,
    // NUL) is refused as Errc::internal_error: callers must not pass one.
    core::Result<HttpReply> send(const HttpRequest& request) override;

private:
    struct Easy; // the curl handle and its error buffer; keeps curl.h out of includers

    core::OutboundConfig config_;
    std::unique_ptr<Easy> easy_;
};

} // namespace socialauth::http
