// The SIP leg's SDP: reading what SIP peers send (the RFC 3264 §10 and RFC 8866 examples, RFC 3605 a=rtcp,
// and the SDP of Asterisk, FreeSWITCH, rtpengine, Linphone, baresip and SIPp under tests/data/sdp), and
// writing the gateway's offer and answer, checked by reading them back.
#include "sdp/sip_sdp.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "sdp/media_view.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp_test_util.hpp"

namespace callgate::sdp {
namespace {

// SDP lines joined with CRLF, as SIP carries them.
std::string crlf(std::initializer_list<std::string_view> lines) {
  std::string out;
  for (std::string_view line : lines) {
    out += line;
    out += "\r\n";
  }
  return out;
}

SipSdp readOk(std::string_view text) {
  auto sdp = readSipSdp(text);
  EXPECT_TRUE(sdp.ok()) << (sdp.ok() ? "" : sdp.error().message) << "\n" << text;
  return sdp.ok() ? std::move(*sdp) : SipSdp{};
}

SipSdp readFileOk(const std::string& name) {
  SCOPED_TRACE(name);
  return readOk(test::readSdpFile(name));
}

std::string readError(std::string_view text) {
  auto sdp = readSipSdp(text);
  EXPECT_FALSE(sdp.ok()) << text;
  return sdp.ok() ? std::string() : sdp.error().message;
}

std::vector<uint8_t> payloadTypes(const std::vector<RtpCodec>& codecs) {
  std::vector<uint8_t> out;
  out.reserve(codecs.size());
  for (const RtpCodec& c : codecs) out.push_back(c.payloadType);
  return out;
}

std::vector<std::string> names(const std::vector<RtpCodec>& codecs) {
  std::vector<std::string> out;
  out.reserve(codecs.size());
  for (const RtpCodec& c : codecs) out.push_back(describe(c));
  return out;
}

// A session with one audio m-line, the lines given between "t=" and the end.
std::string audioSdp(std::initializer_list<std::string_view> mediaLines,
                     std::string_view sessionConnection = "c=IN IP4 192.0.2.10") {
  std::string out = crlf({"v=0", "o=- 1 1 IN IP4 192.0.2.10", "s=-"});
  if (!sessionConnection.empty()) out += std::string(sessionConnection) + "\r\n";
  out += "t=0 0\r\n";
  for (std::string_view line : mediaLines) {
    out += line;
    out += "\r\n";
  }
  return out;
}

// RFC 3264 §10.1, Alice's offer, verbatim.
const std::string kRfc3264Offer = crlf({
    "v=0",
    "o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com",
    "s=",
    "c=IN IP4 host.atlanta.example.com",
    "t=0 0",
    "m=audio 49170 RTP/AVP 0 8 97",
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:97 iLBC/8000",
    "m=video 51372 RTP/AVP 31 32",
    "a=rtpmap:31 H261/90000",
    "a=rtpmap:32 MPV/90000",
});

// RFC 3264 §10.1, Bob's answer, verbatim.
const std::string kRfc3264Answer = crlf({
    "v=0",
    "o=bob 2808844564 2808844564 IN IP4 host.biloxi.example.com",
    "s=",
    "c=IN IP4 host.biloxi.example.com",
    "t=0 0",
    "m=audio 49174 RTP/AVP 0",
    "a=rtpmap:0 PCMU/8000",
    "m=video 49170 RTP/AVP 32",
    "a=rtpmap:32 MPV/90000",
});

std::string replaceAll(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The examples with their host names replaced by addresses of RFC 5737.
std::string withAddresses(const std::string& text) {
  return replaceAll(replaceAll(text, "host.atlanta.example.com", "192.0.2.101"), "host.biloxi.example.com",
                    "192.0.2.201");
}

TEST(SipSdpRead, Rfc3264OfferWithHostNamesIsRefusedNamingTheLine) {
  // The relay sends to addresses; the gateway does not resolve names in SDP (sans-I/O), and says so.
  EXPECT_EQ(readError(kRfc3264Offer),
            "SDP m=audio: c=IN IP4 host.atlanta.example.com: 'host.atlanta.example.com' is not an IPv4 "
            "address (RFC 8866 §5.7; host names in SDP are not resolved)");
}

TEST(SipSdpRead, Rfc3264BasicExchange) {
  const SipSdp offer = readOk(withAddresses(kRfc3264Offer));
  EXPECT_EQ(offer.kinds, (std::vector<std::string>{"audio", "video"}));
  EXPECT_EQ(offer.protos, (std::vector<std::string>{"RTP/AVP", "RTP/AVP"}));
  EXPECT_EQ(offer.firstFormats, (std::vector<std::string>{"0", "31"}));
  EXPECT_EQ(offer.origin.sessionVersion, "2890844526");
  ASSERT_TRUE(offer.audio.has_value());
  const SipAudio& audio = *offer.audio;
  EXPECT_EQ(audio.index, 0u);
  EXPECT_EQ(audio.address, "192.0.2.101");
  EXPECT_EQ(audio.port, 49170);
  EXPECT_EQ(audio.direction, Direction::kSendRecv);
  EXPECT_EQ(names(audio.codecs), (std::vector<std::string>{"PCMU/8000", "PCMA/8000", "iLBC/8000"}));
  EXPECT_EQ(payloadTypes(audio.codecs), (std::vector<uint8_t>{0, 8, 97}));
  EXPECT_FALSE(audio.telephoneEvent.has_value());
  EXPECT_FALSE(audio.rtcpPort.has_value());
  EXPECT_FALSE(audio.ptime.has_value());
  EXPECT_FALSE(audio.secure);
  EXPECT_FALSE(audio.held());

  const SipSdp answer = readOk(withAddresses(kRfc3264Answer));
  ASSERT_TRUE(answer.audio.has_value());
  EXPECT_EQ(answer.audio->port, 49174);
  EXPECT_EQ(answer.audio->address, "192.0.2.201");
  EXPECT_EQ(names(answer.audio->codecs), std::vector<std::string>{"PCMU/8000"});
  EXPECT_EQ(answer.kinds.size(), offer.kinds.size());
}

TEST(SipSdpWrite, AnswerToRfc3264OfferAcceptsAudioLikeBobAndRejectsVideo) {
  const SipSdp offer = readOk(withAddresses(kRfc3264Offer));
  SipSdpParams p;
  p.originAddress = "192.0.2.201";
  p.sessionId = 2808844564;
  p.sessionVersion = 2808844564;
  p.port = 49174;
  p.codecs = {offer.audio->codecs[0]};
  p.ptime = 0;
  auto text = writeSipAnswer(offer, p);
  ASSERT_TRUE(text.ok()) << text.error().message;
  // Bob's audio m-line of RFC 3264 §10.1 and a rejected video m-line (RFC 3264 §6: port 0, a format kept).
  EXPECT_EQ(*text, crlf({
                       "v=0",
                       "o=- 2808844564 2808844564 IN IP4 192.0.2.201",
                       "s=callgate",
                       "c=IN IP4 192.0.2.201",
                       "t=0 0",
                       "m=audio 49174 RTP/AVP 0",
                       "a=rtpmap:0 PCMU/8000",
                       "a=sendrecv",
                       "m=video 0 RTP/AVP 31",
                   }));
  const SipSdp again = readOk(*text);
  EXPECT_EQ(again.kinds, offer.kinds);
  ASSERT_TRUE(again.audio.has_value());
  EXPECT_EQ(again.audio->index, 0u);
  EXPECT_EQ(again.audio->codecs, p.codecs);
}

TEST(SipSdpRead, Rfc8866ExampleTakesTheFirstAudioLineAndSessionConnection) {
  // Two audio m-lines and a video one with its own c=IN IP6 (RFC 8866 §5 example).
  const SipSdp sdp = readFileOk("example-rfc8866-section5.sdp");
  EXPECT_EQ(sdp.kinds, (std::vector<std::string>{"audio", "audio", "video"}));
  ASSERT_TRUE(sdp.audio.has_value());
  EXPECT_EQ(sdp.audio->index, 0u);
  EXPECT_EQ(sdp.audio->port, 49170);
  EXPECT_EQ(sdp.audio->address, "198.51.100.1");
  // PCMU is the static payload type 0, named by RFC 3551 §6 without an a=rtpmap.
  ASSERT_EQ(sdp.audio->codecs.size(), 1u);
  EXPECT_EQ(sdp.audio->codecs[0], (RtpCodec{0, "PCMU", 8000, 1, std::nullopt}));
}

TEST(SipSdpRead, Rfc4566MulticastIsRefused) {
  EXPECT_EQ(readError(test::readSdpFile("example-rfc4566-multicast.sdp")),
            "SDP m=audio: c=IN IP4 224.2.17.12/127: a multicast group; RTP with a SIP peer is unicast "
            "(RFC 3264 §5.1 unicast streams)");
}

TEST(SipSdpRead, Rfc4568SdesIsReadAsSecureAndCannotBeAnswered) {
  const SipSdp sdp = readFileOk("example-rfc4568-crypto.sdp");
  ASSERT_TRUE(sdp.audio.has_value());
  EXPECT_TRUE(sdp.audio->secure);
  EXPECT_EQ(sdp.audio->proto, "RTP/SAVP");
  EXPECT_EQ(sdp.kinds, (std::vector<std::string>{"audio", "video", "application"}));
  SipSdpParams p;
  p.originAddress = "192.0.2.1";
  p.port = 4000;
  p.codecs = sdp.audio->codecs;
  auto answer = writeSipAnswer(sdp, p);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().message,
            "SIP answer: the offer's m=audio is 'RTP/SAVP': SDES-SRTP (RFC 4568) is not supported, and an "
            "answer must keep the offered proto (RFC 3264 §6.1)");
}

TEST(SipSdpRead, PlainAudioWinsOverAnEarlierSrtpLine) {
  const SipSdp sdp = readOk(audioSdp({
      "m=audio 4000 RTP/SAVP 0",
      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz",
      "m=audio 4002 RTP/AVP 0",
  }));
  ASSERT_TRUE(sdp.audio.has_value());
  EXPECT_EQ(sdp.audio->index, 1u);
  EXPECT_EQ(sdp.audio->port, 4002);
  EXPECT_FALSE(sdp.audio->secure);
}

TEST(SipSdpRead, StaticPayloadTypesWithoutRtpmapAndSessionLevelPtime) {
  // LF line ends, static 0 and 8 without rtpmap, G.729 with annexb=no, telephone-event 0-15, a=rtcp port.
  const SipSdp sdp = readFileOk("example-sip-g711.sdp");
  ASSERT_TRUE(sdp.audio.has_value());
  const SipAudio& a = *sdp.audio;
  EXPECT_EQ(a.address, "192.0.2.45");
  EXPECT_EQ(a.port, 11796);
  ASSERT_EQ(a.codecs.size(), 3u);
  EXPECT_EQ(a.codecs[0], (RtpCodec{0, "PCMU", 8000, 1, std::nullopt}));
  EXPECT_EQ(a.codecs[1], (RtpCodec{8, "PCMA", 8000, 1, std::nullopt}));
  EXPECT_EQ(a.codecs[2], (RtpCodec{18, "G729", 8000, 1, "annexb=no"}));
  EXPECT_EQ(a.telephoneEvent, (RtpCodec{101, "telephone-event", 8000, 1, "0-15"}));
  EXPECT_EQ(a.rtcpPort, 11797);
  EXPECT_FALSE(a.rtcpAddress.has_value());
  EXPECT_EQ(a.ptime, 20u);
  EXPECT_FALSE(a.rtcpMux);

  // Every static encoding RFC 3551 §6 names for audio.
  const SipSdp statics = readOk(audioSdp({"m=audio 4000 RTP/AVP 3 4 9 18 0"}));
  EXPECT_EQ(names(statics.audio->codecs),
            (std::vector<std::string>{"GSM/8000", "G723/8000", "G722/8000", "G729/8000", "PCMU/8000"}));
  // An a=rtpmap for a static type wins over the table.
  const SipSdp remapped = readOk(audioSdp({"m=audio 4000 RTP/AVP 0", "a=rtpmap:0 L16/16000/2"}));
  EXPECT_EQ(names(remapped.audio->codecs), std::vector<std::string>{"L16/16000/2"});
}

TEST(SipSdpRead, DynamicTypesWithoutRtpmapAndRepeatsAreSkipped) {
  const SipSdp sdp = readOk(audioSdp({"m=audio 4000 RTP/AVP 96 0 0 8 35", "a=fmtp:96 mode=30"}));
  EXPECT_EQ(payloadTypes(sdp.audio->codecs), (std::vector<uint8_t>{0, 8}));
}

TEST(SipSdpRead, Rfc3605RtcpWithAndWithoutAddress) {
  // The three forms of RFC 3605 §2.1.
  const SipSdp port = readOk(audioSdp({"m=audio 49170 RTP/AVP 0", "a=rtcp:53020"}));
  EXPECT_EQ(port.audio->rtcpPort, 53020);
  EXPECT_FALSE(port.audio->rtcpAddress.has_value());

  const SipSdp ip4 = readOk(audioSdp({"m=audio 49170 RTP/AVP 0", "a=rtcp:53020 IN IP4 126.16.64.4"}));
  EXPECT_EQ(ip4.audio->rtcpPort, 53020);
  EXPECT_EQ(ip4.audio->rtcpAddress, "126.16.64.4");

  const SipSdp ip6 = readOk(
      audioSdp({"m=audio 49170 RTP/AVP 0", "a=rtcp:53020 IN IP6 2001:2345:6789:ABCD:EF01:2345:6789:ABCD"}));
  EXPECT_EQ(ip6.audio->rtcpAddress, "2001:2345:6789:ABCD:EF01:2345:6789:ABCD");

  // FreeSWITCH writes the address form.
  const SipSdp freeswitch = readFileOk("freeswitch-offer-optional-srtp.sdp");
  EXPECT_EQ(freeswitch.audio->rtcpPort, 24619);
  EXPECT_EQ(freeswitch.audio->rtcpAddress, "192.0.2.30");
}

TEST(SipSdpRead, MediaLevelConnectionAndDirectionOverrideSessionLevel) {
  const std::string text = crlf({
      "v=0",
      "o=- 1 1 IN IP4 192.0.2.1",
      "s=-",
      "c=IN IP4 192.0.2.1",
      "t=0 0",
      "a=sendonly",
      "m=audio 4000 RTP/AVP 0",
      "c=IN IP4 192.0.2.2",
      "m=audio 4002 RTP/AVP 0",
  });
  const SipSdp sdp = readOk(text);
  EXPECT_EQ(sdp.audio->address, "192.0.2.2");             // media c= wins (RFC 8866 §5.7)
  EXPECT_EQ(sdp.audio->direction, Direction::kSendOnly);  // session-level direction applies (RFC 8866 §6.7)
  EXPECT_TRUE(sdp.audio->held());

  const SipSdp own = readOk(crlf({"v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0",
                                  "a=sendonly", "m=audio 4000 RTP/AVP 0", "a=recvonly"}));
  EXPECT_EQ(own.audio->address, "192.0.2.1");
  EXPECT_EQ(own.audio->direction, Direction::kRecvOnly);
  EXPECT_FALSE(own.audio->held());
}

TEST(SipSdpRead, HoldForms) {
  // RFC 2543 hold: c=0.0.0.0 with sendrecv.
  const SipSdp old = readFileOk("example-rfc2543-hold.sdp");
  EXPECT_EQ(old.audio->address, "0.0.0.0");
  EXPECT_EQ(old.audio->direction, Direction::kSendRecv);
  EXPECT_TRUE(old.audio->unspecifiedAddress());
  EXPECT_TRUE(old.audio->held());
  EXPECT_EQ(old.audio->codecs[0], (RtpCodec{18, "G729", 8000, 1, "annexb=no"}));

  // RFC 3264 §8.4 hold from Asterisk: a=sendonly in a re-INVITE of the same session, one version up.
  const SipSdp before = readFileOk("asterisk-offer.sdp");
  const SipSdp hold = readFileOk("asterisk-hold.sdp");
  EXPECT_FALSE(before.audio->held());
  EXPECT_TRUE(hold.audio->held());
  EXPECT_FALSE(hold.audio->unspecifiedAddress());
  EXPECT_EQ(hold.origin.sessionId, before.origin.sessionId);
  EXPECT_NE(hold.origin.sessionVersion, before.origin.sessionVersion);
  EXPECT_EQ(names(before.audio->codecs), (std::vector<std::string>{"PCMU/8000", "PCMA/8000", "G722/8000"}));
  EXPECT_EQ(before.audio->telephoneEvent, (RtpCodec{101, "telephone-event", 8000, 1, "0-16"}));

  const SipSdp inactive = readOk(audioSdp({"m=audio 4000 RTP/AVP 0", "a=inactive"}));
  EXPECT_TRUE(inactive.audio->held());
  const SipSdp ip6 = readOk(audioSdp({"m=audio 4000 RTP/AVP 0", "c=IN IP6 ::"}));
  EXPECT_TRUE(ip6.audio->unspecifiedAddress());
  EXPECT_TRUE(ip6.audio->held());
}

TEST(SipSdpRead, Ipv6FromRtpengine) {
  const SipSdp sdp = readFileOk("rtpengine-offer-ipv6.sdp");
  ASSERT_TRUE(sdp.audio.has_value());
  EXPECT_EQ(sdp.audio->address, "2001:db8::4");
  EXPECT_EQ(sdp.audio->port, 30004);
  EXPECT_EQ(sdp.audio->rtcpPort, 30005);
  EXPECT_EQ(payloadTypes(sdp.audio->codecs), (std::vector<uint8_t>{8, 0}));
  EXPECT_EQ(sdp.audio->telephoneEvent->payloadType, 101);
  EXPECT_EQ(sdp.origin.addrType, "IP6");
}

TEST(SipSdpRead, TelephoneEventAt8000IsPickedAmongSeveralRates) {
  // Linphone offers telephone-event at 48000, 16000 and 8000 Hz, and a video m-line.
  const SipSdp sdp = readFileOk("linphone-offer-audio-video.sdp");
  EXPECT_EQ(sdp.kinds, (std::vector<std::string>{"audio", "video"}));
  ASSERT_TRUE(sdp.audio.has_value());
  EXPECT_EQ(sdp.audio->telephoneEvent, (RtpCodec{100, "telephone-event", 8000, 1, std::nullopt}));
  EXPECT_EQ(names(sdp.audio->codecs), (std::vector<std::string>{"opus/48000/2", "speex/16000", "speex/8000",
                                                                "PCMU/8000", "PCMA/8000", "G729/8000"}));
  EXPECT_EQ(sdp.audio->codecs[0].fmtp, "useinbandfec=1");
  EXPECT_EQ(sdp.audio->codecs[5].fmtp, "annexb=yes");  // a static type's fmtp without an rtpmap

  const SipSdp only48k =
      readOk(audioSdp({"m=audio 4000 RTP/AVP 0 101", "a=rtpmap:101 telephone-event/48000"}));
  EXPECT_FALSE(only48k.audio->telephoneEvent.has_value());
  EXPECT_EQ(payloadTypes(only48k.audio->codecs), std::vector<uint8_t>{0});
}

TEST(SipSdpRead, NoUsableAudioIsNotAnError) {
  const SipSdp none = readOk(crlf({"v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "t=0 0"}));
  EXPECT_TRUE(none.kinds.empty());
  EXPECT_FALSE(none.audio.has_value());

  // Audio with port 0, audio over DTLS, audio over TCP, video, a T.38 image stream.
  const SipSdp unusable = readOk(audioSdp({
      "m=audio 0 RTP/AVP 0",
      "m=audio 4000 UDP/TLS/RTP/SAVPF 111",
      "m=audio 4002 TCP/RTP/AVP 0",
      "m=video 4004 RTP/AVP 96",
      "m=image 4006 udptl t38",
  }));
  EXPECT_EQ(unusable.kinds, (std::vector<std::string>{"audio", "audio", "audio", "video", "image"}));
  EXPECT_EQ(unusable.firstFormats, (std::vector<std::string>{"0", "111", "0", "96", "t38"}));
  EXPECT_FALSE(unusable.audio.has_value());
}

TEST(SipSdpRead, RealPeers) {
  const SipSdp sipp = readFileOk("sipp-offer.sdp");
  EXPECT_EQ(sipp.audio->port, 6100);
  EXPECT_EQ(names(sipp.audio->codecs), std::vector<std::string>{"PCMU/8000"});

  const SipSdp baresip = readFileOk("baresip-offer.sdp");
  EXPECT_EQ(names(baresip.audio->codecs),
            (std::vector<std::string>{"opus/48000/2", "PCMU/8000", "PCMA/8000"}));
  EXPECT_EQ(baresip.audio->codecs[0].fmtp, "stereo=1;sprop-stereo=1");
  EXPECT_EQ(baresip.audio->telephoneEvent->fmtp, "0-15");
  EXPECT_EQ(baresip.audio->ptime, 20u);

  // FreeSWITCH's optional SRTP: RTP/AVP with a=crypto; plain RTP is fine.
  const SipSdp freeswitch = readFileOk("freeswitch-offer-optional-srtp.sdp");
  EXPECT_FALSE(freeswitch.audio->secure);
  EXPECT_EQ(names(freeswitch.audio->codecs),
            (std::vector<std::string>{"G722/8000", "PCMU/8000", "PCMA/8000", "CN/8000"}));
}

TEST(SipSdpRead, ErrorsNameTheLineAndTheRule) {
  EXPECT_EQ(readError("h=ello"),
            "SDP line 1: expected v= but found h= (RFC 8866 §5: a description starts with v=, o=, s=)");
  EXPECT_EQ(readError(audioSdp({"m=audio 4000 RTP/AVP 0"}, "")),
            "SDP m=audio: no c= line at session or media level (RFC 8866 §5.7)");
  EXPECT_EQ(readError(audioSdp({"m=audio 4000 RTP/AVP 0", "c=IN IP4 2001:db8::1"})),
            "SDP m=audio: c=IN IP4 2001:db8::1: '2001:db8::1' is not an IPv4 address (RFC 8866 §5.7; host "
            "names in SDP are not resolved)");
  EXPECT_EQ(
      readError(audioSdp({"m=audio 4000 RTP/AVP 0", "c=IN IP6 192.0.2.1"})),
      "SDP m=audio: c=IN IP6 192.0.2.1: '192.0.2.1' is not an IPv6 address (RFC 8866 §5.7; host names in "
      "SDP are not resolved)");
  EXPECT_EQ(readError(audioSdp({"m=audio 4000 RTP/AVP 0", "c=ATM NSAP 47.0005.80.ffe100"})),
            "SDP m=audio: c=ATM NSAP 47.0005.80.ffe100: nettype 'ATM' is not IN (RFC 8866 §5.7)");
  EXPECT_EQ(readError(audioSdp({"m=audio 4000 RTP/AVP 0", "c=IN GPS 1.2"})),
            "SDP m=audio: c=IN GPS 1.2: addrtype 'GPS' is not IP4 or IP6 (RFC 8866 §5.7)");
  EXPECT_EQ(readError(audioSdp({"m=audio 4000 RTP/AVP 0 101", "a=rtpmap:101 telephone-event"})),
            "SDP m=audio: a=rtpmap:101 telephone-event: rtpmap 'telephone-event' has no clock rate (RFC 8866 "
            "§6.6)");
  EXPECT_EQ(readError(audioSdp({"m=audio 4000 RTP/AVP 0", "a=fmtp:"})),
            "SDP m=audio: a=fmtp:: fmtp format '' is not a token (RFC 8866 §6.15)");
  EXPECT_EQ(
      readError(audioSdp({"m=audio 4000 RTP/AVP 0", "a=sendrecv", "a=inactive"})),
      "SDP m=audio: a=sendrecv and a=inactive at the same level (RFC 3264 §5.1: one direction per media)");
  EXPECT_EQ(readError(audioSdp({"m=audio 4000 RTP/AVP 0", "a=ptime:abc"})),
            "SDP m=audio: a=ptime:abc: ptime is not a positive number of ms (RFC 8866 §6.4)");
  EXPECT_EQ(readError(audioSdp({"m=audio 4000 RTP/AVP 0", "a=rtcp:99999"})),
            "SDP m=audio: a=rtcp:99999: rtcp port '99999' is not 0-65535 (RFC 3605 §2.1)");
  EXPECT_EQ(readError(audioSdp({"m=audio 4000 RTP/AVP 0", "a=rtcp:4001 IN IP4 rtcp.example.com"})),
            "SDP m=audio: a=rtcp:4001 IN IP4 rtcp.example.com: 'rtcp.example.com' is not an IPv4 address "
            "(RFC 8866 §5.7; host names in SDP are not resolved) (RFC 3605 §2.1)");
  // Only the audio m-line used is checked: a broken video m-line does not fail the call.
  EXPECT_TRUE(
      readSipSdp(audioSdp({"m=audio 4000 RTP/AVP 0", "m=video 4002 RTP/AVP 96", "a=rtpmap:96 VP8"})).ok());
}

TEST(RtpCodec, Helpers) {
  const std::vector<RtpCodec> codecs{{0, "PCMU", 8000, 1, std::nullopt}, {111, "opus", 48000, 2, "x=1"}};
  EXPECT_EQ(findCodec(codecs, "OPUS", 48000), &codecs[1]);
  EXPECT_EQ(findCodec(codecs, "opus", 8000), nullptr);
  EXPECT_TRUE(sameEncoding(codecs[1], RtpCodec{96, "Opus", 48000, 2, std::nullopt}));
  EXPECT_FALSE(sameEncoding(codecs[1], RtpCodec{111, "opus", 48000, 1, "x=1"}));
  EXPECT_TRUE(isTelephoneEvent(RtpCodec{101, "Telephone-Event", 8000, 1, std::nullopt}));
  EXPECT_FALSE(isTelephoneEvent(codecs[0]));
  EXPECT_EQ(describe(codecs[1]), "opus/48000/2");
  EXPECT_EQ(toRtpmap(codecs[1]).toString(), "111 opus/48000/2");
  EXPECT_EQ(toRtpmap(codecs[0]).toString(), "0 PCMU/8000");

  EXPECT_TRUE(validateCodec(codecs[1]).ok());
  auto error = [](const RtpCodec& c) { return validateCodec(c).error().message; };
  EXPECT_EQ(error({128, "PCMU", 8000, 1, std::nullopt}),
            "codec 128 'PCMU': payload type is not 0-127 (RFC 3550 §5.1)");
  EXPECT_EQ(error({0, "PC MU", 8000, 1, std::nullopt}),
            "codec 0 'PC MU': the encoding name is not a token (RFC 8866 §6.6)");
  EXPECT_EQ(error({0, "", 8000, 1, std::nullopt}),
            "codec 0 '': the encoding name is not a token (RFC 8866 §6.6)");
  EXPECT_EQ(error({0, "PCMU", 0, 1, std::nullopt}), "codec 0 'PCMU': the clock rate is 0 (RFC 8866 §6.6)");
  EXPECT_EQ(error({0, "PCMU", 8000, 0, std::nullopt}),
            "codec 0 'PCMU': 0 channels is not 1-255 (RFC 8866 §6.6)");
  EXPECT_EQ(error({0, "PCMU", 8000, 256, std::nullopt}),
            "codec 0 'PCMU': 256 channels is not 1-255 (RFC 8866 §6.6)");
  EXPECT_EQ(error({0, "PCMU", 8000, 1, "a=1\r\nm=video"}),
            "codec 0 'PCMU': the fmtp holds a CR, LF or NUL (RFC 8866 §9: byte-string)");
}

SipSdpParams offerParams() {
  SipSdpParams p;
  p.originAddress = "198.51.100.20";
  p.sessionId = 42;
  p.sessionVersion = 7;
  p.address = "198.51.100.21";
  p.port = 30000;
  p.codecs = {{0, "PCMU", 8000, 1, std::nullopt},
              {8, "PCMA", 8000, 1, std::nullopt},
              {9, "G722", 8000, 1, std::nullopt}};
  p.telephoneEvent = RtpCodec{101, "telephone-event", 8000, 1, std::nullopt};
  return p;
}

TEST(SipSdpWrite, OfferText) {
  auto text = writeSipOffer(offerParams());
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(*text, crlf({
                       "v=0",
                       "o=- 42 7 IN IP4 198.51.100.20",
                       "s=callgate",
                       "c=IN IP4 198.51.100.21",
                       "t=0 0",
                       "m=audio 30000 RTP/AVP 0 8 9 101",
                       "a=rtpmap:0 PCMU/8000",
                       "a=rtpmap:8 PCMA/8000",
                       "a=rtpmap:9 G722/8000",
                       "a=rtpmap:101 telephone-event/8000",
                       "a=fmtp:101 0-16",
                       "a=ptime:20",
                       "a=sendrecv",
                   }));
}

TEST(SipSdpWrite, OfferRoundTripsThroughTheReader) {
  SipSdpParams p = offerParams();
  p.codecs.push_back(RtpCodec{96, "opus", 48000, 2, "useinbandfec=1"});
  p.telephoneEvent->fmtp = "0-15";
  p.direction = Direction::kSendOnly;
  p.ptime = 30;
  p.rtcpPort = 30005;
  p.rtcpMux = true;
  auto text = writeSipOffer(p);
  ASSERT_TRUE(text.ok()) << text.error().message;
  const SipSdp sdp = readOk(*text);
  EXPECT_EQ(sdp.kinds, std::vector<std::string>{"audio"});
  ASSERT_TRUE(sdp.audio.has_value());
  EXPECT_EQ(sdp.audio->address, p.address);
  EXPECT_EQ(sdp.audio->port, p.port);
  EXPECT_EQ(sdp.audio->codecs, p.codecs);
  EXPECT_EQ(sdp.audio->telephoneEvent, p.telephoneEvent);
  EXPECT_EQ(sdp.audio->direction, Direction::kSendOnly);
  EXPECT_EQ(sdp.audio->ptime, 30u);
  EXPECT_EQ(sdp.audio->rtcpPort, 30005);
  EXPECT_TRUE(sdp.audio->rtcpMux);
  EXPECT_EQ(sdp.audio->proto, "RTP/AVP");
  EXPECT_EQ(sdp.origin.sessionId, "42");
  EXPECT_EQ(sdp.origin.sessionVersion, "7");
}

TEST(SipSdpWrite, Ipv6AndDefaults) {
  SipSdpParams p = offerParams();
  p.originAddress = "2001:db8::20";
  p.address.clear();  // c= takes originAddress
  p.ptime = 0;
  p.telephoneEvent.reset();
  p.sessionName.clear();
  auto text = writeSipOffer(p);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_NE(text->find("o=- 42 7 IN IP6 2001:db8::20\r\n"), std::string::npos) << *text;
  EXPECT_NE(text->find("\r\nc=IN IP6 2001:db8::20\r\n"), std::string::npos) << *text;
  EXPECT_NE(text->find("\r\ns=-\r\n"), std::string::npos) << *text;  // RFC 8866 §5.3: no name
  EXPECT_EQ(text->find("a=ptime"), std::string::npos);
  EXPECT_EQ(text->find("telephone-event"), std::string::npos);
  const SipSdp sdp = readOk(*text);
  EXPECT_EQ(sdp.audio->address, "2001:db8::20");
  EXPECT_EQ(sdp.origin.addrType, "IP6");
}

std::string offerError(const SipSdpParams& p) {
  auto text = writeSipOffer(p);
  EXPECT_FALSE(text.ok()) << *text;
  return text.ok() ? std::string() : text.error().message;
}

TEST(SipSdpWrite, OfferRefusesParametersThatWouldNotWriteValidSdp) {
  SipSdpParams p = offerParams();
  p.codecs.clear();
  EXPECT_EQ(offerError(p),
            "SIP offer: no codec to offer (RFC 8866 §5.14: an m= line has at least one format)");
  p = offerParams();
  p.codecs[1].payloadType = 0;
  EXPECT_EQ(offerError(p),
            "SIP offer: payload type 0 is used twice (RFC 3550 §5.1: one encoding per payload type)");
  p = offerParams();
  p.telephoneEvent->payloadType = 9;
  EXPECT_EQ(offerError(p),
            "SIP offer: payload type 9 is used twice (RFC 3550 §5.1: one encoding per payload type)");
  p = offerParams();
  p.codecs[0].name = "PC MU";
  EXPECT_EQ(offerError(p), "SIP offer: codec 0 'PC MU': the encoding name is not a token (RFC 8866 §6.6)");
  p = offerParams();
  p.telephoneEvent->clockRate = 0;
  EXPECT_EQ(offerError(p), "SIP offer: codec 101 'telephone-event': the clock rate is 0 (RFC 8866 §6.6)");
  p = offerParams();
  p.originAddress.clear();
  p.address.clear();
  EXPECT_EQ(offerError(p),
            "SIP offer: originAddress '' is not a unicast address to write in SDP (RFC 8866 §5.2, §5.7)");
  p = offerParams();
  p.address = "198.51.100.21 x";
  EXPECT_EQ(
      offerError(p),
      "SIP offer: address '198.51.100.21 x' is not a unicast address to write in SDP (RFC 8866 §5.2, §5.7)");
  p = offerParams();
  p.address = "233.252.0.1/127";
  EXPECT_EQ(offerError(p),
            "SIP offer: address '233.252.0.1/127' is not a unicast address to write in SDP (RFC 8866 §5.2, "
            "§5.7)");
  p = offerParams();
  p.sessionName = "x\r\nm=video 0 RTP/AVP 31";
  EXPECT_EQ(
      offerError(p),
      "SIP offer: sessionName 'x\\x0d\\x0am=video 0 RTP/AVP 31' holds a CR, LF or NUL (RFC 8866 §5.3: one "
      "line)");
}

TEST(SipSdpWrite, ExtraLinesAreAppendedToTheAudioMLine) {
  SipSdpParams p = offerParams();
  p.extraLines = {"a=X-nat:0", "b=AS:84", "a=fmtp:18 annexb=no", "a=rtcp-fb:* nack", "a=label:1"};
  auto text = writeSipOffer(p);
  ASSERT_TRUE(text.ok()) << text.error().message;
  // b= goes where RFC 8866 §5 puts it (after m= and c=, before a=); the a= lines go last, in order, verbatim.
  EXPECT_NE(text->find("m=audio 30000 RTP/AVP 0 8 9 101\r\nb=AS:84\r\na=rtpmap:0 PCMU/8000\r\n"),
            std::string::npos)
      << *text;
  const std::string tail =
      "a=sendrecv\r\na=X-nat:0\r\na=fmtp:18 annexb=no\r\na=rtcp-fb:* nack\r\na=label:1\r\n";
  ASSERT_GE(text->size(), tail.size());
  EXPECT_EQ(text->substr(text->size() - tail.size()), tail) << *text;
  auto parsed = parseSdp(*text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->media[0].bandwidths, (std::vector<Bandwidth>{{"AS", 84}}));
  EXPECT_TRUE(readSipSdp(*text).ok());
}

TEST(SipSdpWrite, BadExtraLinesAreRefusedNamingTheLineAndTheRule) {
  auto refused = [](std::vector<std::string> lines) {
    SipSdpParams p = offerParams();
    p.extraLines = std::move(lines);
    return offerError(p);
  };
  EXPECT_EQ(refused({"a=ok", "hello"}),
            "SIP offer: extra SDP line 2 'hello': not an SDP line <type>=<value> (RFC 8866 §5)");
  EXPECT_EQ(refused({"A=foo"}),
            "SIP offer: extra SDP line 1 'A=foo': not an SDP line <type>=<value> (RFC 8866 §5)");
  EXPECT_EQ(refused({"a"}), "SIP offer: extra SDP line 1 'a': not an SDP line <type>=<value> (RFC 8866 §5)");
  EXPECT_EQ(
      refused({"a=foo\r\nm=video 0 RTP/AVP 31"}),
      "SIP offer: extra SDP line 1 'a=foo\\x0d\\x0am=video 0 RTP/AVP 31': holds a CR, LF or NUL (RFC 8866 "
      "§5: one line, no line end)");
  EXPECT_EQ(
      refused({"a=foo\n"}),
      "SIP offer: extra SDP line 1 'a=foo\\x0a': holds a CR, LF or NUL (RFC 8866 §5: one line, no line end)");
  EXPECT_EQ(
      refused({std::string("a=x\0y", 5)}),
      "SIP offer: extra SDP line 1 'a=x\\x00y': holds a CR, LF or NUL (RFC 8866 §5: one line, no line end)");
  EXPECT_EQ(
      refused({"m=video 0 RTP/AVP 31"}),
      "SIP offer: extra SDP line 1 'm=video 0 RTP/AVP 31': only a= and b= lines can be added to the audio "
      "m-line (RFC 8866 §5: the order is m i c b k a, and other lines belong to the gateway)");
  EXPECT_EQ(refused({"c=IN IP4 10.0.0.1"}),
            "SIP offer: extra SDP line 1 'c=IN IP4 10.0.0.1': only a= and b= lines can be added to the audio "
            "m-line (RFC 8866 §5: the order is m i c b k a, and other lines belong to the gateway)");
  EXPECT_EQ(refused({"a=sendonly"}),
            "SIP offer: extra SDP line 1 'a=sendonly': the direction is the gateway's to set, for hold and "
            "resume (RFC 3264 §8.4)");
  EXPECT_EQ(refused({"a=bad name:1"}),
            "SIP offer: extra SDP line 1 'a=bad name:1': attribute name 'bad name' is not a token (RFC 8866 "
            "§5.13)");
  EXPECT_EQ(refused({"a="}),
            "SIP offer: extra SDP line 1 'a=': attribute name '' is not a token (RFC 8866 §5.13)");
  EXPECT_EQ(refused({"b=AS"}),
            "SIP offer: extra SDP line 1 'b=AS': not b=<bwtype>:<bandwidth> (RFC 8866 §5.8)");
  EXPECT_EQ(refused({"b=AS:fast"}),
            "SIP offer: extra SDP line 1 'b=AS:fast': not b=<bwtype>:<bandwidth> (RFC 8866 §5.8)");
  EXPECT_EQ(refused(std::vector<std::string>(kMaxExtraLines + 1, "a=x")),
            "SIP offer: 33 extra SDP lines, more than the 32 accepted");
  EXPECT_TRUE(writeSipOffer([] {
                SipSdpParams p = offerParams();
                p.extraLines.assign(kMaxExtraLines, "a=x:" + std::string(kMaxExtraLineBytes - 4, 'y'));
                return p;
              }())
                  .ok());
  EXPECT_EQ(
      refused({"a=x:" + std::string(kMaxExtraLineBytes - 3, 'y')}),
      "SIP offer: extra SDP line 1 'a=x:yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy...': longer than 1024 "
      "bytes");
}

SipSdpParams answerParams(const SipSdp& offer) {
  SipSdpParams p;
  p.originAddress = "198.51.100.20";
  p.port = 30000;
  p.codecs = {offer.audio->codecs.front()};
  p.telephoneEvent = offer.audio->telephoneEvent;
  return p;
}

TEST(SipSdpWrite, AnswerRejectsVideoKeepsOfferNumbersAndTelephoneEvent) {
  const SipSdp offer = readFileOk("linphone-offer-audio-video.sdp");
  SipSdpParams p = answerParams(offer);
  p.codecs = {*findCodec(offer.audio->codecs, "PCMA", 8000)};
  p.direction = reverse(offer.audio->direction);
  p.extraLines = {"a=X-callgate:1"};
  auto text = writeSipAnswer(offer, p);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(*text, crlf({
                       "v=0",
                       "o=- 1 1 IN IP4 198.51.100.20",
                       "s=callgate",
                       "c=IN IP4 198.51.100.20",
                       "t=0 0",
                       "m=audio 30000 RTP/AVP 8 100",
                       "a=rtpmap:8 PCMA/8000",
                       "a=rtpmap:100 telephone-event/8000",
                       "a=fmtp:100 0-16",
                       "a=ptime:20",
                       "a=sendrecv",
                       "a=X-callgate:1",
                       "m=video 0 RTP/AVP 96",
                   }));
  const SipSdp answer = readOk(*text);
  EXPECT_EQ(answer.kinds, offer.kinds);
  EXPECT_EQ(answer.audio->index, offer.audio->index);
}

TEST(SipSdpWrite, AnswerToAHoldOfferAndToAnOfferWithAudioNotFirst) {
  const SipSdp hold = readFileOk("asterisk-hold.sdp");
  SipSdpParams p = answerParams(hold);
  p.direction = reverse(hold.audio->direction);
  auto text = writeSipAnswer(hold, p);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(readOk(*text).audio->direction, Direction::kRecvOnly);  // RFC 3264 §8.4

  const SipSdp offer = readOk(audioSdp({"m=video 4000 RTP/AVP 31", "m=audio 4002 RTP/AVPF 0", "a=rtcp-mux",
                                        "m=image 4004 udptl t38", "m=audio 4006 RTP/AVP 8"}));
  ASSERT_EQ(offer.audio->index, 1u);
  p = answerParams(offer);
  p.rtcpMux = true;
  auto answer = writeSipAnswer(offer, p);
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  auto parsed = parseSdp(*answer);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->media.size(), 4u);
  EXPECT_EQ(parsed->media[0].port, 0);
  EXPECT_EQ(parsed->media[1].port, 30000);
  EXPECT_EQ(parsed->media[1].proto, "RTP/AVPF");  // RFC 3264 §6.1: the offered proto
  EXPECT_TRUE(hasAttribute(parsed->media[1].attributes, "rtcp-mux"));
  EXPECT_EQ(parsed->media[2].port, 0);
  EXPECT_EQ(parsed->media[2].proto, "udptl");
  EXPECT_EQ(parsed->media[2].formats, std::vector<std::string>{"t38"});
  EXPECT_EQ(parsed->media[3].port, 0);
  EXPECT_EQ(parsed->media[3].formats, std::vector<std::string>{"8"});

  // rtcp-mux only when the offer had it (RFC 5761 §5.1.1).
  const SipSdp plain = readFileOk("sipp-offer.sdp");
  p = answerParams(plain);
  p.rtcpMux = true;
  auto noMux = writeSipAnswer(plain, p);
  ASSERT_TRUE(noMux.ok());
  EXPECT_EQ(noMux->find("rtcp-mux"), std::string::npos) << *noMux;
}

TEST(SipSdpWrite, AnswerWithoutCommonCodecOrWithoutAudioRejectsEverything) {
  const SipSdp offer = readFileOk("linphone-offer-audio-video.sdp");
  SipSdpParams p = answerParams(offer);
  p.codecs.clear();
  p.telephoneEvent.reset();
  auto text = writeSipAnswer(offer, p);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_NE(text->find("\r\nm=audio 0 RTP/AVP 96\r\nm=video 0 RTP/AVP 96\r\n"), std::string::npos) << *text;
  const SipSdp answer = readOk(*text);
  EXPECT_EQ(answer.kinds.size(), 2u);
  EXPECT_FALSE(answer.audio.has_value());

  const SipSdp video = readOk(audioSdp({"m=video 4000 RTP/AVP 31"}));
  ASSERT_FALSE(video.audio.has_value());
  auto rejected = writeSipAnswer(video, offerParams());
  ASSERT_TRUE(rejected.ok()) << rejected.error().message;
  EXPECT_NE(rejected->find("\r\nm=video 0 RTP/AVP 31\r\n"), std::string::npos);
  EXPECT_EQ(rejected->find("m=audio"), std::string::npos);
}

std::string answerError(const SipSdp& offer, const SipSdpParams& p) {
  auto text = writeSipAnswer(offer, p);
  EXPECT_FALSE(text.ok()) << *text;
  return text.ok() ? std::string() : text.error().message;
}

TEST(SipSdpWrite, AnswerRefusesWhatTheOfferDidNotHave) {
  const SipSdp sipp = readFileOk("sipp-offer.sdp");  // PCMU only, no telephone-event
  SipSdpParams p = answerParams(sipp);
  p.codecs = {{8, "PCMA", 8000, 1, std::nullopt}};
  EXPECT_EQ(
      answerError(sipp, p),
      "SIP answer: payload type 8 (PCMA/8000) is not offered on m=audio (RFC 3264 §6.1: the answer uses "
      "the offer's payload types)");
  p.codecs = {{0, "PCMA", 8000, 1, std::nullopt}};
  EXPECT_EQ(answerError(sipp, p),
            "SIP answer: payload type 0 is PCMU/8000 in the offer, not PCMA/8000 (RFC 3264 §6.1)");
  p = answerParams(sipp);
  p.telephoneEvent = RtpCodec{101, "telephone-event", 8000, 1, std::nullopt};
  EXPECT_EQ(answerError(sipp, p),
            "SIP answer: telephone-event payload type 101 (telephone-event/8000) is not the offer's "
            "telephone-event/8000 (RFC 3264 §6.1, RFC 4733 §7.1.1)");
  const SipSdp baresip = readFileOk("baresip-offer.sdp");
  p = answerParams(baresip);
  p.telephoneEvent->payloadType = 102;
  EXPECT_EQ(answerError(baresip, p),
            "SIP answer: telephone-event payload type 102 (telephone-event/8000) is not the offer's "
            "telephone-event/8000 (RFC 3264 §6.1, RFC 4733 §7.1.1)");
  p = answerParams(baresip);
  p.extraLines = {"x"};
  EXPECT_EQ(answerError(baresip, p),
            "SIP answer: extra SDP line 1 'x': not an SDP line <type>=<value> (RFC 8866 §5)");
  p = answerParams(baresip);
  p.codecs[0].fmtp = "\n";
  EXPECT_EQ(answerError(baresip, p),
            "SIP answer: codec 96 'opus': the fmtp holds a CR, LF or NUL (RFC 8866 §9: byte-string)");

  // A SipSdp built in code that does not hold together.
  SipSdp broken = sipp;
  broken.audio->index = 3;
  EXPECT_EQ(answerError(broken, answerParams(sipp)),
            "SIP answer: the offer's audio m-line 4 is past its 1 m-lines");
  broken = sipp;
  broken.audio->proto = "UDP/TLS/RTP/SAVPF";
  EXPECT_EQ(answerError(broken, answerParams(sipp)),
            "SIP answer: the offer's m=audio proto 'UDP/TLS/RTP/SAVPF' is not RTP/AVP or RTP/AVPF");
  broken = readOk(audioSdp({"m=audio 4000 RTP/AVP 0", "m=video 0 RTP/AVP 31"}));
  broken.kinds[1] = "vid eo";
  EXPECT_EQ(
      answerError(broken, answerParams(sipp)),
      "SIP answer: the offer's m-line 2 'vid eo RTP/AVP 31' cannot be written back (RFC 8866 §5.14: tokens)");
}

// Every SIP sample under tests/data/sdp, answered with all its codecs and re-offered with them: what the
// reader gives back is what was written.
TEST(SipSdpRoundTrip, EverySipSampleAnswersAndReoffersToTheSameCodecs) {
  for (const char* name :
       {"asterisk-offer.sdp", "asterisk-hold.sdp", "rtpengine-offer-ipv6.sdp",
        "linphone-offer-audio-video.sdp", "freeswitch-offer-optional-srtp.sdp", "example-rfc2543-hold.sdp",
        "example-sip-g711.sdp", "baresip-offer.sdp", "baresip-answer.sdp", "baresip-answer-to-sipp.sdp",
        "sipp-offer.sdp", "sipp-answer.sdp"}) {
    SCOPED_TRACE(name);
    const SipSdp offer = readFileOk(name);
    ASSERT_TRUE(offer.audio.has_value());
    SipSdpParams p;
    p.originAddress = "2001:db8::20";
    p.port = 40000;
    p.codecs = offer.audio->codecs;
    p.telephoneEvent = offer.audio->telephoneEvent;
    p.direction = reverse(offer.audio->direction);
    auto answerText = writeSipAnswer(offer, p);
    ASSERT_TRUE(answerText.ok()) << answerText.error().message;
    const SipSdp answer = readOk(*answerText);
    EXPECT_EQ(answer.kinds, offer.kinds);
    ASSERT_TRUE(answer.audio.has_value());
    EXPECT_EQ(answer.audio->index, offer.audio->index);
    EXPECT_EQ(answer.audio->codecs, offer.audio->codecs);
    EXPECT_EQ(answer.audio->direction, p.direction);
    EXPECT_EQ(answer.audio->address, "2001:db8::20");
    if (offer.audio->telephoneEvent) {
      // Written with the offered fmtp when there was one, else 0-16.
      RtpCodec expected = *offer.audio->telephoneEvent;
      if (!expected.fmtp) expected.fmtp = "0-16";
      EXPECT_EQ(answer.audio->telephoneEvent, expected);
    } else {
      EXPECT_FALSE(answer.audio->telephoneEvent.has_value());
    }

    auto offerText = writeSipOffer(p);
    ASSERT_TRUE(offerText.ok()) << offerText.error().message;
    const SipSdp reoffer = readOk(*offerText);
    EXPECT_EQ(reoffer.kinds, std::vector<std::string>{"audio"});
    EXPECT_EQ(reoffer.audio->codecs, offer.audio->codecs);
  }
}

}  // namespace
}  // namespace callgate::sdp
