// The typed attribute parsers on their own: accepted forms, the values they give, toString() as the inverse
// of parse(), and rejected forms with messages that name the rule.
#include "sdp/attributes.hpp"

#include <gtest/gtest.h>

#include <string>

namespace callgate::sdp {
namespace {

template <typename T>
std::string errorOf(std::string_view value) {
  auto result = T::parse(value);
  EXPECT_FALSE(result.ok()) << T::kName << " parsed but should not: " << value;
  return result.ok() ? std::string() : result.error().message;
}

template <typename T>
void expectRoundTrip(std::string_view value) {
  auto parsed = T::parse(value);
  ASSERT_TRUE(parsed.ok()) << value << ": " << parsed.error().message;
  EXPECT_EQ(parsed->toString(), value);
  auto again = T::parse(parsed->toString());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *parsed);
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(SdpAttributes, Rtpmap) {
  auto opus = Rtpmap::parse("111 opus/48000/2");
  ASSERT_TRUE(opus.ok());
  EXPECT_EQ(*opus, (Rtpmap{111, "opus", 48000, 2u}));
  EXPECT_EQ(opus->channelCount(), 2u);
  auto pcmu = Rtpmap::parse("0 PCMU/8000");
  ASSERT_TRUE(pcmu.ok());
  EXPECT_EQ(pcmu->channels, std::nullopt);
  EXPECT_EQ(pcmu->channelCount(), 1u);
  expectRoundTrip<Rtpmap>("101 telephone-event/8000");
  expectRoundTrip<Rtpmap>("96 VP8/90000");
  EXPECT_TRUE(contains(errorOf<Rtpmap>("128 opus/48000"), "payload type '128' is not 0-127"));
  EXPECT_TRUE(contains(errorOf<Rtpmap>("96 opus"), "has no clock rate"));
  EXPECT_TRUE(contains(errorOf<Rtpmap>("96 opus/0"), "clock rate '0' is not a positive number"));
  EXPECT_TRUE(contains(errorOf<Rtpmap>("96 opus/48000/0"), "are not a channel count 1-255"));
  EXPECT_TRUE(contains(errorOf<Rtpmap>("96"), "rtpmap needs"));
  EXPECT_TRUE(contains(errorOf<Rtpmap>("96 opus/48000 extra"), "rtpmap needs"));
}

TEST(SdpAttributes, StaticPayloadTypes) {
  EXPECT_EQ(staticRtpmap(0), (Rtpmap{0, "PCMU", 8000, std::nullopt}));
  EXPECT_EQ(staticRtpmap(8), (Rtpmap{8, "PCMA", 8000, std::nullopt}));
  // RFC 3551 §4.5.2: G.722 is 16 kHz audio but its RTP clock is 8000 for historical reasons.
  EXPECT_EQ(staticRtpmap(9), (Rtpmap{9, "G722", 8000, std::nullopt}));
  EXPECT_EQ(staticRtpmap(10), (Rtpmap{10, "L16", 44100, 2u}));
  EXPECT_EQ(staticRtpmap(2), std::nullopt);   // unassigned since RFC 3551
  EXPECT_EQ(staticRtpmap(96), std::nullopt);  // dynamic
}

TEST(SdpAttributes, Fmtp) {
  auto fmtp = Fmtp::parse("111 minptime=10; useinbandfec=1;stereo");
  ASSERT_TRUE(fmtp.ok());
  EXPECT_EQ(fmtp->format, "111");
  EXPECT_EQ(fmtp->parameter("minptime"), "10");
  EXPECT_EQ(fmtp->parameter("USEINBANDFEC"), "1");
  EXPECT_EQ(fmtp->parameter("stereo"), "");
  EXPECT_EQ(fmtp->parameter("maxplaybackrate"), std::nullopt);
  ASSERT_EQ(fmtp->parameterList().size(), 3u);
  auto events = Fmtp::parse("101 0-16");
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->parameters, "0-16");
  auto h264 = Fmtp::parse("102 sprop-parameter-sets=Z0IACpZTBYmI,aMljiA==;packetization-mode=1");
  ASSERT_TRUE(h264.ok());
  EXPECT_EQ(h264->parameter("sprop-parameter-sets"), "Z0IACpZTBYmI,aMljiA==");
  expectRoundTrip<Fmtp>("97 apt=96");
  expectRoundTrip<Fmtp>("101");
  EXPECT_TRUE(contains(errorOf<Fmtp>(""), "fmtp format '' is not a token"));
}

TEST(SdpAttributes, RtcpFeedback) {
  auto pli = RtcpFeedback::parse("96 nack pli");
  ASSERT_TRUE(pli.ok());
  EXPECT_EQ(*pli, (RtcpFeedback{96, "nack", "pli"}));
  EXPECT_TRUE(pli->appliesTo(96));
  EXPECT_FALSE(pli->appliesTo(97));
  auto all = RtcpFeedback::parse("* trr-int 100");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->payloadType, std::nullopt);
  EXPECT_TRUE(all->appliesTo(0));
  expectRoundTrip<RtcpFeedback>("96 goog-remb");
  expectRoundTrip<RtcpFeedback>("102 ccm fir");
  EXPECT_TRUE(contains(errorOf<RtcpFeedback>("300 nack"), "payload type '300' is not 0-127 or '*'"));
  EXPECT_TRUE(contains(errorOf<RtcpFeedback>("96"), "rtcp-fb needs"));
  EXPECT_TRUE(contains(errorOf<RtcpFeedback>("* trr-int soon"), "trr-int 'soon'"));
}

TEST(SdpAttributes, Candidate) {
  auto srflx = Candidate::parse(
      "2989839147 1 udp 1686052607 203.0.113.7 56143 typ srflx raddr 192.168.1.20 rport 56143 generation 0 "
      "network-id 1 network-cost 10");
  ASSERT_TRUE(srflx.ok()) << srflx.error().message;
  EXPECT_EQ(srflx->foundation, "2989839147");
  EXPECT_EQ(srflx->component, 1);
  EXPECT_EQ(srflx->transport, "udp");
  EXPECT_EQ(srflx->priority, 1686052607u);
  EXPECT_EQ(srflx->address, "203.0.113.7");
  EXPECT_EQ(srflx->port, 56143);
  EXPECT_EQ(srflx->type, "srflx");
  EXPECT_EQ(srflx->relatedAddress, "192.168.1.20");
  EXPECT_EQ(srflx->relatedPort, 56143);
  ASSERT_EQ(srflx->extensions.size(), 3u);
  EXPECT_EQ(srflx->extensions[0], (std::pair<std::string, std::string>{"generation", "0"}));
  EXPECT_EQ(srflx->extension("network-cost"), "10");
  EXPECT_EQ(srflx->extension("ufrag"), std::nullopt);

  auto mdns =
      Candidate::parse("1 1 UDP 2130706431 8e7a1c36-4a2d-4c1b-9c6e-0f1e2d3c4b5a.local 50000 typ host");
  ASSERT_TRUE(mdns.ok());
  EXPECT_EQ(mdns->address, "8e7a1c36-4a2d-4c1b-9c6e-0f1e2d3c4b5a.local");
  auto tcp = Candidate::parse("3 1 TCP 1694498815 2001:db8::20 9 typ host tcptype active");
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->extension("tcptype"), "active");

  expectRoundTrip<Candidate>("a+/Z 2 UDP 1 192.0.2.1 0 typ relay raddr 0.0.0.0 rport 0 ufrag x");
  EXPECT_TRUE(contains(errorOf<Candidate>("1 1 udp 1 192.0.2.1 5000"), "candidate needs"));
  EXPECT_TRUE(contains(errorOf<Candidate>("f*o 1 udp 1 192.0.2.1 5000 typ host"),
                       "foundation 'f*o' is not 1-32 ice-char"));
  EXPECT_TRUE(
      contains(errorOf<Candidate>(std::string(33, 'a') + " 1 udp 1 192.0.2.1 5000 typ host"), "foundation"));
  EXPECT_TRUE(
      contains(errorOf<Candidate>("1 0 udp 1 192.0.2.1 5000 typ host"), "component-id '0' is not 1-256"));
  EXPECT_TRUE(
      contains(errorOf<Candidate>("1 1 udp 2147483648 192.0.2.1 5000 typ host"), "priority '2147483648'"));
  EXPECT_TRUE(
      contains(errorOf<Candidate>("1 1 udp 1 192.0.2.1 65536 typ host"), "port '65536' is not 0-65535"));
  EXPECT_TRUE(contains(errorOf<Candidate>("1 1 udp 1 192.0.2.1 5000 type host"), "expects 'typ'"));
  EXPECT_TRUE(contains(errorOf<Candidate>("1 1 udp 1 192.0.2.1 5000 typ host generation"),
                       "extension 'generation' has no value"));
  EXPECT_TRUE(contains(errorOf<Candidate>("1 1 udp 1 192.0.2.1 5000 typ srflx raddr 10.0.0.1 rport x"),
                       "rport 'x' is not 0-65535 (RFC 8839 §5.1)"));
}

TEST(SdpAttributes, FingerprintAndSetup) {
  const std::string hex =
      "D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F";
  auto fp = Fingerprint::parse("sha-256 " + hex);
  ASSERT_TRUE(fp.ok()) << fp.error().message;
  EXPECT_EQ(fp->hashFunction, "sha-256");
  const std::vector<uint8_t> bytes = fp->bytes();
  ASSERT_EQ(bytes.size(), 32u);
  EXPECT_EQ(bytes.front(), 0xd2);
  EXPECT_EQ(bytes.back(), 0x0f);
  expectRoundTrip<Fingerprint>("sha-1 4a:ad:b9:b1:3f:82:18:3b:54:02:12:df:3e:5d:49:6b:19:e5:7c:ab");
  EXPECT_TRUE(contains(errorOf<Fingerprint>("sha-256 D2:FA"), "fingerprint has 2 bytes, sha-256 gives 32"));
  EXPECT_TRUE(contains(errorOf<Fingerprint>("sha-256 D2FA"), "is not hex pairs separated by ':'"));
  EXPECT_TRUE(contains(errorOf<Fingerprint>("sha-256 D2:FG"), "is not hex pairs"));
  EXPECT_TRUE(contains(errorOf<Fingerprint>("sha-256"), "fingerprint needs"));

  EXPECT_EQ(SetupAttribute::parse("actpass")->role, SetupRole::kActpass);
  EXPECT_EQ(SetupAttribute::parse("active")->role, SetupRole::kActive);
  EXPECT_EQ(SetupAttribute::parse("passive")->role, SetupRole::kPassive);
  EXPECT_EQ(SetupAttribute::parse("holdconn")->role, SetupRole::kHoldconn);
  EXPECT_EQ((SetupAttribute{SetupRole::kPassive}).toAttribute(), (Attribute{"setup", "passive"}));
  EXPECT_TRUE(contains(errorOf<SetupAttribute>("both"),
                       "setup role 'both' is not active, passive, actpass or holdconn"));
}

TEST(SdpAttributes, Direction) {
  EXPECT_EQ(directionFromName("sendonly"), Direction::kSendOnly);
  EXPECT_EQ(directionFromName("rtcp-mux"), std::nullopt);
  EXPECT_EQ(reverse(Direction::kSendOnly), Direction::kRecvOnly);
  EXPECT_EQ(reverse(Direction::kRecvOnly), Direction::kSendOnly);
  EXPECT_EQ(reverse(Direction::kInactive), Direction::kInactive);
  EXPECT_TRUE(sends(Direction::kSendRecv));
  EXPECT_FALSE(sends(Direction::kRecvOnly));
  EXPECT_TRUE(receives(Direction::kRecvOnly));
  EXPECT_EQ(toString(Direction::kInactive), "inactive");
}

TEST(SdpAttributes, SsrcSsrcGroupAndMsid) {
  auto cname = Ssrc::parse("1523925593 cname:sip:3001@127.0.0.1;transport=udp");
  ASSERT_TRUE(cname.ok());
  EXPECT_EQ(*cname, (Ssrc{1523925593u, "cname", "sip:3001@127.0.0.1;transport=udp"}));
  auto msid = Ssrc::parse("3735928559 msid:stream track");
  ASSERT_TRUE(msid.ok());
  EXPECT_EQ(msid->value, "stream track");
  expectRoundTrip<Ssrc>("4294967295 label");
  EXPECT_TRUE(contains(errorOf<Ssrc>("4294967296 cname:x"), "ssrc-id '4294967296' is not 0 to 2^32-1"));
  EXPECT_TRUE(contains(errorOf<Ssrc>("1234"), "ssrc needs"));

  auto fid = SsrcGroup::parse("FID 1122334455 2233445566");
  ASSERT_TRUE(fid.ok());
  EXPECT_EQ(*fid, (SsrcGroup{"FID", {1122334455u, 2233445566u}}));
  expectRoundTrip<SsrcGroup>("SIM 1 2 3");
  EXPECT_TRUE(contains(errorOf<SsrcGroup>("FID 1 x"), "ssrc-group ssrc-id 'x'"));

  auto stream = Msid::parse("9f3c1d2e-stream 5b7a9c30-8c0f-4ab1-9f0d-1c2d3e4f5a6b");
  ASSERT_TRUE(stream.ok());
  EXPECT_EQ(stream->id, "9f3c1d2e-stream");
  EXPECT_EQ(stream->appData, "5b7a9c30-8c0f-4ab1-9f0d-1c2d3e4f5a6b");
  expectRoundTrip<Msid>("-");
  EXPECT_TRUE(contains(errorOf<Msid>(std::string(65, 'x')), "msid id"));
  EXPECT_TRUE(contains(errorOf<Msid>("a b c"), "msid needs"));
}

TEST(SdpAttributes, Extmap) {
  auto level = Extmap::parse("1 urn:ietf:params:rtp-hdrext:ssrc-audio-level");
  ASSERT_TRUE(level.ok());
  EXPECT_EQ(*level, (Extmap{1, std::nullopt, "urn:ietf:params:rtp-hdrext:ssrc-audio-level", ""}));
  auto directed = Extmap::parse("3/sendonly urn:ietf:params:rtp-hdrext:toffset attr1 attr2");
  ASSERT_TRUE(directed.ok());
  EXPECT_EQ(directed->direction, Direction::kSendOnly);
  EXPECT_EQ(directed->attributes, "attr1 attr2");
  expectRoundTrip<Extmap>("4096/recvonly urn:x");
  EXPECT_TRUE(contains(errorOf<Extmap>("0 urn:x"), "extmap id '0' is not 1-255 or 4096-4351"));
  EXPECT_TRUE(contains(errorOf<Extmap>("256 urn:x"), "extmap id '256'"));
  EXPECT_TRUE(contains(errorOf<Extmap>("4352 urn:x"), "extmap id '4352'"));
  EXPECT_TRUE(contains(errorOf<Extmap>("1/both urn:x"), "extmap direction 'both'"));
  EXPECT_TRUE(contains(errorOf<Extmap>("1"), "extmap needs"));
}

TEST(SdpAttributes, CryptoFromRfc4568) {
  auto crypto = Crypto::parse(
      "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 "
      "FEC_ORDER=FEC_SRTP");
  ASSERT_TRUE(crypto.ok()) << crypto.error().message;
  EXPECT_EQ(crypto->tag, 1u);
  EXPECT_EQ(crypto->suite, "AES_CM_128_HMAC_SHA1_80");
  ASSERT_EQ(crypto->keyParams.size(), 1u);
  const CryptoKeyParam& key = crypto->keyParams[0];
  EXPECT_EQ(key.method, "inline");
  EXPECT_EQ(key.keySalt, "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz");
  EXPECT_EQ(key.lifetime, "2^20");
  EXPECT_EQ(key.mkiValue, 1u);
  EXPECT_EQ(key.mkiLength, 4);
  auto bytes = key.keySaltBytes();
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), 30u);  // 16-byte master key || 14-byte master salt (RFC 4568 §6.2)
  EXPECT_EQ(std::string(bytes->begin(), bytes->begin() + 8),
            "YS___sem");  // python3: base64.b64decode(...) == b"YS___semctl () {..."
  EXPECT_EQ(crypto->sessionParams, std::vector<std::string>{"FEC_ORDER=FEC_SRTP"});

  expectRoundTrip<Crypto>(
      "2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:32");
  expectRoundTrip<Crypto>(
      "3 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj KDR=1 UNENCRYPTED_SRTCP");
  expectRoundTrip<Crypto>(
      "1 AES_CM_128_HMAC_SHA1_80 "
      "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|1048576;inline:"
      "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20");

  EXPECT_TRUE(contains(errorOf<Crypto>("1 AES_CM_128_HMAC_SHA1_80"),
                       "crypto needs <tag> <crypto-suite> <key-params>"));
  EXPECT_TRUE(
      contains(errorOf<Crypto>("1234567890 AES_CM_128_HMAC_SHA1_80 inline:QUJD"), "tag '1234567890'"));
  EXPECT_TRUE(contains(errorOf<Crypto>("1 AES-CM inline:QUJD"), "suite 'AES-CM'"));
  EXPECT_TRUE(
      contains(errorOf<Crypto>("1 AES_CM_128_HMAC_SHA1_80 inline:QU*D"), "key||salt 'QU*D' is not base64"));
  EXPECT_TRUE(contains(errorOf<Crypto>("1 AES_CM_128_HMAC_SHA1_80 inline:QUJD|1:200"), "MKI '1:200'"));
  EXPECT_TRUE(contains(errorOf<Crypto>("1 AES_CM_128_HMAC_SHA1_80 inline:QUJD|1:4|2^20"),
                       "lifetime '2^20' is misplaced"));
  EXPECT_TRUE(contains(errorOf<Crypto>("1 AES_CM_128_HMAC_SHA1_80 inline:QUJD|x"), "lifetime 'x'"));
  EXPECT_TRUE(
      contains(errorOf<Crypto>("1 AES_CM_128_HMAC_SHA1_80 QUJD"), "key-param 'QUJD' is not <method>:<info>"));
  auto badBase64 = Crypto::parse("1 AES_CM_128_HMAC_SHA1_80 inline:QUJ");
  ASSERT_TRUE(badBase64.ok());  // the characters are base64; the length is checked when decoding
  EXPECT_FALSE(badBase64->keyParams[0].keySaltBytes().ok());
}

TEST(SdpAttributes, GroupAndRtcp) {
  auto bundle = Group::parse("BUNDLE 0 1 data");
  ASSERT_TRUE(bundle.ok());
  EXPECT_EQ(*bundle, (Group{"BUNDLE", {"0", "1", "data"}}));
  EXPECT_TRUE(bundle->contains("data"));
  EXPECT_FALSE(bundle->contains("2"));
  expectRoundTrip<Group>("LS");
  EXPECT_TRUE(contains(errorOf<Group>(""), "group semantics '' is not a token"));

  auto port = RtcpAttribute::parse("53020");
  ASSERT_TRUE(port.ok());
  EXPECT_EQ(port->port, 53020);
  EXPECT_FALSE(port->connection.has_value());
  auto withAddress = RtcpAttribute::parse("53020 IN IP4 126.16.64.4");
  ASSERT_TRUE(withAddress.ok());
  EXPECT_EQ(withAddress->connection, (Connection{"IN", "IP4", "126.16.64.4", std::nullopt, std::nullopt}));
  expectRoundTrip<RtcpAttribute>("9 IN IP6 2001:db8::1");
  EXPECT_TRUE(contains(errorOf<RtcpAttribute>("x"), "rtcp port 'x' is not 0-65535 (RFC 3605 §2.1)"));
  EXPECT_TRUE(contains(errorOf<RtcpAttribute>("9 IN IP4"), "rtcp address: c= needs"));
}

TEST(SdpAttributes, ParseAllNamesTheBadAttribute) {
  const std::vector<Attribute> attributes{
      {"rtpmap", "0 PCMU/8000"}, {"RTPMAP", "96 opus/48000/2"}, {"ptime", "20"}};
  auto all = parseAll<Rtpmap>(attributes);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);  // names compare case-insensitively
  EXPECT_EQ((*all)[1].encodingName, "opus");
  auto first = parseFirst<Rtpmap>(attributes);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ((*first)->payloadType, 0);
  EXPECT_FALSE(parseFirst<SetupAttribute>(attributes).value().has_value());

  const std::vector<Attribute> bad{{"rtpmap", "0 PCMU/8000"}, {"rtpmap", "x PCMU/8000"}};
  auto failed = parseAll<Rtpmap>(bad);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message,
            "a=rtpmap:x PCMU/8000: rtpmap payload type 'x' is not 0-127 (RFC 3550 §5.1)");
}

}  // namespace
}  // namespace callgate::sdp
