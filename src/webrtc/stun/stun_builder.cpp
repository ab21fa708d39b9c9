#include "webrtc/stun/stun_builder.hpp"

#include <algorithm>
#include <string>

#include "webrtc/stun/crc32.hpp"
#include "webrtc/stun/integrity.hpp"
#include "webrtc/stun/wire.hpp"

namespace callgate::webrtc::stun {

namespace {

// The Message Length field is 16 bits and counts whole attributes (multiples of 4).
constexpr size_t kMaxBodyBytes = 0xFFFC;

std::span<const uint8_t> asBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

StunBuilder& StunBuilder::start(StunClass cls, uint16_t method, const TransactionId& transactionId) {
  buffer_.clear();
  error_.reset();
  stage_ = Stage::kIdle;
  if (method > kMaxMethod) {
    fail("STUN method 0x" + wire::hex16(method) + " does not fit in 12 bits");
    return *this;
  }
  transactionId_ = transactionId;
  buffer_.reserve(kHeaderSize + 128);
  wire::appendU16(buffer_, composeMessageType(cls, method));
  wire::appendU16(buffer_, 0);  // Message Length, set as attributes are added and by finish()
  wire::appendU32(buffer_, kMagicCookie);
  buffer_.insert(buffer_.end(), transactionId.begin(), transactionId.end());
  stage_ = Stage::kAttributes;
  return *this;
}

void StunBuilder::fail(std::string message, int code) {
  if (!error_) error_ = core::makeError(std::move(message), code);
}

bool StunBuilder::canAdd(uint16_t type) {
  if (error_) return false;
  const std::string name(attributeName(type));
  switch (stage_) {
    case Stage::kIdle:
      fail("add " + name + ": the message was not started");
      return false;
    case Stage::kAttributes:
      return true;
    case Stage::kAfterIntegrity:
      // RFC 8489 §14.5: receivers ignore everything after MESSAGE-INTEGRITY but these two.
      if (type == attr::kMessageIntegritySha256 || type == attr::kFingerprint) return true;
      fail(name + " after MESSAGE-INTEGRITY would be ignored by the receiver (RFC 8489 §14.5)");
      return false;
    case Stage::kAfterSha256:
      if (type == attr::kFingerprint) return true;
      fail(name + " after MESSAGE-INTEGRITY-SHA256 would be ignored by the receiver (RFC 8489 §14.6)");
      return false;
    case Stage::kAfterFingerprint:
      fail(name + " after FINGERPRINT, which must be last (RFC 8489 §14.7)");
      return false;
  }
  return false;
}

void StunBuilder::setLength(size_t extra) {
  wire::putU16(buffer_.data() + 2, static_cast<uint16_t>(buffer_.size() - kHeaderSize + extra));
}

void StunBuilder::append(uint16_t type, std::span<const uint8_t> value) {
  const size_t size = 4 + wire::padded(value.size());
  if (buffer_.size() - kHeaderSize + size > kMaxBodyBytes) {
    fail("adding " + std::string(attributeName(type)) + " of " + std::to_string(value.size()) +
         " bytes makes the message longer than STUN's 16-bit length allows");
    return;
  }
  wire::appendU16(buffer_, type);
  wire::appendU16(buffer_, static_cast<uint16_t>(value.size()));
  buffer_.insert(buffer_.end(), value.begin(), value.end());
  buffer_.resize(buffer_.size() + wire::padded(value.size()) - value.size(), padding_);
  setLength(0);
}

// The layout of MAPPED-ADDRESS and XOR-MAPPED-ADDRESS: stun_message.cpp has the diagram.
void StunBuilder::appendAddress(uint16_t type, const StunAddress& address) {
  if (address.family != AddressFamily::kIpv4 && address.family != AddressFamily::kIpv6) {
    fail(std::string(attributeName(type)) + " with an address family that is neither IPv4 nor IPv6");
    return;
  }
  std::array<uint8_t, 20> value{};
  value[1] = static_cast<uint8_t>(address.family);
  wire::putU16(value.data() + 2, address.port);
  std::copy_n(address.bytes.begin(), address.ipSize(), value.begin() + 4);
  append(type, std::span<const uint8_t>(value).first(4 + address.ipSize()));
}

StunBuilder& StunBuilder::addXorMappedAddress(const StunAddress& address) {
  if (canAdd(attr::kXorMappedAddress))
    appendAddress(attr::kXorMappedAddress, xorAddress(address, transactionId_));
  return *this;
}

StunBuilder& StunBuilder::addMappedAddress(const StunAddress& address) {
  if (canAdd(attr::kMappedAddress)) appendAddress(attr::kMappedAddress, address);
  return *this;
}

StunBuilder& StunBuilder::addUsername(std::string_view username) {
  if (!canAdd(attr::kUsername)) return *this;
  if (username.size() > kMaxUsernameBytes) {
    fail("USERNAME of " + std::to_string(username.size()) + " bytes exceeds " +
         std::to_string(kMaxUsernameBytes));
    return *this;
  }
  append(attr::kUsername, asBytes(username));
  return *this;
}

StunBuilder& StunBuilder::addErrorCode(int code, std::string_view reason) {
  if (!canAdd(attr::kErrorCode)) return *this;
  if (code < 300 || code > 699) {
    fail("ERROR-CODE " + std::to_string(code) + " is not from 300 to 699 (RFC 8489 §14.8)");
    return *this;
  }
  if (reason.size() > kMaxReasonBytes) {
    fail("ERROR-CODE reason of " + std::to_string(reason.size()) + " bytes exceeds " +
         std::to_string(kMaxReasonBytes));
    return *this;
  }
  std::vector<uint8_t> value(4 + reason.size());
  value[2] = static_cast<uint8_t>(code / 100);
  value[3] = static_cast<uint8_t>(code % 100);
  std::copy(reason.begin(), reason.end(), value.begin() + 4);
  append(attr::kErrorCode, value);
  return *this;
}

StunBuilder& StunBuilder::addPriority(uint32_t priority) {
  if (!canAdd(attr::kPriority)) return *this;
  std::vector<uint8_t> value;
  wire::appendU32(value, priority);
  append(attr::kPriority, value);
  return *this;
}

StunBuilder& StunBuilder::addUseCandidate() {
  if (canAdd(attr::kUseCandidate)) append(attr::kUseCandidate, {});
  return *this;
}

StunBuilder& StunBuilder::addIceControlling(uint64_t tieBreaker) {
  if (!canAdd(attr::kIceControlling)) return *this;
  std::vector<uint8_t> value;
  wire::appendU64(value, tieBreaker);
  append(attr::kIceControlling, value);
  return *this;
}

StunBuilder& StunBuilder::addIceControlled(uint64_t tieBreaker) {
  if (!canAdd(attr::kIceControlled)) return *this;
  std::vector<uint8_t> value;
  wire::appendU64(value, tieBreaker);
  append(attr::kIceControlled, value);
  return *this;
}

StunBuilder& StunBuilder::addSoftware(std::string_view software) {
  if (!canAdd(attr::kSoftware)) return *this;
  if (software.size() > kMaxSoftwareBytes) {
    fail("SOFTWARE of " + std::to_string(software.size()) + " bytes exceeds " +
         std::to_string(kMaxSoftwareBytes));
    return *this;
  }
  append(attr::kSoftware, asBytes(software));
  return *this;
}

StunBuilder& StunBuilder::addUnknownAttributes(std::span<const uint16_t> types) {
  if (!canAdd(attr::kUnknownAttributes)) return *this;
  if (types.size() > kMaxUnknownAttributes) {
    fail("UNKNOWN-ATTRIBUTES with " + std::to_string(types.size()) + " types exceeds " +
         std::to_string(kMaxUnknownAttributes));
    return *this;
  }
  std::vector<uint8_t> value;
  for (const uint16_t type : types) wire::appendU16(value, type);
  append(attr::kUnknownAttributes, value);
  return *this;
}

StunBuilder& StunBuilder::addAttribute(uint16_t type, std::span<const uint8_t> value) {
  if (!canAdd(type)) return *this;
  if (type == attr::kMessageIntegrity || type == attr::kMessageIntegritySha256 ||
      type == attr::kFingerprint) {
    fail(std::string(attributeName(type)) + " is computed by the builder: use its own add method");
    return *this;
  }
  append(type, value);
  return *this;
}

StunBuilder& StunBuilder::addAttribute(uint16_t type, std::string_view value) {
  return addAttribute(type, asBytes(value));
}

void StunBuilder::appendHmac(uint16_t type, HmacAlgorithm algorithm, std::string_view key, size_t size) {
  if (buffer_.size() - kHeaderSize + 4 + size > kMaxBodyBytes) {
    fail("adding " + std::string(attributeName(type)) + " makes the message too long");
    return;
  }
  // The HMAC input is the message so far with the length it has once this attribute is added (RFC 8489
  // §14.5); FINGERPRINT, if added next, updates the length again.
  setLength(4 + size);
  auto digest = computeHmac(algorithm, key, {buffer_});
  if (!digest) {
    fail(digest.error().message, digest.error().code);
    return;
  }
  append(type, digest->view().first(size));
}

StunBuilder& StunBuilder::addMessageIntegrity(std::string_view key) {
  if (!canAdd(attr::kMessageIntegrity)) return *this;
  appendHmac(attr::kMessageIntegrity, HmacAlgorithm::kSha1, key, kSha1Size);
  if (!error_) stage_ = Stage::kAfterIntegrity;
  return *this;
}

StunBuilder& StunBuilder::addMessageIntegritySha256(std::string_view key, size_t size) {
  if (!canAdd(attr::kMessageIntegritySha256)) return *this;
  if (size < 16 || size > kSha256Size || size % 4 != 0) {
    fail("MESSAGE-INTEGRITY-SHA256 of " + std::to_string(size) +
         " bytes: it must be a multiple of 4 from 16 to 32 (RFC 8489 §14.6)");
    return *this;
  }
  appendHmac(attr::kMessageIntegritySha256, HmacAlgorithm::kSha256, key, size);
  if (!error_) stage_ = Stage::kAfterSha256;
  return *this;
}

StunBuilder& StunBuilder::addFingerprint() {
  if (!canAdd(attr::kFingerprint)) return *this;
  if (buffer_.size() - kHeaderSize + 8 > kMaxBodyBytes) {
    fail("adding FINGERPRINT makes the message too long");
    return *this;
  }
  // RFC 8489 §14.7: the CRC covers the header with the length that includes FINGERPRINT itself.
  setLength(8);
  std::vector<uint8_t> value;
  wire::appendU32(value, crc32(buffer_) ^ kFingerprintXor);
  append(attr::kFingerprint, value);
  if (!error_) stage_ = Stage::kAfterFingerprint;
  return *this;
}

core::Result<std::vector<uint8_t>> StunBuilder::finish() {
  if (error_) return *error_;
  if (stage_ == Stage::kIdle) return core::makeError("finish: the STUN message was not started");
  setLength(0);
  stage_ = Stage::kIdle;
  return std::move(buffer_);
}

core::Result<std::vector<uint8_t>> StunBuilder::finish(Integrity integrity, std::string_view key,
                                                       bool fingerprint) {
  if (integrity == Integrity::kSha1) addMessageIntegrity(key);
  if (integrity == Integrity::kSha256) addMessageIntegritySha256(key);
  if (fingerprint) addFingerprint();
  return finish();
}

}  // namespace callgate::webrtc::stun
