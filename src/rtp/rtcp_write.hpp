// Helpers shared by the RTCP writers (internal to the rtp layer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "rtp/byte_io.hpp"
#include "rtp/rtcp_packet.hpp"

namespace callgate::rtp::rtcp {

// The common header of a packet of `size` bytes (a multiple of 4): RFC 3550 §6.4.1 length in 32-bit words
// minus one, no padding (RtcpCompoundWriter pads the last packet).
inline void writeHeader(uint8_t* p, uint8_t count, uint8_t type, size_t size) {
  p[0] = static_cast<uint8_t>(0x80 | (count & 0x1f));
  p[1] = type;
  wire::store16(p + 2, static_cast<uint16_t>(size / 4 - 1));
}

inline core::Error doesNotFit(std::string_view what, size_t need, size_t have) {
  return core::makeError(std::string(what) + " needs " + std::to_string(need) + " bytes, the buffer has " +
                         std::to_string(have));
}

inline core::Error tooMany(std::string_view what, size_t count) {
  return core::makeError(std::string(what) + ": " + std::to_string(count) +
                         " do not fit the 5-bit count field (at most 31, RFC 3550 §6.4.1)");
}

}  // namespace callgate::rtp::rtcp
