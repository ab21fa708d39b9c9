// A WebRTC client's answer to the gateway's offer (webrtc_offer_writer.hpp) for an incoming call: its ICE
// credentials (RFC 8839 §5.4), DTLS fingerprint and role (RFC 5763 §5: the answerer picks active or
// passive), rtcp-mux (the offer required it) and the codecs it accepted on the audio m-line, which is the
// first m-line as in the offer (RFC 3264 §6). Chromium answers like this, before gathering (the WebSDK sends
// it at once, PROTOCOL.md §6), so port 9 and c=0.0.0.0 are normal: the gateway is ICE-lite and learns the
// client's address from its STUN checks.
//
//   m=audio 9 UDP/TLS/RTP/SAVPF 111 0 101
//   c=IN IP4 0.0.0.0
//   a=ice-ufrag:Xa3b  a=ice-pwd:...  a=fingerprint:sha-256 ...  a=setup:active  a=mid:0  a=sendrecv
//   a=rtcp-mux  a=rtpmap:111 opus/48000/2 ...
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sdp/direction.hpp"
#include "sdp/rtp_codec.hpp"
#include "sdp/setup_attribute.hpp"

namespace callgate::sdp {

struct WebRtcAnswer {
  std::string ufrag, pwd;                         // media level, else session level
  std::string fingerprintHash, fingerprintValue;  // sha-256 preferred when there are several (RFC 8122 §5)
  SetupRole setup = SetupRole::kActive;           // active or passive; absent means active (RFC 4145 §4)
  Direction direction = Direction::kSendRecv;
  std::vector<RtpCodec> codecs;            // accepted, in the answer's order; telephone-event excluded
  std::optional<RtpCodec> telephoneEvent;  // the first telephone-event (any clock rate: the offer chose it)
  bool audioAccepted = false;              // false: the audio m-line has port 0, nothing else is read
  std::string mid;                         // the audio m-line's a=mid ("" when none)
  std::vector<uint32_t> ssrcs;             // the client's a=ssrc ids in order, each once
  size_t mediaCount = 0;                   // m-lines in the answer (the offer had one, RFC 3264 §6)
};

// Errors name the attribute and the rule, prefixed "answer m=audio: " ("answer m=audio: no a=ice-ufrag
// (RFC 8839 §5.4)"); an SDP that does not parse gives "answer: " and the parser's message.
core::Result<WebRtcAnswer> readWebRtcAnswer(std::string_view text);

}  // namespace callgate::sdp
