#include "sip/transport/response_route.hpp"

#include <optional>
#include <string>

#include "core/text.hpp"
#include "sip/message/header_values.hpp"
#include "sip/transport/top_via.hpp"

namespace callgate::sip {
namespace {

uint16_t sentByPort(const Via& via, TransportProtocol protocol) {
  if (via.hasPort) return via.port;
  return protocol == TransportProtocol::kTls ? kDefaultSipsPort : kDefaultSipPort;
}

std::string_view withoutBrackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
  return host;
}

// Received, maddr and sent-by hosts become an Endpoint only when numeric: names are resolved elsewhere.
std::optional<std::string> numeric(std::string_view host) {
  const std::string_view bare = withoutBrackets(host);
  if (!isNumericAddress(bare)) return std::nullopt;
  return std::string(bare);
}

Endpoint viaDestination(const Via& via, const Endpoint& source) {
  Endpoint to{source.protocol, source.address, source.port};
  if (!via.maddr.empty()) {
    // RFC 3261 §18.2.2: "the response MUST be forwarded to the address listed there, using the port
    // indicated in sent-by".
    if (auto address = numeric(via.maddr))
      return Endpoint{source.protocol, *address, sentByPort(via, source.protocol)};
  }
  const std::optional<uint16_t> rport =
      via.rport && !via.rport->empty()
          ? std::optional<uint16_t>(static_cast<uint16_t>(core::parseUnsigned(*via.rport, 65535).value_or(0)))
          : std::nullopt;
  if (!via.received.empty()) {
    if (auto address = numeric(via.received)) {
      // RFC 3581 §4: "the response MUST be sent to the IP address listed in the received parameter, and
      // the port in the rport parameter"; without rport, RFC 3261 §18.2.2: the sent-by port.
      return Endpoint{source.protocol, *address, rport ? *rport : sentByPort(via, source.protocol)};
    }
  }
  if (rport) {
    to.port = *rport;
    return to;
  }
  if (auto address = numeric(via.host))
    return Endpoint{source.protocol, *address, sentByPort(via, source.protocol)};
  return to;
}

}  // namespace

Endpoint responseDestination(const Message& message, const Endpoint& source) {
  if (isReliable(source.protocol)) return source;
  return reconnectDestination(message, source);
}

Endpoint reconnectDestination(const Message& message, const Endpoint& source) {
  const TopVia top = findTopVia(message);
  if (!top.via) return source;
  if (isReliable(source.protocol)) {
    // RFC 3261 §18.2.2 for reliable transports: received (or the source) and the sent-by port; rport is not
    // used, since the client's connection port is ephemeral.
    std::string address = source.address;
    if (auto received = numeric(top.via->received)) address = *received;
    return Endpoint{source.protocol, address, sentByPort(*top.via, source.protocol)};
  }
  return viaDestination(*top.via, source);
}

}  // namespace callgate::sip
