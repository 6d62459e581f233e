// Small string checks and conversions shared by request parsing, the pipeline and logs.
#pragma once

#include <string>
#include <string_view>

namespace socialauth::core {

bool is_valid_utf8(std::string_view text) noexcept;

// True when text holds a C0 control character (NUL included) or DEL.
bool has_control_characters(std::string_view text) noexcept;

std::string trim(std::string_view text);

// Lower-cases A-Z only; every other byte is kept, so lookalikes stay distinct.
std::string ascii_lower(std::string_view text);

// At most max_chars UTF-8 characters of valid UTF-8 text, cut on a character boundary.
std::string truncate_utf8(std::string_view text, std::size_t max_chars);

// Escapes control characters (C0, DEL and C1), backslash, bytes that are not UTF-8,
// line separators and bidirectional overrides as \xNN per byte, so that one log entry
// is always one line that reads as what it holds; other UTF-8 text stays as it is.
std::string escape_for_log(std::string_view text);

} // namespace socialauth::core
