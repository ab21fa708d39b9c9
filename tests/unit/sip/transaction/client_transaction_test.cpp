// Client transaction scenarios (RFC 3261 §17.1, RFC 6026 §7.2) on the loop network: retransmission
// schedules checked against T1, T2 and T4, under loss, duplication and reordering.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loop_network.hpp"
#include "sip/message/parser.hpp"
#include "sip/transaction/transaction_key.hpp"

namespace callgate::sip::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Times = std::vector<long>;
using Lines = std::vector<std::string>;

TEST(InviteClientTransaction, UdpNoAnswerRetransmitsOnTimerAAndTimesOutOnTimerB) {
  LoopNetwork net;
  net.dropAll("uac", "INVITE");
  const Message invite = makeRequest("INVITE", net.uac().address(), "z9hG4bK-a", 1);
  ASSERT_NE(net.uac().layer().sendRequest(invite, net.uas().address(), net.uac().clientEvents("inv")), 0u);
  net.runUntilMs(31999);
  EXPECT_TRUE(net.uac().events.empty());
  net.runUntilMs(40000);
  // RFC 3261 §17.1.1.2: Timer A starts at T1 and doubles; Timer B = 64*T1 = 32 s.
  EXPECT_EQ(net.sendTimes("uac", "INVITE"), (Times{0, 500, 1500, 3500, 7500, 15500, 31500}));
  EXPECT_EQ(net.uac().events, (Lines{"inv:error timeout@32000"}));
  EXPECT_EQ(net.uac().layer().clientCount(), 0u);
  EXPECT_TRUE(net.idle());
}

TEST(InviteClientTransaction, TcpNoAnswerHasNoRetransmissionAndTimesOutOnTimerB) {
  LoopNetwork net(TransportProtocol::kTcp);
  net.dropAll("uac", "INVITE");
  const Message invite = makeRequest("INVITE", net.uac().address(), "z9hG4bK-a", 1);
  net.uac().layer().sendRequest(invite, net.uas().address(), net.uac().clientEvents("inv"));
  net.runUntilMs(40000);
  EXPECT_EQ(net.sendTimes("uac", "INVITE"), (Times{0}));  // RFC 3261 §17.1.1.2: no Timer A when reliable
  EXPECT_EQ(net.uac().events, (Lines{"inv:error timeout@32000"}));
  EXPECT_TRUE(net.idle());
}

TEST(InviteClientTransaction, TimersFollowConfiguredT1) {
  TransactionTimers timers;
  timers.t1 = milliseconds(100);
  LoopNetwork net(TransportProtocol::kUdp, timers);
  net.dropAll("uac", "INVITE");
  net.uac().layer().sendRequest(makeRequest("INVITE", net.uac().address(), "z9hG4bK-a", 1),
                                net.uas().address(), net.uac().clientEvents("inv"));
  net.runUntilMs(10000);
  EXPECT_EQ(net.sendTimes("uac", "INVITE"), (Times{0, 100, 300, 700, 1500, 3100, 6300}));
  EXPECT_EQ(net.uac().events, (Lines{"inv:error timeout@6400"}));  // 64*T1
}

TEST(InviteClientTransaction, Rejected486WithLostAcksGetsAnAckForEachRetransmission) {
  LoopNetwork net;
  net.uas().onRequest = [&](TransactionId id, const Message& request) {
    net.uas().layer().respond(id, makeResponse(request, 486, "b1"));
  };
  net.drop("uac", "ACK", 1);
  net.drop("uac", "ACK", 2);
  net.drop("uac", "ACK", 3);
  Message invite = makeRequest("INVITE", net.uac().address(), "z9hG4bK-rej", 7);
  invite.addHeader(HeaderId::kRoute, "<sip:proxy.example.com;lr>");
  net.uac().layer().sendRequest(invite, net.uas().address(), net.uac().clientEvents("inv"));
  net.runUntilMs(20000);
  // RFC 3261 §17.2.1: Timer G retransmits the 486 at T1, 2*T1, 4*T1... until the (fourth) ACK arrives.
  EXPECT_EQ(net.sendTimes("uas", "486"), (Times{0, 500, 1500, 3500}));
  // RFC 3261 §17.1.1.2: each retransmitted final response is acknowledged again, never passed up.
  EXPECT_EQ(net.sendTimes("uac", "ACK"), (Times{0, 500, 1500, 3500}));
  EXPECT_EQ(net.uac().events, (Lines{"inv:486@0"}));
  EXPECT_EQ(net.uas().events, (Lines{"request INVITE@0"}));
  EXPECT_EQ(net.uas().layer().serverCount(), 0u);  // Timer I (T4) after the ACK at 3.5 s
  EXPECT_EQ(net.uac().layer().clientCount(), 1u);  // Timer D (32 s) still runs
  net.runUntilMs(31999);
  EXPECT_EQ(net.uac().layer().clientCount(), 1u);
  net.runUntilMs(32000);
  EXPECT_EQ(net.uac().layer().clientCount(), 0u);

  // RFC 3261 §17.1.1.3: the ACK has the INVITE's branch, Request-URI, From, Call-ID, CSeq number and Route,
  // and the To of the response.
  std::string ackBytes;
  for (const WireRecord& record : net.wire()) {
    if (record.summary == "ACK") ackBytes = record.bytes;
  }
  auto ack = parseMessage(std::string_view(ackBytes));
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->requestUri(), "sip:bob@192.0.2.2");
  EXPECT_EQ(ack->headerCount(HeaderId::kVia), 1u);
  EXPECT_EQ(ack->headerValue(HeaderId::kVia), "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-rej");
  EXPECT_EQ(ack->headerValue(HeaderId::kCSeq), "7 ACK");
  EXPECT_EQ(ack->headerValue(HeaderId::kTo), "<sip:bob@192.0.2.2>;tag=b1");
  EXPECT_EQ(ack->headerValue(HeaderId::kFrom), "<sip:alice@192.0.2.1>;tag=a1");
  EXPECT_EQ(ack->headerValue(HeaderId::kCallId), "call-1@test");
  EXPECT_EQ(ack->headerValue(HeaderId::kRoute), "<sip:proxy.example.com;lr>");
  EXPECT_TRUE(net.idle());
}

TEST(InviteClientTransaction, AcceptedPassesEvery2xxIncludingOtherForksUntilTimerM) {
  LoopNetwork net;
  TransactionId serverId = 0;
  Message received;
  net.uas().onRequest = [&](TransactionId id, const Message& request) {
    serverId = id;
    received = request.clone();
    net.uas().layer().respond(id, makeResponse(request, 200, "fork1"));
  };
  const Message invite = makeRequest("INVITE", net.uac().address(), "z9hG4bK-ok", 1);
  net.uac().layer().sendRequest(invite, net.uas().address(), net.uac().clientEvents("inv"));
  net.runUntilMs(100);
  // Another fork answers: a different To tag on the same transaction (RFC 6026 §7.2).
  net.inject(net.uac(), makeResponse(invite, 200, "fork2"),
             Endpoint{TransportProtocol::kUdp, "192.0.2.3", 5060});
  // The UAS core retransmits its 2xx (RFC 3261 §13.3.1.4); the server transaction sends it (RFC 6026 §7.1).
  net.runUntilMs(500);
  net.uas().layer().respond(serverId, makeResponse(received, 200, "fork1"));
  // A non-2xx in Accepted is absorbed.
  net.inject(net.uac(), makeResponse(invite, 486, "fork3"),
             Endpoint{TransportProtocol::kUdp, "192.0.2.3", 5060});
  net.runUntilMs(31999);
  EXPECT_EQ(net.sendTimes("uac", "INVITE"), (Times{0}));
  EXPECT_EQ(net.sendTimes("uas", "200"), (Times{0, 500}));
  EXPECT_EQ(net.sendTimes("uac", "ACK"), Times{});  // ACK for 2xx belongs to the TU
  EXPECT_EQ(net.uac().events,
            (Lines{"inv:200 tag=fork1@0", "inv:200 tag=fork2@100", "inv:200 tag=fork1@500"}));
  EXPECT_EQ(net.uac().layer().clientCount(), 1u);
  net.runUntilMs(32000);  // Timer M = 64*T1 after the first 2xx
  EXPECT_EQ(net.uac().layer().clientCount(), 0u);
  // After Timer M a 2xx matches nothing: stray (RFC 6026 §7.2, RFC 3261 §18.1.2).
  net.inject(net.uac(), makeResponse(invite, 200, "fork2"),
             Endpoint{TransportProtocol::kUdp, "192.0.2.3", 5060});
  EXPECT_EQ(net.uac().events.back(), "stray 200@32000");
  net.runUntilMs(40000);
  EXPECT_TRUE(net.idle());
}

TEST(InviteClientTransaction, ResponseDuplicationAndReorderingAreHandled) {
  LoopNetwork net;
  net.uas().onRequest = [&](TransactionId id, const Message& request) {
    net.uas().layer().respond(id, makeResponse(request, 180, "t"));
    net.uas().layer().respond(id, makeResponse(request, 200, "t"));
  };
  net.delay("uas", "180", 1, milliseconds(300));     // the 200 overtakes the 180
  net.duplicate("uas", "200", 1, milliseconds(50));  // and the 200 arrives twice
  net.uac().layer().sendRequest(makeRequest("INVITE", net.uac().address(), "z9hG4bK-re", 1),
                                net.uas().address(), net.uac().clientEvents("inv"));
  net.runUntilMs(1000);
  // Both copies of the 2xx reach the TU (RFC 6026 §7.2; the TU ACKs each); the late 180 does not.
  EXPECT_EQ(net.uac().events, (Lines{"inv:200 tag=t@0", "inv:200 tag=t@50"}));
  EXPECT_EQ(net.sendTimes("uac", "INVITE"), (Times{0}));
  net.runUntilMs(40000);
  EXPECT_TRUE(net.idle());
}

TEST(InviteClientTransaction, CancelWithoutFinalResponseEndsTheInviteAfter64T1) {
  LoopNetwork net;
  TransactionId serverId = 0;
  Message received;
  net.uas().onRequest = [&](TransactionId id, const Message& request) {
    serverId = id;
    received = request.clone();
    net.uas().layer().respond(id, makeResponse(request, 180, "t"));
  };
  net.dropAll("uac", "CANCEL");
  const Message invite = makeRequest("INVITE", net.uac().address(), "z9hG4bK-c", 1);
  net.uac().layer().sendRequest(invite, net.uas().address(), net.uac().clientEvents("inv"));
  net.runUntilMs(60000);
  // RFC 3261 §17.1.1.2: in Proceeding there is no Timer B; the INVITE waits for the TU.
  EXPECT_EQ(net.uac().events, (Lines{"inv:180@0"}));
  EXPECT_EQ(net.uac().layer().clientCount(), 1u);
  net.uac().layer().sendRequest(makeRequest("CANCEL", net.uac().address(), "z9hG4bK-c", 1),
                                net.uas().address(), net.uac().clientEvents("cancel"));
  net.runUntilMs(91999);
  EXPECT_EQ(net.uac().events, (Lines{"inv:180@0"}));
  net.runUntilMs(100000);
  // RFC 3261 §9.1: 64*T1 after the CANCEL without a final response, the INVITE is considered cancelled; the
  // CANCEL itself times out on Timer F at the same instant.
  EXPECT_EQ(net.uac().events, (Lines{"inv:180@0", "inv:error timeout@92000", "cancel:error timeout@92000"}));
  EXPECT_EQ(net.uac().layer().clientCount(), 0u);
  // The server's TU finally rejects the INVITE: the 487 is stray at the UAC, which no longer ACKs, so the
  // server transaction ends on Timer H.
  net.uas().layer().respond(serverId, makeResponse(received, 487, "t"));
  net.runFor(seconds(70));
  EXPECT_EQ(net.uac().events.back(), "stray 487@131500");  // the last Timer G retransmission
  EXPECT_EQ(net.uas().events.back(), "server error timeout@132000");
  EXPECT_TRUE(net.idle());
}

TEST(NonInviteClientTransaction, RetransmissionsCapAtT2AndTimerFTimesOut) {
  LoopNetwork net;
  net.dropAll("uac", "OPTIONS");
  net.uac().layer().sendRequest(makeRequest("OPTIONS", net.uac().address(), "z9hG4bK-o", 1),
                                net.uas().address(), net.uac().clientEvents("opt"));
  net.runUntilMs(40000);
  // RFC 3261 §17.1.2.2: Timer E doubles from T1 up to T2 = 4 s; Timer F = 64*T1.
  EXPECT_EQ(net.sendTimes("uac", "OPTIONS"),
            (Times{0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500}));
  EXPECT_EQ(net.uac().events, (Lines{"opt:error timeout@32000"}));
  EXPECT_TRUE(net.idle());
}

TEST(NonInviteClientTransaction, ProvisionalSwitchesTimerEToT2AndTimerKEndsIt) {
  LoopNetwork net;
  TransactionId serverId = 0;
  Message received;
  net.uas().onRequest = [&](TransactionId id, const Message& request) {
    serverId = id;
    received = request.clone();
    net.uas().layer().respond(id, makeResponse(request, 100));
  };
  net.uac().layer().sendRequest(makeRequest("OPTIONS", net.uac().address(), "z9hG4bK-p", 1),
                                net.uas().address(), net.uac().clientEvents("opt"));
  net.runUntilMs(10000);
  net.uas().layer().respond(serverId, makeResponse(received, 200, "x"));
  net.runUntilMs(14999);
  // RFC 3261 §17.1.2.2: Timer E keeps its first value, then fires every T2 in Proceeding. The server answers
  // each retransmission with its last provisional response (§17.2.2).
  EXPECT_EQ(net.sendTimes("uac", "OPTIONS"), (Times{0, 500, 4500, 8500}));
  EXPECT_EQ(net.sendTimes("uas", "100"), (Times{0, 500, 4500, 8500}));
  EXPECT_EQ(net.uac().events,
            (Lines{"opt:100@0", "opt:100@500", "opt:100@4500", "opt:100@8500", "opt:200 tag=x@10000"}));
  EXPECT_EQ(net.uas().requestCount, 1u);
  EXPECT_EQ(net.uac().layer().clientCount(), 1u);
  net.runUntilMs(15000);  // Timer K = T4 after the final response
  EXPECT_EQ(net.uac().layer().clientCount(), 0u);
  EXPECT_EQ(net.uas().layer().serverCount(), 1u);
  net.runUntilMs(41999);
  EXPECT_EQ(net.uas().layer().serverCount(), 1u);
  net.runUntilMs(42000);  // Timer J = 64*T1 after the final response
  EXPECT_TRUE(net.idle());
}

TEST(NonInviteClientTransaction, DuplicatedFinalResponseReachesTheTuOnce) {
  LoopNetwork net(TransportProtocol::kTcp);
  net.uas().onRequest = [&](TransactionId id, const Message& request) {
    net.uas().layer().respond(id, makeResponse(request, 200, "x"));
  };
  net.duplicate("uas", "200", 1, milliseconds(0));
  net.uac().layer().sendRequest(makeRequest("BYE", net.uac().address(), "z9hG4bK-b", 2), net.uas().address(),
                                net.uac().clientEvents("bye"));
  net.runFor(milliseconds(0));
  EXPECT_EQ(net.uac().events, (Lines{"bye:200 tag=x@0"}));
  // Reliable transport: Timers K and J are zero, everything is gone at once.
  EXPECT_TRUE(net.idle());
}

}  // namespace
}  // namespace callgate::sip::test
