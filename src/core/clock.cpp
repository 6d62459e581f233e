#include "core/clock.hpp"

#include <cstdio>
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

bool parse_sql_utc(const std::string& text, TimePoint& out) {
    std::tm parts{};
    int consumed = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%n", &parts.tm_year, &parts.tm_mon,
                    &parts.tm_mday, &parts.tm_hour, &parts.tm_min, &parts.tm_sec, &consumed) != 6)
        return false;
    if (static_cast<std::size_t>(consumed) != text.size()) return false;
    parts.tm_year -= 1900;
    parts.tm_mon -= 1;
    out = from_unix_seconds(static_cast<std::int64_t>(timegm(&parts)));
    return true;
}

} // namespace socialauth::core
