#include "rtp/rtcp_compound_writer.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "rtcp_vectors.hpp"
#include "rtp/rtcp_bye.hpp"
#include "rtp/rtcp_sdes.hpp"
#include "rtp_test_util.hpp"

namespace callgate::rtp {
namespace {

using test::contains;

std::vector<RtcpPacket> walk(std::span<const uint8_t> datagram) {
  std::vector<RtcpPacket> out;
  RtcpIterator it(datagram);
  while (auto p = it.next()) out.push_back(*p);
  EXPECT_TRUE(it.error().empty()) << it.error();
  return out;
}

TEST(RtcpCompoundWriter, SrAndSdesAsChromeSendsThem) {
  const SenderInfo info{0x5d931534, NtpTime{3711615412u, 1985245553u}, 577280, 3608, 577280};
  std::array<uint8_t, 1200> buffer{};
  RtcpCompoundWriter writer(buffer);
  writer.senderReport(info).sdesCname(info.ssrc, "t7mkYnCm46OcINy/");
  auto size = writer.finish();
  ASSERT_TRUE(size) << size.error().message;
  const auto expected = test::chromeSrSdesCompound();
  ASSERT_EQ(*size, expected.size());
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), buffer.begin()));
}

TEST(RtcpCompoundWriter, EveryWriterThroughItsParser) {
  const SenderInfo info{1, NtpTime{2, 3}, 4, 5, 6};
  const std::array<ReportBlock, 2> blocks{ReportBlock{10, 1, -2, 3, 4, 5, 6},
                                          ReportBlock{20, 7, 8, 9, 10, 11, 12}};
  const std::array<NackItem, 2> nacks{NackItem{100, 0x0101}, NackItem{300, 0}};
  const std::array<FirEntry, 1> firs{FirEntry{77, 3}};
  const std::array<uint32_t, 2> leaving{1, 2};
  std::array<uint8_t, 1200> buffer{};
  RtcpCompoundWriter writer(buffer);
  writer.senderReport(info, blocks)
      .receiverReport(1, blocks)
      .sdesCname(1, "user@host")
      .nack(1, 77, nacks)
      .pli(1, 77)
      .fir(1, firs)
      .bye(leaving, "done");
  auto size = writer.finish();
  ASSERT_TRUE(size) << size.error().message;
  const auto packets = walk(std::span(buffer).first(*size));
  ASSERT_EQ(packets.size(), 7u);

  auto sr = SenderReport::parse(packets[0]);
  ASSERT_TRUE(sr) << sr.error();
  EXPECT_EQ(sr->senderInfo(), info);
  EXPECT_EQ(sr->reportBlock(1), blocks[1]);
  auto rr = ReceiverReport::parse(packets[1]);
  ASSERT_TRUE(rr) << rr.error();
  EXPECT_EQ(rr->reportBlock(0), blocks[0]);
  auto sdes = SourceDescription::parse(packets[2]);
  ASSERT_TRUE(sdes) << sdes.error();
  EXPECT_EQ(sdes->cname(1), "user@host");
  auto nack = Nack::parse(packets[3]);
  ASSERT_TRUE(nack) << nack.error();
  EXPECT_EQ(nack->mediaSsrc(), 77u);
  EXPECT_EQ(nack->item(0), nacks[0]);
  EXPECT_EQ(nack->item(1), nacks[1]);
  auto pli = Pli::parse(packets[4]);
  ASSERT_TRUE(pli) << pli.error();
  EXPECT_EQ(pli->mediaSsrc(), 77u);
  auto fir = Fir::parse(packets[5]);
  ASSERT_TRUE(fir) << fir.error();
  EXPECT_EQ(fir->entry(0), firs[0]);
  auto bye = Bye::parse(packets[6]);
  ASSERT_TRUE(bye) << bye.error();
  EXPECT_EQ(bye->reason(), "done");
  EXPECT_EQ(bye->source(1), 2u);
}

TEST(RtcpCompoundWriter, PaddingGoesOnTheLastPacketOnly) {
  std::array<uint8_t, 200> buffer{};
  RtcpCompoundWriter writer(buffer);
  writer.receiverReport(5).sdesCname(5, "abc");  // 8 + 16 = 24 bytes
  auto size = writer.finish(16);
  ASSERT_TRUE(size) << size.error().message;
  EXPECT_EQ(*size, 32u);
  EXPECT_EQ(buffer[0] & 0x20, 0);     // RR: no P bit
  EXPECT_NE(buffer[8] & 0x20, 0);     // SDES: P bit
  EXPECT_EQ(buffer[31], 8);           // 8 padding octets, counted in the last one
  EXPECT_EQ(buffer[11], 24 / 4 - 1);  // the SDES length grew from 3 to 5 words
  const auto packets = walk(std::span(buffer).first(*size));
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(packets[1].size(), 24u);
  EXPECT_EQ(packets[1].body().size(), 12u);  // without the padding
  auto sdes = SourceDescription::parse(packets[1]);
  ASSERT_TRUE(sdes) << sdes.error();
  EXPECT_EQ(sdes->cname(5), "abc");
  // Already a multiple: no padding, no P bit.
  RtcpCompoundWriter aligned(buffer);
  aligned.receiverReport(5).sdesCname(5, "abc");
  auto same = aligned.finish(8);
  ASSERT_TRUE(same);
  EXPECT_EQ(*same, 24u);
  EXPECT_EQ(buffer[8] & 0x20, 0);
}

TEST(RtcpCompoundWriter, Errors) {
  std::array<uint8_t, 30> small{};
  RtcpCompoundWriter writer(small);
  writer.receiverReport(1).sdesCname(1, "a-rather-long-cname-that-does-not-fit");
  EXPECT_EQ(writer.size(), 8u);
  writer.pli(1, 2);  // would fit, but the writer stopped at the first error
  EXPECT_EQ(writer.size(), 8u);
  auto failed = writer.finish();
  ASSERT_FALSE(failed);
  EXPECT_TRUE(contains(failed.error().message, "SDES")) << failed.error().message;

  std::array<uint8_t, 64> buffer{};
  RtcpCompoundWriter empty(buffer);
  EXPECT_FALSE(empty.finish());
  RtcpCompoundWriter odd(buffer);
  odd.receiverReport(1);
  EXPECT_FALSE(odd.finish(6));  // not a multiple of 4
  std::array<uint8_t, 12> tight{};
  RtcpCompoundWriter noRoom(tight);
  noRoom.receiverReport(1);
  auto padded = noRoom.finish(16);  // 8 bytes of padding do not fit in 12
  ASSERT_FALSE(padded);
}

}  // namespace
}  // namespace callgate::rtp
