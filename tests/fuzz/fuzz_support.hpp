// Shared by the libFuzzer targets: splitting an input into the parts a target feeds
// to the code under test, and failing loudly when an invariant does not hold (abort()
// makes libFuzzer keep the input as a crash artifact).
#pragma once

#include "core/error.hpp"
#include "core/result.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace socialauth::fuzz {

// Inputs are text files a person can write by hand: parts separated by this line.
constexpr std::string_view kPartSeparator = "\n=====\n";

inline std::vector<std::string> split_parts(std::string_view data,
                                            std::string_view separator = kPartSeparator) {
    std::vector<std::string> parts;
    for (;;) {
        const auto at = data.find(separator);
        if (at == std::string_view::npos) break;
        parts.emplace_back(data.substr(0, at));
        data.remove_prefix(at + separator.size());
    }
    parts.emplace_back(data);
    return parts;
}

// A scripted HTTP reply written as "<status>\n<body>"; without a leading status line
// the whole part is the body of a 200.
struct ScriptedReply {
    long status = 200;
    std::string body;
};

inline ScriptedReply parse_reply(const std::string& part) {
    ScriptedReply reply;
    const auto eol = part.find('\n');
    const std::string first = part.substr(0, eol);
    if (!first.empty() && first.size() <= 3 &&
        first.find_first_not_of("0123456789") == std::string::npos) {
        reply.status = std::stol(first);
        reply.body = eol == std::string::npos ? std::string() : part.substr(eol + 1);
    } else {
        reply.body = part;
    }
    return reply;
}

[[noreturn]] inline void fail(const char* what, std::string_view detail = {}) {
    std::fprintf(stderr, "fuzz invariant broken: %s [%.*s]\n", what,
                 static_cast<int>(detail.size() > 300 ? 300 : detail.size()), detail.data());
    std::abort();
}

inline void require(bool condition, const char* what, std::string_view detail = {}) {
    if (!condition) fail(what, detail);
}

inline bool contains(std::string_view text, std::string_view part) {
    return !part.empty() && text.find(part) != std::string_view::npos;
}

} // namespace socialauth::fuzz
