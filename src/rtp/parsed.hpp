// Parsed<T>: the outcome of parsing one packet from the network, a view or the reason it was refused.
//
// Why not core::Result: its Error carries a std::string, so every refused packet would cost a heap
// allocation, and a flood of crafted packets would turn into a flood of allocations on the media thread.
// Here the reason is a static string (it names the rule and cites the RFC section) that a drop counter or a
// rate-limited log can use as is; toResult() converts at a control-plane boundary.
#pragma once

#include <cassert>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/result.hpp"

namespace callgate::rtp {

// A container passed as a temporary (a std::vector returned by a function, say): a view parsed from it
// would dangle at the end of the statement, so the parsers delete that overload. Spans, being views
// themselves, are fine.
template <typename T>
concept TemporaryBuffer =
    !std::is_lvalue_reference_v<T> && std::ranges::contiguous_range<T> && !std::ranges::borrowed_range<T>;

// Why a packet was refused. `reason` must point to static storage (a string literal).
struct ParseError {
  std::string_view reason;
};

template <typename T>
class [[nodiscard]] Parsed {
 public:
  Parsed(T value) : value_(value) {}                  // NOLINT: implicit by design
  Parsed(ParseError error) : error_(error.reason) {}  // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }

  // Only on ok(): reading the value of a refused packet is a bug of the caller (an internal invariant).
  const T& value() const {
    assert(ok());
    return *value_;
  }
  T& value() {
    assert(ok());
    return *value_;
  }
  const T& operator*() const { return value(); }
  T& operator*() { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The reason the packet was refused; empty when ok().
  std::string_view error() const { return error_; }

  core::Result<T> toResult() const {
    if (ok()) return *value_;
    return core::makeError(std::string(error_));
  }

 private:
  std::optional<T> value_;
  std::string_view error_;
};

}  // namespace callgate::rtp
