// A Clock that says what the test sets, so expiry checks are exact and repeatable.
#pragma once

#include "core/clock.hpp"

#include <cstdint>

namespace socialauth::testing {

class FixedClock final : public core::Clock {
public:
    explicit FixedClock(core::TimePoint now) : now_(now) {}
    explicit FixedClock(std::int64_t unix_seconds) : now_(core::from_unix_seconds(unix_seconds)) {}

    core::TimePoint now() const override { return now_; }

    void set(core::TimePoint now) { now_ = now; }
    void set(std::int64_t unix_seconds) { now_ = core::from_unix_seconds(unix_seconds); }
    void advance(core::TimePoint::duration by) { now_ += by; }

private:
    core::TimePoint now_;
};

} // namespace socialauth::testing
