// The ICE-lite responder against a peer that sends checks the way Chromium does, on a virtual clock: the
// success response, every error path with its exact code, nomination and re-nomination, the validated set,
// consent over minutes with loss, the connect timeout, duplicates and reordering, garbage, and lifetime.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/timer_queue.hpp"
#include "webrtc/ice/ice_lite_agent.hpp"
#include "webrtc/stun/crc32.hpp"
#include "webrtc/stun/integrity.hpp"
#include "webrtc/stun/stun_builder.hpp"
#include "webrtc/stun/stun_message.hpp"

namespace callgate::webrtc::ice {
namespace {

using namespace std::chrono_literals;
using stun::Integrity;
using stun::StunAddress;
using stun::StunBuilder;
using stun::StunClass;
using Bytes = std::vector<uint8_t>;

const IceCredentials kLocal{"gWuF", "gatewayIcePassword0123+/"};
const IceCredentials kRemote{"cHrM", "chromeIcePasswordXYZ0123"};
const StunAddress kPeerA = StunAddress::ipv4({192, 0, 2, 10}, 50000);
const StunAddress kPeerB = StunAddress::ipv4({198, 51, 100, 7}, 61000);

// Chromium's GOOG-NETWORK-INFO (comprehension-optional): an unknown attribute that must not matter.
constexpr uint16_t kGoogNetworkInfo = 0xC057;
// A comprehension-required type nobody registered: 420.
constexpr uint16_t kUnknownRequired = 0x7F01;

// What the controlling peer puts in a Binding request. The defaults are a Chromium nomination: USERNAME,
// GOOG-NETWORK-INFO, ICE-CONTROLLING, USE-CANDIDATE, PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT.
struct Check {
  std::optional<std::string> username = kLocal.ufrag + ":" + kRemote.ufrag;
  bool useCandidate = true;
  bool controlled = false;  // ICE-CONTROLLED instead of ICE-CONTROLLING
  Integrity integrity = Integrity::kSha1;
  std::string key = kLocal.pwd;
  bool fingerprint = true;
  std::vector<std::pair<uint16_t, Bytes>> extra = {};  // added before the integrity attribute
  StunClass cls = StunClass::kRequest;
  uint16_t method = stun::kMethodBinding;
};

class IceLiteAgentTest : public ::testing::Test {
 protected:
  struct Sent {
    Bytes bytes;
    StunAddress to;
  };

  void SetUp() override { makeAgent(); }

  void makeAgent(IceLiteConfig config = {}, bool withRemote = true) {
    IceLiteAgent::Listener listener;
    listener.send = [this](std::span<const uint8_t> bytes, const StunAddress& to) {
      sent_.push_back({Bytes(bytes.begin(), bytes.end()), to});
    };
    listener.onSelected = [this](const StunAddress& selected) {
      selections_.push_back(selected);
      sentAtSelection_.push_back(sent_.size());
    };
    listener.onFailed = [this](IceFailure failure, const std::string& reason) {
      failures_.push_back({failure, reason});
      failureTimes_.push_back(clock_.now());
      // STYLE.md: destruction is posted to the loop, never done inside the callback.
      if (destroyOnFailure_) timers_.schedule(0s, [this] { agent_.reset(); });
    };
    agent_ = std::make_unique<IceLiteAgent>(timers_, kLocal, config, std::move(listener));
    if (withRemote) agent_->setRemoteCredentials(kRemote);
  }

  Bytes build(const Check& check) {
    StunBuilder builder(check.cls, check.method, stun::newTransactionId(random_));
    if (check.username) builder.addUsername(*check.username);
    const Bytes networkInfo{0x00, 0x01, 0x00, 0x0a};
    builder.addAttribute(kGoogNetworkInfo, networkInfo);
    if (check.controlled) {
      builder.addIceControlled(0x0102030405060708);
    } else {
      builder.addIceControlling(0x0102030405060708);
    }
    if (check.useCandidate) builder.addUseCandidate();
    builder.addPriority(0x6e7f1eff);
    for (const auto& [type, value] : check.extra) builder.addAttribute(type, value);
    auto bytes = builder.finish(check.integrity, check.key, check.fingerprint);
    EXPECT_TRUE(bytes) << bytes.error().message;
    return bytes ? *bytes : Bytes{};
  }

  // Delivers `datagram` and returns the one response it must produce.
  Bytes exchange(const Bytes& datagram, const StunAddress& from) {
    const size_t before = sent_.size();
    agent_->receive(datagram, from);
    EXPECT_EQ(sent_.size(), before + 1) << "expected exactly one response";
    if (sent_.size() != before + 1) return {};
    EXPECT_EQ(sent_.back().to, from);
    return sent_.back().bytes;
  }
  Bytes exchange(const Check& check, const StunAddress& from) { return exchange(build(check), from); }

  void advance(core::Duration by) { timers_.advanceTo(clock_, clock_.now() + by); }
  void advanceTo(core::TimePoint until) { timers_.advanceTo(clock_, until); }

  core::ManualClock clock_;
  core::TimerQueue timers_{clock_};
  core::SeededRandom random_{8445};
  std::vector<Sent> sent_;
  std::vector<StunAddress> selections_;
  std::vector<size_t> sentAtSelection_;
  std::vector<std::pair<IceFailure, std::string>> failures_;
  std::vector<core::TimePoint> failureTimes_;
  bool destroyOnFailure_ = false;
  std::unique_ptr<IceLiteAgent> agent_;
};

// The ERROR-CODE of an error response to `request`, after checking what every error response must carry:
// the request's transaction id and method, a reason phrase and a valid FINGERPRINT. 0 if anything is off.
int errorCodeOf(const Bytes& response, const Bytes& request) {
  const auto req = stun::parseStun(request);
  const auto parsed = stun::parseStun(response);
  if (!req || !parsed) return 0;
  EXPECT_EQ(parsed->messageClass(), StunClass::kErrorResponse);
  EXPECT_EQ(parsed->transactionId(), req->transactionId());
  EXPECT_EQ(parsed->method(), req->method());
  EXPECT_TRUE(stun::checkFingerprint(*parsed));
  const auto code = parsed->errorCode();
  if (!code || !code->has_value()) return 0;
  EXPECT_FALSE((*code)->reason.empty());
  return (*code)->code;
}

// The class of a response; kRequest (never a response's) when it does not parse.
StunClass classOf(const Bytes& response) {
  const auto parsed = stun::parseStun(response);
  return parsed ? parsed->messageClass() : StunClass::kRequest;
}

bool hasIntegrity(const Bytes& response) {
  const auto parsed = stun::parseStun(response);
  return parsed && (parsed->find(stun::attr::kMessageIntegrity) != nullptr ||
                    parsed->find(stun::attr::kMessageIntegritySha256) != nullptr);
}

// --- The success response ----------------------------------------------------------------------------------

TEST_F(IceLiteAgentTest, AnswersChromiumCheckWithXorMappedAddressIntegrityAndFingerprint) {
  const Bytes request = build(Check{});
  const Bytes response = exchange(request, kPeerA);
  const auto parsed = stun::parseStun(response);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->messageClass(), StunClass::kSuccessResponse);
  EXPECT_EQ(parsed->method(), stun::kMethodBinding);
  EXPECT_EQ(parsed->transactionId(), stun::parseStun(request)->transactionId());
  const auto mapped = parsed->xorMappedAddress();
  ASSERT_TRUE(mapped && mapped->has_value());
  EXPECT_EQ(**mapped, kPeerA);
  EXPECT_TRUE(stun::checkMessageIntegrity(*parsed, kLocal.pwd));
  EXPECT_FALSE(stun::checkMessageIntegrity(*parsed, kRemote.pwd));
  EXPECT_EQ(parsed->find(stun::attr::kMessageIntegritySha256), nullptr);
  EXPECT_EQ(parsed->find(stun::attr::kUsername), nullptr);  // RFC 8489 §9.1.3: never in the response
  EXPECT_TRUE(stun::checkFingerprint(*parsed));

  EXPECT_EQ(agent_->stats().requests, 1U);
  EXPECT_EQ(agent_->stats().successResponses, 1U);
  EXPECT_EQ(agent_->stats().errorResponses, 0U);
  EXPECT_EQ(agent_->stats().nominations, 1U);
  EXPECT_TRUE(agent_->validated(kPeerA));
  EXPECT_EQ(agent_->selected(), kPeerA);
  EXPECT_EQ(selections_, std::vector<StunAddress>{kPeerA});
}

TEST_F(IceLiteAgentTest, MapsAnIpv6Source) {
  const auto peer = StunAddress::parse("2001:db8::7", 40000);
  ASSERT_TRUE(peer);
  const Bytes response = exchange(Check{}, *peer);
  const auto parsed = stun::parseStun(response);
  ASSERT_TRUE(parsed);
  const auto mapped = parsed->xorMappedAddress();
  ASSERT_TRUE(mapped && mapped->has_value());
  EXPECT_EQ(**mapped, *peer);
  EXPECT_TRUE(agent_->validated(*peer));
}

TEST_F(IceLiteAgentTest, ResponseLeavesBeforeOnSelected) {
  exchange(Check{}, kPeerA);
  ASSERT_EQ(sentAtSelection_.size(), 1U);
  EXPECT_EQ(sentAtSelection_[0], 1U);  // the 200 was already sent when onSelected ran
}

TEST_F(IceLiteAgentTest, Sha256RequestIsAnsweredWithSha256) {
  const Bytes response = exchange(Check{.integrity = Integrity::kSha256}, kPeerA);
  const auto parsed = stun::parseStun(response);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->messageClass(), StunClass::kSuccessResponse);
  EXPECT_TRUE(stun::checkMessageIntegritySha256(*parsed, kLocal.pwd));
  EXPECT_EQ(parsed->find(stun::attr::kMessageIntegrity), nullptr);
  EXPECT_TRUE(stun::checkFingerprint(*parsed));
  EXPECT_EQ(agent_->selected(), kPeerA);
}

TEST_F(IceLiteAgentTest, TruncatedSha256AndBothIntegritiesAreCheckedWithSha256) {
  // MESSAGE-INTEGRITY-SHA256 truncated to 16 bytes (RFC 8489 §14.6).
  StunBuilder builder(StunClass::kRequest, stun::kMethodBinding, stun::newTransactionId(random_));
  builder.addUsername(kLocal.ufrag + ":" + kRemote.ufrag).addIceControlling(1);
  builder.addMessageIntegritySha256(kLocal.pwd, 16).addFingerprint();
  auto truncated = builder.finish();
  ASSERT_TRUE(truncated);
  const Bytes truncatedResponse = exchange(*truncated, kPeerA);
  auto parsed = stun::parseStun(truncatedResponse);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->messageClass(), StunClass::kSuccessResponse);
  EXPECT_TRUE(stun::checkMessageIntegritySha256(*parsed, kLocal.pwd));

  // Both: RFC 8489 §9.1.3 checks MESSAGE-INTEGRITY-SHA256, so a wrong SHA-1 one does not matter...
  builder.start(StunClass::kRequest, stun::kMethodBinding, stun::newTransactionId(random_));
  builder.addUsername(kLocal.ufrag + ":" + kRemote.ufrag).addIceControlling(1);
  builder.addMessageIntegrity("wrong-password-wrong-pw")
      .addMessageIntegritySha256(kLocal.pwd)
      .addFingerprint();
  auto both = builder.finish();
  ASSERT_TRUE(both);
  const Bytes bothResponse = exchange(*both, kPeerA);
  parsed = stun::parseStun(bothResponse);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->messageClass(), StunClass::kSuccessResponse);
  EXPECT_TRUE(stun::checkMessageIntegritySha256(*parsed, kLocal.pwd));
  EXPECT_EQ(parsed->find(stun::attr::kMessageIntegrity), nullptr);

  // ...and a wrong SHA-256 one is 401 even with a right SHA-1 one.
  builder.start(StunClass::kRequest, stun::kMethodBinding, stun::newTransactionId(random_));
  builder.addUsername(kLocal.ufrag + ":" + kRemote.ufrag).addIceControlling(1);
  builder.addMessageIntegrity(kLocal.pwd)
      .addMessageIntegritySha256("wrong-password-wrong-pw")
      .addFingerprint();
  auto wrongSha256 = builder.finish();
  ASSERT_TRUE(wrongSha256);
  EXPECT_EQ(errorCodeOf(exchange(*wrongSha256, kPeerA), *wrongSha256), 401);
}

// --- Errors ------------------------------------------------------------------------------------------------

TEST_F(IceLiteAgentTest, MissingUsernameIs400) {
  const Bytes request = build(Check{.username = std::nullopt});
  const Bytes response = exchange(request, kPeerA);
  EXPECT_EQ(errorCodeOf(response, request), 400);
  EXPECT_FALSE(hasIntegrity(response));
  EXPECT_EQ(agent_->stats().badUsername, 1U);
  EXPECT_EQ(agent_->stats().errorResponses, 1U);
  EXPECT_FALSE(agent_->validated(kPeerA));
  EXPECT_FALSE(agent_->selected());
}

TEST_F(IceLiteAgentTest, MissingIntegrityIs400EvenWithAWrongUsername) {
  // RFC 8489 §9.1.3 checks that both are present before it looks at the USERNAME's value.
  for (const std::string& username : {kLocal.ufrag + ":" + kRemote.ufrag, std::string("nope:nope")}) {
    const Bytes request = build(Check{.username = username, .integrity = Integrity::kNone});
    const Bytes response = exchange(request, kPeerA);
    EXPECT_EQ(errorCodeOf(response, request), 400) << username;
    EXPECT_FALSE(hasIntegrity(response));
  }
  EXPECT_EQ(agent_->stats().badIntegrity, 2U);
  EXPECT_FALSE(agent_->validated(kPeerA));
}

TEST_F(IceLiteAgentTest, WrongUsernameIs401) {
  for (const std::string& username :
       {"XXXX:" + kRemote.ufrag, kLocal.ufrag + ":XXXX", kLocal.ufrag, kLocal.ufrag + ":",
        kLocal.ufrag + "x:" + kRemote.ufrag, kLocal.ufrag + ":" + kRemote.ufrag + "x", std::string(":")}) {
    const Bytes request = build(Check{.username = username});
    const Bytes response = exchange(request, kPeerA);
    EXPECT_EQ(errorCodeOf(response, request), 401) << username;
    EXPECT_FALSE(hasIntegrity(response)) << username;
  }
  EXPECT_EQ(agent_->stats().badUsername, 7U);
  EXPECT_EQ(agent_->stats().successResponses, 0U);
  EXPECT_FALSE(agent_->validated(kPeerA));
  EXPECT_TRUE(selections_.empty());
}

TEST_F(IceLiteAgentTest, WrongIntegrityIs401WithoutIntegrityInTheResponse) {
  for (const Integrity integrity : {Integrity::kSha1, Integrity::kSha256}) {
    // Keyed with the sender's own password: the classic mistake.
    const Bytes request = build(Check{.integrity = integrity, .key = kRemote.pwd});
    const Bytes response = exchange(request, kPeerA);
    EXPECT_EQ(errorCodeOf(response, request), 401);
    const auto parsed = stun::parseStun(response);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->find(stun::attr::kMessageIntegrity), nullptr);
    EXPECT_EQ(parsed->find(stun::attr::kMessageIntegritySha256), nullptr);
    EXPECT_EQ(parsed->find(stun::attr::kUsername), nullptr);
  }
  EXPECT_EQ(agent_->stats().badIntegrity, 2U);
  EXPECT_FALSE(agent_->validated(kPeerA));
  EXPECT_TRUE(selections_.empty());
}

TEST_F(IceLiteAgentTest, TamperedRequestIs401) {
  Bytes request = build(Check{});
  // Change PRIORITY's value after sealing, then fix FINGERPRINT so only MESSAGE-INTEGRITY can notice.
  const auto parsed = stun::parseStun(request);
  ASSERT_TRUE(parsed);
  const stun::StunAttribute* priority = parsed->find(stun::attr::kPriority);
  const stun::StunAttribute* fingerprint = parsed->find(stun::attr::kFingerprint);
  ASSERT_NE(priority, nullptr);
  ASSERT_NE(fingerprint, nullptr);
  const size_t priorityOffset = priority->offset;
  const size_t fingerprintOffset = fingerprint->offset;
  request[priorityOffset + 4] ^= 0x01;
  const uint32_t crc =
      stun::crc32(std::span<const uint8_t>(request).first(fingerprintOffset)) ^ stun::kFingerprintXor;
  for (int i = 0; i < 4; ++i) request[fingerprintOffset + 4 + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
  EXPECT_EQ(errorCodeOf(exchange(request, kPeerA), request), 401);
}

TEST_F(IceLiteAgentTest, UnknownComprehensionRequiredAttributeIs420ListingIt) {
  const Bytes request = build(Check{.extra = {{kUnknownRequired, Bytes{1, 2, 3, 4}}}});
  const Bytes response = exchange(request, kPeerA);
  EXPECT_EQ(errorCodeOf(response, request), 420);
  const auto parsed = stun::parseStun(response);
  ASSERT_TRUE(parsed);
  const auto unknown = parsed->unknownAttributes();
  ASSERT_TRUE(unknown && unknown->has_value());
  EXPECT_EQ(**unknown, std::vector<uint16_t>{kUnknownRequired});
  // The request was authenticated, so the error is too (RFC 8489 §9.1.3).
  EXPECT_TRUE(stun::checkMessageIntegrity(*parsed, kLocal.pwd));
  EXPECT_FALSE(agent_->validated(kPeerA));
  EXPECT_TRUE(selections_.empty());
}

TEST_F(IceLiteAgentTest, UnknownRequiredAttributeFromAStrangerIs401Not420) {
  // Authentication comes first (RFC 8489 §6.3): an unauthenticated sender learns nothing about attributes.
  const Bytes request = build(Check{.key = kRemote.pwd, .extra = {{kUnknownRequired, Bytes{1, 2, 3, 4}}}});
  EXPECT_EQ(errorCodeOf(exchange(request, kPeerA), request), 401);
}

TEST_F(IceLiteAgentTest, IceControlledIs487RoleConflict) {
  const Bytes request = build(Check{.controlled = true});
  const Bytes response = exchange(request, kPeerA);
  EXPECT_EQ(errorCodeOf(response, request), 487);
  const auto parsed = stun::parseStun(response);
  ASSERT_TRUE(parsed);
  EXPECT_EQ((*parsed->errorCode())->reason, "Role Conflict");
  EXPECT_TRUE(stun::checkMessageIntegrity(*parsed, kLocal.pwd));
  EXPECT_EQ(agent_->stats().roleConflicts, 1U);
  EXPECT_EQ(agent_->stats().nominations, 0U);
  EXPECT_FALSE(agent_->validated(kPeerA));
  EXPECT_FALSE(agent_->selected());
}

TEST_F(IceLiteAgentTest, MalformedIceAttributeIs400) {
  // USE-CANDIDATE with a value, PRIORITY of 2 bytes: authenticated but malformed.
  const Bytes badUseCandidate =
      build(Check{.useCandidate = false, .extra = {{stun::attr::kUseCandidate, Bytes{0, 0, 0, 1}}}});
  const Bytes response = exchange(badUseCandidate, kPeerA);
  EXPECT_EQ(errorCodeOf(response, badUseCandidate), 400);
  EXPECT_TRUE(hasIntegrity(response));
  StunBuilder builder(StunClass::kRequest, stun::kMethodBinding, stun::newTransactionId(random_));
  builder.addUsername(kLocal.ufrag + ":" + kRemote.ufrag).addAttribute(stun::attr::kPriority, Bytes{0, 1});
  const auto badPriority = builder.finish(Integrity::kSha1, kLocal.pwd);
  ASSERT_TRUE(badPriority);
  EXPECT_EQ(errorCodeOf(exchange(*badPriority, kPeerA), *badPriority), 400);
  EXPECT_FALSE(agent_->validated(kPeerA));
  EXPECT_TRUE(selections_.empty());
}

TEST_F(IceLiteAgentTest, OtherMethodIs400) {
  const uint16_t allocate = 0x003;
  const Bytes request = build(Check{.method = allocate});
  const Bytes response = exchange(request, kPeerA);
  EXPECT_EQ(errorCodeOf(response, request), 400);  // also checks the method is echoed
  EXPECT_EQ(agent_->stats().requests, 0U);         // not a Binding request
  EXPECT_FALSE(agent_->validated(kPeerA));
}

TEST_F(IceLiteAgentTest, MissingOrWrongFingerprintIsDroppedSilently) {
  agent_->receive(build(Check{.fingerprint = false}), kPeerA);
  Bytes corrupted = build(Check{});
  corrupted.back() ^= 0x80;
  agent_->receive(corrupted, kPeerA);
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(agent_->stats().dropped, 2U);
  EXPECT_EQ(agent_->stats().requests, 0U);
  EXPECT_FALSE(agent_->validated(kPeerA));
}

TEST_F(IceLiteAgentTest, ResponsesAndIndicationsAreDropped) {
  agent_->receive(build(Check{.cls = StunClass::kIndication}), kPeerA);
  agent_->receive(build(Check{.cls = StunClass::kSuccessResponse}), kPeerA);
  agent_->receive(build(Check{.cls = StunClass::kErrorResponse}), kPeerA);
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(agent_->stats().dropped, 3U);
  EXPECT_FALSE(agent_->validated(kPeerA));
  EXPECT_TRUE(selections_.empty());
}

// --- Credentials -------------------------------------------------------------------------------------------

TEST_F(IceLiteAgentTest, BeforeRemoteCredentialsOnlyTheLocalUfragIsChecked) {
  makeAgent({}, /*withRemote=*/false);
  EXPECT_EQ(classOf(exchange(Check{.username = kLocal.ufrag + ":anything"}, kPeerA)),
            StunClass::kSuccessResponse);
  const Bytes wrongLocal = build(Check{.username = "XXXX:anything"});
  EXPECT_EQ(errorCodeOf(exchange(wrongLocal, kPeerA), wrongLocal), 401);
  const Bytes wrongKey = build(Check{.username = kLocal.ufrag + ":anything", .key = kRemote.pwd});
  EXPECT_EQ(errorCodeOf(exchange(wrongKey, kPeerA), wrongKey), 401);

  agent_->setRemoteCredentials(kRemote);
  const Bytes nowWrong = build(Check{.username = kLocal.ufrag + ":anything"});
  EXPECT_EQ(errorCodeOf(exchange(nowWrong, kPeerB), nowWrong), 401);
  EXPECT_EQ(classOf(exchange(Check{}, kPeerB)), StunClass::kSuccessResponse);
}

TEST(IceCredentialsTest, GeneratedCredentialsAreIceCharsOfTheRightLength) {
  core::SeededRandom random(5);
  const auto isIceChar = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
  };
  std::set<char> seen;
  std::set<std::string> ufrags;
  for (int i = 0; i < 200; ++i) {
    const IceCredentials credentials = generateCredentials(random);
    ASSERT_EQ(credentials.ufrag.size(), 8U);
    ASSERT_EQ(credentials.pwd.size(), 24U);
    for (const char c : credentials.ufrag + credentials.pwd) {
      ASSERT_TRUE(isIceChar(c)) << credentials.ufrag << " " << credentials.pwd;
      seen.insert(c);
    }
    ufrags.insert(credentials.ufrag);
  }
  EXPECT_EQ(seen.size(), 64U);     // the whole alphabet is used (full entropy per character)
  EXPECT_EQ(ufrags.size(), 200U);  // 48 random bits: no repeats in 200
}

TEST(IceCredentialsTest, LocalUfragOfReadsTheUsername) {
  core::SeededRandom random(1);
  const auto messageWith = [&](std::optional<std::string_view> username) {
    StunBuilder builder(StunClass::kRequest, stun::kMethodBinding, stun::newTransactionId(random));
    if (username) builder.addUsername(*username);
    return *builder.finish(Integrity::kNone, {});
  };
  const Bytes full = messageWith("abcd:efgh");
  EXPECT_EQ(localUfragOf(*stun::parseStun(full)), "abcd");
  const Bytes noColon = messageWith("abcd");
  EXPECT_EQ(localUfragOf(*stun::parseStun(noColon)), std::nullopt);
  const Bytes none = messageWith(std::nullopt);
  EXPECT_EQ(localUfragOf(*stun::parseStun(none)), std::nullopt);
}

TEST(IceCredentialsTest, FailureNames) {
  EXPECT_EQ(toString(IceFailure::kConnectTimeout), "connect timeout");
  EXPECT_EQ(toString(IceFailure::kConsentExpired), "consent expired");
}

// --- Nomination and the validated set ----------------------------------------------------------------------

TEST_F(IceLiteAgentTest, CheckWithoutUseCandidateValidatesButDoesNotSelect) {
  exchange(Check{.useCandidate = false}, kPeerA);
  EXPECT_TRUE(agent_->validated(kPeerA));
  EXPECT_FALSE(agent_->selected());
  EXPECT_TRUE(selections_.empty());
  EXPECT_EQ(agent_->stats().nominations, 0U);

  exchange(Check{}, kPeerA);
  EXPECT_EQ(agent_->selected(), kPeerA);
  exchange(Check{}, kPeerA);  // nominated again: not a change
  EXPECT_EQ(selections_, std::vector<StunAddress>{kPeerA});
  EXPECT_EQ(agent_->stats().nominations, 2U);
}

TEST_F(IceLiteAgentTest, RenominationMovesTheSelection) {
  exchange(Check{}, kPeerA);
  exchange(Check{.useCandidate = false}, kPeerB);
  EXPECT_EQ(agent_->selected(), kPeerA);  // a plain check does not move it
  exchange(Check{}, kPeerB);
  EXPECT_EQ(agent_->selected(), kPeerB);
  EXPECT_EQ(selections_, (std::vector<StunAddress>{kPeerA, kPeerB}));
  EXPECT_TRUE(agent_->validated(kPeerA));  // still allowed: media may be in flight on the old path
  exchange(Check{}, kPeerA);
  EXPECT_EQ(selections_, (std::vector<StunAddress>{kPeerA, kPeerB, kPeerA}));
}

TEST_F(IceLiteAgentTest, ValidatedOnlyForAddressesWithAValidCheck) {
  exchange(Check{}, kPeerA);
  EXPECT_TRUE(agent_->validated(kPeerA));
  EXPECT_FALSE(agent_->validated(kPeerB));
  EXPECT_FALSE(agent_->validated(StunAddress::ipv4({192, 0, 2, 10}, 50001)));  // same IP, other port
  exchange(Check{.key = kRemote.pwd}, kPeerB);                                 // 401
  exchange(Check{.controlled = true}, kPeerB);                                 // 487
  exchange(Check{.username = std::nullopt}, kPeerB);                           // 400
  agent_->receive(build(Check{.fingerprint = false}), kPeerB);                 // dropped
  EXPECT_FALSE(agent_->validated(kPeerB));
}

TEST_F(IceLiteAgentTest, ValidatedListIsBoundedDroppingTheLeastRecentlyChecked) {
  makeAgent(IceLiteConfig{.maxValidatedAddresses = 3});
  const auto peer = [](uint8_t n) { return StunAddress::ipv4({203, 0, 113, n}, 4000); };
  exchange(Check{}, peer(1));  // selected
  for (uint8_t n = 2; n <= 5; ++n) exchange(Check{.useCandidate = false}, peer(n));
  EXPECT_TRUE(agent_->validated(peer(1)));  // the selected address stays validated
  EXPECT_FALSE(agent_->validated(peer(2)));
  for (uint8_t n = 3; n <= 5; ++n) EXPECT_TRUE(agent_->validated(peer(n))) << int{n};

  exchange(Check{.useCandidate = false}, peer(3));  // checked again: now the most recent
  exchange(Check{.useCandidate = false}, peer(6));  // drops 4, the least recently checked
  EXPECT_TRUE(agent_->validated(peer(3)));
  EXPECT_FALSE(agent_->validated(peer(4)));
  EXPECT_TRUE(agent_->validated(peer(5)));
  EXPECT_TRUE(agent_->validated(peer(6)));

  // Hundreds of addresses (a spray of spoofed-source checks would need the password; a peer with many
  // interfaces does not) keep it at the bound.
  for (int n = 0; n < 300; ++n) {
    exchange(Check{.useCandidate = false}, StunAddress::ipv4({10, 0, 1, 1}, static_cast<uint16_t>(n + 1)));
  }
  int validatedCount = 0;
  for (int n = 0; n < 300; ++n) {
    validatedCount += agent_->validated(StunAddress::ipv4({10, 0, 1, 1}, static_cast<uint16_t>(n + 1)));
  }
  EXPECT_EQ(validatedCount, 3);
  EXPECT_TRUE(agent_->validated(peer(1)));
}

TEST_F(IceLiteAgentTest, DuplicatesAreAnsweredAgainIdentically) {
  const Bytes request = build(Check{});
  const Bytes first = exchange(request, kPeerA);
  const Bytes second = exchange(request, kPeerA);  // a retransmission: RFC 8489 §6.3.1 lets a server redo it
  EXPECT_EQ(first, second);
  EXPECT_EQ(selections_.size(), 1U);
  EXPECT_EQ(agent_->stats().successResponses, 2U);
}

TEST_F(IceLiteAgentTest, ReorderedRequestsAreEachAnswered) {
  const Bytes plain = build(Check{.useCandidate = false});
  const Bytes nominating = build(Check{});
  const Bytes late = exchange(nominating, kPeerA);
  const Bytes early = exchange(plain, kPeerA);
  EXPECT_EQ(stun::parseStun(late)->transactionId(), stun::parseStun(nominating)->transactionId());
  EXPECT_EQ(stun::parseStun(early)->transactionId(), stun::parseStun(plain)->transactionId());
  EXPECT_EQ(stun::parseStun(early)->messageClass(), StunClass::kSuccessResponse);
  EXPECT_EQ(agent_->selected(), kPeerA);  // the older, plain check does not undo the nomination
  EXPECT_EQ(selections_.size(), 1U);
}

// --- Consent and timeouts ----------------------------------------------------------------------------------

TEST_F(IceLiteAgentTest, ConsentKeptAliveOverMinutesWithLossThenExpiresExactlyOnce) {
  agent_->start();
  exchange(Check{}, kPeerA);
  core::TimePoint lastValid = clock_.now();
  // Chrome sends a consent check about every 2.5 s (RFC 7675 §5.1: 4-6 s, randomised; faster is fine). One in
  // three is lost on the way.
  for (int i = 1; i <= 120; ++i) {  // 5 minutes
    advance(2500ms);
    if (i % 3 == 0) continue;
    exchange(Check{.useCandidate = i % 2 == 0}, kPeerA);
    lastValid = clock_.now();
  }
  EXPECT_TRUE(failures_.empty());
  EXPECT_FALSE(agent_->failed());

  advanceTo(lastValid + 30s - 1ms);
  EXPECT_TRUE(failures_.empty());
  advanceTo(lastValid + 30s);
  ASSERT_EQ(failures_.size(), 1U);
  EXPECT_EQ(failures_[0].first, IceFailure::kConsentExpired);
  EXPECT_EQ(failureTimes_[0], lastValid + 30s);
  EXPECT_NE(failures_[0].second.find(kPeerA.toString()), std::string::npos) << failures_[0].second;
  EXPECT_NE(failures_[0].second.find("30 s"), std::string::npos) << failures_[0].second;
  EXPECT_TRUE(agent_->failed());
  EXPECT_FALSE(agent_->validated(kPeerA));

  advance(10min);
  EXPECT_EQ(failures_.size(), 1U);
}

TEST_F(IceLiteAgentTest, OnlyValidChecksFromTheSelectedAddressRenewConsent) {
  makeAgent(IceLiteConfig{.consentTimeout = 10s});
  exchange(Check{}, kPeerA);
  const core::TimePoint nominated = clock_.now();
  exchange(Check{.useCandidate = false}, kPeerB);
  for (int i = 0; i < 8; ++i) {
    advance(1s);
    exchange(Check{.useCandidate = false}, kPeerB);  // valid, but from another address
    exchange(Check{.key = kRemote.pwd}, kPeerA);     // from the selected address, but 401
    agent_->receive(build(Check{.fingerprint = false}), kPeerA);
  }
  advanceTo(nominated + 10s);
  ASSERT_EQ(failures_.size(), 1U);
  EXPECT_EQ(failureTimes_[0], nominated + 10s);
  EXPECT_EQ(failures_[0].first, IceFailure::kConsentExpired);
  EXPECT_NE(failures_[0].second.find("10 s"), std::string::npos) << failures_[0].second;
}

TEST_F(IceLiteAgentTest, ConsentFollowsTheNewSelection) {
  exchange(Check{}, kPeerA);
  advance(20s);
  exchange(Check{}, kPeerB);
  const core::TimePoint moved = clock_.now();
  for (int i = 0; i < 14; ++i) {  // A keeps checking; consent is now B's to give
    advance(2s);
    exchange(Check{.useCandidate = false}, kPeerA);
  }
  advanceTo(moved + 30s - 1ms);
  EXPECT_TRUE(failures_.empty());
  advanceTo(moved + 30s);
  ASSERT_EQ(failures_.size(), 1U);
  EXPECT_EQ(failureTimes_[0], moved + 30s);
  EXPECT_NE(failures_[0].second.find(kPeerB.toString()), std::string::npos) << failures_[0].second;
}

TEST_F(IceLiteAgentTest, ConnectTimeoutWithoutNomination) {
  agent_->start();
  advance(5s);
  exchange(Check{.useCandidate = false}, kPeerA);  // checks without a nomination do not connect
  advanceTo(core::TimePoint{} + 20s - 1ms);
  EXPECT_TRUE(failures_.empty());
  advanceTo(core::TimePoint{} + 20s);
  ASSERT_EQ(failures_.size(), 1U);
  EXPECT_EQ(failures_[0].first, IceFailure::kConnectTimeout);
  EXPECT_EQ(failureTimes_[0], core::TimePoint{} + 20s);
  EXPECT_NE(failures_[0].second.find("20 s"), std::string::npos) << failures_[0].second;
  EXPECT_NE(failures_[0].second.find("USE-CANDIDATE"), std::string::npos) << failures_[0].second;
  advance(5min);
  EXPECT_EQ(failures_.size(), 1U);
}

TEST_F(IceLiteAgentTest, ConnectTimeoutNamesRejectedChecks) {
  agent_->start();
  exchange(Check{.key = kRemote.pwd}, kPeerA);
  advance(20s);
  ASSERT_EQ(failures_.size(), 1U);
  EXPECT_NE(failures_[0].second.find("1 with a wrong MESSAGE-INTEGRITY"), std::string::npos)
      << failures_[0].second;
}

TEST_F(IceLiteAgentTest, NominationStopsTheConnectTimeout) {
  agent_->start();
  advance(10s);
  exchange(Check{}, kPeerA);
  const core::TimePoint nominated = clock_.now();
  advanceTo(nominated + 30s - 1ms);  // well past the 20 s connect timeout
  EXPECT_TRUE(failures_.empty());
  advanceTo(nominated + 30s);
  ASSERT_EQ(failures_.size(), 1U);
  EXPECT_EQ(failures_[0].first, IceFailure::kConsentExpired);
}

TEST_F(IceLiteAgentTest, NominationBeforeStartMeansNoConnectTimeout) {
  exchange(Check{}, kPeerA);
  agent_->start();
  for (int i = 0; i < 20; ++i) {
    advance(2s);
    exchange(Check{.useCandidate = false}, kPeerA);
  }
  EXPECT_TRUE(failures_.empty());
}

TEST_F(IceLiteAgentTest, NothingIsAnsweredAfterFailure) {
  agent_->start();
  advance(20s);
  ASSERT_TRUE(agent_->failed());
  const uint64_t dropped = agent_->stats().dropped;
  agent_->receive(build(Check{}), kPeerA);
  EXPECT_TRUE(sent_.empty());
  EXPECT_TRUE(selections_.empty());
  EXPECT_FALSE(agent_->selected());
  EXPECT_FALSE(agent_->validated(kPeerA));
  EXPECT_EQ(agent_->stats().dropped, dropped + 1);
  agent_->start();  // no new timer
  advance(1min);
  EXPECT_EQ(failures_.size(), 1U);
}

// --- Lifetime ----------------------------------------------------------------------------------------------

TEST_F(IceLiteAgentTest, DestructionPostedFromOnFailedIsSafe) {
  destroyOnFailure_ = true;
  exchange(Check{}, kPeerA);
  advance(31s);  // consent expires, onFailed posts the destruction, which runs in the same advance
  ASSERT_EQ(failures_.size(), 1U);
  EXPECT_EQ(agent_, nullptr);
  EXPECT_EQ(timers_.pending(), 0U);
  advance(5min);
  EXPECT_EQ(failures_.size(), 1U);
}

TEST_F(IceLiteAgentTest, DestroyingCancelsItsTimers) {
  agent_->start();
  exchange(Check{.useCandidate = false}, kPeerA);
  EXPECT_EQ(timers_.pending(), 1U);  // connect
  exchange(Check{}, kPeerA);
  EXPECT_EQ(timers_.pending(), 1U);  // consent replaced connect
  agent_.reset();
  EXPECT_EQ(timers_.pending(), 0U);
  advance(5min);
  EXPECT_TRUE(failures_.empty());
}

// --- Garbage -----------------------------------------------------------------------------------------------

TEST_F(IceLiteAgentTest, RandomDatagramsAreDropped) {
  core::SeededRandom garbage(99);
  size_t delivered = 0;
  for (size_t size = 0; size <= 300; ++size) {
    Bytes datagram(size);
    garbage.fill(datagram);
    agent_->receive(datagram, kPeerA);
    ++delivered;
    if (size >= 20) {  // with a STUN header: request type, the cookie and a matching length
      datagram[0] = 0x00;
      datagram[1] = 0x01;
      datagram[2] = static_cast<uint8_t>((size - 20) >> 8);
      datagram[3] = static_cast<uint8_t>(size - 20);
      datagram[4] = 0x21;
      datagram[5] = 0x12;
      datagram[6] = 0xA4;
      datagram[7] = 0x42;
      agent_->receive(datagram, kPeerA);
      ++delivered;
    }
  }
  EXPECT_EQ(agent_->stats().dropped, delivered);
  EXPECT_TRUE(sent_.empty());
  EXPECT_FALSE(agent_->validated(kPeerA));
}

TEST_F(IceLiteAgentTest, EveryBitFlipOfACheckIsDropped) {
  const Bytes request = build(Check{});
  size_t delivered = 0;
  for (size_t bit = 0; bit < request.size() * 8; ++bit) {
    Bytes flipped = request;
    flipped[bit / 8] ^= static_cast<uint8_t>(1U << (bit % 8));
    agent_->receive(flipped, kPeerA);
    ++delivered;
  }
  // FINGERPRINT's CRC-32 catches every single-bit error; a flip in the header fails the parse.
  EXPECT_EQ(agent_->stats().dropped, delivered);
  EXPECT_TRUE(sent_.empty());
}

TEST_F(IceLiteAgentTest, MutatedChecksWithAValidFingerprintNeverCrashAndGetOneAnswerEach) {
  // Mutations past the FINGERPRINT gate: random bytes of the body changed, then FINGERPRINT recomputed, so
  // every later stage sees hostile input. Each datagram is dropped or answered exactly once.
  core::SeededRandom mutator(4);
  size_t delivered = 0;
  for (int round = 0; round < 3000; ++round) {
    Bytes datagram = build(Check{.useCandidate = round % 2 == 0,
                                 .integrity = round % 3 == 0 ? Integrity::kSha256 : Integrity::kSha1});
    const size_t fingerprintOffset = datagram.size() - 8;
    const int mutations = 1 + static_cast<int>(mutator.next64() % 4);
    for (int m = 0; m < mutations; ++m) {
      const size_t at = stun::kHeaderSize + mutator.next64() % (fingerprintOffset - stun::kHeaderSize);
      datagram[at] = static_cast<uint8_t>(mutator.next64());
    }
    const uint32_t crc =
        stun::crc32(std::span<const uint8_t>(datagram).first(fingerprintOffset)) ^ stun::kFingerprintXor;
    for (int i = 0; i < 4; ++i)
      datagram[fingerprintOffset + 4 + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
    agent_->receive(datagram, kPeerB);
    ++delivered;
  }
  const IceStats& stats = agent_->stats();
  EXPECT_EQ(stats.dropped + stats.successResponses + stats.errorResponses, delivered);
  EXPECT_EQ(sent_.size(), stats.successResponses + stats.errorResponses);
  EXPECT_GT(stats.errorResponses, 0U);
  for (const Sent& sent : sent_) {
    const auto parsed = stun::parseStun(sent.bytes);
    ASSERT_TRUE(parsed);
    EXPECT_TRUE(stun::checkFingerprint(*parsed));
    EXPECT_NE(parsed->messageClass(), StunClass::kRequest);
  }
}

}  // namespace
}  // namespace callgate::webrtc::ice
