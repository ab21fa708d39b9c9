// SdpParser: the line grammar and order of RFC 8866 §5, limits, and error messages that name the line.
#include "sdp/sdp_parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sdp_test_util.hpp"

namespace callgate::sdp {
namespace {

constexpr std::string_view kHead = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n";

std::string withHead(std::string_view rest) {
  return std::string(kHead) + std::string(rest);
}

// The error of a parse that must fail; an empty message (and a test failure) when it parsed.
std::string errorOf(std::string_view text, ParseLimits limits = {}) {
  auto result = SdpParser(limits).parse(text);
  EXPECT_FALSE(result.ok()) << "parsed but should not: " << text;
  return result.ok() ? std::string() : result.error().message;
}

TEST(SdpParser, ParsesTheMinimalDescription) {
  auto sdp = parseSdp(withHead("t=0 0\r\n"));
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  EXPECT_EQ(sdp->origin.username, "-");
  EXPECT_EQ(sdp->origin.sessionId, "1");
  EXPECT_EQ(sdp->origin.address, "192.0.2.1");
  EXPECT_EQ(sdp->sessionName, "-");
  ASSERT_EQ(sdp->timings.size(), 1u);
  EXPECT_EQ(sdp->timings[0].start, 0u);
  EXPECT_TRUE(sdp->media.empty());
  EXPECT_FALSE(sdp->connection.has_value());
}

TEST(SdpParser, AcceptsLfOnlyLinesAMissingFinalLineEndAndTrailingEmptyLines) {
  const std::string crlf = withHead("t=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n");
  auto reference = parseSdp(crlf);
  ASSERT_TRUE(reference.ok()) << reference.error().message;

  std::string lf = crlf;
  std::erase(lf, '\r');
  auto lfOnly = parseSdp(lf);
  ASSERT_TRUE(lfOnly.ok()) << lfOnly.error().message;
  EXPECT_EQ(*lfOnly, *reference);

  auto noFinalEnd = parseSdp(crlf.substr(0, crlf.size() - 2));
  ASSERT_TRUE(noFinalEnd.ok()) << noFinalEnd.error().message;
  EXPECT_EQ(*noFinalEnd, *reference);

  auto trailing = parseSdp(crlf + "\r\n\r\n");
  ASSERT_TRUE(trailing.ok()) << trailing.error().message;
  EXPECT_EQ(*trailing, *reference);
}

TEST(SdpParser, ToleratesRunsOfSpacesBetweenFields) {
  auto sdp = parseSdp("v=0\r\no=-  7 9  IN IP4 192.0.2.1\r\ns=-\r\nt=0  0\r\nm=audio  4000 RTP/AVP  0 8\r\n");
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  EXPECT_EQ(sdp->origin.sessionId, "7");
  EXPECT_EQ(sdp->origin.sessionVersion, "9");
  ASSERT_EQ(sdp->media.size(), 1u);
  EXPECT_EQ(sdp->media[0].formats, (std::vector<std::string>{"0", "8"}));
}

TEST(SdpParser, KeepsAttributesInOrderWithUnknownOnesVerbatim) {
  auto sdp = parseSdp(
      withHead("t=0 0\r\na=x-vendor:  odd  value ;=: \r\na=rtcp-mux\r\na=empty:\r\nm=audio 4000 RTP/AVP 0\r\n"
               "a=zzz\r\na=rtpmap:0 PCMU/8000\r\n"));
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  ASSERT_EQ(sdp->attributes.size(), 3u);
  EXPECT_EQ(sdp->attributes[0], (Attribute{"x-vendor", "  odd  value ;=: "}));
  EXPECT_EQ(sdp->attributes[1], (Attribute{"rtcp-mux", std::nullopt}));
  EXPECT_EQ(sdp->attributes[2], (Attribute{"empty", ""}));
  EXPECT_NE(sdp->attributes[1], (Attribute{"rtcp-mux", ""}));  // property and empty value stay distinct
  ASSERT_EQ(sdp->media[0].attributes.size(), 2u);
  EXPECT_EQ(sdp->media[0].attributes[0].name, "zzz");
  EXPECT_EQ(sdp->media[0].attributes[1], (Attribute{"rtpmap", "0 PCMU/8000"}));
}

TEST(SdpParser, AcceptsAnEmptySessionName) {
  auto sdp = parseSdp("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=\r\nt=0 0\r\n");
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  EXPECT_EQ(sdp->sessionName, "");
}

TEST(SdpParser, ParsesConnectionAddressesWithTtlAndCount) {
  auto sdp = parseSdp(
      withHead("c=IN IP4 233.252.0.1/127/3\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\nc=IN IP6 ff1e:db8::1/2\r\n"
               "c=IN IP4 192.0.2.9\r\nm=video 0 RTP/AVP 31\r\nc=ATM NSAP 47.0005.80.ffe100/x\r\n"));
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  ASSERT_TRUE(sdp->connection.has_value());
  EXPECT_EQ(*sdp->connection, (Connection{"IN", "IP4", "233.252.0.1", 127u, 3u}));
  ASSERT_EQ(sdp->media[0].connections.size(), 2u);
  EXPECT_EQ(sdp->media[0].connections[0], (Connection{"IN", "IP6", "ff1e:db8::1", std::nullopt, 2u}));
  EXPECT_EQ(sdp->media[0].connections[1], (Connection{"IN", "IP4", "192.0.2.9", std::nullopt, std::nullopt}));
  EXPECT_EQ(sdp->media[1].connections[0].address, "47.0005.80.ffe100/x");  // unknown family: as written
}

TEST(SdpParser, ParsesTheRfc8866SectionFiveExample) {
  const SessionDescription sdp = test::parseSdpFile("example-rfc8866-section5.sdp");
  EXPECT_EQ(sdp.origin, (Origin{"jdoe", "3724394400", "3724394405", "IN", "IP4", "198.51.100.1"}));
  EXPECT_EQ(sdp.sessionName, "Call to John Smith");
  EXPECT_EQ(sdp.information, "SDP Offer #1");
  EXPECT_EQ(sdp.uri, "http://www.jdoe.example.com/home.html");
  EXPECT_EQ(sdp.emails, std::vector<std::string>{"Jane Doe <jane@jdoe.example.com>"});
  EXPECT_EQ(sdp.phones, std::vector<std::string>{"+1 617 555-6011"});
  ASSERT_TRUE(sdp.connection.has_value());
  EXPECT_EQ(sdp.connection->address, "198.51.100.1");
  ASSERT_EQ(sdp.media.size(), 3u);
  EXPECT_EQ(sdp.media[0].media, "audio");
  EXPECT_EQ(sdp.media[0].port, 49170);
  EXPECT_EQ(sdp.media[1].port, 49180);
  EXPECT_EQ(sdp.media[2].media, "video");
  EXPECT_EQ(sdp.media[2].proto, "RTP/AVP");
  EXPECT_EQ(sdp.media[2].formats, std::vector<std::string>{"99"});
  ASSERT_EQ(sdp.media[2].connections.size(), 1u);
  EXPECT_EQ(sdp.media[2].connections[0].addrType, "IP6");
  EXPECT_EQ(sdp.media[2].connections[0].address, "2001:db8::2");
  EXPECT_EQ(sdp.media[2].attributes, (std::vector<Attribute>{{"rtpmap", "99 h263-1998/90000"}}));
}

TEST(SdpParser, ParsesRepeatTimesZonesKeysAndPortCounts) {
  const SessionDescription sdp = test::parseSdpFile("example-rfc8866-repeat-times.sdp");
  ASSERT_EQ(sdp.timings.size(), 1u);
  const Timing& t = sdp.timings[0];
  EXPECT_EQ(t.start, 3034423619u);
  EXPECT_EQ(t.stop, 3042462419u);
  ASSERT_EQ(t.repeats.size(), 2u);
  EXPECT_EQ(t.repeats[0], (RepeatTime{"604800", "3600", {"0", "90000"}}));
  EXPECT_EQ(t.repeats[1], (RepeatTime{"7d", "1h", {"0", "25h"}}));
  EXPECT_EQ(t.zoneAdjustments, (std::vector<TimeZoneAdjustment>{{2882844526u, "-1h"}, {2898848070u, "0"}}));
  EXPECT_EQ(sdp.key, "prompt");
  EXPECT_EQ(*sdp.connection, (Connection{"IN", "IP4", "233.252.0.1", 127u, 3u}));
  ASSERT_EQ(sdp.media.size(), 2u);
  EXPECT_EQ(sdp.media[0].portCount, 2u);
  EXPECT_EQ(sdp.media[0].bandwidths, (std::vector<Bandwidth>{{"AS", 64}}));
  EXPECT_EQ(sdp.media[1].proto, "udp");
  EXPECT_EQ(sdp.media[1].formats, std::vector<std::string>{"wb"});  // not RTP: any token
  EXPECT_EQ(sdp.media[1].title, "whiteboard");
  EXPECT_EQ(sdp.media[1].key, "clear:secret");
}

TEST(SdpParser, AcceptsSeveralTimeDescriptions) {
  auto sdp = parseSdp(withHead("t=10 20\r\nr=7d 1h 0\r\nt=30 40\r\nz=5 -2h\r\nt=50 60\r\n"));
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  ASSERT_EQ(sdp->timings.size(), 3u);
  EXPECT_EQ(sdp->timings[0].repeats.size(), 1u);
  EXPECT_EQ(sdp->timings[1].zoneAdjustments.size(), 1u);
  EXPECT_EQ(sdp->timings[2].start, 50u);
}

// ---- rejected input: every message names the line and the rule ----

TEST(SdpParser, RejectsMissingMandatoryLines) {
  EXPECT_EQ(errorOf(""), "SDP is empty (RFC 8866 §5: v=, o=, s= and t= are required)");
  EXPECT_EQ(errorOf("\r\n\r\n"), "SDP is empty (RFC 8866 §5: v=, o=, s= and t= are required)");
  EXPECT_NE(errorOf("o=- 1 1 IN IP4 192.0.2.1\r\n").find("SDP line 1: expected v= but found o="),
            std::string::npos);
  EXPECT_NE(errorOf("v=0\r\ns=-\r\nt=0 0\r\n").find("SDP line 2: expected o= but found s="),
            std::string::npos);
  EXPECT_NE(
      errorOf("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nt=0 0\r\n").find("SDP line 3: expected s= but found t="),
      std::string::npos);
  EXPECT_NE(errorOf("v=0\r\n").find("without o="), std::string::npos);
  EXPECT_NE(errorOf("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n").find("without s="), std::string::npos);
  EXPECT_EQ(errorOf(kHead), "SDP has no t= line (RFC 8866 §5.9: at least one is required)");
  EXPECT_NE(errorOf(withHead("m=audio 4000 RTP/AVP 0\r\n")).find("SDP line 4: m= before any t="),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("a=sendrecv\r\n")).find("SDP line 4: a= before any t="), std::string::npos);
}

TEST(SdpParser, RejectsBadLineSyntax) {
  EXPECT_NE(errorOf("V=0\r\n").find("SDP line 1: 'V' is not a type letter"), std::string::npos);
  EXPECT_NE(errorOf(withHead("t=0 0\r\n a=x\r\n")).find("SDP line 5: ' ' is not a type letter"),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("t=0 0\r\na:rtcp-mux\r\n")).find("SDP line 5: no '=' after the type letter"),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("t=0 0\r\na =x\r\n")).find("SDP line 5: no '='"), std::string::npos);
  EXPECT_NE(errorOf(withHead("t=0 0\r\na\r\n")).find("SDP line 5: no '='"), std::string::npos);
  EXPECT_NE(errorOf(withHead("t=0 0\r\nx=foo\r\n")).find("SDP line 5: unknown line type x="),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("t=0 0\r\n\r\na=x\r\n")).find("SDP line 5: empty line inside the description"),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("t=0 0\r\na=x\ry\r\n")).find("SDP line 5: contains a NUL or a stray CR"),
            std::string::npos);
  EXPECT_NE(
      errorOf(withHead(std::string("t=0 0\r\na=x") + '\0' + "y\r\n")).find("SDP line 5: contains a NUL"),
      std::string::npos);
  EXPECT_NE(errorOf("v=1\r\n").find("SDP line 1: v=1 is not version 0 (RFC 8866 §5.1)"), std::string::npos);
  EXPECT_NE(
      errorOf(withHead("t=0 0\r\na=bad name:x\r\n")).find("SDP line 5: a= name 'bad name' is not a token"),
      std::string::npos);
  EXPECT_NE(errorOf(withHead("t=0 0\r\na=\r\n")).find("SDP line 5: a= name '' is not a token"),
            std::string::npos);
}

TEST(SdpParser, RejectsBadFieldValues) {
  EXPECT_NE(errorOf("v=0\r\no=- 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n")
                .find("SDP line 2: o= needs exactly 6 fields"),
            std::string::npos);
  EXPECT_NE(
      errorOf("v=0\r\no=- x1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n").find("SDP line 2: o= sess-id 'x1'"),
      std::string::npos);
  EXPECT_NE(errorOf(withHead("c=IN IP4\r\nt=0 0\r\n")).find("SDP line 4: c= needs exactly"),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("c=IN IP4 233.252.0.1/300\r\nt=0 0\r\n")).find("SDP line 4: c= TTL"),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("c=IN IP6 ff1e::1/1/2\r\nt=0 0\r\n")).find("SDP line 4: c= IP6 address count"),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("b=AS\r\nt=0 0\r\n")).find("SDP line 4: b= must be <bwtype>:<bandwidth>"),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("b=AS:fast\r\nt=0 0\r\n")).find("SDP line 4: b= bandwidth 'fast'"),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("t=0\r\n")).find("SDP line 4: t= needs <start-time> <stop-time>"),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("t=now 0\r\n")).find("SDP line 4: t= times must be decimal"), std::string::npos);
  EXPECT_NE(errorOf(withHead("t=0 0\r\nr=1x 1 0\r\n")).find("SDP line 5: r= value '1x' is not a typed time"),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("t=0 0\r\nr=1d 1h\r\n")).find("SDP line 5: r= needs"), std::string::npos);
  EXPECT_NE(errorOf(withHead("t=0 0\r\nz=2882844526\r\n"))
                .find("SDP line 5: z= adjustment time '2882844526' has no offset"),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("u=\r\nt=0 0\r\n")).find("SDP line 4: u= is empty"), std::string::npos);
  EXPECT_NE(errorOf(withHead("t=0 0\r\nk=\r\n")).find("SDP line 5: k= is empty"), std::string::npos);
}

TEST(SdpParser, RejectsBadMediaLines) {
  auto media = [](std::string_view m) { return errorOf(withHead("t=0 0\r\n" + std::string(m) + "\r\n")); };
  EXPECT_NE(media("m=audio 70000 RTP/AVP 0")
                .find("SDP line 5: m= port '70000' is not a number 0-65535 (RFC 8866 §5.14)"),
            std::string::npos);
  EXPECT_NE(media("m=audio -1 RTP/AVP 0").find("SDP line 5: m= port '-1'"), std::string::npos);
  EXPECT_NE(media("m=audio 4000/0 RTP/AVP 0").find("SDP line 5: m= number of ports in '4000/0'"),
            std::string::npos);
  EXPECT_NE(media("m=audio 4000 RTP//AVP 0").find("SDP line 5: m= proto 'RTP//AVP'"), std::string::npos);
  EXPECT_NE(media("m=audio 4000 RTP/AVP/ 0").find("SDP line 5: m= proto"), std::string::npos);
  EXPECT_NE(media("m=audio 4000 RTP/AVP").find("SDP line 5: m= has no <fmt>"), std::string::npos);
  EXPECT_NE(media("m=audio 4000").find("SDP line 5: m= needs <media> <port> <proto>"), std::string::npos);
  EXPECT_NE(media("m=audio 4000 RTP/AVP 128").find("SDP line 5: m= format '128' is not an RTP payload type"),
            std::string::npos);
  EXPECT_NE(media("m=audio 4000 UDP/TLS/RTP/SAVPF opus").find("is not an RTP payload type"),
            std::string::npos);
  EXPECT_NE(media("m=au\"dio 4000 RTP/AVP 0").find("SDP line 5: m= media"), std::string::npos);
}

TEST(SdpParser, RejectsLinesOutOfOrderOrRepeated) {
  EXPECT_NE(
      errorOf(withHead("t=0 0\r\nc=IN IP4 192.0.2.1\r\n")).find("SDP line 5: c= after t= is out of order"),
      std::string::npos);
  EXPECT_NE(errorOf(withHead("t=0 0\r\na=x\r\nk=prompt\r\n")).find("SDP line 6: k= after a= is out of order"),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("s=again\r\nt=0 0\r\n")).find("SDP line 4: a second s= line"),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("c=IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\n"))
                .find("SDP line 5: a second c="),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("t=0 0\r\nr=7d 1h 0\r\nz=1 0\r\nz=2 0\r\n"))
                .find("SDP line 7: z= must follow t= or r="),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("b=AS:1\r\nr=7d 1h 0\r\nt=0 0\r\n")).find("SDP line 5: r= must follow t= or r="),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("t=0 0\r\nm=audio 4000 RTP/AVP 0\r\ns=x\r\n"))
                .find("SDP line 6: s= is not allowed in a media description"),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("t=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=x\r\nc=IN IP4 192.0.2.1\r\n"))
                .find("SDP line 7: c= after a= is out of order in a media description"),
            std::string::npos);
  EXPECT_NE(errorOf(withHead("t=0 0\r\nm=audio 4000 RTP/AVP 0\r\ni=a\r\ni=b\r\n"))
                .find("SDP line 7: a second i= line in a media description"),
            std::string::npos);
}

TEST(SdpParser, EnforcesSizeLimits) {
  const std::string sdp =
      withHead("t=0 0\r\nm=audio 4000 RTP/AVP 0\r\nm=video 4002 RTP/AVP 96\r\na=x:12345678\r\n");
  ASSERT_TRUE(parseSdp(sdp).ok());

  ParseLimits bytes;
  bytes.maxBytes = sdp.size() - 1;
  EXPECT_EQ(errorOf(sdp, bytes), "SDP of " + std::to_string(sdp.size()) + " bytes exceeds the limit of " +
                                     std::to_string(sdp.size() - 1));
  ParseLimits lines;
  lines.maxLines = 6;
  EXPECT_EQ(errorOf(sdp, lines), "SDP has more than 6 lines");
  ParseLimits media;
  media.maxMediaSections = 1;
  EXPECT_EQ(errorOf(sdp, media), "SDP line 6: more than 1 media sections");
  ParseLimits lineBytes;
  lineBytes.maxLineBytes = 12;
  EXPECT_EQ(errorOf(sdp, lineBytes), "SDP line 2: longer than 12 bytes");
}

}  // namespace
}  // namespace callgate::sdp
