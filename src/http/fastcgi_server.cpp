#include "http/fastcgi_server.hpp"

#include <fcgiapp.h>

#include <sys/socket.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace socialauth::http {
namespace {

volatile std::sig_atomic_t stop_requested = 0;

extern "C" void on_terminate(int) {
    stop_requested = 1;
    FCGX_ShutdownPending();
}

void install_signal_handlers() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, nullptr);

    // No SA_RESTART: the blocking accept() must return so the loop can end.
    struct sigaction terminate {};
    terminate.sa_handler = on_terminate;
    sigemptyset(&terminate.sa_mask);
    sigaction(SIGTERM, &terminate, nullptr);
}

// Used when the handler itself failed: the web server still gets a Status and a body.
const char kLastResort[] =
    "Status: 500 Internal Server Error\r\nContent-Type: application/json; charset=utf-8\r\n"
    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n"
    "{\"error\":\"internal_error\"}";

std::string answer(const RequestHandler& handler, RequestSource& source) {
    try {
        return serialize_cgi(handler(source));
    } catch (...) {
        return kLastResort;
    }
}

class CgiSource final : public RequestSource {
public:
    std::optional<std::string> variable(const char* name) const override {
        const char* value = std::getenv(name);
        if (value == nullptr) return std::nullopt;
        return std::string(value);
    }
    std::size_t read(char* buffer, std::size_t size) override {
        return std::fread(buffer, 1, size, stdin);
    }
};

class FastCgiSource final : public RequestSource {
public:
    explicit FastCgiSource(FCGX_Request& request) : request_(request) {}
    std::optional<std::string> variable(const char* name) const override {
        const char* value = FCGX_GetParam(name, request_.envp);
        if (value == nullptr) return std::nullopt;
        return std::string(value);
    }
    std::size_t read(char* buffer, std::size_t size) override {
        const int n = FCGX_GetStr(buffer, static_cast<int>(size), request_.in);
        return n > 0 ? static_cast<std::size_t>(n) : 0;
    }

private:
    FCGX_Request& request_;
};

int serve_cgi(const RequestHandler& handler) {
    CgiSource source;
    const std::string out = answer(handler, source);
    const bool written = std::fwrite(out.data(), 1, out.size(), stdout) == out.size();
    return written && std::fflush(stdout) == 0 ? 0 : 1;
}

// libfcgi ends a connection with shutdown() and then reads until the web server closes
// its end (up to 2 s), so that input still arriving is not answered with a TCP reset
// that could destroy the response. On a Unix socket there are no resets, and once the
// request's input has ended nothing more arrives: closing at once spares each request
// that wait, a sleep and a wake-up of this process.
bool listens_on_unix_socket() {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (getsockname(0, reinterpret_cast<sockaddr*>(&address), &length) != 0) return false;
    return address.ss_family == AF_UNIX;
}

// Whether the request's input has ended, after dropping what the handler left unread
// if that is little: usually only the empty record that ends it, which the web server
// sent with the request. A large unread body is left to libfcgi's own close.
bool input_ended(FCGX_Request& request) {
    constexpr int kMaxUnreadBytes = 4096;
    char unread[kMaxUnreadBytes];
    const int n = FCGX_GetStr(unread, kMaxUnreadBytes, request.in);
    return n < kMaxUnreadBytes && FCGX_HasSeenEOF(request.in) == EOF;
}

int serve_fastcgi(const RequestHandler& handler) {
    if (FCGX_Init() != 0) return 1;
    FCGX_Request request;
    if (FCGX_InitRequest(&request, 0, FCGI_FAIL_ACCEPT_ON_INTR) != 0) return 1;
    const bool close_at_once = listens_on_unix_socket();
    while (!stop_requested && FCGX_Accept_r(&request) >= 0) {
        FastCgiSource source(request);
        const std::string out = answer(handler, source);
        FCGX_PutStr(out.data(), static_cast<int>(out.size()), request.out);
        if (close_at_once && input_ended(request)) FCGX_Detach(&request);
        FCGX_Finish_r(&request);
    }
    FCGX_Free(&request, 1);
    return 0;
}

} // namespace

int serve_requests(const RequestHandler& handler) {
    install_signal_handlers();
    return FCGX_IsCGI() ? serve_cgi(handler) : serve_fastcgi(handler);
}

} // namespace socialauth::http
