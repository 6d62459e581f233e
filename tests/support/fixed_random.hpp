// A RandomSource for unit tests: deterministic, yet every call answers different
// bytes (a splitmix64 stream over a call counter), so tokens, request ids and username
// suffixes differ as they would in production and a test run is repeatable. Tests may
// script the next answers exactly, make the next call fail, or make it throw, and can
// see how many bytes each call asked for.
#pragma once

#include "core/random.hpp"

#include <cstdint>
#include <deque>
#include <stdexcept>
#include <string>
#include <vector>

namespace socialauth::testing {

class FixedRandom final : public core::RandomSource {
public:
    explicit FixedRandom(std::uint64_t seed = 0x5EED) : state_(seed) {}

    core::Result<std::string> bytes(std::size_t n) override {
        requests_.push_back(n);
        if (throw_next_) {
            throw_next_ = false;
            throw std::runtime_error("FixedRandom: scripted exception");
        }
        if (fail_next_ > 0) {
            --fail_next_;
            return core::make_error(core::Errc::internal_error, "FixedRandom: scripted failure");
        }
        if (!scripted_.empty()) {
            std::string out = std::move(scripted_.front());
            scripted_.pop_front();
            if (out.size() != n)
                throw std::logic_error("FixedRandom: scripted " + std::to_string(out.size()) +
                                       " bytes for a call asking " + std::to_string(n));
            return out;
        }
        std::string out;
        out.reserve(n);
        // A fresh word per call: consecutive calls never share their leading bytes.
        std::uint64_t word = next();
        for (std::size_t i = 0; i < n; ++i) {
            if (i > 0 && i % 8 == 0) word = next();
            out += static_cast<char>((word >> (8 * (i % 8))) & 0xFF);
        }
        return out;
    }

    // The next call answers exactly these bytes (its size must match the request).
    void script(std::string next_bytes) { scripted_.push_back(std::move(next_bytes)); }
    // The next `times` calls fail with Errc::internal_error, as a broken CSPRNG would.
    void fail_next(int times = 1) { fail_next_ += times; }
    // The next call throws std::runtime_error: a broken invariant mid-request.
    void throw_next() { throw_next_ = true; }

    // The sizes asked for, one entry per call.
    const std::vector<std::size_t>& requests() const { return requests_; }

private:
    // splitmix64: a bijection of the state, so no two calls share a first word.
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

    std::uint64_t state_;
    std::deque<std::string> scripted_;
    std::vector<std::size_t> requests_;
    int fail_next_ = 0;
    bool throw_next_ = false;
};

} // namespace socialauth::testing
