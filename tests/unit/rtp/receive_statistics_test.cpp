#include "rtp/receive_statistics.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

namespace callgate::rtp {
namespace {

using namespace std::chrono_literals;

// Feeds consecutive sequence numbers [first, first + count) (mod 2^16), skipping those `lost` says.
template <typename Lost>
void feed(ReceiveStatistics& stats, uint16_t first, int count, Lost lost) {
  for (int i = 0; i < count; ++i) {
    const auto seq = static_cast<uint16_t>(first + i);
    if (!lost(seq)) stats.updateSequence(seq);
  }
}

void feed(ReceiveStatistics& stats, uint16_t first, int count) {
  feed(stats, first, count, [](uint16_t) { return false; });
}

TEST(ReceiveStatistics, ProbationThenValid) {
  // RFC 3550 §A.1: a new source is valid after MIN_SEQUENTIAL (2) packets in sequence; the first one is not
  // counted (init_seq runs again when probation ends).
  ReceiveStatistics stats(8000);
  EXPECT_FALSE(stats.valid());
  EXPECT_FALSE(stats.updateSequence(1000));
  EXPECT_FALSE(stats.valid());
  EXPECT_TRUE(stats.updateSequence(1001));
  EXPECT_TRUE(stats.valid());
  EXPECT_EQ(stats.received(), 1u);
  EXPECT_EQ(stats.extendedHighestSequence(), 1001u);
  EXPECT_EQ(stats.expected(), 1);
  EXPECT_EQ(stats.cumulativeLost(), 0);
}

TEST(ReceiveStatistics, ProbationRestartsOnAGap) {
  ReceiveStatistics stats(8000);
  EXPECT_FALSE(stats.updateSequence(10));
  EXPECT_FALSE(stats.updateSequence(12));  // not in sequence: probation again from 12
  EXPECT_FALSE(stats.valid());
  EXPECT_TRUE(stats.updateSequence(13));
  EXPECT_TRUE(stats.valid());
  EXPECT_EQ(stats.extendedHighestSequence(), 13u);
}

TEST(ReceiveStatistics, ProbationAcrossTheWrap) {
  ReceiveStatistics stats(8000);
  EXPECT_FALSE(stats.updateSequence(65535));
  EXPECT_TRUE(stats.updateSequence(0));  // 65535 + 1 in 16 bits
  EXPECT_TRUE(stats.valid());
}

TEST(ReceiveStatistics, WrapAroundCountsCycles) {
  ReceiveStatistics stats(8000);
  feed(stats, 65530, 12);  // 65530 .. 65535, 0 .. 5
  EXPECT_EQ(stats.cycles(), 65536u);
  EXPECT_EQ(stats.extendedHighestSequence(), 65536u + 5);
  // Probation ate the first packet: counting starts at 65531.
  EXPECT_EQ(stats.expected(), 11);
  EXPECT_EQ(stats.received(), 11u);
  EXPECT_EQ(stats.cumulativeLost(), 0);
  // Many more cycles.
  feed(stats, 6, 3 * 65536);
  EXPECT_EQ(stats.cycles(), 4u * 65536);
  EXPECT_EQ(stats.extendedHighestSequence(), 4u * 65536 + 5);
  EXPECT_EQ(stats.cumulativeLost(), 0);
}

TEST(ReceiveStatistics, LossAndFractionLostPerInterval) {
  ReceiveStatistics stats(8000);
  feed(stats, 100, 2);  // out of probation at 101: base 101
  // Interval 1: 101 .. 200 expected (100), every 4th lost (25).
  EXPECT_EQ(stats.takeFractionLost(), 0);  // nothing lost so far (1 expected, 1 received)
  feed(stats, 102, 100, [](uint16_t s) { return s % 4 == 0; });
  // 102..201: 100 more expected, 25 lost.
  EXPECT_EQ(stats.expected(), 101);
  EXPECT_EQ(stats.cumulativeLost(), 25);
  EXPECT_EQ(stats.takeFractionLost(), 64);  // 25/100 * 256
  // Interval 2: no loss.
  feed(stats, 202, 50);
  EXPECT_EQ(stats.takeFractionLost(), 0);
  EXPECT_EQ(stats.cumulativeLost(), 25);
  // Interval 3: nothing arrived, nothing expected.
  EXPECT_EQ(stats.takeFractionLost(), 0);
  // Interval 4: all but one of 10 lost.
  feed(stats, 252, 10, [](uint16_t s) { return s != 261; });
  EXPECT_EQ(stats.takeFractionLost(), 230);  // 9/10 * 256 = 230.4
}

TEST(ReceiveStatistics, DuplicatesMakeLossNegative) {
  ReceiveStatistics stats(8000);
  feed(stats, 1, 10);
  EXPECT_TRUE(stats.updateSequence(5));  // duplicate, counted as received (RFC 3550 §A.3)
  EXPECT_TRUE(stats.updateSequence(6));
  EXPECT_EQ(stats.cumulativeLost(), -2);
  stats.takeFractionLost();
  EXPECT_TRUE(stats.updateSequence(7));
  EXPECT_EQ(stats.takeFractionLost(), 0);  // more received than expected: 0, not negative
  const ReportBlock block = stats.makeReportBlock(1, core::TimePoint{});
  EXPECT_EQ(block.cumulativeLost, -3);
}

TEST(ReceiveStatistics, ReorderedPacketsKeepTheHighest) {
  ReceiveStatistics stats(8000);
  feed(stats, 1000, 20);                    // .. 1019
  EXPECT_TRUE(stats.updateSequence(1015));  // misordered (within MAX_MISORDER behind)
  EXPECT_EQ(stats.extendedHighestSequence(), 1019u);
  // A late packet from before a wrap does not count a cycle.
  ReceiveStatistics wrapped(8000);
  feed(wrapped, 65534, 4);  // 65534, 65535, 0, 1
  EXPECT_TRUE(wrapped.updateSequence(65535));
  EXPECT_EQ(wrapped.cycles(), 65536u);
  EXPECT_EQ(wrapped.extendedHighestSequence(), 65536u + 1);
}

TEST(ReceiveStatistics, BigJumpResynchronisesOnTheSecondPacket) {
  ReceiveStatistics stats(8000);
  feed(stats, 100, 50);  // .. 149
  // A jump of 10000 (> MAX_DROPOUT): not counted until a second packet follows in sequence.
  EXPECT_FALSE(stats.updateSequence(10149));
  EXPECT_EQ(stats.extendedHighestSequence(), 149u);
  EXPECT_EQ(stats.received(), 49u);
  // The next one in sequence after the jump: the sender restarted; re-sync as for a new source.
  EXPECT_TRUE(stats.updateSequence(10150));
  EXPECT_EQ(stats.extendedHighestSequence(), 10150u);
  EXPECT_EQ(stats.received(), 1u);
  EXPECT_EQ(stats.expected(), 1);
  EXPECT_EQ(stats.cycles(), 0u);
  EXPECT_TRUE(stats.updateSequence(10151));
  EXPECT_EQ(stats.cumulativeLost(), 0);
}

TEST(ReceiveStatistics, SingleStrayJumpIsIgnored) {
  ReceiveStatistics stats(8000);
  feed(stats, 100, 50);
  EXPECT_FALSE(stats.updateSequence(40000));  // one stray packet
  EXPECT_TRUE(stats.updateSequence(150));     // the stream goes on
  EXPECT_EQ(stats.extendedHighestSequence(), 150u);
  EXPECT_EQ(stats.received(), 50u);
  EXPECT_EQ(stats.cumulativeLost(), 0);
  // Jumps below MAX_DROPOUT are gaps (losses), not restarts.
  EXPECT_TRUE(stats.updateSequence(150 + 2999));
  EXPECT_EQ(stats.cumulativeLost(), 2998);
}

TEST(ReceiveStatistics, JitterOfAStreamWithConstantDelayIsZero) {
  ReceiveStatistics stats(8000);
  const core::TimePoint start{};
  for (int i = 0; i < 100; ++i)
    stats.onPacket(static_cast<uint16_t>(i), static_cast<uint32_t>(5000 + 160 * i), start + 20ms * i + 35ms);
  EXPECT_EQ(stats.jitter(), 0u);
}

TEST(ReceiveStatistics, JitterOfASyntheticStream) {
  // 20 ms G.711 packets (160 ticks at 8 kHz); every odd packet arrives 10 ms (80 ticks) late, so each
  // transit time differs from the previous by 80 ticks: RFC 3550 §A.8's J converges to 80.
  ReceiveStatistics stats(8000);
  const core::TimePoint start = core::TimePoint{} + 1000s;
  double reference = 0;
  for (int i = 0; i < 300; ++i) {
    const auto arrival = start + 20ms * i + (i % 2 == 1 ? 10ms : 0ms);
    EXPECT_TRUE(stats.onPacket(static_cast<uint16_t>(i), static_cast<uint32_t>(160 * i), arrival) || i == 0);
    // Probation: the first packet does not count, the second one starts the transit history.
    if (i >= 2) reference += (80.0 - reference) / 16.0;
    if (i == 2) {
      EXPECT_EQ(stats.jitter(), 5u);  // 80 / 16
    }
    // The integer form of §A.8 rounds each step and the report truncates: within 1.5 of the real-valued
    // formula.
    EXPECT_NEAR(stats.jitter(), reference, 1.5) << i;
  }
  EXPECT_GE(stats.jitter(), 79u);
  EXPECT_LE(stats.jitter(), 80u);
}

TEST(ReceiveStatistics, JitterWithTimestampWrap) {
  // Same arrival pattern as above with the timestamps crossing 2^32: no spike.
  ReceiveStatistics stats(48000);
  for (int i = 0; i < 100; ++i) {
    const uint32_t ts = 0xffffe000u + static_cast<uint32_t>(960 * i);
    stats.onPacket(static_cast<uint16_t>(i), ts, core::TimePoint{} + 20ms * i);
  }
  EXPECT_EQ(stats.jitter(), 0u);
}

TEST(ReceiveStatistics, ReportBlock) {
  ReceiveStatistics stats(8000);
  const core::TimePoint t0 = core::TimePoint{} + 5s;
  feed(stats, 1, 101, [](uint16_t s) { return s >= 50 && s < 60; });  // 2..101 expected, 10 lost
  stats.onSenderReport(NtpTime{0x12345678, 0x9abcdef0}, t0);
  const ReportBlock block = stats.makeReportBlock(0x01020304, t0 + 1500ms);
  EXPECT_EQ(block.ssrc, 0x01020304u);
  EXPECT_EQ(block.fractionLost, 25);  // 10/100 * 256 = 25.6
  EXPECT_EQ(block.cumulativeLost, 10);
  EXPECT_EQ(block.extendedHighestSequence, 101u);
  EXPECT_EQ(block.lastSenderReport, 0x56789abcu);
  EXPECT_EQ(block.delaySinceLastSenderReport, 98304u);  // 1.5 * 65536
  // The interval restarted.
  EXPECT_EQ(stats.takeFractionLost(), 0);
  // No SR yet: LSR and DLSR are 0 (RFC 3550 §6.4.1).
  ReceiveStatistics fresh(8000);
  feed(fresh, 7, 3);
  const ReportBlock none = fresh.makeReportBlock(9, t0);
  EXPECT_EQ(none.lastSenderReport, 0u);
  EXPECT_EQ(none.delaySinceLastSenderReport, 0u);
}

TEST(ReceiveStatistics, TimestampUnits) {
  ReceiveStatistics stats(8000);
  EXPECT_EQ(stats.toTimestampUnits(core::TimePoint{} + 1s), 8000u);
  EXPECT_EQ(stats.toTimestampUnits(core::TimePoint{} + 20ms), 160u);
  // Days of uptime do not overflow, they wrap mod 2^32 like timestamps.
  const auto days = core::TimePoint{} + std::chrono::hours(24 * 40);
  EXPECT_EQ(stats.toTimestampUnits(days), static_cast<uint32_t>(uint64_t{40} * 86400 * 8000));
}

}  // namespace
}  // namespace callgate::rtp
