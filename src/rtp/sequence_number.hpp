// Serial number arithmetic for RTP sequence numbers (16 bits) and timestamps (32 bits): which of two values
// is newer when both wrap around (the RFC 1982 rule that RFC 3550 §A.1 relies on). A value is newer than
// another when it is less than half the number space ahead of it.
#pragma once

#include <cstdint>

namespace callgate::rtp {

constexpr bool isNewerSequence(uint16_t value, uint16_t than) {
  return value != than && static_cast<uint16_t>(value - than) < 0x8000;
}

constexpr bool isNewerTimestamp(uint32_t value, uint32_t than) {
  return value != than && value - than < 0x80000000u;
}

}  // namespace callgate::rtp
