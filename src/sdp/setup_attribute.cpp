#include "sdp/setup_attribute.hpp"

#include "core/text.hpp"
#include "sdp/sdp_grammar.hpp"

namespace callgate::sdp {

std::string_view toString(SetupRole role) {
  switch (role) {
    case SetupRole::kActive:
      return "active";
    case SetupRole::kPassive:
      return "passive";
    case SetupRole::kActpass:
      return "actpass";
    case SetupRole::kHoldconn:
      return "holdconn";
  }
  return "actpass";
}

core::Result<SetupAttribute> SetupAttribute::parse(std::string_view value) {
  // setup-attr = "a=setup:" role; role = "active" / "passive" / "actpass" / "holdconn" (RFC 4145 §4)
  for (SetupRole role :
       {SetupRole::kActive, SetupRole::kPassive, SetupRole::kActpass, SetupRole::kHoldconn}) {
    if (core::iequals(value, sdp::toString(role))) return SetupAttribute{role};
  }
  return core::makeError("setup role " + grammar::quote(value) +
                         " is not active, passive, actpass or holdconn (RFC 4145 §4)");
}

std::string SetupAttribute::toString() const {
  return std::string(sdp::toString(role));
}

}  // namespace callgate::sdp
