#include "sip/ua/dialog.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sip/message/header_values.hpp"
#include "sip/message/parser.hpp"

namespace callgate::sip {
namespace {

std::string readCapture(const std::string& name) {
  std::ifstream in(std::string(CALLGATE_TEST_DATA_DIR) + "/sip/captures/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A real call recorded through Kamailio (tests/data/sip/captures): baresip 3002 calls 3001.
class RecordedCall : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto* pair : {&invite_, &ok_, &ack_, &bye_, &forwardedInvite_, &forwardedBye_}) {
      ASSERT_FALSE(pair->first.empty());
      auto parsed = parseMessage(pair->first);
      ASSERT_TRUE(parsed) << parsed.error().message;
      pair->second = *parsed;
    }
  }

  using Text = std::pair<std::string, Message>;
  Text invite_{readCapture("baresip-invite-auth.sip"), {}};
  Text ok_{readCapture("kamailio-200-invite-forwarded.sip"), {}};
  Text ack_{readCapture("baresip-ack.sip"), {}};
  Text bye_{readCapture("baresip-bye.sip"), {}};
  Text forwardedInvite_{readCapture("kamailio-invite-forwarded.sip"), {}};
  Text forwardedBye_{readCapture("kamailio-bye-forwarded.sip"), {}};
};

std::vector<std::string> routesOf(const Message& m) {
  std::vector<std::string> routes;
  for (const HeaderField& f : m.headers()) {
    if (f.id != HeaderId::kRoute) continue;
    ListSplitter values(f.value);
    while (auto v = values.next()) routes.emplace_back(*v);
  }
  return routes;
}

// What baresip itself put in its ACK and BYE is what our dialog must produce from the same INVITE and 200.
TEST_F(RecordedCall, UacDialogMakesTheAckAndByeBaresipSent) {
  auto dialog = Dialog::asUac(invite_.second, ok_.second);
  ASSERT_TRUE(dialog) << dialog.error().message;
  EXPECT_EQ(dialog->state(), Dialog::State::kConfirmed);
  EXPECT_EQ(dialog->id().callId, invite_.second.headerValue(HeaderId::kCallId));
  EXPECT_EQ(dialog->routeSet(), routesOf(ack_.second));

  const Message ack = dialog->makeAck(60206, "SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKtest1;rport");
  EXPECT_EQ(ack.requestUri(), ack_.second.requestUri());
  EXPECT_EQ(routesOf(ack), routesOf(ack_.second));
  for (HeaderId id : {HeaderId::kFrom, HeaderId::kTo, HeaderId::kCallId, HeaderId::kCSeq}) {
    EXPECT_EQ(ack.headerValue(id), ack_.second.headerValue(id)) << canonicalHeaderName(id);
  }

  const Message bye = dialog->makeRequest("BYE", "SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bKtest2;rport");
  EXPECT_EQ(bye.requestUri(), bye_.second.requestUri());
  EXPECT_EQ(routesOf(bye), routesOf(bye_.second));
  for (HeaderId id : {HeaderId::kFrom, HeaderId::kTo, HeaderId::kCallId, HeaderId::kCSeq}) {
    EXPECT_EQ(bye.headerValue(id), bye_.second.headerValue(id)) << canonicalHeaderName(id);
  }
  EXPECT_EQ(bye.header(HeaderId::kContact), nullptr);  // RFC 3261 Table 3: no Contact in BYE
  EXPECT_EQ(dialog->nextHopUri(), "sip:127.0.0.1;lr;ftag=" + dialog->id().localTag);
}

TEST_F(RecordedCall, UasDialogFromTheForwardedInvite) {
  auto dialog = Dialog::asUas(forwardedInvite_.second, "a799c51763f3c1ff",
                              "<sip:3001-0x564714bbdac0@127.0.0.1:5070>", Dialog::State::kEarly);
  ASSERT_TRUE(dialog) << dialog.error().message;
  EXPECT_EQ(dialog->remoteTarget(), "sip:3002-0x5599e9ab9ac0@127.0.0.1:5080");
  ASSERT_EQ(dialog->routeSet().size(), 1u);
  EXPECT_EQ(dialog->routeSet()[0], forwardedInvite_.second.headerValue(HeaderId::kRecordRoute));
  EXPECT_EQ(dialog->localAddress(), "<sip:3001@127.0.0.1;transport=udp>;tag=a799c51763f3c1ff");
  EXPECT_EQ(dialog->remoteSequence(), 60206u);
  dialog->confirm();
  EXPECT_EQ(dialog->state(), Dialog::State::kConfirmed);
  // The caller's BYE, as Kamailio forwarded it, belongs to this dialog and is in order.
  auto accepted = dialog->acceptRequest(forwardedBye_.second);
  EXPECT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(dialog->remoteSequence(), 60207u);
  // A BYE from the callee goes to the caller's Contact through Kamailio's Record-Route.
  const Message bye = dialog->makeRequest("BYE", "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKtest3");
  EXPECT_EQ(bye.requestUri(), "sip:3002-0x5599e9ab9ac0@127.0.0.1:5080");
  EXPECT_EQ(bye.headerValue(HeaderId::kRoute), forwardedInvite_.second.headerValue(HeaderId::kRecordRoute));
  EXPECT_EQ(bye.headerValue(HeaderId::kTo), forwardedInvite_.second.headerValue(HeaderId::kFrom));
  EXPECT_EQ(bye.headerValue(HeaderId::kCSeq), "1 BYE");
}

Message parse(const std::string& text) {
  auto m = parseMessage(text);
  EXPECT_TRUE(m) << (m ? "" : m.error().message);
  return m ? m->clone() : Message{};
}

const std::string kInvite =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9\r\n"
    "Max-Forwards: 70\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "Call-ID: 3848276298220188511@atlanta.example.com\r\n"
    "CSeq: 2 INVITE\r\n"
    "Contact: <sip:alice@client.atlanta.example.com;transport=udp>\r\n"
    "Content-Length: 0\r\n\r\n";

std::string response(std::string_view status, std::string_view toTag, std::string_view extra) {
  return std::string("SIP/2.0 ") + std::string(status) +
         "\r\n"
         "Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9\r\n"
         "From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n"
         "To: Bob <sip:bob@biloxi.example.com>" +
         (toTag.empty() ? std::string() : ";tag=" + std::string(toTag)) +
         "\r\n"
         "Call-ID: 3848276298220188511@atlanta.example.com\r\n"
         "CSeq: 2 INVITE\r\n" +
         std::string(extra) + "Content-Length: 0\r\n\r\n";
}

TEST(Dialog, StrictRouterTakesTheRequestUri) {
  const Message invite = parse(kInvite);
  // Record-Route as received, last hop first: the UAC reverses it, so the strict router p1 ends up first.
  const Message ok = parse(response("200 OK", "8321234356",
                                    "Record-Route: <sip:p2.example.com;lr>\r\n"
                                    "Record-Route: <sip:p1.example.com?x=y>\r\n"
                                    "Contact: <sip:bob@192.0.2.4>\r\n"));
  auto dialog = Dialog::asUac(invite, ok);
  ASSERT_TRUE(dialog) << dialog.error().message;
  const Message bye = dialog->makeRequest("BYE", "SIP/2.0/UDP h;branch=z9hG4bK1");
  EXPECT_EQ(bye.requestUri(), "sip:p1.example.com");  // headers stripped from a Request-URI
  EXPECT_EQ(routesOf(bye), (std::vector<std::string>{"<sip:p2.example.com;lr>", "<sip:bob@192.0.2.4>"}));
  EXPECT_EQ(bye.headerValue(HeaderId::kCSeq), "3 BYE");
  const Message reinvite = dialog->makeRequest("INVITE", "SIP/2.0/UDP h;branch=z9hG4bK2");
  EXPECT_EQ(reinvite.headerValue(HeaderId::kCSeq), "4 INVITE");
  EXPECT_EQ(reinvite.headerValue(HeaderId::kContact), "<sip:alice@client.atlanta.example.com;transport=udp>");
}

TEST(Dialog, EarlyDialogConfirmedByTheSameForkOnly) {
  const Message invite = parse(kInvite);
  // An 18x without Contact (seen from some devices): the Request-URI stands in until the 2xx.
  auto early = Dialog::asUac(invite, parse(response("180 Ringing", "fork1", "")));
  ASSERT_TRUE(early) << early.error().message;
  EXPECT_EQ(early->state(), Dialog::State::kEarly);
  EXPECT_EQ(early->remoteTarget(), "sip:bob@biloxi.example.com");
  auto otherFork = early->confirm(parse(response("200 OK", "fork2", "Contact: <sip:bob@192.0.2.9>\r\n")));
  ASSERT_FALSE(otherFork);
  EXPECT_EQ(early->state(), Dialog::State::kEarly);
  auto same = early->confirm(parse(response(
      "200 OK", "fork1", "Record-Route: <sip:p.example.com;lr>\r\nContact: <sip:bob@192.0.2.4>\r\n")));
  ASSERT_TRUE(same) << same.error().message;
  EXPECT_EQ(early->state(), Dialog::State::kConfirmed);
  EXPECT_EQ(early->remoteTarget(), "sip:bob@192.0.2.4");
  EXPECT_EQ(early->routeSet(), (std::vector<std::string>{"<sip:p.example.com;lr>"}));
}

TEST(Dialog, RefusesWhatCannotMakeADialog) {
  const Message invite = parse(kInvite);
  EXPECT_FALSE(Dialog::asUac(invite, parse(response("180 Ringing", "", ""))));  // no To tag
  EXPECT_FALSE(Dialog::asUac(invite, parse(response("100 Trying", "x", ""))));
  EXPECT_FALSE(Dialog::asUac(invite, parse(response("486 Busy Here", "x", ""))));
  auto noContact = Dialog::asUac(invite, parse(response("200 OK", "x", "")));
  ASSERT_FALSE(noContact);
  EXPECT_NE(noContact.error().message.find("Missing Contact"), std::string::npos);
  std::string noContactInvite = kInvite;
  noContactInvite.erase(
      noContactInvite.find("Contact:"),
      noContactInvite.find("\r\n", noContactInvite.find("Contact:")) + 2 - noContactInvite.find("Contact:"));
  auto uas = Dialog::asUas(parse(noContactInvite), "abc", "<sip:me@h>", Dialog::State::kEarly);
  ASSERT_FALSE(uas);
  EXPECT_EQ(uas.error().code, 400);
  EXPECT_FALSE(Dialog::asUas(parse(kInvite), "", "<sip:me@h>", Dialog::State::kEarly));
}

TEST(Dialog, OutOfOrderRequestsGet500AndTargetRefreshMovesTheTarget) {
  auto dialog = Dialog::asUas(parse(kInvite), "uas1", "<sip:bob@192.0.2.4>", Dialog::State::kConfirmed);
  ASSERT_TRUE(dialog) << dialog.error().message;
  std::string reinvite = kInvite;
  reinvite.replace(reinvite.find("To: Bob <sip:bob@biloxi.example.com>"), 36,
                   "To: Bob <sip:bob@biloxi.example.com>;tag=uas1");
  reinvite.replace(reinvite.find("CSeq: 2 INVITE"), 14, "CSeq: 1 INVITE");
  auto old = dialog->acceptRequest(parse(reinvite));
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().code, 500);
  reinvite.replace(reinvite.find("CSeq: 1 INVITE"), 14, "CSeq: 5 INVITE");
  reinvite.replace(reinvite.find("sip:alice@client.atlanta.example.com;transport=udp"), 50,
                   "sip:alice@198.51.100.7:5062");
  const Message refresh = parse(reinvite);
  ASSERT_TRUE(dialog->acceptRequest(refresh));
  ASSERT_TRUE(dialog->refreshTarget(refresh));
  EXPECT_EQ(dialog->remoteTarget(), "sip:alice@198.51.100.7:5062");
  EXPECT_EQ(dialog->remoteSequence(), 5u);
}

}  // namespace
}  // namespace callgate::sip
