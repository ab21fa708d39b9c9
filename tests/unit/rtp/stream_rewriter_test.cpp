#include "rtp/stream_rewriter.hpp"

#include <gtest/gtest.h>

namespace callgate::rtp {
namespace {

constexpr uint32_t kA = 0xaaaaaaaa;
constexpr uint32_t kB = 0xbbbbbbbb;

TEST(SequenceRewriter, ContinuousWithinOneSource) {
  SequenceRewriter seq(500);
  EXPECT_TRUE(seq.isNewSource(kA));
  EXPECT_EQ(seq.rewrite(kA, 1000), 500);
  EXPECT_FALSE(seq.isNewSource(kA));
  EXPECT_EQ(seq.rewrite(kA, 1001), 501);
  // A gap (loss) stays a gap, so the far end's receiver reports and NACKs see it.
  EXPECT_EQ(seq.rewrite(kA, 1005), 505);
  // A reordered packet keeps its place.
  EXPECT_EQ(seq.rewrite(kA, 1003), 503);
  EXPECT_EQ(seq.highestOutgoing(), 505);
}

TEST(SequenceRewriter, WrapsOnBothSides) {
  SequenceRewriter seq(65534);
  EXPECT_EQ(seq.rewrite(kA, 10), 65534);
  EXPECT_EQ(seq.rewrite(kA, 11), 65535);
  EXPECT_EQ(seq.rewrite(kA, 12), 0);
  SequenceRewriter other(7);
  EXPECT_EQ(other.rewrite(kA, 65535), 7);
  EXPECT_EQ(other.rewrite(kA, 0), 8);
  EXPECT_EQ(other.rewrite(kA, 1), 9);
}

TEST(SequenceRewriter, SourceSwitchContinuesAtPlusOne) {
  SequenceRewriter seq(500);
  for (uint16_t i = 0; i < 10; ++i) EXPECT_EQ(seq.rewrite(kA, static_cast<uint16_t>(1000 + i)), 500 + i);
  // B starts at an unrelated number: it continues the outgoing sequence.
  EXPECT_TRUE(seq.isNewSource(kB));
  EXPECT_EQ(seq.rewrite(kB, 40000), 510);
  EXPECT_EQ(seq.rewrite(kB, 40001), 511);
  EXPECT_EQ(seq.rewrite(kB, 40003), 513);
  // A late packet of A maps into the range A already used, not a switch back.
  EXPECT_EQ(seq.rewrite(kA, 1007), 507);
  EXPECT_FALSE(seq.isNewSource(kB));
  EXPECT_EQ(seq.rewrite(kB, 40002), 512);
  // A late packet of B older than B's first packet has no number left: drop it.
  EXPECT_EQ(seq.rewrite(kB, 39999), std::nullopt);
  // A comes back with new packets: another switch, at the highest + 1.
  EXPECT_EQ(seq.rewrite(kA, 1010), 514);
  EXPECT_EQ(seq.rewrite(kA, 1011), 515);
  EXPECT_EQ(seq.highestOutgoing(), 515);
}

TEST(SequenceRewriter, LongRunAfterASwitchNeverDrops) {
  // Past 2^15 packets the serial comparison with the first packet flips; the rewriter must not take the
  // source's own new packets for ones from before the switch (found by the relay benchmark).
  SequenceRewriter seq(0);
  EXPECT_EQ(seq.rewrite(kA, 10), 0);
  EXPECT_EQ(seq.rewrite(kB, 20), 1);
  uint16_t expected = 1;
  for (int i = 1; i <= 3 * 65536; ++i) {
    const auto out = seq.rewrite(kB, static_cast<uint16_t>(20 + i));
    ASSERT_TRUE(out) << i;
    ASSERT_EQ(*out, ++expected) << i;
  }
  // Reordering stays fine that late in the stream.
  EXPECT_EQ(seq.rewrite(kB, static_cast<uint16_t>(20 + 3 * 65536 - 5)), static_cast<uint16_t>(expected - 5));
}

TEST(SequenceRewriter, PreviousSourceRestartingIsASwitch) {
  SequenceRewriter seq(500);
  for (uint16_t i = 0; i < 200; ++i) seq.rewrite(kA, static_cast<uint16_t>(1000 + i));  // .. 699
  EXPECT_EQ(seq.rewrite(kB, 5), 700);
  // A again, 150 behind its highest: more than a reordering (MAX_MISORDER), so A started again.
  EXPECT_EQ(seq.rewrite(kA, 1049), 701);
  EXPECT_EQ(seq.rewrite(kA, 1050), 702);
  // A before its first packet ever: a switch as well, never a number from the old range.
  SequenceRewriter other(500);
  other.rewrite(kA, 1000);
  other.rewrite(kA, 1001);
  EXPECT_EQ(other.rewrite(kB, 1), 502);
  EXPECT_EQ(other.rewrite(kA, 999), 503);
}

TEST(TimestampRewriter, ContinuousWithinOneSource) {
  TimestampRewriter ts(1'000'000);
  EXPECT_EQ(ts.rewrite(kA, 160, 0), 1'000'000u);
  EXPECT_EQ(ts.rewrite(kA, 320, 9999), 1'000'160u);  // elapsed is read only for a new source
  EXPECT_EQ(ts.rewrite(kA, 800, 0), 1'000'640u);
  EXPECT_EQ(ts.highestOutgoing(), 1'000'640u);
}

TEST(TimestampRewriter, WrapsAroundTwoToThe32) {
  TimestampRewriter ts(0xffffff00u);
  EXPECT_EQ(ts.rewrite(kA, 0, 0), 0xffffff00u);
  EXPECT_EQ(ts.rewrite(kA, 160, 0), 0xffffffa0u);
  EXPECT_EQ(ts.rewrite(kA, 320, 0), 0x40u);
  EXPECT_EQ(ts.highestOutgoing(), 0x40u);
}

TEST(TimestampRewriter, SourceSwitchAdvancesByTheElapsedMediaTime) {
  TimestampRewriter ts(8000);
  EXPECT_EQ(ts.rewrite(kA, 123456, 0), 8000u);
  EXPECT_EQ(ts.rewrite(kA, 123616, 0), 8160u);
  // B starts 60 ms (480 ticks at 8 kHz) after A's last packet went out.
  EXPECT_TRUE(ts.isNewSource(kB));
  EXPECT_EQ(ts.rewrite(kB, 77, 480), 8640u);
  EXPECT_EQ(ts.rewrite(kB, 237, 0), 8800u);
  // A late packet of A keeps A's mapping.
  EXPECT_EQ(ts.rewrite(kA, 123456, 0), 8000u);
  // Back to A with a newer timestamp, immediately: at least one tick.
  EXPECT_EQ(ts.rewrite(kA, 123776, 0), 8801u);
}

TEST(Rewriters, RelayOfASwitchingSourceLooksLikeOneStream) {
  // 20 ms G.711 packets: A for 5 packets, then B (another SSRC, sequence and timestamp), 40 ms later.
  SequenceRewriter seq(100);
  TimestampRewriter ts(5000);
  uint16_t lastSeq = 0;
  uint32_t lastTs = 0;
  for (int i = 0; i < 5; ++i) {
    lastSeq = *seq.rewrite(kA, static_cast<uint16_t>(60000 + i));
    lastTs = ts.rewrite(kA, static_cast<uint32_t>(90000 + 160 * i), 0);
  }
  for (int i = 0; i < 5; ++i) {
    const auto s = seq.rewrite(kB, static_cast<uint16_t>(3 + i));
    ASSERT_TRUE(s);
    const uint32_t t = ts.rewrite(kB, static_cast<uint32_t>(777 + 160 * i), 320);
    EXPECT_EQ(static_cast<uint16_t>(*s - lastSeq), 1);
    EXPECT_EQ(t - lastTs, i == 0 ? 320u : 160u);
    lastSeq = *s;
    lastTs = t;
  }
}

}  // namespace
}  // namespace callgate::rtp
