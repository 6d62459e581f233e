// The only place that configures jsoncpp's reader and writer. Request bodies and
// provider replies are parsed strictly (no comments, no duplicate keys, no trailing
// garbage, bounded depth); the config file may carry comments.
#pragma once

#include "core/result.hpp"

#include <json/value.h>

#include <string>

namespace socialauth::core {

inline constexpr int kMaxJsonDepth = 32;

// Strict parse of untrusted JSON. Errors are Errc::invalid_json with a public message
// that names the problem but never echoes the input.
Result<Json::Value> parse_json(const std::string& text, int max_depth = kMaxJsonDepth);

// Config files: comments allowed, duplicate keys rejected.
Result<Json::Value> parse_json_with_comments(const std::string& text);

// Compact, UTF-8 output (no \u escapes for non-ASCII).
std::string to_json(const Json::Value& value);

// Builds a JSON object whose members keep the order they are added in (Json::Value
// sorts them), for answers where clients read the first member.
class OrderedJsonObject {
public:
    OrderedJsonObject& add(const std::string& key, const Json::Value& value);
    OrderedJsonObject& add(const std::string& key, const OrderedJsonObject& value);
    std::string str() const { return text_ + "}"; }

private:
    std::string text_ = "{";
};

} // namespace socialauth::core
