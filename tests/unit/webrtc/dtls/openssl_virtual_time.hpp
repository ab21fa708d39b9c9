// OpenSSL's DTLS retransmission deadline is read from gettimeofday() (OpenSSL 3.0 has no clock hook), so a
// test that moves a ManualClock must move OpenSSL's time too. openssl_virtual_time.cpp defines gettimeofday()
// in the test binary, which the dynamic linker prefers to glibc's for libssl's calls: while a
// VirtualWallClock is alive it answers a fixed base time plus the ManualClock's time, otherwise the real
// time. Link it into every test binary that runs DtlsTransport on a virtual clock.
#pragma once

#include "core/clock.hpp"

namespace callgate::webrtc::dtls::test {

class VirtualWallClock {
 public:
  explicit VirtualWallClock(const core::Clock& clock);
  ~VirtualWallClock();
  VirtualWallClock(const VirtualWallClock&) = delete;
  VirtualWallClock& operator=(const VirtualWallClock&) = delete;

  // What gettimeofday() answers for the clock's epoch.
  static constexpr long long kBaseSeconds = 1'700'000'000;
};

}  // namespace callgate::webrtc::dtls::test
