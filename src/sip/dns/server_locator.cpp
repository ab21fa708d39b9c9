#include "sip/dns/server_locator.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "core/text.hpp"
#include "sip/dns/naptr_selection.hpp"
#include "sip/message/uri.hpp"

namespace callgate::sip {

namespace {

// RFC 3263 §4.2: "the default port for that transport": 5060, and 5061 for TLS.
uint16_t defaultPort(TransportProtocol protocol) {
  return protocol == TransportProtocol::kTls ? 5061 : 5060;
}

// The SRV owner name of RFC 3263 §4.1: "_sips._tcp" for TLS, "_sip._tcp", "_sip._udp".
std::string srvName(TransportProtocol protocol, std::string_view domain) {
  switch (protocol) {
    case TransportProtocol::kUdp:
      return "_sip._udp." + std::string(domain);
    case TransportProtocol::kTcp:
      return "_sip._tcp." + std::string(domain);
    case TransportProtocol::kTls:
      return "_sips._tcp." + std::string(domain);
  }
  return std::string(domain);
}

// Names from DNS answers may carry the root's trailing dot; lookups and messages use them without.
std::string withoutTrailingDot(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return std::string(name);
}

// What a host string is (a domain, an IPv4 or an IPv6 address, with or without brackets), by the URI grammar
// (RFC 3261 §25.1 host); kNone when it is not a host at all.
HostType classifyHost(std::string_view host) {
  if (host.empty()) return HostType::kNone;
  std::string text = "sip:";
  const bool bareIpv6 = host.front() != '[' && host.find(':') != std::string_view::npos;
  if (bareIpv6) text += '[';
  text += host;
  if (bareIpv6) text += ']';
  core::Result<Uri> uri = parseUri(std::string_view(text));
  if (!uri || uri->hasPort || !uri->params.empty() || !uri->headers.empty() || uri->hasUser) {
    return HostType::kNone;
  }
  return uri->hostType;
}

std::string withoutBrackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return std::string(host);
}

bool supports(const ServerLocatorConfig& config, TransportProtocol protocol) {
  return std::find(config.transports.begin(), config.transports.end(), protocol) != config.transports.end();
}

std::string transportWord(TransportProtocol protocol) {
  std::string word(transportName(protocol));
  for (char& c : word) c = core::toLowerAscii(c);
  return word;
}

bool asksIpv4(IpFamilies families) {
  return families != IpFamilies::kIpv6Only;
}
bool asksIpv6(IpFamilies families) {
  return families != IpFamilies::kIpv4Only;
}

// "A", "A or AAAA", "SRV, A or AAAA", "NAPTR, SRV, A or AAAA".
std::string joinTypes(const std::vector<DnsRecordType>& types) {
  std::string out;
  for (size_t i = 0; i < types.size(); ++i) {
    if (i > 0) out += (i + 1 == types.size()) ? " or " : ", ";
    out += dnsRecordTypeName(types[i]);
  }
  return out;
}

}  // namespace

core::Result<void> validateServerLocatorConfig(const ServerLocatorConfig& config) {
  if (config.transports.empty())
    return core::makeError("SIP transports: at least one transport must be enabled");
  for (size_t i = 0; i < config.transports.size(); ++i) {
    for (size_t j = i + 1; j < config.transports.size(); ++j) {
      if (config.transports[i] == config.transports[j]) {
        return core::makeError("SIP transports: " + transportWord(config.transports[i]) + " is listed twice");
      }
    }
  }
  if (!config.outboundProxy.empty()) {
    core::Result<Uri> uri = parseUri(std::string_view(config.outboundProxy));
    if (!uri) return core::makeError("outbound proxy '" + config.outboundProxy + "': " + uri.error().message);
    if (!uri->isSip()) {
      return core::makeError("outbound proxy '" + config.outboundProxy + "': must be a sip or sips URI");
    }
  }
  return {};
}

struct ServerLocator::Shared {
  Shared(DnsResolver& r, ServerLocatorConfig c, RandomSource rs)
      : resolver(r), config(std::move(c)), random(std::move(rs)) {}

  DnsResolver& resolver;
  ServerLocatorConfig config;
  RandomSource random;
  bool closed = false;  // set by ~ServerLocator: jobs stop, and touch neither resolver nor callback
};

// One location: a chain of stages (NAPTR, SRV, addresses), each asking its queries in parallel and moving on
// when the last one is answered. Kept alive by the resolver callbacks it is waiting for.
class ServerLocator::Job : public std::enable_shared_from_this<ServerLocator::Job> {
 public:
  Job(std::shared_ptr<Shared> shared, Callback callback)
      : shared_(std::move(shared)), callback_(std::move(callback)) {}

  void start(std::string_view targetText);

 private:
  // A host to contact: a domain to look up, or already numeric.
  struct HostTarget {
    TransportProtocol protocol = TransportProtocol::kUdp;
    std::string host;
    uint16_t port = 0;
  };
  struct SrvQuery {
    TransportProtocol protocol = TransportProtocol::kUdp;
    std::string name;
  };
  struct Addresses {
    std::vector<std::string> ipv4;
    std::vector<std::string> ipv6;
  };

  const ServerLocatorConfig& config() const { return shared_->config; }

  // Stage machinery. A guard count of one keeps a stage open while its queries are issued, so a resolver
  // that answers inside query() cannot finish the stage before the last query is asked.
  void beginStage(std::function<void()> onDone);
  void endStageIssue() { completeOne(); }
  void ask(DnsRecordType type, const std::string& name, std::function<void(DnsAnswer&)> onAnswer);
  void completeOne();

  void queryNaptr();
  void querySrv();
  void onSrvDone();
  void resolveAddresses();
  void assemble();

  void noteAsked(DnsRecordType type);
  void noteFailure(DnsRecordType type, const std::string& name, const DnsAnswer& answer);
  std::string failureCause() const;
  void fail(std::string message);
  void finish(core::Result<std::vector<Endpoint>> result);

  std::shared_ptr<Shared> shared_;
  Callback callback_;
  bool done_ = false;
  size_t pending_ = 0;
  std::function<void()> onStageDone_;

  std::string target_;  // RFC 3263 §4 TARGET: maddr or host, a domain name here
  bool sips_ = false;
  std::optional<TransportProtocol> transport_;  // from transport= (RFC 3263 §4.1)
  TransportProtocol fallbackTransport_ = TransportProtocol::kUdp;

  std::vector<SrvQuery> srvQueries_;
  std::vector<std::vector<SrvRecord>> srvAnswers_;
  bool srvTargetsFound_ = false;
  std::vector<HostTarget> hostTargets_;
  std::map<std::string, Addresses> addresses_;

  std::vector<DnsRecordType> asked_;
  std::string firstHardFailure_;  // timeout, server failure, ...: "A sip1.example.com: timeout"
  std::string firstNotFound_;     // NXDOMAIN
};

void ServerLocator::Job::start(std::string_view targetText) {
  const bool viaProxy = !config().outboundProxy.empty();
  // RFC 3261 §8.1.2: with an outbound proxy, the proxy's URI is what gets located.
  const std::string uriText(viaProxy ? std::string_view(config().outboundProxy) : targetText);
  const std::string what = viaProxy ? "outbound proxy '" + uriText + "'" : "'" + uriText + "'";
  core::Result<Uri> parsed = parseUri(std::string_view(uriText));
  if (!parsed) return fail("cannot locate " + what + ": " + parsed.error().message);
  const Uri& uri = *parsed;
  if (!uri.isSip()) return fail("cannot locate " + what + ": only sip and sips URIs can be located");
  sips_ = uri.scheme == UriScheme::kSips;

  // RFC 3263 §4.1: "If the URI specifies a transport protocol in the transport parameter, that transport
  // protocol SHOULD be used." For SIPS, TCP means TLS (RFC 3261 §26.2.2), and UDP is not allowed.
  if (std::optional<std::string_view> param = uri.param("transport")) {
    if (core::iequals(*param, "udp")) {
      if (sips_)
        return fail("cannot locate " + what + ": a sips URI cannot use transport=udp (RFC 3261 §26.2.2)");
      transport_ = TransportProtocol::kUdp;
    } else if (core::iequals(*param, "tcp")) {
      transport_ = sips_ ? TransportProtocol::kTls : TransportProtocol::kTcp;
    } else if (core::iequals(*param, "tls")) {
      transport_ = TransportProtocol::kTls;
    } else {
      return fail("cannot locate " + what + ": transport=" + std::string(*param) + " is not supported");
    }
    if (!supports(config(), *transport_)) {
      return fail("cannot locate " + what + ": transport " + transportWord(*transport_) + " is not enabled");
    }
  }
  if (sips_ && !supports(config(), TransportProtocol::kTls)) {
    return fail("cannot locate " + what + ": a sips URI needs TLS, which is not enabled");
  }

  // RFC 3263 §4.1: with no transport parameter, UDP for SIP and TLS for SIPS; a UA without UDP uses TCP.
  if (transport_) {
    fallbackTransport_ = *transport_;
  } else if (sips_) {
    fallbackTransport_ = TransportProtocol::kTls;
  } else if (supports(config(), TransportProtocol::kUdp)) {
    fallbackTransport_ = TransportProtocol::kUdp;
  } else if (supports(config(), TransportProtocol::kTcp)) {
    fallbackTransport_ = TransportProtocol::kTcp;
  } else {
    return fail("cannot locate " + what + ": a sip URI needs udp or tcp, and neither is enabled");
  }

  // RFC 3263 §4: "If the URI contains an maddr parameter, TARGET is the maddr value, otherwise host."
  std::string_view target = uri.host;
  HostType targetType = uri.hostType;
  if (std::optional<std::string_view> maddr = uri.param("maddr")) {
    target = *maddr;
    targetType = classifyHost(target);
    if (targetType == HostType::kNone) {
      return fail("cannot locate " + what + ": maddr=" + std::string(target) + " is not a host");
    }
  }

  // RFC 3263 §4.2: a numeric TARGET is used as it is, on the URI's port or the transport's default.
  if (targetType == HostType::kIPv4 || targetType == HostType::kIPv6) {
    const uint16_t port = uri.hasPort ? uri.port : defaultPort(fallbackTransport_);
    return finish(std::vector<Endpoint>{{fallbackTransport_, withoutBrackets(target), port}});
  }
  target_ = withoutTrailingDot(target);

  // RFC 3263 §4.2: "If the TARGET was not a numeric IP address, but a port is present in the URI, the client
  // performs an A or AAAA record lookup of the domain name."
  if (uri.hasPort) {
    hostTargets_.push_back({fallbackTransport_, target_, uri.port});
    return resolveAddresses();
  }
  // RFC 3263 §4.2: transport known, no port: SRV for that transport.
  if (transport_) {
    srvQueries_.push_back({*transport_, srvName(*transport_, target_)});
    return querySrv();
  }
  queryNaptr();
}

void ServerLocator::Job::beginStage(std::function<void()> onDone) {
  onStageDone_ = std::move(onDone);
  pending_ = 1;
}

void ServerLocator::Job::ask(DnsRecordType type, const std::string& name,
                             std::function<void(DnsAnswer&)> onAnswer) {
  noteAsked(type);
  ++pending_;
  shared_->resolver.query(type, name,
                          [self = shared_from_this(), onAnswer = std::move(onAnswer)](DnsAnswer answer) {
                            if (self->shared_->closed || self->done_) return;
                            onAnswer(answer);
                            self->completeOne();
                          });
}

void ServerLocator::Job::completeOne() {
  if (pending_ == 0 || --pending_ > 0) return;
  std::function<void()> next = std::move(onStageDone_);
  onStageDone_ = nullptr;
  if (next && !shared_->closed && !done_) next();
}

void ServerLocator::Job::queryNaptr() {
  beginStage([this] {
    if (srvQueries_.empty()) {
      // RFC 3263 §4.1: "If no NAPTR records are found, the client constructs SRV queries for those transport
      // protocols it supports, and does a query for each. Queries are done using the service identifier
      // "_sip" for SIP URIs and "_sips" for SIPS URIs."
      for (TransportProtocol protocol : config().transports) {
        if ((protocol == TransportProtocol::kTls) == sips_)
          srvQueries_.push_back({protocol, srvName(protocol, target_)});
      }
    } else {
      fallbackTransport_ = srvQueries_.front().protocol;
    }
    querySrv();
  });
  ask(DnsRecordType::kNaptr, target_, [this](DnsAnswer& answer) {
    noteFailure(DnsRecordType::kNaptr, target_, answer);
    if (answer.status != DnsStatus::kOk) return;
    for (NaptrChoice& choice : selectNaptrRecords(answer.naptr, sips_, config().transports)) {
      if (srvQueries_.size() == kMaxNaptrChoices) break;
      srvQueries_.push_back({choice.protocol, withoutTrailingDot(choice.srvName)});
    }
  });
  endStageIssue();
}

void ServerLocator::Job::querySrv() {
  srvAnswers_.assign(srvQueries_.size(), {});
  beginStage([this] { onSrvDone(); });
  for (size_t i = 0; i < srvQueries_.size(); ++i) {
    ask(DnsRecordType::kSrv, srvQueries_[i].name, [this, i](DnsAnswer& answer) {
      noteFailure(DnsRecordType::kSrv, srvQueries_[i].name, answer);
      if (answer.status == DnsStatus::kOk) srvAnswers_[i] = std::move(answer.srv);
    });
  }
  endStageIssue();
}

void ServerLocator::Job::onSrvDone() {
  for (size_t i = 0; i < srvQueries_.size(); ++i) {
    for (SrvRecord& record : orderSrvRecords(std::move(srvAnswers_[i]), shared_->random)) {
      if (hostTargets_.size() == kMaxSrvTargets) break;
      if (record.port == 0) continue;  // nothing listens on port 0
      hostTargets_.push_back({srvQueries_[i].protocol, withoutTrailingDot(record.target), record.port});
    }
  }
  srvTargetsFound_ = !hostTargets_.empty();
  if (!srvTargetsFound_) {
    // RFC 3263 §4.2: "If no SRV records were found, the client performs an A or AAAA record lookup of the
    // domain name", with the transport determined before (§4.1) and its default port.
    hostTargets_.push_back({fallbackTransport_, target_, defaultPort(fallbackTransport_)});
  }
  resolveAddresses();
}

void ServerLocator::Job::resolveAddresses() {
  beginStage([this] { assemble(); });
  const IpFamilies families = config().ipFamilies;
  for (const HostTarget& target : hostTargets_) {
    const HostType type = classifyHost(target.host);
    // An SRV target should be a domain name (RFC 2782), but a numeric one needs no lookup.
    if (type != HostType::kDomain || addresses_.contains(target.host)) continue;
    addresses_[target.host];
    const std::string& host = target.host;
    if (asksIpv4(families)) {
      ask(DnsRecordType::kA, host, [this, host](DnsAnswer& answer) {
        noteFailure(DnsRecordType::kA, host, answer);
        if (answer.status != DnsStatus::kOk) return;
        for (std::string& address : answer.addresses) {
          if (classifyHost(address) == HostType::kIPv4) addresses_[host].ipv4.push_back(std::move(address));
        }
      });
    }
    if (asksIpv6(families)) {
      ask(DnsRecordType::kAaaa, host, [this, host](DnsAnswer& answer) {
        noteFailure(DnsRecordType::kAaaa, host, answer);
        if (answer.status != DnsStatus::kOk) return;
        for (std::string& address : answer.addresses) {
          if (classifyHost(address) == HostType::kIPv6) addresses_[host].ipv6.push_back(std::move(address));
        }
      });
    }
  }
  endStageIssue();
}

void ServerLocator::Job::assemble() {
  std::vector<Endpoint> endpoints;
  auto add = [&](TransportProtocol protocol, std::string address, uint16_t port) {
    Endpoint endpoint{protocol, std::move(address), port};
    if (endpoints.size() < kMaxLocatedEndpoints &&
        std::find(endpoints.begin(), endpoints.end(), endpoint) == endpoints.end()) {
      endpoints.push_back(std::move(endpoint));
    }
  };
  const IpFamilies families = config().ipFamilies;
  for (const HostTarget& target : hostTargets_) {
    const HostType type = classifyHost(target.host);
    if (type == HostType::kIPv4 || type == HostType::kIPv6) {
      add(target.protocol, withoutBrackets(target.host), target.port);
      continue;
    }
    auto found = addresses_.find(target.host);
    if (found == addresses_.end()) continue;
    const Addresses& a = found->second;
    const bool v6First = families == IpFamilies::kIpv6First || families == IpFamilies::kIpv6Only;
    for (const std::string& address : v6First ? a.ipv6 : a.ipv4) add(target.protocol, address, target.port);
    for (const std::string& address : v6First ? a.ipv4 : a.ipv6) add(target.protocol, address, target.port);
  }
  if (!endpoints.empty()) return finish(std::move(endpoints));

  if (srvTargetsFound_) {
    std::string hosts;
    for (const HostTarget& target : hostTargets_) {
      if (hosts.find(target.host) != std::string::npos) continue;
      if (!hosts.empty()) hosts += ", ";
      hosts += target.host;
    }
    std::vector<DnsRecordType> addressTypes;
    if (asksIpv4(families)) addressTypes.push_back(DnsRecordType::kA);
    if (asksIpv6(families)) addressTypes.push_back(DnsRecordType::kAaaa);
    return fail("DNS: no " + joinTypes(addressTypes) + " records for " + hosts + " (SRV targets of " +
                target_ + ")" + failureCause());
  }
  fail("DNS: no " + joinTypes(asked_) + " records for " + target_ + failureCause());
}

void ServerLocator::Job::noteAsked(DnsRecordType type) {
  if (std::find(asked_.begin(), asked_.end(), type) != asked_.end()) return;
  asked_.push_back(type);
  // Always in the canonical order of RFC 3263: NAPTR, SRV, A, AAAA.
  std::sort(asked_.begin(), asked_.end());
}

void ServerLocator::Job::noteFailure(DnsRecordType type, const std::string& name, const DnsAnswer& answer) {
  if (answer.status == DnsStatus::kOk || answer.status == DnsStatus::kNoData) return;
  // SRV owner names (_sip._udp.example.com) that do not exist are the ordinary way of having no such
  // service: worth no mention.
  if (type == DnsRecordType::kSrv && answer.status == DnsStatus::kNotFound) return;
  std::string what =
      std::string(dnsRecordTypeName(type)) + " " + name + ": " + std::string(dnsStatusName(answer.status));
  if (answer.status == DnsStatus::kNotFound) {
    if (firstNotFound_.empty()) firstNotFound_ = std::move(what);
  } else if (firstHardFailure_.empty()) {
    firstHardFailure_ = std::move(what);
  }
}

std::string ServerLocator::Job::failureCause() const {
  // A timeout or a failing server says more about why nothing was found than NXDOMAIN does.
  if (!firstHardFailure_.empty()) return " (" + firstHardFailure_ + ")";
  if (!firstNotFound_.empty()) return " (" + firstNotFound_ + ")";
  return "";
}

void ServerLocator::Job::fail(std::string message) {
  finish(core::makeError(std::move(message)));
}

void ServerLocator::Job::finish(core::Result<std::vector<Endpoint>> result) {
  if (done_ || shared_->closed) return;
  done_ = true;
  Callback callback = std::move(callback_);
  callback_ = nullptr;
  // Last statement: the callback may destroy the ServerLocator (the job and Shared stay alive through the
  // shared pointers held by whoever called us).
  if (callback) callback(std::move(result));
}

ServerLocator::ServerLocator(DnsResolver& resolver, ServerLocatorConfig config, RandomSource random)
    : shared_(std::make_shared<Shared>(resolver, std::move(config), std::move(random))) {}

ServerLocator::~ServerLocator() {
  shared_->closed = true;
}

const ServerLocatorConfig& ServerLocator::config() const {
  return shared_->config;
}

void ServerLocator::locate(std::string_view target, Callback callback) {
  auto job = std::make_shared<Job>(shared_, std::move(callback));
  job->start(target);
}

}  // namespace callgate::sip
