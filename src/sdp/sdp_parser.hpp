// Parsing an SDP session description (RFC 8866 §5, §9) into the model of session_description.hpp.
//
// Strict where the RFC is: one lowercase type letter and '=' on every line, v=0 / o= / s= first, the line
// order of RFC 8866 §5, a well-formed m= line, no unknown type letters (§5: such a description is ignored
// entirely). Tolerant where real peers deviate harmlessly: LF-only line ends, a missing final line end,
// trailing empty lines, runs of spaces between fields, an empty s=. Attribute values are not interpreted
// here: typed views (attributes.hpp) do that on demand, so an odd a= line never rejects the whole SDP.
// Never throws; every error names the line number and the rule.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/result.hpp"
#include "sdp/session_description.hpp"

namespace callgate::sdp {

struct ParseLimits {
  size_t maxBytes = 65535;  // the largest SIP message body over UDP
  size_t maxLines = 4096;
  size_t maxLineBytes = 4096;
  size_t maxMediaSections = 64;
};

class SdpParser {
 public:
  explicit SdpParser(ParseLimits limits = {}) : limits_(limits) {}

  core::Result<SessionDescription> parse(std::string_view text) const;

 private:
  ParseLimits limits_;
};

// c=<nettype> <addrtype> <connection-address> (RFC 8866 §5.7): the value after "c=". Also the address part
// of a=rtcp (RFC 3605 §2.1).
core::Result<Connection> parseConnection(std::string_view value);

// Convenience: SdpParser with the default limits.
core::Result<SessionDescription> parseSdp(std::string_view text);

}  // namespace callgate::sdp
