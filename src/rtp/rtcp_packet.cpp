#include "rtp/rtcp_packet.hpp"

#include "rtp/byte_io.hpp"

namespace callgate::rtp {

std::optional<RtcpPacket> RtcpIterator::fail(std::string_view reason) {
  error_ = reason;
  pos_ = data_.size();
  return std::nullopt;
}

std::optional<RtcpPacket> RtcpIterator::next() {
  if (!started_) {
    started_ = true;
    if (data_.empty()) return fail("empty RTCP datagram (RFC 3550 §6.1: at least one packet)");
  }
  if (pos_ >= data_.size()) return std::nullopt;
  const size_t remaining = data_.size() - pos_;
  if (remaining < rtcp::kHeaderSize) return fail("truncated RTCP header (RFC 3550 §6.4.1)");
  const uint8_t* p = data_.data() + pos_;
  if ((p[0] >> 6) != 2) return fail("RTCP version is not 2 (RFC 3550 §6.4.1)");
  // RFC 3550 §6.4.1: "the length of this RTCP packet in 32-bit words minus one".
  const size_t size = (static_cast<size_t>(wire::load16(p + 2)) + 1) * 4;
  if (size > remaining) return fail("RTCP length runs past the end of the datagram (RFC 3550 §6.4.1)");
  size_t padding = 0;
  if ((p[0] & 0x20) != 0) {
    // RFC 3550 §6.4.1: padding only on the last packet of a compound, its last octet counting the padding
    // octets (itself included).
    if (size != remaining)
      return fail("RTCP padding on a packet that is not the last of the compound (RFC 3550 §6.4.1)");
    padding = p[size - 1];
    if (padding == 0) return fail("RTCP padding count is 0 (RFC 3550 §6.4.1: it counts itself)");
    if (padding > size - rtcp::kHeaderSize)
      return fail("RTCP padding count is larger than the packet (RFC 3550 §6.4.1)");
  }
  RtcpPacket packet(data_.subspan(pos_, size), size - rtcp::kHeaderSize - padding);
  pos_ += size;
  return packet;
}

Parsed<size_t> checkCompound(std::span<const uint8_t> datagram) {
  RtcpIterator it(datagram);
  size_t count = 0;
  while (it.next()) ++count;
  if (!it.error().empty()) return ParseError{it.error()};
  return count;
}

}  // namespace callgate::rtp
