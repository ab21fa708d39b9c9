// The asynchronous DNS lookups that RFC 3263 server location needs (NAPTR, SRV, A, AAAA), as an interface:
// ServerLocator is sans-I/O and asks through it; net/dns/CaresResolver answers on c-ares, tests answer from a
// table.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace callgate::sip {

enum class DnsRecordType : uint8_t { kNaptr, kSrv, kA, kAaaa };

// "NAPTR", "SRV", "A", "AAAA".
std::string_view dnsRecordTypeName(DnsRecordType type);

// RFC 3403 §4.1 NAPTR RDATA. RFC 3263 §4.1 uses flags "S" and a replacement naming an SRV owner.
struct NaptrRecord {
  uint16_t order = 0;
  uint16_t preference = 0;
  std::string flags;
  std::string service;  // "SIP+D2U", "SIP+D2T", "SIPS+D2T", ...
  std::string regexp;
  std::string replacement;  // a domain name without the trailing dot, "" for the root

  bool operator==(const NaptrRecord&) const = default;
};

// RFC 2782 SRV RDATA.
struct SrvRecord {
  uint16_t priority = 0;
  uint16_t weight = 0;
  uint16_t port = 0;
  std::string target;  // a domain name without the trailing dot; "" or "." means "no service here"

  bool operator==(const SrvRecord&) const = default;
};

enum class DnsStatus : uint8_t {
  kOk,
  kNotFound,       // NXDOMAIN: the name does not exist (RFC 1035 §4.1.1 RCODE 3)
  kNoData,         // the name exists but has no record of the type asked
  kTimeout,        // no server answered in time
  kServerFailure,  // SERVFAIL, REFUSED, or no server could be reached
  kBadResponse,    // an answer that does not parse
  kError,          // anything else (bad name, out of memory, ...)
};

// "no records", "NXDOMAIN", "timeout", ...: for error messages.
std::string_view dnsStatusName(DnsStatus status);

struct DnsAnswer {
  DnsStatus status = DnsStatus::kOk;
  std::string detail;              // the resolver's own words when status is not kOk, for logs (may be empty)
  std::vector<NaptrRecord> naptr;  // kNaptr answers
  std::vector<SrvRecord> srv;      // kSrv answers
  std::vector<std::string> addresses;  // kA / kAaaa answers: numeric, IPv6 without brackets

  // An answer with status kOk but no record of the type asked is reported as kNoData by resolvers; users
  // still treat an empty kOk answer the same way.
  bool empty() const { return naptr.empty() && srv.empty() && addresses.empty(); }
};

// One asynchronous lookup per query(). Contract for implementations:
// - `callback` runs exactly once per query, on the thread that owns the caller's loop (the thread query() is
//   called from). It may run inside query() itself (a cached or synthesized answer) or later; callers must
//   cope with both and must not hold locks while calling query().
// - Destroying the resolver drops the callbacks of queries still pending without running them; whoever uses
//   a resolver keeps it alive longer than itself or guards its callbacks (ServerLocator does the latter).
// - Names are absolute domain names without the trailing dot; no search list is applied.
class DnsResolver {
 public:
  using Callback = std::function<void(DnsAnswer answer)>;

  virtual ~DnsResolver() = default;
  virtual void query(DnsRecordType type, std::string name, Callback callback) = 0;
};

}  // namespace callgate::sip
