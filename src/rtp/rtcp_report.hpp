// RTCP sender and receiver reports (RFC 3550 §6.4.1, §6.4.2): views and writers.
//
//        0                   1                   2                   3
//        0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// header |V=2|P|    RC   |   PT=SR=200   |             length            |
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       |                         SSRC of sender                        |
//       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// sender |              NTP timestamp, most significant word             |
// info   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       |             NTP timestamp, least significant word             |
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       |                         RTP timestamp                         |
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       |                     sender's packet count                     |
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       |                      sender's octet count                     |
//       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
// report |                 SSRC_1 (SSRC of first source)                 |
// block  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   1    | fraction lost |       cumulative number of packets lost       |
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       |           extended highest sequence number received           |
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       |                      interarrival jitter                      |
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       |                         last SR (LSR)                         |
//       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//       |                   delay since last SR (DLSR)                  |
//       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//       :               (RC blocks, then profile-specific extensions)   :
//
// An RR (PT=201) is the same without the sender info.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/result.hpp"
#include "rtp/ntp_time.hpp"
#include "rtp/parsed.hpp"
#include "rtp/rtcp_packet.hpp"

namespace callgate::rtp {

// One reception report block (RFC 3550 §6.4.1), decoded.
struct ReportBlock {
  static constexpr size_t kSize = 24;

  uint32_t ssrc = 0;           // the source this block reports on
  uint8_t fractionLost = 0;    // since the previous report, in 1/256
  int32_t cumulativeLost = 0;  // 24-bit signed on the wire: -8388608 .. 8388607
  uint32_t extendedHighestSequence = 0;
  uint32_t jitter = 0;                      // timestamp units
  uint32_t lastSenderReport = 0;            // LSR: compact NTP of the last SR received, 0 if none
  uint32_t delaySinceLastSenderReport = 0;  // DLSR: 1/65536 s

  static ReportBlock read(const uint8_t* p);
  // cumulativeLost is clamped to the 24-bit range (RFC 3550 §A.3).
  void write(uint8_t* p) const;

  bool operator==(const ReportBlock&) const = default;
};

struct SenderInfo {
  uint32_t ssrc = 0;
  NtpTime ntp;
  uint32_t rtpTimestamp = 0;  // the same instant as ntp, in the stream's media clock
  uint32_t packetCount = 0;
  uint32_t octetCount = 0;  // payload octets only (RFC 3550 §6.4.1)

  bool operator==(const SenderInfo&) const = default;
};

class SenderReport {
 public:
  static Parsed<SenderReport> parse(const RtcpPacket& packet);

  SenderInfo senderInfo() const;
  uint32_t ssrc() const;
  size_t reportCount() const { return reportCount_; }
  // The index-th report block; index < reportCount().
  ReportBlock reportBlock(size_t index) const;
  std::span<const uint8_t> profileExtension() const;

 private:
  SenderReport(std::span<const uint8_t> body, size_t count) : body_(body), reportCount_(count) {}
  std::span<const uint8_t> body_;
  size_t reportCount_ = 0;
};

class ReceiverReport {
 public:
  static Parsed<ReceiverReport> parse(const RtcpPacket& packet);

  uint32_t ssrc() const;
  size_t reportCount() const { return reportCount_; }
  ReportBlock reportBlock(size_t index) const;
  std::span<const uint8_t> profileExtension() const;

 private:
  ReceiverReport(std::span<const uint8_t> body, size_t count) : body_(body), reportCount_(count) {}
  std::span<const uint8_t> body_;
  size_t reportCount_ = 0;
};

// The writers put one packet at the start of `out` and return its size, or an error when it does not fit
// or there are more than 31 blocks.
core::Result<size_t> writeSenderReport(std::span<uint8_t> out, const SenderInfo& info,
                                       std::span<const ReportBlock> blocks = {});
core::Result<size_t> writeReceiverReport(std::span<uint8_t> out, uint32_t ssrc,
                                         std::span<const ReportBlock> blocks = {});

}  // namespace callgate::rtp
