#include "rtp/rtp_packet.hpp"

#include <cstring>
#include <string>

#include "rtp/byte_io.hpp"

namespace callgate::rtp {

namespace {

ExtensionForm formOf(uint16_t profile) {
  if (profile == kOneByteExtensionProfile) return ExtensionForm::kOneByte;
  if ((profile & kTwoByteExtensionProfileMask) == kTwoByteExtensionProfile) return ExtensionForm::kTwoByte;
  return ExtensionForm::kOther;
}

}  // namespace

HeaderExtensionIterator::HeaderExtensionIterator(uint16_t profile, std::span<const uint8_t> block)
    : block_(block), form_(formOf(profile)) {}

std::optional<HeaderExtension> HeaderExtensionIterator::next() {
  if (form_ == ExtensionForm::kOneByte) {
    // RFC 8285 §4.2:
    //    0
    //    0 1 2 3 4 5 6 7
    //   +-+-+-+-+-+-+-+-+
    //   |  ID   |  len  |   then len+1 data bytes
    //   +-+-+-+-+-+-+-+-+
    while (pos_ < block_.size()) {
      const uint8_t b = block_[pos_];
      const uint8_t id = b >> 4;
      // RFC 8285 §4.1: a padding byte (ID 0) is ignored and the parser moves on to the next byte.
      if (id == 0) {
        ++pos_;
        continue;
      }
      // RFC 8285 §4.2: ID 15 is reserved; its length is ignored and processing of the whole extension
      // terminates there (the elements before it still count).
      if (id == 15) {
        pos_ = block_.size();
        return std::nullopt;
      }
      const size_t length = static_cast<size_t>(b & 0x0f) + 1;
      if (length > block_.size() - pos_ - 1) {
        malformed_ = true;
        pos_ = block_.size();
        return std::nullopt;
      }
      HeaderExtension element{id, block_.subspan(pos_ + 1, length)};
      pos_ += 1 + length;
      return element;
    }
    return std::nullopt;
  }
  if (form_ == ExtensionForm::kTwoByte) {
    // RFC 8285 §4.3:
    //    0                   1
    //    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    //   |       ID      |     length    |   then length data bytes (0-255)
    //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    while (pos_ < block_.size()) {
      const uint8_t id = block_[pos_];
      if (id == 0) {  // RFC 8285 §4.1: padding
        ++pos_;
        continue;
      }
      if (block_.size() - pos_ < 2 || block_[pos_ + 1] > block_.size() - pos_ - 2) {
        malformed_ = true;
        pos_ = block_.size();
        return std::nullopt;
      }
      const size_t length = block_[pos_ + 1];
      HeaderExtension element{id, block_.subspan(pos_ + 2, length)};
      pos_ += 2 + length;
      return element;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

Parsed<RtpPacket> RtpPacket::parse(std::span<const uint8_t> packet) {
  const size_t size = packet.size();
  if (size < kFixedHeaderSize) return ParseError{"shorter than the 12-byte RTP fixed header (RFC 3550 §5.1)"};
  const uint8_t* p = packet.data();
  if ((p[0] >> 6) != kVersion) return ParseError{"RTP version is not 2 (RFC 3550 §5.1)"};

  RtpPacket out;
  out.data_ = packet;
  size_t header = kFixedHeaderSize + 4 * static_cast<size_t>(p[0] & 0x0f);
  if (header > size) return ParseError{"the CSRC list (CC) runs past the end of the packet (RFC 3550 §5.1)"};

  if ((p[0] & 0x10) != 0) {
    // RFC 3550 §5.3.1: a 16-bit profile value and a 16-bit length in 32-bit words, not counting these 4
    // bytes (so 0 is a valid length).
    if (size - header < 4)
      return ParseError{"the header extension runs past the end of the packet (RFC 3550 §5.3.1)"};
    const size_t words = wire::load16(p + header + 2);
    if (4 * words > size - header - 4)
      return ParseError{"the header extension length runs past the end of the packet (RFC 3550 §5.3.1)"};
    out.extensionProfile_ = wire::load16(p + header);
    out.extensionOffset_ = header + 4;
    out.extensionSize_ = 4 * words;
    header += 4 + 4 * words;
  }
  out.headerSize_ = header;

  size_t padding = 0;
  if ((p[0] & 0x20) != 0) {
    // RFC 3550 §5.1: the last octet of the padding counts the padding octets, itself included.
    if (size == header) return ParseError{"padding bit set but there is no padding count (RFC 3550 §5.1)"};
    padding = p[size - 1];
    if (padding == 0) return ParseError{"RTP padding count is 0 (RFC 3550 §5.1: it counts itself)"};
    if (padding > size - header)
      return ParseError{"RTP padding count is larger than the payload (RFC 3550 §5.1)"};
  }
  out.paddingSize_ = padding;
  out.payloadSize_ = size - header - padding;
  return out;
}

uint16_t RtpPacket::sequenceNumber() const {
  return wire::load16(data_.data() + 2);
}
uint32_t RtpPacket::timestamp() const {
  return wire::load32(data_.data() + 4);
}
uint32_t RtpPacket::ssrc() const {
  return wire::load32(data_.data() + 8);
}

uint32_t RtpPacket::csrc(size_t index) const {
  if (index >= csrcCount()) return 0;
  return wire::load32(data_.data() + kFixedHeaderSize + 4 * index);
}

ExtensionForm RtpPacket::extensionForm() const {
  return hasExtension() ? formOf(extensionProfile_) : ExtensionForm::kNone;
}

std::optional<std::span<const uint8_t>> RtpPacket::findExtension(uint8_t id) const {
  HeaderExtensionIterator it = extensions();
  while (auto element = it.next()) {
    if (element->id == id) return element->data;
  }
  return std::nullopt;
}

Parsed<MutableRtpPacket> MutableRtpPacket::parse(std::span<uint8_t> packet) {
  auto view = RtpPacket::parse(packet);
  if (!view) return ParseError{view.error()};
  return MutableRtpPacket(packet, *view);
}

void MutableRtpPacket::setMarker(bool marker) {
  data_[1] = static_cast<uint8_t>((data_[1] & 0x7f) | (marker ? 0x80 : 0));
}

void MutableRtpPacket::setPayloadType(uint8_t payloadType) {
  data_[1] = static_cast<uint8_t>((data_[1] & 0x80) | (payloadType & 0x7f));
}

void MutableRtpPacket::setSequenceNumber(uint16_t sequenceNumber) {
  wire::store16(data_.data() + 2, sequenceNumber);
}
void MutableRtpPacket::setTimestamp(uint32_t timestamp) {
  wire::store32(data_.data() + 4, timestamp);
}
void MutableRtpPacket::setSsrc(uint32_t ssrc) {
  wire::store32(data_.data() + 8, ssrc);
}

core::Result<size_t> writeRtpPacket(std::span<uint8_t> out, const RtpHeader& header,
                                    std::span<const uint8_t> payload) {
  if (header.payloadType > 127)
    return core::makeError("RTP payload type " + std::to_string(header.payloadType) +
                           " is above 127 (RFC 3550 §5.1)");
  const size_t size = RtpPacket::kFixedHeaderSize + payload.size();
  if (out.size() < size) {
    return core::makeError("an RTP packet of " + std::to_string(size) + " bytes does not fit in " +
                           std::to_string(out.size()));
  }
  uint8_t* p = out.data();
  p[0] = RtpPacket::kVersion << 6;
  p[1] = static_cast<uint8_t>((header.marker ? 0x80 : 0) | header.payloadType);
  wire::store16(p + 2, header.sequenceNumber);
  wire::store32(p + 4, header.timestamp);
  wire::store32(p + 8, header.ssrc);
  if (!payload.empty()) std::memcpy(p + RtpPacket::kFixedHeaderSize, payload.data(), payload.size());
  return size;
}

}  // namespace callgate::rtp
