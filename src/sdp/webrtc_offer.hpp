// What the gateway needs from a WebRTC client's offer (RFC 8829 §5.8, RFC 8843 BUNDLE), read and checked
// once: for each m-line its mid, ICE credentials (RFC 8839 §5.4), DTLS fingerprint and setup role (RFC 5763
// §5, RFC 8842), rtcp-mux, direction and codecs. Everything a WebRTC peer must send is required here, and a
// missing or malformed piece is an error whose message names the m-line and the attribute, for the `fail`
// and the call's `info`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "sdp/attributes.hpp"
#include "sdp/session_description.hpp"

namespace callgate::sdp {

struct OfferedCodec {
  uint8_t payloadType = 0;
  std::string name;  // as written ("opus", "VP8", "telephone-event")
  uint32_t clockRate = 0;
  uint32_t channels = 1;
  std::optional<std::string> fmtp;     // the a=fmtp parameters, verbatim
  std::vector<RtcpFeedback> feedback;  // a=rtcp-fb for this payload type (and "*")
};

struct OfferedMedia {
  size_t index = 0;         // position in the offer (the answer has an m-line for each, RFC 3264 §6)
  std::string kind;         // "audio", "video", "application", ...
  std::string proto;        // as offered ("UDP/TLS/RTP/SAVPF")
  std::string firstFormat;  // the m= line's first format, for a declined answer
  std::string mid;          // "" when the offer has none (then it cannot be bundled)
  bool rejected = false;    // port 0, or not UDP/TLS/RTP/SAVPF (nothing else is read then)
  std::string ufrag, pwd;
  std::string fingerprintHash, fingerprintValue;  // the first a=fingerprint; sha-256 preferred when several
  SetupRole setup = SetupRole::kActpass;
  Direction direction = Direction::kSendRecv;
  std::vector<OfferedCodec> codecs;  // in the offer's order of preference
  std::vector<uint32_t> ssrcs;       // a=ssrc ids in order, each once
};

struct WebRtcOffer {
  std::vector<OfferedMedia> media;
  std::vector<std::string> bundle;  // the mids of the first a=group:BUNDLE, empty when none (RFC 8843 §7.2)

  // The m-line a mid belongs to in the BUNDLE group: the first (the "offerer tagged" m-line, RFC 8843
  // §7.2.1).
  bool bundled(const OfferedMedia& m) const;
};

core::Result<WebRtcOffer> readWebRtcOffer(const SessionDescription& offer);

// The codec of `media` named `name` (case-insensitive) with `clockRate`, the first in offer order.
const OfferedCodec* findCodec(const OfferedMedia& media, std::string_view name, uint32_t clockRate);

}  // namespace callgate::sdp
