// Where a SIP message goes to or came from: transport protocol, numeric address and port. Names are resolved
// before anything reaches an Endpoint (RFC 3263, sip/dns).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace callgate::sip {

enum class TransportProtocol : uint8_t { kUdp, kTcp, kTls };

// "UDP", "TCP", "TLS": the spelling of Via's transport (RFC 3261 §20.42).
std::string_view transportName(TransportProtocol protocol);
// Reliable transports have no retransmissions and zero-length wait timers (RFC 3261 §17).
constexpr bool isReliable(TransportProtocol protocol) {
  return protocol != TransportProtocol::kUdp;
}

struct Endpoint {
  TransportProtocol protocol = TransportProtocol::kUdp;
  std::string address;  // numeric IPv4 or IPv6 address, IPv6 without brackets
  uint16_t port = 0;

  bool operator==(const Endpoint&) const = default;
  // "udp:127.0.0.1:5060", "tcp:[::1]:5062": for logs.
  std::string toString() const;
};

}  // namespace callgate::sip
