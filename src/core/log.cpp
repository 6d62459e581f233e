#include "core/log.hpp"

#include "core/clock.hpp"
#include "core/text.hpp"

#include <cstdio>

namespace socialauth::core {

// One write() per line (stderr is unbuffered): the line and its newline can't be torn
// apart by another worker's line in the same log, and it costs one system call.
void StderrSink::write_line(const std::string& line) {
    std::string terminated;
    terminated.reserve(line.size() + 1);
    terminated += line;
    terminated += '\n';
    std::fwrite(terminated.data(), 1, terminated.size(), stderr);
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
