// a=setup:active / passive / actpass / holdconn (RFC 4145 §4, used by DTLS-SRTP per RFC 5763 §5).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sdp/session_description.hpp"

namespace callgate::sdp {

enum class SetupRole : uint8_t { kActive, kPassive, kActpass, kHoldconn };

struct SetupAttribute {
  static constexpr std::string_view kName = "setup";

  SetupRole role = SetupRole::kActpass;

  static core::Result<SetupAttribute> parse(std::string_view value);
  std::string toString() const;
  Attribute toAttribute() const { return Attribute{std::string(kName), toString()}; }

  bool operator==(const SetupAttribute&) const = default;
};

std::string_view toString(SetupRole role);

}  // namespace callgate::sdp
