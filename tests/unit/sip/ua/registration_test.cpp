#include "sip/ua/registration.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "sip/message/header_values.hpp"
#include "sip/message/parser.hpp"
#include "sip/message/writer.hpp"

namespace callgate::sip {
namespace {

using std::chrono::seconds;

// Everything the UA sends, kept; the test plays the registrar by answering the last request.
class CapturingSink final : public TransportSink {
 public:
  bool send(const Endpoint& to, std::string_view bytes) override {
    sent.push_back({to, std::string(bytes)});
    return !failSends;
  }
  struct Sent {
    Endpoint to;
    std::string bytes;
  };
  std::vector<Sent> sent;
  bool failSends = false;
};

class RegistrationTest : public ::testing::Test {
 protected:
  RegistrationTest() {
    config_.registrarUri = "sip:127.0.0.1";
    config_.aor = "<sip:3000@127.0.0.1>";
    config_.contact = "<sip:3000@127.0.0.1:5070;cg=k1>";
    config_.credentials = {"3000", "1234"};
    config_.expires = seconds(60);
    config_.nextHop = registrar_;
    config_.sentBy = "127.0.0.1:5070";
    config_.userAgent = "callgate-test";
  }

  void make() {
    registration_ =
        std::make_unique<Registration>(layer_, timers_, random_, config_,
                                       [this](const Registration::Outcome& o) { outcomes_.push_back(o); });
  }

  // The n-th REGISTER sent (0-based), parsed; the test keeps the text alive in the sink.
  Message request(size_t n) {
    EXPECT_LT(n, sink_.sent.size());
    auto m = parseMessage(sink_.sent.at(n).bytes);
    EXPECT_TRUE(m) << (m ? "" : m.error().message);
    return m ? *m : Message{};
  }
  Message last() { return request(sink_.sent.size() - 1); }

  // Answers `req` as a registrar would (RFC 3261 §8.2.6: Via, From, To with a tag, Call-ID, CSeq copied).
  void answer(const Message& req, std::string_view status, std::string_view extra = "") {
    std::string text = "SIP/2.0 " + std::string(status) + "\r\n";
    for (const HeaderField& f : req.headers()) {
      if (f.id == HeaderId::kVia) text += "Via: " + std::string(f.value) + ";received=127.0.0.1\r\n";
    }
    text += "From: " + std::string(req.headerValue(HeaderId::kFrom)) + "\r\n";
    text += "To: " + std::string(req.headerValue(HeaderId::kTo)) + ";tag=reg1\r\n";
    text += "Call-ID: " + std::string(req.headerValue(HeaderId::kCallId)) + "\r\n";
    text += "CSeq: " + std::string(req.headerValue(HeaderId::kCSeq)) + "\r\n";
    text += std::string(extra);
    text += "Content-Length: 0\r\n\r\n";
    responses_.push_back(text);  // the parsed message views this text
    auto m = parseMessage(responses_.back());
    ASSERT_TRUE(m) << m.error().message;
    layer_.receive(*m, registrar_);
  }

  void advance(seconds s) { timers_.advanceTo(clock_, clock_.now() + s); }

  static std::string authorizationOf(const Message& m) {
    const HeaderField* f = m.header(HeaderId::kAuthorization);
    return f != nullptr ? std::string(f->value) : std::string();
  }

  const Endpoint registrar_{TransportProtocol::kUdp, "127.0.0.1", 5060};
  core::ManualClock clock_;
  core::TimerQueue timers_{clock_};
  CapturingSink sink_;
  TransactionLayer layer_{timers_, sink_};
  core::SeededRandom random_{7};
  RegistrationConfig config_;
  std::vector<Registration::Outcome> outcomes_;
  std::vector<std::string> responses_;
  std::unique_ptr<Registration> registration_;
};

constexpr std::string_view kChallenge =
    "WWW-Authenticate: Digest realm=\"127.0.0.1\", nonce=\"n1\", qop=\"auth\"\r\n";

TEST_F(RegistrationTest, ChallengedRegisteredThenRefreshedBeforeExpiry) {
  make();
  registration_->start();
  ASSERT_EQ(sink_.sent.size(), 1u);
  const Message first = request(0);
  EXPECT_EQ(first.method(), "REGISTER");
  EXPECT_EQ(first.requestUri(), "sip:127.0.0.1");
  EXPECT_EQ(first.headerValue(HeaderId::kCSeq), "1 REGISTER");
  EXPECT_EQ(first.headerValue(HeaderId::kExpires), "60");
  EXPECT_EQ(first.headerValue(HeaderId::kContact), "<sip:3000@127.0.0.1:5070;cg=k1>");
  EXPECT_EQ(first.header(HeaderId::kAuthorization), nullptr);
  EXPECT_EQ(sink_.sent[0].to, registrar_);

  answer(first, "401 Unauthorized", kChallenge);
  ASSERT_EQ(sink_.sent.size(), 2u);
  const Message second = request(1);
  EXPECT_EQ(second.headerValue(HeaderId::kCSeq), "2 REGISTER");
  EXPECT_EQ(second.headerValue(HeaderId::kCallId), first.headerValue(HeaderId::kCallId));
  EXPECT_NE(parseVia(second.headerValue(HeaderId::kVia))->branch,
            parseVia(first.headerValue(HeaderId::kVia))->branch);
  const std::string auth = authorizationOf(second);
  EXPECT_NE(auth.find("username=\"3000\""), std::string::npos) << auth;
  EXPECT_NE(auth.find("nc=00000001"), std::string::npos) << auth;
  EXPECT_TRUE(outcomes_.empty());

  answer(second, "200 OK", "Contact: <sip:3000@127.0.0.1:5070;cg=k1>;expires=50\r\nExpires: 3600\r\n");
  ASSERT_EQ(outcomes_.size(), 1u);
  EXPECT_EQ(outcomes_[0].state, Registration::State::kRegistered);
  EXPECT_EQ(outcomes_[0].expires, seconds(50));  // the Contact's expires wins over Expires (§10.2.4)
  EXPECT_EQ(outcomes_[0].sipStatus, 200);

  advance(seconds(24));  // 50 s is under twice the 30 s margin: refresh at half-life, 25 s
  EXPECT_EQ(sink_.sent.size(), 2u);
  advance(seconds(1));
  ASSERT_EQ(sink_.sent.size(), 3u);
  const Message refresh = request(2);
  EXPECT_EQ(refresh.headerValue(HeaderId::kCSeq), "3 REGISTER");
  EXPECT_NE(authorizationOf(refresh).find("nc=00000002"), std::string::npos);  // the nonce is reused
  answer(refresh, "200 OK", "Expires: 3600\r\n");
  ASSERT_EQ(outcomes_.size(), 2u);
  EXPECT_EQ(outcomes_[1].expires, seconds(3600));
  advance(seconds(3569));  // a long binding refreshes 30 s before it ends
  EXPECT_EQ(sink_.sent.size(), 3u);
  advance(seconds(1));
  EXPECT_EQ(sink_.sent.size(), 4u);
  EXPECT_EQ(registration_->state(), Registration::State::kRegistered);
}

TEST_F(RegistrationTest, WrongPasswordFailsWithTheReason) {
  make();
  registration_->start();
  answer(request(0), "401 Unauthorized", kChallenge);
  answer(request(1), "401 Unauthorized", kChallenge);
  ASSERT_EQ(outcomes_.size(), 1u);
  EXPECT_EQ(outcomes_[0].state, Registration::State::kFailed);
  EXPECT_EQ(outcomes_[0].sipStatus, 401);
  EXPECT_NE(outcomes_[0].reason.find("wrong credentials"), std::string::npos) << outcomes_[0].reason;
  EXPECT_EQ(sink_.sent.size(), 2u);
}

TEST_F(RegistrationTest, OutboundProxyRouteOnEveryRegister) {
  // RFC 3261 §8.1.2: the preloaded Route of the outbound proxy on the first REGISTER, its challenged re-send
  // and the unREGISTER; the Request-URI stays the registrar's domain.
  config_.routeSet = {"<sip:127.0.0.1:5080;lr>"};
  make();
  registration_->start();
  answer(request(0), "401 Unauthorized", kChallenge);
  answer(request(1), "200 OK", "Contact: <sip:3000@127.0.0.1:5070;cg=k1>;expires=60\r\n");
  registration_->unregister();
  ASSERT_EQ(sink_.sent.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const Message m = request(i);
    EXPECT_EQ(m.headerValue(HeaderId::kRoute), "<sip:127.0.0.1:5080;lr>") << i;
    EXPECT_EQ(m.requestUri(), "sip:127.0.0.1") << i;
  }
}

TEST_F(RegistrationTest, IntervalTooBriefRetriesWithMinExpires) {
  make();
  registration_->start();
  answer(request(0), "423 Interval Too Brief", "Min-Expires: 300\r\n");
  ASSERT_EQ(sink_.sent.size(), 2u);
  EXPECT_EQ(request(1).headerValue(HeaderId::kExpires), "300");
  answer(request(1), "200 OK", "Expires: 300\r\n");
  ASSERT_EQ(outcomes_.size(), 1u);
  EXPECT_EQ(outcomes_[0].expires, seconds(300));
}

TEST_F(RegistrationTest, RefusalCarriesStatusAndReasonPhrase) {
  make();
  registration_->start();
  answer(request(0), "403 Forbidden");
  ASSERT_EQ(outcomes_.size(), 1u);
  EXPECT_EQ(outcomes_[0].state, Registration::State::kFailed);
  EXPECT_EQ(outcomes_[0].sipStatus, 403);
  EXPECT_NE(outcomes_[0].reason.find("403 Forbidden"), std::string::npos);
}

TEST_F(RegistrationTest, NoAnswerTimesOutAfterTimerF) {
  make();
  registration_->start();
  advance(seconds(31));
  EXPECT_TRUE(outcomes_.empty());
  advance(seconds(2));  // Timer F = 64*T1 = 32 s
  ASSERT_EQ(outcomes_.size(), 1u);
  EXPECT_EQ(outcomes_[0].sipStatus, 408);
  EXPECT_NE(outcomes_[0].reason.find("no answer from the registrar at udp:127.0.0.1:5060"),
            std::string::npos);
  EXPECT_GT(sink_.sent.size(), 5u);  // UDP retransmissions on the way
}

TEST_F(RegistrationTest, TransportErrorFailsAtOnce) {
  sink_.failSends = true;
  make();
  registration_->start();
  EXPECT_TRUE(outcomes_.empty());  // the layer reports errors from its loop, never inside sendRequest
  advance(seconds(0));
  ASSERT_EQ(outcomes_.size(), 1u);
  EXPECT_EQ(outcomes_[0].state, Registration::State::kFailed);
  EXPECT_EQ(outcomes_[0].sipStatus, 503);
}

TEST_F(RegistrationTest, UnregisterRemovesTheBindingAndStopsRefreshing) {
  make();
  registration_->start();
  answer(request(0), "200 OK", "Expires: 60\r\n");
  registration_->unregister();
  ASSERT_EQ(sink_.sent.size(), 2u);
  const Message removal = request(1);
  EXPECT_EQ(removal.headerValue(HeaderId::kExpires), "0");
  EXPECT_EQ(removal.headerValue(HeaderId::kCSeq), "2 REGISTER");
  answer(removal, "200 OK");
  ASSERT_EQ(outcomes_.size(), 2u);
  EXPECT_EQ(outcomes_[1].state, Registration::State::kUnregistered);
  advance(seconds(120));
  EXPECT_EQ(sink_.sent.size(), 2u);  // no refresh after unREGISTER
}

TEST_F(RegistrationTest, AnswerToAnOvertakenRequestIsIgnored) {
  make();
  registration_->start();
  registration_->unregister();  // before the first REGISTER was answered
  answer(request(0), "200 OK", "Expires: 60\r\n");
  EXPECT_TRUE(outcomes_.empty());
  answer(request(1), "200 OK");
  ASSERT_EQ(outcomes_.size(), 1u);
  EXPECT_EQ(outcomes_[0].state, Registration::State::kUnregistered);
}

TEST_F(RegistrationTest, DestroyedRegistrationHearsNothing) {
  make();
  registration_->start();
  const Message pending = request(0);
  registration_.reset();
  answer(pending, "200 OK", "Expires: 60\r\n");
  advance(seconds(100));
  EXPECT_TRUE(outcomes_.empty());
}

}  // namespace
}  // namespace callgate::sip
