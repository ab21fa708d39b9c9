// a=rtcp-fb:<payload type or *> <type> [<parameters>] (RFC 4585 §4.2)
//
//   a=rtcp-fb:96 nack pli
//   a=rtcp-fb:96 transport-cc
//   a=rtcp-fb:* trr-int 100
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sdp/session_description.hpp"

namespace callgate::sdp {

struct RtcpFeedback {
  static constexpr std::string_view kName = "rtcp-fb";

  std::optional<uint8_t> payloadType;  // nullopt for "*": every payload type of the media (RFC 4585 §4.2)
  std::string type;                    // "nack", "ccm", "ack", "trr-int", "goog-remb", "transport-cc", ...
  std::string parameters;              // "pli", "fir", "100", ... (may be empty)

  bool appliesTo(uint8_t pt) const { return !payloadType || *payloadType == pt; }

  static core::Result<RtcpFeedback> parse(std::string_view value);
  std::string toString() const;
  Attribute toAttribute() const { return Attribute{std::string(kName), toString()}; }

  bool operator==(const RtcpFeedback&) const = default;
};

}  // namespace callgate::sdp
