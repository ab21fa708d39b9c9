#include "rtp/demux.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "rtp_test_util.hpp"

namespace callgate::rtp {
namespace {

using test::bytes;

PacketClass classOfFirstByte(int b) {
  const std::array<uint8_t, 1> one{static_cast<uint8_t>(b)};
  return classify(one);
}

TEST(Demux, Rfc7983FirstByteRanges) {
  // RFC 7983 §7, every boundary and every value in between.
  for (int b = 0; b <= 255; ++b) {
    PacketClass expected = PacketClass::kUnknown;
    if (b <= 3)
      expected = PacketClass::kStun;
    else if (b >= 16 && b <= 19)
      expected = PacketClass::kZrtp;
    else if (b >= 20 && b <= 63)
      expected = PacketClass::kDtls;
    else if (b >= 64 && b <= 79)
      expected = PacketClass::kTurn;
    else if (b >= 128 && b <= 191)
      expected = PacketClass::kRtpOrRtcp;
    EXPECT_EQ(classOfFirstByte(b), expected) << "first byte " << b;
  }
  EXPECT_EQ(classOfFirstByte(3), PacketClass::kStun);
  EXPECT_EQ(classOfFirstByte(4), PacketClass::kUnknown);
  EXPECT_EQ(classOfFirstByte(15), PacketClass::kUnknown);
  EXPECT_EQ(classOfFirstByte(20), PacketClass::kDtls);
  EXPECT_EQ(classOfFirstByte(63), PacketClass::kDtls);
  EXPECT_EQ(classOfFirstByte(79), PacketClass::kTurn);
  EXPECT_EQ(classOfFirstByte(80), PacketClass::kUnknown);
  EXPECT_EQ(classOfFirstByte(127), PacketClass::kUnknown);
  EXPECT_EQ(classOfFirstByte(191), PacketClass::kRtpOrRtcp);
  EXPECT_EQ(classOfFirstByte(192), PacketClass::kUnknown);
  EXPECT_EQ(classify({}), PacketClass::kUnknown);
}

TEST(Demux, RealPacketStarts) {
  // A STUN Binding request (RFC 5389 §6: type 0x0001, magic cookie 0x2112A442).
  const auto stun =
      bytes({0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  EXPECT_EQ(classify(stun), PacketClass::kStun);
  // A DTLS 1.2 handshake record (content type 22, version 0xfefd).
  const auto dtls = bytes({0x16, 0xfe, 0xfd, 0x00, 0x00});
  EXPECT_EQ(classify(dtls), PacketClass::kDtls);
  // A TURN ChannelData message on channel 0x4000 (RFC 8656 §12.4).
  const auto turn = bytes({0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4});
  EXPECT_EQ(classify(turn), PacketClass::kTurn);
}

TEST(Demux, RtcpMuxSplitsOnPayloadType64To95) {
  auto header = [](int second) { return bytes({0x80, second, 0x00, 0x01, 0, 0, 0, 1, 0, 0, 0, 0}); };
  // RTCP SR, RR, SDES, BYE, APP, RTPFB, PSFB, XR: 200-207.
  for (int type = 200; type <= 207; ++type) {
    EXPECT_TRUE(isRtcp(header(type))) << type;
    EXPECT_FALSE(isRtp(header(type))) << type;
  }
  // RFC 5761 §4: the whole 192-223 range is RTCP, i.e. payload types 64-95 whatever the marker.
  EXPECT_TRUE(isRtcp(header(192)));
  EXPECT_TRUE(isRtcp(header(223)));
  EXPECT_TRUE(isRtcp(header(64)));  // PT 64 without the marker: a payload type rtcp-mux forbids
  EXPECT_FALSE(isRtcp(header(224)));
  EXPECT_FALSE(isRtcp(header(191)));
  // RTP: PCMU (0), PCMA (8), Opus (111), telephone-event (101), with and without the marker.
  for (int pt : {0, 8, 9, 13, 63, 96, 101, 111, 127}) {
    EXPECT_TRUE(isRtp(header(pt))) << pt;
    EXPECT_TRUE(isRtp(header(0x80 | pt))) << pt << " with marker";
    EXPECT_FALSE(isRtcp(header(0x80 | pt))) << pt;
  }
}

TEST(Demux, ShortDatagrams) {
  EXPECT_FALSE(isRtcp(bytes({0x80, 0xc8, 0x00})));  // shorter than the RTCP common header
  EXPECT_TRUE(isRtcp(bytes({0x80, 0xcb, 0x00, 0x00})));
  EXPECT_FALSE(isRtp(bytes({0x80, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0})));  // 11 bytes
  EXPECT_FALSE(isRtp(bytes({})));
  EXPECT_FALSE(isRtcp(bytes({0x00, 0xc8, 0x00, 0x01})));  // STUN range, not RTP/RTCP
}

}  // namespace
}  // namespace callgate::rtp
