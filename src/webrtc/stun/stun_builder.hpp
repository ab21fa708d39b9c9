// Writes one STUN message (RFC 8489 §5, §14): the header, the attributes in the order they are added, each
// padded to 32 bits, then the integrity attributes and FINGERPRINT in the order RFC 8489 §14.5-§14.7 require.
//
//   StunBuilder b(StunClass::kSuccessResponse, kMethodBinding, request.transactionId());
//   b.addXorMappedAddress(source);
//   auto bytes = b.finish(Integrity::kSha1, localIcePwd);  // MESSAGE-INTEGRITY, then FINGERPRINT
//
// Errors are sticky: the first one (a value over its limit, an attribute after the integrity attributes, a
// message past 64 KiB) makes every later add a no-op and is what finish() returns, so a chain of adds needs
// one check at the end. The limits are the parser's (attribute_type.hpp), so whatever the parser accepts can
// be written again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "webrtc/stun/attribute_type.hpp"
#include "webrtc/stun/hmac.hpp"
#include "webrtc/stun/message_type.hpp"
#include "webrtc/stun/stun_address.hpp"

namespace callgate::webrtc::stun {

enum class Integrity : uint8_t { kNone, kSha1, kSha256 };

class StunBuilder {
 public:
  StunBuilder() = default;
  StunBuilder(StunClass cls, uint16_t method, const TransactionId& transactionId) {
    start(cls, method, transactionId);
  }

  // Begins a new message, dropping whatever was built or failed before. The padding byte is kept.
  StunBuilder& start(StunClass cls, uint16_t method, const TransactionId& transactionId);

  // RFC 8489 §14 pads with zeros (the default). RFC 5769's vectors pad with spaces (0x20); reproducing them
  // is the one reason to change it.
  StunBuilder& setPaddingByte(uint8_t byte) {
    padding_ = byte;
    return *this;
  }

  StunBuilder& addXorMappedAddress(const StunAddress& address);  // RFC 8489 §14.2
  StunBuilder& addMappedAddress(const StunAddress& address);     // RFC 8489 §14.1
  StunBuilder& addUsername(std::string_view username);           // RFC 8489 §14.3, <= kMaxUsernameBytes
  StunBuilder& addErrorCode(int code, std::string_view reason);  // RFC 8489 §14.8, code 300-699
  StunBuilder& addPriority(uint32_t priority);                   // RFC 8445 §7.1.1
  StunBuilder& addUseCandidate();                                // RFC 8445 §7.1.2
  StunBuilder& addIceControlling(uint64_t tieBreaker);           // RFC 8445 §7.1.3
  StunBuilder& addIceControlled(uint64_t tieBreaker);            // RFC 8445 §7.1.3
  StunBuilder& addSoftware(std::string_view software);           // RFC 8489 §14.14, <= kMaxSoftwareBytes
  StunBuilder& addUnknownAttributes(std::span<const uint16_t> types);  // RFC 8489 §14.13, for a 420
  // Any other attribute (REALM, NONCE, a vendor's), the value as given. Not MESSAGE-INTEGRITY(-SHA256) or
  // FINGERPRINT, whose values the builder computes below.
  StunBuilder& addAttribute(uint16_t type, std::span<const uint8_t> value);
  StunBuilder& addAttribute(uint16_t type, std::string_view value);

  // The sealing attributes, in this order, each optional: MESSAGE-INTEGRITY (HMAC-SHA1), then
  // MESSAGE-INTEGRITY-SHA256 (its first `size` bytes: 16-32, a multiple of 4), then FINGERPRINT.
  StunBuilder& addMessageIntegrity(std::string_view key);
  StunBuilder& addMessageIntegritySha256(std::string_view key, size_t size = kSha256Size);
  StunBuilder& addFingerprint();

  // The message. The builder is left empty: start() the next one.
  core::Result<std::vector<uint8_t>> finish();
  // The usual ending in one call: the integrity attribute of `integrity` keyed with `key` (unused for kNone),
  // then FINGERPRINT unless told otherwise.
  core::Result<std::vector<uint8_t>> finish(Integrity integrity, std::string_view key,
                                            bool fingerprint = true);

 private:
  enum class Stage : uint8_t { kIdle, kAttributes, kAfterIntegrity, kAfterSha256, kAfterFingerprint };

  // Whether an attribute may be added now (records the error if not).
  bool canAdd(uint16_t type);
  void append(uint16_t type, std::span<const uint8_t> value);
  void appendAddress(uint16_t type, const StunAddress& address);
  void appendHmac(uint16_t type, HmacAlgorithm algorithm, std::string_view key, size_t size);
  void fail(std::string message, int code = 0);
  // Sets the header's Message Length to what it will be once `extra` more bytes are appended.
  void setLength(size_t extra);

  std::vector<uint8_t> buffer_;
  TransactionId transactionId_{};
  Stage stage_ = Stage::kIdle;
  uint8_t padding_ = 0;
  std::optional<core::Error> error_;
};

}  // namespace callgate::webrtc::stun
