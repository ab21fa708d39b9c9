// MediaView over realistic descriptions: our examples (a Chromium-style WebRTC offer, a SIP phone's G.711
// offer, an ICE-lite answer with session-level defaults, RFC 4568 SDES) and the captures of real peers
// (Chromium, baresip, SIPp) under tests/data/sdp.
#include "sdp/media_view.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sdp_test_util.hpp"

namespace callgate::sdp {
namespace {

using test::parseSdpFile;

TEST(SdpMediaView, WebRtcOfferSessionLevel) {
  const SessionDescription sdp = parseSdpFile("example-webrtc-offer.sdp");
  EXPECT_EQ(sdp.origin.sessionId, "4611731400430051336");
  EXPECT_EQ(sdp.sessionName, "-");
  auto groups = parseAll<Group>(sdp.attributes);
  ASSERT_TRUE(groups.ok());
  EXPECT_EQ(*groups, (std::vector<Group>{{"BUNDLE", {"0", "1"}}}));
  EXPECT_TRUE(hasAttribute(sdp.attributes, "extmap-allow-mixed"));
  EXPECT_EQ(attributeValue(sdp.attributes, "msid-semantic"), " WMS 9f3c1d2e-stream");
  ASSERT_EQ(sdp.media.size(), 2u);
}

TEST(SdpMediaView, WebRtcOfferAudio) {
  const SessionDescription sdp = parseSdpFile("example-webrtc-offer.sdp");
  ASSERT_EQ(sdp.media.size(), 2u);
  const MediaView audio(sdp, sdp.media[0]);
  EXPECT_EQ(audio.media().proto, "UDP/TLS/RTP/SAVPF");
  EXPECT_EQ(audio.payloadTypes(), (std::vector<uint8_t>{111, 63, 9, 0, 8, 13, 110, 126}));
  EXPECT_EQ(audio.direction().value(), Direction::kSendRecv);
  EXPECT_EQ(audio.mid(), "0");
  EXPECT_TRUE(audio.rtcpMux());
  EXPECT_FALSE(audio.rtcpReducedSize());
  ASSERT_NE(audio.connection(), nullptr);
  EXPECT_EQ(audio.connection()->address, "0.0.0.0");
  EXPECT_EQ(audio.rtcp().value(),
            (RtcpAttribute{9, Connection{"IN", "IP4", "0.0.0.0", std::nullopt, std::nullopt}}));

  EXPECT_EQ(audio.rtpmap(111).value(), (Rtpmap{111, "opus", 48000, 2u}));
  EXPECT_EQ(audio.rtpmap(63).value(), (Rtpmap{63, "red", 48000, 2u}));
  EXPECT_EQ(audio.rtpmap(9).value(), (Rtpmap{9, "G722", 8000, std::nullopt}));
  EXPECT_EQ(audio.rtpmap(0).value(), (Rtpmap{0, "PCMU", 8000, std::nullopt}));
  EXPECT_EQ(audio.rtpmap(8).value(), (Rtpmap{8, "PCMA", 8000, std::nullopt}));
  EXPECT_EQ(audio.rtpmap(110).value(), (Rtpmap{110, "telephone-event", 48000, std::nullopt}));
  EXPECT_EQ(audio.rtpmap(126).value(), (Rtpmap{126, "telephone-event", 8000, std::nullopt}));
  EXPECT_EQ(audio.rtpmap(100).value(), std::nullopt);
  auto opusFmtp = audio.fmtp(111).value();
  ASSERT_TRUE(opusFmtp.has_value());
  EXPECT_EQ(opusFmtp->parameter("useinbandfec"), "1");
  EXPECT_EQ(opusFmtp->parameter("minptime"), "10");
  EXPECT_EQ(audio.fmtp(63).value()->parameters, "111/111");
  EXPECT_EQ(audio.fmtp(0).value(), std::nullopt);
  EXPECT_EQ(audio.rtcpFeedback(111).value(), (std::vector<RtcpFeedback>{{111, "transport-cc", ""}}));
  EXPECT_TRUE(audio.rtcpFeedback(0).value().empty());

  EXPECT_EQ(audio.iceUfrag().value(), "EEtu");
  EXPECT_EQ(audio.icePwd().value(), "Ld+hlGcHu6Ri0zNUNj4Wq7bA");
  EXPECT_FALSE(audio.iceLite());
  EXPECT_EQ(audio.iceOptions(), (std::vector<std::string_view>{"trickle"}));
  auto candidates = audio.candidates().value();
  ASSERT_EQ(candidates.size(), 3u);
  EXPECT_EQ(candidates[0].type, "host");
  EXPECT_EQ(candidates[0].priority, 2122260223u);
  EXPECT_EQ(candidates[1].type, "srflx");
  EXPECT_EQ(candidates[1].address, "203.0.113.7");
  EXPECT_EQ(candidates[1].relatedAddress, "192.168.1.20");
  EXPECT_EQ(candidates[2].transport, "tcp");
  EXPECT_EQ(candidates[2].port, 9);
  EXPECT_EQ(candidates[2].extension("tcptype"), "active");
  EXPECT_FALSE(audio.endOfCandidates());

  auto fingerprints = audio.fingerprints().value();
  ASSERT_EQ(fingerprints.size(), 1u);
  EXPECT_EQ(fingerprints[0].hashFunction, "sha-256");
  EXPECT_EQ(fingerprints[0].bytes().size(), 32u);
  EXPECT_EQ(fingerprints[0].bytes()[0], 0xd2);
  EXPECT_EQ(audio.setup().value()->role, SetupRole::kActpass);

  auto ssrcs = audio.ssrcs().value();
  ASSERT_EQ(ssrcs.size(), 2u);
  EXPECT_EQ(ssrcs[0], (Ssrc{3735928559u, "cname", "4TOk42mSjXCkVIa6"}));
  EXPECT_EQ(ssrcs[1].value, "9f3c1d2e-stream 5b7a9c30-8c0f-4ab1-9f0d-1c2d3e4f5a6b");
  EXPECT_EQ(audio.msids().value(),
            (std::vector<Msid>{{"9f3c1d2e-stream", "5b7a9c30-8c0f-4ab1-9f0d-1c2d3e4f5a6b"}}));
  auto extmaps = audio.extmaps().value();
  ASSERT_EQ(extmaps.size(), 4u);
  EXPECT_EQ(extmaps[0], (Extmap{1, std::nullopt, "urn:ietf:params:rtp-hdrext:ssrc-audio-level", ""}));
  EXPECT_EQ(extmaps[3].uri, "urn:ietf:params:rtp-hdrext:sdes:mid");
  EXPECT_EQ(audio.groups().value().size(), 1u);
  EXPECT_EQ(audio.ptime().value(), std::nullopt);
  EXPECT_TRUE(audio.cryptos().value().empty());
}

TEST(SdpMediaView, WebRtcOfferVideo) {
  const SessionDescription sdp = parseSdpFile("example-webrtc-offer.sdp");
  ASSERT_EQ(sdp.media.size(), 2u);
  const MediaView video(sdp, sdp.media[1]);
  EXPECT_EQ(video.media().media, "video");
  EXPECT_EQ(video.mid(), "1");
  EXPECT_TRUE(video.rtcpReducedSize());
  EXPECT_EQ(video.rtpmap(96).value(), (Rtpmap{96, "VP8", 90000, std::nullopt}));
  EXPECT_EQ(video.rtpmap(98)->value().encodingName, "VP9");
  EXPECT_EQ(video.rtpmap(102)->value().encodingName, "H264");
  EXPECT_EQ(video.rtpmap(118)->value().encodingName, "ulpfec");
  // RFC 4588 rtx: each retransmission type names its original with apt.
  EXPECT_EQ(video.rtpmap(97)->value().encodingName, "rtx");
  EXPECT_EQ(video.fmtp(97).value()->parameter("apt"), "96");
  EXPECT_EQ(video.fmtp(99).value()->parameter("apt"), "98");
  EXPECT_EQ(video.fmtp(103).value()->parameter("apt"), "102");
  EXPECT_EQ(video.fmtp(117).value()->parameter("apt"), "116");
  EXPECT_EQ(video.fmtp(98).value()->parameter("profile-id"), "0");
  auto h264 = video.fmtp(102).value();
  EXPECT_EQ(h264->parameter("profile-level-id"), "42e01f");
  EXPECT_EQ(h264->parameter("packetization-mode"), "1");
  EXPECT_EQ(h264->parameter("level-asymmetry-allowed"), "1");
  EXPECT_EQ(video.rtcpFeedback(96).value(), (std::vector<RtcpFeedback>{{96, "goog-remb", ""},
                                                                       {96, "transport-cc", ""},
                                                                       {96, "ccm", "fir"},
                                                                       {96, "nack", ""},
                                                                       {96, "nack", "pli"}}));
  EXPECT_TRUE(video.rtcpFeedback(97).value().empty());
  EXPECT_EQ(video.ssrcGroups().value(), (std::vector<SsrcGroup>{{"FID", {1122334455u, 2233445566u}}}));
  EXPECT_EQ(video.ssrcs().value().size(), 4u);
  auto extmaps = video.extmaps().value();
  ASSERT_EQ(extmaps.size(), 8u);
  EXPECT_EQ(extmaps[0].id, 14);
  EXPECT_EQ(extmaps[7].uri, "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id");
  EXPECT_TRUE(video.candidates().value().empty());  // bundled on the audio transport
}

TEST(SdpMediaView, SipPhoneG711UsesStaticPayloadTypes) {
  const SessionDescription sdp = parseSdpFile("example-sip-g711.sdp");  // LF-only line ends
  EXPECT_EQ(sdp.sessionName, "SDP data");
  EXPECT_EQ(sdp.bandwidths, (std::vector<Bandwidth>{{"AS", 84}}));
  ASSERT_EQ(sdp.media.size(), 1u);
  const MediaView audio(sdp, sdp.media[0]);
  EXPECT_EQ(audio.media().port, 11796);
  EXPECT_EQ(audio.media().proto, "RTP/AVP");
  ASSERT_NE(audio.connection(), nullptr);  // from the session level (RFC 8866 §5.7)
  EXPECT_EQ(audio.connection()->address, "192.0.2.45");
  EXPECT_EQ(audio.payloadTypes(), (std::vector<uint8_t>{0, 8, 18, 101}));
  EXPECT_EQ(audio.rtpmap(0).value(), (Rtpmap{0, "PCMU", 8000, std::nullopt}));  // no a=rtpmap: RFC 3551
  EXPECT_EQ(audio.rtpmap(8).value(), (Rtpmap{8, "PCMA", 8000, std::nullopt}));
  EXPECT_EQ(audio.rtpmap(18).value(), (Rtpmap{18, "G729", 8000, std::nullopt}));
  EXPECT_EQ(audio.fmtp(18).value()->parameter("annexb"), "no");
  EXPECT_EQ(audio.rtpmap(101).value(), (Rtpmap{101, "telephone-event", 8000, std::nullopt}));
  EXPECT_EQ(audio.fmtp(101).value()->parameters, "0-15");
  EXPECT_EQ(audio.rtcp().value(), (RtcpAttribute{11797, std::nullopt}));
  EXPECT_FALSE(audio.rtcpMux());
  EXPECT_EQ(audio.ptime().value(), 20u);
  EXPECT_EQ(audio.maxptime().value(), std::nullopt);
  EXPECT_EQ(audio.direction().value(), Direction::kSendRecv);
  EXPECT_EQ(audio.iceUfrag().value(), std::nullopt);
  EXPECT_TRUE(audio.fingerprints().value().empty());
  EXPECT_EQ(audio.setup().value(), std::nullopt);
}

TEST(SdpMediaView, IceLiteAnswerFallsBackToSessionLevel) {
  const SessionDescription sdp = parseSdpFile("example-ice-lite-answer.sdp");
  ASSERT_EQ(sdp.media.size(), 2u);
  const MediaView audio(sdp, sdp.media[0]);
  const MediaView video(sdp, sdp.media[1]);
  EXPECT_TRUE(audio.iceLite());
  // ice-ufrag/pwd (RFC 8839 §5.4) and fingerprint (RFC 8122 §5) come from the session unless overridden.
  EXPECT_EQ(audio.iceUfrag().value(), "Gw7k");
  EXPECT_EQ(audio.icePwd().value(), "4N9m2xQp8RrT6yVb1ZcLdS0f");
  EXPECT_EQ(video.iceUfrag().value(), "Vid0");
  EXPECT_EQ(video.icePwd().value(), "AbCdEfGhIjKlMnOpQrStUvWx");
  ASSERT_EQ(audio.fingerprints().value().size(), 1u);
  EXPECT_EQ(video.fingerprints().value()[0].value.substr(0, 5), "19:E2");
  EXPECT_EQ(audio.setup().value()->role, SetupRole::kPassive);
  // The session's a=sendonly is the default (RFC 8866 §6.7); video overrides it.
  EXPECT_EQ(audio.direction().value(), Direction::kSendOnly);
  EXPECT_EQ(video.direction().value(), Direction::kInactive);
  // c= at media level overrides the session's.
  EXPECT_EQ(audio.connection()->address, "198.51.100.20");
  EXPECT_EQ(video.connection()->address, "2001:db8::20");
  EXPECT_EQ(audio.ptime().value(), 20u);
  EXPECT_EQ(audio.maxptime().value(), 60u);
  auto candidates = audio.candidates().value();
  ASSERT_EQ(candidates.size(), 3u);
  EXPECT_EQ(candidates[1].address, "2001:db8::20");
  EXPECT_EQ(candidates[2].extension("tcptype"), "passive");
  EXPECT_TRUE(audio.endOfCandidates());
  auto groups = video.groups().value();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].mids, (std::vector<std::string>{"a", "v"}));
  EXPECT_EQ(audio.fmtp(126).value()->parameters, "0-16");
  EXPECT_EQ(audio.fmtp(111).value()->parameter("stereo"), "0");
}

TEST(SdpMediaView, Rfc4568Crypto) {
  const SessionDescription sdp = parseSdpFile("example-rfc4568-crypto.sdp");
  ASSERT_EQ(sdp.media.size(), 3u);
  auto audio = MediaView(sdp, sdp.media[0]).cryptos().value();
  ASSERT_EQ(audio.size(), 1u);
  EXPECT_EQ(audio[0].suite, "AES_CM_128_HMAC_SHA1_80");
  EXPECT_EQ(audio[0].keyParams[0].mkiLength, 4);
  EXPECT_EQ(audio[0].sessionParams, std::vector<std::string>{"FEC_ORDER=FEC_SRTP"});
  auto video = MediaView(sdp, sdp.media[1]).cryptos().value();
  ASSERT_EQ(video.size(), 1u);
  EXPECT_EQ(video[0].keyParams[0].keySalt, "d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj");
  EXPECT_EQ(video[0].keyParams[0].lifetime, "2^20");
  EXPECT_EQ(video[0].keyParams[0].mkiValue, 1u);
  EXPECT_EQ(video[0].keyParams[0].mkiLength, 32);
  EXPECT_EQ(video[0].keyParams[0].keySaltBytes().value().size(), 30u);
  EXPECT_EQ(MediaView(sdp, sdp.media[1]).rtpmap(31).value()->encodingName, "H261");
  EXPECT_EQ(attributeValue(sdp.media[2].attributes, "orient"), "portrait");
}

TEST(SdpMediaView, Rfc4566MulticastSessionDirection) {
  const SessionDescription sdp = parseSdpFile("example-rfc4566-multicast.sdp");
  EXPECT_EQ(*sdp.connection, (Connection{"IN", "IP4", "224.2.17.12", 127u, std::nullopt}));
  ASSERT_EQ(sdp.media.size(), 2u);
  EXPECT_EQ(MediaView(sdp, sdp.media[0]).direction().value(), Direction::kRecvOnly);
  EXPECT_EQ(MediaView(sdp, sdp.media[1]).direction().value(), Direction::kRecvOnly);
}

TEST(SdpMediaView, ConflictingDirectionsAreAnError) {
  auto sdp = parseSdp(
      "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP "
      "0\r\na=sendonly\r\na=recvonly\r\n");
  ASSERT_TRUE(sdp.ok());
  auto direction = MediaView(*sdp, sdp->media[0]).direction();
  ASSERT_FALSE(direction.ok());
  EXPECT_EQ(direction.error().message,
            "a=sendonly and a=recvonly at the same level (RFC 3264 §5.1: one direction per media)");
}

TEST(SdpMediaView, BadTypedValuesAreErrorsNotCrashes) {
  auto sdp = parseSdp(
      "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP "
      "0\r\na=ptime:0\r\na=maxptime:x\r\n"
      "a=ice-ufrag:ab\r\na=ice-pwd:short\r\na=setup:maybe\r\na=rtcp:99999\r\n");
  ASSERT_TRUE(sdp.ok());
  const MediaView audio(*sdp, sdp->media[0]);
  EXPECT_EQ(audio.ptime().error().message, "a=ptime:0: ptime is not a positive number of ms (RFC 8866 §6.4)");
  EXPECT_FALSE(audio.maxptime().ok());
  EXPECT_EQ(audio.iceUfrag().error().message, "a=ice-ufrag:ab: not 4-256 ice-char (RFC 8839 §5.4)");
  EXPECT_EQ(audio.icePwd().error().message, "a=ice-pwd:short: not 22-256 ice-char (RFC 8839 §5.4)");
  EXPECT_NE(audio.setup().error().message.find("a=setup:maybe: setup role 'maybe'"), std::string::npos);
  EXPECT_NE(audio.rtcp().error().message.find("a=rtcp:99999: rtcp port '99999'"), std::string::npos);
}

// ---- captures of real peers (tests/data/sdp/chromium-*, baresip-*, sipp-*) ----
// The capture is re-run from time to time, so these assert what a peer always sends (codecs, payload types,
// roles, structure), not the per-call values (ports, session ids, ICE credentials, SSRCs, keys).

TEST(SdpMediaView, ChromiumCapturedAudioVideoOffer) {
  const SessionDescription sdp = parseSdpFile("chromium-offer-audio-video.sdp");
  ASSERT_EQ(sdp.media.size(), 2u);
  EXPECT_EQ(sdp.origin.username, "-");
  EXPECT_EQ(sdp.origin.sessionVersion, "2");
  EXPECT_EQ(parseAll<Group>(sdp.attributes).value(), (std::vector<Group>{{"BUNDLE", {"0", "1"}}}));
  EXPECT_TRUE(hasAttribute(sdp.attributes, "extmap-allow-mixed"));
  const MediaView audio(sdp, sdp.media[0]);
  const MediaView video(sdp, sdp.media[1]);
  EXPECT_EQ(audio.media().proto, "UDP/TLS/RTP/SAVPF");
  EXPECT_EQ(audio.payloadTypes(), (std::vector<uint8_t>{111, 63, 9, 0, 8, 13, 110, 126}));
  EXPECT_EQ(audio.rtpmap(111).value(), (Rtpmap{111, "opus", 48000, 2u}));
  EXPECT_EQ(audio.rtpmap(126).value(), (Rtpmap{126, "telephone-event", 8000, std::nullopt}));
  EXPECT_EQ(audio.fmtp(111).value()->parameters, "minptime=10;useinbandfec=1");
  EXPECT_EQ(audio.rtcpFeedback(111).value(), (std::vector<RtcpFeedback>{{111, "transport-cc", ""}}));
  EXPECT_EQ(audio.mid(), "0");
  EXPECT_EQ(video.mid(), "1");
  EXPECT_EQ(audio.rtcp().value(),
            (RtcpAttribute{9, Connection{"IN", "IP4", "0.0.0.0", std::nullopt, std::nullopt}}));
  EXPECT_TRUE(audio.rtcpMux());
  EXPECT_TRUE(audio.rtcpReducedSize());
  EXPECT_EQ(audio.iceUfrag().value()->size(), 4u);
  EXPECT_EQ(audio.icePwd().value()->size(), 24u);
  EXPECT_EQ(audio.iceUfrag().value(), video.iceUfrag().value());
  EXPECT_EQ(audio.iceOptions(), (std::vector<std::string_view>{"trickle"}));
  EXPECT_EQ(audio.setup().value()->role, SetupRole::kActpass);
  ASSERT_EQ(audio.fingerprints().value().size(), 1u);
  EXPECT_EQ(audio.fingerprints().value()[0].hashFunction, "sha-256");
  EXPECT_EQ(audio.fingerprints().value()[0].bytes().size(), 32u);
  EXPECT_EQ(audio.fingerprints().value(), video.fingerprints().value());
  auto candidates = audio.candidates().value();
  ASSERT_EQ(candidates.size(), 2u);
  EXPECT_EQ(candidates[0].transport, "udp");
  EXPECT_EQ(candidates[0].type, "host");
  EXPECT_EQ(candidates[0].priority, 2122260223u);
  EXPECT_EQ(candidates[0].port, audio.media().port);
  EXPECT_EQ(candidates[0].extension("generation"), "0");
  EXPECT_EQ(candidates[1].transport, "tcp");
  EXPECT_EQ(candidates[1].port, 9);
  EXPECT_EQ(candidates[1].extension("tcptype"), "active");
  EXPECT_EQ(audio.extmaps().value().size(), 4u);
  EXPECT_EQ(video.payloadTypes().size(), 23u);
  EXPECT_EQ(video.rtpmap(96).value(), (Rtpmap{96, "VP8", 90000, std::nullopt}));
  EXPECT_EQ(video.rtpmap(45)->value().encodingName, "AV1");
  EXPECT_EQ(video.fmtp(46).value()->parameter("apt"), "45");
  EXPECT_EQ(video.fmtp(97).value()->parameter("apt"), "96");
  EXPECT_EQ(video.fmtp(104).value()->parameter("packetization-mode"), "0");
  EXPECT_EQ(video.fmtp(108).value()->parameter("profile-level-id"), "42e01f");
  EXPECT_EQ(video.fmtp(100).value()->parameter("profile-id"), "2");
  auto groups = video.ssrcGroups().value();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].semantics, "FID");
  ASSERT_EQ(groups[0].ssrcs.size(), 2u);
  auto ssrcs = video.ssrcs().value();
  ASSERT_EQ(ssrcs.size(), 4u);
  EXPECT_EQ(ssrcs[0].id, groups[0].ssrcs[0]);
  EXPECT_EQ(ssrcs[0].attribute, "cname");
  EXPECT_EQ(ssrcs[1].attribute, "msid");
  EXPECT_EQ(ssrcs[2].id, groups[0].ssrcs[1]);
  auto msids = video.msids().value();
  ASSERT_EQ(msids.size(), 1u);
  EXPECT_EQ(ssrcs[1].value, msids[0].toString());  // the a=ssrc msid repeats the a=msid line
  EXPECT_EQ(attributeValue(video.media().attributes, "rtcp-xr"), "rcvr-rtt=all");
}

TEST(SdpMediaView, ChromiumCapturedAnswerIsActive) {
  const SessionDescription sdp = parseSdpFile("chromium-answer-audio-video.sdp");
  ASSERT_EQ(sdp.media.size(), 2u);
  const MediaView audio(sdp, sdp.media[0]);
  const MediaView video(sdp, sdp.media[1]);
  EXPECT_EQ(audio.setup().value()->role, SetupRole::kActive);  // RFC 5763 §5: the answerer takes active
  EXPECT_EQ(video.setup().value()->role, SetupRole::kActive);
  EXPECT_EQ(audio.direction().value(), Direction::kSendRecv);
  EXPECT_EQ(audio.candidates().value().size(), 1u);
  EXPECT_EQ(video.media().port, 9);  // bundled: the port of the first media section carries everything
  EXPECT_EQ(video.connection()->address, "0.0.0.0");
  EXPECT_EQ(audio.rtpmap(111).value(), (Rtpmap{111, "opus", 48000, 2u}));
  EXPECT_EQ(video.rtpmap(102)->value().encodingName, "H264");
}

TEST(SdpMediaView, ChromiumCapturedAudioOnlyOffer) {
  const SessionDescription sdp = parseSdpFile("chromium-offer-audio.sdp");
  ASSERT_EQ(sdp.media.size(), 1u);
  EXPECT_EQ(parseAll<Group>(sdp.attributes).value(), (std::vector<Group>{{"BUNDLE", {"0"}}}));
  const MediaView audio(sdp, sdp.media[0]);
  EXPECT_EQ(audio.payloadTypes(), (std::vector<uint8_t>{111, 63, 9, 0, 8, 13, 110, 126}));
  EXPECT_EQ(audio.rtpmap(9).value(), (Rtpmap{9, "G722", 8000, std::nullopt}));
  EXPECT_EQ(audio.fmtp(63).value()->parameters, "111/111");
  auto ssrcs = audio.ssrcs().value();
  ASSERT_EQ(ssrcs.size(), 2u);
  EXPECT_EQ(ssrcs[0].attribute, "cname");
  EXPECT_EQ(ssrcs[0].id, ssrcs[1].id);
  ASSERT_EQ(audio.msids().value().size(), 1u);
  EXPECT_EQ(audio.msids().value()[0].appData->size(), 36u);  // a UUID track id
}

TEST(SdpMediaView, BaresipCapturedOffer) {
  const SessionDescription sdp = parseSdpFile("baresip-offer.sdp");
  EXPECT_EQ(attributeValue(sdp.attributes, "tool"), "baresip 1.0.0");
  ASSERT_EQ(sdp.media.size(), 1u);
  const MediaView audio(sdp, sdp.media[0]);
  EXPECT_EQ(audio.media().proto, "RTP/AVP");
  EXPECT_EQ(audio.media().port % 2, 0);  // RTP on an even port (RFC 3550 §11)
  EXPECT_EQ(audio.payloadTypes(), (std::vector<uint8_t>{96, 0, 8, 101}));
  EXPECT_EQ(audio.rtpmap(96).value(), (Rtpmap{96, "opus", 48000, 2u}));
  EXPECT_EQ(audio.fmtp(96).value()->parameter("sprop-stereo"), "1");
  EXPECT_EQ(audio.rtpmap(101).value(), (Rtpmap{101, "telephone-event", 8000, std::nullopt}));
  EXPECT_EQ(audio.fmtp(101).value()->parameters, "0-15");
  EXPECT_EQ(audio.ptime().value(), 20u);
  EXPECT_EQ(attributeValue(audio.media().attributes, "minptime"), "20");
  EXPECT_EQ(audio.direction().value(), Direction::kSendRecv);
  EXPECT_TRUE(audio.rtcpReducedSize());
  auto ssrcs = audio.ssrcs().value();
  ASSERT_EQ(ssrcs.size(), 1u);
  EXPECT_EQ(ssrcs[0].attribute, "cname");
  EXPECT_EQ(ssrcs[0].value->substr(0, 4), "sip:");
  EXPECT_EQ(audio.connection()->address, "127.0.0.1");
}

TEST(SdpMediaView, BaresipCapturedAnswerToSipp) {
  const SessionDescription sdp = parseSdpFile("baresip-answer-to-sipp.sdp");
  ASSERT_EQ(sdp.media.size(), 1u);
  const MediaView audio(sdp, sdp.media[0]);
  EXPECT_EQ(audio.payloadTypes(), std::vector<uint8_t>{0});  // answers with the one codec SIPp offered
  EXPECT_EQ(audio.rtpmap(0).value(), (Rtpmap{0, "PCMU", 8000, std::nullopt}));
  EXPECT_EQ(audio.ptime().value(), 20u);
  EXPECT_EQ(audio.ssrcs().value().size(), 1u);
}

TEST(SdpMediaView, SippCapturedOffer) {
  const SessionDescription sdp = parseSdpFile("sipp-offer.sdp");
  EXPECT_EQ(sdp.origin.username, "user1");
  EXPECT_EQ(sdp.origin.address, "127.0.0.1");
  ASSERT_EQ(sdp.media.size(), 1u);
  const MediaView audio(sdp, sdp.media[0]);
  EXPECT_EQ(audio.payloadTypes(), std::vector<uint8_t>{0});
  EXPECT_EQ(audio.rtpmap(0).value(), (Rtpmap{0, "PCMU", 8000, std::nullopt}));
  EXPECT_EQ(audio.direction().value(), Direction::kSendRecv);  // no attribute: the default (RFC 3264 §5.1)
  EXPECT_EQ(audio.connection()->address, "127.0.0.1");
}

}  // namespace
}  // namespace callgate::sdp
