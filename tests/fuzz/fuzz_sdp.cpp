// libFuzzer target for the SDP layer: parse, then require that write/parse is an exact round trip, that the
// canonical text is a fixed point, and that every typed attribute that parses survives toString()/parse().
// Any broken property aborts with __builtin_trap so the fuzzer records the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sdp/attributes.hpp"
#include "sdp/media_view.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/sdp_writer.hpp"

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
  return 0;
}
