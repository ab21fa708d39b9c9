// a=extmap:<value>["/"<direction>] <URI> <extensionattributes> (RFC 8285 §7): an RTP header extension.
//
//   a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
//   a=extmap:3/sendonly urn:ietf:params:rtp-hdrext:toffset
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sdp/direction.hpp"
#include "sdp/session_description.hpp"

namespace callgate::sdp {

struct Extmap {
  static constexpr std::string_view kName = "extmap";

  uint16_t id = 0;  // 1-14 one-byte, 1-255 two-byte headers; 4096-4351 only in offers (RFC 8285 §5, §7)
  std::optional<Direction> direction;
  std::string uri;
  std::string attributes;  // extension-specific, may be empty

  static core::Result<Extmap> parse(std::string_view value);
  std::string toString() const;
  Attribute toAttribute() const { return Attribute{std::string(kName), toString()}; }

  bool operator==(const Extmap&) const = default;
};

}  // namespace callgate::sdp
