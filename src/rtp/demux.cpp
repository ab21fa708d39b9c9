#include "rtp/demux.hpp"

namespace callgate::rtp {

std::string_view toString(PacketClass c) {
  switch (c) {
    case PacketClass::kStun:
      return "stun";
    case PacketClass::kZrtp:
      return "zrtp";
    case PacketClass::kDtls:
      return "dtls";
    case PacketClass::kTurn:
      return "turn";
    case PacketClass::kRtpOrRtcp:
      return "rtp";
    case PacketClass::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace callgate::rtp
