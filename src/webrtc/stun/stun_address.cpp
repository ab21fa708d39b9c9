#include "webrtc/stun/stun_address.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace callgate::webrtc::stun {

StunAddress StunAddress::ipv4(const std::array<uint8_t, 4>& ip, uint16_t port) {
  StunAddress a;
  a.family = AddressFamily::kIpv4;
  std::copy(ip.begin(), ip.end(), a.bytes.begin());
  a.port = port;
  return a;
}

StunAddress StunAddress::ipv6(const std::array<uint8_t, 16>& ip, uint16_t port) {
  StunAddress a;
  a.family = AddressFamily::kIpv6;
  a.bytes = ip;
  a.port = port;
  return a;
}

std::optional<StunAddress> StunAddress::parse(std::string_view ip, uint16_t port) {
  if (ip.empty() || ip.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string text(ip);  // inet_pton wants a terminated string
  std::array<uint8_t, 4> v4{};
  if (inet_pton(AF_INET, text.c_str(), v4.data()) == 1) return ipv4(v4, port);
  std::array<uint8_t, 16> v6{};
  if (inet_pton(AF_INET6, text.c_str(), v6.data()) == 1) return ipv6(v6, port);
  return std::nullopt;
}

std::string StunAddress::ipString() const {
  char text[INET6_ADDRSTRLEN] = {};
  const int af = family == AddressFamily::kIpv4 ? AF_INET : AF_INET6;
  if (inet_ntop(af, bytes.data(), text, sizeof text) == nullptr) return {};
  return text;
}

std::string StunAddress::toString() const {
  if (family == AddressFamily::kIpv4) return ipString() + ":" + std::to_string(port);
  return "[" + ipString() + "]:" + std::to_string(port);
}

StunAddress xorAddress(StunAddress address, const TransactionId& transactionId) {
  std::array<uint8_t, 16> mask{};
  mask[0] = static_cast<uint8_t>(kMagicCookie >> 24);
  mask[1] = static_cast<uint8_t>(kMagicCookie >> 16);
  mask[2] = static_cast<uint8_t>(kMagicCookie >> 8);
  mask[3] = static_cast<uint8_t>(kMagicCookie);
  std::copy(transactionId.begin(), transactionId.end(), mask.begin() + 4);
  for (size_t i = 0; i < address.ipSize(); ++i) address.bytes[i] ^= mask[i];
  address.port ^= static_cast<uint16_t>(kMagicCookie >> 16);
  return address;
}

}  // namespace callgate::webrtc::stun
