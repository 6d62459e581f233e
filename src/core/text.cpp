#include "core/text.hpp"

#include <cstdio>

namespace socialauth::core {

bool is_valid_utf8(std::string_view text) noexcept {
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        unsigned min_code = 0;
        unsigned code = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1, min_code = 0x80, code = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2, min_code = 0x800, code = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3, min_code = 0x10000, code = c & 0x07;
        } else {
            return false;
        }
        if (i + extra >= n) return false;
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto cc = static_cast<unsigned char>(text[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            code = (code << 6) | (cc & 0x3F);
        }
        if (code < min_code || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
        i += extra + 1;
    }
    return true;
}

bool has_control_characters(std::string_view text) noexcept {
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) return true;
    }
    return false;
}

std::string trim(std::string_view text) {
    const char* space = " \t\r\n\f\v";
    const auto first = text.find_first_not_of(space);
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(space);
    return std::string(text.substr(first, last - first + 1));
}

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string truncate_utf8(std::string_view text, std::size_t max_chars) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool starts_character = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
        if (starts_character && chars++ == max_chars) return std::string(text.substr(0, i));
    }
    return std::string(text);
}

namespace {

// Bytes in the UTF-8 sequence this lead byte starts; 0 for a byte that starts none.
std::size_t utf8_sequence_length(unsigned char lead) noexcept {
    if ((lead & 0xE0) == 0xC0) return 2;
    if ((lead & 0xF0) == 0xE0) return 3;
    if ((lead & 0xF8) == 0xF0) return 4;
    return 0;
}

// Characters a terminal or viewer acts on instead of showing: C1 controls (U+0080 to
// U+009F, among them CSI), line and paragraph separators (U+2028, U+2029) and the
// bidirectional overrides and isolates (U+202A to U+202E, U+2066 to U+2069) that can
// make a line read differently from what it holds.
bool acts_instead_of_showing(std::string_view ch) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(ch[i]); };
    if (ch.size() == 2) return byte(0) == 0xC2 && byte(1) <= 0x9F;
    if (ch.size() != 3 || byte(0) != 0xE2) return false;
    if (byte(1) == 0x80) return byte(2) >= 0xA8 && byte(2) <= 0xAE;
    return byte(1) == 0x81 && byte(2) >= 0xA6 && byte(2) <= 0xA9;
}

void append_escaped(std::string& out, unsigned char c) {
    char buf[5];
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    out += buf;
}

} // namespace

std::string escape_for_log(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7F || c == '\\') append_escaped(out, c);
            else out += text[i];
            ++i;
            continue;
        }
        const std::size_t length = utf8_sequence_length(c);
        const std::string_view ch = text.substr(i, length);
        if (length != 0 && ch.size() == length && is_valid_utf8(ch)) {
            if (acts_instead_of_showing(ch))
                for (char byte : ch) append_escaped(out, static_cast<unsigned char>(byte));
            else
                out += ch;
            i += length;
        } else {
            // Not UTF-8: one byte at a time, so the next valid character still shows.
            append_escaped(out, c);
            ++i;
        }
    }
    return out;
}

} // namespace socialauth::core
