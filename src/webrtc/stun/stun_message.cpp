#include "webrtc/stun/stun_message.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "webrtc/stun/wire.hpp"

namespace callgate::webrtc::stun {

namespace {

using core::makeError;

core::Error malformed(uint16_t type, const std::string& what) {
  return makeError(std::string(attributeName(type)) + " " + what, 400);
}

core::Error wrongLength(const StunAttribute& a, std::string_view expected) {
  return malformed(a.type,
                   "value is " + std::to_string(a.value.size()) + " bytes, not " + std::string(expected));
}

// MAPPED-ADDRESS (RFC 8489 §14.1) and XOR-MAPPED-ADDRESS (§14.2, Port and Address XORed: see xorAddress()):
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |0 0 0 0 0 0 0 0|    Family     |           Port                |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                 Address (32 bits or 128 bits)                 |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The first byte "MUST be ignored by receivers"; the family must agree with the length.
core::Result<StunAddress> decodeAddress(const StunAttribute& a) {
  if (a.value.size() < 4) return wrongLength(a, "8 (IPv4) or 20 (IPv6)");
  StunAddress address;
  const uint8_t family = a.value[1];
  if (family == static_cast<uint8_t>(AddressFamily::kIpv4)) {
    if (a.value.size() != 8) return wrongLength(a, "8 for family IPv4");
    address.family = AddressFamily::kIpv4;
  } else if (family == static_cast<uint8_t>(AddressFamily::kIpv6)) {
    if (a.value.size() != 20) return wrongLength(a, "20 for family IPv6");
    address.family = AddressFamily::kIpv6;
  } else {
    return malformed(a.type, "has unknown address family " + std::to_string(family));
  }
  address.port = wire::readU16(a.value, 2);
  std::copy_n(a.value.begin() + 4, address.ipSize(), address.bytes.begin());
  return address;
}

// A typed accessor's common shape: absent is nullopt, present is decoded or fails.
template <typename T, typename Decode>
core::Result<std::optional<T>> decodeOptional(const StunAttribute* a, Decode decode) {
  if (a == nullptr) return std::optional<T>();
  auto decoded = decode(*a);
  if (!decoded) return decoded.error();
  return std::optional<T>(std::move(decoded).value());
}

core::Result<std::string_view> decodeText(const StunAttribute& a, size_t maxBytes) {
  if (a.value.size() > maxBytes) {
    return malformed(a.type, "of " + std::to_string(a.value.size()) + " bytes exceeds the limit of " +
                                 std::to_string(maxBytes));
  }
  return a.text();
}

core::Result<uint64_t> decodeUnsigned(const StunAttribute& a, size_t size) {
  if (a.value.size() != size) return wrongLength(a, std::to_string(size));
  return size == 4 ? uint64_t{wire::readU32(a.value, 0)} : wire::readU64(a.value, 0);
}

}  // namespace

bool isStun(std::span<const uint8_t> packet) {
  // RFC 7983 §7: 0-3 is STUN (16-19 ZRTP, 20-63 DTLS, 64-79 TURN channel, 128-191 RTP/RTCP).
  return packet.size() >= kHeaderSize && packet[0] <= 3 && (packet[3] & 0x03) == 0 &&
         kHeaderSize + wire::readU16(packet, 2) == packet.size() && wire::readU32(packet, 4) == kMagicCookie;
}

// A message is the header (message_type.hpp) and Message Length bytes of attributes (attribute_type.hpp),
// each padded to 4 bytes, so the length is a multiple of 4 (RFC 8489 §5). A datagram carries exactly one.
core::Result<StunMessage> parseStun(std::span<const uint8_t> packet) {
  if (packet.size() < kHeaderSize) {
    return makeError("STUN message of " + std::to_string(packet.size()) +
                     " bytes is shorter than its header");
  }
  if ((packet[0] & 0xC0) != 0)
    return makeError("STUN message does not start with two zero bits (RFC 8489 §5)");
  if (wire::readU32(packet, 4) != kMagicCookie) return makeError("STUN message lacks the magic cookie");
  const size_t length = wire::readU16(packet, 2);
  if (length % 4 != 0) {
    return makeError("STUN message length " + std::to_string(length) +
                     " is not a multiple of 4 (RFC 8489 §5)");
  }
  if (kHeaderSize + length != packet.size()) {
    return makeError("STUN message length " + std::to_string(length) + " does not match the " +
                     std::to_string(packet.size() - kHeaderSize) + " bytes after the header");
  }

  StunMessage m;
  m.bytes_ = packet;
  const uint16_t type = wire::readU16(packet, 0);
  m.class_ = messageClassOf(type);
  m.method_ = methodOf(type);
  std::copy_n(packet.begin() + 8, m.transactionId_.size(), m.transactionId_.begin());

  bool afterIntegrity = false;  // a MESSAGE-INTEGRITY that counts was seen
  bool afterSha256 = false;     // a MESSAGE-INTEGRITY-SHA256 that counts was seen
  bool afterFingerprint = false;
  size_t pos = kHeaderSize;
  // Both pos and the packet size are 20 plus a multiple of 4, so what remains always holds a full attribute
  // header, and a value that fits also fits with its padding.
  while (pos < packet.size()) {
    const uint16_t attrType = wire::readU16(packet, pos);
    const size_t attrLength = wire::readU16(packet, pos + 2);
    if (afterFingerprint) {
      return makeError(std::string(attributeName(attrType)) + " (0x" + wire::hex16(attrType) +
                       ") follows FINGERPRINT, which must be the last attribute (RFC 8489 §14.7)");
    }
    if (m.count_ == kMaxAttributes) {
      return makeError("STUN message has more than " + std::to_string(kMaxAttributes) + " attributes");
    }
    if (attrLength > packet.size() - pos - 4) {
      return makeError(std::string(attributeName(attrType)) + " (0x" + wire::hex16(attrType) + ") of " +
                       std::to_string(attrLength) + " bytes runs past the end of the message");
    }
    StunAttribute& a = m.attributes_[m.count_++];
    a.type = attrType;
    a.offset = pos;
    a.value = packet.subspan(pos + 4, attrLength);
    // RFC 8489 §14.6: only FINGERPRINT follows MESSAGE-INTEGRITY-SHA256; §14.5: only MESSAGE-INTEGRITY-SHA256
    // and FINGERPRINT follow MESSAGE-INTEGRITY. Anything else there is ignored.
    if (afterSha256) {
      a.ignored = attrType != attr::kFingerprint;
    } else if (afterIntegrity) {
      a.ignored = attrType != attr::kFingerprint && attrType != attr::kMessageIntegritySha256;
    }
    if (attrType == attr::kFingerprint) afterFingerprint = true;
    if (!a.ignored && attrType == attr::kMessageIntegrity) afterIntegrity = true;
    if (!a.ignored && attrType == attr::kMessageIntegritySha256) afterSha256 = true;
    pos += 4 + wire::padded(attrLength);
  }
  return m;
}

const StunAttribute* StunMessage::find(uint16_t type) const {
  for (const StunAttribute& a : attributes()) {
    if (a.type == type && !a.ignored) return &a;
  }
  return nullptr;
}

core::Result<std::optional<std::string_view>> StunMessage::username() const {
  return decodeOptional<std::string_view>(
      find(attr::kUsername), [](const StunAttribute& a) { return decodeText(a, kMaxUsernameBytes); });
}

core::Result<std::optional<std::string_view>> StunMessage::software() const {
  return decodeOptional<std::string_view>(
      find(attr::kSoftware), [](const StunAttribute& a) { return decodeText(a, kMaxSoftwareBytes); });
}

core::Result<std::optional<StunAddress>> StunMessage::xorMappedAddress() const {
  return decodeOptional<StunAddress>(find(attr::kXorMappedAddress),
                                     [this](const StunAttribute& a) -> core::Result<StunAddress> {
                                       auto address = decodeAddress(a);
                                       if (!address) return address.error();
                                       return xorAddress(*address, transactionId_);
                                     });
}

core::Result<std::optional<StunAddress>> StunMessage::mappedAddress() const {
  return decodeOptional<StunAddress>(find(attr::kMappedAddress), decodeAddress);
}

// ERROR-CODE (RFC 8489 §14.8): the class is the hundreds digit, 3-6; the number 0-99 the rest.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |           Reserved, should be 0         |Class|     Number    |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |      Reason Phrase (variable)                                ..
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
core::Result<std::optional<StunErrorCode>> StunMessage::errorCode() const {
  return decodeOptional<StunErrorCode>(
      find(attr::kErrorCode), [](const StunAttribute& a) -> core::Result<StunErrorCode> {
        if (a.value.size() < 4) return wrongLength(a, "at least 4");
        if (a.value.size() - 4 > kMaxReasonBytes) {
          return malformed(a.type, "reason phrase exceeds " + std::to_string(kMaxReasonBytes) + " bytes");
        }
        const int cls = a.value[2] & 0x07;
        const int number = a.value[3];
        if (cls < 3 || cls > 6 || number > 99) {
          return malformed(a.type, "class " + std::to_string(cls) + " number " + std::to_string(number) +
                                       " is not a code from 300 to 699");
        }
        return StunErrorCode{cls * 100 + number, a.text().substr(4)};
      });
}

core::Result<std::optional<uint32_t>> StunMessage::priority() const {
  return decodeOptional<uint32_t>(find(attr::kPriority),
                                  [](const StunAttribute& a) -> core::Result<uint32_t> {
                                    auto v = decodeUnsigned(a, 4);
                                    if (!v) return v.error();
                                    return static_cast<uint32_t>(*v);
                                  });
}

core::Result<bool> StunMessage::useCandidate() const {
  const StunAttribute* a = find(attr::kUseCandidate);
  if (a == nullptr) return false;
  if (!a->value.empty()) return wrongLength(*a, "0");
  return true;
}

core::Result<std::optional<uint64_t>> StunMessage::iceControlling() const {
  return decodeOptional<uint64_t>(find(attr::kIceControlling),
                                  [](const StunAttribute& a) { return decodeUnsigned(a, 8); });
}

core::Result<std::optional<uint64_t>> StunMessage::iceControlled() const {
  return decodeOptional<uint64_t>(find(attr::kIceControlled),
                                  [](const StunAttribute& a) { return decodeUnsigned(a, 8); });
}

// UNKNOWN-ATTRIBUTES (RFC 8489 §14.13): a list of 16-bit types, padded like any other attribute (RFC 3489's
// habit of repeating the last type to fill 32 bits still parses: it only repeats an entry).
core::Result<std::optional<std::vector<uint16_t>>> StunMessage::unknownAttributes() const {
  return decodeOptional<std::vector<uint16_t>>(
      find(attr::kUnknownAttributes), [](const StunAttribute& a) -> core::Result<std::vector<uint16_t>> {
        if (a.value.size() % 2 != 0) return wrongLength(a, "a multiple of 2");
        if (a.value.size() / 2 > kMaxUnknownAttributes) {
          return malformed(a.type, "lists more than " + std::to_string(kMaxUnknownAttributes) + " types");
        }
        std::vector<uint16_t> types;
        types.reserve(a.value.size() / 2);
        for (size_t i = 0; i < a.value.size(); i += 2) types.push_back(wire::readU16(a.value, i));
        return types;
      });
}

std::vector<uint16_t> StunMessage::unknownComprehensionRequired() const {
  std::vector<uint16_t> unknown;
  for (const StunAttribute& a : attributes()) {
    if (a.ignored || !isComprehensionRequired(a.type) || isKnownAttribute(a.type)) continue;
    if (std::find(unknown.begin(), unknown.end(), a.type) == unknown.end()) unknown.push_back(a.type);
  }
  return unknown;
}

}  // namespace callgate::webrtc::stun
