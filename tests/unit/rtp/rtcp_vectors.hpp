// RTCP packets from real endpoints and published test suites, shared by the RTCP tests.
#pragma once

#include <cstdint>
#include <vector>

#include "rtp_test_util.hpp"

namespace callgate::rtp::test {

// A compound RTCP datagram from a packet dump (RR, SDES CNAME, BYE, PLI, RTPFB FMT 5 "RRR", APP), published
// as realPacket() in pion/rtcp's packet_test.go (MIT). The CNAME "{9c00eb92-...}" is Firefox's style.
inline std::vector<uint8_t> pionRealCompound() {
  return bytes({
      // RR: v=2, p=0, count=1, len=7
      0x81,
      0xc9,
      0x00,
      0x07,
      0x90,
      0x2f,
      0x9e,
      0x2e,  // SSRC of sender 0x902f9e2e
      0xbc,
      0x5e,
      0x9a,
      0x40,  // SSRC_1 0xbc5e9a40
      0x00,
      0x00,
      0x00,
      0x00,  // fraction lost 0, cumulative 0
      0x00,
      0x00,
      0x46,
      0xe1,  // extended highest 0x46e1
      0x00,
      0x00,
      0x01,
      0x11,  // jitter 273
      0x09,
      0xf3,
      0x64,
      0x32,  // LSR 0x09f36432
      0x00,
      0x02,
      0x4a,
      0x79,  // DLSR 150137
      // SDES: count=1, len=12
      0x81,
      0xca,
      0x00,
      0x0c,
      0x90,
      0x2f,
      0x9e,
      0x2e,  //
      0x01,
      0x26,  // CNAME, 38 octets
      0x7b,
      0x39,
      0x63,
      0x30,
      0x30,
      0x65,
      0x62,
      0x39,
      0x32,
      0x2d,
      0x31,
      0x61,
      0x66,
      0x62,
      0x2d,
      0x39,
      0x64,
      0x34,
      0x39,
      0x2d,
      0x61,
      0x34,
      0x37,
      0x64,
      0x2d,
      0x39,
      0x31,
      0x66,
      0x36,
      0x34,
      0x65,
      0x65,
      0x65,
      0x36,
      0x39,
      0x66,
      0x35,
      0x7d,  //
      0x00,
      0x00,
      0x00,
      0x00,  // end of list + padding to the 32-bit boundary
      // BYE: count=1, len=1
      0x81,
      0xcb,
      0x00,
      0x01,
      0x90,
      0x2f,
      0x9e,
      0x2e,
      // PLI: PSFB FMT 1, len=2
      0x81,
      0xce,
      0x00,
      0x02,
      0x90,
      0x2f,
      0x9e,
      0x2e,
      0x90,
      0x2f,
      0x9e,
      0x2e,
      // RTPFB FMT 5 (rapid resynchronisation request, RFC 6051), len=2
      0x85,
      0xcd,
      0x00,
      0x02,
      0x90,
      0x2f,
      0x9e,
      0x2e,
      0x90,
      0x2f,
      0x9e,
      0x2e,
      // APP: subtype 0, len=3, SSRC 0x4baae1ab, name "NAME", data "ABCD"
      0x80,
      0xcc,
      0x00,
      0x03,
      0x4b,
      0xaa,
      0xe1,
      0xab,
      0x4e,
      0x41,
      0x4d,
      0x45,
      0x41,
      0x42,
      0x43,
      0x44,
  });
}

// An SR + SDES CNAME compound shaped as Chromium sends it on an audio send stream (SR with RC 0 first, then
// one SDES chunk with the 16-character random CNAME libwebrtc generates, padded with two nulls). Assembled
// by hand from two published Chrome packets, mediasoup's worker/test/src/RTC/RTCP tests (ISC): the SR of
// TestSenderReport.cpp as is, and the CNAME item of TestSdes.cpp ("t7mkYnCm46OcINy/") put in a chunk for
// the SR's SSRC (in the capture it was another stream's), so the compound is one endpoint's.
inline std::vector<uint8_t> chromeSrSdesCompound() {
  return bytes({
      // SR: v=2, p=0, RC=0, PT=200, length 6 (28 bytes)
      0x80, 0xc8, 0x00, 0x06, 0x5d, 0x93, 0x15, 0x34,  // SSRC 0x5d931534
      0xdd, 0x3a, 0xc1, 0xb4,                          // NTP seconds 3711615412
      0x76, 0x54, 0x71, 0x71,                          // NTP fraction 1985245553
      0x00, 0x08, 0xcf, 0x00,                          // RTP timestamp 577280
      0x00, 0x00, 0x0e, 0x18,                          // packet count 3608
      0x00, 0x08, 0xcf, 0x00,                          // octet count 577280
      // SDES: v=2, p=0, SC=1, PT=202, length 6 (28 bytes)
      0x81, 0xca, 0x00, 0x06, 0x5d, 0x93, 0x15, 0x34,  //
      0x01, 0x10,                                      // CNAME, 16 octets: "t7mkYnCm46OcINy/"
      0x74, 0x37, 0x6d, 0x6b, 0x59, 0x6e, 0x43, 0x6d, 0x34, 0x36, 0x4f, 0x63, 0x49, 0x4e, 0x79, 0x2f,  //
      0x00, 0x00,  // end of list, padding to the 32-bit boundary
  });
}

// REMB sent by Chrome while receiving a 6 Mb/s stream, from pion/rtcp's
// receiver_estimated_maximum_bitrate_test.go: exponent 6, mantissa 139487, 8927168 b/s, one SSRC.
inline std::vector<uint8_t> chromeRemb() {
  return bytes({143, 206, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, 82, 69, 77, 66, 1, 26, 32, 223, 72, 116, 237, 22});
}

}  // namespace callgate::rtp::test
