#include "openssl_virtual_time.hpp"

#include <sys/time.h>
#include <time.h>

#include <atomic>
#include <chrono>

namespace callgate::webrtc::dtls::test {
namespace {

std::atomic<const core::Clock*> gClock{nullptr};

}  // namespace

VirtualWallClock::VirtualWallClock(const core::Clock& clock) {
  gClock.store(&clock);
}

VirtualWallClock::~VirtualWallClock() {
  gClock.store(nullptr);
}

}  // namespace callgate::webrtc::dtls::test

// Replaces glibc's gettimeofday() for this binary (the executable's symbol comes first in the lookup order).
extern "C" int gettimeofday(struct timeval* __restrict tv, void* __restrict /*tz*/) noexcept {
  using callgate::webrtc::dtls::test::VirtualWallClock;
  if (const callgate::core::Clock* clock = callgate::webrtc::dtls::test::gClock.load()) {
    const long long us =
        std::chrono::duration_cast<std::chrono::microseconds>(clock->now().time_since_epoch()).count();
    tv->tv_sec = static_cast<time_t>(VirtualWallClock::kBaseSeconds + us / 1'000'000);
    tv->tv_usec = static_cast<suseconds_t>(us % 1'000'000);
    return 0;
  }
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  tv->tv_sec = now.tv_sec;
  tv->tv_usec = static_cast<suseconds_t>(now.tv_nsec / 1000);
  return 0;
}
