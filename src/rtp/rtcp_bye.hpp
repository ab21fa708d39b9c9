// RTCP goodbye (RFC 3550 §6.6): view and writer.
//
//        0                   1                   2                   3
//        0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       |V=2|P|    SC   |   PT=BYE=203  |             length            |
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       |                           SSRC/CSRC                           |
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       :                              ...                              :
//       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// (opt) |     length    |               reason for leaving            ...
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/result.hpp"
#include "rtp/parsed.hpp"
#include "rtp/rtcp_packet.hpp"

namespace callgate::rtp {

class Bye {
 public:
  static Parsed<Bye> parse(const RtcpPacket& packet);

  size_t sourceCount() const { return sourceCount_; }
  // The index-th SSRC/CSRC leaving; 0 when index >= sourceCount().
  uint32_t source(size_t index) const;
  // The optional reason for leaving (a view; empty when absent).
  std::string_view reason() const { return reason_; }

 private:
  Bye(std::span<const uint8_t> body, size_t count, std::string_view reason)
      : body_(body), sourceCount_(count), reason_(reason) {}
  std::span<const uint8_t> body_;
  size_t sourceCount_ = 0;
  std::string_view reason_;
};

// At most 31 sources and a reason of at most 255 octets.
core::Result<size_t> writeBye(std::span<uint8_t> out, std::span<const uint32_t> sources,
                              std::string_view reason = {});

}  // namespace callgate::rtp
