// libFuzzer target for the SDP layer: parse, then require that write/parse is an exact round trip, that the
// canonical text is a fixed point, and that every typed attribute that parses survives toString()/parse().
// Every description that parses is also read as a WebRTC offer; an offer that reads is answered (each usable
// m-line accepted with its first codec), and the written answer must parse, round-trip, keep one m-line per
// offered one and read back as a WebRTC description itself. Any broken property aborts with __builtin_trap so
// the fuzzer records the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sdp/attributes.hpp"
#include "sdp/media_view.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/sdp_writer.hpp"
#include "sdp/webrtc_answer.hpp"
#include "sdp/webrtc_offer.hpp"

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
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
