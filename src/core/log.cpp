#include "core/log.hpp"

#include "core/clock.hpp"
#include "core/text.hpp"

#include <cstdio>

namespace socialauth::core {

void StderrSink::write_line(const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
}

void Logger::log(LogLevel level, std::string_view message) {
    const char* name = level == LogLevel::info ? "info" : level == LogLevel::warning ? "warning" : "error";
    std::string line = format_iso8601_utc(std::chrono::system_clock::now());
    line += " socialauth ";
    line += name;
    line += ' ';
    line += escape_for_log(message);
    sink_->write_line(line);
}

} // namespace socialauth::core
