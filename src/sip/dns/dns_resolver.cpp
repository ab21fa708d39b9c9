#include "sip/dns/dns_resolver.hpp"

namespace callgate::sip {

std::string_view dnsRecordTypeName(DnsRecordType type) {
  switch (type) {
    case DnsRecordType::kNaptr:
      return "NAPTR";
    case DnsRecordType::kSrv:
      return "SRV";
    case DnsRecordType::kA:
      return "A";
    case DnsRecordType::kAaaa:
      return "AAAA";
  }
  return "?";
}

std::string_view dnsStatusName(DnsStatus status) {
  switch (status) {
    case DnsStatus::kOk:
      return "ok";
    case DnsStatus::kNotFound:
      return "NXDOMAIN";
    case DnsStatus::kNoData:
      return "no records";
    case DnsStatus::kTimeout:
      return "timeout";
    case DnsStatus::kServerFailure:
      return "server failure";
    case DnsStatus::kBadResponse:
      return "bad response";
    case DnsStatus::kError:
      return "resolver error";
  }
  return "resolver error";
}

}  // namespace callgate::sip
