// Builds a compound RTCP datagram (RFC 3550 §6.1) in a caller's buffer: packets back to back, each with its
// own length field, padding only on the last one (RFC 3550 §6.4.1).
//
//   std::array<uint8_t, 1200> buffer;
//   RtcpCompoundWriter writer(buffer);
//   writer.senderReport(info, blocks).sdesCname(ssrc, cname);
//   auto size = writer.finish();   // or the first error (a packet did not fit)
//
// RFC 3550 §6.1 wants SR or RR first and an SDES CNAME in every full compound; the caller chooses the
// packets (RFC 5506 reduced-size feedback is a compound of one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/result.hpp"
#include "rtp/rtcp_nack.hpp"
#include "rtp/rtcp_payload_feedback.hpp"
#include "rtp/rtcp_report.hpp"

namespace callgate::rtp {

class RtcpCompoundWriter {
 public:
  explicit RtcpCompoundWriter(std::span<uint8_t> out) : out_(out) {}

  // Each call appends one packet. After a failure the writer keeps the first error, appends nothing more,
  // and finish() returns that error.
  RtcpCompoundWriter& senderReport(const SenderInfo& info, std::span<const ReportBlock> blocks = {});
  RtcpCompoundWriter& receiverReport(uint32_t ssrc, std::span<const ReportBlock> blocks = {});
  RtcpCompoundWriter& sdesCname(uint32_t ssrc, std::string_view cname);
  RtcpCompoundWriter& bye(std::span<const uint32_t> sources, std::string_view reason = {});
  RtcpCompoundWriter& pli(uint32_t senderSsrc, uint32_t mediaSsrc);
  RtcpCompoundWriter& fir(uint32_t senderSsrc, std::span<const FirEntry> entries);
  RtcpCompoundWriter& nack(uint32_t senderSsrc, uint32_t mediaSsrc, std::span<const NackItem> items);

  // The datagram's size. With padTo > 0 (a multiple of 4, at most 252: the padding count is one octet),
  // pads the last packet so that the datagram's size is a multiple of padTo, as an encryption with a block
  // cipher needs (RFC 3550 §6.4.1, §9.1): sets its P bit, adds the padding octets (the last one counting
  // them) and grows its length field.
  core::Result<size_t> finish(size_t padTo = 0);

  size_t size() const { return size_; }

 private:
  template <typename Write>
  RtcpCompoundWriter& append(Write&& write);

  std::span<uint8_t> out_;
  size_t size_ = 0;
  size_t lastOffset_ = 0;
  std::optional<core::Error> error_;
};

}  // namespace callgate::rtp
