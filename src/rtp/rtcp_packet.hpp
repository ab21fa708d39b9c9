// RTCP packets (RFC 3550 §6.4) and the compound datagram that carries several of them (RFC 3550 §6.1).
//
// Every RTCP packet starts with the same 4 bytes:
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|  count  |      PT       |             length            |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// count is RC (SR, RR), SC (SDES, BYE), the subtype (APP) or FMT (RFC 4585 feedback); length is the size of
// the packet in 32-bit words minus one, header and padding included (RFC 3550 §6.4.1). A compound datagram
// is those packets back to back, with padding allowed only on the last one. RFC 5506 reduced-size RTCP (a
// lone PLI or NACK, as WebRTC sends them) is a compound of one, so the iterator does not insist that SR or
// RR come first (RFC 3550 §A.2 does for full compounds).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtp/parsed.hpp"

namespace callgate::rtp {

namespace rtcp {
inline constexpr uint8_t kSenderReport = 200;       // RFC 3550 §6.4.1
inline constexpr uint8_t kReceiverReport = 201;     // RFC 3550 §6.4.2
inline constexpr uint8_t kSourceDescription = 202;  // RFC 3550 §6.5
inline constexpr uint8_t kBye = 203;                // RFC 3550 §6.6
inline constexpr uint8_t kApp = 204;                // RFC 3550 §6.7
inline constexpr uint8_t kRtpFeedback = 205;        // RFC 4585 §6.2 (RTPFB)
inline constexpr uint8_t kPayloadFeedback = 206;    // RFC 4585 §6.3 (PSFB)
inline constexpr uint8_t kExtendedReport = 207;     // RFC 3611 (XR)

inline constexpr uint8_t kFmtNack = 1;  // RTPFB generic NACK, RFC 4585 §6.2.1
inline constexpr uint8_t kFmtPli = 1;   // PSFB picture loss indication, RFC 4585 §6.3.1
inline constexpr uint8_t kFmtFir = 4;   // PSFB full intra request, RFC 5104 §4.3.1
inline constexpr uint8_t kFmtAfb = 15;  // PSFB application layer feedback, RFC 4585 §6.4 (REMB)

inline constexpr size_t kHeaderSize = 4;
// The count field is 5 bits wide: at most 31 report blocks, chunks, sources per packet.
inline constexpr size_t kMaxCount = 31;
}  // namespace rtcp

// One RTCP packet of a compound datagram: a view of its bytes, checked against the common header only.
// The typed views (SenderReport, Nack, ...) check their own layout.
class RtcpPacket {
 public:
  uint8_t count() const { return data_[0] & 0x1f; }  // RC, SC, subtype or FMT
  uint8_t type() const { return data_[1]; }
  bool hasPadding() const { return (data_[0] & 0x20) != 0; }
  // The whole packet as the length field gives it, header and padding included.
  std::span<const uint8_t> bytes() const { return data_; }
  size_t size() const { return data_.size(); }
  // The bytes after the 4-byte common header, without the padding.
  std::span<const uint8_t> body() const { return data_.subspan(rtcp::kHeaderSize, bodySize_); }

 private:
  friend class RtcpIterator;
  RtcpPacket(std::span<const uint8_t> data, size_t bodySize) : data_(data), bodySize_(bodySize) {}

  std::span<const uint8_t> data_;
  size_t bodySize_ = 0;
};

// Walks the packets of a compound datagram:
//
//   RtcpIterator it(datagram);
//   while (auto packet = it.next()) { ... }
//   if (!it.error().empty()) { count the drop, it.error() says why }
//
// Stops at the first packet whose header is wrong (version, a length beyond the datagram, padding on a
// packet that is not the last, a bad padding count); the packets before it were already handed out.
class RtcpIterator {
 public:
  explicit RtcpIterator(std::span<const uint8_t> datagram) : data_(datagram) {}
  template <TemporaryBuffer T>
  explicit RtcpIterator(T&& temporary) = delete;

  std::optional<RtcpPacket> next();
  // Why the walk stopped early: empty when the datagram was consumed exactly.
  std::string_view error() const { return error_; }

 private:
  std::optional<RtcpPacket> fail(std::string_view reason);

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  std::string_view error_;
  bool started_ = false;
};

// Checks every packet header of a compound datagram; the number of packets in it, or why it is refused.
Parsed<size_t> checkCompound(std::span<const uint8_t> datagram);

}  // namespace callgate::rtp
