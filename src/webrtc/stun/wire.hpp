// Network-byte-order reads and writes for the STUN codec. Callers check the bounds first; these do not.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace callgate::webrtc::stun::wire {

inline uint16_t readU16(std::span<const uint8_t> b, size_t at) {
  return static_cast<uint16_t>((b[at] << 8) | b[at + 1]);
}
inline uint32_t readU32(std::span<const uint8_t> b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) | b[at + 3];
}
inline uint64_t readU64(std::span<const uint8_t> b, size_t at) {
  return (uint64_t{readU32(b, at)} << 32) | readU32(b, at + 4);
}

inline void putU16(uint8_t* out, uint16_t v) {
  out[0] = static_cast<uint8_t>(v >> 8);
  out[1] = static_cast<uint8_t>(v);
}
inline void appendU16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}
inline void appendU32(std::vector<uint8_t>& out, uint32_t v) {
  appendU16(out, static_cast<uint16_t>(v >> 16));
  appendU16(out, static_cast<uint16_t>(v));
}
inline void appendU64(std::vector<uint8_t>& out, uint64_t v) {
  appendU32(out, static_cast<uint32_t>(v >> 32));
  appendU32(out, static_cast<uint32_t>(v));
}

// An attribute value's length with its padding to 32 bits (RFC 8489 §14).
constexpr size_t padded(size_t n) {
  return (n + 3) & ~size_t{3};
}

// "8028" for error messages.
inline std::string hex16(uint16_t v) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  return {kHex[(v >> 12) & 0xF], kHex[(v >> 8) & 0xF], kHex[(v >> 4) & 0xF], kHex[v & 0xF]};
}

}  // namespace callgate::webrtc::stun::wire
