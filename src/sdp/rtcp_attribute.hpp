// a=rtcp:<port> [<nettype> <addrtype> <connection-address>] (RFC 3605 §2.1): where RTCP goes when it is not
// on RTP port + 1.
//
//   a=rtcp:53020
//   a=rtcp:53020 IN IP4 126.16.64.4
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sdp/session_description.hpp"

namespace callgate::sdp {

struct RtcpAttribute {
  static constexpr std::string_view kName = "rtcp";

  uint16_t port = 0;
  std::optional<Connection> connection;

  static core::Result<RtcpAttribute> parse(std::string_view value);
  std::string toString() const;
  Attribute toAttribute() const { return Attribute{std::string(kName), toString()}; }

  bool operator==(const RtcpAttribute&) const = default;
};

}  // namespace callgate::sdp
