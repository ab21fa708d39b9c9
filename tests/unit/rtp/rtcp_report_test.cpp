#include "rtp/rtcp_report.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "rtcp_vectors.hpp"
#include "rtp/rtcp_sdes.hpp"
#include "rtp_test_util.hpp"

namespace callgate::rtp {
namespace {

using test::bytes;
using test::contains;

RtcpPacket only(std::span<const uint8_t> datagram) {
  RtcpIterator it(datagram);
  auto p = it.next();
  EXPECT_TRUE(p) << it.error();
  EXPECT_FALSE(it.next());
  EXPECT_TRUE(it.error().empty()) << it.error();
  return *p;
}

TEST(SenderReport, ChromeSrSdesCompound) {
  const auto datagram = test::chromeSrSdesCompound();
  RtcpIterator it(datagram);
  auto first = it.next();
  ASSERT_TRUE(first);
  auto sr = SenderReport::parse(*first);
  ASSERT_TRUE(sr) << sr.error();
  const SenderInfo info = sr->senderInfo();
  EXPECT_EQ(sr->ssrc(), 0x5d931534u);
  EXPECT_EQ(info.ssrc, 0x5d931534u);
  EXPECT_EQ(info.ntp.seconds, 3711615412u);
  EXPECT_EQ(info.ntp.fraction, 1985245553u);
  EXPECT_EQ(info.rtpTimestamp, 577280u);
  EXPECT_EQ(info.packetCount, 3608u);
  EXPECT_EQ(info.octetCount, 577280u);
  EXPECT_EQ(sr->reportCount(), 0u);
  EXPECT_TRUE(sr->profileExtension().empty());
  // 3608 packets of 160 octets: a G.711 stream, 20 ms packets, 72.16 s; the RTP timestamp agrees (8 kHz).
  EXPECT_EQ(info.octetCount, info.packetCount * 160);

  auto second = it.next();
  ASSERT_TRUE(second);
  auto sdes = SourceDescription::parse(*second);
  ASSERT_TRUE(sdes) << sdes.error();
  EXPECT_EQ(sdes->cname(info.ssrc), "t7mkYnCm46OcINy/");
  EXPECT_FALSE(it.next());
  EXPECT_TRUE(it.error().empty());

  // Written back field by field, the same bytes.
  std::array<uint8_t, 56> out{};
  auto srSize = writeSenderReport(out, info);
  ASSERT_TRUE(srSize) << srSize.error().message;
  auto sdesSize = writeSdesCname(std::span(out).subspan(*srSize), info.ssrc, "t7mkYnCm46OcINy/");
  ASSERT_TRUE(sdesSize) << sdesSize.error().message;
  EXPECT_EQ(*srSize + *sdesSize, datagram.size());
  EXPECT_TRUE(std::equal(datagram.begin(), datagram.end(), out.begin()));
}

TEST(SenderReport, RoundTripWithReportBlocks) {
  const SenderInfo info{0x01020304, NtpTime{0xe5a1b2c3, 0x80000000}, 0xfffffff0, 123456, 19753086};
  const std::vector<ReportBlock> blocks = {
      {0xaaaaaaaa, 12, 345, 0x0001ffff, 77, 0x12345678, 0x00018000},
      {0xbbbbbbbb, 255, -17, 5, 0, 0, 0},  // negative loss (duplicates)
      {0xcccccccc, 0, 0x7fffff, 0xffffffff, 0xffffffff, 1, 2},
  };
  std::array<uint8_t, 200> out{};
  auto size = writeSenderReport(out, info, blocks);
  ASSERT_TRUE(size) << size.error().message;
  EXPECT_EQ(*size, 28u + 3 * 24);
  EXPECT_EQ(out[0], 0x83);  // V=2, RC=3
  EXPECT_EQ(out[1], 200);
  EXPECT_EQ(out[3], (*size / 4) - 1);
  auto sr = SenderReport::parse(only(std::span(out).first(*size)));
  ASSERT_TRUE(sr) << sr.error();
  EXPECT_EQ(sr->senderInfo(), info);
  ASSERT_EQ(sr->reportCount(), 3u);
  for (size_t i = 0; i < blocks.size(); ++i) EXPECT_EQ(sr->reportBlock(i), blocks[i]) << i;
  EXPECT_EQ(sr->reportBlock(3), ReportBlock{});  // out of range reads nothing
}

TEST(ReceiverReport, RoundTrip) {
  const std::vector<ReportBlock> blocks = {{0x11, 64, 25, 65536 + 5, 80, 0x56789abc, 98304}};
  std::array<uint8_t, 32> out{};
  auto size = writeReceiverReport(out, 0x99, blocks);
  ASSERT_TRUE(size) << size.error().message;
  EXPECT_EQ(*size, 32u);
  auto rr = ReceiverReport::parse(only(out));
  ASSERT_TRUE(rr) << rr.error();
  EXPECT_EQ(rr->ssrc(), 0x99u);
  ASSERT_EQ(rr->reportCount(), 1u);
  EXPECT_EQ(rr->reportBlock(0), blocks[0]);
  // An empty RR (RFC 3550 §6.4.2: "nothing to report").
  auto empty = writeReceiverReport(out, 0x99);
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, 8u);
  auto emptyRr = ReceiverReport::parse(only(std::span(out).first(8)));
  ASSERT_TRUE(emptyRr);
  EXPECT_EQ(emptyRr->reportCount(), 0u);
}

TEST(ReportBlock, CumulativeLostIs24BitSigned) {
  std::array<uint8_t, 24> raw{};
  ReportBlock block;
  block.cumulativeLost = -1;
  block.write(raw.data());
  EXPECT_EQ(raw[5], 0xff);
  EXPECT_EQ(raw[6], 0xff);
  EXPECT_EQ(raw[7], 0xff);
  EXPECT_EQ(ReportBlock::read(raw.data()).cumulativeLost, -1);
  // Clamped, not wrapped (RFC 3550 §A.3).
  block.cumulativeLost = 0x1000000;
  block.write(raw.data());
  EXPECT_EQ(ReportBlock::read(raw.data()).cumulativeLost, 0x7fffff);
  block.cumulativeLost = -0x1000000;
  block.write(raw.data());
  EXPECT_EQ(ReportBlock::read(raw.data()).cumulativeLost, -0x800000);
}

TEST(SenderReport, ReportCountBeyondTheLength) {
  // RC=2 but room for one block only.
  std::array<uint8_t, 52> out{};
  const std::vector<ReportBlock> one = {{}};
  ASSERT_TRUE(writeSenderReport(out, SenderInfo{}, one));
  out[0] = 0x82;
  auto sr = SenderReport::parse(only(out));
  ASSERT_FALSE(sr);
  EXPECT_TRUE(contains(sr.error(), "RC report blocks")) << sr.error();
  // RR likewise.
  auto rr = ReceiverReport::parse(only(test::kept(bytes({0x81, 0xc9, 0x00, 0x01, 0, 0, 0, 1}))));
  ASSERT_FALSE(rr);
  // A profile extension after the blocks is kept as bytes.
  const auto withExtension = bytes({0x80, 0xc9, 0x00, 0x02, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef});
  auto ext = ReceiverReport::parse(only(withExtension));
  ASSERT_TRUE(ext);
  EXPECT_EQ(ext->profileExtension().size(), 4u);
}

TEST(SenderReport, WrongTypeIsRefused) {
  const auto rr =
      bytes({0x80, 0xc9, 0x00, 0x06, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_FALSE(SenderReport::parse(only(rr)));
  EXPECT_TRUE(ReceiverReport::parse(only(rr)));
}

TEST(ReportWriters, Errors) {
  std::array<uint8_t, 27> small{};
  auto sr = writeSenderReport(small, SenderInfo{});
  ASSERT_FALSE(sr);
  EXPECT_TRUE(contains(sr.error().message, "needs 28 bytes")) << sr.error().message;
  std::array<uint8_t, 7> tiny{};
  EXPECT_FALSE(writeReceiverReport(tiny, 1));
  std::vector<ReportBlock> many(32);
  std::vector<uint8_t> big(2000);
  auto tooMany = writeReceiverReport(big, 1, many);
  ASSERT_FALSE(tooMany);
  EXPECT_TRUE(contains(tooMany.error().message, "31")) << tooMany.error().message;
  many.resize(31);
  EXPECT_TRUE(writeReceiverReport(big, 1, many));
  EXPECT_TRUE(writeSenderReport(big, SenderInfo{}, many));
}

}  // namespace
}  // namespace callgate::rtp
