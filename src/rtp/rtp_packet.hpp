// RTP data packets (RFC 3550 §5.1), their header extensions (RFC 3550 §5.3.1, RFC 8285), in-place rewriting
// for the relay path and a header writer.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                           timestamp                           |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |           synchronization source (SSRC) identifier            |
//   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//   |            contributing source (CSRC) identifiers             |
//   |                     (CC of them, 0 to 15)                     |
//   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//   |      defined by profile       |  length (32-bit words, X=1)   |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                  header extension (length words)              |
//   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//   |                            payload                            |
//   |                               +-------------------------------+
//   |                               | padding (P=1)     | count     |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// A parsed packet is a view into the receive buffer: copy what must outlive it (STYLE.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/result.hpp"
#include "rtp/parsed.hpp"

namespace callgate::rtp {

// RFC 8285 §4.2: the "defined by profile" value of the one-byte element form.
inline constexpr uint16_t kOneByteExtensionProfile = 0xBEDE;
// RFC 8285 §4.3: 0x100 in the top 12 bits, 4 "appbits" below, for the two-byte element form.
inline constexpr uint16_t kTwoByteExtensionProfile = 0x1000;
inline constexpr uint16_t kTwoByteExtensionProfileMask = 0xFFF0;

enum class ExtensionForm : uint8_t { kNone, kOneByte, kTwoByte, kOther };

// One RFC 8285 header extension element: its local identifier and its data (a view).
struct HeaderExtension {
  uint8_t id = 0;
  std::span<const uint8_t> data;
};

// Walks the elements of an RFC 8285 extension block. Padding bytes are skipped; an element that runs past
// the block ends the walk and sets malformed(). A block in another profile's format has no elements (its
// bytes stay available as RtpPacket::extensionData()).
class HeaderExtensionIterator {
 public:
  HeaderExtensionIterator(uint16_t profile, std::span<const uint8_t> block);

  std::optional<HeaderExtension> next();
  // The element format the profile value names (kOther for anything but RFC 8285's two).
  ExtensionForm form() const { return form_; }
  bool malformed() const { return malformed_; }

 private:
  std::span<const uint8_t> block_;
  size_t pos_ = 0;
  ExtensionForm form_ = ExtensionForm::kNone;
  bool malformed_ = false;
};

class RtpPacket {
 public:
  static constexpr size_t kFixedHeaderSize = 12;
  static constexpr uint8_t kVersion = 2;

  // Checks everything the header says against the bytes there are (version, CSRC count, extension length,
  // padding count) and refuses the packet rather than read past `packet`. RFC 8285 elements are checked
  // lazily by HeaderExtensionIterator.
  static Parsed<RtpPacket> parse(std::span<const uint8_t> packet);
  template <TemporaryBuffer T>
  static Parsed<RtpPacket> parse(T&& temporary) = delete;

  std::span<const uint8_t> bytes() const { return data_; }
  size_t size() const { return data_.size(); }

  bool hasPadding() const { return (data_[0] & 0x20) != 0; }
  bool hasExtension() const { return (data_[0] & 0x10) != 0; }
  uint8_t csrcCount() const { return data_[0] & 0x0f; }
  bool marker() const { return (data_[1] & 0x80) != 0; }
  uint8_t payloadType() const { return data_[1] & 0x7f; }
  uint16_t sequenceNumber() const;
  uint32_t timestamp() const;
  uint32_t ssrc() const;
  // The index-th CSRC; 0 when index >= csrcCount().
  uint32_t csrc(size_t index) const;

  // Fixed header, CSRC list and header extension: where the payload starts.
  size_t headerSize() const { return headerSize_; }
  std::span<const uint8_t> payload() const { return data_.subspan(headerSize_, payloadSize_); }
  // Padding octets at the end, the count octet included (0 without the P bit).
  size_t paddingSize() const { return paddingSize_; }

  // RFC 3550 §5.3.1 header extension: the 16-bit profile value and the extension's data words (empty when X
  // is 0).
  uint16_t extensionProfile() const { return extensionProfile_; }
  std::span<const uint8_t> extensionData() const { return data_.subspan(extensionOffset_, extensionSize_); }
  ExtensionForm extensionForm() const;
  HeaderExtensionIterator extensions() const { return {extensionProfile_, extensionData()}; }
  // The first RFC 8285 element with this id, if the packet has one.
  std::optional<std::span<const uint8_t>> findExtension(uint8_t id) const;

 private:
  std::span<const uint8_t> data_;
  size_t headerSize_ = 0;
  size_t payloadSize_ = 0;
  size_t paddingSize_ = 0;
  size_t extensionOffset_ = 0;
  size_t extensionSize_ = 0;
  uint16_t extensionProfile_ = 0;

  RtpPacket() = default;  // only parse() makes one: the accessors rely on its checks
};

// An RTP packet in a buffer the caller owns, rewritten in place on the relay path (new SSRC, sequence
// number, timestamp, payload type, marker: RFC 3550 §5.1 fields at fixed offsets, so nothing moves and
// nothing is allocated). view() reads the current bytes, so it shows the rewritten values.
class MutableRtpPacket {
 public:
  static Parsed<MutableRtpPacket> parse(std::span<uint8_t> packet);

  const RtpPacket& view() const { return view_; }
  std::span<uint8_t> bytes() const { return data_; }

  void setMarker(bool marker);
  // Only the low 7 bits are used: the payload type field is 7 bits wide.
  void setPayloadType(uint8_t payloadType);
  void setSequenceNumber(uint16_t sequenceNumber);
  void setTimestamp(uint32_t timestamp);
  void setSsrc(uint32_t ssrc);

 private:
  MutableRtpPacket(std::span<uint8_t> data, RtpPacket view) : data_(data), view_(view) {}

  std::span<uint8_t> data_;
  RtpPacket view_;
};

// The fixed header fields of a packet the gateway sends (no CSRC, no extension, no padding).
struct RtpHeader {
  bool marker = false;
  uint8_t payloadType = 0;  // 0-127
  uint16_t sequenceNumber = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
};

// Writes the 12-byte header and the payload into `out`; returns the packet's size, or an error when `out`
// is too small or the payload type is above 127.
core::Result<size_t> writeRtpPacket(std::span<uint8_t> out, const RtpHeader& header,
                                    std::span<const uint8_t> payload);

}  // namespace callgate::rtp
