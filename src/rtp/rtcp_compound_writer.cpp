#include "rtp/rtcp_compound_writer.hpp"

#include <cstring>
#include <string>

#include "rtp/byte_io.hpp"
#include "rtp/rtcp_bye.hpp"
#include "rtp/rtcp_sdes.hpp"
#include "rtp/rtcp_write.hpp"

namespace callgate::rtp {

template <typename Write>
RtcpCompoundWriter& RtcpCompoundWriter::append(Write&& write) {
  if (error_) return *this;
  core::Result<size_t> written = write(out_.subspan(size_));
  if (!written) {
    error_ = written.error();
    return *this;
  }
  lastOffset_ = size_;
  size_ += *written;
  return *this;
}

RtcpCompoundWriter& RtcpCompoundWriter::senderReport(const SenderInfo& info,
                                                     std::span<const ReportBlock> blocks) {
  return append([&](std::span<uint8_t> out) { return writeSenderReport(out, info, blocks); });
}

RtcpCompoundWriter& RtcpCompoundWriter::receiverReport(uint32_t ssrc, std::span<const ReportBlock> blocks) {
  return append([&](std::span<uint8_t> out) { return writeReceiverReport(out, ssrc, blocks); });
}

RtcpCompoundWriter& RtcpCompoundWriter::sdesCname(uint32_t ssrc, std::string_view cname) {
  return append([&](std::span<uint8_t> out) { return writeSdesCname(out, ssrc, cname); });
}

RtcpCompoundWriter& RtcpCompoundWriter::bye(std::span<const uint32_t> sources, std::string_view reason) {
  return append([&](std::span<uint8_t> out) { return writeBye(out, sources, reason); });
}

RtcpCompoundWriter& RtcpCompoundWriter::pli(uint32_t senderSsrc, uint32_t mediaSsrc) {
  return append([&](std::span<uint8_t> out) { return writePli(out, senderSsrc, mediaSsrc); });
}

RtcpCompoundWriter& RtcpCompoundWriter::fir(uint32_t senderSsrc, std::span<const FirEntry> entries) {
  return append([&](std::span<uint8_t> out) { return writeFir(out, senderSsrc, entries); });
}

RtcpCompoundWriter& RtcpCompoundWriter::nack(uint32_t senderSsrc, uint32_t mediaSsrc,
                                             std::span<const NackItem> items) {
  return append([&](std::span<uint8_t> out) { return writeNack(out, senderSsrc, mediaSsrc, items); });
}

core::Result<size_t> RtcpCompoundWriter::finish(size_t padTo) {
  if (error_) return *error_;
  if (size_ == 0) return core::makeError("an RTCP compound needs at least one packet (RFC 3550 §6.1)");
  if (padTo == 0) return size_;
  if (padTo % 4 != 0 || padTo > 252)
    return core::makeError("RTCP padding to " + std::to_string(padTo) +
                           " bytes: not a multiple of 4 up to 252");
  const size_t padding = (padTo - size_ % padTo) % padTo;
  if (padding == 0) return size_;
  if (out_.size() - size_ < padding)
    return rtcp::doesNotFit("the padded RTCP compound", size_ + padding, out_.size());
  uint8_t* last = out_.data() + lastOffset_;
  const size_t lastSize = size_ - lastOffset_ + padding;
  if (lastSize > 65536 * 4) return core::makeError("the last RTCP packet is too long to pad (16-bit length)");
  std::memset(out_.data() + size_, 0, padding - 1);
  out_[size_ + padding - 1] = static_cast<uint8_t>(padding);
  last[0] = static_cast<uint8_t>(last[0] | 0x20);
  wire::store16(last + 2, static_cast<uint16_t>(lastSize / 4 - 1));
  size_ += padding;
  return size_;
}

}  // namespace callgate::rtp
