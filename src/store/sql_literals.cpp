#include "store/sql_literals.hpp"

namespace socialauth::store {
namespace {

void append_literal(std::string& out, const SqlParam& param) {
    if (const auto* number = std::get_if<std::int64_t>(&param)) {
        out += std::to_string(*number);
    } else if (const auto* text = std::get_if<std::string>(&param)) {
        static const char kHexDigits[] = "0123456789ABCDEF";
        out += "_utf8mb4 X'";
        for (const unsigned char byte : *text) {
            out += kHexDigits[byte >> 4];
            out += kHexDigits[byte & 0x0F];
        }
        out += '\'';
    } else {
        out += "NULL";
    }
}

} // namespace

core::Result<std::string> with_literals(const std::string& sql, const SqlParams& params) {
    std::string out;
    out.reserve(sql.size() + 16 * params.size());
    std::size_t placeholders = 0;
    char quote = 0;
    for (const char c : sql) {
        if (quote != 0) {
            if (c == quote) quote = 0;
        } else if (c == '\'' || c == '"' || c == '`') {
            quote = c;
        } else if (c == '?') {
            if (placeholders < params.size()) append_literal(out, params[placeholders]);
            ++placeholders;
            continue;
        }
        out += c;
    }
    if (placeholders != params.size() || quote != 0)
        return core::make_error(core::Errc::internal_error,
                                "cannot write " + std::to_string(params.size()) +
                                    " parameters into `" + sql + "`");
    return out;
}

} // namespace socialauth::store
