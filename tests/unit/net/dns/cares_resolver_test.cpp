#include "net/dns/cares_resolver.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "dns_test_server.hpp"
#include "sip/dns/server_locator.hpp"

namespace callgate::net {
namespace {

using sip::DnsAnswer;
using sip::DnsRecordType;
using sip::DnsStatus;
using sip::Endpoint;
using sip::TransportProtocol;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

// The owner's loop: the resolver posts here from its worker, the test thread runs what was posted.
class TestLoop {
 public:
  CaresResolver::Post poster() {
    return [this](std::function<void()> f) {
      {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(f));
      }
      ready_.notify_one();
    };
  }

  // Runs posted functions until `done` is true or `limit` passes; false on time-out.
  template <typename Predicate>
  bool runUntil(Predicate done, std::chrono::milliseconds limit = 5000ms) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      std::function<void()> f;
      {
        std::unique_lock lock(mutex_);
        if (!ready_.wait_until(lock, deadline, [&] { return !queue_.empty(); })) return done();
        f = std::move(queue_.front());
        queue_.pop_front();
      }
      f();
    }
    return true;
  }

  size_t queued() {
    std::lock_guard lock(mutex_);
    return queue_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
};

// Polls `done` every few milliseconds, for at most `limit`.
template <typename Predicate>
bool waitFor(Predicate done, std::chrono::milliseconds limit = 2000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

class CaresResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.ok());
    server_.addNaptr("example.test", 10, 10, "s", "SIP+D2U", "", "_sip._udp.example.test");
    server_.addNaptr("example.test", 20, 10, "S", "SIP+D2T", "", "_sip._tcp.example.test");
    server_.addSrv("_sip._udp.example.test", 0, 10, 5070, "sip1.example.test");
    server_.addSrv("_sip._udp.example.test", 1, 0, 5071, "sip2.example.test");
    server_.addSrv("_sip._tcp.example.test", 0, 0, 5072, "sip1.example.test");
    server_.addA("sip1.example.test", "127.0.0.11");
    server_.addAaaa("sip1.example.test", "2001:db8::11");
    server_.addA("sip2.example.test", "127.0.0.12");
    server_.addName("empty.example.test");
    server_.addSilent("silent.example.test");
  }

  std::unique_ptr<CaresResolver> makeResolver(std::chrono::milliseconds timeout = 2000ms, int tries = 2) {
    CaresResolverConfig config;
    config.servers = server_.serversCsv();
    config.timeout = timeout;
    config.tries = tries;
    auto resolver = CaresResolver::create(config, loop_.poster());
    EXPECT_TRUE(resolver.ok()) << (resolver.ok() ? "" : resolver.error().message);
    return resolver.ok() ? std::move(resolver.value()) : nullptr;
  }

  DnsAnswer ask(CaresResolver& resolver, DnsRecordType type, const std::string& name) {
    std::optional<DnsAnswer> answer;
    resolver.query(type, name, [&](DnsAnswer a) { answer = std::move(a); });
    EXPECT_TRUE(loop_.runUntil([&] { return answer.has_value(); })) << name;
    return answer.value_or(DnsAnswer{DnsStatus::kError, "no answer in time", {}, {}, {}});
  }

  test::DnsTestServer server_;
  TestLoop loop_;
};

TEST(CaresResolverHostsTest, LocalhostResolvesWithNoReachableDnsServer) {
  TestLoop loop;
  CaresResolverConfig config;
  config.servers = "127.0.0.1:1";  // nothing listens there
  config.timeout = 200ms;
  config.tries = 1;
  auto resolver = CaresResolver::create(config, loop.poster());
  ASSERT_TRUE(resolver.ok()) << resolver.error().message;
  std::optional<DnsAnswer> answer;
  (*resolver)->query(DnsRecordType::kA, "localhost", [&](DnsAnswer a) { answer = std::move(a); });
  EXPECT_FALSE(answer.has_value());  // posted, never run inside query()
  ASSERT_TRUE(loop.runUntil([&] { return answer.has_value(); }));
  EXPECT_EQ(answer->status, DnsStatus::kOk);
  EXPECT_THAT(answer->addresses, ::testing::Contains("127.0.0.1"));
}

TEST(CaresResolverHostsTest, HostsFileCanBeTurnedOff) {
  TestLoop loop;
  CaresResolverConfig config;
  config.servers = "127.0.0.1:1";
  config.timeout = 200ms;
  config.tries = 1;
  config.useHostsFile = false;
  auto resolver = CaresResolver::create(config, loop.poster());
  ASSERT_TRUE(resolver.ok()) << resolver.error().message;
  std::optional<DnsAnswer> answer;
  (*resolver)->query(DnsRecordType::kA, "localhost", [&](DnsAnswer a) { answer = std::move(a); });
  ASSERT_TRUE(loop.runUntil([&] { return answer.has_value(); }));
  EXPECT_NE(answer->status, DnsStatus::kOk);
}

TEST(CaresResolverConfigTest, BadSettingsAreRefusedByName) {
  TestLoop loop;
  CaresResolverConfig config;
  config.servers = "not a server list";
  auto resolver = CaresResolver::create(config, loop.poster());
  ASSERT_FALSE(resolver.ok());
  EXPECT_THAT(resolver.error().message, HasSubstr("DNS servers 'not a server list'"));
  config = {};
  config.timeout = 0ms;
  EXPECT_THAT(validateCaresResolverConfig(config).error().message, HasSubstr("DNS timeout"));
  config = {};
  config.tries = 0;
  EXPECT_THAT(validateCaresResolverConfig(config).error().message, HasSubstr("DNS tries"));
  EXPECT_TRUE(validateCaresResolverConfig({}).ok());
}

TEST_F(CaresResolverTest, AnswersNaptr) {
  auto resolver = makeResolver();
  ASSERT_TRUE(resolver);
  DnsAnswer answer = ask(*resolver, DnsRecordType::kNaptr, "example.test");
  ASSERT_EQ(answer.status, DnsStatus::kOk) << answer.detail;
  ASSERT_EQ(answer.naptr.size(), 2U);
  std::sort(answer.naptr.begin(), answer.naptr.end(), [](auto& a, auto& b) { return a.order < b.order; });
  EXPECT_EQ(answer.naptr[0], (sip::NaptrRecord{10, 10, "s", "SIP+D2U", "", "_sip._udp.example.test"}));
  EXPECT_EQ(answer.naptr[1], (sip::NaptrRecord{20, 10, "S", "SIP+D2T", "", "_sip._tcp.example.test"}));
}

TEST_F(CaresResolverTest, AnswersSrvAAndAaaa) {
  auto resolver = makeResolver();
  ASSERT_TRUE(resolver);
  DnsAnswer srv = ask(*resolver, DnsRecordType::kSrv, "_sip._udp.example.test");
  ASSERT_EQ(srv.status, DnsStatus::kOk) << srv.detail;
  EXPECT_THAT(srv.srv, ::testing::UnorderedElementsAre(sip::SrvRecord{0, 10, 5070, "sip1.example.test"},
                                                       sip::SrvRecord{1, 0, 5071, "sip2.example.test"}));
  DnsAnswer a = ask(*resolver, DnsRecordType::kA, "sip1.example.test");
  EXPECT_EQ(a.status, DnsStatus::kOk);
  EXPECT_THAT(a.addresses, ElementsAre("127.0.0.11"));
  DnsAnswer aaaa = ask(*resolver, DnsRecordType::kAaaa, "sip1.example.test");
  EXPECT_EQ(aaaa.status, DnsStatus::kOk);
  EXPECT_THAT(aaaa.addresses, ElementsAre("2001:db8::11"));
}

TEST_F(CaresResolverTest, NxdomainAndNoData) {
  auto resolver = makeResolver();
  ASSERT_TRUE(resolver);
  EXPECT_EQ(ask(*resolver, DnsRecordType::kA, "nope.example.test").status, DnsStatus::kNotFound);
  EXPECT_EQ(ask(*resolver, DnsRecordType::kSrv, "empty.example.test").status, DnsStatus::kNoData);
  EXPECT_EQ(ask(*resolver, DnsRecordType::kAaaa, "sip2.example.test").status, DnsStatus::kNoData);
}

TEST_F(CaresResolverTest, SilentServerTimesOutWithinTheConfiguredTime) {
  auto resolver = makeResolver(300ms, 1);
  ASSERT_TRUE(resolver);
  const auto start = std::chrono::steady_clock::now();
  DnsAnswer answer = ask(*resolver, DnsRecordType::kA, "silent.example.test");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(answer.status, DnsStatus::kTimeout) << answer.detail;
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 2000ms);
}

TEST_F(CaresResolverTest, DestroyingWithPendingQueriesDropsThem) {
  auto resolver = makeResolver(2000ms, 2);
  ASSERT_TRUE(resolver);
  int calls = 0;
  resolver->query(DnsRecordType::kA, "silent.example.test", [&](DnsAnswer) { ++calls; });
  resolver->query(DnsRecordType::kSrv, "silent.example.test", [&](DnsAnswer) { ++calls; });
  // Let the worker send them, then destroy: the join must not wait for the 2 s timeouts.
  EXPECT_TRUE(waitFor([&] { return server_.queries().size() >= 2; }));
  const auto start = std::chrono::steady_clock::now();
  resolver.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1000ms);
  EXPECT_EQ(loop_.queued(), 0U);
  EXPECT_EQ(calls, 0);
}

TEST_F(CaresResolverTest, ManyQueriesInFlightAllAnswer) {
  auto resolver = makeResolver();
  ASSERT_TRUE(resolver);
  int answered = 0;
  int ok = 0;
  for (int i = 0; i < 50; ++i) {
    resolver->query(i % 2 == 0 ? DnsRecordType::kA : DnsRecordType::kSrv,
                    i % 2 == 0 ? "sip1.example.test" : "_sip._tcp.example.test", [&](DnsAnswer a) {
                      ++answered;
                      if (a.status == DnsStatus::kOk) ++ok;
                    });
  }
  EXPECT_TRUE(loop_.runUntil([&] { return answered == 50; }));
  EXPECT_EQ(ok, 50);
}

// --- ServerLocator on c-ares, end to end (RFC 3263 §4.1 NAPTR -> SRV -> A) ---

struct LocateOutcome {
  std::optional<core::Result<std::vector<Endpoint>>> result;
  sip::ServerLocator::Callback callback() {
    return [this](core::Result<std::vector<Endpoint>> r) { result.emplace(std::move(r)); };
  }
};

TEST_F(CaresResolverTest, ServerLocatorFollowsNaptrSrvAndAddresses) {
  auto resolver = makeResolver();
  ASSERT_TRUE(resolver);
  sip::ServerLocator locator(*resolver, {}, [](uint32_t) { return uint32_t{0}; });
  LocateOutcome outcome;
  locator.locate("sip:alice@example.test", outcome.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return outcome.result.has_value(); }));
  ASSERT_TRUE(outcome.result->ok()) << outcome.result->error().message;
  EXPECT_THAT(outcome.result->value(), ElementsAre(Endpoint{TransportProtocol::kUdp, "127.0.0.11", 5070},
                                                   Endpoint{TransportProtocol::kUdp, "2001:db8::11", 5070},
                                                   Endpoint{TransportProtocol::kUdp, "127.0.0.12", 5071}));
  const std::vector<std::string> queries = server_.queries();
  EXPECT_EQ(queries.front(), "NAPTR example.test");
  EXPECT_THAT(queries, ::testing::Contains("SRV _sip._udp.example.test"));
  // NAPTR order 10 (UDP) wins: the TCP service is not asked for.
  EXPECT_THAT(queries, ::testing::Not(::testing::Contains("SRV _sip._tcp.example.test")));
}

TEST_F(CaresResolverTest, ServerLocatorReportsNxdomain) {
  auto resolver = makeResolver();
  ASSERT_TRUE(resolver);
  sip::ServerLocator locator(*resolver, {});
  LocateOutcome outcome;
  locator.locate("sip:bob@nope.example.test", outcome.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return outcome.result.has_value(); }));
  ASSERT_FALSE(outcome.result->ok());
  EXPECT_EQ(
      outcome.result->error().message,
      "DNS: no NAPTR, SRV, A or AAAA records for nope.example.test (NAPTR nope.example.test: NXDOMAIN)");
}

TEST_F(CaresResolverTest, ServerLocatorReportsTimeoutInBoundedTime) {
  auto resolver = makeResolver(200ms, 1);
  ASSERT_TRUE(resolver);
  sip::ServerLocator locator(*resolver, {});
  LocateOutcome outcome;
  const auto start = std::chrono::steady_clock::now();
  locator.locate("sip:bob@silent.example.test;transport=tcp", outcome.callback());
  ASSERT_TRUE(loop_.runUntil([&] { return outcome.result.has_value(); }));
  // SRV, then A and AAAA in parallel: two rounds of one 200 ms try each.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2000ms);
  ASSERT_FALSE(outcome.result->ok());
  EXPECT_EQ(outcome.result->error().message,
            "DNS: no SRV, A or AAAA records for silent.example.test (A silent.example.test: timeout)");
}

}  // namespace
}  // namespace callgate::net
