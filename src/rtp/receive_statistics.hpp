// Reception statistics of one incoming RTP source, as RTCP receiver reports carry them (RFC 3550 §6.4.1):
// the sequence number tracking of RFC 3550 §A.1 (extended highest sequence number, wrap-around cycles, a
// probation period for a new source and re-synchronisation after a restart), the loss figures of §A.3 and
// the interarrival jitter of §A.8.
#pragma once

#include <cstdint>
#include <optional>

#include "core/clock.hpp"
#include "rtp/ntp_time.hpp"
#include "rtp/rtcp_report.hpp"

namespace callgate::rtp {

class ReceiveStatistics {
 public:
  // RFC 3550 §A.1 constants.
  static constexpr uint16_t kMaxDropout = 3000;
  static constexpr uint16_t kMaxMisorder = 100;
  static constexpr uint8_t kMinSequential = 2;

  // `clockRate`: the media clock of the stream in Hz (8000 for G.711, 48000 for Opus), to express arrival
  // times in timestamp units for the jitter.
  explicit ReceiveStatistics(uint32_t clockRate) : clockRate_(clockRate) {}

  // One received packet: sequence tracking, then (for a packet that counts) the jitter. Returns what
  // updateSequence returns.
  bool onPacket(uint16_t sequenceNumber, uint32_t rtpTimestamp, core::TimePoint arrival);

  // RFC 3550 §A.1 update_seq(): false while the source is on probation, and for a packet after a very large
  // jump (it re-synchronises on the next one if that is in sequence: the sender restarted). Duplicates and
  // reordered packets return true and count as received.
  bool updateSequence(uint16_t sequenceNumber);
  // RFC 3550 §A.8, with the arrival time in timestamp units (mod 2^32).
  void updateJitter(uint32_t rtpTimestamp, uint32_t arrival);

  // An SR from this source arrived: its NTP time is echoed as LSR and DLSR is counted from `arrival`.
  void onSenderReport(NtpTime ntp, core::TimePoint arrival);

  bool valid() const { return seen_ && probation_ == 0; }
  uint32_t cycles() const { return cycles_; }  // wrap-arounds counted, times 2^16
  uint32_t extendedHighestSequence() const { return cycles_ + maxSeq_; }
  uint32_t received() const { return received_; }
  // RFC 3550 §A.3: expected = extended highest - base + 1; lost = expected - received (negative with
  // duplicates).
  int64_t expected() const;
  int64_t cumulativeLost() const;
  // Interarrival jitter in timestamp units.
  uint32_t jitter() const { return static_cast<uint32_t>(jitter_ >> 4); }

  // RFC 3550 §A.3: the fraction of packets lost since the previous call, in 1/256 (0 when none were expected
  // or more arrived than expected). Starts a new reporting interval.
  uint8_t takeFractionLost();

  // The report block on this source for the next SR or RR (starts a new interval, like takeFractionLost).
  ReportBlock makeReportBlock(uint32_t ssrc, core::TimePoint now);

  // Timestamp units at `t` on the monotonic clock (mod 2^32).
  uint32_t toTimestampUnits(core::TimePoint t) const;

 private:
  void initSequence(uint16_t seq);

  uint32_t clockRate_;
  bool seen_ = false;
  uint16_t maxSeq_ = 0;
  uint32_t cycles_ = 0;
  uint32_t baseSeq_ = 0;
  uint32_t badSeq_ = 0;
  uint32_t probation_ = 0;
  uint32_t received_ = 0;
  uint32_t expectedPrior_ = 0;
  uint32_t receivedPrior_ = 0;

  bool haveTransit_ = false;
  uint32_t transit_ = 0;
  uint64_t jitter_ = 0;  // scaled by 16 (RFC 3550 §A.8 integer form)

  std::optional<NtpTime> lastSenderReport_;
  core::TimePoint lastSenderReportArrival_{};
};

}  // namespace callgate::rtp
