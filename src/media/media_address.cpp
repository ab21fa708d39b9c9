#include "media/media_address.hpp"

#include <cstring>

namespace callgate::media {

webrtc::stun::StunAddress toStunAddress(const net::UdpAddress& address) {
  webrtc::stun::StunAddress out;
  if (address.isV6()) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, &address.storage, sizeof in6);
    out.family = webrtc::stun::AddressFamily::kIpv6;
    std::memcpy(out.bytes.data(), &in6.sin6_addr, 16);
    out.port = ntohs(in6.sin6_port);
  } else {
    sockaddr_in in4{};
    std::memcpy(&in4, &address.storage, sizeof in4);
    out.family = webrtc::stun::AddressFamily::kIpv4;
    std::memcpy(out.bytes.data(), &in4.sin_addr, 4);
    out.port = ntohs(in4.sin_port);
  }
  return out;
}

net::UdpAddress toUdpAddress(const webrtc::stun::StunAddress& address) {
  net::UdpAddress out;
  if (address.family == webrtc::stun::AddressFamily::kIpv6) {
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(address.port);
    std::memcpy(&in6.sin6_addr, address.bytes.data(), 16);
    std::memcpy(&out.storage, &in6, sizeof in6);
    out.length = sizeof in6;
  } else {
    sockaddr_in in4{};
    in4.sin_family = AF_INET;
    in4.sin_port = htons(address.port);
    std::memcpy(&in4.sin_addr, address.bytes.data(), 4);
    std::memcpy(&out.storage, &in4, sizeof in4);
    out.length = sizeof in4;
  }
  return out;
}

}  // namespace callgate::media
