// libFuzzer target for the SDP layer: parse, then require that write/parse is an exact round trip, that the
// canonical text is a fixed point, and that every typed attribute that parses survives toString()/parse().
// Every description that parses is also read as a WebRTC offer; an offer that reads is answered (each usable
// m-line accepted with its first codec), and the written answer must parse, round-trip, keep one m-line per
// offered one and read back as a WebRTC description itself. Every input is also read as a SIP peer's SDP
// (readSipSdp) and as a client's answer to the gateway's WebRTC offer (readWebRtcAnswer); what they accept
// is written back (our SIP answer and offer, our WebRTC offer) and must read back to the same codecs. Any
// broken property aborts with __builtin_trap so the fuzzer records the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sdp/attributes.hpp"
#include "sdp/media_view.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/sdp_writer.hpp"
#include "sdp/sip_sdp.hpp"
#include "sdp/webrtc_answer.hpp"
#include "sdp/webrtc_answer_reader.hpp"
#include "sdp/webrtc_offer.hpp"
#include "sdp/webrtc_offer_writer.hpp"

namespace {

using namespace callgate::sdp;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// Every attribute named T::kName that parses must print to text that parses back to the same value.
template <typename T>
void typedRoundTrip(const std::vector<Attribute>& attributes) {
  for (const Attribute& attribute : attributes) {
    if (attribute.name != T::kName) continue;
    auto parsed = T::parse(attribute.value ? std::string_view{*attribute.value} : std::string_view{});
    if (!parsed) continue;
    auto again = T::parse(parsed->toString());
    check(again.ok());
    check(*again == *parsed);
    check(parsed->toAttribute().name == T::kName);
  }
}

void typedRoundTrips(const std::vector<Attribute>& attributes) {
  typedRoundTrip<Rtpmap>(attributes);
  typedRoundTrip<Fmtp>(attributes);
  typedRoundTrip<RtcpFeedback>(attributes);
  typedRoundTrip<Candidate>(attributes);
  typedRoundTrip<Fingerprint>(attributes);
  typedRoundTrip<SetupAttribute>(attributes);
  typedRoundTrip<Ssrc>(attributes);
  typedRoundTrip<SsrcGroup>(attributes);
  typedRoundTrip<Msid>(attributes);
  typedRoundTrip<Extmap>(attributes);
  typedRoundTrip<Crypto>(attributes);
  typedRoundTrip<Group>(attributes);
  typedRoundTrip<RtcpAttribute>(attributes);
}

// Calls every accessor; the results only need to exist without crashing or tripping a sanitizer.
size_t exerciseView(const MediaView& view) {
  size_t n = 0;
  n += view.connection() != nullptr;
  n += view.direction().ok();
  for (uint8_t pt : view.payloadTypes()) {
    n += view.rtpmap(pt).ok();
    if (auto fmtp = view.fmtp(pt); fmtp.ok() && fmtp->has_value()) {
      n += (*fmtp)->parameterList().size();
      n += (*fmtp)->parameter("apt").has_value();
    }
    n += view.rtcpFeedback(pt).ok();
  }
  n += view.ptime().ok() + view.maxptime().ok() + view.rtcp().ok() + view.rtcpMux() + view.rtcpReducedSize();
  n += view.iceUfrag().ok() + view.icePwd().ok() + view.iceLite() + view.iceOptions().size();
  if (auto candidates = view.candidates(); candidates.ok()) {
    for (const Candidate& c : *candidates) n += c.extension("tcptype").has_value();
  }
  n += view.endOfCandidates();
  if (auto fingerprints = view.fingerprints(); fingerprints.ok()) {
    for (const Fingerprint& f : *fingerprints) n += f.bytes().size();
  }
  n += view.setup().ok() + view.mid().has_value() + view.groups().ok() + view.ssrcs().ok();
  n += view.ssrcGroups().ok() + view.msids().ok() + view.extmaps().ok();
  if (auto cryptos = view.cryptos(); cryptos.ok()) {
    for (const Crypto& c : *cryptos) {
      for (const CryptoKeyParam& k : c.keyParams) n += k.keySaltBytes().ok();
    }
  }
  return n;
}

// The gateway's side of the answer: one transport for the BUNDLE group and one per unbundled m-line, as the
// echo session does, and every usable m-line accepted with its first codec, sending on an SSRC of its own.
WebRtcAnswerParams answerParams(const WebRtcOffer& offer) {
  WebRtcAnswerParams params;
  params.originAddress = "192.0.2.1";
  params.fingerprintValue =
      "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
  params.setup = SetupRole::kPassive;
  params.bundle = !offer.bundle.empty();
  params.transports.push_back(AnswerTransport{"bndlUfrg", "bundlepasswordbundlepass", "192.0.2.1", 20000});
  for (const OfferedMedia& m : offer.media) {
    AnsweredMedia answered;
    answered.accept = !m.rejected && !m.codecs.empty();
    if (answered.accept) {
      answered.payloadTypes.push_back(m.codecs.front().payloadType);
      answered.direction = reverse(m.direction);
      answered.ssrc = 0x1000 + static_cast<uint32_t>(m.index);
      if (!params.bundle || !offer.bundled(m)) {
        answered.transport = params.transports.size();
        params.transports.push_back(AnswerTransport{"mediaUfr", "mediapasswordmediapass12", "2001:db8::1",
                                                    static_cast<uint16_t>(20002 + 2 * m.index)});
      }
    }
    params.media.push_back(std::move(answered));
  }
  return params;
}

void answerOffer(const SessionDescription& sdp) {
  auto offer = readWebRtcOffer(sdp);
  if (!offer) {
    check(!offer.error().message.empty());
    return;
  }
  check(!offer->media.empty());
  const WebRtcAnswerParams params = answerParams(*offer);
  const SessionDescription answer = buildWebRtcAnswer(*offer, params);
  const std::string written = writeSdp(answer);
  auto reparsed = parseSdp(written);
  check(reparsed.ok());  // the gateway's answer must be SDP its own parser (and the browser's) accepts
  check(*reparsed == answer);
  check(reparsed->media.size() == offer->media.size());  // RFC 3264 §6: one m-line per offered one

  bool anyAccepted = false;
  for (size_t i = 0; i < answer.media.size(); ++i) {
    const bool accepted = params.media[i].accept;
    check((answer.media[i].port != 0) == accepted);
    anyAccepted = anyAccepted || accepted;
    typedRoundTrips(answer.media[i].attributes);
  }
  // What the answer's accepted m-lines carry is what readWebRtcOffer() requires of a WebRTC description.
  if (anyAccepted) {
    auto again = readWebRtcOffer(*reparsed);
    check(again.ok());
    for (size_t i = 0; i < again->media.size(); ++i) {
      const OfferedMedia& m = again->media[i];
      check(m.rejected != params.media[i].accept);
      if (m.rejected) continue;
      check(m.codecs.size() == 1 && m.codecs.front().payloadType == params.media[i].payloadTypes.front());
      check(m.setup == SetupRole::kPassive);
      check(m.direction == params.media[i].direction);
    }
  }
}

// A telephone-event codec as our writers put it: with the given fmtp, else 0-16 (RFC 4733 §7.1.1).
std::optional<RtpCodec> writtenEvents(const std::optional<RtpCodec>& events) {
  if (!events) return std::nullopt;
  RtpCodec out = *events;
  if (!out.fmtp) out.fmtp = "0-16";
  return out;
}

// readSipSdp, then our answer to it and an offer of the same codecs, each read back.
void sipSide(std::string_view text) {
  auto sip = readSipSdp(text);
  if (!sip) {
    check(!sip.error().message.empty());
    return;
  }
  check(sip->protos.size() == sip->kinds.size() && sip->firstFormats.size() == sip->kinds.size());
  SipSdpParams params;
  params.originAddress = "192.0.2.1";
  params.sessionVersion = 2;
  params.port = 40000;
  params.extraLines = {"b=AS:64", "a=X-fuzz:1"};
  if (!sip->audio) {
    // Nothing usable: the answer rejects every m-line and still reads.
    auto answer = writeSipAnswer(*sip, params);
    check(answer.ok());
    auto back = readSipSdp(*answer);
    check(back.ok() && back->kinds == sip->kinds && !back->audio);
    return;
  }
  const SipAudio& audio = *sip->audio;
  check(audio.index < sip->kinds.size() && audio.port != 0);
  check(!audio.address.empty());
  for (const RtpCodec& c : audio.codecs) check(!isTelephoneEvent(c) && validateCodec(c).ok());
  check(!audio.telephoneEvent || audio.telephoneEvent->clockRate == 8000);
  (void)audio.held();

  params.codecs = audio.codecs;
  params.telephoneEvent = audio.telephoneEvent;
  params.direction = reverse(audio.direction);
  auto answer = writeSipAnswer(*sip, params);
  if (audio.secure) {
    check(!answer.ok());
    return;
  }
  check(answer.ok());
  auto back = readSipSdp(*answer);
  check(back.ok());
  check(back->kinds == sip->kinds);  // RFC 3264 §6: one m-line per offered one
  if (audio.codecs.empty()) {
    check(!back->audio);  // no common codec: the audio m-line is rejected too
    return;
  }
  check(back->audio.has_value());
  check(back->audio->index == audio.index && back->audio->port == params.port);
  check(back->audio->codecs == audio.codecs);
  check(back->audio->telephoneEvent == writtenEvents(audio.telephoneEvent));
  check(back->audio->direction == params.direction);

  auto offer = writeSipOffer(params);
  check(offer.ok());
  auto reoffer = readSipSdp(*offer);
  check(reoffer.ok() && reoffer->kinds.size() == 1 && reoffer->audio);
  check(reoffer->audio->codecs == audio.codecs);
}

// readWebRtcAnswer, then our WebRTC offer of the codecs it accepted, read back as an offer and (with the
// answerer's role) as an answer.
void webRtcAnswerSide(std::string_view text) {
  auto answer = readWebRtcAnswer(text);
  if (!answer) {
    check(!answer.error().message.empty());
    return;
  }
  check(answer->mediaCount >= 1);
  if (!answer->audioAccepted) return;
  check(answer->setup == SetupRole::kActive || answer->setup == SetupRole::kPassive);
  check(!answer->ufrag.empty() && !answer->pwd.empty() && !answer->fingerprintValue.empty());

  WebRtcOfferParams params;
  params.originAddress = "2001:db8::1";
  params.address = "192.0.2.1";
  params.port = 40000;
  params.ufrag = answer->ufrag;
  params.pwd = answer->pwd;
  params.fingerprintHash = answer->fingerprintHash;
  params.fingerprintValue = answer->fingerprintValue;
  params.codecs = answer->codecs;
  params.telephoneEvent = answer->telephoneEvent;
  params.direction = answer->direction;
  params.ssrc = 0x1234;
  std::string written = writeWebRtcOffer(params);
  auto parsed = parseSdp(written);
  check(parsed.ok());
  check(writeSdp(*parsed) == written);
  if (params.codecs.empty()) return;  // written as a rejected m-line
  auto offer = readWebRtcOffer(*parsed);
  check(offer.ok());
  check(offer->media.size() == 1 && offer->bundle.size() == 1 && !offer->media[0].rejected);
  check(offer->media[0].setup == SetupRole::kActpass);
  check(offer->media[0].codecs.size() == params.codecs.size() + (params.telephoneEvent ? 1 : 0));

  const size_t setup = written.find("a=setup:actpass");
  check(setup != std::string::npos);
  written.replace(setup, 15, "a=setup:passive");
  auto again = readWebRtcAnswer(written);
  check(again.ok() && again->audioAccepted);
  check(again->codecs == params.codecs);
  check(again->telephoneEvent == writtenEvents(params.telephoneEvent));
  check(again->ufrag == params.ufrag && again->pwd == params.pwd);
  check(again->direction == params.direction);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  sipSide(text);
  webRtcAnswerSide(text);
  auto sdp = parseSdp(text);
  if (!sdp) {
    check(!sdp.error().message.empty());
    return 0;
  }
  const std::string written = writeSdp(*sdp);
  auto reparsed = parseSdp(written);
  check(reparsed.ok());
  check(*reparsed == *sdp);
  check(writeSdp(*reparsed) == written);

  typedRoundTrips(sdp->attributes);
  volatile size_t sink = 0;
  for (const MediaDescription& media : sdp->media) {
    typedRoundTrips(media.attributes);
    sink = sink + exerciseView(MediaView(*sdp, media));
  }
  (void)sink;
  answerOffer(*sdp);
  return 0;
}
