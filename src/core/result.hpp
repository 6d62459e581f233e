// Result<T>: either a value or an Error, in the spirit of std::expected (C++23).
// Result<void> carries only success or an Error. Accessing the wrong side is a broken
// invariant and throws std::logic_error.
#pragma once

#include "core/error.hpp"

#include <optional>
#include <stdexcept>
#include <utility>
#include <variant>

namespace socialauth::core {

template <typename T> class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return checked_value(); }
    const T& value() const& { return const_cast<Result*>(this)->checked_value(); }
    T&& value() && { return std::move(checked_value()); }
    T* operator->() { return &checked_value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return checked_value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const {
        if (ok()) throw std::logic_error("Result holds a value, not an error");
        return std::get<1>(state_);
    }

private:
    T& checked_value() {
        if (!ok()) throw std::logic_error("Result holds an error, not a value");
        return std::get<0>(state_);
    }

    std::variant<T, Error> state_;
};

template <> class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)) {}

    bool ok() const noexcept { return !error_.has_value(); }
    explicit operator bool() const noexcept { return ok(); }

    const Error& error() const {
        if (ok()) throw std::logic_error("Result holds success, not an error");
        return *error_;
    }

private:
    std::optional<Error> error_;
};

using Status = Result<void>;

} // namespace socialauth::core
