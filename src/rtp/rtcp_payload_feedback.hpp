// RTCP payload-specific feedback (PT=206, RFC 4585 §6.3): picture loss indication (RFC 4585 §6.3.1), full
// intra request (RFC 5104 §4.3.1) and receiver estimated maximum bitrate (REMB, an application layer
// feedback message: draft-alvestrand-rmcat-remb §2.2, as Chrome sends it). Views and writers.
//
// The common feedback header (RFC 4585 §6.1):
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|   FMT   |   PT=PSFB=206 |          length               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                  SSRC of packet sender                        |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                  SSRC of media source                         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   :            Feedback Control Information (FCI)                 :
//
// PLI (FMT=1) has no FCI. FIR (FMT=4) has one or more 8-byte entries and "SSRC of media source" 0:
//
//   |                              SSRC                             |
//   | Seq nr.       |    Reserved (0)                               |
//
// REMB (FMT=15) has media source 0 and the FCI:
//
//   |  Unique identifier 'R' 'E' 'M' 'B'                            |
//   |  Num SSRC     | BR Exp    |  BR Mantissa                      |
//   |   SSRC feedback (Num SSRC of them)                            |
//
// with the bitrate BR Mantissa * 2^BR Exp bits per second.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/result.hpp"
#include "rtp/parsed.hpp"
#include "rtp/rtcp_packet.hpp"

namespace callgate::rtp {

class Pli {
 public:
  static Parsed<Pli> parse(const RtcpPacket& packet);
  uint32_t senderSsrc() const { return senderSsrc_; }
  uint32_t mediaSsrc() const { return mediaSsrc_; }

 private:
  Pli(uint32_t sender, uint32_t media) : senderSsrc_(sender), mediaSsrc_(media) {}
  uint32_t senderSsrc_;
  uint32_t mediaSsrc_;
};

struct FirEntry {
  uint32_t ssrc = 0;           // the media sender asked for a decoder refresh point
  uint8_t sequenceNumber = 0;  // RFC 5104 §4.3.1.1: +1 per new request (mod 256), same on repetitions

  bool operator==(const FirEntry&) const = default;
};

class Fir {
 public:
  static Parsed<Fir> parse(const RtcpPacket& packet);
  uint32_t senderSsrc() const;
  size_t entryCount() const { return entryCount_; }
  FirEntry entry(size_t index) const;

 private:
  Fir(std::span<const uint8_t> body, size_t entries) : body_(body), entryCount_(entries) {}
  std::span<const uint8_t> body_;
  size_t entryCount_ = 0;
};

class Remb {
 public:
  static Parsed<Remb> parse(const RtcpPacket& packet);
  uint32_t senderSsrc() const;
  uint64_t bitrate() const { return bitrate_; }  // bits per second
  size_t ssrcCount() const { return ssrcCount_; }
  uint32_t ssrc(size_t index) const;

 private:
  Remb(std::span<const uint8_t> body, uint64_t bitrate, size_t ssrcs)
      : body_(body), bitrate_(bitrate), ssrcCount_(ssrcs) {}
  std::span<const uint8_t> body_;
  uint64_t bitrate_ = 0;
  size_t ssrcCount_ = 0;
};

core::Result<size_t> writePli(std::span<uint8_t> out, uint32_t senderSsrc, uint32_t mediaSsrc);
core::Result<size_t> writeFir(std::span<uint8_t> out, uint32_t senderSsrc, std::span<const FirEntry> entries);

}  // namespace callgate::rtp
