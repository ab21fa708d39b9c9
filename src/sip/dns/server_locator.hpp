// RFC 3263 §4 "Client Usage": from a SIP or SIPS URI to the ordered list of (transport, address, port) to
// try. Sans-I/O: lookups go through an injected DnsResolver, the weighted SRV choice through an injected
// random source, and the result comes back through one callback.
//
//   numeric host (or maddr)     -> no DNS: that address, the URI's port or 5060/5061
//   port given                  -> A/AAAA of the host                       (RFC 3263 §4.2)
//   transport= given            -> SRV _sip._udp / _sip._tcp / _sips._tcp   (RFC 3263 §4.2)
//   neither                     -> NAPTR, then SRV of the chosen records, else SRV of every enabled transport
//                                  (RFC 3263 §4.1)
//   no usable SRV               -> A/AAAA of the host on 5060/5061          (RFC 3263 §4.2)
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sip/dns/dns_resolver.hpp"
#include "sip/dns/srv_order.hpp"
#include "sip/transport/endpoint.hpp"

namespace callgate::sip {

// Which address records are asked for, and which come first in the result.
enum class IpFamilies : uint8_t { kIpv4Only, kIpv6Only, kIpv4First, kIpv6First };

struct ServerLocatorConfig {
  // The transports this UA can send on, most preferred first. Records for other transports are skipped; the
  // order is the order of SRV lookups when a domain has no NAPTR (RFC 3263 §4.1 leaves it to the client).
  std::vector<TransportProtocol> transports = {TransportProtocol::kUdp, TransportProtocol::kTcp,
                                               TransportProtocol::kTls};
  // RFC 3261 §8.1.2: when set (a sip or sips URI), requests are located through this URI, not their target.
  std::string outboundProxy;
  IpFamilies ipFamilies = IpFamilies::kIpv4First;
};

// Checks a config before start-up: at least one transport, no duplicates, and an outbound proxy (when set)
// that is a sip or sips URI. The error names the setting.
core::Result<void> validateServerLocatorConfig(const ServerLocatorConfig& config);

// Size limits, whatever the DNS answers.
inline constexpr size_t kMaxNaptrChoices = 8;
inline constexpr size_t kMaxSrvTargets = 16;
inline constexpr size_t kMaxLocatedEndpoints = 32;

class ServerLocator {
 public:
  // The endpoints to try, in order, never empty; or an error a person can act on ("DNS: no SRV, A or AAAA
  // records for sip.example.com", "transport=sctp is not supported").
  using Callback = std::function<void(core::Result<std::vector<Endpoint>> targets)>;

  // `resolver` is used from the caller's thread only; `random` drives the RFC 2782 weighted choice.
  ServerLocator(DnsResolver& resolver, ServerLocatorConfig config,
                RandomSource random = makeDefaultRandomSource());
  // Locations still running end without calling their callbacks; the resolver is not used any more.
  ~ServerLocator();
  ServerLocator(const ServerLocator&) = delete;
  ServerLocator& operator=(const ServerLocator&) = delete;

  const ServerLocatorConfig& config() const;

  // Locates the servers for `target` (URI text; copied). `callback` runs exactly once, on the resolver's
  // callback thread: inside locate() when no lookup is needed (numeric host, bad URI) or the resolver answers
  // synchronously, else later. The callback may destroy this ServerLocator.
  void locate(std::string_view target, Callback callback);

 private:
  struct Shared;
  class Job;
  std::shared_ptr<Shared> shared_;
};

}  // namespace callgate::sip
