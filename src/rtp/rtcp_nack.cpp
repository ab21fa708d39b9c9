#include "rtp/rtcp_nack.hpp"

#include <bit>

#include "rtp/byte_io.hpp"
#include "rtp/rtcp_write.hpp"

namespace callgate::rtp {

namespace {
constexpr size_t kFeedbackHeader = 8;  // SSRC of packet sender, SSRC of media source (RFC 4585 §6.1)
constexpr size_t kItemSize = 4;
// The 16-bit length field: (65535 + 1) words.
constexpr size_t kMaxPacketSize = 65536 * 4;
}  // namespace

size_t NackItem::lostCount() const {
  return 1 + static_cast<size_t>(std::popcount(blp));
}

Parsed<Nack> Nack::parse(const RtcpPacket& packet) {
  if (packet.type() != rtcp::kRtpFeedback || packet.count() != rtcp::kFmtNack)
    return ParseError{"not an RTCP generic NACK (PT 205, FMT 1)"};
  const auto body = packet.body();
  if (body.size() < kFeedbackHeader + kItemSize)
    return ParseError{"RTCP NACK without a PID+BLP entry (RFC 4585 §6.2.1: at least one)"};
  return Nack(body, (body.size() - kFeedbackHeader) / kItemSize);
}

uint32_t Nack::senderSsrc() const {
  return wire::load32(body_.data());
}
uint32_t Nack::mediaSsrc() const {
  return wire::load32(body_.data() + 4);
}

NackItem Nack::item(size_t index) const {
  if (index >= itemCount_) return {};
  const uint8_t* p = body_.data() + kFeedbackHeader + kItemSize * index;
  return NackItem{wire::load16(p), wire::load16(p + 2)};
}

core::Result<size_t> buildNackItems(std::span<const uint16_t> lost, std::span<NackItem> out) {
  size_t count = 0;
  for (const uint16_t seq : lost) {
    if (count > 0) {
      NackItem& last = out[count - 1];
      const auto ahead = static_cast<uint16_t>(seq - last.pid);
      if (ahead == 0) continue;  // repeated
      if (ahead <= 16) {
        last.blp = static_cast<uint16_t>(last.blp | (1u << (ahead - 1)));
        continue;
      }
    }
    if (count == out.size())
      return rtcp::doesNotFit("the NACK items", (count + 1) * sizeof(NackItem),
                              out.size() * sizeof(NackItem));
    out[count++] = NackItem{seq, 0};
  }
  return count;
}

core::Result<size_t> writeNack(std::span<uint8_t> out, uint32_t senderSsrc, uint32_t mediaSsrc,
                               std::span<const NackItem> items) {
  if (items.empty()) return core::makeError("a NACK needs at least one PID+BLP entry (RFC 4585 §6.2.1)");
  const size_t size = rtcp::kHeaderSize + kFeedbackHeader + kItemSize * items.size();
  if (size > kMaxPacketSize) return core::makeError("too many NACK entries for one RTCP packet");
  if (out.size() < size) return rtcp::doesNotFit("RTCP NACK", size, out.size());
  uint8_t* p = out.data();
  rtcp::writeHeader(p, rtcp::kFmtNack, rtcp::kRtpFeedback, size);
  wire::store32(p + 4, senderSsrc);
  wire::store32(p + 8, mediaSsrc);
  for (size_t i = 0; i < items.size(); ++i) {
    wire::store16(p + 12 + kItemSize * i, items[i].pid);
    wire::store16(p + 14 + kItemSize * i, items[i].blp);
  }
  return size;
}

}  // namespace callgate::rtp
