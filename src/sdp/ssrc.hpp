// Source-specific media attributes (RFC 5576):
//
//   a=ssrc:<ssrc-id> <attribute>[:<value>]          a=ssrc:3735928559 cname:4TOk42mSjXCkVIa6
//   a=ssrc-group:<semantics> *(SP <ssrc-id>)        a=ssrc-group:FID 3735928559 1122334455
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sdp/session_description.hpp"

namespace callgate::sdp {

struct Ssrc {
  static constexpr std::string_view kName = "ssrc";

  uint32_t id = 0;
  std::string attribute;             // "cname", "msid", "label", ...
  std::optional<std::string> value;  // after ':', may hold spaces ("msid:stream track")

  static core::Result<Ssrc> parse(std::string_view value);
  std::string toString() const;
  Attribute toAttribute() const { return Attribute{std::string(kName), toString()}; }

  bool operator==(const Ssrc&) const = default;
};

struct SsrcGroup {
  static constexpr std::string_view kName = "ssrc-group";

  std::string semantics;  // "FID" (RFC 5576 §4.2 / RFC 4588), "SIM", "FEC-FR"...
  std::vector<uint32_t> ssrcs;

  static core::Result<SsrcGroup> parse(std::string_view value);
  std::string toString() const;
  Attribute toAttribute() const { return Attribute{std::string(kName), toString()}; }

  bool operator==(const SsrcGroup&) const = default;
};

}  // namespace callgate::sdp
