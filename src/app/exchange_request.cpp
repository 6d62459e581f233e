#include "app/exchange_request.hpp"

#include "core/json.hpp"
#include "core/text.hpp"
#include "http/form_encoding.hpp"

#include <optional>
#include <utility>

namespace socialauth::app {
namespace {

using core::Errc;
using core::make_public_error;

constexpr const char* kRequired = "This field is required.";
constexpr const char* kBadCharacters = "Contains characters that are not allowed.";

enum class BodyKind { json, form, other };

BodyKind body_kind(const std::string& content_type) {
    const std::string media = core::ascii_lower(core::trim(content_type.substr(0, content_type.find(';'))));
    if (media == "application/json") return BodyKind::json;
    if (media == "application/x-www-form-urlencoded") return BodyKind::form;
    return BodyKind::other;
}

// The two fields as found, before validation; nullopt when absent.
struct RawFields {
    std::optional<std::string> access_token;
    std::optional<std::string> id_token;
};

core::Result<RawFields> fields_from_json(const std::string& body) {
    auto json = core::parse_json(body);
    if (!json) return json.error();
    if (!json->isObject()) return make_public_error(Errc::invalid_json, "JSON body must be an object.");
    RawFields fields;
    const std::pair<const char*, std::optional<std::string>*> slots[] = {
        {"access_token", &fields.access_token}, {"id_token", &fields.id_token}};
    for (const auto& [name, slot] : slots) {
        const auto& value = std::as_const(*json)[name];
        if (value.isNull()) continue;
        if (!value.isString())
            return make_public_error(Errc::invalid_request, kRequired,
                                     std::string(name) + " is not a string");
        *slot = value.asString();
    }
    return fields;
}

core::Result<RawFields> fields_from_form(const std::string& body) {
    RawFields fields;
    for (const auto& [name, value] : http::parse_form(body)) {
        std::optional<std::string>* slot = name == "access_token" ? &fields.access_token
                                         : name == "id_token"     ? &fields.id_token
                                                                  : nullptr;
        if (slot == nullptr) continue;
        if (slot->has_value())
            return make_public_error(Errc::invalid_request, "This field may be given only once.",
                                     name + " repeated");
        *slot = value;
    }
    return fields;
}

// Trims and checks one field; "" when absent or blank.
core::Result<std::string> clean_field(const std::optional<std::string>& raw) {
    if (!raw) return std::string();
    if (!core::is_valid_utf8(*raw)) return make_public_error(Errc::invalid_request, kBadCharacters, "bad UTF-8");
    std::string value = core::trim(*raw);
    if (core::has_control_characters(value))
        return make_public_error(Errc::invalid_request, kBadCharacters, "control character");
    return value;
}

} // namespace

core::Result<providers::ProviderToken> parse_exchange_request(const http::Request& request) {
    const BodyKind kind = body_kind(request.content_type);
    if (kind == BodyKind::other)
        return core::make_error(Errc::unsupported_media_type, "content type not accepted");
    if (!core::is_valid_utf8(request.body))
        return make_public_error(Errc::invalid_request, kBadCharacters, "body is not UTF-8");

    auto raw = kind == BodyKind::json ? fields_from_json(request.body) : fields_from_form(request.body);
    if (!raw) return raw.error();
    auto access_token = clean_field(raw->access_token);
    if (!access_token) return access_token.error();
    auto id_token = clean_field(raw->id_token);
    if (!id_token) return id_token.error();
    if (access_token->empty() && id_token->empty())
        return make_public_error(Errc::invalid_request, kRequired, "no token given");
    return providers::ProviderToken{std::move(*access_token), std::move(*id_token)};
}

} // namespace socialauth::app
