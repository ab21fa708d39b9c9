// The transaction layer as a whole: matching (RFC 3261 §17.1.3, §17.2.3, RFC 2543 fallback), transport
// failures (§17.1.4, §17.2.4), re-entrant TUs, and what sendRequest refuses.
#include "sip/transaction/transaction_layer.hpp"

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

TEST(TransactionLayer, RefusedFirstSendIsReportedFromATimerNotFromSendRequest) {
  LoopNetwork net;
  net.uac().refuseSendsFrom(1);
  const TransactionId id =
      net.uac().layer().sendRequest(makeRequest("INVITE", net.uac().address(), "z9hG4bK-t", 1),
                                    net.uas().address(), net.uac().clientEvents("inv"));
  EXPECT_NE(id, 0u);
  EXPECT_TRUE(net.uac().events.empty());  // not from inside sendRequest()
  net.runFor(milliseconds(0));
  EXPECT_EQ(net.uac().events, (Lines{"inv:error transport@0"}));
  net.runFor(seconds(40));
  EXPECT_EQ(net.uac().events.size(), 1u);  // exactly one outcome: Timer B does not fire later
  EXPECT_TRUE(net.idle());
}

TEST(TransactionLayer, RefusedRetransmissionEndsTheClientTransaction) {
  LoopNetwork net;
  net.dropAll("uac", "OPTIONS");
  net.uac().refuseSendsFrom(3);
  net.uac().layer().sendRequest(makeRequest("OPTIONS", net.uac().address(), "z9hG4bK-t", 1),
                                net.uas().address(), net.uac().clientEvents("opt"));
  net.runUntilMs(40000);
  EXPECT_EQ(net.sendTimes("uac", "OPTIONS"), (Times{0, 500, 1500}));
  EXPECT_EQ(net.uac().events, (Lines{"opt:error transport@1500"}));
  EXPECT_TRUE(net.idle());
}

TEST(TransactionLayer, RefusedResponseEndsTheServerTransaction) {
  LoopNetwork net;
  net.uas().refuseSendsFrom(1);
  net.uas().onRequest = [&](TransactionId id, const Message& request) {
    const size_t before = net.uas().events.size();
    net.uas().layer().respond(id, makeResponse(request, 486, "x"));
    EXPECT_EQ(net.uas().events.size(), before);  // not from inside respond()
  };
  net.uac().layer().sendRequest(makeRequest("INVITE", net.uac().address(), "z9hG4bK-t", 1),
                                net.uas().address(), net.uac().clientEvents("inv"));
  net.runUntilMs(100);
  EXPECT_EQ(net.uas().events, (Lines{"request INVITE@0", "server error transport@0"}));
  EXPECT_EQ(net.uas().layer().serverCount(), 0u);
  // The UAC's retransmission starts a new server transaction (the first one is gone).
  net.runUntilMs(600);
  EXPECT_EQ(net.uas().requestCount, 2u);
}

TEST(TransactionLayer, TransportFailedEndsReliableTransactionsOfThatPeerOnly) {
  LoopNetwork net(TransportProtocol::kTcp);
  net.dropAll("uas", "486");  // the server never gets its answer out
  TransactionId serverId = 0;
  net.uas().onRequest = [&](TransactionId id, const Message&) { serverId = id; };
  net.uac().layer().sendRequest(makeRequest("INVITE", net.uac().address(), "z9hG4bK-tf", 1),
                                net.uas().address(), net.uac().clientEvents("inv"));
  const Endpoint elsewhere{TransportProtocol::kTcp, "192.0.2.9", 5060};
  net.uac().layer().sendRequest(makeRequest("OPTIONS", net.uac().address(), "z9hG4bK-tf2", 2), elsewhere,
                                net.uac().clientEvents("other"));
  net.runUntilMs(1000);
  ASSERT_NE(serverId, 0u);
  // A UDP endpoint with the same address is not the lost connection.
  net.uac().layer().transportFailed(Endpoint{TransportProtocol::kUdp, "192.0.2.2", 5060});
  net.runUntilMs(1001);
  EXPECT_EQ(net.uac().events, (Lines{"inv:100@200"}));
  net.uac().layer().transportFailed(net.uas().address());
  net.uas().layer().transportFailed(net.uac().address());
  EXPECT_EQ(net.uac().events, (Lines{"inv:100@200"}));  // reported from a timer
  net.runUntilMs(1002);
  EXPECT_EQ(net.uac().events, (Lines{"inv:100@200", "inv:error transport@1001"}));
  EXPECT_EQ(net.uas().events, (Lines{"request INVITE@0", "server error transport@1001"}));
  EXPECT_EQ(net.uac().layer().clientCount(), 1u);  // the OPTIONS to another peer is untouched
  net.runUntilMs(40000);
  EXPECT_EQ(net.uac().events.back(), "other:error timeout@32000");
  EXPECT_TRUE(net.idle());
}

TEST(TransactionLayer, TuMaySendNewRequestsFromInsideItsCallbacks) {
  LoopNetwork net;
  int attempt = 0;
  net.uas().onRequest = [&](TransactionId id, const Message& request) {
    // Busy the first time, then accept.
    net.uas().layer().respond(
        id, makeResponse(request, request.headerValue(HeaderId::kCSeq) == "1 INVITE" ? 486 : 200, "z"));
  };
  net.uac().afterClientEvent = [&](const std::string& label, const Message* response) {
    if (label == "inv1" && response != nullptr && response->statusCode() == 486 && attempt++ == 0) {
      // Re-entrant: a new INVITE from inside onResponse of the first one.
      const TransactionId second =
          net.uac().layer().sendRequest(makeRequest("INVITE", net.uac().address(), "z9hG4bK-second", 2),
                                        net.uas().address(), net.uac().clientEvents("inv2"));
      EXPECT_NE(second, 0u);
      EXPECT_EQ(net.uac().layer().clientCount(), 2u);
    }
    if (label == "opt" && response == nullptr) {
      // Re-entrant from onError as well.
      net.uac().layer().sendRequest(makeRequest("OPTIONS", net.uac().address(), "z9hG4bK-opt2", 4),
                                    net.uas().address(), net.uac().clientEvents("opt2"));
    }
  };
  net.uac().layer().sendRequest(makeRequest("INVITE", net.uac().address(), "z9hG4bK-first", 1),
                                net.uas().address(), net.uac().clientEvents("inv1"));
  net.runUntilMs(100);
  EXPECT_EQ(net.uac().events, (Lines{"inv1:486@0", "inv2:200 tag=z@0"}));
  // A refused OPTIONS whose onError sends the next one.
  net.uac().refuseSendsFrom(net.uac().sendCount() + 1);
  net.uac().layer().sendRequest(makeRequest("OPTIONS", net.uac().address(), "z9hG4bK-opt1", 3),
                                net.uas().address(), net.uac().clientEvents("opt"));
  net.uac().refuseSendsFrom(0);
  net.runUntilMs(200);
  EXPECT_EQ(net.uac().events,
            (Lines{"inv1:486@0", "inv2:200 tag=z@0", "opt:error transport@100", "opt2:200 tag=z@100"}));
  net.runFor(seconds(70));
  EXPECT_TRUE(net.idle());
}

TEST(TransactionLayer, SendRequestRefusesWhatCannotStartATransaction) {
  LoopNetwork net;
  net.dropAll("uac", "INVITE");
  auto& layer = net.uac().layer();
  const Endpoint to = net.uas().address();
  EXPECT_EQ(layer.sendRequest(makeRequest("ACK", net.uac().address(), "z9hG4bK-a", 1), to, {}), 0u);
  EXPECT_EQ(layer.sendRequest(makeRequest("INVITE", net.uac().address(), "old-branch", 1), to, {}), 0u);
  EXPECT_EQ(layer.sendRequest(Message::response(200, "OK"), to, {}), 0u);
  EXPECT_EQ(layer.sendRequest(Message::request("OPTIONS", "sip:x@y"), to, {}), 0u);  // no Via
  const TransactionId id =
      layer.sendRequest(makeRequest("INVITE", net.uac().address(), "z9hG4bK-a", 1), to, {});
  EXPECT_NE(id, 0u);
  EXPECT_EQ(layer.sendRequest(makeRequest("INVITE", net.uac().address(), "z9hG4bK-a", 1), to, {}),
            0u);  // in use
  EXPECT_EQ(layer.clientCount(), 1u);
  EXPECT_EQ(net.sendTimes("uac", "INVITE"), (Times{0}));
  net.runFor(seconds(70));
  EXPECT_TRUE(net.idle());
}

TEST(TransactionLayer, ResponsesMatchByBranchAndCSeqMethod) {
  LoopNetwork net;
  net.dropAll("uac", "INVITE");
  const Message invite = makeRequest("INVITE", net.uac().address(), "z9hG4bK-m", 1);
  net.uac().layer().sendRequest(invite, net.uas().address(), net.uac().clientEvents("inv"));
  const Endpoint peer = net.uas().address();
  // Same branch, other CSeq method: not this transaction (RFC 3261 §17.1.3).
  Message wrongMethod = makeResponse(invite, 200, "q");
  wrongMethod.setHeader(HeaderId::kCSeq, "1 BYE");
  net.inject(net.uac(), wrongMethod, peer);
  // Another branch, and an RFC 2543 branch.
  net.inject(net.uac(), makeResponse(makeRequest("INVITE", net.uac().address(), "z9hG4bK-n", 1), 200, "q"),
             peer);
  net.inject(net.uac(), makeResponse(makeRequest("INVITE", net.uac().address(), "2543", 1), 200, "q"), peer);
  EXPECT_EQ(net.uac().events, (Lines{"stray 200@0", "stray 200@0", "stray 200@0"}));
  net.inject(net.uac(), makeResponse(invite, 180, "q"), peer);
  EXPECT_EQ(net.uac().events.back(), "inv:180@0");
  net.uac().layer().transportFailed(peer);  // UDP: ignored
  net.runFor(seconds(70));
  EXPECT_EQ(net.uac().events.size(), 4u);  // Proceeding: no Timer B, the TU would CANCEL
  EXPECT_EQ(net.uac().layer().clientCount(), 1u);
}

TEST(TransactionLayer, ServerRequestsMatchBySentByToo) {
  LoopNetwork net;
  net.uas().onRequest = [&](TransactionId id, const Message& request) {
    net.uas().layer().respond(id, makeResponse(request, 200, "s"));
  };
  const Endpoint a{TransportProtocol::kUdp, "192.0.2.1", 5060};
  const Endpoint b{TransportProtocol::kUdp, "192.0.2.7", 5070};
  // Same branch from two different sent-bys: two transactions (RFC 3261 §17.2.3).
  net.inject(net.uas(), makeRequest("OPTIONS", a, "z9hG4bK-same", 1), a);
  net.inject(net.uas(), makeRequest("OPTIONS", b, "z9hG4bK-same", 1), b);
  // Same branch and sent-by, other method: another transaction.
  net.inject(net.uas(), makeRequest("INFO", a, "z9hG4bK-same", 2), a);
  // A retransmission of the first: absorbed.
  net.inject(net.uas(), makeRequest("OPTIONS", a, "z9hG4bK-same", 1), a);
  EXPECT_EQ(net.uas().requestCount, 3u);
  EXPECT_EQ(net.uas().layer().serverCount(), 3u);
  net.runFor(seconds(70));
  EXPECT_TRUE(net.idle());
}

// RFC 3261 §17.2.3, last paragraphs: requests from RFC 2543 elements (no z9hG4bK branch).
TEST(TransactionLayer, Rfc2543RequestsMatchWithoutTheMagicCookie) {
  LoopNetwork net;
  TransactionId inviteId = 0;
  net.uas().onRequest = [&](TransactionId id, const Message& request) {
    if (request.methodId() == Method::kInvite) inviteId = id;
  };
  const Endpoint peer{TransportProtocol::kUdp, "192.0.2.5", 5060};
  auto old = [&](std::string_view method, uint32_t cseq) {
    Message m = Message::request(method, "sip:bob@192.0.2.2");
    m.addHeader(HeaderId::kVia, "SIP/2.0/UDP 192.0.2.5:5060");
    m.addHeader(HeaderId::kFrom, "<sip:carol@192.0.2.5>;tag=c5");
    m.addHeader(HeaderId::kTo, "<sip:bob@192.0.2.2>");
    m.addHeader(HeaderId::kCallId, "old-call@192.0.2.5");
    m.addHeader(HeaderId::kCSeq, std::to_string(cseq) + " " + std::string(method));
    return m;
  };
  const Message invite = old("INVITE", 5);
  net.inject(net.uas(), invite, peer);
  net.inject(net.uas(), invite, peer);  // a retransmission
  EXPECT_EQ(net.uas().requestCount, 1u);
  ASSERT_NE(inviteId, 0u);
  EXPECT_EQ(net.uas().layer().findInviteServerTransaction(old("CANCEL", 5)), inviteId);
  EXPECT_EQ(net.uas().layer().findInviteServerTransaction(old("CANCEL", 6)), 0u);
  net.uas().layer().respond(inviteId, makeResponse(invite, 486, "mine"));
  net.runFor(milliseconds(600));
  EXPECT_EQ(net.sendTimes("uas", "486"), (Times{0, 500}));  // Timer G
  // An ACK whose To tag is not the one of our response does not match: it goes to the TU.
  Message strangerAck = old("ACK", 5);
  strangerAck.setHeader(HeaderId::kTo, "<sip:bob@192.0.2.2>;tag=other");
  net.inject(net.uas(), strangerAck, peer);
  EXPECT_EQ(net.uas().events.back(), "ack@600");
  // The right ACK (To tag of the 486) confirms the transaction: no more 486.
  Message ack = old("ACK", 5);
  ack.setHeader(HeaderId::kTo, "<sip:bob@192.0.2.2>;tag=mine");
  net.inject(net.uas(), ack, peer);
  net.runFor(seconds(3));
  EXPECT_EQ(net.sendTimes("uas", "486"), (Times{0, 500}));
  EXPECT_EQ(net.uas().events, (Lines{"request INVITE@0", "ack@600"}));
  net.runFor(seconds(70));
  EXPECT_TRUE(net.idle());
}

TEST(TransactionLayer, LayerDestroyedWithLiveTransactionsLeavesNoTimer) {
  core::ManualClock clock;
  core::TimerQueue queue(clock);
  struct NullSink final : TransportSink {
    bool send(const Endpoint&, std::string_view) override { return true; }
  } sink;
  const Endpoint self{TransportProtocol::kUdp, "192.0.2.1", 5060};
  {
    TransactionLayer layer(queue, sink);
    layer.setServerEvents({[](TransactionId, const Message&, const Endpoint&) {}, {}, {}, {}});
    layer.sendRequest(makeRequest("INVITE", self, "z9hG4bK-d", 1),
                      Endpoint{TransportProtocol::kUdp, "192.0.2.2", 5060}, {});
    layer.receive(makeRequest("INVITE", Endpoint{TransportProtocol::kUdp, "192.0.2.3", 5060}, "z9hG4bK-e", 1),
                  Endpoint{TransportProtocol::kUdp, "192.0.2.3", 5060});
    EXPECT_EQ(layer.clientCount(), 1u);
    EXPECT_EQ(layer.serverCount(), 1u);
    EXPECT_GT(queue.pending(), 0u);
  }
  EXPECT_EQ(queue.pending(), 0u);
}

}  // namespace
}  // namespace callgate::sip::test
