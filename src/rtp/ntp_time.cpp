#include "rtp/ntp_time.hpp"

namespace callgate::rtp {

namespace {

using std::chrono::nanoseconds;

constexpr int64_t kNanosPerSecond = 1'000'000'000;

int64_t floorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

NtpTime toNtp(std::chrono::system_clock::time_point t) {
  const int64_t ns = std::chrono::duration_cast<nanoseconds>(t.time_since_epoch()).count();
  const int64_t unixSeconds = floorDiv(ns, kNanosPerSecond);
  const auto rest = static_cast<uint64_t>(ns - unixSeconds * kNanosPerSecond);  // 0 .. 1e9-1 < 2^30
  NtpTime out;
  out.seconds = static_cast<uint32_t>(static_cast<uint64_t>(unixSeconds) + kNtpUnixEpochOffset);
  out.fraction = static_cast<uint32_t>((rest << 32) / kNanosPerSecond);
  return out;
}

std::chrono::system_clock::time_point fromNtp(NtpTime ntp) {
  int64_t seconds = static_cast<int64_t>(ntp.seconds) - kNtpUnixEpochOffset;
  if (ntp.seconds < 0x80000000u) seconds += int64_t{1} << 32;  // era 1
  // To the nearest nanosecond (a fraction unit is about 0.23 ns).
  const auto ns =
      static_cast<int64_t>(((static_cast<uint64_t>(ntp.fraction) * kNanosPerSecond) + (1u << 31)) >> 32);
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          nanoseconds(seconds * kNanosPerSecond + ns)));
}

uint32_t toCompactNtp(core::Duration d) {
  const int64_t ns = std::chrono::duration_cast<nanoseconds>(d).count();
  if (ns <= 0) return 0;
  const int64_t seconds = ns / kNanosPerSecond;
  if (seconds >= 65536) return 0xffffffffu;
  const int64_t rest = ns % kNanosPerSecond;
  return static_cast<uint32_t>((seconds << 16) + ((rest << 16) / kNanosPerSecond));
}

core::Duration fromCompactNtp(uint32_t units) {
  const int64_t ns = (static_cast<int64_t>(units) * kNanosPerSecond) >> 16;
  return std::chrono::duration_cast<core::Duration>(nanoseconds(ns));
}

std::optional<core::Duration> roundTripTime(uint32_t arrival, uint32_t lastSenderReport,
                                            uint32_t delaySinceLastSenderReport) {
  if (lastSenderReport == 0) return std::nullopt;  // RFC 3550 §6.4.1: no SR received yet
  const uint32_t rtt = arrival - lastSenderReport - delaySinceLastSenderReport;
  if (rtt >= 0x80000000u) return std::nullopt;
  return fromCompactNtp(rtt);
}

NtpTime NtpClock::at(core::TimePoint t) const {
  const auto sinceAnchor =
      std::chrono::duration_cast<std::chrono::system_clock::duration>(t - monotonicAtAnchor_);
  return toNtp(wallAtAnchor_ + sinceAnchor);
}

}  // namespace callgate::rtp
