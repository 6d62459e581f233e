// The one table from error codes to HTTP answers (SPEC §2.1): status, public "error"
// code and the DRF-style "errors" member. The Error's detail never reaches the client.
#pragma once

#include "core/error.hpp"
#include "http/response.hpp"

namespace socialauth::app {

http::Response error_response(const core::Error& error);

} // namespace socialauth::app
