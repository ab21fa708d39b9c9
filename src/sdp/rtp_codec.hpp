// An RTP codec as an SDP media description names it: payload type, encoding, clock rate, channels and the
// a=fmtp parameters (RFC 8866 §6.6, §6.15), for the SIP-side SDP (sip_sdp.hpp) and the gateway's WebRTC
// offer and the client's answer to it (webrtc_offer_writer.hpp, webrtc_answer_reader.hpp).
//
//   m=audio 49170 RTP/AVP 0 18 101        0 and 18 are static (RFC 3551 §6): PCMU/8000, G729/8000
//   a=rtpmap:18 G729/8000
//   a=fmtp:18 annexb=no
//   a=rtpmap:101 telephone-event/8000     dynamic: only its rtpmap names it
//   a=fmtp:101 0-16
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sdp/media_view.hpp"
#include "sdp/rtpmap.hpp"
#include "sdp/session_description.hpp"

namespace callgate::sdp {

struct RtpCodec {
  uint8_t payloadType = 0;
  std::string name;  // as written ("PCMU", "opus", "telephone-event"); compare with core::iequals
  uint32_t clockRate = 8000;
  uint32_t channels = 1;
  std::optional<std::string> fmtp;  // the a=fmtp parameters, verbatim

  bool operator==(const RtpCodec&) const = default;
};

// The RFC 4733 §7.1.1 event payload ("telephone-event", any clock rate).
bool isTelephoneEvent(const RtpCodec& codec);

// Same encoding: name (case-insensitive, RFC 4855 §3), clock rate and channels. Payload type and fmtp are
// not compared: the two sides of an offer/answer may number a codec differently.
bool sameEncoding(const RtpCodec& a, const RtpCodec& b);

// The first codec named `name` (case-insensitive) with `clockRate`; null when there is none.
const RtpCodec* findCodec(const std::vector<RtpCodec>& codecs, std::string_view name, uint32_t clockRate);

// The codecs of an RTP media description in the m= line's order, with their a=fmtp. A static payload type
// without a=rtpmap gets its RFC 3551 §6 encoding; a payload type with neither (a dynamic type without
// rtpmap, RFC 8866 §6.6) is skipped, as is a repeated one. A malformed a=rtpmap or a=fmtp is an error
// naming the line ("a=rtpmap:101 telephone-event: ..."). Linear in the number of lines.
core::Result<std::vector<RtpCodec>> readCodecs(const MediaView& view);

// The a=rtpmap of a codec (channels written only when more than one, RFC 8866 §6.6).
Rtpmap toRtpmap(const RtpCodec& codec);

// Appends the a=rtpmap and, when the codec has one, the a=fmtp of `codec`.
void appendCodecAttributes(std::vector<Attribute>& attributes, const RtpCodec& codec);

// Checks that a codec built in code writes as valid SDP: payload type 0-127, a token for a name, a clock rate
// above 0, 1-255 channels, an fmtp without CR, LF or NUL. The error names the codec and the rule.
core::Result<void> validateCodec(const RtpCodec& codec);

// "PCMU/8000", "opus/48000/2": for messages.
std::string describe(const RtpCodec& codec);

}  // namespace callgate::sdp
