#include "rtp/rtcp_packet.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "rtcp_vectors.hpp"
#include "rtp/rtcp_bye.hpp"
#include "rtp/rtcp_nack.hpp"
#include "rtp/rtcp_payload_feedback.hpp"
#include "rtp/rtcp_report.hpp"
#include "rtp/rtcp_sdes.hpp"
#include "rtp_test_util.hpp"

namespace callgate::rtp {
namespace {

using test::bytes;
using test::concat;
using test::contains;

std::vector<RtcpPacket> walk(std::span<const uint8_t> datagram, std::string_view* error = nullptr) {
  std::vector<RtcpPacket> out;
  RtcpIterator it(datagram);
  while (auto p = it.next()) out.push_back(*p);
  if (error) *error = it.error();
  return out;
}

TEST(RtcpIterator, RealCompoundFromAPacketDump) {
  const auto datagram = test::pionRealCompound();
  std::string_view error = "unset";
  const auto packets = walk(datagram, &error);
  EXPECT_TRUE(error.empty()) << error;
  ASSERT_EQ(packets.size(), 6u);
  EXPECT_EQ(packets[0].type(), rtcp::kReceiverReport);
  EXPECT_EQ(packets[1].type(), rtcp::kSourceDescription);
  EXPECT_EQ(packets[2].type(), rtcp::kBye);
  EXPECT_EQ(packets[3].type(), rtcp::kPayloadFeedback);
  EXPECT_EQ(packets[4].type(), rtcp::kRtpFeedback);
  EXPECT_EQ(packets[5].type(), rtcp::kApp);
  EXPECT_EQ(packets[0].size(), 32u);
  EXPECT_EQ(packets[1].size(), 52u);
  EXPECT_EQ(packets[5].body().size(), 12u);

  auto rr = ReceiverReport::parse(packets[0]);
  ASSERT_TRUE(rr) << rr.error();
  EXPECT_EQ(rr->ssrc(), 0x902f9e2eu);
  ASSERT_EQ(rr->reportCount(), 1u);
  const ReportBlock block = rr->reportBlock(0);
  EXPECT_EQ(block.ssrc, 0xbc5e9a40u);
  EXPECT_EQ(block.fractionLost, 0);
  EXPECT_EQ(block.cumulativeLost, 0);
  EXPECT_EQ(block.extendedHighestSequence, 0x46e1u);
  EXPECT_EQ(block.jitter, 273u);
  EXPECT_EQ(block.lastSenderReport, 0x9f36432u);
  EXPECT_EQ(block.delaySinceLastSenderReport, 150137u);
  EXPECT_TRUE(rr->profileExtension().empty());

  auto sdes = SourceDescription::parse(packets[1]);
  ASSERT_TRUE(sdes) << sdes.error();
  EXPECT_EQ(sdes->cname(0x902f9e2e), "{9c00eb92-1afb-9d49-a47d-91f64eee69f5}");

  auto bye = Bye::parse(packets[2]);
  ASSERT_TRUE(bye) << bye.error();
  ASSERT_EQ(bye->sourceCount(), 1u);
  EXPECT_EQ(bye->source(0), 0x902f9e2eu);
  EXPECT_TRUE(bye->reason().empty());

  auto pli = Pli::parse(packets[3]);
  ASSERT_TRUE(pli) << pli.error();
  EXPECT_EQ(pli->senderSsrc(), 0x902f9e2eu);
  EXPECT_EQ(pli->mediaSsrc(), 0x902f9e2eu);

  // FMT 5 is not a generic NACK: the typed view refuses it, the iterator went on.
  auto notNack = Nack::parse(packets[4]);
  ASSERT_FALSE(notNack);
  EXPECT_TRUE(contains(notNack.error(), "FMT 1"));

  EXPECT_TRUE(checkCompound(datagram));
  EXPECT_EQ(*checkCompound(datagram), 6u);
}

TEST(RtcpIterator, EmptyDatagram) {
  std::string_view error;
  EXPECT_TRUE(walk({}, &error).empty());
  EXPECT_TRUE(contains(error, "empty")) << error;
  EXPECT_FALSE(checkCompound({}));
}

TEST(RtcpIterator, TruncatedHeader) {
  for (size_t n = 1; n < 4; ++n) {
    const std::vector<uint8_t> cut(n, 0x80);
    std::string_view error;
    EXPECT_TRUE(walk(cut, &error).empty());
    EXPECT_TRUE(contains(error, "truncated RTCP header")) << error;
  }
  // Trailing bytes after a good packet: the good one is handed out, then the error.
  const auto trailing = bytes({0x80, 0xcb, 0x00, 0x00, 0x81, 0xc9});
  std::string_view error;
  const auto packets = walk(trailing, &error);
  EXPECT_EQ(packets.size(), 1u);
  EXPECT_TRUE(contains(error, "truncated RTCP header")) << error;
}

TEST(RtcpIterator, BadVersion) {
  std::string_view error;
  EXPECT_TRUE(walk(test::kept(bytes({0x40, 0xc9, 0x00, 0x01, 0, 0, 0, 1})), &error).empty());
  EXPECT_TRUE(contains(error, "version")) << error;
  // The second packet has the bad version.
  const auto second = bytes({0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 1, 0xc0, 0xc9, 0x00, 0x01, 0, 0, 0, 1});
  EXPECT_EQ(walk(second, &error).size(), 1u);
  EXPECT_TRUE(contains(error, "version")) << error;
}

TEST(RtcpIterator, LengthBeyondTheBuffer) {
  std::string_view error;
  // Length 7 (32 bytes) with 8 there.
  EXPECT_TRUE(walk(test::kept(bytes({0x81, 0xc9, 0x00, 0x07, 0, 0, 0, 1})), &error).empty());
  EXPECT_TRUE(contains(error, "length runs past")) << error;
  // The largest length.
  EXPECT_TRUE(walk(test::kept(bytes({0x80, 0xc9, 0xff, 0xff, 0, 0, 0, 1})), &error).empty());
  EXPECT_TRUE(contains(error, "length runs past")) << error;
  // A datagram that is a valid compound plus a packet cut short.
  auto datagram = test::chromeSrSdesCompound();
  datagram.resize(datagram.size() - 1);
  EXPECT_EQ(walk(datagram, &error).size(), 1u);
  EXPECT_TRUE(contains(error, "length runs past")) << error;
  EXPECT_FALSE(checkCompound(datagram));
}

TEST(RtcpIterator, ZeroLengthIsAHeaderOnlyPacket) {
  // Length 0 = one word: a BYE with no sources is well-formed...
  std::string_view error;
  const auto bye = bytes({0x80, 0xcb, 0x00, 0x00});
  auto packets = walk(bye, &error);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_TRUE(error.empty());
  EXPECT_TRUE(packets[0].body().empty());
  auto parsed = Bye::parse(packets[0]);
  ASSERT_TRUE(parsed) << parsed.error();
  EXPECT_EQ(parsed->sourceCount(), 0u);
  // ...but an SR, RR, SDES or feedback message needs more than the header.
  const auto sr = bytes({0x80, 0xc8, 0x00, 0x00});
  packets = walk(sr, &error);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_FALSE(SenderReport::parse(packets[0]));
  const auto rr = bytes({0x80, 0xc9, 0x00, 0x00});
  EXPECT_FALSE(ReceiverReport::parse(walk(rr)[0]));
  const auto sdes = bytes({0x81, 0xca, 0x00, 0x00});
  EXPECT_FALSE(SourceDescription::parse(walk(sdes)[0]));
  const auto pli = bytes({0x81, 0xce, 0x00, 0x00});
  EXPECT_FALSE(Pli::parse(walk(pli)[0]));
  const auto nack = bytes({0x81, 0xcd, 0x00, 0x00});
  EXPECT_FALSE(Nack::parse(walk(nack)[0]));
}

TEST(RtcpIterator, PaddingOnlyOnTheLastPacket) {
  // RR (P set, 4 bytes of padding inside its length) followed by a BYE: refused.
  const auto datagram = bytes({0xa0, 0xc9, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 4,  //
                               0x80, 0xcb, 0x00, 0x00});
  std::string_view error;
  EXPECT_TRUE(walk(datagram, &error).empty());
  EXPECT_TRUE(contains(error, "not the last")) << error;
  // The same RR alone: fine, and the padding is not part of the body.
  const auto alone = bytes({0xa0, 0xc9, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 4});
  const auto packets = walk(alone, &error);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_TRUE(error.empty()) << error;
  EXPECT_TRUE(packets[0].hasPadding());
  EXPECT_EQ(packets[0].body().size(), 4u);
  EXPECT_EQ(packets[0].size(), 12u);
  auto rr = ReceiverReport::parse(packets[0]);
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->ssrc(), 1u);
}

TEST(RtcpIterator, BadPaddingCount) {
  std::string_view error;
  EXPECT_TRUE(walk(test::kept(bytes({0xa0, 0xc9, 0x00, 0x01, 0, 0, 0, 0})), &error).empty());
  EXPECT_TRUE(contains(error, "padding count is 0")) << error;
  // Count 9 in an 8-byte packet (only 4 bytes after the header).
  EXPECT_TRUE(walk(test::kept(bytes({0xa0, 0xc9, 0x00, 0x01, 0, 0, 0, 5})), &error).empty());
  EXPECT_TRUE(contains(error, "larger than the packet")) << error;
  // Padding that eats the whole body is allowed by the header; the RR view then refuses it.
  const auto packets = walk(test::kept(bytes({0xa0, 0xc9, 0x00, 0x01, 0, 0, 0, 4})), &error);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_TRUE(packets[0].body().empty());
  EXPECT_FALSE(ReceiverReport::parse(packets[0]));
}

TEST(RtcpIterator, ReducedSizeFeedbackAlone) {
  // RFC 5506: a PLI on its own is a valid datagram.
  const auto pli = bytes({0x81, 0xce, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2});
  std::string_view error;
  const auto packets = walk(pli, &error);
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_TRUE(error.empty());
}

}  // namespace
}  // namespace callgate::rtp
