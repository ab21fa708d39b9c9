// Checks of a parsed message's MESSAGE-INTEGRITY (RFC 8489 §14.5), MESSAGE-INTEGRITY-SHA256 (§14.6) and
// FINGERPRINT (§14.7), and the long-term credential key.
//
// The HMAC covers the message from its first byte up to the integrity attribute, with the header's Message
// Length patched as if the integrity attribute were the last one: attributes after it (FINGERPRINT, or
// MESSAGE-INTEGRITY-SHA256 after MESSAGE-INTEGRITY) are not in the input and not in the length.
//
//   +--------+----------------------+-----------+---------------+
//   | header | attributes before MI | MI        | FINGERPRINT   |
//   +--------+----------------------+-----------+---------------+
//   |<------- HMAC input -------->|            length patched to end here: offset(MI) - 20 + 4 + 20
//
// FINGERPRINT is the CRC-32 of everything before it (its own header included in the length, since it is
// last), XORed with 0x5354554e ("STUN") so that a CRC-32 of another protocol is not mistaken for it.
//
// Keys. Short-term credentials (RFC 8489 §9.1.1): the key is the password after OpaqueString (RFC 8265).
// ICE passwords are ice-chars (RFC 8839 §5.4: ASCII letters, digits, '+' and '/'), which OpaqueString leaves
// unchanged, so the key is the ice-pwd's bytes. A connectivity check is keyed with the password of the agent
// that receives it (RFC 8445 §7.2.2), and its response with the password that checked the request (RFC 8489
// §9.1.3): for the checks an ICE-lite gateway receives and answers, its own local ice-pwd.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "webrtc/stun/stun_message.hpp"

namespace callgate::webrtc::stun {

// RFC 8489 §14.7.
inline constexpr uint32_t kFingerprintXor = 0x5354554e;

// The first (not ignored) MESSAGE-INTEGRITY must be 20 bytes and match HMAC-SHA1 with `key`. Error codes
// are what a server answers a request with (RFC 8489 §9.1.3): 400 when it is missing or malformed, 401 when
// it does not match; 500 when the key is empty or OpenSSL fails. The comparison takes constant time.
core::Result<void> checkMessageIntegrity(const StunMessage& message, std::string_view key);

// The same for MESSAGE-INTEGRITY-SHA256, whose value may be the HMAC-SHA256 truncated to 16-32 bytes in
// steps of 4 (RFC 8489 §14.6); the leading bytes are compared.
core::Result<void> checkMessageIntegritySha256(const StunMessage& message, std::string_view key);

// FINGERPRINT present, 4 bytes and matching. Code 0 on failure: such a datagram is not STUN and is dropped
// without an answer (RFC 8489 §7).
core::Result<void> checkFingerprint(const StunMessage& message);

// The long-term credential key with the MD5 algorithm (RFC 8489 §9.2.2; RFC 5389 §15.4):
// MD5(username ":" realm ":" password), 16 raw bytes. The strings must already be prepared (SASLprep for RFC
// 5389 peers, OpaqueString for RFC 8489 ones); printable ASCII passes through both unchanged. ICE does not
// use long-term credentials; this is here for RFC 5769 §2.4 and a future TURN client.
core::Result<std::string> longTermKey(std::string_view username, std::string_view realm,
                                      std::string_view password);

}  // namespace callgate::webrtc::stun
