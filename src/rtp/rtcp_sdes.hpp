// RTCP source description (RFC 3550 §6.5): view and the CNAME writer.
//
//         0                   1                   2                   3
//         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// header |V=2|P|    SC   |  PT=SDES=202  |             length            |
//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// chunk  |                          SSRC/CSRC_1                          |
//   1    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        |    type (1-8)   |   length    | text (length octets) ...      |
//        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//        |  ... more items, then one or more null octets up to the next  |
//        |  32-bit boundary (the first null is the end-of-list item)     |
//        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// chunk  |                          SSRC/CSRC_2                          |
//   2    :                              ...                              :
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/result.hpp"
#include "rtp/parsed.hpp"
#include "rtp/rtcp_packet.hpp"

namespace callgate::rtp {

namespace sdes {
inline constexpr uint8_t kEnd = 0;
inline constexpr uint8_t kCname = 1;  // RFC 3550 §6.5.1
inline constexpr uint8_t kName = 2;
inline constexpr uint8_t kEmail = 3;
inline constexpr uint8_t kPhone = 4;
inline constexpr uint8_t kLoc = 5;
inline constexpr uint8_t kTool = 6;
inline constexpr uint8_t kNote = 7;
inline constexpr uint8_t kPriv = 8;
}  // namespace sdes

struct SdesItem {
  uint32_t ssrc = 0;  // of the chunk the item is in
  uint8_t type = 0;
  std::string_view text;  // a view into the packet; UTF-8 per RFC 3550 §6.5, not checked
};

// Walks the items of every chunk, in order. On a well-formed packet (SourceDescription::parse checked it)
// it never fails; error() says why it stopped otherwise.
class SdesItemIterator {
 public:
  SdesItemIterator(std::span<const uint8_t> body, size_t chunkCount) : body_(body), chunksLeft_(chunkCount) {}

  std::optional<SdesItem> next();
  std::string_view error() const { return error_; }

 private:
  std::optional<SdesItem> fail(std::string_view reason);

  std::span<const uint8_t> body_;
  size_t pos_ = 0;
  size_t chunksLeft_;
  uint32_t ssrc_ = 0;
  bool inChunk_ = false;
  std::string_view error_;
};

class SourceDescription {
 public:
  // Walks every chunk and item: SC chunks, each terminated and padded as RFC 3550 §6.5 says, every item
  // inside the packet.
  static Parsed<SourceDescription> parse(const RtcpPacket& packet);

  size_t chunkCount() const { return chunkCount_; }
  SdesItemIterator items() const { return {body_, chunkCount_}; }
  // The CNAME of `ssrc`, if a chunk of this packet carries one.
  std::optional<std::string_view> cname(uint32_t ssrc) const;

 private:
  SourceDescription(std::span<const uint8_t> body, size_t count) : body_(body), chunkCount_(count) {}
  std::span<const uint8_t> body_;
  size_t chunkCount_ = 0;
};

// One SDES packet with one chunk holding the CNAME item (RFC 3550 §6.5.1: the one item every compound
// must carry). The CNAME is at most 255 octets.
core::Result<size_t> writeSdesCname(std::span<uint8_t> out, uint32_t ssrc, std::string_view cname);

}  // namespace callgate::rtp
