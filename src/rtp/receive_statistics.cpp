#include "rtp/receive_statistics.hpp"

#include <algorithm>
#include <chrono>

namespace callgate::rtp {

namespace {
constexpr uint32_t kSeqMod = 1u << 16;  // RTP_SEQ_MOD
}  // namespace

bool ReceiveStatistics::onPacket(uint16_t sequenceNumber, uint32_t rtpTimestamp, core::TimePoint arrival) {
  const bool counted = updateSequence(sequenceNumber);
  if (counted) updateJitter(rtpTimestamp, toTimestampUnits(arrival));
  return counted;
}

void ReceiveStatistics::initSequence(uint16_t seq) {
  // RFC 3550 §A.1 init_seq()
  baseSeq_ = seq;
  maxSeq_ = seq;
  badSeq_ = kSeqMod + 1;  // so seq == badSeq_ is false
  cycles_ = 0;
  received_ = 0;
  receivedPrior_ = 0;
  expectedPrior_ = 0;
}

bool ReceiveStatistics::updateSequence(uint16_t seq) {
  if (!seen_) {
    // RFC 3550 §A.1: a new source is valid after kMinSequential packets in sequence.
    seen_ = true;
    initSequence(seq);
    maxSeq_ = static_cast<uint16_t>(seq - 1);
    probation_ = kMinSequential;
  }
  const auto udelta = static_cast<uint16_t>(seq - maxSeq_);

  if (probation_ > 0) {
    // Packet is in sequence. (The RFC's C compares seq == max_seq + 1 in int, which never holds at
    // 65535 -> 0; the 16-bit comparison is what it means.)
    if (seq == static_cast<uint16_t>(maxSeq_ + 1)) {
      --probation_;
      maxSeq_ = seq;
      if (probation_ == 0) {
        initSequence(seq);
        ++received_;
        return true;
      }
    } else {
      probation_ = kMinSequential - 1;
      maxSeq_ = seq;
    }
    return false;
  }
  if (udelta < kMaxDropout) {
    // In order, with a permissible gap.
    if (seq < maxSeq_) cycles_ += kSeqMod;  // the sequence number wrapped: another 64K cycle
    maxSeq_ = seq;
  } else if (udelta <= kSeqMod - kMaxMisorder) {
    // The sequence number made a very large jump.
    if (seq == badSeq_) {
      // Two sequential packets: assume the other side restarted without telling us, re-sync (i.e. pretend
      // this was the first packet).
      initSequence(seq);
    } else {
      badSeq_ = (seq + 1u) & (kSeqMod - 1);
      return false;
    }
  } else {
    // Duplicate or reordered packet.
  }
  ++received_;
  return true;
}

void ReceiveStatistics::updateJitter(uint32_t rtpTimestamp, uint32_t arrival) {
  // RFC 3550 §A.8: D = (arrival_j - ts_j) - (arrival_i - ts_i), J += (|D| - J) / 16, kept scaled by 16.
  const uint32_t transit = arrival - rtpTimestamp;
  if (!haveTransit_) {
    haveTransit_ = true;
    transit_ = transit;
    return;
  }
  const auto d = static_cast<int32_t>(transit - transit_);
  transit_ = transit;
  const uint64_t magnitude =
      d < 0 ? static_cast<uint64_t>(-static_cast<int64_t>(d)) : static_cast<uint64_t>(d);
  jitter_ = jitter_ + magnitude - ((jitter_ + 8) >> 4);
}

void ReceiveStatistics::onSenderReport(NtpTime ntp, core::TimePoint arrival) {
  lastSenderReport_ = ntp;
  lastSenderReportArrival_ = arrival;
}

int64_t ReceiveStatistics::expected() const {
  if (!seen_) return 0;
  return static_cast<int64_t>(extendedHighestSequence()) - static_cast<int64_t>(baseSeq_) + 1;
}

int64_t ReceiveStatistics::cumulativeLost() const {
  return expected() - static_cast<int64_t>(received_);
}

uint8_t ReceiveStatistics::takeFractionLost() {
  // RFC 3550 §A.3
  const auto expectedNow = static_cast<uint32_t>(std::max<int64_t>(expected(), 0));
  const uint32_t expectedInterval = expectedNow - expectedPrior_;
  expectedPrior_ = expectedNow;
  const uint32_t receivedInterval = received_ - receivedPrior_;
  receivedPrior_ = received_;
  const int64_t lostInterval =
      static_cast<int64_t>(expectedInterval) - static_cast<int64_t>(receivedInterval);
  if (expectedInterval == 0 || lostInterval <= 0) return 0;
  return static_cast<uint8_t>(std::min<int64_t>((lostInterval << 8) / expectedInterval, 255));
}

ReportBlock ReceiveStatistics::makeReportBlock(uint32_t ssrc, core::TimePoint now) {
  ReportBlock block;
  block.ssrc = ssrc;
  block.fractionLost = takeFractionLost();
  // RFC 3550 §A.3: clamped to the 24-bit signed field rather than wrapped.
  block.cumulativeLost = static_cast<int32_t>(std::clamp<int64_t>(cumulativeLost(), -0x800000, 0x7fffff));
  block.extendedHighestSequence = extendedHighestSequence();
  block.jitter = jitter();
  if (lastSenderReport_) {
    block.lastSenderReport = lastSenderReport_->compact();
    block.delaySinceLastSenderReport = toCompactNtp(now - lastSenderReportArrival_);
  }
  return block;
}

uint32_t ReceiveStatistics::toTimestampUnits(core::TimePoint t) const {
  // Seconds and the rest apart, so that nanoseconds times the clock rate cannot overflow.
  const int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  const int64_t seconds = ns / 1'000'000'000;
  const int64_t rest = ns % 1'000'000'000;
  return static_cast<uint32_t>(static_cast<uint64_t>(seconds) * clockRate_ +
                               static_cast<uint64_t>(rest * clockRate_ / 1'000'000'000));
}

}  // namespace callgate::rtp
