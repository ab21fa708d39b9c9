// One STUN message (RFC 8489 §5, §14) parsed into a view of the received datagram: class, method,
// transaction id and the attributes in wire order with their offsets, which the integrity checks need
// (integrity.hpp). Nothing is copied: the message views the packet, so copy what you keep.
//
// Structure is checked when parsing; attribute values are checked when read through the typed accessors, so
// a malformed attribute that nobody reads cannot fail a message, and one that is read fails with code 400.
//
// Attributes that follow MESSAGE-INTEGRITY (other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT) or follow
// MESSAGE-INTEGRITY-SHA256 (other than FINGERPRINT) are not covered by the integrity check; RFC 8489 §14.5
// and §14.6 say to ignore them. They are kept in attributes() with `ignored` set (so a capture shows them),
// and find() and every typed accessor skip them, as does unknownComprehensionRequired(). An attribute after
// FINGERPRINT, which must be last (RFC 8489 §14.7), makes the message malformed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/result.hpp"
#include "webrtc/stun/attribute_type.hpp"
#include "webrtc/stun/message_type.hpp"
#include "webrtc/stun/stun_address.hpp"

namespace callgate::webrtc::stun {

// The socket demultiplexer's cheap test (no attribute walk): RFC 7983 §7 gives first bytes 0-3 to STUN;
// beyond that the datagram must hold a header whose length field is a multiple of 4 and matches the datagram,
// and the magic cookie (RFC 8489 §5). parseStun() checks the same header, but by RFC 8489 alone, which also
// allows first bytes 4-63 (methods 0x080 and up, none registered): the demultiplexer gives those to DTLS.
bool isStun(std::span<const uint8_t> packet);

struct StunAttribute {
  uint16_t type = 0;
  size_t offset = 0;               // of the attribute's Type field, from the message's first byte
  std::span<const uint8_t> value;  // Length bytes, without the padding; views the packet
  bool ignored = false;            // after MESSAGE-INTEGRITY(-SHA256): see the file comment

  std::string_view text() const { return {reinterpret_cast<const char*>(value.data()), value.size()}; }
};

// ERROR-CODE (RFC 8489 §14.8): code = class * 100 + number, 300-699.
struct StunErrorCode {
  int code = 0;
  std::string_view reason;  // UTF-8, views the packet
};

class StunMessage {
 public:
  StunClass messageClass() const { return class_; }
  uint16_t method() const { return method_; }
  const TransactionId& transactionId() const { return transactionId_; }
  // The whole message, header included (exactly the parsed packet).
  std::span<const uint8_t> bytes() const { return bytes_; }
  // Every attribute in wire order, the ignored ones included.
  std::span<const StunAttribute> attributes() const { return {attributes_.data(), count_}; }

  // The first attribute of `type` that is not ignored; RFC 8489 §14: "only the first occurrence needs to be
  // processed". nullptr when there is none.
  const StunAttribute* find(uint16_t type) const;

  // Typed accessors over find(). Each returns nullopt when the attribute is absent and an Error with code 400
  // when it is present but malformed (400 Bad Request: "the request was malformed", RFC 8489 §14.8).
  core::Result<std::optional<std::string_view>> username() const;     // RFC 8489 §14.3, <= kMaxUsernameBytes
  core::Result<std::optional<StunAddress>> xorMappedAddress() const;  // RFC 8489 §14.2
  core::Result<std::optional<StunAddress>> mappedAddress() const;     // RFC 8489 §14.1
  core::Result<std::optional<StunErrorCode>> errorCode() const;       // RFC 8489 §14.8
  core::Result<std::optional<uint32_t>> priority() const;             // RFC 8445 §7.1.1
  core::Result<bool> useCandidate() const;                            // RFC 8445 §7.1.2: a flag, no value
  core::Result<std::optional<uint64_t>> iceControlling() const;       // RFC 8445 §7.1.3: the tie-breaker
  core::Result<std::optional<uint64_t>> iceControlled() const;        // RFC 8445 §7.1.3
  core::Result<std::optional<std::string_view>> software() const;     // RFC 8489 §14.14
  core::Result<std::optional<std::vector<uint16_t>>> unknownAttributes() const;  // RFC 8489 §14.13

  // The comprehension-required types (0x0000-0x7FFF) this codec does not know, each once, in wire order:
  // a request with any gets 420 listing them in UNKNOWN-ATTRIBUTES (RFC 8489 §6.3.1).
  std::vector<uint16_t> unknownComprehensionRequired() const;

 private:
  friend core::Result<StunMessage> parseStun(std::span<const uint8_t> packet);

  std::span<const uint8_t> bytes_;
  StunClass class_ = StunClass::kRequest;
  uint16_t method_ = 0;
  TransactionId transactionId_{};
  std::array<StunAttribute, kMaxAttributes> attributes_{};
  size_t count_ = 0;
};

// Parses one datagram. Errors (malformed: RFC 8489 §6.3 says discard it silently) carry code 0.
core::Result<StunMessage> parseStun(std::span<const uint8_t> packet);
// A temporary vector would die at the end of the statement while the message views it.
template <typename T, typename = std::enable_if_t<std::is_same_v<T, std::vector<uint8_t>>>>
core::Result<StunMessage> parseStun(T&& packet) = delete;

}  // namespace callgate::webrtc::stun
