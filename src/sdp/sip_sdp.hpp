// The SDP of the SIP leg (RFC 3264 offer/answer over RFC 8866 SDP): reading a SIP peer's offer or answer,
// and writing the gateway's own offer and answer. Plain RTP/AVP audio, as SIP phones, PBXs and media
// servers (Asterisk, FreeSWITCH, baresip, SIPp, rtpengine) send it:
//
//   v=0
//   o=- 20518 0 IN IP4 192.0.2.45
//   s=-
//   c=IN IP4 192.0.2.45                   session level, or per m-line (the media one wins, RFC 8866 §5.7)
//   t=0 0
//   m=audio 11796 RTP/AVP 0 8 18 101      static types need no rtpmap (RFC 3551 §6)
//   a=rtpmap:101 telephone-event/8000     DTMF (RFC 4733)
//   a=fmtp:101 0-16
//   a=rtcp:11797                          RTCP not on port + 1 (RFC 3605)
//   a=ptime:20
//   a=sendrecv                            or sendonly / inactive / c=0.0.0.0 for hold (RFC 3264 §8.4)
//
// Pure functions: no I/O, never throw, bounded work (the parser's limits, then linear passes).
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
#include "sdp/session_description.hpp"

namespace callgate::sdp {

// The SIP side's audio stream as an offer or answer describes it (RFC 3264, RFC 8866).
struct SipAudio {
  size_t index = 0;     // its m-line index
  std::string address;  // media-level c=, else session-level c= (IPv4 or IPv6, checked as such)
  uint16_t port = 0;
  std::optional<uint16_t> rtcpPort;            // a=rtcp (RFC 3605 §2.1)
  std::optional<std::string> rtcpAddress;      // a=rtcp's address when it has one
  bool rtcpMux = false;                        // a=rtcp-mux (RFC 5761 §5.1.1)
  Direction direction = Direction::kSendRecv;  // media level, else session level (RFC 8866 §6.7)
  std::vector<RtpCodec> codecs;                // in the SDP's order, every telephone-event excluded
  std::optional<RtpCodec> telephoneEvent;      // the telephone-event/8000 (RFC 4733 §7.1.1), if offered
  std::optional<uint32_t> ptime;               // a=ptime in ms, media level else session level
  bool secure = false;  // RTP/SAVP(F): SDES-SRTP (RFC 4568), which the relay does not support yet
  std::string proto;    // the m= line's proto as written ("RTP/AVP", "RTP/AVPF", "RTP/SAVP"...)

  // In a peer's offer: it holds the call, with a=sendonly or a=inactive (RFC 3264 §8.4), or the connection
  // address 0.0.0.0 of RFC 2543 (and "::", its IPv6 form in the wild). In an answer to our own hold offer
  // the same attributes only echo it.
  bool held() const;
  // The connection address is 0.0.0.0 or "::": no RTP may be sent to it.
  bool unspecifiedAddress() const;
};

struct SipSdp {
  Origin origin;                          // o=: the same version means the same SDP (RFC 3264 §8)
  std::vector<std::string> kinds;         // every m-line's media kind in order (an answer must have as many)
  std::vector<std::string> protos;        // per m-line, as written
  std::vector<std::string> firstFormats;  // per m-line, the first <fmt>, for rejecting it in an answer
  std::optional<SipAudio> audio;          // nullopt: no usable audio m-line
};

// Parses and checks a SIP peer's SDP. The audio m-line used is the first audio m-line with a non-zero port
// and proto RTP/AVP or RTP/AVPF; when there is none, the first with RTP/SAVP or RTP/SAVPF (then `secure`).
// Other m-lines (video, T.38 image, UDP/TLS, port 0) are only listed, for the answer to reject. Errors name
// the m-line, line or attribute and the rule ("SDP m=audio: no c= line at session or media level (RFC 8866
// §5.7)", "SDP m=audio: a=rtpmap:101 telephone-event: ..."); the parser's own errors name the line number.
// A SIP peer's SDP without any m-line, or without a usable audio one, is not an error: `audio` is nullopt.
core::Result<SipSdp> readSipSdp(std::string_view text);

// For writing the gateway's offer or answer to the SIP side.
struct SipSdpParams {
  std::string originAddress;  // o= (our public media address; IPv4 or IPv6 picks IP4/IP6); address if empty
  uint64_t sessionId = 1, sessionVersion = 1;  // o= (increment the version for each new SDP, RFC 3264 §8)
  std::string address;                     // our RTP address: the session-level c= (originAddress when empty)
  uint16_t port = 0;                       // our RTP port
  std::vector<RtpCodec> codecs;            // what we send and receive, in preference order
  std::optional<RtpCodec> telephoneEvent;  // written with its fmtp, else a=fmtp:<pt> 0-16 (RFC 4733 §7.1.1)
  Direction direction = Direction::kSendRecv;
  uint32_t ptime = 20;               // a=ptime; 0 writes none
  std::optional<uint16_t> rtcpPort;  // a=rtcp:<port> when RTCP is not on port + 1 (RFC 3605 §2.1)
  bool rtcpMux = false;              // a=rtcp-mux; in an answer only when the offer had it (RFC 5761 §5.1.1)
  std::string sessionName = "callgate";  // s=
  // Appended verbatim after the audio m-line's attributes (PROTOCOL.md §3 `sipSDP`). Only a= lines (and b=
  // lines, which go before the attributes as RFC 8866 §5 orders them) are accepted; at most 32, each at most
  // 1024 bytes, no CR, LF or NUL, and no direction attribute (hold and resume set that).
  std::vector<std::string> extraLines;
};

// Limits on SipSdpParams::extraLines.
inline constexpr size_t kMaxExtraLines = 32;
inline constexpr size_t kMaxExtraLineBytes = 1024;

// Our offer: one m=audio RTP/AVP line. Errors for bad extraLines (naming the line and the rule), and for
// parameters that would not write valid SDP (no codec, a codec validateCodec() refuses, a payload type used
// twice, no address, CR/LF in the session name).
core::Result<std::string> writeSipOffer(const SipSdpParams& params);

// Our answer to `offer` (RFC 3264 §6): as many m-lines as it had; the audio one (offer.audio->index) accepted
// with params' codecs, with its proto as offered (RTP/AVP or RTP/AVPF), and the rest rejected with port 0
// and their first format. params' codecs and telephoneEvent must be payload types the offer has, with the
// same encoding (RFC 3264 §6.1: the answer uses the offer's numbers); an error names the one that is not.
// No params.codecs (no common codec) rejects the audio m-line too; an offer without usable audio gets every
// m-line rejected. An offer whose audio is RTP/SAVP(F) is an error: the gateway cannot do SDES-SRTP.
// The direction written is params.direction: the caller computes the answer's direction.
core::Result<std::string> writeSipAnswer(const SipSdp& offer, const SipSdpParams& params);

}  // namespace callgate::sdp
