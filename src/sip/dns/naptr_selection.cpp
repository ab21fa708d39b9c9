#include "sip/dns/naptr_selection.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace callgate::sip {

std::optional<TransportProtocol> naptrServiceTransport(std::string_view service) {
  if (core::iequals(service, "SIP+D2U")) return TransportProtocol::kUdp;
  if (core::iequals(service, "SIP+D2T")) return TransportProtocol::kTcp;
  if (core::iequals(service, "SIPS+D2T")) return TransportProtocol::kTls;
  return std::nullopt;
}

std::vector<NaptrChoice> selectNaptrRecords(const std::vector<NaptrRecord>& records, bool sips,
                                            const std::vector<TransportProtocol>& supported) {
  struct Candidate {
    uint16_t order;
    uint16_t preference;
    NaptrChoice choice;
  };
  std::vector<Candidate> candidates;
  for (const NaptrRecord& record : records) {
    if (!core::iequals(record.flags, "s")) continue;
    if (record.replacement.empty() || record.replacement == ".") continue;
    std::optional<TransportProtocol> protocol = naptrServiceTransport(record.service);
    if (!protocol) continue;
    if (sips && *protocol != TransportProtocol::kTls) continue;
    if (std::find(supported.begin(), supported.end(), *protocol) == supported.end()) continue;
    candidates.push_back({record.order, record.preference, {*protocol, record.replacement}});
  }
  if (candidates.empty()) return {};
  uint16_t lowestOrder = candidates.front().order;
  for (const Candidate& c : candidates) lowestOrder = std::min(lowestOrder, c.order);
  std::erase_if(candidates, [&](const Candidate& c) { return c.order != lowestOrder; });
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.preference < b.preference; });

  std::vector<NaptrChoice> choices;
  for (Candidate& c : candidates) {
    if (std::find(choices.begin(), choices.end(), c.choice) == choices.end()) choices.push_back(c.choice);
  }
  return choices;
}

}  // namespace callgate::sip
