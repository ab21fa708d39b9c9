// The gateway's WebRTC offer for an incoming call and the client's answer to it. callgate-webrtc-offer.sdp
// is this writer's output that Chromium 156 took with setRemoteDescription; chromium-answer-audio.sdp is the
// answer Chromium then created for it (with a WebAudio track added, as the WebSDK adds its microphone).
#include "sdp/webrtc_offer_writer.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "sdp/media_view.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/sdp_writer.hpp"
#include "sdp/webrtc_answer.hpp"
#include "sdp/webrtc_answer_reader.hpp"
#include "sdp/webrtc_offer.hpp"
#include "sdp_test_util.hpp"

namespace callgate::sdp {
namespace {

constexpr char kFingerprint[] =
    "9E:0A:4F:67:21:B3:5C:88:D1:0E:7A:3B:C4:59:F2:16:AD:38:E0:9B:71:C6:2F:54:83:1D:A9:E5:0C:47:B2:6F";

// The parameters of callgate-webrtc-offer.sdp.
WebRtcOfferParams chromiumTestedParams() {
  WebRtcOfferParams p;
  p.originAddress = "127.0.0.1";
  p.address = "127.0.0.1";
  p.sessionId = 4215775240449105457ull;
  p.ufrag = "Cg7b";
  p.pwd = "g8Qm2TzR4vXy6WbN1kLp0sHd";
  p.fingerprintValue = kFingerprint;
  p.port = 40000;
  p.codecs = {{111, "opus", 48000, 2, "minptime=10;useinbandfec=1"},
              {9, "G722", 8000, 1, std::nullopt},
              {0, "PCMU", 8000, 1, std::nullopt},
              {8, "PCMA", 8000, 1, std::nullopt}};
  p.telephoneEvent = RtpCodec{101, "telephone-event", 8000, 1, std::nullopt};
  p.ssrc = 305419896;
  return p;
}

TEST(WebRtcOfferWriter, WritesTheOfferChromiumAccepted) {
  // Any change to this text must be checked with Chromium again (setRemoteDescription, createAnswer).
  EXPECT_EQ(writeWebRtcOffer(chromiumTestedParams()), test::readSdpFile("callgate-webrtc-offer.sdp"));
}

TEST(WebRtcOfferWriter, ReadsBackAsAWebRtcDescription) {
  const WebRtcOfferParams p = chromiumTestedParams();
  auto sdp = parseSdp(writeWebRtcOffer(p));
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  // The reader of client offers requires everything a WebRTC peer must send: it must accept ours too.
  auto offer = readWebRtcOffer(*sdp);
  ASSERT_TRUE(offer.ok()) << offer.error().message;
  ASSERT_EQ(offer->media.size(), 1u);
  const OfferedMedia& audio = offer->media[0];
  EXPECT_EQ(audio.kind, "audio");
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(offer->bundle, std::vector<std::string>{"0"});
  EXPECT_EQ(audio.ufrag, p.ufrag);
  EXPECT_EQ(audio.pwd, p.pwd);
  EXPECT_EQ(audio.fingerprintHash, "sha-256");
  EXPECT_EQ(audio.fingerprintValue, kFingerprint);
  EXPECT_EQ(audio.setup, SetupRole::kActpass);  // RFC 5763 §5: the offerer's role
  EXPECT_EQ(audio.direction, Direction::kSendRecv);
  ASSERT_EQ(audio.codecs.size(), 5u);
  EXPECT_EQ(audio.codecs[0].name, "opus");
  EXPECT_EQ(audio.codecs[0].channels, 2u);
  EXPECT_EQ(audio.codecs[0].fmtp, "minptime=10;useinbandfec=1");
  EXPECT_EQ(audio.codecs[4].name, "telephone-event");
  EXPECT_EQ(audio.codecs[4].fmtp, "0-16");  // RFC 4733 §7.1.1 default written
  EXPECT_EQ(audio.ssrcs, std::vector<uint32_t>{305419896u});

  const MediaView view(*sdp, sdp->media[0]);
  EXPECT_TRUE(view.iceLite());
  EXPECT_TRUE(view.rtcpMux());
  EXPECT_TRUE(view.endOfCandidates());
  auto candidates = view.candidates();
  ASSERT_TRUE(candidates.ok());
  ASSERT_EQ(candidates->size(), 1u);
  EXPECT_EQ((*candidates)[0].address, "127.0.0.1");
  EXPECT_EQ((*candidates)[0].port, 40000);
  EXPECT_EQ((*candidates)[0].type, "host");
  EXPECT_EQ((*candidates)[0].priority, hostCandidatePriority(1));
  auto msids = view.msids();
  ASSERT_TRUE(msids.ok());
  EXPECT_EQ(*msids, (std::vector<Msid>{{"callgate", "audio0"}}));
  auto ssrcs = view.ssrcs();
  ASSERT_TRUE(ssrcs.ok());
  ASSERT_EQ(ssrcs->size(), 2u);
  EXPECT_EQ((*ssrcs)[0].attribute, "cname");
  EXPECT_EQ((*ssrcs)[0].value, "callgate");
  EXPECT_EQ(view.connection()->address, "127.0.0.1");
}

TEST(WebRtcOfferWriter, Ipv6) {
  WebRtcOfferParams p = chromiumTestedParams();
  p.originAddress = "2001:db8::1";
  p.address = "2001:db8::2";
  const std::string text = writeWebRtcOffer(p);
  EXPECT_NE(text.find("o=- 4215775240449105457 1 IN IP6 2001:db8::1\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\r\nc=IN IP6 2001:db8::2\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\r\na=candidate:1 1 udp 2130706431 2001:db8::2 40000 typ host\r\n"), std::string::npos)
      << text;
  EXPECT_TRUE(parseSdp(text).ok());
}

TEST(WebRtcOfferWriter, DirectionSsrcAndTelephoneEventFmtp) {
  WebRtcOfferParams p = chromiumTestedParams();
  p.direction = Direction::kRecvOnly;
  p.telephoneEvent->fmtp = "0-15";
  auto recvonly = parseSdp(writeWebRtcOffer(p));
  ASSERT_TRUE(recvonly.ok());
  const MediaView view(*recvonly, recvonly->media[0]);
  EXPECT_EQ(*view.direction(), Direction::kRecvOnly);
  EXPECT_TRUE(view.ssrcs()->empty()) << "the gateway sends nothing: no SSRC";
  EXPECT_EQ(view.msids()->size(), 1u) << "the client's remote track still needs its stream";
  EXPECT_EQ((*view.fmtp(101))->parameters, "0-15");

  p.direction = Direction::kSendOnly;
  p.ssrc = 0;
  auto noSsrc = parseSdp(writeWebRtcOffer(p));
  ASSERT_TRUE(noSsrc.ok());
  EXPECT_TRUE(MediaView(*noSsrc, noSsrc->media[0]).ssrcs()->empty());
  EXPECT_EQ(*MediaView(*noSsrc, noSsrc->media[0]).direction(), Direction::kSendOnly);

  p.ssrc = 7;
  p.trackId.clear();
  auto noTrack = parseSdp(writeWebRtcOffer(p));
  ASSERT_TRUE(noTrack.ok());
  EXPECT_EQ(*MediaView(*noTrack, noTrack->media[0]).msids(), (std::vector<Msid>{{"callgate", std::nullopt}}));

  p.telephoneEvent.reset();
  auto noEvents = parseSdp(writeWebRtcOffer(p));
  ASSERT_TRUE(noEvents.ok());
  EXPECT_EQ(noEvents->media[0].formats, (std::vector<std::string>{"111", "9", "0", "8"}));
}

TEST(WebRtcOfferWriter, WithoutCodecsTheMLineIsRejectedButValid) {
  WebRtcOfferParams p = chromiumTestedParams();
  p.codecs.clear();
  auto sdp = parseSdp(writeWebRtcOffer(p));
  ASSERT_TRUE(sdp.ok()) << sdp.error().message;
  ASSERT_EQ(sdp->media.size(), 1u);
  EXPECT_EQ(sdp->media[0].port, 0);
  EXPECT_EQ(sdp->media[0].formats, std::vector<std::string>{"0"});
}

WebRtcAnswer readAnswerOk(std::string_view text) {
  auto answer = readWebRtcAnswer(text);
  EXPECT_TRUE(answer.ok()) << (answer.ok() ? "" : answer.error().message) << "\n" << text;
  return answer.ok() ? std::move(*answer) : WebRtcAnswer{};
}

TEST(WebRtcAnswerReader, ChromiumAnswerToOurOffer) {
  const WebRtcAnswer a = readAnswerOk(test::readSdpFile("chromium-answer-audio.sdp"));
  EXPECT_TRUE(a.audioAccepted);
  EXPECT_EQ(a.mediaCount, 1u);
  EXPECT_EQ(a.mid, "0");
  EXPECT_EQ(a.ufrag, "QJ73");
  EXPECT_EQ(a.pwd, "8PEeonhwJIgGxqEI0/il4PBw");
  EXPECT_EQ(a.fingerprintHash, "sha-256");
  EXPECT_EQ(
      a.fingerprintValue,
      "74:BF:03:15:B0:F7:4A:AD:D3:76:C5:08:05:20:6C:27:C5:26:12:44:78:A0:AB:AE:D3:90:1C:DF:62:55:AF:39");
  EXPECT_EQ(a.setup, SetupRole::kActive);  // Chromium answers actpass with active: the gateway is the server
  EXPECT_EQ(a.direction, Direction::kSendRecv);
  ASSERT_EQ(a.codecs.size(), 4u);
  EXPECT_EQ(a.codecs[0], (RtpCodec{111, "opus", 48000, 2, "minptime=10;useinbandfec=1"}));
  EXPECT_EQ(a.codecs[1], (RtpCodec{9, "G722", 8000, 1, std::nullopt}));
  EXPECT_EQ(a.codecs[2], (RtpCodec{0, "PCMU", 8000, 1, std::nullopt}));
  EXPECT_EQ(a.codecs[3], (RtpCodec{8, "PCMA", 8000, 1, std::nullopt}));
  EXPECT_EQ(a.telephoneEvent, (RtpCodec{101, "telephone-event", 8000, 1, std::nullopt}));
  EXPECT_EQ(a.ssrcs, std::vector<uint32_t>{3763492662u});
}

// The captured answer with one line replaced (or removed when `to` is empty).
std::string edited(std::string_view from, std::string_view to) {
  std::string text = test::readSdpFile("chromium-answer-audio.sdp");
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at == std::string::npos) return text;
  const size_t end = text.find("\r\n", at);
  text.replace(at, end + 2 - at, to.empty() ? std::string() : std::string(to) + "\r\n");
  return text;
}

std::string answerError(std::string_view text) {
  auto answer = readWebRtcAnswer(text);
  EXPECT_FALSE(answer.ok()) << text;
  return answer.ok() ? std::string() : answer.error().message;
}

TEST(WebRtcAnswerReader, ErrorsNameTheAttributeAndTheRule) {
  EXPECT_EQ(answerError(edited("a=ice-ufrag:", "")), "answer m=audio: no a=ice-ufrag (RFC 8839 §5.4)");
  EXPECT_EQ(answerError(edited("a=ice-pwd:", "")), "answer m=audio: no a=ice-pwd (RFC 8839 §5.4)");
  EXPECT_EQ(answerError(edited("a=ice-ufrag:", "a=ice-ufrag:ab")),
            "answer m=audio: a=ice-ufrag:ab: not 4-256 ice-char (RFC 8839 §5.4)");
  EXPECT_EQ(answerError(edited("a=ice-pwd:", "a=ice-pwd:short")),
            "answer m=audio: a=ice-pwd:short: not 22-256 ice-char (RFC 8839 §5.4)");
  EXPECT_EQ(answerError(edited("a=fingerprint:", "")),
            "answer m=audio: no a=fingerprint (RFC 5763 §5: DTLS-SRTP checks the certificate against it)");
  EXPECT_EQ(
      answerError(edited("a=fingerprint:", "a=fingerprint:sha-256 AB:CD")),
      "answer m=audio: a=fingerprint:sha-256 AB:CD: fingerprint has 2 bytes, sha-256 gives 32 (RFC 8122 §5)");
  EXPECT_EQ(answerError(edited("a=setup:", "a=setup:actpass")),
            "answer m=audio: a=setup:actpass in an answer (RFC 5763 §5: the answerer is active or passive)");
  EXPECT_EQ(answerError(edited("a=setup:", "a=setup:holdconn")),
            "answer m=audio: a=setup:holdconn in an answer (RFC 5763 §5: the answerer is active or passive)");
  EXPECT_EQ(answerError(edited("a=setup:", "a=setup:server")),
            "answer m=audio: a=setup:server: setup role 'server' is not active, passive, actpass or holdconn "
            "(RFC 4145 §4)");
  EXPECT_EQ(
      answerError(edited("a=rtcp-mux", "")),
      "answer m=audio: no a=rtcp-mux: the offer required RTP and RTCP on one port (RFC 5761 §5.1.1, RFC "
      "8829 §4.1.1 rtcpMuxPolicy 'require')");
  EXPECT_EQ(
      answerError(edited("a=sendrecv", "a=sendrecv\r\na=recvonly")),
      "answer m=audio: a=sendrecv and a=recvonly at the same level (RFC 3264 §5.1: one direction per media)");
  EXPECT_EQ(answerError(edited("a=rtpmap:9 ", "a=rtpmap:9 G722")),
            "answer m=audio: a=rtpmap:9 G722: rtpmap 'G722' has no clock rate (RFC 8866 §6.6)");
  EXPECT_EQ(answerError(edited("m=audio ", "m=audio 9 RTP/AVP 111 9 0 8 101")),
            "answer m=audio: proto 'RTP/AVP' is not the offered UDP/TLS/RTP/SAVPF (RFC 3264 §6.1: the answer "
            "keeps it)");
  EXPECT_EQ(answerError(edited("m=audio ", "m=video 9 UDP/TLS/RTP/SAVPF 96")),
            "answer: the first m-line is m=video, not the offered audio (RFC 3264 §6: m-lines in the offer's "
            "order)");
  EXPECT_EQ(answerError("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"),
            "answer: no m= line (RFC 3264 §6: one for each offered m-line, the audio first)");
  EXPECT_EQ(answerError(""), "answer: SDP is empty (RFC 8866 §5: v=, o=, s= and t= are required)");
  EXPECT_EQ(
      answerError(edited("s=-", "x=-")),
      "answer: SDP line 3: expected s= but found x= (RFC 8866 §5: a description starts with v=, o=, s=)");
}

TEST(WebRtcAnswerReader, DeclinedAudioIsNotAnError) {
  // Port 0 (RFC 3264 §6): nothing else is required or read.
  const WebRtcAnswer a = readAnswerOk(
      "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 0 UDP/TLS/RTP/SAVPF 0\r\n"
      "c=IN IP4 0.0.0.0\r\na=mid:0\r\n");
  EXPECT_FALSE(a.audioAccepted);
  EXPECT_EQ(a.mid, "0");
  EXPECT_TRUE(a.ufrag.empty());
  EXPECT_TRUE(a.codecs.empty());
}

TEST(WebRtcAnswerReader, SessionLevelCredentialsPassiveRoleAndFingerprintChoice) {
  // ICE credentials and fingerprints at session level (RFC 8839 §5.4, RFC 8122 §5), several fingerprints.
  std::string text = test::readSdpFile("chromium-answer-audio.sdp");
  const std::string sessionLines =
      "a=ice-ufrag:SeSs\r\na=ice-pwd:sessionpasswordsession1\r\n"
      "a=fingerprint:sha-1 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33\r\n"
      "a=fingerprint:SHA-256 "
      "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF\r\n";
  text.insert(text.find("a=group:"), sessionLines);
  for (std::string_view name : {"a=ice-ufrag:Q", "a=ice-pwd:8", "a=fingerprint:sha-256 74"}) {
    const size_t at = text.find(name);
    ASSERT_NE(at, std::string::npos);
    text.erase(at, text.find("\r\n", at) + 2 - at);
  }
  const size_t setup = text.find("a=setup:active");
  text.replace(setup, 14, "a=setup:passive");
  const WebRtcAnswer a = readAnswerOk(text);
  EXPECT_EQ(a.ufrag, "SeSs");
  EXPECT_EQ(a.pwd, "sessionpasswordsession1");
  EXPECT_EQ(a.fingerprintHash, "SHA-256");  // sha-256 preferred over the first one
  EXPECT_EQ(a.fingerprintValue.substr(0, 5), "00:11");
  EXPECT_EQ(a.setup, SetupRole::kPassive);

  // RFC 4145 §4: no a=setup means active.
  EXPECT_EQ(readAnswerOk(edited("a=setup:", "")).setup, SetupRole::kActive);
}

TEST(WebRtcAnswerReader, OurOfferReadAsAnAnswerRoundTrips) {
  // writer -> reader: the offer with the answerer's role is an answer the reader takes, with the same codecs.
  WebRtcOfferParams p = chromiumTestedParams();
  p.direction = Direction::kSendOnly;
  std::string text = writeWebRtcOffer(p);
  EXPECT_TRUE(readWebRtcAnswer(text).error().message.find("a=setup:actpass in an answer") !=
              std::string::npos);
  text.replace(text.find("a=setup:actpass"), 15, "a=setup:passive");
  const WebRtcAnswer a = readAnswerOk(text);
  EXPECT_EQ(a.codecs, p.codecs);
  RtpCodec events = *p.telephoneEvent;
  events.fmtp = "0-16";
  EXPECT_EQ(a.telephoneEvent, events);
  EXPECT_EQ(a.ufrag, p.ufrag);
  EXPECT_EQ(a.pwd, p.pwd);
  EXPECT_EQ(a.fingerprintValue, p.fingerprintValue);
  EXPECT_EQ(a.direction, Direction::kSendOnly);
  EXPECT_EQ(a.ssrcs, std::vector<uint32_t>{p.ssrc});
}

}  // namespace
}  // namespace callgate::sdp
