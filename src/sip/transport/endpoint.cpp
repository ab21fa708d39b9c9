#include "sip/transport/endpoint.hpp"

namespace callgate::sip {

std::string_view transportName(TransportProtocol protocol) {
  switch (protocol) {
    case TransportProtocol::kUdp:
      return "UDP";
    case TransportProtocol::kTcp:
      return "TCP";
    case TransportProtocol::kTls:
      return "TLS";
  }
  return "UDP";
}

std::string Endpoint::toString() const {
  std::string out;
  switch (protocol) {
    case TransportProtocol::kUdp:
      out = "udp:";
      break;
    case TransportProtocol::kTcp:
      out = "tcp:";
      break;
    case TransportProtocol::kTls:
      out = "tls:";
      break;
  }
  const bool v6 = address.find(':') != std::string::npos;
  if (v6) out += '[';
  out += address;
  if (v6) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

}  // namespace callgate::sip
