#include "admin/output_table.hpp"

#include "core/text.hpp"

#include <algorithm>

namespace socialauth::admin {

namespace {

constexpr std::string_view kColumnGap = "  ";

// Characters, not bytes, so that "José" takes the room of four; a continuation byte
// (10xxxxxx) starts no character.
std::size_t display_width(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

} // namespace

std::string cell(std::string_view text) { return text.empty() ? "-" : core::escape_for_log(text); }

std::string time_text(const std::optional<core::TimePoint>& time) {
    return time ? core::format_iso8601_utc(*time) : std::string();
}

std::string yes_no(bool value) { return value ? "yes" : "no"; }

void Table::add_row(const std::vector<std::string>& cells) {
    std::vector<std::string> row;
    row.reserve(cells.size());
    for (const std::string& text : cells) row.push_back(cell(text));
    rows_.push_back(std::move(row));
}

void Table::print(std::ostream& out) const {
    std::vector<std::size_t> widths;
    for (const auto& row : rows_) {
        if (widths.size() < row.size()) widths.resize(row.size(), 0);
        for (std::size_t i = 0; i + 1 < row.size(); ++i)
            widths[i] = std::max(widths[i], display_width(row[i]));
    }
    for (const auto& row : rows_) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            out << row[i];
            if (i + 1 < row.size())
                out << std::string(widths[i] - display_width(row[i]), ' ') << kColumnGap;
        }
        out << '\n';
    }
}

} // namespace socialauth::admin
