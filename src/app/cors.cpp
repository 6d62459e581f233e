#include "app/cors.hpp"

#include <algorithm>

namespace socialauth::app {

bool Cors::allowed(const std::string& origin) const {
    return !origin.empty() && std::find(allowed_.begin(), allowed_.end(), origin) != allowed_.end();
}

void Cors::decorate(const http::Request& request, http::Response& response) const {
    // Vary whenever CORS is configured: a cache must not hand one origin's answer to another.
    if (!allowed_.empty()) response.set_header("Vary", "Origin");
    if (!allowed(request.origin)) return;
    // The origin is echoed only after an exact match with config, never raw input.
    const auto match = std::find(allowed_.begin(), allowed_.end(), request.origin);
    response.set_header("Access-Control-Allow-Origin", *match);
}

http::Response Cors::preflight(const http::Request& request, const std::string& allowed_methods) const {
    http::Response response = http::no_content();
    response.set_header("Allow", allowed_methods);
    decorate(request, response);
    if (allowed(request.origin)) {
        response.set_header("Access-Control-Allow-Methods", allowed_methods);
        response.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
        response.set_header("Access-Control-Max-Age", "600");
    }
    return response;
}

} // namespace socialauth::app
