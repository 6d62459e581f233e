// libFuzzer target: http::read_request_head and http::read_request_body, the CGI /
// FastCGI request reader, then the exchange parser on what they read.
// Input: byte 0 chooses how many bytes one read() hands out (0: all it is asked for),
// byte 1 the body limit; then CGI variables as NAME=VALUE lines up to an empty line;
// then the body stream.
// Invariants: never more is read from the stream than CONTENT_LENGTH; a read body has
// exactly CONTENT_LENGTH bytes and is within the limit; a body over the limit or with
// a bad length is not read at all.
#include "app/exchange_request.hpp"
#include "fuzz_support.hpp"
#include "http/request.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>

using namespace socialauth;

namespace {

class FuzzedSource final : public http::RequestSource {
public:
    FuzzedSource(std::map<std::string, std::string> variables, std::string body, std::size_t chunk)
        : variables_(std::move(variables)), body_(std::move(body)), chunk_(chunk) {}

    std::optional<std::string> variable(const char* name) const override {
        const auto it = variables_.find(name);
        if (it == variables_.end()) return std::nullopt;
        return it->second;
    }

    std::size_t read(char* buffer, std::size_t size) override {
        std::size_t n = std::min(size, body_.size() - offset_);
        if (chunk_ != 0) n = std::min(n, chunk_);
        std::memcpy(buffer, body_.data() + offset_, n);
        offset_ += n;
        return n;
    }

    std::size_t consumed() const { return offset_; }

private:
    std::map<std::string, std::string> variables_;
    std::string body_;
    std::size_t chunk_;
    std::size_t offset_ = 0;
};

// CONTENT_LENGTH as the reader must understand it: plain decimal digits only (leading
// zeros allowed); absurdly long values saturate.
std::optional<std::size_t> plain_decimal(const std::string& text) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    std::size_t value = 0;
    for (char c : text) value = value > (SIZE_MAX / 10) - 10 ? SIZE_MAX / 2 : value * 10 + std::size_t(c - '0');
    return value;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::size_t chunk = data[0];
    static constexpr std::int64_t kLimits[] = {16384, 0, 1, 64, 1024, 16384, 16384, 16384};
    const std::int64_t limit = kLimits[data[1] % 8];
    const std::string rest(reinterpret_cast<const char*>(data + 2), size - 2);

    std::map<std::string, std::string> variables;
    std::size_t pos = 0;
    while (pos < rest.size()) {
        const auto eol = rest.find('\n', pos);
        const std::string line = rest.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
        pos = eol == std::string::npos ? rest.size() : eol + 1;
        if (line.empty()) break;
        const auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        variables.emplace(line.substr(0, eq), line.substr(eq + 1));
    }
    FuzzedSource source(std::move(variables), rest.substr(pos), chunk);

    http::Request request = http::read_request_head(source);
    fuzz::require(source.consumed() == 0, "the head read from the body stream");
    http::read_request_body(source, request, limit);

    const auto length = request.content_length ? plain_decimal(*request.content_length) : std::nullopt;
    switch (request.body_status) {
    case http::BodyStatus::read:
        fuzz::require(length.has_value(), "body read without a plain CONTENT_LENGTH");
        fuzz::require(request.body.size() == *length, "body size differs from CONTENT_LENGTH");
        fuzz::require(static_cast<std::int64_t>(request.body.size()) <= limit, "body over the limit");
        break;
    case http::BodyStatus::truncated:
        fuzz::require(length.has_value() && request.body.size() < *length, "truncated, yet complete");
        break;
    case http::BodyStatus::too_large:
    case http::BodyStatus::length_invalid:
    case http::BodyStatus::length_missing:
        fuzz::require(request.body.empty() && source.consumed() == 0, "refused body was read");
        break;
    case http::BodyStatus::none: fuzz::fail("read_request_body left the status at none");
    }
    if (length) fuzz::require(source.consumed() <= *length, "read past CONTENT_LENGTH");

    if (request.body_status == http::BodyStatus::read) {
        const auto token = app::parse_exchange_request(request);
        if (!token) {
            const auto code = token.error().code;
            fuzz::require(code == core::Errc::invalid_request || code == core::Errc::invalid_json ||
                              code == core::Errc::unsupported_media_type,
                          "unexpected error code", core::errc_name(code));
        }
    }
    return 0;
}
