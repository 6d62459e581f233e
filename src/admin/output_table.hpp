// What socialauth-admin prints: rows of cells in aligned columns, two spaces apart, so
// that output reads well and stays easy to grep, cut and awk. Names and emails come
// from providers, so in a cell control characters (tab and line breaks included), line
// separators and bidirectional overrides are written as \xNN (core::escape_for_log):
// no value can break a line, forge a row or send escape sequences to the operator's
// terminal. Spaces are kept (a name may hold one). An empty value prints as "-".
#pragma once

#include "core/clock.hpp"

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace socialauth::admin {

// A value made safe and visible for one cell.
std::string cell(std::string_view text);
// 2026-12-28T12:00:00Z (UTC), or "" (a "-" in a cell) for no time.
std::string time_text(const std::optional<core::TimePoint>& time);
std::string yes_no(bool value);

class Table {
public:
    // Takes the values as they are and puts each through cell(); rows may differ in
    // length.
    void add_row(const std::vector<std::string>& cells);

    // Every column but a row's last padded to the widest cell of that column (counted in
    // UTF-8 characters), so no line ends in blanks.
    void print(std::ostream& out) const;

private:
    std::vector<std::vector<std::string>> rows_;
};

} // namespace socialauth::admin
