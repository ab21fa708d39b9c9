// NTP timestamps for RTCP sender reports (RFC 3550 §4): 64-bit fixed point, seconds since 1900-01-01 UTC in
// the top 32 bits and the fraction of a second in the low 32. Receiver reports echo the middle 32 bits of
// the last SR's timestamp (LSR) and the delay since it (DLSR), both in units of 1/65536 s, and the sender
// gets the round-trip time from them (RFC 3550 §6.4.1).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "core/clock.hpp"

namespace callgate::rtp {

struct NtpTime {
  uint32_t seconds = 0;   // since 1900-01-01 00:00 UTC (era 0; wraps in February 2036)
  uint32_t fraction = 0;  // 1/2^32 s

  uint64_t value() const { return (static_cast<uint64_t>(seconds) << 32) | fraction; }
  static NtpTime fromValue(uint64_t v) { return {static_cast<uint32_t>(v >> 32), static_cast<uint32_t>(v)}; }
  // RFC 3550 §4: the middle 32 bits, as carried in LSR.
  uint32_t compact() const { return (seconds << 16) | (fraction >> 16); }

  bool operator==(const NtpTime&) const = default;
};

// Seconds from 1900-01-01 (NTP epoch) to 1970-01-01 (Unix epoch).
inline constexpr uint32_t kNtpUnixEpochOffset = 2208988800u;

NtpTime toNtp(std::chrono::system_clock::time_point t);
// The inverse. A seconds value below 2^31 is read as era 1 (after February 2036), as RFC 4330 §3 suggests,
// so that the conversion keeps working past the wrap.
std::chrono::system_clock::time_point fromNtp(NtpTime ntp);

// Durations in compact NTP units (1/65536 s), as DLSR carries them. Negative durations give 0 and too long
// ones the largest value.
uint32_t toCompactNtp(core::Duration d);
core::Duration fromCompactNtp(uint32_t units);

// The round-trip time from a report block that echoes one of our SRs (RFC 3550 §6.4.1: A - LSR - DLSR, with
// A the compact NTP time the report arrived). nullopt when the block echoes no SR (LSR 0) or the result is
// negative (the peer's DLSR is wrong, or our clock stepped).
std::optional<core::Duration> roundTripTime(uint32_t arrival, uint32_t lastSenderReport,
                                            uint32_t delaySinceLastSenderReport);

// Wall-clock NTP time for instants of the injected monotonic clock: one anchor pair (the wall clock and the
// monotonic clock read at the same moment) maps every later TimePoint, so SR timestamps advance with the
// clock the protocol code runs on (a virtual one in tests) and do not jump when the wall clock is stepped.
class NtpClock {
 public:
  NtpClock(std::chrono::system_clock::time_point wallAtAnchor, core::TimePoint monotonicAtAnchor)
      : wallAtAnchor_(wallAtAnchor), monotonicAtAnchor_(monotonicAtAnchor) {}
  // Anchored now, on the system wall clock and `clock`.
  static NtpClock anchoredNow(const core::Clock& clock) {
    return NtpClock(std::chrono::system_clock::now(), clock.now());
  }

  NtpTime at(core::TimePoint t) const;

 private:
  std::chrono::system_clock::time_point wallAtAnchor_;
  core::TimePoint monotonicAtAnchor_;
};

}  // namespace callgate::rtp
