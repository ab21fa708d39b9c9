#include "sip/ua/user_agent.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "../transaction/loop_network.hpp"
#include "sip/message/parser.hpp"
#include "sip/message/uri.hpp"
#include "sip/transaction/transaction_key.hpp"

namespace callgate::sip {
namespace {

using std::chrono::seconds;
using Kind = InviteSession::Event::Kind;
using SessionId = UserAgent::SessionId;

std::string kindName(Kind kind) {
  return std::string(inviteEventName(kind));
}

std::optional<Endpoint> resolveNumeric(std::string_view uriText) {
  auto uri = parseUri(uriText);
  if (!uri || (uri->hostType != HostType::kIPv4 && uri->hostType != HostType::kIPv6)) return std::nullopt;
  return Endpoint{TransportProtocol::kUdp, std::string(uri->hostAddress()),
                  uri->hasPort ? uri->port : uint16_t{5060}};
}

// One UserAgent on a loop node, with the events of each of its sessions logged by session id.
struct Side {
  Side(test::LoopNode& node, core::TimerQueue& queue, uint64_t seed, UserAgent::Events events)
      : random(seed), ua(InviteSessionContext{node.layer(), node, queue, random}, std::move(events)) {}

  InviteSession::Owner ownerFor(const SessionId* id) {
    InviteSession::Owner owner;
    owner.onEvent = [this, id](const InviteSession::Event& e) {
      log[*id] += (log[*id].empty() ? "" : ",") + kindName(e.kind) + " " + std::to_string(e.status);
      // The session is still there inside its own callback: removal is posted.
      if (ua.session(*id) == nullptr) ADD_FAILURE() << "session " << *id << " gone inside its callback";
    };
    owner.onOffer = [this](std::string_view offer) -> std::optional<std::string> {
      offers.emplace_back(offer);
      return std::string("v=0 reoffer-answer");
    };
    owner.resolve = resolveNumeric;
    return owner;
  }

  core::SeededRandom random;
  UserAgent ua;
  std::map<SessionId, std::string> log;
  std::vector<std::string> offers;
};

class UserAgentTest : public ::testing::Test {
 protected:
  UserAgentTest() {
    UserAgent::Events calleeEvents;
    calleeEvents.onInvite = [this](SessionId id, const Message& invite,
                                   const Endpoint&) -> std::optional<UserAgent::IncomingCall> {
      if (refuseCalls_) return std::nullopt;
      incoming_.push_back(id);
      incomingCallIds_.emplace_back(invite.headerValue(HeaderId::kCallId));
      ids_.push_back(id);
      UserAgent::IncomingCall call;
      call.config.localUri = "<sip:bob@192.0.2.2>";
      call.config.contact = "<sip:bob@192.0.2.2:5060>";
      call.config.sentBy = "192.0.2.2:5060";
      call.owner = b_->ownerFor(&ids_.back());
      call.onCreated = [this](InviteSession& s) {
        calleeTags_.push_back(s.key().localTag);
        s.ring();
        if (answerAtOnce_) s.answer("v=0 callee-answer");
      };
      return call;
    };
    calleeEvents.onMessage = [this](const Message& m, const Endpoint&) { messages_.emplace_back(m.body()); };
    calleeEvents.onSessionRemoved = [this](SessionId id) { removedB_.push_back(id); };
    ids_.reserve(16);  // owners keep pointers into these two
    callerIds_.reserve(16);
    b_.emplace(net_.uas(), net_.queue(), 2, std::move(calleeEvents));
    UserAgent::Events callerEvents;
    callerEvents.onSessionRemoved = [this](SessionId id) { removedA_.push_back(id); };
    a_.emplace(net_.uac(), net_.queue(), 1, std::move(callerEvents));
  }

  SessionId call() {
    InviteSessionConfig config;
    config.localUri = "<sip:alice@192.0.2.1>";
    config.contact = "<sip:alice@192.0.2.1:5060>";
    config.sentBy = "192.0.2.1:5060";
    InviteSession::CallParams params;
    params.requestUri = "sip:bob@192.0.2.2";
    params.to = "<sip:bob@192.0.2.2>";
    params.nextHop = net_.uas().address();
    params.offerSdp = "v=0 caller-offer";
    callerIds_.push_back(0);
    SessionId* slot = &callerIds_.back();
    auto id = a_->ua.call(std::move(config), a_->ownerFor(slot), std::move(params),
                          [slot](SessionId created) { *slot = created; });
    EXPECT_TRUE(id);
    return id ? *id : 0;
  }

  // Sends an out-of-dialog (or forged) request from the UAC node to the UAS node; the response lands in the
  // UAC node's event log as "label:<status>".
  void sendRaw(Message request, const std::string& label) {
    net_.uac().layer().sendRequest(request, net_.uas().address(), net_.uac().clientEvents(label));
    net_.runFor(seconds(1));
  }

  bool logged(const std::string& prefix) {
    for (const auto& e : net_.uac().events) {
      if (e.rfind(prefix, 0) == 0) return true;
    }
    return false;
  }

  // The last response the UAS node sent with this status, parsed.
  Message lastFromUas(const std::string& summary) {
    for (auto it = net_.wire().rbegin(); it != net_.wire().rend(); ++it) {
      if (it->sender == "uas" && it->summary == summary) {
        auto m = parseMessage(std::string_view(it->bytes));
        EXPECT_TRUE(m);
        return m ? *m : Message{};
      }
    }
    ADD_FAILURE() << "no " << summary << " from uas";
    return Message{};
  }

  test::LoopNetwork net_;
  std::vector<SessionId> ids_;  // callee session ids (stable storage for the owners)
  std::vector<SessionId> callerIds_;
  std::vector<std::string> calleeTags_;  // the callee sessions' local tags
  std::optional<Side> a_;
  std::optional<Side> b_;
  std::vector<SessionId> incoming_;
  std::vector<std::string> incomingCallIds_;
  std::vector<std::string> messages_;
  std::vector<SessionId> removedA_;
  std::vector<SessionId> removedB_;
  bool answerAtOnce_ = true;
  bool refuseCalls_ = false;
};

TEST_F(UserAgentTest, ByeAndReinviteReachTheRightOfTwoSessions) {
  const SessionId first = call();
  const SessionId second = call();
  net_.runFor(seconds(1));
  ASSERT_EQ(incoming_.size(), 2u);
  EXPECT_EQ(a_->log[first], "provisional 180,answered 200");
  EXPECT_EQ(a_->log[second], "provisional 180,answered 200");
  EXPECT_EQ(b_->log[incoming_[0]], "answered 200");
  EXPECT_EQ(b_->log[incoming_[1]], "answered 200");
  EXPECT_EQ(a_->ua.sessionCount(), 2u);
  EXPECT_EQ(b_->ua.sessionCount(), 2u);

  // A re-INVITE from the callee's first session reaches the caller's first session only.
  ASSERT_TRUE(b_->ua.session(incoming_[0])->sendReinvite("v=0 hold"));
  net_.runFor(seconds(1));
  EXPECT_EQ(a_->offers, std::vector<std::string>{"v=0 hold"});
  EXPECT_EQ(b_->log[incoming_[0]], "answered 200,reinvite 200");
  EXPECT_EQ(b_->log[incoming_[1]], "answered 200");

  // The caller hangs up the second call: the BYE ends the callee's second session, not the first.
  a_->ua.session(second)->hangup();
  net_.runFor(seconds(1));
  EXPECT_EQ(a_->log[second], "provisional 180,answered 200,ended 200");
  EXPECT_EQ(b_->log[incoming_[1]], "answered 200,ended 200");
  EXPECT_EQ(b_->log[incoming_[0]], "answered 200,reinvite 200");
  EXPECT_EQ(a_->log[first], "provisional 180,answered 200");
  EXPECT_EQ(a_->ua.session(second), nullptr);
  EXPECT_EQ(b_->ua.session(incoming_[1]), nullptr);
  ASSERT_NE(a_->ua.session(first), nullptr);
  EXPECT_EQ(a_->ua.session(first)->state(), InviteSession::State::kConfirmed);
  EXPECT_EQ(removedA_, std::vector<SessionId>{second});
  EXPECT_EQ(removedB_, std::vector<SessionId>{incoming_[1]});

  // The callee hangs up the first: both sides end and every session is removed.
  b_->ua.session(incoming_[0])->hangup();
  net_.runFor(seconds(1));
  EXPECT_EQ(a_->log[first], "provisional 180,answered 200,ended 200");
  EXPECT_EQ(a_->ua.sessionCount(), 0u);
  EXPECT_EQ(b_->ua.sessionCount(), 0u);
  net_.runFor(seconds(70));
  EXPECT_TRUE(net_.idle());
  EXPECT_EQ(net_.invalidDeliveries(), 0u);
}

TEST_F(UserAgentTest, CancelAndAckReachTheRightSession) {
  answerAtOnce_ = false;
  const SessionId first = call();
  const SessionId second = call();
  net_.runFor(seconds(1));
  ASSERT_EQ(incoming_.size(), 2u);
  EXPECT_EQ(a_->log[first], "provisional 180");
  EXPECT_EQ(incomingCallIds_[0], a_->ua.session(first)->callId());

  // CANCEL of the first call: the callee's first session is cancelled, the second rings on.
  a_->ua.session(first)->cancel();
  net_.runFor(seconds(1));
  EXPECT_EQ(b_->log[incoming_[0]], "cancelled 487");
  EXPECT_EQ(b_->log[incoming_[1]], "");
  EXPECT_EQ(a_->log[first], "provisional 180,failed 487");
  EXPECT_EQ(b_->ua.sessionCount(), 1u);
  EXPECT_EQ(a_->ua.sessionCount(), 1u);

  // The ACK of the second call's 200 reaches the second session (its "answered" comes with the ACK).
  b_->ua.session(incoming_[1])->answer("v=0 callee-answer");
  net_.runFor(seconds(1));
  EXPECT_EQ(b_->log[incoming_[1]], "answered 200");
  EXPECT_EQ(a_->log[second], "provisional 180,answered 200");
  EXPECT_EQ(b_->ua.session(incoming_[1])->state(), InviteSession::State::kConfirmed);

  a_->ua.session(second)->hangup();
  net_.runFor(seconds(1));
  EXPECT_EQ(a_->ua.sessionCount(), 0u);
  EXPECT_EQ(b_->ua.sessionCount(), 0u);
}

TEST_F(UserAgentTest, CancelForNoInviteGets481) {
  sendRaw(test::makeRequest("CANCEL", net_.uac().address(), "z9hG4bKnone", 1), "cancel");
  EXPECT_TRUE(logged("cancel:481")) << ::testing::PrintToString(net_.uac().events);
}

TEST_F(UserAgentTest, UnknownDialogGets481) {
  Message bye = test::makeRequest("BYE", net_.uac().address(), "z9hG4bKbye1", 2);
  bye.setHeader(HeaderId::kTo, "<sip:bob@192.0.2.2>;tag=nosuchdialog");
  sendRaw(std::move(bye), "bye");
  EXPECT_TRUE(logged("bye:481")) << ::testing::PrintToString(net_.uac().events);

  // An in-dialog OPTIONS for no dialog is 481 too, not the out-of-dialog 200.
  Message options = test::makeRequest("OPTIONS", net_.uac().address(), "z9hG4bKopt1", 3);
  options.setHeader(HeaderId::kTo, "<sip:bob@192.0.2.2>;tag=nosuchdialog");
  sendRaw(std::move(options), "options");
  EXPECT_TRUE(logged("options:481")) << ::testing::PrintToString(net_.uac().events);

  // A BYE without To tag matches no dialog either (RFC 3261 §15.1.2).
  sendRaw(test::makeRequest("BYE", net_.uac().address(), "z9hG4bKbye2", 4), "untagged");
  EXPECT_TRUE(logged("untagged:481")) << ::testing::PrintToString(net_.uac().events);
}

TEST_F(UserAgentTest, OutOfDialogOptionsGets200WithAllowAndAccept) {
  sendRaw(test::makeRequest("OPTIONS", net_.uac().address(), "z9hG4bKopt", 1), "options");
  EXPECT_TRUE(logged("options:200")) << ::testing::PrintToString(net_.uac().events);
  const Message ok = lastFromUas("200");
  EXPECT_NE(ok.headerValue(HeaderId::kAllow).find("INVITE"), std::string_view::npos);
  EXPECT_NE(ok.headerValue(HeaderId::kAllow).find("MESSAGE"), std::string_view::npos);
  EXPECT_EQ(ok.headerValue(HeaderId::kAccept), "application/sdp");
  EXPECT_EQ(b_->ua.sessionCount(), 0u);
}

TEST_F(UserAgentTest, OutOfDialogMessageGets200AndAnEvent) {
  Message message = test::makeRequest("MESSAGE", net_.uac().address(), "z9hG4bKmsg", 1);
  message.addHeader(HeaderId::kContentType, "text/plain");
  message.setBody("hello bob");
  sendRaw(std::move(message), "message");
  EXPECT_TRUE(logged("message:200")) << ::testing::PrintToString(net_.uac().events);
  EXPECT_EQ(messages_, std::vector<std::string>{"hello bob"});
}

TEST_F(UserAgentTest, SentMessageReachesThePeerAndReportsOneOutcome) {
  // a_ sends; b_'s UA answers 200 and reports the body (RFC 3428).
  OutOfDialogRequest request;
  request.requestUri = "sip:bob@192.0.2.2";
  request.from = "<sip:alice@192.0.2.1>";
  request.to = "<sip:bob@192.0.2.2>";
  request.nextHop = net_.uas().address();
  request.routeSet = {"<sip:192.0.2.2;lr>"};
  request.sentBy = "192.0.2.1:5060";
  request.contentType = "text/plain";
  request.body = "hi bob";
  std::vector<RequestClient::Outcome> outcomes;
  ASSERT_TRUE(
      a_->ua.sendRequest(request, [&outcomes](const RequestClient::Outcome& o) { outcomes.push_back(o); }));
  EXPECT_TRUE(outcomes.empty());  // never inside sendRequest()
  EXPECT_EQ(a_->ua.requestCount(), 1u);
  net_.runFor(seconds(1));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, 200);
  EXPECT_EQ(messages_, std::vector<std::string>{"hi bob"});
  EXPECT_EQ(a_->ua.requestCount(), 0u);  // reaped
  for (const auto& record : net_.wire()) {
    if (record.sender != "uac" || record.summary != "MESSAGE") continue;
    auto m = parseMessage(std::string_view(record.bytes));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->headerValue(HeaderId::kRoute), "<sip:192.0.2.2;lr>");
    EXPECT_EQ(m->headerValue(HeaderId::kContentType), "text/plain");
  }
  // Refused before sending: a method that is not for this client, a header with CR/LF.
  request.method = "INVITE";
  EXPECT_FALSE(a_->ua.sendRequest(request, nullptr));
  request.method = "MESSAGE";
  request.headers = {{"X-Bad", "a\r\nInjected: 1"}};
  EXPECT_FALSE(a_->ua.sendRequest(request, nullptr));
  EXPECT_EQ(a_->ua.requestCount(), 0u);
}

TEST_F(UserAgentTest, SentMessageToNobodyTimesOut) {
  OutOfDialogRequest request;
  request.requestUri = "sip:carol@192.0.2.9";
  request.from = "<sip:alice@192.0.2.1>";
  request.to = "<sip:carol@192.0.2.9>";
  request.nextHop = Endpoint{TransportProtocol::kUdp, "192.0.2.9", 5060};
  request.sentBy = "192.0.2.1:5060";
  request.body = "anyone?";
  request.contentType = "text/plain";
  std::vector<RequestClient::Outcome> outcomes;
  ASSERT_TRUE(
      a_->ua.sendRequest(request, [&outcomes](const RequestClient::Outcome& o) { outcomes.push_back(o); }));
  net_.runFor(seconds(40));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, 408);  // Timer F, 64*T1
  EXPECT_NE(outcomes[0].reason.find("timed out"), std::string::npos) << outcomes[0].reason;
  EXPECT_EQ(a_->ua.requestCount(), 0u);
}

TEST_F(UserAgentTest, OtherOutOfDialogMethodsGet405OrUnknown501) {
  sendRaw(test::makeRequest("SUBSCRIBE", net_.uac().address(), "z9hG4bKsub", 1), "subscribe");
  EXPECT_TRUE(logged("subscribe:405")) << ::testing::PrintToString(net_.uac().events);
  EXPECT_NE(lastFromUas("405").headerValue(HeaderId::kAllow).find("OPTIONS"), std::string_view::npos);
  sendRaw(test::makeRequest("FROB", net_.uac().address(), "z9hG4bKfrob", 1), "frob");
  EXPECT_TRUE(logged("frob:501")) << ::testing::PrintToString(net_.uac().events);
}

TEST_F(UserAgentTest, RefusedInviteGets486AndNoSession) {
  refuseCalls_ = true;
  const SessionId id = call();
  net_.runFor(seconds(1));
  EXPECT_EQ(a_->log[id], "failed 486");
  EXPECT_EQ(b_->ua.sessionCount(), 0u);
  EXPECT_EQ(a_->ua.sessionCount(), 0u);
  EXPECT_EQ(removedA_, std::vector<SessionId>{id});
}

TEST_F(UserAgentTest, RefusedStartRegistersNothing) {
  InviteSession::CallParams params;
  params.requestUri = "sip:bob@192.0.2.2";
  params.to = "<sip:bob@192.0.2.2>";
  params.nextHop = net_.uas().address();
  params.headers = {{"Bad Header", "x"}};
  callerIds_.push_back(0);
  auto id = a_->ua.call({}, a_->ownerFor(&callerIds_.back()), std::move(params));
  EXPECT_FALSE(id);
  EXPECT_EQ(a_->ua.sessionCount(), 0u);
  EXPECT_TRUE(net_.wire().empty());
}

TEST_F(UserAgentTest, SessionIsRemovedOnlyAfterItsLastCallback) {
  const SessionId id = call();
  net_.runFor(seconds(1));
  ASSERT_EQ(a_->ua.sessionCount(), 1u);
  ASSERT_EQ(b_->ua.sessionCount(), 1u);
  // Hang up and run just the BYE exchange: the sessions finished, then the 0-delay timers remove them.
  a_->ua.session(id)->hangup();
  net_.runFor(seconds(1));
  EXPECT_EQ(a_->log[id], "provisional 180,answered 200,ended 200");
  EXPECT_EQ(a_->ua.sessionCount(), 0u);
  EXPECT_EQ(b_->ua.sessionCount(), 0u);
  EXPECT_EQ(removedA_.size(), 1u);
  EXPECT_EQ(removedB_.size(), 1u);
  // A late BYE for the removed dialog now gets 481 from the UA.
  Message bye = test::makeRequest("BYE", net_.uac().address(), "z9hG4bKlate", 9, incomingCallIds_.at(0));
  bye.setHeader(HeaderId::kTo, "<sip:bob@192.0.2.2>;tag=" + calleeTags_.at(0));
  sendRaw(std::move(bye), "late");
  EXPECT_TRUE(logged("late:481")) << ::testing::PrintToString(net_.uac().events);
}

}  // namespace
}  // namespace callgate::sip
