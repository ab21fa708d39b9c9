#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "rtp/rtcp_bye.hpp"
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
  return *p;
}

std::vector<SdesItem> itemsOf(const SourceDescription& sdes) {
  std::vector<SdesItem> out;
  auto it = sdes.items();
  while (auto item = it.next()) out.push_back(*item);
  EXPECT_TRUE(it.error().empty());
  return out;
}

TEST(SourceDescription, TwoChunksSeveralItemsAndPadding) {
  // mediasoup's TestSdes.cpp "buffer2" (ISC): padding bit, SC=2; chunk 1 has CNAME "qwerty" and TOOL
  // "iñaki" then 4 nulls; chunk 2 has LOC "somewhere œæ€" (17 octets) then 1 null; 4 padding octets.
  const auto packet = bytes({0xa2, 0xca, 0x00, 0x0d,                          //
                             0x00, 0x00, 0x04, 0xd2,                          // SSRC 1234
                             0x01, 0x06, 0x71, 0x77, 0x65, 0x72, 0x74, 0x79,  // CNAME qwerty
                             0x06, 0x06, 0x69, 0xc3, 0xb1, 0x61, 0x6b, 0x69,  // TOOL iñaki
                             0x00, 0x00, 0x00, 0x00,                          //
                             0x00, 0x00, 0x16, 0x2e,                          // SSRC 5678
                             0x05, 0x11, 0x73, 0x6f, 0x6d, 0x65, 0x77, 0x68, 0x65, 0x72,
                             0x65, 0x20, 0xc5, 0x93, 0xc3, 0xa6, 0xe2, 0x82, 0xac, 0x00,  // LOC, 1 null
                             0x00, 0x00, 0x00, 0x04});  // RTCP padding (the test vector's last octet is 0; a
                                                        // padding count must count itself, so 4 here)
  auto sdes = SourceDescription::parse(only(packet));
  ASSERT_TRUE(sdes) << sdes.error();
  EXPECT_EQ(sdes->chunkCount(), 2u);
  const auto items = itemsOf(*sdes);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].ssrc, 1234u);
  EXPECT_EQ(items[0].type, sdes::kCname);
  EXPECT_EQ(items[0].text, "qwerty");
  EXPECT_EQ(items[1].ssrc, 1234u);
  EXPECT_EQ(items[1].type, sdes::kTool);
  EXPECT_EQ(items[1].text, "iñaki");
  EXPECT_EQ(items[2].ssrc, 5678u);
  EXPECT_EQ(items[2].type, sdes::kLoc);
  EXPECT_EQ(items[2].text, "somewhere œæ€");
  EXPECT_EQ(sdes->cname(1234), "qwerty");
  EXPECT_FALSE(sdes->cname(5678));  // no CNAME in that chunk
}

TEST(SourceDescription, EmptyItemListAndNoChunks) {
  // A chunk whose list is only the terminator, and an SDES with SC=0.
  auto sdes =
      SourceDescription::parse(only(test::kept(bytes({0x81, 0xca, 0x00, 0x02, 0, 0, 0, 7, 0, 0, 0, 0}))));
  ASSERT_TRUE(sdes) << sdes.error();
  EXPECT_TRUE(itemsOf(*sdes).empty());
  auto none = SourceDescription::parse(only(test::kept(bytes({0x80, 0xca, 0x00, 0x00}))));
  ASSERT_TRUE(none) << none.error();
  EXPECT_EQ(none->chunkCount(), 0u);
}

TEST(SourceDescription, Malformed) {
  // Missing null octets (mediasoup's "parsing a packet with missing null octets fails").
  auto sdes = SourceDescription::parse(
      only(test::kept(bytes({0x81, 0xca, 0x00, 0x02, 0x11, 0x22, 0x33, 0x44, 0x08, 0x02, 0x61, 0x62}))));
  ASSERT_FALSE(sdes);
  EXPECT_TRUE(contains(sdes.error(), "null terminator")) << sdes.error();
  // An item length beyond the packet.
  sdes = SourceDescription::parse(
      only(test::kept(bytes({0x81, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x09, 0x61, 0x00}))));
  ASSERT_FALSE(sdes);
  EXPECT_TRUE(contains(sdes.error(), "item length")) << sdes.error();
  // An item type with no length octet.
  sdes = SourceDescription::parse(
      only(test::kept(bytes({0x81, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x00, 0x00, 0x00, 0x01}))));
  ASSERT_TRUE(sdes);  // terminator first: the 0x01 is in the padding, not an item
  sdes = SourceDescription::parse(
      only(test::kept(bytes({0x81, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x01, 0x61, 0x01}))));
  ASSERT_FALSE(sdes);
  EXPECT_TRUE(contains(sdes.error(), "truncated")) << sdes.error();
  // SC says 2 chunks, there is 1.
  sdes = SourceDescription::parse(only(test::kept(bytes({0x82, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 0}))));
  ASSERT_FALSE(sdes);
  EXPECT_TRUE(contains(sdes.error(), "fewer chunks")) << sdes.error();
  // Not an SDES.
  EXPECT_FALSE(SourceDescription::parse(only(test::kept(bytes({0x80, 0xcb, 0x00, 0x00})))));
}

TEST(SourceDescription, CnameRoundTripEveryPaddingLength) {
  // Lengths 0..8 cover the four ways the terminator and padding fall, and 255 the maximum.
  std::vector<std::string> names;
  for (size_t n = 0; n <= 8; ++n) names.push_back(std::string(n, 'a' + static_cast<char>(n)));
  names.push_back(std::string(255, 'z'));
  for (const std::string& name : names) {
    std::array<uint8_t, 300> out{};
    out.fill(0xee);
    auto size = writeSdesCname(out, 0xfeedface, name);
    ASSERT_TRUE(size) << size.error().message;
    EXPECT_EQ(*size % 4, 0u);
    EXPECT_EQ(*size, 4 + ((4 + 2 + name.size() + 1 + 3) & ~size_t{3})) << name.size();
    // A null octet at least, all nulls to the end.
    for (size_t i = 10 + name.size(); i < *size; ++i) EXPECT_EQ(out[i], 0) << name.size() << " at " << i;
    EXPECT_EQ(out[*size], 0xee);  // nothing written past the size
    RtcpIterator it{std::span(out).first(*size)};
    auto packet = it.next();
    ASSERT_TRUE(packet) << it.error();
    auto sdes = SourceDescription::parse(*packet);
    ASSERT_TRUE(sdes) << sdes.error();
    EXPECT_EQ(sdes->cname(0xfeedface), name);
  }
}

TEST(SourceDescription, WriterErrors) {
  std::array<uint8_t, 300> out{};
  auto tooLong = writeSdesCname(out, 1, std::string(256, 'x'));
  ASSERT_FALSE(tooLong);
  EXPECT_TRUE(contains(tooLong.error().message, "255"));
  std::array<uint8_t, 15> small{};
  EXPECT_FALSE(writeSdesCname(small, 1, "abcd"));  // needs 16
  std::array<uint8_t, 16> exact{};
  EXPECT_TRUE(writeSdesCname(exact, 1, "abcd"));
}

TEST(Bye, RoundTripWithAndWithoutReason) {
  const std::vector<uint32_t> sources = {0x11111111, 0x22222222};
  for (std::string_view reason :
       {std::string_view{}, std::string_view{"x"}, std::string_view{"hangup"}, std::string_view{"bye!"}}) {
    std::array<uint8_t, 64> out{};
    auto size = writeBye(out, sources, reason);
    ASSERT_TRUE(size) << size.error().message;
    EXPECT_EQ(*size % 4, 0u);
    auto bye = Bye::parse(only(std::span(out).first(*size)));
    ASSERT_TRUE(bye) << bye.error();
    ASSERT_EQ(bye->sourceCount(), 2u);
    EXPECT_EQ(bye->source(0), 0x11111111u);
    EXPECT_EQ(bye->source(1), 0x22222222u);
    EXPECT_EQ(bye->source(2), 0u);
    EXPECT_EQ(bye->reason(), reason);
  }
}

TEST(Bye, Malformed) {
  // SC=2 with one source.
  auto bye = Bye::parse(only(test::kept(bytes({0x82, 0xcb, 0x00, 0x01, 0, 0, 0, 1}))));
  ASSERT_FALSE(bye);
  EXPECT_TRUE(contains(bye.error(), "SC sources")) << bye.error();
  // Reason length 10 with 3 octets there.
  bye = Bye::parse(only(test::kept(bytes({0x81, 0xcb, 0x00, 0x02, 0, 0, 0, 1, 0x0a, 0x61, 0x62, 0x63}))));
  ASSERT_FALSE(bye);
  EXPECT_TRUE(contains(bye.error(), "reason")) << bye.error();
  std::array<uint8_t, 64> out{};
  EXPECT_FALSE(writeBye(out, std::vector<uint32_t>(32, 1)));
  EXPECT_FALSE(writeBye(out, {}, std::string(256, 'r')));
  std::array<uint8_t, 7> small{};
  const std::array<uint32_t, 1> one{1};
  EXPECT_FALSE(writeBye(small, one));
}

}  // namespace
}  // namespace callgate::rtp
