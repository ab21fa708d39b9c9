// a=candidate (RFC 8839 §5.1), one ICE candidate:
//
//   candidate:<foundation> <component-id> <transport> <priority> <connection-address> <port> typ <cand-type>
//             [raddr <connection-address>] [rport <port>] *(<extension-att-name> <extension-att-value>)
//
//   a=candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.5 rport 46154
//     generation 0 ufrag EEtu network-cost 999
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "sdp/session_description.hpp"

namespace callgate::sdp {

struct Candidate {
  static constexpr std::string_view kName = "candidate";

  std::string foundation;  // 1*32 ice-char
  uint16_t component = 1;  // 1 RTP, 2 RTCP (RFC 8445 §5.1.1.1)
  std::string transport;   // "UDP" / "udp" / "tcp" (RFC 6544) as written
  uint32_t priority = 0;
  std::string address;  // IP address, or an FQDN such as an mDNS ".local" name (RFC 8839 §5.1)
  uint16_t port = 0;
  std::string type;  // "host", "srflx", "prflx", "relay" or an extension token
  std::optional<std::string> relatedAddress;
  std::optional<uint16_t> relatedPort;
  std::vector<std::pair<std::string, std::string>> extensions;  // in order: generation, ufrag, tcptype...

  // An extension's value ("tcptype" -> "passive"), nullopt when absent.
  std::optional<std::string_view> extension(std::string_view name) const;

  static core::Result<Candidate> parse(std::string_view value);
  std::string toString() const;
  Attribute toAttribute() const { return Attribute{std::string(kName), toString()}; }

  bool operator==(const Candidate&) const = default;
};

}  // namespace callgate::sdp
