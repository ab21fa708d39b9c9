// a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>] (RFC 8866 §6.6)
//
//   a=rtpmap:111 opus/48000/2
//   a=rtpmap:0 PCMU/8000
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sdp/session_description.hpp"

namespace callgate::sdp {

struct Rtpmap {
  static constexpr std::string_view kName = "rtpmap";

  uint8_t payloadType = 0;
  std::string encodingName;  // as written; compare with core::iequals (RFC 4855 §3: case-insensitive)
  uint32_t clockRate = 0;
  std::optional<uint32_t> channels;  // the encoding parameters: audio channels (RFC 8866 §6.6)

  // Channels as RFC 8866 §6.6 defines the default: one when not given.
  uint32_t channelCount() const { return channels.value_or(1); }

  static core::Result<Rtpmap> parse(std::string_view value);
  std::string toString() const;
  Attribute toAttribute() const { return Attribute{std::string(kName), toString()}; }

  bool operator==(const Rtpmap&) const = default;
};

// The static payload types of RFC 3551 §6 table 4 and 5 that carry a fixed encoding, for media sections
// that list a static type without an a=rtpmap (SIP phones do: "m=audio 4000 RTP/AVP 0 8 18").
std::optional<Rtpmap> staticRtpmap(uint8_t payloadType);

}  // namespace callgate::sdp
