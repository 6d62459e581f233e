// The exchange request body (SPEC §2.1): JSON or form, fields access_token and
// id_token, at least one of them. Unknown fields are ignored and never reach the
// pipeline. White space around a token is trimmed; control characters and bad UTF-8
// are refused.
#pragma once

#include "core/result.hpp"
#include "http/request.hpp"
#include "providers/provider.hpp"

namespace socialauth::app {

core::Result<providers::ProviderToken> parse_exchange_request(const http::Request& request);

} // namespace socialauth::app
