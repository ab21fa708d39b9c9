#include "rtp/rtcp_bye.hpp"

#include <cstring>
#include <string>

#include "rtp/byte_io.hpp"
#include "rtp/rtcp_write.hpp"

namespace callgate::rtp {

Parsed<Bye> Bye::parse(const RtcpPacket& packet) {
  if (packet.type() != rtcp::kBye) return ParseError{"not an RTCP BYE (PT 203)"};
  const auto body = packet.body();
  const size_t sources = packet.count();
  if (body.size() < 4 * sources) return ParseError{"RTCP BYE shorter than its SC sources (RFC 3550 §6.6)"};
  std::string_view reason;
  if (body.size() > 4 * sources) {
    const size_t length = body[4 * sources];
    if (length > body.size() - 4 * sources - 1)
      return ParseError{"RTCP BYE reason runs past the end of the packet (RFC 3550 §6.6)"};
    reason = std::string_view(reinterpret_cast<const char*>(body.data() + 4 * sources + 1), length);
  }
  return Bye(body, sources, reason);
}

uint32_t Bye::source(size_t index) const {
  if (index >= sourceCount_) return 0;
  return wire::load32(body_.data() + 4 * index);
}

core::Result<size_t> writeBye(std::span<uint8_t> out, std::span<const uint32_t> sources,
                              std::string_view reason) {
  if (sources.size() > rtcp::kMaxCount) return rtcp::tooMany("RTCP BYE sources", sources.size());
  if (reason.size() > 255)
    return core::makeError("BYE reason of " + std::to_string(reason.size()) +
                           " octets is longer than 255 (RFC 3550 §6.6)");
  // RFC 3550 §6.6: the reason is padded with nulls to a 32-bit boundary.
  const size_t reasonSize = reason.empty() ? 0 : (1 + reason.size() + 3) & ~size_t{3};
  const size_t size = rtcp::kHeaderSize + 4 * sources.size() + reasonSize;
  if (out.size() < size) return rtcp::doesNotFit("RTCP BYE", size, out.size());
  uint8_t* p = out.data();
  rtcp::writeHeader(p, static_cast<uint8_t>(sources.size()), rtcp::kBye, size);
  for (size_t i = 0; i < sources.size(); ++i) wire::store32(p + 4 + 4 * i, sources[i]);
  if (!reason.empty()) {
    uint8_t* r = p + 4 + 4 * sources.size();
    r[0] = static_cast<uint8_t>(reason.size());
    std::memcpy(r + 1, reason.data(), reason.size());
    std::memset(r + 1 + reason.size(), 0, reasonSize - 1 - reason.size());
  }
  return size;
}

}  // namespace callgate::rtp
