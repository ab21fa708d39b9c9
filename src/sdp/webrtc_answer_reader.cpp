#include "sdp/webrtc_answer_reader.hpp"

#include <algorithm>

#include "core/text.hpp"
#include "sdp/attributes.hpp"
#include "sdp/media_view.hpp"
#include "sdp/sdp_grammar.hpp"
#include "sdp/sdp_parser.hpp"

namespace callgate::sdp {

core::Result<WebRtcAnswer> readWebRtcAnswer(std::string_view text) {
  auto sdp = parseSdp(text);
  if (!sdp) return core::makeError("answer: " + sdp.error().message, sdp.error().code);
  WebRtcAnswer out;
  out.mediaCount = sdp->media.size();
  if (sdp->media.empty()) {
    return core::makeError("answer: no m= line (RFC 3264 §6: one for each offered m-line, the audio first)");
  }
  const MediaDescription& m = sdp->media.front();
  if (!core::iequals(m.media, "audio")) {
    return core::makeError("answer: the first m-line is m=" + core::printable(m.media) +
                           ", not the offered audio (RFC 3264 §6: m-lines in the offer's order)");
  }
  const MediaView view(*sdp, m);
  if (auto mid = view.mid()) out.mid = std::string(*mid);
  if (m.port == 0) return out;  // RFC 3264 §6: the client declined audio
  out.audioAccepted = true;

  const std::string at = "answer m=audio: ";
  if (!core::iequals(m.proto, "UDP/TLS/RTP/SAVPF")) {
    return core::makeError(at + "proto " + grammar::quote(m.proto) +
                           " is not the offered UDP/TLS/RTP/SAVPF (RFC 3264 §6.1: the answer keeps it)");
  }

  auto ufrag = view.iceUfrag();
  if (!ufrag) return core::makeError(at + ufrag.error().message);
  if (!*ufrag) return core::makeError(at + "no a=ice-ufrag (RFC 8839 §5.4)");
  auto pwd = view.icePwd();
  if (!pwd) return core::makeError(at + pwd.error().message);
  if (!*pwd) return core::makeError(at + "no a=ice-pwd (RFC 8839 §5.4)");
  out.ufrag = std::string(**ufrag);
  out.pwd = std::string(**pwd);

  auto fingerprints = view.fingerprints();
  if (!fingerprints) return core::makeError(at + fingerprints.error().message);
  if (fingerprints->empty()) {
    return core::makeError(at +
                           "no a=fingerprint (RFC 5763 §5: DTLS-SRTP checks the certificate against it)");
  }
  const auto sha256 = std::find_if(fingerprints->begin(), fingerprints->end(), [](const Fingerprint& f) {
    return core::iequals(f.hashFunction, "sha-256");
  });
  const Fingerprint& chosen = sha256 != fingerprints->end() ? *sha256 : fingerprints->front();
  out.fingerprintHash = chosen.hashFunction;
  out.fingerprintValue = chosen.value;

  auto setup = view.setup();
  if (!setup) return core::makeError(at + setup.error().message);
  out.setup = *setup ? (*setup)->role : SetupRole::kActive;  // RFC 4145 §4: absent means active
  if (out.setup == SetupRole::kActpass || out.setup == SetupRole::kHoldconn) {
    return core::makeError(at + "a=setup:" + std::string(toString(out.setup)) +
                           " in an answer (RFC 5763 §5: the answerer is active or passive)");
  }
  if (!view.rtcpMux()) {
    return core::makeError(at +
                           "no a=rtcp-mux: the offer required RTP and RTCP on one port (RFC 5761 §5.1.1, "
                           "RFC 8829 §4.1.1 rtcpMuxPolicy 'require')");
  }
  auto direction = view.direction();
  if (!direction) return core::makeError(at + direction.error().message);
  out.direction = *direction;

  auto codecs = readCodecs(view);
  if (!codecs) return core::makeError(at + codecs.error().message);
  for (RtpCodec& codec : *codecs) {
    if (!isTelephoneEvent(codec)) {
      out.codecs.push_back(std::move(codec));
    } else if (!out.telephoneEvent) {
      out.telephoneEvent = std::move(codec);
    }
  }
  if (auto ssrcs = view.ssrcs(); ssrcs) {
    for (const Ssrc& s : *ssrcs) {
      if (std::find(out.ssrcs.begin(), out.ssrcs.end(), s.id) == out.ssrcs.end()) out.ssrcs.push_back(s.id);
    }
  }
  return out;
}

}  // namespace callgate::sdp
