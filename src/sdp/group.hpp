// a=group:<semantics> *(SP <identification-tag>) (RFC 5888 §5), a session-level attribute tying media
// descriptions together by their a=mid; BUNDLE (RFC 9143 §7.1) is the one WebRTC uses.
//
//   a=group:BUNDLE 0 1 2
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sdp/session_description.hpp"

namespace callgate::sdp {

struct Group {
  static constexpr std::string_view kName = "group";

  std::string semantics;  // "BUNDLE", "LS", "FID"...
  std::vector<std::string> mids;

  bool contains(std::string_view mid) const;

  static core::Result<Group> parse(std::string_view value);
  std::string toString() const;
  Attribute toAttribute() const { return Attribute{std::string(kName), toString()}; }

  bool operator==(const Group&) const = default;
};

}  // namespace callgate::sdp
