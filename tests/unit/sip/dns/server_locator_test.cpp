#include "sip/dns/server_locator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "fake_dns_resolver.hpp"

namespace callgate::sip {
namespace {

using test::FakeDnsResolver;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Mode = FakeDnsResolver::Mode;

constexpr auto kUdp = TransportProtocol::kUdp;
constexpr auto kTcp = TransportProtocol::kTcp;
constexpr auto kTls = TransportProtocol::kTls;
constexpr auto kA = DnsRecordType::kA;
constexpr auto kAaaa = DnsRecordType::kAaaa;

// Always picks the lowest running sum: with distinct weights the answer order is kept.
RandomSource zeroRandom() {
  return [](uint32_t) { return uint32_t{0}; };
}

struct Outcome {
  int calls = 0;
  std::optional<core::Result<std::vector<Endpoint>>> result;

  ServerLocator::Callback callback() {
    return [this](core::Result<std::vector<Endpoint>> r) {
      ++calls;
      result.emplace(std::move(r));
    };
  }
  const std::vector<Endpoint>& endpoints() const { return result->value(); }
  std::string error() const { return result->error().message; }
};

class ServerLocatorTest : public ::testing::TestWithParam<Mode> {
 protected:
  ServerLocatorTest() : resolver_(GetParam()) {}

  // Runs a location to its end, answering deferred queries as needed.
  Outcome locate(std::string_view target, ServerLocatorConfig config = {},
                 RandomSource random = zeroRandom()) {
    ServerLocator locator(resolver_, std::move(config), std::move(random));
    Outcome outcome;
    locator.locate(target, outcome.callback());
    resolver_.runPending();
    EXPECT_EQ(outcome.calls, 1) << target;
    return outcome;
  }

  // The RFC 3263 §4.1 example zone, without the TLS record.
  void addExampleZone() {
    resolver_.setNaptr("example.com", {{90, 50, "s", "SIP+D2T", "", "_sip._tcp.example.com"},
                                       {100, 50, "s", "SIP+D2U", "", "_sip._udp.example.com"}});
    resolver_.setSrv("_sip._tcp.example.com",
                     {{0, 10, 5062, "tcp1.example.com"}, {1, 0, 5063, "tcp2.example.com"}});
    resolver_.setSrv("_sip._udp.example.com", {{0, 0, 5060, "udp1.example.com"}});
    resolver_.setAddresses(kA, "tcp1.example.com", {"192.0.2.11"});
    resolver_.setAddresses(kA, "tcp2.example.com", {"192.0.2.12"});
    resolver_.setAddresses(kA, "udp1.example.com", {"192.0.2.21"});
  }

  FakeDnsResolver resolver_;
};

std::string timingName(const ::testing::TestParamInfo<Mode>& timing) {
  return timing.param == Mode::kSynchronous ? "Synchronous" : "Deferred";
}

INSTANTIATE_TEST_SUITE_P(AnswerTiming, ServerLocatorTest,
                         ::testing::Values(Mode::kSynchronous, Mode::kDeferred), timingName);

// --- Numeric targets: RFC 3263 §4.2, no DNS at all ---

TEST_P(ServerLocatorTest, NumericIpv4UsesUdpOn5060WithoutDns) {
  Outcome o = locate("sip:alice@192.0.2.1");
  EXPECT_THAT(o.endpoints(), ElementsAre(Endpoint{kUdp, "192.0.2.1", 5060}));
  EXPECT_TRUE(resolver_.asked().empty());
}

TEST_P(ServerLocatorTest, NumericIpv6SipsWithPortUsesTls) {
  Outcome o = locate("sips:alice@[2001:db8::1]:5071");
  EXPECT_THAT(o.endpoints(), ElementsAre(Endpoint{kTls, "2001:db8::1", 5071}));
  EXPECT_TRUE(resolver_.asked().empty());
}

TEST_P(ServerLocatorTest, NumericWithTransportUsesIt) {
  EXPECT_THAT(locate("sip:192.0.2.1;transport=tcp").endpoints(),
              ElementsAre(Endpoint{kTcp, "192.0.2.1", 5060}));
  EXPECT_THAT(locate("sip:192.0.2.1;transport=TLS").endpoints(),
              ElementsAre(Endpoint{kTls, "192.0.2.1", 5061}));
  EXPECT_THAT(locate("sips:192.0.2.1;transport=tcp").endpoints(),
              ElementsAre(Endpoint{kTls, "192.0.2.1", 5061}));
  EXPECT_TRUE(resolver_.asked().empty());
}

TEST_P(ServerLocatorTest, NumericWithoutUdpEnabledUsesTcp) {
  ServerLocatorConfig config;
  config.transports = {kTcp};
  EXPECT_THAT(locate("sip:192.0.2.1", config).endpoints(), ElementsAre(Endpoint{kTcp, "192.0.2.1", 5060}));
}

// --- maddr: RFC 3263 §4, TARGET is maddr ---

TEST_P(ServerLocatorTest, NumericMaddrReplacesHost) {
  Outcome o = locate("sip:bob@example.com:5070;maddr=192.0.2.9");
  EXPECT_THAT(o.endpoints(), ElementsAre(Endpoint{kUdp, "192.0.2.9", 5070}));
  EXPECT_TRUE(resolver_.asked().empty());
  EXPECT_THAT(locate("sip:bob@example.com;maddr=[2001:db8::9]").endpoints(),
              ElementsAre(Endpoint{kUdp, "2001:db8::9", 5060}));
}

TEST_P(ServerLocatorTest, DomainMaddrIsLookedUpInsteadOfHost) {
  resolver_.setAddresses(kA, "relay.example.net", {"198.51.100.7"});
  Outcome o = locate("sip:bob@example.com:5080;maddr=relay.example.net");
  EXPECT_THAT(o.endpoints(), ElementsAre(Endpoint{kUdp, "198.51.100.7", 5080}));
  EXPECT_THAT(resolver_.asked(), ElementsAre("A relay.example.net", "AAAA relay.example.net"));
}

// --- Port given: A/AAAA only (RFC 3263 §4.2) ---

TEST_P(ServerLocatorTest, PortGivenAsksOnlyAddressRecords) {
  resolver_.setAddresses(kA, "sip.example.com", {"192.0.2.5", "192.0.2.6"});
  resolver_.setAddresses(kAaaa, "sip.example.com", {"2001:db8::5"});
  Outcome o = locate("sip:sip.example.com:5070");
  EXPECT_THAT(o.endpoints(), ElementsAre(Endpoint{kUdp, "192.0.2.5", 5070}, Endpoint{kUdp, "192.0.2.6", 5070},
                                         Endpoint{kUdp, "2001:db8::5", 5070}));
  EXPECT_THAT(resolver_.asked(), ElementsAre("A sip.example.com", "AAAA sip.example.com"));
}

TEST_P(ServerLocatorTest, PortGivenOnSipsUsesTls) {
  resolver_.setAddresses(kA, "sip.example.com", {"192.0.2.5"});
  EXPECT_THAT(locate("sips:sip.example.com:5071").endpoints(),
              ElementsAre(Endpoint{kTls, "192.0.2.5", 5071}));
}

// --- Address family order ---

TEST_P(ServerLocatorTest, AddressFamilyPreference) {
  resolver_.setAddresses(kA, "dual.example.com", {"192.0.2.1"});
  resolver_.setAddresses(kAaaa, "dual.example.com", {"2001:db8::1", "2001:db8::2"});
  ServerLocatorConfig config;
  config.ipFamilies = IpFamilies::kIpv6First;
  EXPECT_THAT(locate("sip:dual.example.com:5060", config).endpoints(),
              ElementsAre(Endpoint{kUdp, "2001:db8::1", 5060}, Endpoint{kUdp, "2001:db8::2", 5060},
                          Endpoint{kUdp, "192.0.2.1", 5060}));
  config.ipFamilies = IpFamilies::kIpv4First;
  EXPECT_THAT(locate("sip:dual.example.com:5060", config).endpoints(),
              ElementsAre(Endpoint{kUdp, "192.0.2.1", 5060}, Endpoint{kUdp, "2001:db8::1", 5060},
                          Endpoint{kUdp, "2001:db8::2", 5060}));
  config.ipFamilies = IpFamilies::kIpv4Only;
  EXPECT_THAT(locate("sip:dual.example.com:5060", config).endpoints(),
              ElementsAre(Endpoint{kUdp, "192.0.2.1", 5060}));
  config.ipFamilies = IpFamilies::kIpv6Only;
  EXPECT_THAT(locate("sip:dual.example.com:5060", config).endpoints(),
              ElementsAre(Endpoint{kUdp, "2001:db8::1", 5060}, Endpoint{kUdp, "2001:db8::2", 5060}));
  // Only-families ask only their record type.
  EXPECT_EQ(resolver_.asked().back(), "AAAA dual.example.com");
  EXPECT_EQ(resolver_.asked()[resolver_.asked().size() - 2], "A dual.example.com");
}

TEST_P(ServerLocatorTest, OneFamilyFailingDoesNotFailTheOther) {
  resolver_.setAddresses(kA, "half.example.com", {"192.0.2.3"});
  resolver_.setStatus(kAaaa, "half.example.com", DnsStatus::kTimeout);
  EXPECT_THAT(locate("sip:half.example.com:5060").endpoints(),
              ElementsAre(Endpoint{kUdp, "192.0.2.3", 5060}));
}

TEST_P(ServerLocatorTest, MalformedAddressesFromTheResolverAreDropped) {
  resolver_.setAddresses(kA, "odd.example.com", {"not-an-address", "2001:db8::1", "192.0.2.4"});
  resolver_.setAddresses(kAaaa, "odd.example.com", {"192.0.2.99", "2001:db8::4"});
  EXPECT_THAT(locate("sip:odd.example.com:5060").endpoints(),
              ElementsAre(Endpoint{kUdp, "192.0.2.4", 5060}, Endpoint{kUdp, "2001:db8::4", 5060}));
}

// --- transport= given: SRV for that transport (RFC 3263 §4.2) ---

TEST_P(ServerLocatorTest, TransportParamAsksSrvForThatTransportOnly) {
  addExampleZone();
  Outcome o = locate("sip:example.com;transport=tcp");
  EXPECT_THAT(o.endpoints(),
              ElementsAre(Endpoint{kTcp, "192.0.2.11", 5062}, Endpoint{kTcp, "192.0.2.12", 5063}));
  EXPECT_THAT(resolver_.asked(),
              ElementsAre("SRV _sip._tcp.example.com", "A tcp1.example.com", "AAAA tcp1.example.com",
                          "A tcp2.example.com", "AAAA tcp2.example.com"));
}

TEST_P(ServerLocatorTest, SipsWithTransportTcpAsksSipsSrv) {
  resolver_.setSrv("_sips._tcp.example.com", {{0, 0, 5061, "tls.example.com"}});
  resolver_.setAddresses(kA, "tls.example.com", {"192.0.2.30"});
  Outcome o = locate("sips:example.com;transport=tcp");
  EXPECT_THAT(o.endpoints(), ElementsAre(Endpoint{kTls, "192.0.2.30", 5061}));
  EXPECT_EQ(resolver_.asked().front(), "SRV _sips._tcp.example.com");
}

TEST_P(ServerLocatorTest, TransportParamWithoutSrvFallsBackToAddressOnDefaultPort) {
  resolver_.setAddresses(kA, "plain.example.com", {"192.0.2.40"});
  EXPECT_THAT(locate("sip:plain.example.com;transport=tcp").endpoints(),
              ElementsAre(Endpoint{kTcp, "192.0.2.40", 5060}));
  EXPECT_THAT(locate("sip:plain.example.com;transport=tls").endpoints(),
              ElementsAre(Endpoint{kTls, "192.0.2.40", 5061}));
}

// --- NAPTR, then SRV, then A/AAAA (RFC 3263 §4.1) ---

TEST_P(ServerLocatorTest, NaptrThenSrvThenAddresses) {
  addExampleZone();
  Outcome o = locate("sip:bob@example.com");
  // NAPTR order 90 (TCP) wins over 100 (UDP) and the others are not considered (RFC 3403 §4.1).
  EXPECT_THAT(o.endpoints(),
              ElementsAre(Endpoint{kTcp, "192.0.2.11", 5062}, Endpoint{kTcp, "192.0.2.12", 5063}));
  EXPECT_EQ(resolver_.asked().front(), "NAPTR example.com");
  EXPECT_EQ(resolver_.asked()[1], "SRV _sip._tcp.example.com");
}

TEST_P(ServerLocatorTest, NaptrRecordsOfTransportsNotEnabledAreSkipped) {
  addExampleZone();
  ServerLocatorConfig config;
  config.transports = {kUdp};
  EXPECT_THAT(locate("sip:bob@example.com", config).endpoints(),
              ElementsAre(Endpoint{kUdp, "192.0.2.21", 5060}));
}

TEST_P(ServerLocatorTest, NaptrOfSameOrderGivesFailoverAcrossTransports) {
  resolver_.setNaptr("multi.example.com", {{10, 20, "s", "SIP+D2U", "", "_sip._udp.multi.example.com."},
                                           {10, 10, "s", "SIP+D2T", "", "_sip._tcp.multi.example.com."}});
  resolver_.setSrv("_sip._tcp.multi.example.com", {{0, 0, 5060, "a.multi.example.com."}});
  resolver_.setSrv("_sip._udp.multi.example.com", {{0, 0, 5060, "a.multi.example.com."}});
  resolver_.setAddresses(kA, "a.multi.example.com", {"192.0.2.50"});
  Outcome o = locate("sip:multi.example.com");
  EXPECT_THAT(o.endpoints(),
              ElementsAre(Endpoint{kTcp, "192.0.2.50", 5060}, Endpoint{kUdp, "192.0.2.50", 5060}));
  // The shared SRV target is looked up once.
  EXPECT_EQ(std::count(resolver_.asked().begin(), resolver_.asked().end(), "A a.multi.example.com"), 1);
}

TEST_P(ServerLocatorTest, SipsUsesOnlySipsNaptr) {
  resolver_.setNaptr("example.org", {{10, 10, "s", "SIP+D2U", "", "_sip._udp.example.org"},
                                     {20, 10, "s", "SIPS+D2T", "", "_sips._tcp.example.org"}});
  resolver_.setSrv("_sip._udp.example.org", {{0, 0, 5060, "udp.example.org"}});
  resolver_.setSrv("_sips._tcp.example.org", {{0, 0, 5061, "tls.example.org"}});
  resolver_.setAddresses(kA, "udp.example.org", {"192.0.2.60"});
  resolver_.setAddresses(kA, "tls.example.org", {"192.0.2.61"});
  EXPECT_THAT(locate("sips:example.org").endpoints(), ElementsAre(Endpoint{kTls, "192.0.2.61", 5061}));
  EXPECT_THAT(locate("sip:example.org").endpoints(), ElementsAre(Endpoint{kUdp, "192.0.2.60", 5060}));
}

TEST_P(ServerLocatorTest, NaptrWhoseSrvIsEmptyFallsBackToAddressWithItsTransport) {
  resolver_.setNaptr("tcponly.example.com", {{10, 10, "s", "SIP+D2T", "", "_sip._tcp.tcponly.example.com"}});
  resolver_.setAddresses(kA, "tcponly.example.com", {"192.0.2.70"});
  EXPECT_THAT(locate("sip:tcponly.example.com").endpoints(), ElementsAre(Endpoint{kTcp, "192.0.2.70", 5060}));
}

TEST_P(ServerLocatorTest, NoNaptrAsksSrvOfEachEnabledTransportInConfigOrder) {
  resolver_.setStatus(DnsRecordType::kNaptr, "nonaptr.example.com", DnsStatus::kNoData);
  resolver_.setSrv("_sip._udp.nonaptr.example.com", {{0, 0, 5060, "u.nonaptr.example.com"}});
  resolver_.setSrv("_sip._tcp.nonaptr.example.com", {{0, 0, 5070, "t.nonaptr.example.com"}});
  resolver_.setAddresses(kA, "u.nonaptr.example.com", {"192.0.2.80"});
  resolver_.setAddresses(kA, "t.nonaptr.example.com", {"192.0.2.81"});
  ServerLocatorConfig config;
  config.transports = {kTcp, kUdp, kTls};
  Outcome o = locate("sip:nonaptr.example.com", config);
  EXPECT_THAT(o.endpoints(),
              ElementsAre(Endpoint{kTcp, "192.0.2.81", 5070}, Endpoint{kUdp, "192.0.2.80", 5060}));
  // A sip URI asks "_sip" services only (RFC 3263 §4.1).
  EXPECT_THAT(resolver_.asked(), ::testing::Not(::testing::Contains("SRV _sips._tcp.nonaptr.example.com")));
  EXPECT_EQ(resolver_.asked()[1], "SRV _sip._tcp.nonaptr.example.com");
  EXPECT_EQ(resolver_.asked()[2], "SRV _sip._udp.nonaptr.example.com");
}

TEST_P(ServerLocatorTest, NoNaptrNoSrvFallsBackToAddressOnDefaultPort) {
  resolver_.setAddresses(kA, "bare.example.com", {"192.0.2.90"});
  EXPECT_THAT(locate("sip:bare.example.com").endpoints(), ElementsAre(Endpoint{kUdp, "192.0.2.90", 5060}));
  EXPECT_THAT(resolver_.asked(),
              ElementsAre("NAPTR bare.example.com", "SRV _sip._udp.bare.example.com",
                          "SRV _sip._tcp.bare.example.com", "A bare.example.com", "AAAA bare.example.com"));
  EXPECT_THAT(locate("sips:bare.example.com").endpoints(), ElementsAre(Endpoint{kTls, "192.0.2.90", 5061}));
  EXPECT_EQ(std::count(resolver_.asked().begin(), resolver_.asked().end(), "SRV _sips._tcp.bare.example.com"),
            1);
}

TEST_P(ServerLocatorTest, SrvWeightsDecideTheOrderThroughTheRandomSource) {
  resolver_.setSrv("_sip._udp.w.example.com",
                   {{0, 10, 5060, "a.w.example.com"}, {0, 90, 5060, "b.w.example.com"}});
  resolver_.setAddresses(kA, "a.w.example.com", {"192.0.2.101"});
  resolver_.setAddresses(kA, "b.w.example.com", {"192.0.2.102"});
  // 10 reaches the first running sum (10): a first. 11 passes it: b first.
  EXPECT_THAT(
      locate("sip:w.example.com;transport=udp", {}, [](uint32_t) { return uint32_t{10}; }).endpoints(),
      ElementsAre(Endpoint{kUdp, "192.0.2.101", 5060}, Endpoint{kUdp, "192.0.2.102", 5060}));
  EXPECT_THAT(
      locate("sip:w.example.com;transport=udp", {}, [](uint32_t) { return uint32_t{11}; }).endpoints(),
      ElementsAre(Endpoint{kUdp, "192.0.2.102", 5060}, Endpoint{kUdp, "192.0.2.101", 5060}));
}

TEST_P(ServerLocatorTest, NumericSrvTargetAndPortZeroRecords) {
  resolver_.setSrv("_sip._udp.n.example.com", {{0, 0, 0, "zero.n.example.com"}, {1, 0, 5099, "192.0.2.111"}});
  Outcome o = locate("sip:n.example.com;transport=udp");
  EXPECT_THAT(o.endpoints(), ElementsAre(Endpoint{kUdp, "192.0.2.111", 5099}));
  EXPECT_THAT(resolver_.asked(), ElementsAre("SRV _sip._udp.n.example.com"));
}

TEST_P(ServerLocatorTest, SizeLimitsHoldWhateverDnsAnswers) {
  std::vector<SrvRecord> many;
  for (int i = 0; i < 40; ++i)
    many.push_back({uint16_t(i), 0, 5060, "h" + std::to_string(i) + ".big.example.com"});
  resolver_.setSrv("_sip._udp.big.example.com", many);
  for (int i = 0; i < 40; ++i) {
    std::vector<std::string> addresses;
    for (int j = 0; j < 5; ++j) addresses.push_back("10.0." + std::to_string(i) + "." + std::to_string(j));
    resolver_.setAddresses(kA, "h" + std::to_string(i) + ".big.example.com", addresses);
  }
  Outcome o = locate("sip:big.example.com;transport=udp");
  EXPECT_EQ(o.endpoints().size(), kMaxLocatedEndpoints);
  EXPECT_EQ(o.endpoints().front(), (Endpoint{kUdp, "10.0.0.0", 5060}));
  // Only the first kMaxSrvTargets targets are looked up (A and AAAA each), plus the SRV query.
  EXPECT_EQ(resolver_.asked().size(), 1 + 2 * kMaxSrvTargets);
}

// --- Outbound proxy: RFC 3261 §8.1.2 ---

TEST_P(ServerLocatorTest, OutboundProxyReplacesTheTarget) {
  resolver_.setAddresses(kA, "proxy.example.net", {"203.0.113.5"});
  ServerLocatorConfig config;
  config.outboundProxy = "sip:proxy.example.net:5070;transport=tcp;lr";
  EXPECT_THAT(locate("sip:bob@far.example.com", config).endpoints(),
              ElementsAre(Endpoint{kTcp, "203.0.113.5", 5070}));
  // Even a target that could not be located by itself goes to the proxy.
  EXPECT_THAT(locate("tel:+12015550123", config).endpoints(),
              ElementsAre(Endpoint{kTcp, "203.0.113.5", 5070}));
  for (const std::string& q : resolver_.asked()) EXPECT_THAT(q, HasSubstr("proxy.example.net"));
}

// --- Failures: one definite error naming the host and what was asked ---

TEST_P(ServerLocatorTest, NothingFoundNamesEverythingAsked) {
  Outcome o = locate("sip:nope.example.com");
  EXPECT_EQ(o.error(),
            "DNS: no NAPTR, SRV, A or AAAA records for nope.example.com (NAPTR nope.example.com: NXDOMAIN)");
}

TEST_P(ServerLocatorTest, TransportGivenAndNothingFound) {
  resolver_.setStatus(kA, "sip.example.com", DnsStatus::kNoData);
  Outcome o = locate("sip:sip.example.com;transport=tcp");
  EXPECT_EQ(o.error(), "DNS: no SRV, A or AAAA records for sip.example.com");
}

TEST_P(ServerLocatorTest, PortGivenAndNothingFound) {
  ServerLocatorConfig config;
  config.ipFamilies = IpFamilies::kIpv4Only;
  Outcome o = locate("sip:gone.example.com:5060", config);
  EXPECT_EQ(o.error(), "DNS: no A records for gone.example.com (A gone.example.com: NXDOMAIN)");
}

TEST_P(ServerLocatorTest, TimeoutIsNamedInTheError) {
  resolver_.setStatus(kA, "slow.example.com", DnsStatus::kTimeout);
  resolver_.setStatus(kAaaa, "slow.example.com", DnsStatus::kTimeout);
  Outcome o = locate("sip:slow.example.com:5060");
  EXPECT_EQ(o.error(), "DNS: no A or AAAA records for slow.example.com (A slow.example.com: timeout)");
}

TEST_P(ServerLocatorTest, TimeoutOutranksNxdomainAsTheCause) {
  resolver_.setStatus(DnsRecordType::kNaptr, "mixed.example.com", DnsStatus::kServerFailure);
  resolver_.setStatus(kA, "mixed.example.com", DnsStatus::kTimeout);
  Outcome o = locate("sip:mixed.example.com");
  EXPECT_THAT(o.error(), HasSubstr("DNS: no NAPTR, SRV, A or AAAA records for mixed.example.com"));
  EXPECT_THAT(o.error(), HasSubstr("(NAPTR mixed.example.com: server failure)"));
}

TEST_P(ServerLocatorTest, SrvTargetsWithoutAddresses) {
  resolver_.setSrv("_sip._udp.dangling.example.com", {{0, 0, 5060, "ghost.dangling.example.com"}});
  Outcome o = locate("sip:dangling.example.com;transport=udp");
  EXPECT_EQ(o.error(),
            "DNS: no A or AAAA records for ghost.dangling.example.com (SRV targets of dangling.example.com) "
            "(A ghost.dangling.example.com: NXDOMAIN)");
}

TEST_P(ServerLocatorTest, TargetsThatCannotBeLocated) {
  EXPECT_THAT(locate("tel:+12015550123").error(), HasSubstr("only sip and sips URIs can be located"));
  EXPECT_THAT(locate("sip:example.com;transport=sctp").error(), HasSubstr("transport=sctp is not supported"));
  EXPECT_THAT(locate("sips:example.com;transport=udp").error(), HasSubstr("cannot use transport=udp"));
  EXPECT_THAT(locate("sip:bad uri").error(), HasSubstr("cannot locate 'sip:bad uri'"));
  EXPECT_THAT(locate("sip:a@example.com;maddr=bad_host").error(), HasSubstr("maddr=bad_host is not a host"));
  ServerLocatorConfig udpOnly;
  udpOnly.transports = {kUdp};
  EXPECT_THAT(locate("sip:example.com;transport=tcp", udpOnly).error(),
              HasSubstr("transport tcp is not enabled"));
  EXPECT_THAT(locate("sips:example.com", udpOnly).error(), HasSubstr("needs TLS, which is not enabled"));
  ServerLocatorConfig tlsOnly;
  tlsOnly.transports = {kTls};
  EXPECT_THAT(locate("sip:example.com", tlsOnly).error(), HasSubstr("needs udp or tcp"));
  ServerLocatorConfig badProxy;
  badProxy.outboundProxy = "http://proxy.example.net";
  EXPECT_THAT(locate("sip:example.com", badProxy).error(),
              HasSubstr("outbound proxy 'http://proxy.example.net'"));
  EXPECT_TRUE(resolver_.asked().empty());
}

// --- Lifetime ---

TEST(ServerLocatorLifetimeTest, DestroyedLocatorNeverCallsBackNorAsksAgain) {
  FakeDnsResolver resolver(Mode::kDeferred);
  resolver.setNaptr("example.com", {{10, 10, "s", "SIP+D2U", "", "_sip._udp.example.com"}});
  Outcome outcome;
  {
    ServerLocator locator(resolver, {}, zeroRandom());
    locator.locate("sip:example.com", outcome.callback());
    EXPECT_EQ(resolver.pendingCount(), 1U);
  }
  EXPECT_EQ(resolver.runPending(), 1U);
  EXPECT_EQ(outcome.calls, 0);
  EXPECT_EQ(resolver.asked().size(), 1U);
}

TEST(ServerLocatorLifetimeTest, CallbackMayDestroyTheLocator) {
  FakeDnsResolver resolver(Mode::kDeferred);
  resolver.setAddresses(kA, "example.com", {"192.0.2.1"});
  auto locator = std::make_unique<ServerLocator>(resolver, ServerLocatorConfig{}, zeroRandom());
  int calls = 0;
  locator->locate("sip:example.com:5060", [&](core::Result<std::vector<Endpoint>> result) {
    ++calls;
    EXPECT_TRUE(result.ok());
    locator.reset();
  });
  resolver.runPending();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(locator, nullptr);
}

TEST(ServerLocatorLifetimeTest, ConcurrentLocationsEachAnswerOnce) {
  FakeDnsResolver resolver(Mode::kDeferred);
  resolver.setAddresses(kA, "one.example.com", {"192.0.2.1"});
  resolver.setAddresses(kA, "two.example.com", {"192.0.2.2"});
  ServerLocator locator(resolver, {}, zeroRandom());
  Outcome one;
  Outcome two;
  Outcome three;
  locator.locate("sip:one.example.com:5060", one.callback());
  locator.locate("sip:two.example.com:5060", two.callback());
  locator.locate("sip:192.0.2.3", three.callback());
  EXPECT_EQ(three.calls, 1);  // numeric: answered inside locate()
  EXPECT_EQ(one.calls, 0);
  resolver.runPending();
  EXPECT_EQ(one.calls, 1);
  EXPECT_EQ(two.calls, 1);
  EXPECT_THAT(one.endpoints(), ElementsAre(Endpoint{kUdp, "192.0.2.1", 5060}));
  EXPECT_THAT(two.endpoints(), ElementsAre(Endpoint{kUdp, "192.0.2.2", 5060}));
}

TEST(ServerLocatorConfigTest, Validation) {
  EXPECT_TRUE(validateServerLocatorConfig({}).ok());
  ServerLocatorConfig config;
  config.transports = {};
  EXPECT_THAT(validateServerLocatorConfig(config).error().message, HasSubstr("at least one transport"));
  config.transports = {kUdp, kTcp, kUdp};
  EXPECT_THAT(validateServerLocatorConfig(config).error().message, HasSubstr("udp is listed twice"));
  config.transports = {kUdp};
  config.outboundProxy = "sips:proxy.example.net;lr";
  EXPECT_TRUE(validateServerLocatorConfig(config).ok());
  config.outboundProxy = "mailto:x@example.net";
  EXPECT_THAT(validateServerLocatorConfig(config).error().message, HasSubstr("must be a sip or sips URI"));
  config.outboundProxy = "sip:";
  EXPECT_FALSE(validateServerLocatorConfig(config).ok());
}

}  // namespace
}  // namespace callgate::sip
