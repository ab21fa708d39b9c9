// SdpWriter: canonical text (RFC 8866 §5 order, CRLF, single spaces) and parse(write(d)) == d.
#include "sdp/sdp_writer.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sdp/attributes.hpp"
#include "sdp/media_view.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp_test_util.hpp"

namespace callgate::sdp {
namespace {

TEST(SdpWriter, WritesEveryLineTypeInCanonicalOrder) {
  SessionDescription sdp;
  sdp.origin = Origin{"alice", "2890844526", "2890842807", "IN", "IP4", "198.51.100.7"};
  sdp.sessionName = "Demo";
  sdp.information = "info";
  sdp.uri = "http://example.com/";
  sdp.emails = {"a@example.com"};
  sdp.phones = {"+1 555 0100"};
  sdp.connection = Connection{"IN", "IP4", "233.252.0.1", 127u, 2u};
  sdp.bandwidths = {{"CT", 128}};
  sdp.timings = {
      Timing{3034423619u, 3042462419u, {RepeatTime{"7d", "1h", {"0", "25h"}}}, {{2882844526u, "-1h"}}}};
  sdp.key = "prompt";
  sdp.attributes = {{"recvonly", std::nullopt}, {"tool", "callgate"}};
  MediaDescription audio;
  audio.media = "audio";
  audio.port = 49170;
  audio.portCount = 2;
  audio.proto = "RTP/AVP";
  audio.formats = {"0", "101"};
  audio.title = "voice";
  audio.connections = {Connection{"IN", "IP6", "2001:db8::1", std::nullopt, std::nullopt}};
  audio.bandwidths = {{"AS", 64}};
  audio.key = "clear:x";
  audio.attributes = {Rtpmap{101, "telephone-event", 8000, std::nullopt}.toAttribute(), {"ptime", "20"}};
  sdp.media.push_back(audio);

  const std::string expected =
      "v=0\r\n"
      "o=alice 2890844526 2890842807 IN IP4 198.51.100.7\r\n"
      "s=Demo\r\n"
      "i=info\r\n"
      "u=http://example.com/\r\n"
      "e=a@example.com\r\n"
      "p=+1 555 0100\r\n"
      "c=IN IP4 233.252.0.1/127/2\r\n"
      "b=CT:128\r\n"
      "t=3034423619 3042462419\r\n"
      "r=7d 1h 0 25h\r\n"
      "z=2882844526 -1h\r\n"
      "k=prompt\r\n"
      "a=recvonly\r\n"
      "a=tool:callgate\r\n"
      "m=audio 49170/2 RTP/AVP 0 101\r\n"
      "i=voice\r\n"
      "c=IN IP6 2001:db8::1\r\n"
      "b=AS:64\r\n"
      "k=clear:x\r\n"
      "a=rtpmap:101 telephone-event/8000\r\n"
      "a=ptime:20\r\n";
  EXPECT_EQ(writeSdp(sdp), expected);
  auto reparsed = parseSdp(expected);
  ASSERT_TRUE(reparsed.ok()) << reparsed.error().message;
  EXPECT_EQ(*reparsed, sdp);
}

TEST(SdpWriter, ADefaultDescriptionIsValid) {
  const SessionDescription empty;
  EXPECT_EQ(writeSdp(empty), "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n");
  auto reparsed = parseSdp(writeSdp(empty));
  ASSERT_TRUE(reparsed.ok()) << reparsed.error().message;
  EXPECT_EQ(*reparsed, empty);
}

TEST(SdpWriter, ReproducesCanonicalInputByteForByte) {
  // Files written with CRLF, single spaces and no trailing lines are canonical already.
  for (const char* name :
       {"example-webrtc-offer.sdp", "example-rfc8866-section5.sdp", "example-rfc4568-crypto.sdp",
        "example-rfc8866-repeat-times.sdp", "example-ice-lite-answer.sdp"}) {
    SCOPED_TRACE(name);
    const std::string text = test::readSdpFile(name);
    auto sdp = parseSdp(text);
    ASSERT_TRUE(sdp.ok()) << sdp.error().message;
    EXPECT_EQ(writeSdp(*sdp), text);
  }
}

TEST(SdpWriter, CanonicalisesLineEndsAndSpacing) {
  auto sdp =
      parseSdp("v=0\no=-  1 1 IN IP4 192.0.2.1\ns=-\nt=0  0\nm=audio  4000 RTP/AVP 0\nb=AS:007\na=sendrecv");
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  EXPECT_EQ(writeSdp(*sdp),
            "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP "
            "0\r\nb=AS:7\r\na=sendrecv\r\n");
}

TEST(SdpWriter, AModelEditedInCodeRoundTrips) {
  SessionDescription sdp = test::parseSdpFile("example-sip-g711.sdp");
  ASSERT_EQ(sdp.media.size(), 1u);
  MediaDescription& audio = sdp.media[0];
  EXPECT_EQ(removeAttributes(audio.attributes, "sendrecv"), 1u);
  audio.attributes.push_back(Attribute{std::string(toString(Direction::kSendOnly)), std::nullopt});
  audio.attributes.push_back(
      Crypto::parse("1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz")
          ->toAttribute());
  audio.port = 20000;
  sdp.origin.sessionVersion = "1";
  const std::string text = writeSdp(sdp);
  EXPECT_NE(text.find("\r\nm=audio 20000 RTP/AVP 0 8 18 101\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\na=sendonly\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNf"), std::string::npos);
  auto reparsed = parseSdp(text);
  ASSERT_TRUE(reparsed.ok()) << reparsed.error().message;
  EXPECT_EQ(*reparsed, sdp);
  EXPECT_EQ(MediaView(*reparsed, reparsed->media[0]).direction().value(), Direction::kSendOnly);
}

TEST(SdpWriter, EqualityNoticesEveryKindOfChange) {
  const SessionDescription base = test::parseSdpFile("example-webrtc-offer.sdp");
  SessionDescription changed = base;
  EXPECT_EQ(changed, base);
  changed.media[1].attributes.back().value->back() = 'X';
  EXPECT_NE(changed, base);
  changed = base;
  std::swap(changed.media[0].attributes[0], changed.media[0].attributes[1]);  // order matters
  EXPECT_NE(changed, base);
  changed = base;
  changed.origin.sessionVersion = "3";
  EXPECT_NE(changed, base);
  changed = base;
  changed.media[0].connections[0].ttl = 1;
  EXPECT_NE(changed, base);
}

}  // namespace
}  // namespace callgate::sdp
