#include "pipeline/steps.hpp"

namespace socialauth::pipeline {
namespace {

constexpr int kMaxAttempts = 10;
constexpr std::size_t kSuffixBytes = 4; // 8 hex characters

bool allowed_character(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '@' || c == '+' || c == '_' || c == '-';
}

std::string clean(const std::string& text) {
    std::string out;
    for (char c : text)
        if (allowed_character(c)) out += c;
    return out;
}

std::string base_username(const UserDetails& details) {
    if (auto name = clean(details.username); !name.empty()) return name;
    if (const auto at = details.email.find('@'); at != std::string::npos && at > 0)
        if (auto local = clean(details.email.substr(0, at)); !local.empty()) return local;
    if (auto name = clean(details.first_name + details.last_name); !name.empty()) return name;
    return "user";
}

std::string to_hex(const std::string& bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        out += digits[c >> 4];
        out += digits[c & 0x0F];
    }
    return out;
}

} // namespace

core::Status get_username(PipelineContext& context, PipelineState& state) {
    if (state.user) return {};
    const std::size_t max_length = context.config.users.username_max_length;
    const std::string base = base_username(state.details).substr(0, max_length);

    std::string candidate = base;
    for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
        auto taken = context.store.username_exists(candidate);
        if (!taken) return taken.error();
        if (!*taken) {
            state.username = candidate;
            return {};
        }
        auto suffix = context.random.bytes(kSuffixBytes);
        if (!suffix) return suffix.error();
        const std::string tail = to_hex(*suffix);
        candidate = base.substr(0, max_length - tail.size()) + tail;
    }
    return core::make_error(core::Errc::internal_error, "no free username after retries");
}

} // namespace socialauth::pipeline
