// RFC 2782 "Usage rules": the order in which the targets of one SRV RRset are contacted.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "sip/dns/dns_resolver.hpp"

namespace callgate::sip {

// A uniform random integer in [0, maxInclusive]. Injected so tests can fix the weighted choice.
using RandomSource = std::function<uint32_t(uint32_t maxInclusive)>;

// A std::mt19937 seeded from std::random_device. Not thread-safe: one per loop.
RandomSource makeDefaultRandomSource();

// True for the target "." (or the empty root name): RFC 2782 "the service is decidedly not available at this
// domain".
bool isNoServiceTarget(const SrvRecord& record);

// Orders records for contact (RFC 2782 "Usage rules"): lowest priority first; within one priority, records of
// weight 0 are placed first, then each next record is chosen with probability proportional to its weight by
// drawing a number in [0, sum of remaining weights] and taking the first record whose running sum reaches it.
// "No service" targets are dropped. A random source answering out of range is clamped.
std::vector<SrvRecord> orderSrvRecords(std::vector<SrvRecord> records, const RandomSource& random);

}  // namespace callgate::sip
