#include "sip/transport/inbound.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sip/message/header_values.hpp"
#include "sip/message/parser.hpp"

namespace callgate::sip {
namespace {

const Endpoint kUdpSource{TransportProtocol::kUdp, "192.0.2.7", 40000};
const Endpoint kTcpSource{TransportProtocol::kTcp, "192.0.2.7", 40001};

std::string request(std::string_view via, std::string_view extra = "", std::string_view method = "OPTIONS",
                    std::string_view cseqMethod = "") {
  std::string text = std::string(method) + " sip:bob@example.com SIP/2.0\r\n";
  text += "Via: " + std::string(via) + "\r\n";
  text += "Max-Forwards: 70\r\n";
  text += "To: <sip:bob@example.com>\r\n";
  text += "From: <sip:alice@example.com>;tag=abc\r\n";
  text += "Call-ID: call-1@example.com\r\n";
  text += "CSeq: 7 " + std::string(cseqMethod.empty() ? method : cseqMethod) + "\r\n";
  text += extra;
  text += "Content-Length: 0\r\n\r\n";
  return text;
}

Message parseResponse(const std::string& text) {
  auto m = parseMessage(std::string_view(text));
  EXPECT_TRUE(m.ok()) << text;
  return m.ok() ? m->clone() : Message();
}

TEST(Inbound, ValidRequestIsDeliveredWithReceivedWhenSentByDiffers) {
  const std::string text = request("SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1");
  const Inbound in = processInbound(text, kUdpSource, Framing::kDatagram);
  ASSERT_EQ(in.action, Inbound::Action::kDeliver) << in.error;
  EXPECT_EQ(in.message.headerValue(HeaderId::kVia),
            "SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1;received=192.0.2.7");
  auto via = parseVia(in.message.headerValue(HeaderId::kVia));
  ASSERT_TRUE(via.ok());
  EXPECT_EQ(via->received, "192.0.2.7");
  EXPECT_FALSE(via->rport.has_value());
}

TEST(Inbound, NoReceivedWhenSentByIsTheSourceAddress) {
  const std::string text = request("SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK1");
  const Inbound in = processInbound(text, kUdpSource, Framing::kDatagram);
  ASSERT_EQ(in.action, Inbound::Action::kDeliver) << in.error;
  EXPECT_EQ(in.message.headerValue(HeaderId::kVia), "SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK1");
}

TEST(Inbound, Ipv6SentByComparedAsAnAddress) {
  const Endpoint v6{TransportProtocol::kUdp, "2001:db8::9", 5070};
  const std::string text = request("SIP/2.0/UDP [2001:db8:0::9]:5070;branch=z9hG4bK1");
  const Inbound in = processInbound(text, v6, Framing::kDatagram);
  ASSERT_EQ(in.action, Inbound::Action::kDeliver) << in.error;
  EXPECT_EQ(in.message.headerValue(HeaderId::kVia), "SIP/2.0/UDP [2001:db8:0::9]:5070;branch=z9hG4bK1");
}

TEST(Inbound, EmptyRportIsFilledAndReceivedAddedEvenWhenTheHostMatches) {
  // RFC 3581 §4: the server "MUST insert a received parameter ... even if it is identical to the value of
  // the sent-by component".
  const std::string text = request("SIP/2.0/UDP 192.0.2.7:5060;rport;branch=z9hG4bK1");
  const Inbound in = processInbound(text, kUdpSource, Framing::kDatagram);
  ASSERT_EQ(in.action, Inbound::Action::kDeliver) << in.error;
  EXPECT_EQ(in.message.headerValue(HeaderId::kVia),
            "SIP/2.0/UDP 192.0.2.7:5060;rport=40000;branch=z9hG4bK1;received=192.0.2.7");
}

TEST(Inbound, RportWithAValueIsLeftAlone) {
  const std::string text = request("SIP/2.0/UDP host.example.com;rport=1234;branch=z9hG4bK1");
  const Inbound in = processInbound(text, kUdpSource, Framing::kDatagram);
  ASSERT_EQ(in.action, Inbound::Action::kDeliver) << in.error;
  EXPECT_EQ(in.message.headerValue(HeaderId::kVia),
            "SIP/2.0/UDP host.example.com;rport=1234;branch=z9hG4bK1;received=192.0.2.7");
}

TEST(Inbound, StaleReceivedIsReplaced) {
  const std::string text = request("SIP/2.0/UDP host.example.com;received=10.0.0.1;rport;branch=z9hG4bK1");
  const Inbound in = processInbound(text, kUdpSource, Framing::kDatagram);
  ASSERT_EQ(in.action, Inbound::Action::kDeliver) << in.error;
  EXPECT_EQ(in.message.headerValue(HeaderId::kVia),
            "SIP/2.0/UDP host.example.com;received=192.0.2.7;rport=40000;branch=z9hG4bK1");
}

TEST(Inbound, OnlyTheFirstViaOfACombinedLineChanges) {
  const std::string text = request(
      "SIP/2.0/UDP a.example.com;rport;branch=z9hG4bK1 , SIP/2.0/UDP b.example.com;rport;branch=z9hG4bK2",
      "Via: SIP/2.0/TCP c.example.com;rport;branch=z9hG4bK3\r\n");
  const Inbound in = processInbound(text, kUdpSource, Framing::kDatagram);
  ASSERT_EQ(in.action, Inbound::Action::kDeliver) << in.error;
  EXPECT_EQ(in.message.headerValue(HeaderId::kVia),
            "SIP/2.0/UDP a.example.com;rport=40000;branch=z9hG4bK1;received=192.0.2.7 , SIP/2.0/UDP "
            "b.example.com;rport;branch=z9hG4bK2");
  ASSERT_EQ(in.message.headerCount(HeaderId::kVia), 2u);
  size_t seen = 0;
  for (const auto& field : in.message.headers()) {
    if (field.id == HeaderId::kVia && seen++ == 1) {
      EXPECT_EQ(field.value, "SIP/2.0/TCP c.example.com;rport;branch=z9hG4bK3");
    }
  }
}

TEST(Inbound, Ipv6ReceivedHasNoBrackets) {
  const Endpoint v6{TransportProtocol::kUdp, "2001:db8::9", 5070};
  const std::string text = request("SIP/2.0/UDP host.example.com;rport;branch=z9hG4bK1");
  const Inbound in = processInbound(text, v6, Framing::kDatagram);
  ASSERT_EQ(in.action, Inbound::Action::kDeliver) << in.error;
  auto via = parseVia(in.message.headerValue(HeaderId::kVia));
  ASSERT_TRUE(via.ok()) << via.error().message;
  EXPECT_EQ(via->received, "2001:db8::9");
  EXPECT_EQ(via->rport, "5070");
}

TEST(Inbound, ValidResponseIsDeliveredUnchanged) {
  const std::string text =
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h.example.com;rport;branch=z9hG4bK1\r\n"
      "To: <sip:bob@example.com>;tag=x\r\nFrom: <sip:alice@example.com>;tag=abc\r\n"
      "Call-ID: c1\r\nCSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  const Inbound in = processInbound(text, kUdpSource, Framing::kDatagram);
  ASSERT_EQ(in.action, Inbound::Action::kDeliver) << in.error;
  EXPECT_EQ(in.message.statusCode(), 200);
  EXPECT_EQ(in.message.headerValue(HeaderId::kVia), "SIP/2.0/UDP h.example.com;rport;branch=z9hG4bK1");
}

TEST(Inbound, InvalidResponseIsDroppedNeverAnswered) {
  const std::string text =
      "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
      "To: <sip:bob@example.com>;tag=x\r\nFrom: <sip:alice@example.com>;tag=abc\r\n"
      "CSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  const Inbound in = processInbound(text, kUdpSource, Framing::kDatagram);
  EXPECT_EQ(in.action, Inbound::Action::kDrop);
  EXPECT_EQ(in.dropReason, DropReason::kInvalidResponse);
  EXPECT_TRUE(in.response.empty());
  EXPECT_NE(in.error.find("Call-ID"), std::string::npos) << in.error;
}

TEST(Inbound, BadRequestGets400NamingTheProblem) {
  const std::string text =
      request("SIP/2.0/UDP h.example.com:5070;rport;branch=z9hG4bK1", "", "OPTIONS", "INVITE");
  const Inbound in = processInbound(text, kUdpSource, Framing::kDatagram);
  ASSERT_EQ(in.action, Inbound::Action::kRespond);
  EXPECT_EQ(in.dropReason, DropReason::kInvalidRequest);
  EXPECT_EQ(in.statusCode, 400);
  // RFC 3581 §4: to received and rport.
  EXPECT_EQ(in.respondTo, (Endpoint{TransportProtocol::kUdp, "192.0.2.7", 40000}));
  const Message response = parseResponse(in.response);
  EXPECT_EQ(response.statusCode(), 400);
  EXPECT_EQ(response.reason(), "CSeq method INVITE does not match request method OPTIONS");
  // RFC 3261 §8.2.6.2.
  EXPECT_EQ(response.headerValue(HeaderId::kVia),
            "SIP/2.0/UDP h.example.com:5070;rport=40000;branch=z9hG4bK1;received=192.0.2.7");
  EXPECT_EQ(response.headerValue(HeaderId::kFrom), "<sip:alice@example.com>;tag=abc");
  EXPECT_EQ(response.headerValue(HeaderId::kCallId), "call-1@example.com");
  EXPECT_EQ(response.headerValue(HeaderId::kCSeq), "7 INVITE");
  auto to = parseNameAddr(response.headerValue(HeaderId::kTo));
  ASSERT_TRUE(to.ok());
  ASSERT_TRUE(to->tag().has_value());
  EXPECT_FALSE(to->tag()->empty());
}

TEST(Inbound, RetransmittedBadRequestGetsTheSameResponse) {
  const std::string text = request("SIP/2.0/UDP h.example.com;branch=z9hG4bK1", "", "OPTIONS", "BYE");
  const Inbound a = processInbound(text, kUdpSource, Framing::kDatagram);
  const Inbound b = processInbound(text, kUdpSource, Framing::kDatagram);
  ASSERT_EQ(a.action, Inbound::Action::kRespond);
  EXPECT_EQ(a.response, b.response);
  const std::string other = request("SIP/2.0/UDP h.example.com;branch=z9hG4bK2", "", "OPTIONS", "BYE");
  const Inbound c = processInbound(other, kUdpSource, Framing::kDatagram);
  ASSERT_EQ(c.action, Inbound::Action::kRespond);
  const Message responseA = parseResponse(a.response);
  const Message responseC = parseResponse(c.response);
  EXPECT_NE(responseA.headerValue(HeaderId::kTo), responseC.headerValue(HeaderId::kTo));
}

TEST(Inbound, ExistingToTagIsKept) {
  std::string text = request("SIP/2.0/UDP h.example.com;branch=z9hG4bK1", "", "OPTIONS", "BYE");
  text.replace(text.find("To: <sip:bob@example.com>"), 25, "To: <sip:bob@example.com>;tag=t1");
  const Inbound in = processInbound(text, kUdpSource, Framing::kDatagram);
  ASSERT_EQ(in.action, Inbound::Action::kRespond);
  EXPECT_EQ(parseResponse(in.response).headerValue(HeaderId::kTo), "<sip:bob@example.com>;tag=t1");
}

TEST(Inbound, BadAckIsNeverAnswered) {
  const std::string text = request("SIP/2.0/UDP h.example.com;branch=z9hG4bK1", "", "ACK", "INVITE");
  const Inbound in = processInbound(text, kUdpSource, Framing::kDatagram);
  EXPECT_EQ(in.action, Inbound::Action::kDrop);
  EXPECT_EQ(in.dropReason, DropReason::kInvalidAck);
  EXPECT_TRUE(in.response.empty());
}

TEST(Inbound, UnsupportedVersionGets505) {
  std::string text = request("SIP/2.0/UDP h.example.com;branch=z9hG4bK1");
  text.replace(text.find("SIP/2.0\r\n"), 7, "SIP/3.0");
  const Inbound in = processInbound(text, kUdpSource, Framing::kDatagram);
  ASSERT_EQ(in.action, Inbound::Action::kRespond) << in.error;
  EXPECT_EQ(in.statusCode, 505);
  EXPECT_EQ(parseResponse(in.response).statusCode(), 505);
}

TEST(Inbound, UnsupportedUriSchemeGets416) {
  std::string text = request("SIP/2.0/UDP h.example.com;branch=z9hG4bK1");
  text.replace(text.find("sip:bob@example.com SIP"), 19, "im:bob@example.com");
  const Inbound in = processInbound(text, kUdpSource, Framing::kDatagram);
  ASSERT_EQ(in.action, Inbound::Action::kRespond) << in.error;
  EXPECT_EQ(in.statusCode, 416);
}

TEST(Inbound, TooLargeRequestGets513) {
  const std::string text =
      request("SIP/2.0/UDP h.example.com;branch=z9hG4bK1", "X-Pad: " + std::string(300, 'a') + "\r\n");
  InboundLimits limits;
  limits.maxMessageBytes = 200;
  const Inbound in = processInbound(text, kUdpSource, Framing::kDatagram, limits);
  ASSERT_EQ(in.action, Inbound::Action::kRespond) << in.error;
  EXPECT_EQ(in.statusCode, 513);
  EXPECT_EQ(in.dropReason, DropReason::kOversize);
  EXPECT_EQ(parseResponse(in.response).statusCode(), 513);
}

TEST(Inbound, BeyondTheParserLimitIsDroppedAsOversize) {
  const std::string text = request("SIP/2.0/UDP h.example.com;branch=z9hG4bK1");
  InboundLimits limits;
  limits.parse.maxMessageBytes = 100;
  const Inbound in = processInbound(text, kUdpSource, Framing::kDatagram, limits);
  EXPECT_EQ(in.action, Inbound::Action::kDrop);
  EXPECT_EQ(in.dropReason, DropReason::kOversize);
}

TEST(Inbound, GarbageIsDroppedAsParseError) {
  for (std::string_view junk : {std::string_view("hello"), std::string_view("\x16\x03\x01\x02\x00", 5),
                                std::string_view("OPTIONS sip:a@b SIP/2.0\r\nVia"), std::string_view()}) {
    const Inbound in = processInbound(junk, kUdpSource, Framing::kDatagram);
    EXPECT_EQ(in.action, Inbound::Action::kDrop);
    EXPECT_EQ(in.dropReason, DropReason::kParseError);
    EXPECT_FALSE(in.error.empty());
  }
}

TEST(Inbound, StreamFramingNeedsContentLengthForABody) {
  std::string text = request("SIP/2.0/TCP h.example.com;branch=z9hG4bK1");
  text.erase(text.find("Content-Length: 0\r\n"), 19);
  text += "body";
  EXPECT_EQ(processInbound(text, kTcpSource, Framing::kDatagram).action, Inbound::Action::kDeliver);
  const Inbound in = processInbound(text, kTcpSource, Framing::kStream);
  EXPECT_EQ(in.action, Inbound::Action::kDrop);
  EXPECT_EQ(in.dropReason, DropReason::kParseError);
}

TEST(Inbound, BadRequestOnStreamIsAnsweredOnTheConnection) {
  const std::string text = request("SIP/2.0/TCP h.example.com:5070;branch=z9hG4bK1", "", "OPTIONS", "BYE");
  const Inbound in = processInbound(text, kTcpSource, Framing::kStream);
  ASSERT_EQ(in.action, Inbound::Action::kRespond);
  EXPECT_EQ(in.respondTo, kTcpSource);
}

TEST(Inbound, ReasonPhraseFromHostileTextIsOneBoundedLine) {
  // A header line with control characters ends up (rendered) in the parser's message; a Via host with a
  // long name ends up in the validation message. Either way the status line stays one printable line.
  const std::string longHost = std::string(400, 'h') + "!\x01";
  const std::string text = request("SIP/2.0/UDP " + longHost + ";branch=z9hG4bK1");
  const Inbound in = processInbound(text, kUdpSource, Framing::kDatagram);
  ASSERT_EQ(in.action, Inbound::Action::kRespond) << in.error;
  const size_t lineEnd = in.response.find("\r\n");
  const std::string statusLine = in.response.substr(0, lineEnd);
  EXPECT_LE(statusLine.size(), std::string("SIP/2.0 400 ").size() + 160);
  EXPECT_NE(statusLine.find("Via"), std::string::npos) << statusLine;
  for (char c : statusLine) EXPECT_GE(static_cast<unsigned char>(c), 0x20);
}

TEST(InboundUnframeable, BadContentLengthIsAnswered400) {
  std::string text = request("SIP/2.0/TCP h.example.com;branch=z9hG4bK1");
  text.replace(text.find("Content-Length: 0"), 17, "Content-Length: 99999999999");
  const Inbound in =
      processUnframeable(text, "Content-Length is not a number within the body size limit", kTcpSource);
  ASSERT_EQ(in.action, Inbound::Action::kRespond) << in.error;
  EXPECT_EQ(in.dropReason, DropReason::kFraming);
  EXPECT_EQ(in.respondTo, kTcpSource);
  const Message response = parseResponse(in.response);
  EXPECT_EQ(response.statusCode(), 400);
  EXPECT_EQ(response.reason(), "Content-Length is not a number within the body size limit");
  EXPECT_EQ(response.headerValue(HeaderId::kCallId), "call-1@example.com");
}

TEST(InboundUnframeable, NoHeaderBlockOrAckIsDropped) {
  EXPECT_EQ(
      processUnframeable(std::string(100, 'x'), "SIP header block exceeds the size limit", kTcpSource).action,
      Inbound::Action::kDrop);
  std::string ack = request("SIP/2.0/TCP h.example.com;branch=z9hG4bK1", "", "ACK");
  ack.replace(ack.find("Content-Length: 0"), 17, "Content-Length: x");
  const Inbound in = processUnframeable(ack, "bad", kTcpSource);
  EXPECT_EQ(in.action, Inbound::Action::kDrop);
  EXPECT_EQ(in.dropReason, DropReason::kInvalidAck);
}

TEST(Inbound, DropReasonsHaveDistinctNames) {
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    for (size_t j = i + 1; j < kDropReasonCount; ++j) {
      EXPECT_NE(dropReasonName(static_cast<DropReason>(i)), dropReasonName(static_cast<DropReason>(j)));
    }
    EXPECT_NE(dropReasonName(static_cast<DropReason>(i)), "unknown");
  }
}

}  // namespace
}  // namespace callgate::sip
