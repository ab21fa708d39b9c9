#include "sip/dns/srv_order.hpp"

#include <algorithm>
#include <memory>
#include <random>

namespace callgate::sip {

RandomSource makeDefaultRandomSource() {
  auto engine = std::make_shared<std::mt19937>(std::random_device{}());
  return [engine](uint32_t maxInclusive) {
    return std::uniform_int_distribution<uint32_t>(0, maxInclusive)(*engine);
  };
}

bool isNoServiceTarget(const SrvRecord& record) {
  return record.target.empty() || record.target == ".";
}

std::vector<SrvRecord> orderSrvRecords(std::vector<SrvRecord> records, const RandomSource& random) {
  std::erase_if(records, isNoServiceTarget);
  // RFC 2782: "arrange all SRV RRs (that have not been ordered yet) in any order, except that all those with
  // weight 0 are placed at the beginning of the list". A stable sort keeps the answer's order otherwise.
  std::stable_sort(records.begin(), records.end(), [](const SrvRecord& a, const SrvRecord& b) {
    if (a.priority != b.priority) return a.priority < b.priority;
    return a.weight == 0 && b.weight != 0;
  });

  std::vector<SrvRecord> ordered;
  ordered.reserve(records.size());
  auto groupBegin = records.begin();
  while (groupBegin != records.end()) {
    auto groupEnd = std::find_if(groupBegin, records.end(),
                                 [&](const SrvRecord& r) { return r.priority != groupBegin->priority; });
    std::vector<SrvRecord> group(std::make_move_iterator(groupBegin), std::make_move_iterator(groupEnd));
    while (!group.empty()) {
      // A DNS message of at most 65535 bytes holds fewer than 9363 SRV records of weight <= 65535, so the
      // sum fits in 32 bits.
      uint32_t sum = 0;
      for (const SrvRecord& r : group) sum += r.weight;
      uint32_t pick = random ? random(sum) : 0;
      if (pick > sum) pick = sum;
      uint32_t running = 0;
      size_t chosen = group.size() - 1;
      for (size_t i = 0; i < group.size(); ++i) {
        running += group[i].weight;
        if (running >= pick) {
          chosen = i;
          break;
        }
      }
      ordered.push_back(std::move(group[chosen]));
      group.erase(group.begin() + static_cast<std::ptrdiff_t>(chosen));
    }
    groupBegin = groupEnd;
  }
  return ordered;
}

}  // namespace callgate::sip
