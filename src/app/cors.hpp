// CORS for the origins listed in config, compared exactly. Other origins get no CORS
// headers at all, so the browser refuses to hand them the answer.
#pragma once

#include "http/request.hpp"
#include "http/response.hpp"

#include <string>
#include <vector>

namespace socialauth::app {

class Cors {
public:
    explicit Cors(const std::vector<std::string>& allowed_origins) : allowed_(allowed_origins) {}

    // Adds Access-Control-Allow-Origin (and Vary: Origin) when the origin is listed.
    void decorate(const http::Request& request, http::Response& response) const;

    // The answer to an OPTIONS preflight for a route that allows the given methods.
    http::Response preflight(const http::Request& request, const std::string& allowed_methods) const;

private:
    bool allowed(const std::string& origin) const;

    const std::vector<std::string>& allowed_;
};

} // namespace socialauth::app
