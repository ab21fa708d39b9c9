// a=msid:<stream id> [<track id>] (RFC 8830 §2): the MediaStream a WebRTC track belongs to.
//
//   a=msid:stream-1 5b7a9c30-8c0f-4ab1-9f0d-1c2d3e4f5a6b
//   a=msid:- 5b7a9c30-...                 (a track in no stream)
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sdp/session_description.hpp"

namespace callgate::sdp {

struct Msid {
  static constexpr std::string_view kName = "msid";

  std::string id;                      // msid-id = 1*64token-char
  std::optional<std::string> appData;  // msid-appdata = 1*64token-char (the track id in WebRTC)

  static core::Result<Msid> parse(std::string_view value);
  std::string toString() const;
  Attribute toAttribute() const { return Attribute{std::string(kName), toString()}; }

  bool operator==(const Msid&) const = default;
};

}  // namespace callgate::sdp
