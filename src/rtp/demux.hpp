// Demultiplexing of the one UDP socket a WebRTC call uses (RFC 7983 §7, updating RFC 5764 §5.1.2), and the
// RTP / RTCP split on that socket when rtcp-mux is in use (RFC 5761 §4).
//
// RFC 7983 §7, by the first byte B of the datagram:
//
//                  +----------------+
//                  |        [0..3] -+--> forward to STUN
//                  |                |
//                  |      [16..19] -+--> forward to ZRTP
//                  |                |
//      packet -->  |      [20..63] -+--> forward to DTLS
//                  |                |
//                  |      [64..79] -+--> forward to TURN Channel
//                  |                |
//                  |    [128..191] -+--> forward to RTP/RTCP
//                  +----------------+
//
// Anything else is dropped. The classifiers look at one or two bytes and never read past `datagram`.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace callgate::rtp {

enum class PacketClass : uint8_t { kStun, kZrtp, kDtls, kTurn, kRtpOrRtcp, kUnknown };

constexpr PacketClass classify(std::span<const uint8_t> datagram) {
  if (datagram.empty()) return PacketClass::kUnknown;
  const uint8_t b = datagram[0];
  if (b <= 3) return PacketClass::kStun;
  if (b >= 16 && b <= 19) return PacketClass::kZrtp;
  if (b >= 20 && b <= 63) return PacketClass::kDtls;
  if (b >= 64 && b <= 79) return PacketClass::kTurn;
  if (b >= 128 && b <= 191) return PacketClass::kRtpOrRtcp;
  return PacketClass::kUnknown;
}

// RFC 5761 §4: on a muxed port, RTCP packet types 192-223 occupy what would be RTP payload types 64-95 (with
// the marker bit set), which is why those payload types must not be used with rtcp-mux. The second byte
// with its top bit masked off is therefore RTCP when it is 64-95, whatever the marker bit says (the test
// libwebrtc and mediasoup use). Needs at least the 4-byte RTCP common header.
constexpr bool isRtcp(std::span<const uint8_t> datagram) {
  if (datagram.size() < 4 || classify(datagram) != PacketClass::kRtpOrRtcp) return false;
  const uint8_t type = datagram[1] & 0x7f;
  return type >= 64 && type <= 95;
}

// An RTP packet by the same rule, with room for the 12-byte fixed header (RFC 3550 §5.1). The full checks
// are RtpPacket::parse's.
constexpr bool isRtp(std::span<const uint8_t> datagram) {
  return datagram.size() >= 12 && classify(datagram) == PacketClass::kRtpOrRtcp && !isRtcp(datagram);
}

std::string_view toString(PacketClass c);

}  // namespace callgate::rtp
