#include "sdp/rtcp_attribute.hpp"

#include "sdp/sdp_grammar.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/sdp_writer.hpp"

namespace callgate::sdp {

core::Result<RtcpAttribute> RtcpAttribute::parse(std::string_view value) {
  // rtcp-attribute = "a=rtcp:" port [nettype space addrtype space connection-address] CRLF (RFC 3605 §2.1)
  const size_t space = value.find(' ');
  const auto port = core::parseUnsigned(value.substr(0, space), 65535);
  if (!port)
    return core::makeError("rtcp port " + grammar::quote(value.substr(0, space)) +
                           " is not 0-65535 (RFC 3605 §2.1)");
  RtcpAttribute out;
  out.port = static_cast<uint16_t>(*port);
  if (space != std::string_view::npos) {
    auto connection = parseConnection(value.substr(space + 1));
    if (!connection)
      return core::makeError("rtcp address: " + connection.error().message + " (RFC 3605 §2.1)");
    out.connection = std::move(*connection);
  }
  return out;
}

std::string RtcpAttribute::toString() const {
  std::string out = std::to_string(port);
  if (connection) out += ' ' + writeConnection(*connection);
  return out;
}

}  // namespace callgate::sdp
