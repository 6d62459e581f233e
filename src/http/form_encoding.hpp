// application/x-www-form-urlencoded, both ways. The only user of cgicc.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace socialauth::http {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// Splits on '&' and '=', decodes '+' and %XX; keeps repeated and empty keys in order
// so the caller decides what they mean.
FormFields parse_form(const std::string& body);

// "a=1&b=2" with every name and value percent-encoded.
std::string form_encode(const FormFields& fields);

// One value percent-encoded (RFC 3986 unreserved characters kept).
std::string percent_encode(const std::string& value);

} // namespace socialauth::http
