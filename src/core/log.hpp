// A logger with replaceable sinks. Production writes to stderr, which the web server
// puts in its error log; tests capture lines to assert that no secret is ever logged.
// Every line passes through escape_for_log, so input can't forge a log entry.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace socialauth::core {

class LogSink {
public:
    virtual ~LogSink() = default;
    virtual void write_line(const std::string& line) = 0;
};

class StderrSink final : public LogSink {
public:
    void write_line(const std::string& line) override;
};

class CaptureSink final : public LogSink {
public:
    void write_line(const std::string& line) override { lines.push_back(line); }
    std::vector<std::string> lines;
};

enum class LogLevel { info, warning, error };

class Logger {
public:
    explicit Logger(std::shared_ptr<LogSink> sink) : sink_(std::move(sink)) {}

    // "<UTC time> <level> <message>", message escaped.
    void log(LogLevel level, std::string_view message);
    void info(std::string_view message) { log(LogLevel::info, message); }
    void warning(std::string_view message) { log(LogLevel::warning, message); }
    void error(std::string_view message) { log(LogLevel::error, message); }

private:
    std::shared_ptr<LogSink> sink_;
};

} // namespace socialauth::core
