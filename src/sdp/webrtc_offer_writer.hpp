// The gateway's WebRTC offer to a client for an incoming SIP call (PROTOCOL.md §4): ICE-lite (RFC 8839
// §5.3) with the gateway's host candidate and end-of-candidates (the WebSDK never trickles, PROTOCOL.md §6),
// DTLS-SRTP with a=setup:actpass (RFC 5763 §5: the offerer leaves the role to the answerer), rtcp-mux and one
// audio m-line in a BUNDLE group of its own (RFC 8843), as Chromium takes it with setRemoteDescription:
//
//   v=0 / o=- <id> 1 IN IP4 <addr> / s=- / t=0 0
//   a=ice-lite
//   a=group:BUNDLE 0
//   a=msid-semantic: WMS <stream>
//   m=audio <port> UDP/TLS/RTP/SAVPF 111 0 8 101
//   c=IN IP4 <addr>
//   a=mid:0  a=ice-ufrag a=ice-pwd  a=fingerprint  a=setup:actpass  a=rtcp-mux  a=sendrecv
//   a=candidate:1 1 udp 2130706431 <addr> <port> typ host   a=end-of-candidates
//   a=rtpmap / a=fmtp ...   a=rtpmap:101 telephone-event/8000  a=fmtp:101 0-16
//   a=msid:<stream> <track>  a=ssrc:<ssrc> cname:<cname>  a=ssrc:<ssrc> msid:<stream> <track>
//
// The client's answer to it is read by readWebRtcAnswer (webrtc_answer_reader.hpp, included here).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sdp/direction.hpp"
#include "sdp/rtp_codec.hpp"
#include "sdp/session_description.hpp"
#include "sdp/webrtc_answer_reader.hpp"

namespace callgate::sdp {

struct WebRtcOfferParams {
  std::string originAddress;  // o= (IPv4 or IPv6 picks IP4/IP6)
  uint64_t sessionId = 1;
  std::string ufrag, pwd;  // ICE credentials: 4-256 and 22-256 ice-char (RFC 8839 §5.4)
  std::string fingerprintHash = "sha-256", fingerprintValue;
  std::string address;  // the host candidate and c= (IPv4 or IPv6)
  uint16_t port = 0;
  std::vector<RtpCodec> codecs;            // in preference order; payload types distinct
  std::optional<RtpCodec> telephoneEvent;  // written with its fmtp, else a=fmtp:<pt> 0-16 (RFC 4733 §7.1.1)
  Direction direction = Direction::kSendRecv;
  uint32_t ssrc = 0;  // the gateway's SSRC; 0 (or a direction without send): no a=ssrc lines
  std::string cname = "callgate", streamId = "callgate", trackId = "audio0";
};

// The offer as a model, for callers that edit it before writing. The parameters must be valid (the ICE and
// fingerprint grammar, codecs that validateCodec() accepts): they come from the gateway, not the network.
// Without any codec the m-line is written rejected (port 0, format 0), so that the text still parses.
SessionDescription buildWebRtcOffer(const WebRtcOfferParams& params);

std::string writeWebRtcOffer(const WebRtcOfferParams& params);

}  // namespace callgate::sdp
