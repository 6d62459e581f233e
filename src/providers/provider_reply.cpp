#include "providers/provider_reply.hpp"

#include "core/json.hpp"

namespace socialauth::providers {

StatusClass classify_status(long status) noexcept {
    if (status == 200) return StatusClass::answer;
    // 408 and 429 say "not now", not "not this token".
    if (status >= 400 && status < 500 && status != 408 && status != 429)
        return StatusClass::token_refused;
    return StatusClass::provider_trouble;
}

namespace {
std::string joined(std::string_view where, std::string_view why) {
    std::string out(where);
    out += ": ";
    out += why;
    return out;
}
} // namespace

core::Error token_rejected(std::string_view where, std::string_view why) {
    return core::make_error(core::Errc::invalid_token, joined(where, why));
}

core::Error provider_trouble(std::string_view where, std::string_view why) {
    return core::make_error(core::Errc::provider_unavailable, joined(where, why));
}

core::Error transport_error(std::string_view where, const core::Error& error) {
    core::Error out = error;
    out.detail = joined(where, error.detail);
    return out;
}

core::Error status_error(std::string_view where, long status) {
    const std::string why = "answered HTTP " + std::to_string(status);
    if (classify_status(status) == StatusClass::token_refused) return token_rejected(where, why);
    return provider_trouble(where, why);
}

core::Result<Json::Value> parse_object(std::string_view where, const std::string& body) {
    auto parsed = core::parse_json(body);
    // The public message names the problem without echoing the input; the detail of
    // the parser might quote it.
    if (!parsed)
        return provider_trouble(where, "reply is not JSON: " + parsed.error().public_message);
    if (!parsed->isObject()) return provider_trouble(where, "reply is not a JSON object");
    return std::move(parsed).value();
}

core::Result<Json::Value> fetch_object(http::HttpClient& http, const http::HttpRequest& request,
                                       std::string_view where) {
    auto reply = http.send(request);
    if (!reply) return transport_error(where, reply.error());
    if (reply->status != 200) return status_error(where, reply->status);
    return parse_object(where, reply->body);
}

const Json::Value* MemberReader::find(std::string_view key) const {
    if (!object_.isObject()) return nullptr;
    const Json::Value* member = object_.find(key.data(), key.data() + key.size());
    return member && !member->isNull() ? member : nullptr;
}

std::string MemberReader::string(std::string_view key) {
    const Json::Value* member = find(key);
    if (!member) return {};
    if (!member->isString()) {
        wrong_type(key);
        return {};
    }
    return member->asString();
}

std::optional<bool> MemberReader::boolean(std::string_view key) {
    const Json::Value* member = find(key);
    if (!member) return std::nullopt;
    if (!member->isBool()) {
        wrong_type(key);
        return std::nullopt;
    }
    return member->asBool();
}

std::optional<std::int64_t> MemberReader::integer(std::string_view key) {
    const Json::Value* member = find(key);
    if (!member) return std::nullopt;
    if (!member->isInt64()) {
        wrong_type(key);
        return std::nullopt;
    }
    return member->asInt64();
}

const Json::Value& MemberReader::object(std::string_view key) {
    static const Json::Value kEmpty(Json::objectValue);
    const Json::Value* member = find(key);
    if (!member) return kEmpty;
    if (!member->isObject()) {
        wrong_type(key);
        return kEmpty;
    }
    return *member;
}

void MemberReader::wrong_type(std::string_view key) {
    if (wrong_.empty()) wrong_ = key;
}

std::string MemberReader::problem() const { return wrong_ + " has an unexpected type"; }

} // namespace socialauth::providers
