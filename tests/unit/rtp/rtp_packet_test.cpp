#include "rtp/rtp_packet.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "rtp_test_util.hpp"

namespace callgate::rtp {
namespace {

using test::bytes;
using test::concat;
using test::contains;

std::vector<HeaderExtension> elementsOf(const RtpPacket& packet, bool* malformed = nullptr) {
  std::vector<HeaderExtension> out;
  auto it = packet.extensions();
  while (auto e = it.next()) out.push_back(*e);
  if (malformed) *malformed = it.malformed();
  return out;
}

std::vector<uint8_t> data(std::span<const uint8_t> s) {
  return {s.begin(), s.end()};
}

TEST(RtpPacket, ParsesFixedHeader) {
  // PCMA (PT 8), marker set, seq 0x1c4d, ts 0x0000a000, SSRC 0xdeadbeef, 4 payload bytes.
  const auto packet = bytes({0x80, 0x88, 0x1c, 0x4d, 0x00, 0x00, 0xa0, 0x00, 0xde, 0xad, 0xbe, 0xef,  //
                             0xd5, 0xd5, 0x55, 0x54});
  auto p = RtpPacket::parse(packet);
  ASSERT_TRUE(p) << p.error();
  EXPECT_TRUE(p->marker());
  EXPECT_EQ(p->payloadType(), 8);
  EXPECT_EQ(p->sequenceNumber(), 0x1c4d);
  EXPECT_EQ(p->timestamp(), 0xa000u);
  EXPECT_EQ(p->ssrc(), 0xdeadbeefu);
  EXPECT_EQ(p->csrcCount(), 0);
  EXPECT_FALSE(p->hasPadding());
  EXPECT_FALSE(p->hasExtension());
  EXPECT_EQ(p->extensionForm(), ExtensionForm::kNone);
  EXPECT_EQ(p->headerSize(), 12u);
  EXPECT_EQ(data(p->payload()), bytes({0xd5, 0xd5, 0x55, 0x54}));
  EXPECT_EQ(p->paddingSize(), 0u);
  EXPECT_TRUE(elementsOf(*p).empty());
}

TEST(RtpPacket, HeaderOnlyIsValid) {
  const auto packet = bytes({0x80, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1});
  auto p = RtpPacket::parse(packet);
  ASSERT_TRUE(p) << p.error();
  EXPECT_TRUE(p->payload().empty());
}

TEST(RtpPacket, CsrcList) {
  const auto packet = bytes({0x82, 0x00, 0x00, 0x01, 0,    0,    0,    0,    0, 0, 0, 1,  //
                             0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22,              //
                             0xaa});
  auto p = RtpPacket::parse(packet);
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->csrcCount(), 2);
  EXPECT_EQ(p->csrc(0), 0x11111111u);
  EXPECT_EQ(p->csrc(1), 0x22222222u);
  EXPECT_EQ(p->csrc(2), 0u);  // out of range reads nothing
  EXPECT_EQ(p->headerSize(), 20u);
  EXPECT_EQ(data(p->payload()), bytes({0xaa}));
}

TEST(RtpPacket, Padding) {
  // P set, 3 payload bytes then 4 padding bytes (the last one counting them).
  const auto packet = bytes({0xa0, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 0, 0, 0, 4});
  auto p = RtpPacket::parse(packet);
  ASSERT_TRUE(p) << p.error();
  EXPECT_TRUE(p->hasPadding());
  EXPECT_EQ(p->paddingSize(), 4u);
  EXPECT_EQ(data(p->payload()), bytes({1, 2, 3}));
  // Padding that takes the whole payload area is allowed (RFC 3550 §5.1 keep-alive style packets).
  const auto allPadding = bytes({0xa0, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 3});
  auto q = RtpPacket::parse(allPadding);
  ASSERT_TRUE(q) << q.error();
  EXPECT_TRUE(q->payload().empty());
}

// RFC 8285 §4.2, the example "with three extension elements, some padding" (the figure leaves the IDs and
// data open; here IDs 1, 2, 3):
//   |       0xBE    |    0xDE       |           length=3            |
//   |  ID   | L=0   |     data      |  ID   |  L=1  |   data...
//         ...data   |    0 (pad)    |    0 (pad)    |  ID   | L=3   |
//   |                          data                                 |
TEST(RtpPacket, Rfc8285OneByteExample) {
  const auto packet = bytes({0x90, 0x6f, 0x00, 0x07, 0, 0, 0x03, 0x20, 0x12, 0x34, 0x56, 0x78,  //
                             0xbe, 0xde, 0x00, 0x03,                                            //
                             0x10, 0xaa, 0x21, 0xbb,                                            //
                             0xcc, 0x00, 0x00, 0x33,                                            //
                             0x01, 0x02, 0x03, 0x04,                                            //
                             0xfc, 0xff});                                                      // payload
  auto p = RtpPacket::parse(packet);
  ASSERT_TRUE(p) << p.error();
  EXPECT_TRUE(p->hasExtension());
  EXPECT_EQ(p->extensionProfile(), kOneByteExtensionProfile);
  EXPECT_EQ(p->extensionForm(), ExtensionForm::kOneByte);
  EXPECT_EQ(p->extensionData().size(), 12u);
  EXPECT_EQ(p->headerSize(), 28u);
  EXPECT_EQ(data(p->payload()), bytes({0xfc, 0xff}));
  bool malformed = true;
  const auto elements = elementsOf(*p, &malformed);
  EXPECT_FALSE(malformed);
  ASSERT_EQ(elements.size(), 3u);
  EXPECT_EQ(elements[0].id, 1);
  EXPECT_EQ(data(elements[0].data), bytes({0xaa}));  // L=0: one byte
  EXPECT_EQ(elements[1].id, 2);
  EXPECT_EQ(data(elements[1].data), bytes({0xbb, 0xcc}));
  EXPECT_EQ(elements[2].id, 3);
  EXPECT_EQ(data(elements[2].data), bytes({1, 2, 3, 4}));
  ASSERT_TRUE(p->findExtension(2));
  EXPECT_EQ(data(*p->findExtension(2)), bytes({0xbb, 0xcc}));
  EXPECT_FALSE(p->findExtension(4));
}

// RFC 8285 §4.3, the two-byte example:
//   |       0x10    |    0x00       |           length=3            |
//   |      ID       |     L=0       |     ID        |     L=1       |
//   |       data    |    0 (pad)    |       ID      |      L=4      |
//   |                          data                                 |
TEST(RtpPacket, Rfc8285TwoByteExample) {
  const auto packet = bytes({0x90, 0x6f, 0x00, 0x07, 0, 0, 0x03, 0x20, 0x12, 0x34, 0x56, 0x78,  //
                             0x10, 0x00, 0x00, 0x03,                                            //
                             0x01, 0x00, 0x02, 0x01,                                            //
                             0xaa, 0x00, 0x03, 0x04,                                            //
                             0x0a, 0x0b, 0x0c, 0x0d});
  auto p = RtpPacket::parse(packet);
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->extensionForm(), ExtensionForm::kTwoByte);
  EXPECT_TRUE(p->payload().empty());
  bool malformed = true;
  const auto elements = elementsOf(*p, &malformed);
  EXPECT_FALSE(malformed);
  ASSERT_EQ(elements.size(), 3u);
  EXPECT_EQ(elements[0].id, 1);
  EXPECT_TRUE(elements[0].data.empty());  // the two-byte form allows empty elements
  EXPECT_EQ(elements[1].id, 2);
  EXPECT_EQ(data(elements[1].data), bytes({0xaa}));
  EXPECT_EQ(elements[2].id, 3);
  EXPECT_EQ(data(elements[2].data), bytes({0x0a, 0x0b, 0x0c, 0x0d}));
}

TEST(RtpPacket, TwoByteProfileWithAppBits) {
  // RFC 8285 §4.3: the low 4 bits of 0x100X are application bits; still the two-byte form.
  const auto packet = bytes({0x90, 0x00, 0x00, 0x01, 0,    0,    0,    0,   0, 0, 0, 1,  //
                             0x10, 0x0f, 0x00, 0x01, 0xff, 0x01, 0x42, 0x00});
  auto p = RtpPacket::parse(packet);
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->extensionForm(), ExtensionForm::kTwoByte);
  const auto elements = elementsOf(*p);
  ASSERT_EQ(elements.size(), 1u);
  EXPECT_EQ(elements[0].id, 255);  // IDs up to 255 in the two-byte form
  EXPECT_EQ(data(elements[0].data), bytes({0x42}));
}

TEST(RtpPacket, OneByteId15EndsTheWalk) {
  // RFC 8285 §4.2: at ID 15 its length is ignored and processing stops; the elements before it count.
  const auto packet = bytes({0x90, 0x00, 0x00, 0x01, 0,    0,    0,    0,   0, 0, 0, 1,  //
                             0xbe, 0xde, 0x00, 0x01, 0x10, 0x01, 0xf0, 0x20});
  auto p = RtpPacket::parse(packet);
  ASSERT_TRUE(p) << p.error();
  bool malformed = true;
  const auto elements = elementsOf(*p, &malformed);
  EXPECT_FALSE(malformed);
  ASSERT_EQ(elements.size(), 1u);
  EXPECT_EQ(elements[0].id, 1);
}

TEST(RtpPacket, ExtensionElementOverrunIsMalformed) {
  // One-byte: the second element says 4 bytes but only 2 are left in the block.
  const auto oneByte = bytes({0x90, 0x00, 0x00, 0x01, 0,    0,    0,    0,    0, 0, 0, 1,  //
                              0xbe, 0xde, 0x00, 0x01, 0x10, 0x01, 0x23, 0x02,              //
                              0x55, 0x55});  // payload bytes are not element data
  auto p = RtpPacket::parse(oneByte);
  ASSERT_TRUE(p) << p.error();
  bool malformed = false;
  auto elements = elementsOf(*p, &malformed);
  EXPECT_TRUE(malformed);
  ASSERT_EQ(elements.size(), 1u);
  EXPECT_EQ(elements[0].id, 1);
  // Two-byte: a length of 200 in a 4-byte block; and an ID with no length byte.
  const auto twoByte = bytes({0x90, 0x00, 0x00, 0x01, 0,    0,    0,    0,   0, 0, 0, 1,  //
                              0x10, 0x00, 0x00, 0x01, 0x05, 0xc8, 0x00, 0x00});
  p = RtpPacket::parse(twoByte);
  ASSERT_TRUE(p) << p.error();
  elements = elementsOf(*p, &malformed);
  EXPECT_TRUE(malformed);
  EXPECT_TRUE(elements.empty());
  const auto lonelyId = bytes({0x90, 0x00, 0x00, 0x01, 0,    0,    0,    0,   0, 0, 0, 1,  //
                               0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07});
  p = RtpPacket::parse(lonelyId);
  ASSERT_TRUE(p) << p.error();
  elements = elementsOf(*p, &malformed);
  EXPECT_TRUE(malformed);
}

TEST(RtpPacket, OtherProfileExtensionIsOpaque) {
  const auto packet = bytes({0x90, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0,   0, 0, 1,  //
                             0xab, 0xcd, 0x00, 0x01, 1, 2, 3, 4, 0x99});
  auto p = RtpPacket::parse(packet);
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->extensionProfile(), 0xabcd);
  EXPECT_EQ(p->extensionForm(), ExtensionForm::kOther);
  EXPECT_EQ(data(p->extensionData()), bytes({1, 2, 3, 4}));
  EXPECT_TRUE(elementsOf(*p).empty());
  EXPECT_EQ(data(p->payload()), bytes({0x99}));
  // RFC 3550 §5.3.1: a length of 0 is valid.
  const auto empty = bytes({0x90, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0x00, 0x00});
  p = RtpPacket::parse(empty);
  ASSERT_TRUE(p) << p.error();
  EXPECT_TRUE(p->extensionData().empty());
  EXPECT_EQ(p->headerSize(), 16u);
}

TEST(RtpPacket, CsrcExtensionAndPaddingTogether) {
  const auto packet = bytes({0xb1, 0xe0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xca, 0xfe, 0xba, 0xbe,  //
                             0x01, 0x02, 0x03, 0x04,                                                  //
                             0xbe, 0xde, 0x00, 0x01, 0x30, 0x7f, 0x00, 0x00,                          //
                             0x10, 0x20, 0x00, 0x02});
  auto p = RtpPacket::parse(packet);
  ASSERT_TRUE(p) << p.error();
  EXPECT_TRUE(p->marker());
  EXPECT_EQ(p->payloadType(), 0x60);
  EXPECT_EQ(p->sequenceNumber(), 0xffff);
  EXPECT_EQ(p->timestamp(), 0xffffffffu);
  EXPECT_EQ(p->csrc(0), 0x01020304u);
  EXPECT_EQ(p->headerSize(), 24u);
  EXPECT_EQ(data(p->payload()), bytes({0x10, 0x20}));
  ASSERT_TRUE(p->findExtension(3));
  EXPECT_EQ(data(*p->findExtension(3)), bytes({0x7f}));
}

// Every malformed header is refused with a reason that names the rule, and nothing reads past the buffer
// (the sanitizer build checks that: each vector is exactly the bytes given).
TEST(RtpPacket, TruncatedHeader) {
  const auto full = bytes({0x80, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1});
  for (size_t n = 0; n < 12; ++n) {
    const std::vector<uint8_t> cut(full.begin(), full.begin() + static_cast<long>(n));
    auto p = RtpPacket::parse(cut);
    ASSERT_FALSE(p) << n;
    EXPECT_TRUE(contains(p.error(), "12-byte")) << p.error();
  }
}

TEST(RtpPacket, BadVersion) {
  for (int first : {0x00, 0x40, 0xc0}) {
    const auto packet = bytes({first, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1});
    auto p = RtpPacket::parse(packet);
    ASSERT_FALSE(p) << first;
    EXPECT_TRUE(contains(p.error(), "version")) << p.error();
  }
}

TEST(RtpPacket, CsrcCountOverrun) {
  // CC = 15 needs 72 header bytes.
  auto packet = bytes({0x8f, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1});
  packet.resize(71, 0);
  auto p = RtpPacket::parse(packet);
  ASSERT_FALSE(p);
  EXPECT_TRUE(contains(p.error(), "CSRC")) << p.error();
  packet.resize(72, 0);
  EXPECT_TRUE(RtpPacket::parse(packet));
  // CC = 1 and only 2 of its 4 bytes.
  p = RtpPacket::parse(test::kept(bytes({0x81, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0xaa, 0xbb})));
  ASSERT_FALSE(p);
  EXPECT_TRUE(contains(p.error(), "CSRC")) << p.error();
}

TEST(RtpPacket, ExtensionLengthOverrun) {
  // X set but not even the 4-byte extension header.
  auto p =
      RtpPacket::parse(test::kept(bytes({0x90, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0x00})));
  ASSERT_FALSE(p);
  EXPECT_TRUE(contains(p.error(), "§5.3.1")) << p.error();
  // Length 2 words (8 bytes) with 7 bytes there.
  p = RtpPacket::parse(
      test::kept(bytes({0x90, 0x00, 0x00, 0x01, 0,    0,    0,   0, 0, 0, 0, 1, 0xbe, 0xde, 0x00, 0x02,  //
                        0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00})));
  ASSERT_FALSE(p);
  EXPECT_TRUE(contains(p.error(), "extension length")) << p.error();
  // The largest length (0xffff words) on a small packet: no overflow in the check.
  p = RtpPacket::parse(test::kept(
      bytes({0x90, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0xff, 0xff, 0, 0, 0, 0})));
  ASSERT_FALSE(p);
  // CSRCs and an extension: the extension header is looked for after the CSRC list.
  p = RtpPacket::parse(
      test::kept(bytes({0x91, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0x00, 0x01})));
  ASSERT_FALSE(p);
}

TEST(RtpPacket, PaddingLargerThanPayload) {
  // 2 bytes after the header, padding count 3.
  auto p = RtpPacket::parse(test::kept(bytes({0xa0, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0x00, 0x03})));
  ASSERT_FALSE(p);
  EXPECT_TRUE(contains(p.error(), "padding count is larger")) << p.error();
  // The padding may not eat into the extension either.
  p = RtpPacket::parse(
      test::kept(bytes({0xb0, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0x00, 0x00, 0x05})));
  ASSERT_FALSE(p);
  EXPECT_TRUE(contains(p.error(), "padding count is larger")) << p.error();
}

TEST(RtpPacket, PaddingCountZeroOrMissing) {
  auto p = RtpPacket::parse(test::kept(bytes({0xa0, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0x11, 0x00})));
  ASSERT_FALSE(p);
  EXPECT_TRUE(contains(p.error(), "padding count is 0")) << p.error();
  p = RtpPacket::parse(test::kept(bytes({0xa0, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1})));
  ASSERT_FALSE(p);
  EXPECT_TRUE(contains(p.error(), "no padding count")) << p.error();
}

TEST(RtpPacket, ToResultCarriesTheReason) {
  auto p = RtpPacket::parse(test::kept(bytes({0x40, 0x00})));
  auto r = p.toResult();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, std::string(p.error()));
}

TEST(MutableRtpPacket, RewritesInPlace) {
  auto packet = bytes({0xb1, 0x08, 0x00, 0x10, 0x00, 0x00, 0x01, 0x00, 0x11, 0x22, 0x33, 0x44,  //
                       0x01, 0x02, 0x03, 0x04,                                                  //
                       0xbe, 0xde, 0x00, 0x01, 0x30, 0x7f, 0x00, 0x00,                          //
                       0x10, 0x20, 0x00, 0x02});
  const auto original = packet;
  auto p = MutableRtpPacket::parse(packet);
  ASSERT_TRUE(p) << p.error();
  p->setSsrc(0xcafebabe);
  p->setSequenceNumber(0xfffe);
  p->setTimestamp(0x80000001);
  p->setPayloadType(0);
  p->setMarker(true);
  const RtpPacket& v = p->view();
  EXPECT_EQ(v.ssrc(), 0xcafebabeu);
  EXPECT_EQ(v.sequenceNumber(), 0xfffe);
  EXPECT_EQ(v.timestamp(), 0x80000001u);
  EXPECT_EQ(v.payloadType(), 0);
  EXPECT_TRUE(v.marker());
  // Nothing else moved: V, P, X, CC, the CSRC, the extension, the payload and the padding.
  EXPECT_EQ(packet[0], original[0]);
  EXPECT_TRUE(std::equal(packet.begin() + 12, packet.end(), original.begin() + 12));
  // A reparse of the buffer sees the same.
  auto again = RtpPacket::parse(packet);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->ssrc(), 0xcafebabeu);
  EXPECT_EQ(data(again->payload()), bytes({0x10, 0x20}));
  ASSERT_TRUE(again->findExtension(3));
}

TEST(MutableRtpPacket, MarkerAndPayloadTypeShareAByte) {
  auto packet = bytes({0x80, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1});
  auto p = MutableRtpPacket::parse(packet);
  ASSERT_TRUE(p);
  p->setPayloadType(111);
  p->setMarker(true);
  EXPECT_EQ(packet[1], 0x80 | 111);
  p->setPayloadType(0);
  EXPECT_TRUE(p->view().marker());
  p->setMarker(false);
  EXPECT_EQ(packet[1], 0);
  p->setPayloadType(0xff);  // only 7 bits exist: the marker stays as it was
  EXPECT_FALSE(p->view().marker());
  EXPECT_EQ(p->view().payloadType(), 127);
}

TEST(MutableRtpPacket, RefusesWhatTheViewRefuses) {
  auto packet = bytes({0x80, 0x00, 0x00});
  auto p = MutableRtpPacket::parse(packet);
  ASSERT_FALSE(p);
  EXPECT_TRUE(contains(p.error(), "12-byte"));
}

TEST(WriteRtpPacket, RoundTrip) {
  std::array<uint8_t, 172> buffer{};
  std::array<uint8_t, 160> payload{};
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(0xd5 ^ i);
  RtpHeader header{
      .marker = true, .payloadType = 0, .sequenceNumber = 65535, .timestamp = 4294967200u, .ssrc = 42};
  auto size = writeRtpPacket(buffer, header, payload);
  ASSERT_TRUE(size) << size.error().message;
  EXPECT_EQ(*size, 172u);
  auto p = RtpPacket::parse(std::span<const uint8_t>(buffer.data(), *size));
  ASSERT_TRUE(p) << p.error();
  EXPECT_TRUE(p->marker());
  EXPECT_EQ(p->payloadType(), 0);
  EXPECT_EQ(p->sequenceNumber(), 65535);
  EXPECT_EQ(p->timestamp(), 4294967200u);
  EXPECT_EQ(p->ssrc(), 42u);
  EXPECT_EQ(data(p->payload()), std::vector<uint8_t>(payload.begin(), payload.end()));
}

TEST(WriteRtpPacket, Errors) {
  std::array<uint8_t, 20> buffer{};
  std::array<uint8_t, 9> payload{};
  auto tooBig = writeRtpPacket(buffer, RtpHeader{}, payload);
  ASSERT_FALSE(tooBig);
  EXPECT_TRUE(contains(tooBig.error().message, "does not fit"));
  EXPECT_TRUE(writeRtpPacket(buffer, RtpHeader{}, std::span<const uint8_t>(payload.data(), 8)));
  auto badType = writeRtpPacket(buffer, RtpHeader{.payloadType = 128}, {});
  ASSERT_FALSE(badType);
  EXPECT_TRUE(contains(badType.error().message, "127"));
}

}  // namespace
}  // namespace callgate::rtp
