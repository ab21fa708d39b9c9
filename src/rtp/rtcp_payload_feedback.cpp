#include "rtp/rtcp_payload_feedback.hpp"

#include "rtp/byte_io.hpp"
#include "rtp/rtcp_write.hpp"

namespace callgate::rtp {

namespace {
constexpr size_t kFeedbackHeader = 8;
constexpr size_t kFirEntrySize = 8;
constexpr size_t kRembFixed = 8;  // 'REMB', Num SSRC, BR Exp, BR Mantissa
constexpr size_t kMaxPacketSize = 65536 * 4;

bool isPsfb(const RtcpPacket& packet, uint8_t fmt) {
  return packet.type() == rtcp::kPayloadFeedback && packet.count() == fmt;
}
}  // namespace

Parsed<Pli> Pli::parse(const RtcpPacket& packet) {
  if (!isPsfb(packet, rtcp::kFmtPli)) return ParseError{"not an RTCP PLI (PT 206, FMT 1)"};
  const auto body = packet.body();
  if (body.size() < kFeedbackHeader)
    return ParseError{"RTCP PLI shorter than the feedback header (RFC 4585 §6.1)"};
  return Pli(wire::load32(body.data()), wire::load32(body.data() + 4));
}

Parsed<Fir> Fir::parse(const RtcpPacket& packet) {
  if (!isPsfb(packet, rtcp::kFmtFir)) return ParseError{"not an RTCP FIR (PT 206, FMT 4)"};
  const auto body = packet.body();
  if (body.size() < kFeedbackHeader + kFirEntrySize)
    return ParseError{"RTCP FIR without an entry (RFC 5104 §4.3.1.2: one or more)"};
  return Fir(body, (body.size() - kFeedbackHeader) / kFirEntrySize);
}

uint32_t Fir::senderSsrc() const {
  return wire::load32(body_.data());
}

FirEntry Fir::entry(size_t index) const {
  if (index >= entryCount_) return {};
  const uint8_t* p = body_.data() + kFeedbackHeader + kFirEntrySize * index;
  return FirEntry{wire::load32(p), p[4]};
}

Parsed<Remb> Remb::parse(const RtcpPacket& packet) {
  if (!isPsfb(packet, rtcp::kFmtAfb))
    return ParseError{"not an RTCP application layer feedback (PT 206, FMT 15)"};
  const auto body = packet.body();
  if (body.size() < kFeedbackHeader + kRembFixed) return ParseError{"RTCP AFB too short for REMB"};
  const uint8_t* p = body.data() + kFeedbackHeader;
  if (p[0] != 'R' || p[1] != 'E' || p[2] != 'M' || p[3] != 'B')
    return ParseError{"RTCP AFB is not REMB (no 'REMB' identifier)"};
  const size_t ssrcs = p[4];
  if (body.size() < kFeedbackHeader + kRembFixed + 4 * ssrcs)
    return ParseError{"RTCP REMB shorter than its Num SSRC feedback entries"};
  const unsigned exponent = p[5] >> 2;
  const uint64_t mantissa = wire::load24(p + 5) & 0x3ffff;
  // An 18-bit mantissa shifted by up to 63 may not fit 64 bits: refuse rather than wrap.
  const uint64_t bitrate = mantissa << exponent;
  if ((bitrate >> exponent) != mantissa) return ParseError{"RTCP REMB bitrate does not fit 64 bits"};
  return Remb(body, bitrate, ssrcs);
}

uint32_t Remb::senderSsrc() const {
  return wire::load32(body_.data());
}

uint32_t Remb::ssrc(size_t index) const {
  if (index >= ssrcCount_) return 0;
  return wire::load32(body_.data() + kFeedbackHeader + kRembFixed + 4 * index);
}

core::Result<size_t> writePli(std::span<uint8_t> out, uint32_t senderSsrc, uint32_t mediaSsrc) {
  constexpr size_t size = rtcp::kHeaderSize + kFeedbackHeader;
  if (out.size() < size) return rtcp::doesNotFit("RTCP PLI", size, out.size());
  uint8_t* p = out.data();
  rtcp::writeHeader(p, rtcp::kFmtPli, rtcp::kPayloadFeedback, size);
  wire::store32(p + 4, senderSsrc);
  wire::store32(p + 8, mediaSsrc);
  return size;
}

core::Result<size_t> writeFir(std::span<uint8_t> out, uint32_t senderSsrc,
                              std::span<const FirEntry> entries) {
  if (entries.empty()) return core::makeError("a FIR needs at least one entry (RFC 5104 §4.3.1.2)");
  const size_t size = rtcp::kHeaderSize + kFeedbackHeader + kFirEntrySize * entries.size();
  if (size > kMaxPacketSize) return core::makeError("too many FIR entries for one RTCP packet");
  if (out.size() < size) return rtcp::doesNotFit("RTCP FIR", size, out.size());
  uint8_t* p = out.data();
  rtcp::writeHeader(p, rtcp::kFmtFir, rtcp::kPayloadFeedback, size);
  wire::store32(p + 4, senderSsrc);
  wire::store32(p + 8, 0);  // RFC 5104 §4.3.1.2: SSRC of media source not used, set to 0
  for (size_t i = 0; i < entries.size(); ++i) {
    uint8_t* e = p + 12 + kFirEntrySize * i;
    wire::store32(e, entries[i].ssrc);
    e[4] = entries[i].sequenceNumber;
    wire::store24(e + 5, 0);  // reserved: 0 on sending (RFC 5104 §4.3.1.1)
  }
  return size;
}

}  // namespace callgate::rtp
