#include "rtp/rtcp_report.hpp"

#include <algorithm>

#include "rtp/byte_io.hpp"
#include "rtp/rtcp_write.hpp"

namespace callgate::rtp {

namespace {

constexpr size_t kSsrcSize = 4;
constexpr size_t kSenderInfoSize = 20;
constexpr int32_t kMaxLost = 0x7fffff;
constexpr int32_t kMinLost = -0x800000;

}  // namespace

ReportBlock ReportBlock::read(const uint8_t* p) {
  ReportBlock b;
  b.ssrc = wire::load32(p);
  b.fractionLost = p[4];
  // 24-bit two's complement: sign-extend.
  const uint32_t lost = wire::load24(p + 5);
  b.cumulativeLost =
      (lost & 0x800000) != 0 ? static_cast<int32_t>(lost) - 0x1000000 : static_cast<int32_t>(lost);
  b.extendedHighestSequence = wire::load32(p + 8);
  b.jitter = wire::load32(p + 12);
  b.lastSenderReport = wire::load32(p + 16);
  b.delaySinceLastSenderReport = wire::load32(p + 20);
  return b;
}

void ReportBlock::write(uint8_t* p) const {
  wire::store32(p, ssrc);
  p[4] = fractionLost;
  const int32_t lost = std::clamp(cumulativeLost, kMinLost, kMaxLost);
  wire::store24(p + 5, static_cast<uint32_t>(lost) & 0xffffff);
  wire::store32(p + 8, extendedHighestSequence);
  wire::store32(p + 12, jitter);
  wire::store32(p + 16, lastSenderReport);
  wire::store32(p + 20, delaySinceLastSenderReport);
}

Parsed<SenderReport> SenderReport::parse(const RtcpPacket& packet) {
  if (packet.type() != rtcp::kSenderReport) return ParseError{"not an RTCP SR (PT 200)"};
  const auto body = packet.body();
  if (body.size() < kSsrcSize + kSenderInfoSize + ReportBlock::kSize * packet.count())
    return ParseError{"RTCP SR shorter than its sender info and RC report blocks (RFC 3550 §6.4.1)"};
  return SenderReport(body, packet.count());
}

SenderInfo SenderReport::senderInfo() const {
  const uint8_t* p = body_.data();
  SenderInfo info;
  info.ssrc = wire::load32(p);
  info.ntp = NtpTime{wire::load32(p + 4), wire::load32(p + 8)};
  info.rtpTimestamp = wire::load32(p + 12);
  info.packetCount = wire::load32(p + 16);
  info.octetCount = wire::load32(p + 20);
  return info;
}

uint32_t SenderReport::ssrc() const {
  return wire::load32(body_.data());
}

ReportBlock SenderReport::reportBlock(size_t index) const {
  if (index >= reportCount_) return {};
  return ReportBlock::read(body_.data() + kSsrcSize + kSenderInfoSize + ReportBlock::kSize * index);
}

std::span<const uint8_t> SenderReport::profileExtension() const {
  return body_.subspan(kSsrcSize + kSenderInfoSize + ReportBlock::kSize * reportCount_);
}

Parsed<ReceiverReport> ReceiverReport::parse(const RtcpPacket& packet) {
  if (packet.type() != rtcp::kReceiverReport) return ParseError{"not an RTCP RR (PT 201)"};
  const auto body = packet.body();
  if (body.size() < kSsrcSize + ReportBlock::kSize * packet.count())
    return ParseError{"RTCP RR shorter than its SSRC and RC report blocks (RFC 3550 §6.4.2)"};
  return ReceiverReport(body, packet.count());
}

uint32_t ReceiverReport::ssrc() const {
  return wire::load32(body_.data());
}

ReportBlock ReceiverReport::reportBlock(size_t index) const {
  if (index >= reportCount_) return {};
  return ReportBlock::read(body_.data() + kSsrcSize + ReportBlock::kSize * index);
}

std::span<const uint8_t> ReceiverReport::profileExtension() const {
  return body_.subspan(kSsrcSize + ReportBlock::kSize * reportCount_);
}

core::Result<size_t> writeSenderReport(std::span<uint8_t> out, const SenderInfo& info,
                                       std::span<const ReportBlock> blocks) {
  if (blocks.size() > rtcp::kMaxCount) return rtcp::tooMany("RTCP SR report blocks", blocks.size());
  const size_t size = rtcp::kHeaderSize + kSsrcSize + kSenderInfoSize + ReportBlock::kSize * blocks.size();
  if (out.size() < size) return rtcp::doesNotFit("RTCP SR", size, out.size());
  uint8_t* p = out.data();
  rtcp::writeHeader(p, static_cast<uint8_t>(blocks.size()), rtcp::kSenderReport, size);
  wire::store32(p + 4, info.ssrc);
  wire::store32(p + 8, info.ntp.seconds);
  wire::store32(p + 12, info.ntp.fraction);
  wire::store32(p + 16, info.rtpTimestamp);
  wire::store32(p + 20, info.packetCount);
  wire::store32(p + 24, info.octetCount);
  for (size_t i = 0; i < blocks.size(); ++i) blocks[i].write(p + 28 + ReportBlock::kSize * i);
  return size;
}

core::Result<size_t> writeReceiverReport(std::span<uint8_t> out, uint32_t ssrc,
                                         std::span<const ReportBlock> blocks) {
  if (blocks.size() > rtcp::kMaxCount) return rtcp::tooMany("RTCP RR report blocks", blocks.size());
  const size_t size = rtcp::kHeaderSize + kSsrcSize + ReportBlock::kSize * blocks.size();
  if (out.size() < size) return rtcp::doesNotFit("RTCP RR", size, out.size());
  uint8_t* p = out.data();
  rtcp::writeHeader(p, static_cast<uint8_t>(blocks.size()), rtcp::kReceiverReport, size);
  wire::store32(p + 4, ssrc);
  for (size_t i = 0; i < blocks.size(); ++i) blocks[i].write(p + 8 + ReportBlock::kSize * i);
  return size;
}

}  // namespace callgate::rtp
