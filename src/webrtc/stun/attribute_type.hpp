// STUN attribute types (RFC 8489 §18.3, RFC 8445 §16.1) and the limits this codec puts on their values.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |         Type                  |            Length             |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                         Value (variable)                ....
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Length is the value's length before padding; the value is padded to a multiple of 4 bytes (RFC 8489 §14).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace callgate::webrtc::stun {

namespace attr {
// Comprehension-required range 0x0000-0x7FFF (RFC 8489 §14, §18.3.1).
inline constexpr uint16_t kMappedAddress = 0x0001;
inline constexpr uint16_t kUsername = 0x0006;
inline constexpr uint16_t kMessageIntegrity = 0x0008;
inline constexpr uint16_t kErrorCode = 0x0009;
inline constexpr uint16_t kUnknownAttributes = 0x000A;
inline constexpr uint16_t kRealm = 0x0014;
inline constexpr uint16_t kNonce = 0x0015;
inline constexpr uint16_t kMessageIntegritySha256 = 0x001C;
inline constexpr uint16_t kPasswordAlgorithm = 0x001D;
inline constexpr uint16_t kUserhash = 0x001E;
inline constexpr uint16_t kXorMappedAddress = 0x0020;
inline constexpr uint16_t kPriority = 0x0024;      // RFC 8445 §16.1
inline constexpr uint16_t kUseCandidate = 0x0025;  // RFC 8445 §16.1
// Comprehension-optional range 0x8000-0xFFFF (RFC 8489 §18.3.2).
inline constexpr uint16_t kPasswordAlgorithms = 0x8002;
inline constexpr uint16_t kAlternateDomain = 0x8003;
inline constexpr uint16_t kSoftware = 0x8022;
inline constexpr uint16_t kAlternateServer = 0x8023;
inline constexpr uint16_t kFingerprint = 0x8028;
inline constexpr uint16_t kIceControlled = 0x8029;   // RFC 8445 §16.1
inline constexpr uint16_t kIceControlling = 0x802A;  // RFC 8445 §16.1
}  // namespace attr

// A parsed message holds at most this many attributes; more is a malformed (or hostile) message. An ICE
// connectivity check carries about eight (USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE, vendor ones,
// MESSAGE-INTEGRITY, FINGERPRINT).
inline constexpr size_t kMaxAttributes = 32;
// USERNAME: RFC 8489 §14.3 says fewer than 509 bytes and RFC 5389 §15.3 fewer than 513, but an ICE username
// is "ufrag:ufrag" (RFC 8445 §7.2.2) with ice-ufrag up to 256 characters each (RFC 8839 §5.4): 513 bytes.
inline constexpr size_t kMaxUsernameBytes = 513;
// SOFTWARE and the ERROR-CODE reason phrase: fewer than 128 characters, up to 763 bytes (RFC 8489 §14.14,
// §14.8).
inline constexpr size_t kMaxSoftwareBytes = 763;
inline constexpr size_t kMaxReasonBytes = 763;
// UNKNOWN-ATTRIBUTES lists at most what a message can carry.
inline constexpr size_t kMaxUnknownAttributes = kMaxAttributes;

// RFC 8489 §14: types 0x0000-0x7FFF must be understood to process the message (else 420).
constexpr bool isComprehensionRequired(uint16_t type) {
  return type < 0x8000;
}

// Whether this codec knows the type (one of the constants above). The 420 list is built from the others.
bool isKnownAttribute(uint16_t type);

// "USERNAME", "XOR-MAPPED-ADDRESS", ...; "unknown" for the others. For logs and error messages.
std::string_view attributeName(uint16_t type);

}  // namespace callgate::webrtc::stun
