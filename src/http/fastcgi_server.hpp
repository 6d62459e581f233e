// Serves the web server's requests: a FastCGI loop when stdin is a listening socket
// (mod_fcgid, lighttpd bin-path, spawn-fcgi), otherwise exactly one CGI request from
// the environment and stdin. The only user of libfcgi. SIGTERM lets the request in
// hand finish, then the loop ends; SIGPIPE from a vanished client is ignored.
#pragma once

#include "http/request.hpp"
#include "http/response.hpp"

#include <functional>

namespace socialauth::http {

using RequestHandler = std::function<Response(RequestSource& source)>;

// Returns the process exit code.
int serve_requests(const RequestHandler& handler);

} // namespace socialauth::http
