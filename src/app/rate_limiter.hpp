// Rate limits on the exchange (issue 3): per client address and per backend, counted in
// the store so that every CGI and FastCGI process shares the counts. A check runs
// before the provider is called, so nobody can use this program to hammer a provider,
// and outside the exchange's transaction, so a failed exchange still counts.
//
// Fixed windows aligned to the epoch: at most `requests` hits per window; the hit that
// goes over is refused with Errc::rate_limited, and retry_after_seconds tells when its
// window ends, and a client that keeps trying stays refused until then (a full
// window stays full; refused hits are not counted). A burst may reach twice the limit
// across a window boundary; that is the price of one row and one statement per check.
//
// The client is REMOTE_ADDR as the web server sets it, never a header (X-Forwarded-For
// and friends are input). IPv6 clients count per /64, the block one subscriber
// usually gets, so that rotating addresses within it does not escape the limit;
// IPv4-mapped IPv6 addresses count as their IPv4 address. A missing or unparsable
// REMOTE_ADDR counts under one shared bucket.
//
// A store failure refuses the request (fails closed) with the store's error: the
// exchange needs the database a moment later anyway, so failing open would protect
// nothing and would let a flood through to the provider while the database is down.
#pragma once

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/result.hpp"
#include "store/store.hpp"

#include <string>

namespace socialauth::app {

// The rate limit group of a client address: "192.0.2.7", "2001:db8:1:2::/64",
// "unknown".
std::string client_address_group(const std::string& remote_addr);

class RateLimiter {
public:
    RateLimiter(const core::RateLimitsConfig& config, store::Store& store,
                const core::Clock& clock)
        : config_(config), store_(store), clock_(clock) {}

    // Counts one exchange by this client with this backend; the per-client limit is
    // checked first, and a client over it does not use up the backend's allowance.
    core::Status admit_exchange(const std::string& remote_addr, const std::string& backend);

private:
    core::Status hit(const std::string& bucket, const core::RateLimit& limit);

    const core::RateLimitsConfig& config_;
    store::Store& store_;
    const core::Clock& clock_;
};

} // namespace socialauth::app
