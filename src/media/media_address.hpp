// The socket's address type (net::UdpAddress) and the protocol layers' (webrtc::stun::StunAddress), converted
// at the edge between them: the sans-I/O layers never see sockaddr.
#pragma once

#include <optional>

#include "net/udp_batch_socket.hpp"
#include "webrtc/stun/stun_address.hpp"

namespace callgate::media {

webrtc::stun::StunAddress toStunAddress(const net::UdpAddress& address);
net::UdpAddress toUdpAddress(const webrtc::stun::StunAddress& address);

}  // namespace callgate::media
