// A transport address as STUN carries it (RFC 8489 §14.1, §14.2): family, IP and port. The layer's own small
// type, so the codec stays free of asio; the endpoint converts at the socket.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "webrtc/stun/message_type.hpp"

namespace callgate::webrtc::stun {

// The wire values of the Family field.
enum class AddressFamily : uint8_t { kIpv4 = 0x01, kIpv6 = 0x02 };

struct StunAddress {
  AddressFamily family = AddressFamily::kIpv4;
  // Network byte order. IPv4 uses the first 4 bytes; the others stay zero so that == compares addresses.
  std::array<uint8_t, 16> bytes{};
  uint16_t port = 0;

  static StunAddress ipv4(const std::array<uint8_t, 4>& ip, uint16_t port);
  static StunAddress ipv6(const std::array<uint8_t, 16>& ip, uint16_t port);
  // "192.0.2.1" or "2001:db8::1" (no brackets, no zone); nullopt for anything else.
  static std::optional<StunAddress> parse(std::string_view ip, uint16_t port);

  size_t ipSize() const { return family == AddressFamily::kIpv4 ? 4 : 16; }
  std::string ipString() const;  // "192.0.2.1", "2001:db8::1"
  std::string toString() const;  // "192.0.2.1:3478", "[2001:db8::1]:3478"

  bool operator==(const StunAddress&) const = default;
};

// The XOR of XOR-MAPPED-ADDRESS (RFC 8489 §14.2): the port with the cookie's top 16 bits, an IPv4 address
// with the cookie, an IPv6 address with the cookie followed by the transaction id. Its own inverse.
StunAddress xorAddress(StunAddress address, const TransactionId& transactionId);

}  // namespace callgate::webrtc::stun
