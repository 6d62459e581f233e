#include "core/clock.hpp"

#include <ctime>

namespace socialauth::core {

std::int64_t to_unix_seconds(TimePoint t) noexcept {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

TimePoint from_unix_seconds(std::int64_t seconds) noexcept {
    return TimePoint(std::chrono::seconds(seconds));
}

namespace {
std::tm utc_parts(TimePoint t) {
    const std::time_t seconds = static_cast<std::time_t>(to_unix_seconds(t));
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    return parts;
}
} // namespace

std::string format_iso8601_utc(TimePoint t) {
    const std::tm parts = utc_parts(t);
    char buf[32];
    return std::string(buf, std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &parts));
}

std::string format_sql_utc(TimePoint t) {
    const std::tm parts = utc_parts(t);
    char buf[32];
    return std::string(buf, std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &parts));
}

// Exactly "YYYY-MM-DD HH:MM:SS", the form MySQL gives a DATETIME in; read by hand, as
// every row of a request has a few and sscanf costs more than the rest of the row.
bool parse_sql_utc(const std::string& text, TimePoint& out) {
    static const char kShape[] = "dddd-dd-dd dd:dd:dd";
    if (text.size() != sizeof kShape - 1) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool digit = text[i] >= '0' && text[i] <= '9';
        if (kShape[i] == 'd' ? !digit : text[i] != kShape[i]) return false;
    }
    const auto number = [&](std::size_t at, std::size_t digits) {
        int value = 0;
        for (std::size_t i = at; i < at + digits; ++i) value = value * 10 + (text[i] - '0');
        return value;
    };
    std::tm parts{};
    parts.tm_year = number(0, 4);
    parts.tm_mon = number(5, 2);
    parts.tm_mday = number(8, 2);
    parts.tm_hour = number(11, 2);
    parts.tm_min = number(14, 2);
    parts.tm_sec = number(17, 2);
    parts.tm_year -= 1900;
    parts.tm_mon -= 1;
    out = from_unix_seconds(static_cast<std::int64_t>(timegm(&parts)));
    return true;
}

} // namespace socialauth::core
