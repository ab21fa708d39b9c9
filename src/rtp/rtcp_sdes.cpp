#include "rtp/rtcp_sdes.hpp"

#include <cstring>
#include <string>

#include "rtp/byte_io.hpp"
#include "rtp/rtcp_write.hpp"

namespace callgate::rtp {

std::optional<SdesItem> SdesItemIterator::fail(std::string_view reason) {
  error_ = reason;
  chunksLeft_ = 0;
  inChunk_ = false;
  return std::nullopt;
}

std::optional<SdesItem> SdesItemIterator::next() {
  const size_t size = body_.size();
  while (true) {
    if (!inChunk_) {
      if (chunksLeft_ == 0) return std::nullopt;
      if (size - pos_ < 4) return fail("RTCP SDES has fewer chunks than SC says (RFC 3550 §6.5)");
      ssrc_ = wire::load32(body_.data() + pos_);
      pos_ += 4;
      inChunk_ = true;
    }
    if (pos_ >= size) return fail("RTCP SDES chunk without its null terminator (RFC 3550 §6.5)");
    const uint8_t type = body_[pos_];
    if (type == sdes::kEnd) {
      // RFC 3550 §6.5: the end-of-list null octet, then more nulls up to the next 32-bit boundary (chunks
      // start on one; the body starts 4 bytes into a 32-bit aligned packet).
      pos_ = (pos_ + 4) & ~size_t{3};
      if (pos_ > size) return fail("RTCP SDES chunk padding runs past the end of the packet (RFC 3550 §6.5)");
      inChunk_ = false;
      --chunksLeft_;
      continue;
    }
    if (size - pos_ < 2) return fail("RTCP SDES item truncated (RFC 3550 §6.5)");
    const size_t length = body_[pos_ + 1];
    if (length > size - pos_ - 2)
      return fail("RTCP SDES item length runs past the end of the packet (RFC 3550 §6.5)");
    SdesItem item{ssrc_, type,
                  std::string_view(reinterpret_cast<const char*>(body_.data() + pos_ + 2), length)};
    pos_ += 2 + length;
    return item;
  }
}

Parsed<SourceDescription> SourceDescription::parse(const RtcpPacket& packet) {
  if (packet.type() != rtcp::kSourceDescription) return ParseError{"not an RTCP SDES (PT 202)"};
  SdesItemIterator it(packet.body(), packet.count());
  while (it.next()) {
  }
  if (!it.error().empty()) return ParseError{it.error()};
  return SourceDescription(packet.body(), packet.count());
}

std::optional<std::string_view> SourceDescription::cname(uint32_t ssrc) const {
  SdesItemIterator it = items();
  while (auto item = it.next()) {
    if (item->ssrc == ssrc && item->type == sdes::kCname) return item->text;
  }
  return std::nullopt;
}

core::Result<size_t> writeSdesCname(std::span<uint8_t> out, uint32_t ssrc, std::string_view cname) {
  if (cname.size() > 255)
    return core::makeError("CNAME of " + std::to_string(cname.size()) +
                           " octets is longer than 255 (RFC 3550 §6.5)");
  // SSRC, type, length, text, then at least one null octet, up to a 32-bit boundary.
  const size_t chunk = (4 + 2 + cname.size() + 1 + 3) & ~size_t{3};
  const size_t size = rtcp::kHeaderSize + chunk;
  if (out.size() < size) return rtcp::doesNotFit("RTCP SDES CNAME", size, out.size());
  uint8_t* p = out.data();
  rtcp::writeHeader(p, 1, rtcp::kSourceDescription, size);
  wire::store32(p + 4, ssrc);
  p[8] = sdes::kCname;
  p[9] = static_cast<uint8_t>(cname.size());
  if (!cname.empty()) std::memcpy(p + 10, cname.data(), cname.size());
  std::memset(p + 10 + cname.size(), 0, size - 10 - cname.size());
  return size;
}

}  // namespace callgate::rtp
