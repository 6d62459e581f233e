// Time as a seam: production reads the system clock, tests fix it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace socialauth::core {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
public:
    TimePoint now() const override { return std::chrono::system_clock::now(); }
};

std::int64_t to_unix_seconds(TimePoint t) noexcept;
TimePoint from_unix_seconds(std::int64_t seconds) noexcept;

// "2026-12-28T12:00:00Z"
std::string format_iso8601_utc(TimePoint t);
// "2026-12-28 12:00:00", the form MySQL takes for DATETIME/TIMESTAMP in UTC.
std::string format_sql_utc(TimePoint t);
// Parses format_sql_utc's form; false on anything else.
bool parse_sql_utc(const std::string& text, TimePoint& out);

} // namespace socialauth::core
