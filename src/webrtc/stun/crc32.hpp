// CRC-32 of ITU-T V.42 / ISO-HDLC (the one of zlib and Ethernet), for STUN's FINGERPRINT (RFC 8489 §14.7).
// Table-driven and written here rather than taken from zlib: one function is not worth a dependency.
#pragma once

#include <cstdint>
#include <span>

namespace callgate::webrtc::stun {

// `crc` continues a previous call (pass the previous result); the check value of "123456789" is 0xCBF43926.
uint32_t crc32(std::span<const uint8_t> data, uint32_t crc = 0);

}  // namespace callgate::webrtc::stun
