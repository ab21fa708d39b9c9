// Server transaction scenarios (RFC 3261 §17.2, RFC 6026 §7.1) on the loop network.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loop_network.hpp"
#include "sip/message/writer.hpp"

namespace callgate::sip::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Times = std::vector<long>;
using Lines = std::vector<std::string>;

TEST(InviteServerTransaction, SendsTryingAfter200msWhenTheTuIsSlow) {
  LoopNetwork net;
  TransactionId serverId = 0;
  Message received;
  net.uas().onRequest = [&](TransactionId id, const Message& request) {
    serverId = id;
    received = request.clone();
  };
  // The UAC core ACKs the 2xx itself, outside the transaction (RFC 3261 §13.2.2.4): a new branch.
  net.uac().afterClientEvent = [&](const std::string&, const Message* response) {
    if (response == nullptr || response->statusCode() != 200) return;
    Message ack = makeRequest("ACK", net.uac().address(), "z9hG4bK-ack2xx", 1);
    ack.setHeader(HeaderId::kTo, response->headerValue(HeaderId::kTo));
    net.uac().send(net.uas().address(), toString(ack));
  };
  net.uac().layer().sendRequest(makeRequest("INVITE", net.uac().address(), "z9hG4bK-s", 1),
                                net.uas().address(), net.uac().clientEvents("inv"));
  net.runUntilMs(199);
  EXPECT_EQ(net.sendTimes("uas", "100"), Times{});
  net.runUntilMs(1000);
  // RFC 3261 §17.2.1: 100 Trying at 200 ms; it stops Timer A at the UAC (§17.1.1.2), so no retransmission.
  EXPECT_EQ(net.sendTimes("uas", "100"), (Times{200}));
  EXPECT_EQ(net.sendTimes("uac", "INVITE"), (Times{0}));
  net.uas().layer().respond(serverId, makeResponse(received, 180, "s"));
  net.runUntilMs(2000);
  net.uas().layer().respond(serverId, makeResponse(received, 200, "s"));
  net.runUntilMs(3000);
  EXPECT_EQ(net.uac().events, (Lines{"inv:100@200", "inv:180@1000", "inv:200 tag=s@2000"}));
  // The ACK of the 2xx does not match the transaction (another branch): it goes to the TU (RFC 6026 §7.1).
  EXPECT_EQ(net.uas().events, (Lines{"request INVITE@0", "ack@2000"}));
  EXPECT_EQ(net.uas().layer().serverCount(), 1u);  // Accepted until Timer L
  net.runUntilMs(33999);
  EXPECT_EQ(net.uas().layer().serverCount(), 1u);
  net.runUntilMs(34000);  // Timer L = 64*T1 after the 2xx
  EXPECT_EQ(net.uas().layer().serverCount(), 0u);
  EXPECT_TRUE(net.idle());  // Timer M ended the client side at the same instant
}

TEST(InviteServerTransaction, TimerHEndsCompletedWithoutAck) {
  LoopNetwork net;
  net.uas().onRequest = [&](TransactionId id, const Message& request) {
    net.uas().layer().respond(id, makeResponse(request, 486, "h"));
  };
  net.dropAll("uac", "ACK");
  net.uac().layer().sendRequest(makeRequest("INVITE", net.uac().address(), "z9hG4bK-h", 1),
                                net.uas().address(), net.uac().clientEvents("inv"));
  net.runUntilMs(40000);
  // RFC 3261 §17.2.1: Timer G doubles up to T2; Timer H = 64*T1 ends the transaction with a timeout.
  EXPECT_EQ(net.sendTimes("uas", "486"),
            (Times{0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500}));
  EXPECT_EQ(net.sendTimes("uac", "ACK"), net.sendTimes("uas", "486"));
  EXPECT_EQ(net.uas().events, (Lines{"request INVITE@0", "server error timeout@32000"}));
  EXPECT_EQ(net.uac().events, (Lines{"inv:486@0"}));
  EXPECT_TRUE(net.idle());
}

TEST(InviteServerTransaction, RetransmittedInviteGetsTheLastProvisionalAndReachesTheTuOnce) {
  LoopNetwork net;
  TransactionId serverId = 0;
  Message received;
  net.uas().onRequest = [&](TransactionId id, const Message& request) {
    serverId = id;
    received = request.clone();
    net.uas().layer().respond(id, makeResponse(request, 180, "r"));
  };
  net.drop("uas", "180", 1);
  net.uac().layer().sendRequest(makeRequest("INVITE", net.uac().address(), "z9hG4bK-r", 1),
                                net.uas().address(), net.uac().clientEvents("inv"));
  net.runUntilMs(5000);
  EXPECT_EQ(net.sendTimes("uac", "INVITE"), (Times{0, 500}));
  EXPECT_EQ(net.sendTimes("uas", "180"), (Times{0, 500}));
  EXPECT_EQ(net.uas().requestCount, 1u);
  EXPECT_EQ(net.uac().events, (Lines{"inv:180@500"}));
  // Over UDP, a 2xx then a duplicated INVITE: absorbed in Accepted (RFC 6026 §7.1), no response resent.
  net.uas().layer().respond(serverId, makeResponse(received, 200, "r"));
  net.inject(net.uas(), received, net.uac().address());
  net.runUntilMs(6000);
  EXPECT_EQ(net.sendTimes("uas", "200"), (Times{5000}));
  EXPECT_EQ(net.uas().requestCount, 1u);
  net.runFor(seconds(70));
  EXPECT_TRUE(net.idle());
}

TEST(InviteServerTransaction, CancelHasItsOwnTransactionAndFindsTheInvite) {
  LoopNetwork net;
  TransactionId inviteId = 0;
  TransactionId foundId = 0;
  Message invite;
  net.uas().onRequest = [&](TransactionId id, const Message& request) {
    if (request.methodId() == Method::kInvite) {
      inviteId = id;
      invite = request.clone();
      net.uas().layer().respond(id, makeResponse(request, 180, "c"));
      return;
    }
    // RFC 3261 §9.2: 200 to the CANCEL, 487 to the INVITE it cancels.
    foundId = net.uas().layer().findInviteServerTransaction(request);
    net.uas().layer().respond(id, makeResponse(request, 200, "c"));
    net.uas().layer().respond(foundId, makeResponse(invite, 487, "c"));
  };
  net.uac().layer().sendRequest(makeRequest("INVITE", net.uac().address(), "z9hG4bK-x", 1),
                                net.uas().address(), net.uac().clientEvents("inv"));
  net.runUntilMs(1000);
  net.uac().layer().sendRequest(makeRequest("CANCEL", net.uac().address(), "z9hG4bK-x", 1),
                                net.uas().address(), net.uac().clientEvents("cancel"));
  net.runUntilMs(2000);
  EXPECT_NE(inviteId, 0u);
  EXPECT_EQ(foundId, inviteId);
  EXPECT_EQ(net.uas().events, (Lines{"request INVITE@0", "request CANCEL@1000"}));
  EXPECT_EQ(net.uac().events, (Lines{"inv:180@0", "cancel:200 tag=c@1000", "inv:487@1000"}));
  EXPECT_EQ(net.sendTimes("uac", "ACK"), (Times{1000}));  // the 487 is ACKed by the transaction
  // A CANCEL for an unknown INVITE finds nothing.
  EXPECT_EQ(net.uas().layer().findInviteServerTransaction(
                makeRequest("CANCEL", net.uac().address(), "z9hG4bK-other", 1)),
            0u);
  net.runFor(seconds(70));
  EXPECT_TRUE(net.idle());
}

TEST(NonInviteServerTransaction, RequestRetransmissionsAreAbsorbedAndAnsweredWithTheFinalResponse) {
  LoopNetwork net;
  net.uas().onRequest = [&](TransactionId id, const Message& request) {
    net.uas().layer().respond(id, makeResponse(request, 200, "n"));
  };
  net.drop("uas", "200", 1);                              // the first answer is lost
  net.duplicate("uac", "OPTIONS", 1, milliseconds(100));  // the network repeats the request
  net.uac().layer().sendRequest(makeRequest("OPTIONS", net.uac().address(), "z9hG4bK-n", 1),
                                net.uas().address(), net.uac().clientEvents("opt"));
  net.runUntilMs(1000);
  EXPECT_EQ(net.uas().requestCount, 1u);
  EXPECT_EQ(net.sendTimes("uas", "200"), (Times{0, 100}));  // RFC 3261 §17.2.2: Completed resends the final
  EXPECT_EQ(net.sendTimes("uac", "OPTIONS"), (Times{0}));
  EXPECT_EQ(net.uac().events, (Lines{"opt:200 tag=n@100"}));
  net.runUntilMs(31999);
  EXPECT_EQ(net.uas().layer().serverCount(), 1u);
  net.runUntilMs(32000);  // Timer J = 64*T1
  EXPECT_EQ(net.uas().layer().serverCount(), 0u);
  EXPECT_TRUE(net.idle());
}

TEST(NonInviteServerTransaction, ResponsesAfterTheFinalOneAreIgnored) {
  LoopNetwork net;
  net.uas().onRequest = [&](TransactionId id, const Message& request) {
    net.uas().layer().respond(id, makeResponse(request, 200, "f"));
    net.uas().layer().respond(id, makeResponse(request, 180, "f"));
    net.uas().layer().respond(id, makeResponse(request, 500, "f"));
  };
  net.uac().layer().sendRequest(makeRequest("MESSAGE", net.uac().address(), "z9hG4bK-f", 1),
                                net.uas().address(), net.uac().clientEvents("msg"));
  net.runUntilMs(100);
  EXPECT_EQ(net.sendTimes("uas", "200"), (Times{0}));
  EXPECT_EQ(net.sendTimes("uas", "180"), Times{});
  EXPECT_EQ(net.sendTimes("uas", "500"), Times{});
  EXPECT_EQ(net.uac().events, (Lines{"msg:200 tag=f@0"}));
  net.runFor(seconds(40));
  EXPECT_TRUE(net.idle());
}

}  // namespace
}  // namespace callgate::sip::test
