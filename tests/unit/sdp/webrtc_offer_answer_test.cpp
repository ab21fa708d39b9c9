// Reading a WebRTC client's offer (real Chromium offers from tests/data/sdp) and writing the gateway's
// ICE-lite answer, checked by parsing the answer back.
#include <gtest/gtest.h>

#include "sdp/media_view.hpp"
#include "sdp/sdp_writer.hpp"
#include "sdp/webrtc_answer.hpp"
#include "sdp/webrtc_offer.hpp"
#include "sdp_test_util.hpp"

namespace callgate::sdp {
namespace {

using test::parseSdpFile;

WebRtcOffer readFile(const std::string& name) {
  auto offer = readWebRtcOffer(parseSdpFile(name));
  EXPECT_TRUE(offer.ok()) << (offer.ok() ? "" : offer.error().message);
  return offer.ok() ? *offer : WebRtcOffer{};
}

TEST(WebRtcOffer, ReadsChromiumAudioVideoOffer) {
  const WebRtcOffer offer = readFile("chromium-offer-audio-video.sdp");
  ASSERT_EQ(offer.media.size(), 2u);
  EXPECT_EQ(offer.bundle, (std::vector<std::string>{"0", "1"}));
  const OfferedMedia& audio = offer.media[0];
  EXPECT_EQ(audio.kind, "audio");
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(audio.ufrag, "xI7J");
  EXPECT_EQ(audio.pwd, "XnDgn54kcE5Zqpyj1MeHz9vt");
  EXPECT_EQ(audio.fingerprintHash, "sha-256");
  EXPECT_EQ(audio.fingerprintValue.substr(0, 8), "8F:B1:E2");
  EXPECT_EQ(audio.setup, SetupRole::kActpass);
  EXPECT_EQ(audio.direction, Direction::kSendRecv);
  ASSERT_FALSE(audio.codecs.empty());
  EXPECT_EQ(audio.codecs[0].name, "opus");
  EXPECT_EQ(audio.codecs[0].channels, 2u);
  EXPECT_EQ(audio.codecs[0].fmtp, "minptime=10;useinbandfec=1");
  EXPECT_EQ(audio.ssrcs, std::vector<uint32_t>{2449203312u});
  const OfferedCodec* pcmu = findCodec(audio, "pcmu", 8000);
  ASSERT_NE(pcmu, nullptr);
  EXPECT_EQ(pcmu->payloadType, 0);
  EXPECT_EQ(findCodec(audio, "telephone-event", 48000)->payloadType, 110);
  EXPECT_EQ(findCodec(audio, "opus", 8000), nullptr);
  EXPECT_TRUE(offer.bundled(audio));
  EXPECT_EQ(offer.media[1].kind, "video");
  ASSERT_NE(findCodec(offer.media[1], "VP8", 90000), nullptr);
}

std::string withLine(std::string text, const std::string& remove, const std::string& add = {}) {
  const size_t at = text.find(remove);
  if (at != std::string::npos) text.replace(at, remove.size() + 2, add.empty() ? "" : add + "\r\n");
  return text;
}

core::Result<WebRtcOffer> readText(const std::string& text) {
  auto parsed = parseSdp(text);
  if (!parsed) return parsed.error();
  return readWebRtcOffer(*parsed);
}

TEST(WebRtcOffer, RefusesWhatDtlsSrtpCannotDoWithout) {
  const std::string good = test::readSdpFile("chromium-offer-audio.sdp");
  ASSERT_TRUE(readText(good).ok());

  auto noFingerprint = readText(withLine(
      good, good.substr(good.find("a=fingerprint"),
                        good.find("\r\n", good.find("a=fingerprint")) - good.find("a=fingerprint"))));
  ASSERT_FALSE(noFingerprint.ok());
  EXPECT_NE(noFingerprint.error().message.find("a=fingerprint is required"), std::string::npos)
      << noFingerprint.error().message;
  EXPECT_NE(noFingerprint.error().message.find("m=audio"), std::string::npos);

  auto noMux = readText(withLine(good, "a=rtcp-mux"));
  ASSERT_FALSE(noMux.ok());
  EXPECT_NE(noMux.error().message.find("a=rtcp-mux is required"), std::string::npos) << noMux.error().message;

  const size_t ufragAt = good.find("a=ice-ufrag");
  auto noUfrag = readText(withLine(good, good.substr(ufragAt, good.find("\r\n", ufragAt) - ufragAt)));
  ASSERT_FALSE(noUfrag.ok());
  EXPECT_NE(noUfrag.error().message.find("a=ice-ufrag"), std::string::npos) << noUfrag.error().message;

  auto holdconn = readText(withLine(good, "a=setup:actpass", "a=setup:holdconn"));
  ASSERT_FALSE(holdconn.ok());
  EXPECT_NE(holdconn.error().message.find("holdconn"), std::string::npos);

  auto badBundle = readText(withLine(good, "a=group:BUNDLE 0", "a=group:BUNDLE 0 7"));
  ASSERT_FALSE(badBundle.ok());
  EXPECT_NE(badBundle.error().message.find("mid '7'"), std::string::npos) << badBundle.error().message;
}

TEST(WebRtcOffer, PortZeroAndNonRtpLinesAreRejectedNotErrors) {
  std::string text = test::readSdpFile("chromium-offer-audio-video.sdp");
  const size_t video = text.find("m=video ");
  text.replace(video, text.find(' ', video + 8) - video, "m=video 0");
  auto offer = readText(text);
  ASSERT_TRUE(offer.ok()) << offer.error().message;
  EXPECT_FALSE(offer->media[0].rejected);
  EXPECT_TRUE(offer->media[1].rejected);
  EXPECT_FALSE(offer->bundled(offer->media[1]));
}

WebRtcAnswerParams answerParams(const WebRtcOffer& offer, bool bundle) {
  WebRtcAnswerParams p;
  p.originAddress = "127.0.0.1";
  p.fingerprintValue = "AA:BB";
  p.setup = SetupRole::kPassive;
  p.bundle = bundle;
  p.transports.push_back({"ufA1", "pwdpwdpwdpwdpwdpwdpwdpwd", "127.0.0.1", 20002});
  p.transports.push_back({"ufB2", "qwdpwdpwdpwdpwdpwdpwdpwd", "127.0.0.1", 20004});
  p.media.resize(offer.media.size());
  p.media[0] = AnsweredMedia{true, {111, 110}, Direction::kSendRecv, 0, 1234, ""};
  p.media[1] = AnsweredMedia{true, {96}, Direction::kSendRecv, bundle ? 0u : 1u, 5678, ""};
  return p;
}

TEST(WebRtcAnswer, BundledIceLiteAnswerParsesBackWithEverythingAWebRtcPeerNeeds) {
  const WebRtcOffer offer = readFile("chromium-offer-audio-video.sdp");
  const std::string text = writeSdp(buildWebRtcAnswer(offer, answerParams(offer, true)));
  auto answer = parseSdp(text);
  ASSERT_TRUE(answer.ok()) << answer.error().message << "\n" << text;
  ASSERT_EQ(answer->media.size(), 2u);
  MediaView audio(*answer, answer->media[0]);
  MediaView video(*answer, answer->media[1]);
  EXPECT_TRUE(audio.iceLite());
  EXPECT_EQ(answer->media[0].port, 20002);
  EXPECT_EQ(answer->media[1].port, 20002) << "bundled m-lines share the transport";
  EXPECT_EQ(answer->media[0].formats, (std::vector<std::string>{"111", "110"}));
  EXPECT_EQ(**audio.iceUfrag(), "ufA1");
  EXPECT_EQ(**video.iceUfrag(), "ufA1");
  auto groups = audio.groups();
  ASSERT_TRUE(groups.ok());
  ASSERT_EQ(groups->size(), 1u);
  EXPECT_EQ((*groups)[0].mids, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ((*audio.setup())->role, SetupRole::kPassive);
  EXPECT_TRUE(audio.rtcpMux());
  EXPECT_TRUE(audio.endOfCandidates());
  auto candidates = audio.candidates();
  ASSERT_TRUE(candidates.ok());
  ASSERT_EQ(candidates->size(), 1u);
  EXPECT_EQ((*candidates)[0].address, "127.0.0.1");
  EXPECT_EQ((*candidates)[0].port, 20002);
  EXPECT_EQ((*candidates)[0].type, "host");
  EXPECT_EQ((*candidates)[0].priority, hostCandidatePriority(1));
  EXPECT_EQ(hostCandidatePriority(1), 2130706431u);  // RFC 8445 §5.1.2.1 with 126, 65535, 256-1
  EXPECT_EQ((*audio.fmtp(111))->parameters, "minptime=10;useinbandfec=1");
  EXPECT_EQ((*audio.rtpmap(111))->channelCount(), 2u);
  // transport-cc is not answered (no transport-wide estimator); nack and pli are, for video.
  EXPECT_TRUE(audio.rtcpFeedback(111)->empty());
  auto fb = video.rtcpFeedback(96);
  ASSERT_TRUE(fb.ok());
  bool pli = false;
  for (const RtcpFeedback& f : *fb) {
    EXPECT_TRUE(answerableFeedback(f)) << f.type << " " << f.parameters;
    pli = pli || (f.type == "nack" && f.parameters == "pli");
  }
  EXPECT_TRUE(pli);
  auto ssrcs = video.ssrcs();
  ASSERT_TRUE(ssrcs.ok());
  ASSERT_FALSE(ssrcs->empty());
  EXPECT_EQ((*ssrcs)[0].id, 5678u);
  EXPECT_FALSE(video.msids()->empty()) << "the WebSDK plays event.streams[0]: the answer needs a=msid";
}

TEST(WebRtcAnswer, UnbundledAndDeclinedLines) {
  const WebRtcOffer offer = readFile("chromium-offer-audio-video.sdp");
  WebRtcAnswerParams p = answerParams(offer, false);
  auto answer = parseSdp(writeSdp(buildWebRtcAnswer(offer, p)));
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(findAttribute(answer->attributes, "group"), nullptr);
  EXPECT_EQ(answer->media[1].port, 20004);
  EXPECT_EQ(*MediaView(*answer, answer->media[1]).iceUfrag().value(), "ufB2");

  p.media[1].accept = false;
  auto declined = parseSdp(writeSdp(buildWebRtcAnswer(offer, p)));
  ASSERT_TRUE(declined.ok());
  EXPECT_EQ(declined->media[1].port, 0);
  EXPECT_EQ(declined->media[1].media, "video");
  EXPECT_EQ(declined->media[1].formats.size(), 1u);
  EXPECT_TRUE(MediaView(*declined, declined->media[1]).candidates()->empty());

  // Inactive lines carry no SSRC (the gateway sends nothing there).
  p.media[0].direction = Direction::kInactive;
  auto inactive = parseSdp(writeSdp(buildWebRtcAnswer(offer, p)));
  ASSERT_TRUE(inactive.ok());
  EXPECT_TRUE(MediaView(*inactive, inactive->media[0]).ssrcs()->empty());
  EXPECT_EQ(*MediaView(*inactive, inactive->media[0]).direction(), Direction::kInactive);
}

}  // namespace
}  // namespace callgate::sdp
