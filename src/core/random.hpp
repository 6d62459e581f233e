// Random bytes as a seam: production uses OpenSSL's CSPRNG, tests a fixed sequence.
#pragma once

#include "core/result.hpp"

#include <string>

namespace socialauth::core {

class RandomSource {
public:
    virtual ~RandomSource() = default;
    // n unpredictable bytes, or an internal error when the generator fails.
    virtual Result<std::string> bytes(std::size_t n) = 0;
};

class OpenSslRandom final : public RandomSource {
public:
    Result<std::string> bytes(std::size_t n) override;
};

} // namespace socialauth::core
