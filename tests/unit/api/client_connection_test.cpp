// ClientConnection with real sessions, a real registration and a registrar played by the test, on a
// virtual clock (PROTOCOL.md §2, ADR 5).
#include "api/client_connection.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/wcs_message.hpp"
#include "sip/dns/server_locator.hpp"
#include "sip/message/parser.hpp"
#include "sip/ua/user_agent.hpp"

namespace callgate::api {
namespace {

using nlohmann::json;
using std::chrono::seconds;

class CapturingSink final : public sip::TransportSink {
 public:
  bool send(const sip::Endpoint& to, std::string_view bytes) override {
    sent.push_back({to, std::string(bytes)});
    return true;
  }
  struct Sent {
    sip::Endpoint to;
    std::string bytes;
  };
  std::vector<Sent> sent;
};

// Numeric hosts need no DNS; anything else fails as NXDOMAIN.
class NoDns final : public sip::DnsResolver {
 public:
  void query(sip::DnsRecordType, std::string, Callback callback) override {
    sip::DnsAnswer answer;
    answer.status = sip::DnsStatus::kNotFound;
    callback(answer);
  }
};

struct Client {
  std::unique_ptr<ClientConnection> connection;
  std::vector<Envelope> frames;
  std::optional<std::pair<uint16_t, std::string>> closed;

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& f : frames) out.push_back(f.name);
    return out;
  }
  const Envelope* last(std::string_view name) const {
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
      if (it->name == name) return &*it;
    }
    return nullptr;
  }
  size_t count(std::string_view name) const {
    size_t n = 0;
    for (const auto& f : frames) n += f.name == name ? 1 : 0;
    return n;
  }
};

class ClientConnectionTest : public ::testing::Test {
 protected:
  Client& open(ClientLimits limits = {}) {
    clients_.push_back(std::make_unique<Client>());
    Client* c = clients_.back().get();
    ClientConnection::Io io;
    io.send = [c](std::string frame) {
      auto envelope = parseEnvelope(frame);
      ASSERT_TRUE(envelope) << frame;
      c->frames.push_back(std::move(*envelope));
    };
    io.close = [this, c](uint16_t code, std::string reason) {
      c->closed = {code, reason};
      // The socket closes from the loop, as the WebSocket server does.
      timers_.schedule(core::Duration::zero(), [c, code, reason] {
        if (c->connection) c->connection->onClosed(code, reason);
      });
    };
    c->connection = std::make_unique<ClientConnection>(clients_.size(), "127.0.0.1:40000", std::move(io),
                                                       timers_, registry_, limits);
    return *c;
  }

  void send(Client& c, const json& frame) { c.connection->onMessage(frame.dump(), false); }
  void connect(Client& c, json fields) {
    send(c, json{{"message", "connection"}, {"data", json::array({fields})}});
  }

  static json account(std::string login = "3000", std::string password = "1234") {
    return json{{"appKey", "defaultApp"},  {"sipLogin", login},          {"sipAuthenticationName", login},
                {"sipPassword", password}, {"sipDomain", "127.0.0.1"},   {"sipOutboundProxy", "127.0.0.1"},
                {"sipPort", "5060"},       {"sipRegisterRequired", true}};
  }

  // The n-th message the gateway sent (0-based), parsed; its text stays in the sink.
  sip::Message sipSent(size_t n) {
    auto m = sip::parseMessage(std::string_view(sink_.sent.at(n).bytes));
    EXPECT_TRUE(m);
    return m ? *m : sip::Message{};
  }
  // REGISTER requests sent, retransmissions not counted (distinct CSeq numbers).
  size_t registers() {
    std::set<std::string> seen;
    for (size_t i = 0; i < sink_.sent.size(); ++i) {
      if (sink_.sent[i].bytes.rfind("REGISTER ", 0) == 0)
        seen.insert(std::string(sipSent(i).headerValue(sip::HeaderId::kCSeq)));
    }
    return seen.size();
  }
  // Answers the last REGISTER as Kamailio would.
  void answerRegister(std::string_view status, std::string_view extra = {}) {
    sip::Message req;
    for (size_t i = sink_.sent.size(); i-- > 0;) {
      if (sink_.sent[i].bytes.rfind("REGISTER ", 0) == 0) {
        req = sipSent(i);
        break;
      }
    }
    std::string text = "SIP/2.0 " + std::string(status) + "\r\n";
    text += "Via: " + std::string(req.headerValue(sip::HeaderId::kVia)) + "\r\n";
    text += "From: " + std::string(req.headerValue(sip::HeaderId::kFrom)) + "\r\n";
    text += "To: " + std::string(req.headerValue(sip::HeaderId::kTo)) + ";tag=kam\r\n";
    text += "Call-ID: " + std::string(req.headerValue(sip::HeaderId::kCallId)) + "\r\n";
    text += "CSeq: " + std::string(req.headerValue(sip::HeaderId::kCSeq)) + "\r\n";
    if (std::string_view(status).substr(0, 3) == "200") {
      text += "Contact: " + std::string(req.headerValue(sip::HeaderId::kContact)) +
              ";expires=" + std::string(req.headerValue(sip::HeaderId::kExpires)) + "\r\n";
    }
    text += std::string(extra) + "Content-Length: 0\r\n\r\n";
    responses_.push_back(text);
    auto m = sip::parseMessage(std::string_view(responses_.back()));
    ASSERT_TRUE(m) << m.error().message;
    layer_.receive(*m, sip::Endpoint{sip::TransportProtocol::kUdp, "127.0.0.1", 5060});
  }
  void registerWithChallenge() {
    answerRegister("401 Unauthorized", "WWW-Authenticate: Digest realm=\"127.0.0.1\", nonce=\"n1\"\r\n");
    answerRegister("200 OK");
  }
  void advance(core::Duration d) { timers_.advanceTo(clock_, clock_.now() + d); }
  // Moves the clock a second at a time, `c` answering every ping as the WebSDK does.
  void advanceAnswering(Client& c, int secondsToRun) {
    for (int i = 0; i < secondsToRun; ++i) {
      advance(seconds(1));
      if (!c.closed) send(c, json{{"message", "pong"}, {"data", {nullptr}}});
    }
  }

  core::ManualClock clock_;
  core::TimerQueue timers_{clock_};
  CapturingSink sink_;
  sip::TransactionLayer layer_{timers_, sink_};
  core::SeededRandom random_{3};
  NoDns dns_;
  sip::ServerLocator locator_{dns_, sip::ServerLocatorConfig{}};
  sip::UserAgent ua_{sip::InviteSessionContext{layer_, sink_, timers_, random_}, {}};
  gateway::SessionServices services_{
      layer_,          ua_,         locator_, timers_, random_, "127.0.0.1:5062", "127.0.0.1:5062",
      "callgate-test", seconds(600)};
  gateway::SessionRegistry registry_{services_, gateway::SessionLimits{3, seconds(60)}};
  std::vector<std::unique_ptr<Client>> clients_;
  std::vector<std::string> responses_;
};

TEST_F(ClientConnectionTest, ConnectionThenRegistered) {
  Client& c = open();
  connect(c, account());
  ASSERT_EQ(c.names(), (std::vector<std::string>{"getUserData"}));
  const json& data = c.frames[0].arg;
  EXPECT_EQ(data["status"], "ESTABLISHED");
  EXPECT_EQ(data["sipLogin"], "3000");
  EXPECT_FALSE(data.contains("sipPassword"));
  ASSERT_TRUE(data["authToken"].is_string());
  EXPECT_EQ(data["authToken"].get<std::string>().size(), 32u);
  EXPECT_EQ(data["sessionId"], "1");

  ASSERT_EQ(registers(), 1u);
  const sip::Message reg = sipSent(0);
  EXPECT_EQ(reg.requestUri(), "sip:127.0.0.1:5060");
  EXPECT_EQ(reg.headerValue(sip::HeaderId::kTo), "<sip:3000@127.0.0.1>");
  EXPECT_NE(reg.headerValue(sip::HeaderId::kContact).find("<sip:3000@127.0.0.1:5062;cg="),
            std::string_view::npos);
  EXPECT_EQ(reg.headerValue(sip::HeaderId::kExpires), "600");
  EXPECT_EQ(sink_.sent[0].to.port, 5060);
  // The authToken never reaches the SIP side.
  EXPECT_EQ(sink_.sent[0].bytes.find(data["authToken"].get<std::string>()), std::string::npos);
  registerWithChallenge();
  ASSERT_EQ(c.names(), (std::vector<std::string>{"getUserData", "registered"}));
  EXPECT_EQ(c.frames[1].arg["status"], "REGISTERED");
  EXPECT_EQ(c.frames[1].arg["sipStatus"], 200);
  EXPECT_FALSE(c.closed);
  EXPECT_EQ(registry_.registeredCount(), 1u);
}

TEST_F(ClientConnectionTest, WrongPasswordFailsAndCloses) {
  Client& c = open();
  connect(c, account("3000", "wrong"));
  const std::string challenge = "WWW-Authenticate: Digest realm=\"127.0.0.1\", nonce=\"n1\"\r\n";
  answerRegister("401 Unauthorized", challenge);
  answerRegister("401 Unauthorized", challenge);
  const Envelope* fail = c.last("fail");
  ASSERT_NE(fail, nullptr);
  EXPECT_EQ(fail->arg["apiMethod"], "RegistrationStatusEvent");
  EXPECT_EQ(fail->arg["status"], "FAILED");
  EXPECT_EQ(fail->arg["sipStatus"], 401);
  EXPECT_NE(fail->arg["info"].get<std::string>().find("wrong credentials"), std::string::npos)
      << fail->arg.dump();
  ASSERT_TRUE(c.closed);
  EXPECT_EQ(c.closed->first, 4403);
  advance(seconds(1));
  EXPECT_EQ(registry_.size(), 0u);  // no binding was made: nothing to remove
}

TEST_F(ClientConnectionTest, UnreachableRegistrarFailsWith408) {
  Client& c = open(ClientLimits{seconds(5), 100, 20});
  connect(c, account());
  for (int i = 0; i < 40 && !c.closed; ++i) {
    advance(seconds(1));
    send(c, json{{"message", "pong"}});
  }
  const Envelope* fail = c.last("fail");
  ASSERT_NE(fail, nullptr);
  EXPECT_EQ(fail->arg["sipStatus"], 408);  // Timer F, 64*T1 = 32 s
  ASSERT_TRUE(c.closed);
  EXPECT_EQ(c.closed->first, 4403);
}

TEST_F(ClientConnectionTest, DnsFailureFailsWith503NamingTheHost) {
  Client& c = open();
  json fields = account();
  fields["sipDomain"] = "pbx.invalid";
  fields["sipOutboundProxy"] = "pbx.invalid";
  connect(c, fields);
  const Envelope* fail = c.last("fail");
  ASSERT_NE(fail, nullptr);
  EXPECT_EQ(fail->arg["sipStatus"], 503);
  EXPECT_NE(fail->arg["info"].get<std::string>().find("pbx.invalid"), std::string::npos);
  ASSERT_TRUE(c.closed);
}

TEST_F(ClientConnectionTest, InvalidLoginIsRefusedBeforeAnySip) {
  Client& c = open();
  connect(c, account("<3000>"));
  const Envelope* fail = c.last("fail");
  ASSERT_NE(fail, nullptr);
  EXPECT_EQ(fail->arg["apiMethod"], "connection");
  EXPECT_NE(fail->arg["info"].get<std::string>().find("sipLogin"), std::string::npos);
  ASSERT_TRUE(c.closed);
  EXPECT_EQ(c.closed->first, 4400);
  EXPECT_TRUE(sink_.sent.empty());
  EXPECT_EQ(registry_.size(), 0u);
}

TEST_F(ClientConnectionTest, PingsAndMissedPongs) {
  Client& answering = open();
  Client& silent = open();
  for (int i = 0; i < 8; ++i) {
    advance(seconds(5));
    if (answering.last("ping") != nullptr) send(answering, json{{"message", "pong"}, {"data", {nullptr}}});
  }
  // Pings at 5, 10 and 15 s went unanswered: closed at the fourth interval.
  ASSERT_TRUE(silent.closed);
  EXPECT_EQ(silent.closed->first, 4408);
  EXPECT_EQ(silent.count("ping"), 3u);
  EXPECT_FALSE(answering.closed);
  EXPECT_EQ(answering.count("ping"), 8u);
  // A client's own ping gets a pong.
  send(answering, json{{"message", "ping"}, {"data", {nullptr}}});
  EXPECT_EQ(answering.frames.back().name, "pong");
}

TEST_F(ClientConnectionTest, BadFramesGetFailAndTheSessionStays) {
  Client& c = open();
  c.connection->onMessage("{not json", false);
  c.connection->onMessage("[1]", false);
  send(c, json{{"message", "hangup"}, {"data", {{{"callId", "x"}}}}});  // before connection
  c.connection->onMessage("abc", true);
  connect(c, account());
  connect(c, account());  // a second connection
  send(c, json{{"message", "frobnicate"}});
  send(c, json{{"message", "publishStream"}, {"data", {json::object()}}});
  std::vector<std::string> infos;
  for (const auto& f : c.frames) {
    if (f.name == "fail") infos.push_back(f.arg["info"]);
  }
  ASSERT_EQ(infos.size(), 7u);
  EXPECT_NE(infos[0].find("not valid JSON"), std::string::npos);
  EXPECT_NE(infos[1].find("must be a JSON object"), std::string::npos);
  EXPECT_NE(infos[2].find("send 'connection' first"), std::string::npos);
  EXPECT_NE(infos[3].find("binary frames"), std::string::npos);
  EXPECT_NE(infos[4].find("already has a session"), std::string::npos);
  EXPECT_NE(infos[5].find("unknown message 'frobnicate'"), std::string::npos);
  EXPECT_NE(infos[6].find("does not stream"), std::string::npos);
  EXPECT_FALSE(c.closed);
  EXPECT_EQ(c.count("getUserData"), 1u);
  registerWithChallenge();
  EXPECT_EQ(c.count("registered"), 1u);
}

TEST_F(ClientConnectionTest, FloodIsDroppedWithFewFails) {
  Client& c = open(ClientLimits{seconds(5), 3, 10});
  for (int i = 0; i < 200; ++i) send(c, json{{"message", "ping"}});
  EXPECT_EQ(c.count("pong"), 20u);  // a burst of twice the rate
  EXPECT_EQ(c.count("fail"), 1u);
  EXPECT_EQ(c.connection->dropped(), 180u);
  advance(std::chrono::milliseconds(1500));
  for (int i = 0; i < 30; ++i) send(c, json{{"message", "ping"}});
  EXPECT_EQ(c.count("pong"), 35u);  // 15 tokens came back in 1.5 s
  EXPECT_EQ(c.count("fail"), 2u);
  EXPECT_FALSE(c.closed);
}

TEST_F(ClientConnectionTest, CloseWithoutKeepAliveUnregisters) {
  Client& c = open();
  connect(c, account());
  registerWithChallenge();
  c.connection->onClosed(1000, "bye");
  ASSERT_EQ(registers(), 3u);
  const sip::Message unregister = sipSent(sink_.sent.size() - 1);
  EXPECT_EQ(unregister.headerValue(sip::HeaderId::kExpires), "0");
  answerRegister("200 OK");
  advance(seconds(1));
  EXPECT_EQ(registry_.size(), 0u);
}

TEST_F(ClientConnectionTest, KeepAliveSessionIsResumedWithItsToken) {
  Client& first = open();
  json fields = account();
  fields["keepAlive"] = true;
  connect(first, fields);
  registerWithChallenge();
  const std::string token = first.frames[0].arg["authToken"];
  first.connection->onClosed(1006, "network lost");
  advance(seconds(10));
  EXPECT_EQ(registers(), 2u);  // no unREGISTER: the session waits
  Client& second = open();
  connect(second, json{{"authToken", token}, {"keepAlive", true}});
  ASSERT_EQ(second.names(), (std::vector<std::string>{"getUserData", "registered"}));
  EXPECT_EQ(second.frames[0].arg["sessionId"], "1");
  EXPECT_EQ(second.frames[0].arg["authToken"], token);
  advanceAnswering(second, 120);  // the grace timer stopped with the resume
  EXPECT_FALSE(second.closed);
  EXPECT_EQ(registry_.size(), 1u);
  // Resumed again from a third socket while the second is attached: the second is closed.
  Client& third = open();
  connect(third, json{{"authToken", token}, {"keepAlive", true}});
  ASSERT_TRUE(second.closed);
  EXPECT_EQ(second.closed->first, 4409);
  EXPECT_EQ(third.count("registered"), 1u);
}

TEST_F(ClientConnectionTest, DetachedSessionEndsAfterTheGrace) {
  Client& c = open();
  json fields = account();
  fields["keepAlive"] = true;
  connect(c, fields);
  registerWithChallenge();
  const std::string token = c.frames[0].arg["authToken"];
  c.connection->onClosed(1006, "network lost");
  advance(seconds(61));
  ASSERT_EQ(registers(), 3u);
  EXPECT_EQ(sipSent(sink_.sent.size() - 1).headerValue(sip::HeaderId::kExpires), "0");
  answerRegister("200 OK");
  advance(seconds(1));
  EXPECT_EQ(registry_.size(), 0u);
  Client& late = open();
  connect(late, json{{"authToken", token}, {"keepAlive", true}});
  ASSERT_TRUE(late.closed);
  EXPECT_EQ(late.closed->first, 4404);
}

TEST_F(ClientConnectionTest, SessionLimit) {
  for (int i = 0; i < 3; ++i) connect(open(), json{{"appKey", "defaultApp"}});
  Client& extra = open();
  connect(extra, json{{"appKey", "defaultApp"}});
  ASSERT_TRUE(extra.closed);
  EXPECT_EQ(extra.closed->first, 4503);
  EXPECT_NE(extra.last("fail")->arg["info"].get<std::string>().find("ws.max_sessions"), std::string::npos);
}

TEST_F(ClientConnectionTest, CallIsNeverLeftPending) {
  Client& c = open();
  connect(c, json{{"appKey", "defaultApp"}});
  send(c, json{{"message", "call"},
               {"data", {{{"callId", "c1"}, {"callee", "3001"}, {"status", "PENDING"}, {"sdp", "v=0"}}}}});
  const Envelope* fail = c.last("fail");
  ASSERT_NE(fail, nullptr);
  EXPECT_EQ(fail->arg["apiMethod"], "call");
  const Envelope* finish = c.last("finish");
  ASSERT_NE(finish, nullptr);
  EXPECT_EQ(finish->arg["callId"], "c1");
  EXPECT_EQ(finish->arg["status"], "FAILED");
  EXPECT_FALSE(finish->arg.contains("sdp"));
}

}  // namespace
}  // namespace callgate::api
