// The gateway's SDP answer to a WebRTC client's offer (RFC 8829 §5.3, RFC 3264 §6): an ICE-lite answer
// (RFC 8839 §5.3) with the gateway's host candidate on every accepted m-line and end-of-candidates (the
// WebSDK never trickles, PROTOCOL.md §6), its DTLS fingerprint and setup role, rtcp-mux, and for each m-line
// the codecs the caller chose from the offer, with their rtpmap, fmtp and a subset of the offered rtcp-fb.
//
//   v=0 / o=- <id> 2 IN IP4 <addr> / s=- / t=0 0
//   a=ice-lite
//   a=group:BUNDLE 0 1                      when bundle is accepted (RFC 8843 §7.3)
//   a=msid-semantic: WMS <stream>
//   m=audio <port> UDP/TLS/RTP/SAVPF 111    each offered m-line, in order; port 0 when declined
//   c=IN IP4 <addr>
//   a=mid:0  a=ice-ufrag a=ice-pwd  a=fingerprint  a=setup  a=rtcp-mux  a=<direction>
//   a=candidate:1 1 udp 2130706431 <addr> <port> typ host   a=end-of-candidates
//   a=rtpmap / a=fmtp / a=rtcp-fb ...
//   a=msid:<stream> <track>  a=ssrc:<ssrc> cname:<cname>   when the gateway sends on this m-line
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sdp/session_description.hpp"
#include "sdp/setup_attribute.hpp"
#include "sdp/webrtc_offer.hpp"

namespace callgate::sdp {

// One ICE/DTLS transport of the answer (one for a BUNDLE group, one per unbundled m-line).
struct AnswerTransport {
  std::string ufrag, pwd;
  std::string address;  // the public address of the candidate and the c= line (IPv4 or IPv6)
  uint16_t port = 0;
};

struct AnsweredMedia {
  bool accept = false;                // false: port 0, nothing else (RFC 3264 §6)
  std::vector<uint8_t> payloadTypes;  // offered payload types to answer with, in this order
  Direction direction = Direction::kSendRecv;
  size_t transport = 0;  // index into WebRtcAnswerParams::transports
  uint32_t ssrc = 0;     // the gateway's SSRC on this m-line; 0: it sends nothing here
  std::string trackId;   // a=msid appdata; defaults to kind + mid
};

struct WebRtcAnswerParams {
  std::string originAddress;
  std::string sessionId = "1";
  std::string fingerprintHash = "sha-256";
  std::string fingerprintValue;
  SetupRole setup = SetupRole::kPassive;  // active or passive (RFC 5763 §5: the answerer picks)
  bool bundle = false;                    // accept the offer's BUNDLE group
  std::vector<AnswerTransport> transports;
  std::vector<AnsweredMedia> media;  // one per offered m-line
  std::string cname = "callgate";
  std::string streamId = "callgate";
};

// RFC 8445 §5.1.2.1 with type preference 126 (host), local preference 65535.
uint32_t hostCandidatePriority(uint16_t component);

// The feedback kept in an answer: generic NACK, PLI and FIR (what a relay or echo can serve); others
// (transport-cc, goog-remb) need their header extensions and estimators, which the gateway does not run.
bool answerableFeedback(const RtcpFeedback& feedback);

SessionDescription buildWebRtcAnswer(const WebRtcOffer& offer, const WebRtcAnswerParams& params);

}  // namespace callgate::sdp
