#include "sdp/rtcp_feedback.hpp"

#include "sdp/sdp_grammar.hpp"

namespace callgate::sdp {

core::Result<RtcpFeedback> RtcpFeedback::parse(std::string_view value) {
  grammar::FieldReader fields(value);
  const auto pt = fields.next();
  const auto type = fields.next();
  if (!pt || !type) return core::makeError("rtcp-fb needs <payload type or *> <type> (RFC 4585 §4.2)");
  RtcpFeedback out;
  if (*pt != "*") {
    const auto payloadType = grammar::parseNumber(*pt, 0, 127);
    if (!payloadType)
      return core::makeError("rtcp-fb payload type " + grammar::quote(*pt) +
                             " is not 0-127 or '*' (RFC 4585 §4.2)");
    out.payloadType = static_cast<uint8_t>(*payloadType);
  }
  if (!grammar::isToken(*type))
    return core::makeError("rtcp-fb type " + grammar::quote(*type) + " is not a token (RFC 4585 §4.2)");
  out.type = std::string(*type);
  out.parameters = std::string(fields.rest());
  if (out.type == "trr-int" && !grammar::parseNumber(out.parameters, 0, UINT32_MAX)) {
    return core::makeError("rtcp-fb trr-int " + grammar::quote(out.parameters) +
                           " is not a number of ms (RFC 4585 §4.2)");
  }
  return out;
}

std::string RtcpFeedback::toString() const {
  std::string out = payloadType ? std::to_string(*payloadType) : std::string("*");
  out += ' ';
  out += type;
  if (!parameters.empty()) {
    out += ' ';
    out += parameters;
  }
  return out;
}

}  // namespace callgate::sdp
