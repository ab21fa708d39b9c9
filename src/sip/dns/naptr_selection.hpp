// RFC 3263 §4.1: which NAPTR records of a domain a SIP client follows, and to which SRV names.
//
//   example.com. IN NAPTR 50 50 "s" "SIPS+D2T" "" _sips._tcp.example.com.
//   example.com. IN NAPTR 90 50 "s" "SIP+D2T"  "" _sip._tcp.example.com.
//   example.com. IN NAPTR 100 50 "s" "SIP+D2U" "" _sip._udp.example.com.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/dns/dns_resolver.hpp"
#include "sip/transport/endpoint.hpp"

namespace callgate::sip {

// The transport a NAPTR service field names (RFC 3263 §4.1, case-insensitive): "SIP+D2U" UDP, "SIP+D2T" TCP,
// "SIPS+D2T" TLS. nullopt for anything else (SCTP's "SIP+D2S", ENUM's "E2U+sip", ...).
std::optional<TransportProtocol> naptrServiceTransport(std::string_view service);

struct NaptrChoice {
  TransportProtocol protocol = TransportProtocol::kUdp;
  std::string srvName;  // the replacement: the owner name of the SRV records to ask for

  bool operator==(const NaptrChoice&) const = default;
};

// The records to follow, most preferred first. Kept: flags "S" (RFC 3263 §4.1: SIP NAPTRs lead to SRV) with a
// non-empty replacement, a service we know, a transport in `supported`, and for a SIPS target only "SIPS"
// services (RFC 3263 §4.1: "a client resolving a SIPS URI MUST discard any services that do not contain
// SIPS"). Of those, only the lowest order is kept (RFC 3403 §4.1: once a record of some order matches, higher
// orders are not considered), sorted by preference; duplicates are dropped.
std::vector<NaptrChoice> selectNaptrRecords(const std::vector<NaptrRecord>& records, bool sips,
                                            const std::vector<TransportProtocol>& supported);

}  // namespace callgate::sip
