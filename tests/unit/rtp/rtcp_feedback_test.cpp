#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <vector>

#include "rtcp_vectors.hpp"
#include "rtp/rtcp_nack.hpp"
#include "rtp/rtcp_payload_feedback.hpp"
#include "rtp_test_util.hpp"

namespace callgate::rtp {
namespace {

using test::bytes;
using test::contains;

RtcpPacket only(std::span<const uint8_t> datagram) {
  RtcpIterator it(datagram);
  auto p = it.next();
  EXPECT_TRUE(p) << it.error();
  return *p;
}

std::vector<uint16_t> lostOf(const Nack& nack) {
  std::vector<uint16_t> out;
  nack.forEachLost([&](uint16_t seq) { out.push_back(seq); });
  return out;
}

std::vector<uint16_t> lostOf(std::span<const NackItem> items) {
  std::vector<uint16_t> out;
  for (const NackItem& item : items) item.forEachLost([&](uint16_t seq) { out.push_back(seq); });
  return out;
}

TEST(Nack, PublishedVector) {
  // mediasoup's TestFeedbackRtpNack.cpp (ISC): PID 2959, BLP 0x0003: 2959 and the two after it.
  const auto packet =
      bytes({0x81, 0xcd, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x03, 0x30, 0xbd, 0xee, 0x0b, 0x8f, 0x00, 0x03});
  auto nack = Nack::parse(only(packet));
  ASSERT_TRUE(nack) << nack.error();
  EXPECT_EQ(nack->senderSsrc(), 1u);
  EXPECT_EQ(nack->mediaSsrc(), 0x0330bdeeu);
  ASSERT_EQ(nack->itemCount(), 1u);
  EXPECT_EQ(nack->item(0), (NackItem{2959, 0x0003}));
  EXPECT_EQ(nack->item(0).lostCount(), 3u);
  EXPECT_EQ(lostOf(*nack), (std::vector<uint16_t>{2959, 2960, 2961}));
  // And the writer gives the same bytes.
  std::array<uint8_t, 16> out{};
  const std::array<NackItem, 1> items{NackItem{2959, 0x0003}};
  auto size = writeNack(out, 1, 0x0330bdee, items);
  ASSERT_TRUE(size) << size.error().message;
  EXPECT_TRUE(std::equal(packet.begin(), packet.end(), out.begin()));
}

TEST(Nack, BlpBitsAndTheWrap) {
  // Bit i of BLP is PID+i+1 (RFC 4585 §6.2.1); all 16 bits; across 65535 -> 0.
  EXPECT_EQ(lostOf(std::vector<NackItem>{{100, 0x8001}}), (std::vector<uint16_t>{100, 101, 116}));
  std::vector<uint16_t> all;
  for (int i = 0; i <= 16; ++i) all.push_back(static_cast<uint16_t>(65530 + i));
  EXPECT_EQ(lostOf(std::vector<NackItem>{{65530, 0xffff}}), all);
  EXPECT_EQ((NackItem{65530, 0xffff}.lostCount()), 17u);
}

TEST(Nack, PackLostSequenceNumbers) {
  const std::vector<uint16_t> lost = {1, 2, 3, 17, 18, 40};
  std::array<NackItem, 8> items{};
  auto count = buildNackItems(lost, items);
  ASSERT_TRUE(count) << count.error().message;
  ASSERT_EQ(*count, 3u);
  EXPECT_EQ(items[0], (NackItem{1, 0x8003}));  // 2, 3 and 17 (= 1 + 16) are bits 0, 1, 15
  EXPECT_EQ(items[1], (NackItem{18, 0}));
  EXPECT_EQ(items[2], (NackItem{40, 0}));
  EXPECT_EQ(lostOf(std::span(items).first(*count)), lost);
}

TEST(Nack, PackAndExpandBothWays) {
  // Ascending lists across the wrap, with duplicates: expansion gives back the set, once each.
  std::vector<uint16_t> lost;
  for (uint16_t s = 65500; s != 60; ++s) {
    if (s % 3 == 0 || s % 7 == 0) lost.push_back(s);
  }
  std::vector<uint16_t> withRepeats = lost;
  withRepeats.insert(withRepeats.begin() + 5, withRepeats[4]);
  std::array<NackItem, 64> items{};
  auto count = buildNackItems(withRepeats, items);
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_EQ(lostOf(std::span(items).first(*count)), lost);
  // Through the wire and back.
  std::vector<uint8_t> out(12 + 4 * *count);
  auto size = writeNack(out, 7, 8, std::span(items).first(*count));
  ASSERT_TRUE(size) << size.error().message;
  auto nack = Nack::parse(only(out));
  ASSERT_TRUE(nack) << nack.error();
  EXPECT_EQ(nack->itemCount(), *count);
  EXPECT_EQ(lostOf(*nack), lost);
}

TEST(Nack, UnsortedInputStillCoversEveryNumber) {
  const std::vector<uint16_t> lost = {50, 10, 11, 49, 500, 12};
  std::array<NackItem, 8> items{};
  auto count = buildNackItems(lost, items);
  ASSERT_TRUE(count);
  auto expanded = lostOf(std::span(items).first(*count));
  std::sort(expanded.begin(), expanded.end());
  auto expected = lost;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(expanded, expected);
}

TEST(Nack, Errors) {
  const std::vector<uint16_t> lost = {1, 100, 200};
  std::array<NackItem, 2> two{};
  EXPECT_FALSE(buildNackItems(lost, two));
  std::array<NackItem, 3> three{};
  EXPECT_TRUE(buildNackItems(lost, three));
  std::array<NackItem, 0> none{};
  EXPECT_TRUE(buildNackItems({}, none));
  std::array<uint8_t, 64> out{};
  EXPECT_FALSE(writeNack(out, 1, 2, {}));  // at least one entry
  std::array<uint8_t, 15> small{};
  EXPECT_FALSE(writeNack(small, 1, 2, std::span(three).first(1)));
  // A NACK without an FCI entry, and the wrong FMT.
  auto empty = Nack::parse(only(test::kept(bytes({0x81, 0xcd, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2}))));
  ASSERT_FALSE(empty);
  EXPECT_TRUE(contains(empty.error(), "at least one")) << empty.error();
  EXPECT_FALSE(
      Nack::parse(only(test::kept(bytes({0x8f, 0xcd, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 0})))));
}

TEST(Pli, RoundTrip) {
  std::array<uint8_t, 12> out{};
  auto size = writePli(out, 0x902f9e2e, 0x12345678);
  ASSERT_TRUE(size) << size.error().message;
  EXPECT_EQ(*size, 12u);
  EXPECT_EQ(out[0], 0x81);
  EXPECT_EQ(out[1], 206);
  EXPECT_EQ(out[3], 2);
  auto pli = Pli::parse(only(out));
  ASSERT_TRUE(pli) << pli.error();
  EXPECT_EQ(pli->senderSsrc(), 0x902f9e2eu);
  EXPECT_EQ(pli->mediaSsrc(), 0x12345678u);
  std::array<uint8_t, 11> small{};
  EXPECT_FALSE(writePli(small, 1, 2));
  // FIR is not PLI.
  EXPECT_FALSE(Pli::parse(only(test::kept(bytes({0x84, 0xce, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2})))));
}

TEST(Fir, PublishedVector) {
  // mediasoup's TestFeedbackPsFir.cpp (ISC).
  const auto packet = bytes({0x84, 0xce, 0x00, 0x04, 0xfa, 0x17, 0xfa, 0x17, 0x00, 0x00, 0x00, 0x00,  //
                             0x02, 0xd0, 0x37, 0x02, 0x04, 0x00, 0x00, 0x00});
  auto fir = Fir::parse(only(packet));
  ASSERT_TRUE(fir) << fir.error();
  EXPECT_EQ(fir->senderSsrc(), 0xfa17fa17u);
  ASSERT_EQ(fir->entryCount(), 1u);
  EXPECT_EQ(fir->entry(0), (FirEntry{0x02d03702, 4}));
  EXPECT_EQ(fir->entry(1), FirEntry{});
  std::array<uint8_t, 20> out{};
  const std::array<FirEntry, 1> entries{FirEntry{0x02d03702, 4}};
  auto size = writeFir(out, 0xfa17fa17, entries);
  ASSERT_TRUE(size) << size.error().message;
  EXPECT_TRUE(std::equal(packet.begin(), packet.end(), out.begin()));
}

TEST(Fir, RoundTripSeveralEntries) {
  const std::vector<FirEntry> entries = {{1, 0}, {0xffffffff, 255}, {42, 7}};
  std::array<uint8_t, 64> out{};
  out.fill(0xee);
  auto size = writeFir(out, 9, entries);
  ASSERT_TRUE(size) << size.error().message;
  EXPECT_EQ(*size, 12u + 8 * 3);
  EXPECT_EQ(out[8] | out[9] | out[10] | out[11], 0);  // RFC 5104 §4.3.1.2: media source 0
  EXPECT_EQ(out[17] | out[18] | out[19], 0);          // reserved
  auto fir = Fir::parse(only(std::span(out).first(*size)));
  ASSERT_TRUE(fir) << fir.error();
  ASSERT_EQ(fir->entryCount(), 3u);
  for (size_t i = 0; i < entries.size(); ++i) EXPECT_EQ(fir->entry(i), entries[i]);
  EXPECT_FALSE(writeFir(out, 9, {}));
  auto noEntry = Fir::parse(only(test::kept(bytes({0x84, 0xce, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 0}))));
  ASSERT_FALSE(noEntry);
  EXPECT_TRUE(contains(noEntry.error(), "without an entry")) << noEntry.error();
}

TEST(Remb, ChromeVector) {
  const auto packet = test::chromeRemb();
  auto remb = Remb::parse(only(packet));
  ASSERT_TRUE(remb) << remb.error();
  EXPECT_EQ(remb->senderSsrc(), 1u);
  EXPECT_EQ(remb->bitrate(), 8927168u);  // 139487 * 2^6
  ASSERT_EQ(remb->ssrcCount(), 1u);
  EXPECT_EQ(remb->ssrc(0), 1215622422u);
  EXPECT_EQ(remb->ssrc(1), 0u);
}

TEST(Remb, LargestAndOverflowingBitrates) {
  // Exponent 46 with the full 18-bit mantissa: 0x3ffff << 46 is the largest that fits 64 bits.
  auto fits = Remb::parse(only(test::kept(
      bytes({0x8f, 0xce, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 'R', 'E', 'M', 'B', 0x00, 0xbb, 0xff, 0xff}))));
  ASSERT_TRUE(fits) << fits.error();
  EXPECT_EQ(fits->bitrate(), uint64_t{0x3ffff} << 46);
  // Exponent 63: does not fit; refused rather than wrapped.
  auto overflow = Remb::parse(only(test::kept(
      bytes({0x8f, 0xce, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 'R', 'E', 'M', 'B', 0x00, 0xff, 0xff, 0xff}))));
  ASSERT_FALSE(overflow);
  EXPECT_TRUE(contains(overflow.error(), "64 bits")) << overflow.error();
  // Exponent 63 with mantissa 1 fits.
  auto top = Remb::parse(only(test::kept(
      bytes({0x8f, 0xce, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 'R', 'E', 'M', 'B', 0x00, 0xfc, 0x00, 0x01}))));
  ASSERT_TRUE(top) << top.error();
  EXPECT_EQ(top->bitrate(), uint64_t{1} << 63);
}

TEST(Remb, Malformed) {
  // Num SSRC 2 with one there.
  auto remb = Remb::parse(only(test::kept(bytes(
      {0x8f, 0xce, 0x00, 0x05, 0, 0, 0, 1, 0, 0, 0, 0, 'R', 'E', 'M', 'B', 2, 26, 32, 223, 1, 2, 3, 4}))));
  ASSERT_FALSE(remb);
  EXPECT_TRUE(contains(remb.error(), "Num SSRC")) << remb.error();
  // Another AFB message.
  remb = Remb::parse(only(
      test::kept(bytes({0x8f, 0xce, 0x00, 0x04, 0, 0, 0, 1, 0, 0, 0, 0, 'G', 'O', 'O', 'G', 0, 0, 0, 0}))));
  ASSERT_FALSE(remb);
  EXPECT_TRUE(contains(remb.error(), "not REMB")) << remb.error();
  // Too short for the identifier.
  EXPECT_FALSE(Remb::parse(
      only(test::kept(bytes({0x8f, 0xce, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 0, 'R', 'E', 'M', 'B'})))));
}

}  // namespace
}  // namespace callgate::rtp
