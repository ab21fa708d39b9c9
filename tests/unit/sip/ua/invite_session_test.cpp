#include "sip/ua/invite_session.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "../transaction/loop_network.hpp"
#include "sip/message/header_values.hpp"
#include "sip/message/parser.hpp"
#include "sip/transaction/transaction_key.hpp"
#include "sip/transport/error_response.hpp"
#include "sip/ua/extensions.hpp"

namespace callgate::sip {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Kind = InviteSession::Event::Kind;

std::string kindName(Kind kind) {
  return std::string(inviteEventName(kind));
}

// The numeric resolver an owner gives: host and port of a sip URI with a numeric host.
std::optional<Endpoint> resolveNumeric(std::string_view uriText) {
  auto uri = parseUri(uriText);
  if (!uri || (uri->hostType != HostType::kIPv4 && uri->hostType != HostType::kIPv6)) return std::nullopt;
  return Endpoint{TransportProtocol::kUdp, std::string(uri->hostAddress()),
                  uri->hasPort ? uri->port : uint16_t{5060}};
}

// One owner of sessions on a loop node: routes what its layer passes up as InviteSession documents.
struct Side {
  std::unique_ptr<InviteSession> session;
  std::vector<InviteSession::Event> events;
  std::vector<std::string> offers;  // what onOffer was asked to answer
  std::optional<std::string> offerAnswer = "v=0 gateway-answer";
  std::vector<int> refusals;        // statuses fromInvite() answered a bad INVITE with
  std::vector<int> strays;          // statuses of responses that matched no transaction
  std::vector<std::string> refers;  // Refer-To URIs the peer asked for
  bool acceptRefer = true;
  core::SeededRandom random{1};

  // "provisional 180,answered 200": kind and status of each event.
  std::string summary() const {
    std::string out;
    for (const auto& e : events)
      out += (out.empty() ? "" : ",") + kindName(e.kind) + " " + std::to_string(e.status);
    return out;
  }
  // The last event of this kind; an empty one (and a test failure) when there is none.
  const InviteSession::Event* last(Kind kind) const {
    static const InviteSession::Event kNone{};
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->kind == kind) return &*it;
    }
    ADD_FAILURE() << "no " << kindName(kind) << " event";
    return &kNone;
  }
};

class InviteSessionTest : public ::testing::Test {
 protected:
  InviteSessionTest() {
    b_.random = core::SeededRandom{2};
    caller_.localUri = "<sip:alice@192.0.2.1>";
    caller_.contact = "<sip:alice@192.0.2.1:5060>";
    caller_.sentBy = "192.0.2.1:5060";
    caller_.credentials = {"alice", "secret"};
    caller_.userAgent = "callgate-test";
    callee_.localUri = "<sip:bob@192.0.2.2>";
    callee_.contact = "<sip:bob@192.0.2.2:5060>";
    callee_.sentBy = "192.0.2.2:5060";
    callee_.userAgent = "callgate-test";
    install(net_.uac(), a_);
    install(net_.uas(), b_);
  }

  InviteSession::Owner ownerOf(Side& side) {
    InviteSession::Owner owner;
    owner.onEvent = [&side](const InviteSession::Event& e) { side.events.push_back(e); };
    owner.onOffer = [&side](std::string_view offer) {
      side.offers.emplace_back(offer);
      return side.offerAnswer;
    };
    owner.resolve = resolveNumeric;
    owner.onRefer = [&side](std::string_view uri) {
      side.refers.emplace_back(uri);
      return side.acceptRefer;
    };
    return owner;
  }

  InviteSessionContext contextOf(test::LoopNode& node, Side& side) {
    return InviteSessionContext{node.layer(), node, net_.queue(), side.random};
  }

  // Replaces the loop node's logging TU with the owner's routing (before anything is received).
  void install(test::LoopNode& node, Side& side) {
    ServerTransactionEvents events;
    events.onRequest = [this, &node, &side](TransactionId id, const Message& request, const Endpoint& from) {
      if (challenge_ > 0 && &side == &b_ && request.methodId() == Method::kInvite &&
          toTagOf(request).empty()) {
        --challenge_;
        Message response = makeErrorResponse(request, 407, "");
        response.addHeader("Proxy-Authenticate", "Digest realm=\"192.0.2.2\", nonce=\"n" +
                                                     std::to_string(challenge_) + "\", qop=\"auth\"");
        node.layer().respond(id, response);
        return;
      }
      if (&side == &b_ && request.method() == challengeInDialog_ && !toTagOf(request).empty() &&
          (request.header(HeaderId::kProxyAuthorization) == nullptr || challengeAlways_)) {
        Message response = makeErrorResponse(request, 407, "");
        response.addHeader("Proxy-Authenticate", "Digest realm=\"192.0.2.2\", nonce=\"d" +
                                                     std::string(request.method()) + "\", qop=\"auth\"");
        node.layer().respond(id, response);
        return;
      }
      if (request.methodId() == Method::kInvite && toTagOf(request).empty() && !side.session) {
        auto created =
            InviteSession::fromInvite(contextOf(node, side), callee_, ownerOf(side), id, request, from);
        if (!created) {
          side.refusals.push_back(created.error().code);
          return;
        }
        side.session = std::move(*created);
        if (onIncomingCall_) onIncomingCall_(*side.session);
        return;
      }
      if (side.session && request.methodId() == Method::kCancel &&
          node.layer().findInviteServerTransaction(request) == side.session->inviteTransaction()) {
        side.session->onRequest(id, request, from);
        return;
      }
      const DialogId key = InviteSession::dialogKey(request);
      if (side.session && key.callId == side.session->callId() &&
          key.localTag == side.session->key().localTag) {
        side.session->onRequest(id, request, from);
        return;
      }
      node.layer().respond(id, makeErrorResponse(request, 481, ""));
    };
    events.onAck = [&side](const Message& ack, const Endpoint& from) {
      const DialogId key = InviteSession::dialogKey(ack);
      if (side.session && key.localTag == side.session->key().localTag) side.session->onAck(ack, from);
    };
    events.onStrayResponse = [&side](const Message& response, const Endpoint&) {
      side.strays.push_back(response.statusCode());
    };
    node.layer().setServerEvents(std::move(events));
  }

  void call(std::string offer = "v=0 caller-offer",
            std::vector<std::pair<std::string, std::string>> headers = {}) {
    a_.session = std::make_unique<InviteSession>(contextOf(net_.uac(), a_), caller_, ownerOf(a_));
    InviteSession::CallParams params;
    params.requestUri = "sip:bob@192.0.2.2";
    params.to = "<sip:bob@192.0.2.2>";
    params.nextHop = net_.uas().address();
    params.offerSdp = std::move(offer);
    params.headers = std::move(headers);
    auto started = a_.session->start(std::move(params));
    ASSERT_TRUE(started) << started.error().message;
  }

  // The n-th message (1-based) `sender` put on the wire with this summary, parsed; the text stays in wire_.
  Message sent(const std::string& sender, const std::string& summary, size_t n = 1) {
    size_t seen = 0;
    for (const auto& record : net_.wire()) {
      if (record.sender == sender && record.summary == summary && ++seen == n) {
        auto m = parseMessage(std::string_view(record.bytes));
        EXPECT_TRUE(m);
        return m ? *m : Message{};
      }
    }
    ADD_FAILURE() << "no " << summary << " #" << n << " from " << sender;
    return Message{};
  }
  size_t count(const std::string& sender, const std::string& summary) const {
    return net_.sendTimes(sender, summary).size();
  }

  void answerOnInvite(std::string sdp = "v=0 callee-answer") {
    onIncomingCall_ = [sdp](InviteSession& s) {
      s.ring();
      s.answer(sdp);
    };
  }

  // Every transaction ended and was destroyed, no session timer pending, nothing malformed on the wire.
  void expectIdleAfterWaitTimers() {
    net_.runFor(seconds(70));
    EXPECT_TRUE(net_.idle()) << "clients " << net_.uac().layer().clientCount() << "/"
                             << net_.uas().layer().clientCount() << " servers "
                             << net_.uac().layer().serverCount() << "/" << net_.uas().layer().serverCount()
                             << " timers " << net_.queue().pending();
    EXPECT_EQ(net_.invalidDeliveries(), 0u);
  }

  test::LoopNetwork net_;
  InviteSessionConfig caller_;
  InviteSessionConfig callee_;
  Side a_;  // the caller, on the loop's UAC node
  Side b_;  // the callee, on the UAS node
  std::function<void(InviteSession&)> onIncomingCall_;
  int challenge_ = 0;  // how many INVITEs the callee's side answers with 407 first
  std::string
      challengeInDialog_;  // the callee's side answers this in-dialog method 407 when it has no credentials
  bool challengeAlways_ = false;  // ... and even when it has (wrong password)
};

TEST_F(InviteSessionTest, BasicCallSdpBothWaysByeFromCaller) {
  answerOnInvite();
  call("v=0 caller-offer", {{"X-Call-Tag", "abc 1"}});
  net_.runFor(seconds(1));
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200");
  EXPECT_EQ(a_.last(Kind::kAnswered)->sdp, "v=0 callee-answer");
  EXPECT_EQ(b_.summary(), "answered 200");
  EXPECT_EQ(b_.session->remoteSdp(), "v=0 caller-offer");
  EXPECT_EQ(a_.session->state(), InviteSession::State::kConfirmed);

  const Message invite = sent("uac", "INVITE");
  EXPECT_EQ(invite.requestUri(), "sip:bob@192.0.2.2");
  EXPECT_EQ(invite.headerValue(HeaderId::kMaxForwards), "70");
  EXPECT_EQ(invite.headerValue(HeaderId::kCSeq), "1 INVITE");
  EXPECT_EQ(invite.headerValue(HeaderId::kContact), "<sip:alice@192.0.2.1:5060>");
  EXPECT_EQ(invite.headerValue(HeaderId::kContentType), "application/sdp");
  EXPECT_EQ(invite.headerValue(HeaderId::kUserAgent), "callgate-test");
  EXPECT_NE(invite.header(HeaderId::kAllow), nullptr);
  EXPECT_EQ(invite.header("X-Call-Tag")->value, "abc 1");
  EXPECT_TRUE(parseNameAddr(invite.headerValue(HeaderId::kFrom))->tag().has_value());
  EXPECT_EQ(invite.body(), "v=0 caller-offer");
  const Message ack = sent("uac", "ACK");
  EXPECT_EQ(ack.headerValue(HeaderId::kCSeq), "1 ACK");
  EXPECT_EQ(ack.requestUri(), "sip:bob@192.0.2.2:5060");  // the 2xx's Contact
  EXPECT_EQ(count("uas", "200"), 1u);                     // the ACK stopped the 2xx retransmissions

  a_.session->hangup();
  net_.runFor(seconds(1));
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,ended 200");
  EXPECT_EQ(b_.summary(), "answered 200,ended 200");
  EXPECT_EQ(sent("uac", "BYE").headerValue(HeaderId::kCSeq), "2 BYE");
  EXPECT_TRUE(a_.session->finished());
  EXPECT_TRUE(b_.session->finished());
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, ByeFromCallee) {
  answerOnInvite();
  call();
  net_.runFor(seconds(1));
  ASSERT_EQ(b_.summary(), "answered 200");
  b_.session->hangup();
  net_.runFor(seconds(1));
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,ended 200");
  EXPECT_EQ(b_.summary(), "answered 200,ended 200");
  const Message bye = sent("uas", "BYE");
  EXPECT_EQ(bye.requestUri(), "sip:alice@192.0.2.1:5060");  // the caller's Contact
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, RejectsBadExtraHeaders) {
  a_.session = std::make_unique<InviteSession>(contextOf(net_.uac(), a_), caller_, ownerOf(a_));
  InviteSession::CallParams params;
  params.requestUri = "sip:bob@192.0.2.2";
  params.to = "<sip:bob@192.0.2.2>";
  params.nextHop = net_.uas().address();
  params.headers = {{"X-Bad", "a\r\nInjected: 1"}};
  EXPECT_FALSE(a_.session->start(params));
  params.headers = {{"X Bad", "1"}};
  EXPECT_FALSE(a_.session->start(params));
  params.headers = {{"Call-ID", "mine"}};
  EXPECT_FALSE(a_.session->start(params));
  EXPECT_TRUE(net_.wire().empty());
  params.headers = {{"X-Good", "1"}};
  EXPECT_TRUE(a_.session->start(params));
  EXPECT_FALSE(a_.session->start(params));  // only one call per session
  a_.session->hangup();
  net_.runFor(seconds(1));
  EXPECT_EQ(a_.summary(), "failed 487");
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, RingingThenAnswer) {
  onIncomingCall_ = [](InviteSession& s) { s.ring(); };
  call();
  net_.runFor(seconds(3));
  EXPECT_EQ(a_.summary(), "provisional 180");
  EXPECT_TRUE(a_.last(Kind::kProvisional)->sdp.empty());
  EXPECT_EQ(a_.session->state(), InviteSession::State::kEarly);
  b_.session->answer("v=0 late");
  net_.runFor(seconds(1));
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200");
  EXPECT_EQ(a_.last(Kind::kAnswered)->sdp, "v=0 late");
  a_.session->hangup();
  expectIdleAfterWaitTimers();
  EXPECT_EQ(b_.summary(), "answered 200,ended 200");
}

TEST_F(InviteSessionTest, EarlyMediaThenDifferentAnswer) {
  onIncomingCall_ = [](InviteSession& s) { s.ring("v=0 early"); };
  call();
  net_.runFor(seconds(2));
  ASSERT_EQ(a_.summary(), "provisional 183");
  EXPECT_EQ(a_.last(Kind::kProvisional)->sdp, "v=0 early");
  b_.session->answer("v=0 final");
  net_.runFor(seconds(1));
  // The owner sees both SDPs, each on its own event, and picks the one it forwards.
  EXPECT_EQ(a_.summary(), "provisional 183,answered 200");
  EXPECT_EQ(a_.last(Kind::kAnswered)->sdp, "v=0 final");
  EXPECT_EQ(a_.session->remoteSdp(), "v=0 final");
  b_.session->hangup();
  expectIdleAfterWaitTimers();
  EXPECT_EQ(a_.summary(), "provisional 183,answered 200,ended 200");
}

TEST_F(InviteSessionTest, BusyHere) {
  onIncomingCall_ = [](InviteSession& s) { s.reject(486); };
  call();
  net_.runFor(seconds(1));
  EXPECT_EQ(a_.summary(), "failed 486");
  EXPECT_NE(a_.last(Kind::kFailed)->reason.find("486 Busy Here"), std::string::npos)
      << a_.last(Kind::kFailed)->reason;
  EXPECT_EQ(b_.summary(), "failed 486");
  EXPECT_EQ(count("uac", "ACK"), 1u);  // the layer's ACK for the non-2xx
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, ProxyChallengeThenSuccess) {
  challenge_ = 1;
  answerOnInvite();
  call();
  net_.runFor(seconds(1));
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200");
  ASSERT_EQ(count("uac", "INVITE"), 2u);
  const Message first = sent("uac", "INVITE", 1);
  const Message second = sent("uac", "INVITE", 2);
  EXPECT_EQ(second.headerValue(HeaderId::kCSeq), "2 INVITE");
  EXPECT_EQ(second.headerValue(HeaderId::kCallId), first.headerValue(HeaderId::kCallId));
  EXPECT_EQ(second.headerValue(HeaderId::kFrom), first.headerValue(HeaderId::kFrom));
  EXPECT_NE(parseVia(second.headerValue(HeaderId::kVia))->branch,
            parseVia(first.headerValue(HeaderId::kVia))->branch);
  const HeaderField* credentials = second.header(HeaderId::kProxyAuthorization);
  ASSERT_NE(credentials, nullptr);
  EXPECT_NE(credentials->value.find("username=\"alice\""), std::string_view::npos);
  EXPECT_EQ(sent("uac", "ACK", 2).headerValue(HeaderId::kCSeq), "2 ACK");
  a_.session->hangup();
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, WrongPasswordFails) {
  challenge_ = 5;
  call();
  net_.runFor(seconds(1));
  EXPECT_EQ(a_.summary(), "failed 407");
  EXPECT_NE(a_.last(Kind::kFailed)->reason.find("wrong credentials"), std::string::npos)
      << a_.last(Kind::kFailed)->reason;
  EXPECT_EQ(count("uac", "INVITE"), 2u);
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, TimerBFailsWith408) {
  net_.dropAll("uac", "INVITE");
  call();
  net_.runFor(seconds(31));
  EXPECT_TRUE(a_.events.empty());
  net_.runFor(seconds(2));  // Timer B: 64*T1 = 32 s
  EXPECT_EQ(a_.summary(), "failed 408");
  EXPECT_EQ(count("uac", "INVITE"), 7u);
  EXPECT_FALSE(b_.session);
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, NoAnswerTimeoutCancels) {
  caller_.noAnswerTimeout = seconds(5);
  onIncomingCall_ = [](InviteSession& s) { s.ring(); };
  call();
  net_.runFor(milliseconds(4900));
  EXPECT_EQ(count("uac", "CANCEL"), 0u);
  net_.runFor(milliseconds(200));
  ASSERT_EQ(count("uac", "CANCEL"), 1u);
  EXPECT_EQ(net_.sendTimes("uac", "CANCEL")[0], 5000);
  const Message invite = sent("uac", "INVITE");
  const Message cancel = sent("uac", "CANCEL");
  // RFC 3261 §9.1: the INVITE's Request-URI, Call-ID, From, To, CSeq number and top Via.
  EXPECT_EQ(cancel.requestUri(), invite.requestUri());
  EXPECT_EQ(cancel.headerValue(HeaderId::kVia), invite.headerValue(HeaderId::kVia));
  EXPECT_EQ(cancel.headerValue(HeaderId::kFrom), invite.headerValue(HeaderId::kFrom));
  EXPECT_EQ(cancel.headerValue(HeaderId::kTo), invite.headerValue(HeaderId::kTo));
  EXPECT_EQ(cancel.headerValue(HeaderId::kCSeq), "1 CANCEL");
  net_.runFor(seconds(1));
  EXPECT_EQ(count("uas", "487"), 1u);
  EXPECT_EQ(a_.summary(), "provisional 180,failed 487");
  EXPECT_NE(a_.last(Kind::kFailed)->reason.find("no answer within 5 s"), std::string::npos);
  EXPECT_EQ(b_.summary(), "cancelled 487");
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, CancelWaitsForAProvisional) {
  call();  // the callee's side does nothing: its layer sends 100 Trying after 200 ms
  a_.session->cancel();
  net_.runFor(milliseconds(100));
  EXPECT_EQ(count("uac", "CANCEL"), 0u);  // RFC 3261 §9.1: not before a provisional
  net_.runFor(seconds(1));
  ASSERT_EQ(count("uac", "CANCEL"), 1u);
  ASSERT_EQ(count("uas", "100"), 1u);
  EXPECT_EQ(net_.sendTimes("uac", "CANCEL")[0], net_.sendTimes("uas", "100")[0]);
  EXPECT_EQ(a_.summary(), "failed 487");
  EXPECT_EQ(a_.last(Kind::kFailed)->reason, "cancelled");
  EXPECT_EQ(b_.summary(), "cancelled 487");
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, CancelRacingTheAnswerIsAckedThenByed) {
  onIncomingCall_ = [](InviteSession& s) { s.ring(); };
  call();
  net_.runFor(seconds(1));
  ASSERT_EQ(a_.summary(), "provisional 180");
  a_.session->cancel();              // the CANCEL is on the wire...
  b_.session->answer("v=0 answer");  // ...and so is the 200
  net_.runFor(seconds(1));
  EXPECT_EQ(count("uas", "487"), 0u);
  EXPECT_EQ(count("uac", "ACK"), 1u);
  EXPECT_EQ(count("uac", "BYE"), 1u);
  EXPECT_EQ(a_.summary(), "provisional 180,failed 487");
  EXPECT_NE(a_.last(Kind::kFailed)->reason.find("ACKed and hung up"), std::string::npos);
  EXPECT_EQ(b_.summary(), "answered 200,ended 200");
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, SecondForkIsAckedThenByed) {
  answerOnInvite();
  call();
  net_.runFor(seconds(1));
  ASSERT_EQ(a_.summary(), "provisional 180,answered 200");
  // Another fork of the proxy's answers too, while the INVITE transaction is in Accepted (RFC 6026).
  const Message invite = sent("uac", "INVITE");
  Message fork = test::makeResponse(invite, 200, "fork2");
  fork.addHeader(HeaderId::kContact, "<sip:carol@192.0.2.3:5070>");
  fork.addHeader(HeaderId::kContentType, "application/sdp");
  fork.setBody("v=0 carol");
  const Endpoint carol{TransportProtocol::kUdp, "192.0.2.3", 5070};
  net_.inject(net_.uac(), fork, carol);
  net_.runFor(milliseconds(10));
  net_.inject(net_.uac(), fork, carol);  // its retransmission: the same ACK again, no second BYE
  net_.runFor(seconds(1));
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200");  // the first 2xx won
  ASSERT_EQ(count("uac", "ACK"), 3u);
  const Message ack = sent("uac", "ACK", 2);
  EXPECT_EQ(ack.requestUri(), "sip:carol@192.0.2.3:5070");
  EXPECT_EQ(toTagOf(ack), "fork2");
  EXPECT_EQ(sent("uac", "ACK", 3).headerValue(HeaderId::kVia), ack.headerValue(HeaderId::kVia));
  // One BYE transaction to the fork (retransmitted by the layer, Timer E: the fork is unreachable).
  ASSERT_GE(count("uac", "BYE"), 1u);
  const Message bye = sent("uac", "BYE");
  for (size_t n = 2; n <= count("uac", "BYE"); ++n) {
    EXPECT_EQ(sent("uac", "BYE", n).headerValue(HeaderId::kVia), bye.headerValue(HeaderId::kVia));
  }
  EXPECT_EQ(net_.sendTimes("uac", "BYE")[0], net_.sendTimes("uac", "ACK")[1]);
  EXPECT_EQ(toTagOf(bye), "fork2");
  EXPECT_EQ(bye.requestUri(), "sip:carol@192.0.2.3:5070");
  EXPECT_EQ(a_.session->state(), InviteSession::State::kConfirmed);
  a_.session->hangup();
  net_.runFor(seconds(1));
  EXPECT_EQ(b_.summary(), "answered 200,ended 200");
  expectIdleAfterWaitTimers();  // the BYE to the unreachable fork times out (Timer F)
}

TEST_F(InviteSessionTest, LostAckGetsTheRetransmitted2xxAcked) {
  net_.drop("uac", "ACK", 1);
  answerOnInvite();
  call();
  net_.runFor(milliseconds(400));
  EXPECT_EQ(b_.summary(), "");
  net_.runFor(seconds(2));
  EXPECT_EQ(net_.sendTimes("uas", "200"), (std::vector<long>{0, 500}));
  EXPECT_EQ(count("uac", "ACK"), 2u);
  EXPECT_EQ(b_.summary(), "answered 200");
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200");
  a_.session->hangup();
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, NoAckMeansByeAfter64T1) {
  net_.dropAll("uac", "ACK");
  answerOnInvite();
  call();
  net_.runFor(milliseconds(31900));
  EXPECT_EQ(count("uas", "BYE"), 0u);
  net_.runFor(seconds(1));
  // RFC 3261 §13.3.1.4: T1, doubling up to T2, for 64*T1.
  EXPECT_EQ(net_.sendTimes("uas", "200"),
            (std::vector<long>{0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500}));
  EXPECT_EQ(net_.sendTimes("uas", "BYE"), (std::vector<long>{32000}));
  EXPECT_EQ(b_.summary(), "failed 408");
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,ended 200");
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, DelayedOffer) {
  a_.offerAnswer = "v=0 caller-answer";
  answerOnInvite("v=0 callee-offer");
  call("");
  net_.runFor(seconds(1));
  EXPECT_TRUE(sent("uac", "INVITE").body().empty());
  EXPECT_EQ(b_.session->remoteSdp(), "v=0 caller-answer");
  EXPECT_EQ(a_.offers, (std::vector<std::string>{"v=0 callee-offer"}));
  EXPECT_EQ(sent("uac", "ACK").body(), "v=0 caller-answer");
  ASSERT_EQ(b_.summary(), "answered 200");
  EXPECT_EQ(b_.last(Kind::kAnswered)->sdp, "v=0 caller-answer");
  b_.session->hangup();
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, ReinviteFromThePeerIsAnsweredByTheOwner) {
  answerOnInvite();
  call();
  net_.runFor(seconds(1));
  a_.offerAnswer = "v=0 recvonly";
  ASSERT_TRUE(b_.session->sendReinvite("v=0 sendonly"));
  EXPECT_FALSE(b_.session->sendReinvite("v=0 again"));  // one at a time
  net_.runFor(seconds(5));
  EXPECT_EQ(a_.offers, (std::vector<std::string>{"v=0 sendonly"}));
  EXPECT_EQ(b_.summary(), "answered 200,reinvite 200");
  EXPECT_EQ(b_.last(Kind::kReinviteResult)->sdp, "v=0 recvonly");
  EXPECT_EQ(count("uac", "200"), 1u);  // the ACK stopped the retransmissions
  EXPECT_EQ(sent("uas", "ACK").headerValue(HeaderId::kCSeq), "1 ACK");
  EXPECT_EQ(sent("uas", "INVITE").headerValue(HeaderId::kCSeq), "1 INVITE");
  a_.offerAnswer.reset();  // the next offer is refused with 488; the call stays up
  ASSERT_TRUE(b_.session->sendReinvite("v=0 bad"));
  net_.runFor(seconds(1));
  EXPECT_EQ(b_.summary(), "answered 200,reinvite 200,reinvite 488");
  EXPECT_EQ(a_.session->state(), InviteSession::State::kConfirmed);
  a_.session->hangup();
  expectIdleAfterWaitTimers();
  EXPECT_EQ(b_.summary(), "answered 200,reinvite 200,reinvite 488,ended 200");
}

TEST_F(InviteSessionTest, InfoAndOutOfOrderCSeq) {
  answerOnInvite();
  call();
  net_.runFor(seconds(1));
  const Message invite = sent("uac", "INVITE");
  auto inDialog = [&](uint32_t cseq, std::string_view branch) {
    Message m = Message::request("INFO", "sip:bob@192.0.2.2:5060");
    m.addHeader(HeaderId::kVia, "SIP/2.0/UDP 192.0.2.1:5060;branch=" + std::string(branch));
    m.addHeader(HeaderId::kMaxForwards, "70");
    m.addHeader(HeaderId::kFrom, invite.headerValue(HeaderId::kFrom));
    m.addHeader(HeaderId::kTo,
                std::string(invite.headerValue(HeaderId::kTo)) + ";tag=" + b_.session->key().localTag);
    m.addHeader(HeaderId::kCallId, invite.headerValue(HeaderId::kCallId));
    m.addHeader(HeaderId::kCSeq, std::to_string(cseq) + " INFO");
    m.addHeader(HeaderId::kContentType, "application/dtmf-relay");
    m.setBody("Signal=5\r\nDuration=160\r\n");
    return m;
  };
  net_.inject(net_.uas(), inDialog(5, "z9hG4bKinfo5"), net_.uac().address());
  net_.runFor(milliseconds(10));
  net_.inject(net_.uas(), inDialog(3, "z9hG4bKinfo3"), net_.uac().address());
  net_.runFor(milliseconds(10));
  // The caller's layer has no client transaction for these: they arrive as strays.
  EXPECT_EQ(a_.strays, (std::vector<int>{200, 500}));
  ASSERT_EQ(b_.summary(), "answered 200,info 0");
  EXPECT_EQ(b_.last(Kind::kInfo)->sdp, "Signal=5\r\nDuration=160\r\n");
  EXPECT_EQ(b_.last(Kind::kInfo)->contentType, "application/dtmf-relay");
  a_.session->hangup();
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, LossDuringSetupStillCompletes) {
  net_.drop("uac", "INVITE", 1);
  net_.drop("uas", "180", 1);
  net_.drop("uas", "200", 1);
  net_.drop("uac", "ACK", 1);
  net_.drop("uac", "BYE", 1);
  net_.drop("uas", "200", 5);  // the first 200 to the BYE (after 2xx #1-#4 of the INVITE)
  answerOnInvite();
  call();
  net_.runFor(seconds(5));
  EXPECT_EQ(a_.summary(), "answered 200");  // the 180 was lost, its retransmission absorbed
  EXPECT_EQ(b_.summary(), "answered 200");
  EXPECT_EQ(count("uac", "INVITE"), 2u);
  a_.session->hangup();
  net_.runFor(seconds(5));
  EXPECT_EQ(a_.summary(), "answered 200,ended 200");
  EXPECT_EQ(b_.summary(), "answered 200,ended 200");
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, ReinviteGlareRetriesAfterRandomWaits) {
  answerOnInvite();
  call();
  net_.runFor(seconds(1));
  ASSERT_TRUE(a_.session->sendReinvite("v=0 a-hold"));
  ASSERT_TRUE(b_.session->sendReinvite("v=0 b-hold"));
  net_.runFor(milliseconds(100));
  ASSERT_EQ(count("uac", "491"), 1u);
  ASSERT_EQ(count("uas", "491"), 1u);
  net_.runFor(seconds(10));
  // RFC 3261 §14.1: the Call-ID's owner (the caller) retries after 2.1-4 s, the callee after 0-2 s.
  const long glareAt = net_.sendTimes("uac", "491")[0];
  ASSERT_EQ(count("uac", "INVITE"), 3u);  // the call, its re-INVITE, the retry
  ASSERT_EQ(count("uas", "INVITE"), 2u);
  const long callerRetry = net_.sendTimes("uac", "INVITE")[2] - glareAt;
  const long calleeRetry = net_.sendTimes("uas", "INVITE")[1] - glareAt;
  EXPECT_GE(callerRetry, 2100);
  EXPECT_LE(callerRetry, 4000 + 500);
  EXPECT_LE(calleeRetry, 2000);
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,reinvite 200");
  EXPECT_EQ(b_.summary(), "answered 200,reinvite 200");
  EXPECT_EQ(a_.offers, (std::vector<std::string>{"v=0 b-hold"}));
  EXPECT_EQ(b_.offers, (std::vector<std::string>{"v=0 a-hold"}));
  b_.session->hangup();
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, UnknownRequiredExtensionIsRefusedWith420) {
  // RFC 3261 §8.2.2.3: only what we do not support is listed; 100rel and timer are supported.
  call("v=0 offer", {{"Require", "100rel, foo"}, {"Require", "bar"}});
  net_.runFor(seconds(1));
  EXPECT_EQ(b_.refusals, (std::vector<int>{420}));
  EXPECT_EQ(a_.summary(), "failed 420");
  const Message refusal = sent("uas", "420");
  ASSERT_NE(refusal.header("Unsupported"), nullptr);
  EXPECT_EQ(refusal.header("Unsupported")->value, "foo, bar");
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, CalleeByeWaitsForTheAck) {
  net_.drop("uac", "ACK", 1);
  onIncomingCall_ = [](InviteSession& s) {
    s.answer("v=0 answer");
    s.hangup();  // RFC 3261 §15: not before the ACK
  };
  call();
  net_.runFor(seconds(2));
  EXPECT_EQ(net_.sendTimes("uas", "BYE"), (std::vector<long>{500}));  // on the ACK to the retransmitted 2xx
  EXPECT_EQ(a_.summary(), "answered 200,ended 200");
  EXPECT_EQ(b_.summary(), "ended 200");
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, UpdateAndOptionsInTheDialog) {
  answerOnInvite();
  call();
  net_.runFor(seconds(1));
  const Message invite = sent("uac", "INVITE");
  // Requests of the caller's dialog, written by hand so the test controls CSeq and Contact.
  auto inDialog = [&](std::string_view method, uint32_t cseq, std::string_view branch) {
    Message m = Message::request(method, "sip:bob@192.0.2.2:5060");
    m.addHeader(HeaderId::kVia, "SIP/2.0/UDP 192.0.2.1:5060;branch=" + std::string(branch));
    m.addHeader(HeaderId::kMaxForwards, "70");
    m.addHeader(HeaderId::kFrom, invite.headerValue(HeaderId::kFrom));
    m.addHeader(HeaderId::kTo,
                std::string(invite.headerValue(HeaderId::kTo)) + ";tag=" + b_.session->key().localTag);
    m.addHeader(HeaderId::kCallId, invite.headerValue(HeaderId::kCallId));
    m.addHeader(HeaderId::kCSeq, std::to_string(cseq) + " " + std::string(method));
    return m;
  };
  net_.inject(net_.uas(), inDialog("OPTIONS", 2, "z9hG4bKopt2"), net_.uac().address());
  Message update = inDialog("UPDATE", 3, "z9hG4bKupd3");
  update.addHeader(HeaderId::kContact, "<sip:alice@192.0.2.1:5062>");  // a target refresh
  update.addHeader(HeaderId::kContentType, "application/sdp");
  update.setBody("v=0 update-offer");
  b_.offerAnswer = "v=0 update-answer";
  net_.inject(net_.uas(), update, net_.uac().address());
  net_.inject(net_.uas(), inDialog("MESSAGE", 4, "z9hG4bKmsg4"), net_.uac().address());
  net_.runFor(milliseconds(10));
  EXPECT_EQ(a_.strays, (std::vector<int>{200, 200, 200}));  // MESSAGE in the dialog: 200 (RFC 3428)
  const Message options = sent("uas", "200", 2);
  EXPECT_EQ(options.headerValue(HeaderId::kCSeq), "2 OPTIONS");
  EXPECT_NE(options.headerValue(HeaderId::kAllow).find("INVITE"), std::string_view::npos);
  const Message updated = sent("uas", "200", 3);
  EXPECT_EQ(updated.headerValue(HeaderId::kCSeq), "3 UPDATE");
  EXPECT_EQ(updated.body(), "v=0 update-answer");
  EXPECT_EQ(b_.offers, (std::vector<std::string>{"v=0 update-offer"}));
  EXPECT_EQ(b_.session->remoteSdp(), "v=0 update-offer");
  // The refreshed target is where the callee's BYE goes.
  b_.session->hangup();
  net_.runFor(milliseconds(10));
  EXPECT_EQ(sent("uas", "BYE").requestUri(), "sip:alice@192.0.2.1:5062");
  net_.runFor(seconds(40));  // nobody listens on :5062: the BYE times out, the session still ends
  EXPECT_EQ(b_.summary(), "answered 200,message 0,ended 408");
  a_.session->hangup();  // the caller never heard the BYE: its own BYE ends its side
  expectIdleAfterWaitTimers();
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,ended 481");
}

// ---- 100rel (RFC 3262) ------------------------------------------------------------------------------

TEST_F(InviteSessionTest, ReliableProvisionalIsPrackedBeforeTheAnswer) {
  net_.drop("uac", "PRACK", 1);  // the 180 is retransmitted until the PRACK's own retransmission arrives
  onIncomingCall_ = [](InviteSession& s) {
    s.ring();
    s.answer("v=0 callee-answer");  // RFC 3262 §3: waits for the PRACK
  };
  call("v=0 offer", {{"Require", "100rel"}});
  net_.runFor(seconds(3));
  const Message ringing = sent("uas", "180");
  EXPECT_EQ(ringing.headerValue(HeaderId::kRequire), "100rel");
  auto rseq = parseRSeq(ringing.headerValue(HeaderId::kRSeq));
  ASSERT_TRUE(rseq);
  EXPECT_LE(*rseq, 0x7FFFFFFFu);
  EXPECT_EQ(sent("uac", "INVITE").headerValue(HeaderId::kSupported), "100rel, timer");
  // T1 = 500 ms: the 180 at 0 and 500; the PRACK's retransmission (Timer E, 500 ms) stops it.
  EXPECT_EQ(net_.sendTimes("uas", "180"), (std::vector<long>{0, 500}));
  EXPECT_EQ(net_.sendTimes("uac", "PRACK"), (std::vector<long>{0, 500}));  // one PRACK, retransmitted
  const Message prack = sent("uac", "PRACK", 2);
  EXPECT_EQ(prack.headerValue(HeaderId::kRAck), std::to_string(*rseq) + " 1 INVITE");
  EXPECT_EQ(prack.headerValue(HeaderId::kCSeq), "2 PRACK");
  EXPECT_EQ(prack.requestUri(), "sip:bob@192.0.2.2:5060");  // the 180's Contact
  EXPECT_EQ(net_.sendTimes("uas", "200").front(), 500);     // the PRACK's 200, then the INVITE's
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200");  // the retransmitted 180 is not reported again
  EXPECT_EQ(b_.summary(), "answered 200");
  a_.session->hangup();
  net_.runFor(seconds(1));
  EXPECT_EQ(sent("uac", "BYE").headerValue(HeaderId::kCSeq), "3 BYE");  // the early dialog's CSeq goes on
  EXPECT_EQ(b_.summary(), "answered 200,ended 200");
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, SecondReliableProvisionalWaitsForTheFirstPrack) {
  net_.setLatency(milliseconds(20));
  onIncomingCall_ = [](InviteSession& s) {
    s.ring();
    s.ring("v=0 early");
  };
  call("v=0 offer", {{"Require", "100rel"}});
  net_.runFor(seconds(1));
  const Message first = sent("uas", "180");
  const Message second = sent("uas", "183");
  EXPECT_EQ(*parseRSeq(second.headerValue(HeaderId::kRSeq)),
            *parseRSeq(first.headerValue(HeaderId::kRSeq)) + 1);
  // 20 ms a hop: INVITE in at 20, 180 out at 20, PRACK in at 60: only then the 183.
  EXPECT_EQ(net_.sendTimes("uas", "180"), (std::vector<long>{20}));
  EXPECT_EQ(net_.sendTimes("uas", "183"), (std::vector<long>{60}));
  EXPECT_EQ(count("uac", "PRACK"), 2u);
  EXPECT_EQ(a_.summary(), "provisional 180,provisional 183");
  EXPECT_EQ(a_.last(Kind::kProvisional)->sdp, "v=0 early");
  b_.session->answer("v=0 final");
  net_.runFor(seconds(1));
  EXPECT_EQ(a_.summary(), "provisional 180,provisional 183,answered 200");
  b_.session->hangup();
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, NoPrackRejectsTheInviteAfter64T1) {
  net_.dropAll("uac", "PRACK");
  onIncomingCall_ = [](InviteSession& s) {
    s.ring();
    s.answer("v=0 callee-answer");
  };
  call("v=0 offer", {{"Require", "100rel"}});
  net_.runFor(seconds(40));
  // RFC 3262 §3: retransmitted at T1 doubling (no T2 cap), then a 5xx at 64*T1.
  EXPECT_EQ(net_.sendTimes("uas", "180"), (std::vector<long>{0, 500, 1500, 3500, 7500, 15500, 31500}));
  EXPECT_EQ(net_.sendTimes("uas", "504"), (std::vector<long>{32000}));
  EXPECT_EQ(count("uas", "200"), 0u);
  EXPECT_EQ(b_.summary(), "failed 504");
  EXPECT_EQ(a_.summary(), "provisional 180,failed 504");
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, PrackWithWrongRAckGets481) {
  onIncomingCall_ = [](InviteSession& s) { s.ring(); };
  net_.dropAll("uac", "PRACK");
  call("v=0 offer", {{"Require", "100rel"}});
  net_.runFor(milliseconds(10));
  const Message ringing = sent("uas", "180");
  const Message invite = sent("uac", "INVITE");
  Message prack = Message::request("PRACK", "sip:bob@192.0.2.2:5060");
  prack.addHeader(HeaderId::kVia, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKprackbad");
  prack.addHeader(HeaderId::kMaxForwards, "70");
  prack.addHeader(HeaderId::kFrom, invite.headerValue(HeaderId::kFrom));
  prack.addHeader(HeaderId::kTo, ringing.headerValue(HeaderId::kTo));
  prack.addHeader(HeaderId::kCallId, invite.headerValue(HeaderId::kCallId));
  prack.addHeader(HeaderId::kCSeq, "2 PRACK");
  prack.addHeader(HeaderId::kRAck,
                  std::to_string(*parseRSeq(ringing.headerValue(HeaderId::kRSeq)) + 7) + " 1 INVITE");
  net_.inject(net_.uas(), prack, net_.uac().address());
  net_.runFor(milliseconds(10));
  EXPECT_EQ(a_.strays, (std::vector<int>{481}));
  b_.session->hangup();
  expectIdleAfterWaitTimers();
}

// ---- session timers (RFC 4028) ----------------------------------------------------------------------

TEST_F(InviteSessionTest, SessionTimerAnsweredAndRefreshedByTheCaller) {
  answerOnInvite();
  call("v=0 offer", {{"Session-Expires", "90;refresher=uac"}});
  net_.runFor(seconds(1));
  const Message ok = sent("uas", "200");
  EXPECT_EQ(ok.headerValue(HeaderId::kSessionExpires), "90;refresher=uac");
  EXPECT_EQ(ok.headerValue(HeaderId::kRequire), "timer");  // the INVITE said Supported: timer
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,session-timer 90");
  EXPECT_EQ(a_.last(Kind::kSessionTimer)->reason, "uac");
  EXPECT_EQ(b_.summary(), "answered 200,session-timer 90");
  EXPECT_EQ(b_.last(Kind::kSessionTimer)->reason, "uac");
  net_.runFor(seconds(200));
  // RFC 4028 §10: the refresher refreshes at half the interval, with UPDATE (the callee allows it) and no
  // body; the callee never hangs up.
  EXPECT_EQ(net_.sendTimes("uac", "UPDATE"), (std::vector<long>{45000, 90000, 135000, 180000}));
  const Message refresh = sent("uac", "UPDATE");
  EXPECT_TRUE(refresh.body().empty());
  EXPECT_EQ(refresh.headerValue(HeaderId::kSessionExpires), "90;refresher=uac");
  EXPECT_EQ(sent("uas", "200", 2).headerValue(HeaderId::kSessionExpires), "90;refresher=uac");
  EXPECT_TRUE(b_.offers.size() == 0u);  // a bare refresh asks the owner nothing
  EXPECT_EQ(b_.summary(), "answered 200,session-timer 90");
  EXPECT_EQ(a_.session->state(), InviteSession::State::kConfirmed);
  a_.session->hangup();
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, SessionTimerExpiresWithoutRefresh) {
  answerOnInvite();
  net_.dropAll("uac", "UPDATE");
  call("v=0 offer", {{"Session-Expires", "90;refresher=uac"}});
  net_.runFor(seconds(100));
  // RFC 4028 §10: the callee hangs up at 90 - min(32, 90/3) = 60 s without a refresh.
  EXPECT_EQ(net_.sendTimes("uas", "BYE"), (std::vector<long>{60000}));
  EXPECT_EQ(b_.summary(), "answered 200,session-timer 90,ended 408");
  EXPECT_NE(b_.last(Kind::kEnded)->reason.find("no session refresh"), std::string::npos);
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,session-timer 90,ended 200");
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, UnspecifiedRefresherIsTheCallerWhenItSupportsTimer) {
  answerOnInvite();
  call("v=0 offer", {{"Session-Expires", "120"}});
  net_.runFor(seconds(1));
  // RFC 4028 §9: our caller says Supported: timer, so the callee leaves refreshing to it.
  EXPECT_EQ(sent("uas", "200").headerValue(HeaderId::kSessionExpires), "120;refresher=uac");
  a_.session->hangup();
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, CalleeAsRefresher) {
  answerOnInvite();
  call("v=0 offer", {{"Session-Expires", "90;refresher=uas"}});
  net_.runFor(seconds(1));
  EXPECT_EQ(sent("uas", "200").headerValue(HeaderId::kSessionExpires), "90;refresher=uas");
  EXPECT_EQ(a_.last(Kind::kSessionTimer)->reason, "uas");
  net_.runFor(seconds(100));
  // The callee refreshes at 45 s; as the UAC of its UPDATE it says refresher=uac, and the caller agrees.
  EXPECT_EQ(net_.sendTimes("uas", "UPDATE"), (std::vector<long>{45000, 90000}));
  EXPECT_EQ(sent("uas", "UPDATE").headerValue(HeaderId::kSessionExpires), "90;refresher=uac");
  EXPECT_EQ(sent("uac", "200").headerValue(HeaderId::kSessionExpires), "90;refresher=uac");
  EXPECT_EQ(count("uac", "BYE"), 0u);
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,session-timer 90");
  b_.session->hangup();
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, SessionIntervalTooSmallGets422) {
  answerOnInvite();
  call("v=0 offer", {{"Session-Expires", "30"}});
  net_.runFor(seconds(1));
  EXPECT_EQ(b_.refusals, (std::vector<int>{422}));
  const Message refusal = sent("uas", "422");
  EXPECT_EQ(refusal.headerValue(HeaderId::kMinSE), "90");
  EXPECT_EQ(a_.summary(), "failed 422");
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, MalformedSessionExpiresGets400) {
  answerOnInvite();
  call("v=0 offer", {{"Session-Expires", "90;refresher=both"}});
  net_.runFor(seconds(1));
  EXPECT_EQ(b_.refusals, (std::vector<int>{400}));
  EXPECT_NE(std::string(sent("uas", "400").reason()).find("refresher must be uac or uas"), std::string::npos);
  expectIdleAfterWaitTimers();
}

// ---- offers we send, in-dialog authentication ---------------------------------------------------------

TEST_F(InviteSessionTest, UpdateWithOfferFromTheCaller) {
  answerOnInvite();
  call();
  net_.runFor(seconds(1));
  b_.offerAnswer = "v=0 b-update-answer";
  ASSERT_TRUE(a_.session->sendUpdate("v=0 a-update"));
  EXPECT_FALSE(a_.session->sendUpdate("v=0 again"));  // RFC 3311 §5.1: one offer at a time
  net_.runFor(seconds(1));
  EXPECT_EQ(b_.offers, (std::vector<std::string>{"v=0 a-update"}));
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,update 200");
  EXPECT_EQ(a_.last(Kind::kUpdateResult)->sdp, "v=0 b-update-answer");
  EXPECT_EQ(count("uac", "ACK"), 1u);  // no ACK for an UPDATE
  a_.session->hangup();
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, ChallengedReinviteIsResentWithCredentials) {
  answerOnInvite();
  call();
  net_.runFor(seconds(1));
  challengeInDialog_ = "INVITE";
  ASSERT_TRUE(a_.session->sendReinvite("v=0 a-hold"));
  net_.runFor(seconds(1));
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,reinvite 200");
  const Message retried = sent("uac", "INVITE", 3);
  EXPECT_EQ(retried.headerValue(HeaderId::kCSeq), "3 INVITE");
  EXPECT_NE(retried.headerValue(HeaderId::kProxyAuthorization).find("username=\"alice\""), std::string::npos);
  EXPECT_EQ(retried.body(), "v=0 a-hold");
  // The ACK of the 407 is the layer's (CSeq 2), the ACK of the 2xx carries the retried CSeq.
  EXPECT_EQ(sent("uac", "ACK", 2).headerValue(HeaderId::kCSeq), "2 ACK");
  EXPECT_EQ(sent("uac", "ACK", 3).headerValue(HeaderId::kCSeq), "3 ACK");
  EXPECT_EQ(b_.offers, (std::vector<std::string>{"v=0 a-hold"}));
  challengeInDialog_ = "BYE";
  a_.session->hangup();
  net_.runFor(seconds(1));
  EXPECT_EQ(count("uac", "BYE"), 2u);
  EXPECT_EQ(sent("uac", "BYE", 2).headerValue(HeaderId::kCSeq), "5 BYE");
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,reinvite 200,ended 200");
  EXPECT_EQ(b_.summary(), "answered 200,ended 200");
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, WrongPasswordInTheDialogEndsTheRequestNotTheLoop) {
  answerOnInvite();
  call();
  net_.runFor(seconds(1));
  challengeInDialog_ = "UPDATE";
  challengeAlways_ = true;
  ASSERT_TRUE(a_.session->sendUpdate("v=0 x"));
  // The callee keeps challenging without stale=true: the credentials are wrong, and the second 407 is the
  // UPDATE's outcome (no loop).
  net_.runFor(seconds(1));
  EXPECT_EQ(count("uac", "UPDATE"), 2u);
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,update 407");
  EXPECT_EQ(a_.session->state(), InviteSession::State::kConfirmed);
  a_.session->hangup();
  expectIdleAfterWaitTimers();
}

// ---- REFER (RFC 3515) -------------------------------------------------------------------------------

TEST_F(InviteSessionTest, TransferBothWaysWithSipfragProgress) {
  answerOnInvite();
  call();
  net_.runFor(seconds(1));
  ASSERT_TRUE(a_.session->transfer("sip:carol@192.0.2.3"));
  EXPECT_FALSE(a_.session->transfer("sip:dave@192.0.2.3"));  // one at a time
  net_.runFor(seconds(1));
  EXPECT_EQ(b_.refers, (std::vector<std::string>{"sip:carol@192.0.2.3"}));
  const Message refer = sent("uac", "REFER");
  EXPECT_EQ(refer.headerValue(HeaderId::kReferTo), "<sip:carol@192.0.2.3>");
  EXPECT_EQ(refer.headerValue(HeaderId::kReferredBy), "<sip:alice@192.0.2.1>");
  EXPECT_EQ(count("uas", "202"), 1u);
  const Message trying = sent("uas", "NOTIFY");
  EXPECT_EQ(trying.headerValue(HeaderId::kEvent), "refer");
  EXPECT_EQ(trying.headerValue(HeaderId::kSubscriptionState), "active;expires=60");
  EXPECT_EQ(trying.headerValue(HeaderId::kContentType), "message/sipfrag;version=2.0");
  EXPECT_EQ(trying.body(), "SIP/2.0 100 Trying\r\n");
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,transfer 100");
  EXPECT_TRUE(b_.session->notifyTransfer(180));
  EXPECT_TRUE(b_.session->notifyTransfer(200, "OK"));
  EXPECT_FALSE(b_.session->notifyTransfer(200));  // the subscription ended
  net_.runFor(seconds(1));
  EXPECT_EQ(sent("uas", "NOTIFY", 3).headerValue(HeaderId::kSubscriptionState),
            "terminated;reason=noresource");
  EXPECT_EQ(sent("uas", "NOTIFY", 2).body(), "SIP/2.0 180 Ringing\r\n");
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,transfer 100,transfer 180,transfer 200");
  EXPECT_EQ(a_.last(Kind::kTransfer)->reason, "OK");
  // The transfer is over: a new one may start, and this one is refused by the callee.
  b_.acceptRefer = false;
  ASSERT_TRUE(a_.session->transfer("sip:dave@192.0.2.3"));
  net_.runFor(seconds(1));
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,transfer 100,transfer 180,transfer 200,transfer 603");
  a_.session->hangup();
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, TransferWithoutFinalNotifyTimesOut) {
  answerOnInvite();
  caller_.transferTimeout = seconds(20);
  call();
  net_.runFor(seconds(1));
  ASSERT_TRUE(a_.session->transfer("sip:carol@192.0.2.3"));
  net_.runFor(seconds(30));
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,transfer 100,transfer 408");
  a_.session->hangup();
  expectIdleAfterWaitTimers();
}

TEST_F(InviteSessionTest, PreloadedRouteOnInviteAndCancel) {
  caller_.routeSet = {"<sip:192.0.2.2;lr>", "<sip:192.0.2.9;lr>"};
  onIncomingCall_ = [](InviteSession& s) { s.ring(); };
  call();
  net_.runFor(seconds(1));
  a_.session->cancel();
  net_.runFor(seconds(1));
  for (const char* method : {"INVITE", "CANCEL"}) {
    const Message m = sent("uac", method);
    std::vector<std::string_view> routes;
    for (const HeaderField& f : m.headers()) {
      if (f.id == HeaderId::kRoute) routes.push_back(f.value);
    }
    EXPECT_EQ(routes, (std::vector<std::string_view>{"<sip:192.0.2.2;lr>", "<sip:192.0.2.9;lr>"})) << method;
    EXPECT_EQ(m.requestUri(), "sip:bob@192.0.2.2") << method;
  }
  EXPECT_EQ(a_.summary(), "provisional 180,failed 487");
  expectIdleAfterWaitTimers();
}

// Our re-INVITE got a 100 Trying and never a final response: its client transaction sits in Proceeding,
// which has no Timer B (RFC 3261 §17.1.1.2). Hanging up must not leave it there: the session CANCELs it, and
// the layer destroys it 64*T1 after the CANCEL (RFC 3261 §9.1), here without any answer from the peer.
TEST_F(InviteSessionTest, HangupCancelsAReinviteLeftInProceeding) {
  answerOnInvite();
  call();
  net_.runFor(seconds(1));
  net_.dropAll("uac", "INVITE");  // the callee never sees the re-INVITE; its 100 is injected
  ASSERT_TRUE(a_.session->sendReinvite("v=0 a-hold"));
  const Message reinvite = sent("uac", "INVITE", 2).clone();
  net_.inject(net_.uac(), test::makeResponse(reinvite, 100), net_.uas().address());
  net_.runFor(seconds(1));
  EXPECT_EQ(count("uac", "CANCEL"), 0u);

  a_.session->hangup();
  net_.runFor(seconds(1));
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,ended 200");
  ASSERT_EQ(count("uac", "CANCEL"), 1u);
  const Message cancel = sent("uac", "CANCEL");
  EXPECT_EQ(cancel.requestUri(), reinvite.requestUri());
  EXPECT_EQ(topViaOf(cancel), topViaOf(reinvite));  // same branch: it matches the re-INVITE's transaction
  EXPECT_EQ(cancel.headerValue(HeaderId::kCSeq), "2 CANCEL");
  EXPECT_EQ(cancel.headerValue(HeaderId::kTo), reinvite.headerValue(HeaderId::kTo));
  EXPECT_EQ(cancel.headerValue(HeaderId::kFrom), reinvite.headerValue(HeaderId::kFrom));
  EXPECT_EQ(cancel.headerValue(HeaderId::kCallId), reinvite.headerValue(HeaderId::kCallId));
  net_.runFor(seconds(30));  // 31 s after the CANCEL: the BYE and the CANCEL are done, the re-INVITE waits
  EXPECT_EQ(net_.uac().layer().clientCount(), 1u);
  net_.runFor(seconds(2));  // 64*T1 = 32 s after the CANCEL
  EXPECT_EQ(net_.uac().layer().clientCount(), 0u);
  expectIdleAfterWaitTimers();
}

// RFC 3261 §9.1: the CANCEL waits for a provisional response, which may come after the session ended and its
// owner destroyed it; the CANCEL still goes out then, so the re-INVITE does not stay in Proceeding forever.
TEST_F(InviteSessionTest, ReinviteCancelWaitsForAProvisionalThatComesAfterTheSession) {
  answerOnInvite();
  call();
  net_.runFor(seconds(1));
  net_.dropAll("uac", "INVITE");
  ASSERT_TRUE(a_.session->sendReinvite("v=0 a-hold"));
  const Message reinvite = sent("uac", "INVITE", 2).clone();
  a_.session->hangup();
  net_.runFor(seconds(1));
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,ended 200");
  EXPECT_EQ(count("uac", "CANCEL"), 0u);  // no provisional yet: Timer B still bounds the re-INVITE
  ASSERT_TRUE(a_.session->finished());
  a_.session.reset();

  net_.inject(net_.uac(), test::makeResponse(reinvite, 100), net_.uas().address());
  ASSERT_EQ(count("uac", "CANCEL"), 1u);
  EXPECT_EQ(topViaOf(sent("uac", "CANCEL")), topViaOf(reinvite));
  net_.runFor(seconds(31));
  EXPECT_EQ(net_.uac().layer().clientCount(), 1u);
  net_.runFor(seconds(2));
  EXPECT_EQ(net_.uac().layer().clientCount(), 0u);
  expectIdleAfterWaitTimers();
}

// A re-INVITE answered after the hang-up needs no CANCEL: its final response ends it.
TEST_F(InviteSessionTest, ReinviteAnsweredAfterTheHangupIsNotCancelled) {
  answerOnInvite();
  call();
  net_.runFor(seconds(1));
  net_.dropAll("uac", "INVITE");
  ASSERT_TRUE(a_.session->sendReinvite("v=0 a-hold"));
  const Message reinvite = sent("uac", "INVITE", 2).clone();
  a_.session->hangup();
  net_.runFor(seconds(1));
  net_.inject(net_.uac(), test::makeResponse(reinvite, 481), net_.uas().address());
  net_.inject(net_.uac(), test::makeResponse(reinvite, 100), net_.uas().address());  // late, absorbed
  EXPECT_EQ(count("uac", "CANCEL"), 0u);
  EXPECT_EQ(a_.summary(), "provisional 180,answered 200,ended 200");
  expectIdleAfterWaitTimers();
}

}  // namespace
}  // namespace callgate::sip
