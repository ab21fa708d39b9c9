// The STUN header's fixed parts (RFC 8489 §5): the 14-bit message type that interleaves class and method,
// the magic cookie and the 96-bit transaction id.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |0 0|     STUN Message Type     |         Message Length        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                         Magic Cookie                          |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                     Transaction ID (96 bits)                  |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//   Message Type:   M11 M10 M9 M8 M7 C1 M6 M5 M4 C0 M3 M2 M1 M0
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/random.hpp"

namespace callgate::webrtc::stun {

inline constexpr size_t kHeaderSize = 20;
inline constexpr uint32_t kMagicCookie = 0x2112A442;  // RFC 8489 §5

// RFC 8489 §5: the two class bits C1 C0.
enum class StunClass : uint8_t {
  kRequest = 0b00,
  kIndication = 0b01,
  kSuccessResponse = 0b10,
  kErrorResponse = 0b11,
};

// Methods are 12 bits. ICE (RFC 8445 §7) uses Binding only; other methods parse and are left to the caller.
inline constexpr uint16_t kMethodBinding = 0x001;  // RFC 8489 §18.2
inline constexpr uint16_t kMaxMethod = 0x0FFF;

using TransactionId = std::array<uint8_t, 12>;

// The 14-bit message type of a class and a method (method must be <= kMaxMethod).
constexpr uint16_t composeMessageType(StunClass cls, uint16_t method) {
  const auto c = static_cast<uint16_t>(cls);
  return static_cast<uint16_t>(((method & 0x0F80) << 2) | ((method & 0x0070) << 1) | (method & 0x000F) |
                               ((c & 0b10) << 7) | ((c & 0b01) << 4));
}
constexpr StunClass messageClassOf(uint16_t type) {
  return static_cast<StunClass>(((type >> 7) & 0b10) | ((type >> 4) & 0b01));
}
constexpr uint16_t methodOf(uint16_t type) {
  return static_cast<uint16_t>(((type >> 2) & 0x0F80) | ((type >> 1) & 0x0070) | (type & 0x000F));
}

std::string_view className(StunClass cls);

// RFC 8489 §6: the transaction id is uniformly random, from a cryptographic source in production (it also
// keys the XOR of XOR-MAPPED-ADDRESS, and a guessable one lets an attacker forge responses off-path).
TransactionId newTransactionId(core::RandomSource& random);

}  // namespace callgate::webrtc::stun
