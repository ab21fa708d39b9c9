// RTCP generic NACK (RFC 4585 §6.2.1): view, writer, and the PID+BLP packing both ways.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|  FMT=1  |   PT=RTPFB=205|          length               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                  SSRC of packet sender                        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                  SSRC of media source                         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |            PID                |             BLP               |  FCI: one or more
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// PID is a lost packet's sequence number; bit i of BLP (least significant first) says PID+i+1 is lost too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/result.hpp"
#include "rtp/parsed.hpp"
#include "rtp/rtcp_packet.hpp"

namespace callgate::rtp {

struct NackItem {
  uint16_t pid = 0;
  uint16_t blp = 0;

  // Calls f(sequenceNumber) for PID and every packet BLP marks, in increasing order (mod 2^16).
  template <typename F>
  void forEachLost(F&& f) const {
    f(pid);
    for (unsigned i = 0; i < 16; ++i) {
      if ((blp >> i) & 1u) f(static_cast<uint16_t>(pid + i + 1));
    }
  }
  size_t lostCount() const;

  bool operator==(const NackItem&) const = default;
};

class Nack {
 public:
  static Parsed<Nack> parse(const RtcpPacket& packet);

  uint32_t senderSsrc() const;
  uint32_t mediaSsrc() const;
  size_t itemCount() const { return itemCount_; }
  // The index-th FCI entry; index < itemCount().
  NackItem item(size_t index) const;

  template <typename F>
  void forEachLost(F&& f) const {
    for (size_t i = 0; i < itemCount_; ++i) item(i).forEachLost(f);
  }

 private:
  Nack(std::span<const uint8_t> body, size_t items) : body_(body), itemCount_(items) {}
  std::span<const uint8_t> body_;
  size_t itemCount_ = 0;
};

// Packs lost sequence numbers into as few PID+BLP items as a single pass allows: each number within 16
// after the current item's PID becomes a BLP bit, any other starts a new item. Ascending input (in RTP
// order, across the wrap) gives the minimal list; any order still covers every number. Returns the count
// of items written to `out`, or an error when `out` is too small.
core::Result<size_t> buildNackItems(std::span<const uint16_t> lost, std::span<NackItem> out);

core::Result<size_t> writeNack(std::span<uint8_t> out, uint32_t senderSsrc, uint32_t mediaSsrc,
                               std::span<const NackItem> items);

}  // namespace callgate::rtp
