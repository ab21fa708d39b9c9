#include "sdp/webrtc_offer.hpp"

#include <algorithm>

#include "core/text.hpp"
#include "sdp/media_view.hpp"

namespace callgate::sdp {
namespace {

std::string where(const MediaDescription& m, size_t index) {
  return "m=" + m.media + " (m-line " + std::to_string(index + 1) + ")";
}

core::Result<OfferedMedia> readMedia(const SessionDescription& offer, size_t index) {
  const MediaDescription& m = offer.media[index];
  MediaView view(offer, m);
  OfferedMedia out;
  out.index = index;
  out.kind = m.media;
  out.proto = m.proto;
  if (!m.formats.empty()) out.firstFormat = m.formats.front();
  if (auto mid = view.mid()) out.mid = std::string(*mid);
  // RFC 8829 §5.2.1: WebRTC media is UDP/TLS/RTP/SAVPF; anything else (a data channel's UDP/DTLS/SCTP) is
  // declined with port 0, RFC 3264 §6.
  if (m.port == 0 || !core::iequals(m.proto, "UDP/TLS/RTP/SAVPF")) {
    out.rejected = true;
    return out;
  }
  const std::string at = where(m, index);
  auto ufrag = view.iceUfrag();
  if (!ufrag) return core::makeError(at + ": a=ice-ufrag: " + ufrag.error().message);
  auto pwd = view.icePwd();
  if (!pwd) return core::makeError(at + ": a=ice-pwd: " + pwd.error().message);
  if (!*ufrag || !*pwd) {
    return core::makeError(at + ": a=ice-ufrag and a=ice-pwd are required (RFC 8839 §5.4)");
  }
  out.ufrag = std::string(**ufrag);
  out.pwd = std::string(**pwd);

  auto fingerprints = view.fingerprints();
  if (!fingerprints) return core::makeError(at + ": a=fingerprint: " + fingerprints.error().message);
  if (fingerprints->empty()) {
    return core::makeError(at + ": a=fingerprint is required for DTLS-SRTP (RFC 5763 §5)");
  }
  const Fingerprint* chosen = &fingerprints->front();
  for (const Fingerprint& f : *fingerprints) {
    if (core::iequals(f.hashFunction, "sha-256")) {
      chosen = &f;
      break;
    }
  }
  out.fingerprintHash = chosen->hashFunction;
  out.fingerprintValue = chosen->value;

  auto setup = view.setup();
  if (!setup) return core::makeError(at + ": a=setup: " + setup.error().message);
  // RFC 5763 §5: the offerer must say actpass; RFC 4145 §4 makes a missing a=setup "active".
  out.setup = *setup ? (*setup)->role : SetupRole::kActive;
  if (out.setup == SetupRole::kHoldconn) {
    return core::makeError(at + ": a=setup:holdconn is not usable for DTLS-SRTP (RFC 5763 §5)");
  }
  if (!view.rtcpMux()) {
    return core::makeError(at +
                           ": a=rtcp-mux is required: the gateway muxes RTP and RTCP on one port "
                           "(RFC 8829 §4.1.1 rtcpMuxPolicy 'require')");
  }
  auto direction = view.direction();
  if (!direction) return core::makeError(at + ": " + direction.error().message);
  out.direction = *direction;

  for (uint8_t pt : view.payloadTypes()) {
    auto map = view.rtpmap(pt);
    if (!map) return core::makeError(at + ": a=rtpmap:" + std::to_string(pt) + ": " + map.error().message);
    if (!*map) continue;  // a dynamic type without rtpmap: unusable, skipped (RFC 8866 §6.6)
    OfferedCodec codec;
    codec.payloadType = pt;
    codec.name = (*map)->encodingName;
    codec.clockRate = (*map)->clockRate;
    codec.channels = (*map)->channelCount();
    if (auto fmtp = view.fmtp(pt); fmtp && *fmtp) codec.fmtp = (*fmtp)->parameters;
    if (auto fb = view.rtcpFeedback(pt); fb) codec.feedback = std::move(*fb);
    out.codecs.push_back(std::move(codec));
  }
  if (auto ssrcs = view.ssrcs(); ssrcs) {
    for (const Ssrc& s : *ssrcs) {
      if (std::find(out.ssrcs.begin(), out.ssrcs.end(), s.id) == out.ssrcs.end()) out.ssrcs.push_back(s.id);
    }
  }
  return out;
}

}  // namespace

bool WebRtcOffer::bundled(const OfferedMedia& m) const {
  return !m.rejected && !m.mid.empty() && std::find(bundle.begin(), bundle.end(), m.mid) != bundle.end();
}

core::Result<WebRtcOffer> readWebRtcOffer(const SessionDescription& offer) {
  WebRtcOffer out;
  if (offer.media.empty()) return core::makeError("sdp: the offer has no m= line");
  for (size_t i = 0; i < offer.media.size(); ++i) {
    auto media = readMedia(offer, i);
    if (!media) return media.error();
    out.media.push_back(std::move(*media));
  }
  for (const Attribute& a : offer.attributes) {
    if (!core::iequals(a.name, Group::kName) || !a.value) continue;
    auto group = Group::parse(*a.value);
    if (!group) return core::makeError("sdp: a=group: " + group.error().message);
    if (!core::iequals(group->semantics, "BUNDLE")) continue;
    for (const std::string& mid : group->mids) {
      auto it = std::find_if(out.media.begin(), out.media.end(),
                             [&](const OfferedMedia& m) { return m.mid == mid; });
      if (it == out.media.end()) {
        return core::makeError("sdp: a=group:BUNDLE names mid '" + core::printable(mid) +
                               "', which no m-line has (RFC 8843 §7.2)");
      }
      if (!it->rejected) out.bundle.push_back(mid);
    }
    break;  // one BUNDLE group is what WebRTC offers (RFC 8829 §5.2.1 with max-bundle or balanced)
  }
  if (std::all_of(out.media.begin(), out.media.end(), [](const OfferedMedia& m) { return m.rejected; })) {
    return core::makeError("sdp: no usable m= line: each is rejected (port 0) or not UDP/TLS/RTP/SAVPF");
  }
  return out;
}

const OfferedCodec* findCodec(const OfferedMedia& media, std::string_view name, uint32_t clockRate) {
  for (const OfferedCodec& c : media.codecs) {
    if (core::iequals(c.name, name) && c.clockRate == clockRate) return &c;
  }
  return nullptr;
}

}  // namespace callgate::sdp
