// A scripted HttpClient for unit tests, in the spirit of liboauth2's loopback server:
// each request takes the first scripted outcome, in the order they were added, whose
// URL prefix matches its URL, and every request is recorded so tests can assert what
// was sent. A request nothing was scripted for gets Errc::internal_error, which no
// provider turns into an expected answer, so it fails the test loudly.
#pragma once

#include "core/result.hpp"
#include "http/http_client.hpp"

#include <deque>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace socialauth::testing {

class FakeHttpClient final : public http::HttpClient {
public:
    void reply(std::string url_prefix, long status, std::string body,
               std::string cache_control = {}) {
        script_.push_back({std::move(url_prefix),
                           http::HttpReply{status, std::move(body), std::move(cache_control)}});
    }

    // The body read from a file (a recorded provider reply); throws when unreadable.
    void reply_with_file(std::string url_prefix, long status, const std::string& path,
                         std::string cache_control = {}) {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw std::runtime_error("cannot read test data " + path);
        std::ostringstream body;
        body << in.rdbuf();
        reply(std::move(url_prefix), status, body.str(), std::move(cache_control));
    }

    // Fails the matching request the way a transport error would.
    void fail(std::string url_prefix, core::Error error) {
        script_.push_back({std::move(url_prefix), std::move(error)});
    }

    core::Result<http::HttpReply> send(const http::HttpRequest& request) override {
        requests_.push_back(request);
        for (auto it = script_.begin(); it != script_.end(); ++it) {
            if (request.url.compare(0, it->url_prefix.size(), it->url_prefix) != 0) continue;
            core::Result<http::HttpReply> outcome = std::move(it->outcome);
            script_.erase(it);
            return outcome;
        }
        return core::make_error(core::Errc::internal_error,
                                "FakeHttpClient: nothing scripted for " + request.method + " " +
                                    request.url);
    }

    const std::vector<http::HttpRequest>& requests() const { return requests_; }

    // Scripted outcomes no request has taken yet.
    std::size_t pending() const { return script_.size(); }

private:
    struct Scripted {
        std::string url_prefix;
        core::Result<http::HttpReply> outcome;
    };

    std::deque<Scripted> script_;
    std::vector<http::HttpRequest> requests_;
};

} // namespace socialauth::testing
