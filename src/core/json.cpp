#include "core/json.hpp"

#include <json/reader.h>
#include <json/writer.h>

#include <memory>
#include <sstream>

namespace socialauth::core {
namespace {

// jsoncpp's own stack limit throws from deep inside the parser and counts differently
// from what clients mean by "levels", so nesting is measured before parsing.
bool nesting_within(const std::string& text, int max_depth) {
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        // jsoncpp takes comments in some places even in strict mode, and stops at a NUL.
        else if (c == '/' || c == '\0') return false;
        else if (c == '{' || c == '[') {
            if (++depth > max_depth) return false;
        } else if (c == '}' || c == ']') --depth;
    }
    return true;
}

Result<Json::Value> parse_with(const Json::CharReaderBuilder& builder, const std::string& text) {
    std::unique_ptr<Json::CharReader> reader(builder.newCharReader());
    Json::Value root;
    std::string errors;
    bool parsed = false;
    try {
        parsed = reader->parse(text.data(), text.data() + text.size(), &root, &errors);
    } catch (const std::exception& e) {
        errors = e.what();
    }
    if (!parsed) {
        const bool duplicate = errors.find("Duplicate key") != std::string::npos;
        return make_public_error(Errc::invalid_json,
                                 duplicate ? "Duplicate key in JSON." : "Malformed JSON.", errors);
    }
    return root;
}

} // namespace

Result<Json::Value> parse_json(const std::string& text, int max_depth) {
    if (!nesting_within(text, max_depth))
        return make_public_error(Errc::invalid_json, "JSON nested too deeply.");
    Json::CharReaderBuilder builder;
    Json::CharReaderBuilder::strictMode(&builder.settings_);
    builder.settings_["strictRoot"] = false;
    builder.settings_["stackLimit"] = max_depth + 8;
    return parse_with(builder, text);
}

Result<Json::Value> parse_json_with_comments(const std::string& text) {
    Json::CharReaderBuilder builder;
    Json::CharReaderBuilder::strictMode(&builder.settings_);
    builder.settings_["allowComments"] = true;
    return parse_with(builder, text);
}

// Built once: its settings are a Json::Value map, and an answer is made of dozens of
// to_json calls.
const Json::StreamWriterBuilder& compact_writer() {
    static const Json::StreamWriterBuilder builder = [] {
        Json::StreamWriterBuilder settings;
        settings["indentation"] = "";
        settings["emitUTF8"] = true;
        settings["commentStyle"] = "None";
        return settings;
    }();
    return builder;
}

std::string to_json(const Json::Value& value) { return Json::writeString(compact_writer(), value); }

OrderedJsonObject& OrderedJsonObject::add(const std::string& key, const Json::Value& value) {
    if (text_.size() > 1) text_ += ',';
    text_ += to_json(Json::Value(key));
    text_ += ':';
    text_ += to_json(value);
    return *this;
}

OrderedJsonObject& OrderedJsonObject::add(const std::string& key, const OrderedJsonObject& value) {
    if (text_.size() > 1) text_ += ',';
    text_ += to_json(Json::Value(key));
    text_ += ':';
    text_ += value.str();
    return *this;
}

} // namespace socialauth::core
