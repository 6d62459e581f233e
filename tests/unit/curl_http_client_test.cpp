// http/curl_http_client and httpoxy: a "Proxy:" request header reaches a CGI program as
// HTTP_PROXY, and libcurl, left to itself, takes its proxy from such variables. These
// tests set every proxy variable libcurl reads to a listener on the loopback and check
// that no provider call goes there, while outbound.proxy, the one proxy setting, does.
// Loopback only: nothing leaves the machine.
#include "http/curl_http_client.hpp"

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace {

namespace sa = socialauth;

// A TCP listener on 127.0.0.1 that never answers; it only tells whether someone came.
class Listener {
public:
    Listener() {
        fd_ = socket(AF_INET, SOCK_STREAM, 0);
        BOOST_TEST_REQUIRE(fd_ >= 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        BOOST_TEST_REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        BOOST_TEST_REQUIRE(listen(fd_, 8) == 0);
        socklen_t length = sizeof address;
        BOOST_TEST_REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
        port_ = ntohs(address.sin_port);
    }
    ~Listener() { close(fd_); }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    int port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

    // The first bytes a client sent within timeout_ms, or nullopt when nobody came.
    std::optional<std::string> first_bytes(int timeout_ms) const {
        pollfd waiting{fd_, POLLIN, 0};
        if (poll(&waiting, 1, timeout_ms) != 1) return std::nullopt;
        const int client = accept(fd_, nullptr, nullptr);
        if (client < 0) return std::nullopt;
        std::string received;
        pollfd readable{client, POLLIN, 0};
        if (poll(&readable, 1, 2000) == 1) {
            char buffer[512];
            const auto n = read(client, buffer, sizeof buffer);
            if (n > 0) received.assign(buffer, static_cast<std::size_t>(n));
        }
        close(client);
        return received;
    }

private:
    int fd_ = -1;
    int port_ = 0;
};

// A loopback port nobody listens on.
int closed_port() {
    const Listener listener;
    return listener.port();
}

// Sets environment variables for the life of the object, then restores them.
class ScopedEnvironment {
public:
    explicit ScopedEnvironment(const std::map<std::string, std::string>& values) {
        for (const auto& [name, value] : values) {
            const char* old = std::getenv(name.c_str());
            saved_[name] = old != nullptr ? std::optional<std::string>(old) : std::nullopt;
            setenv(name.c_str(), value.c_str(), 1);
        }
    }
    ~ScopedEnvironment() {
        for (const auto& [name, value] : saved_) {
            if (value) setenv(name.c_str(), value->c_str(), 1);
            else unsetenv(name.c_str());
        }
    }
    ScopedEnvironment(const ScopedEnvironment&) = delete;
    ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

private:
    std::map<std::string, std::optional<std::string>> saved_;
};

std::map<std::string, std::string> every_proxy_variable(const std::string& proxy) {
    std::map<std::string, std::string> values;
    for (const char* name : {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
                             "ALL_PROXY", "all_proxy"})
        values[name] = proxy;
    values["NO_PROXY"] = "";
    values["no_proxy"] = "";
    return values;
}

sa::core::OutboundConfig outbound(const std::string& proxy = "") {
    sa::core::OutboundConfig config;
    config.proxy = proxy;
    config.connect_timeout_ms = 1000;
    config.timeout_ms = 2000;
    return config;
}

sa::http::HttpRequest provider_call(int port) {
    sa::http::HttpRequest request;
    request.url = "https://127.0.0.1:" + std::to_string(port) + "/tokeninfo?access_token=secret";
    return request;
}

} // namespace

BOOST_AUTO_TEST_SUITE(curl_http_client)

BOOST_AUTO_TEST_CASE(ignores_proxy_variables_of_the_environment) {
    const Listener trap;
    const ScopedEnvironment environment(every_proxy_variable(trap.url()));
    sa::http::CurlHttpClient client(outbound());
    const auto reply = client.send(provider_call(closed_port()));
    // Straight to the (closed) provider port: refused, and the trap saw nobody.
    BOOST_TEST_REQUIRE(!reply.ok());
    BOOST_TEST((reply.error().code == sa::core::Errc::provider_unavailable));
    BOOST_TEST(!trap.first_bytes(200).has_value(), "a provider call went to the proxy");
    BOOST_TEST(reply.error().detail.find("secret") == std::string::npos, reply.error().detail);
}

BOOST_AUTO_TEST_CASE(uses_the_configured_proxy_and_only_that) {
    // The control experiment: the trap does notice a client that uses a proxy.
    const Listener configured;
    const Listener trap;
    const ScopedEnvironment environment(every_proxy_variable(trap.url()));
    const int provider_port = closed_port();
    auto seen = std::async(std::launch::async, [&] { return configured.first_bytes(3000); });
    sa::http::CurlHttpClient client(outbound(configured.url()));
    const auto reply = client.send(provider_call(provider_port));
    const auto received = seen.get();
    BOOST_TEST(!reply.ok());
    BOOST_TEST_REQUIRE(received.has_value());
    BOOST_TEST(received->rfind("CONNECT 127.0.0.1:" + std::to_string(provider_port), 0) == 0u,
               *received);
    BOOST_TEST(!trap.first_bytes(0).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
