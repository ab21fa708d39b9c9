#include "sip/transport/response_route.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sip/message/parser.hpp"
#include "sip/transport/top_via.hpp"

namespace callgate::sip {
namespace {

Message withVia(std::string_view via) {
  const std::string text =
      "OPTIONS sip:a@b SIP/2.0\r\nVia: " + std::string(via) +
      "\r\nTo: <sip:a@b>\r\nFrom: <sip:c@d>;tag=1\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n";
  auto m = parseMessage(std::string_view(text));
  EXPECT_TRUE(m.ok()) << text;
  return m.ok() ? m->clone() : Message();
}

const Endpoint kUdp{TransportProtocol::kUdp, "198.51.100.1", 33000};
const Endpoint kTcp{TransportProtocol::kTcp, "198.51.100.1", 33001};
const Endpoint kTls{TransportProtocol::kTls, "198.51.100.1", 33002};

TEST(ResponseRoute, UdpReceivedAndRport) {
  // RFC 3581 §4.
  EXPECT_EQ(responseDestination(
                withVia("SIP/2.0/UDP h:5070;rport=33000;received=198.51.100.1;branch=z9hG4bK1"), kUdp),
            (Endpoint{TransportProtocol::kUdp, "198.51.100.1", 33000}));
}

TEST(ResponseRoute, UdpReceivedWithoutRportUsesTheSentByPort) {
  // RFC 3261 §18.2.2: "using the port indicated in the sent-by value, or using port 5060".
  EXPECT_EQ(responseDestination(withVia("SIP/2.0/UDP h:5070;received=198.51.100.9;branch=z9hG4bK1"), kUdp),
            (Endpoint{TransportProtocol::kUdp, "198.51.100.9", 5070}));
  EXPECT_EQ(responseDestination(withVia("SIP/2.0/UDP h;received=198.51.100.9;branch=z9hG4bK1"), kUdp),
            (Endpoint{TransportProtocol::kUdp, "198.51.100.9", 5060}));
}

TEST(ResponseRoute, UdpNumericSentBy) {
  EXPECT_EQ(responseDestination(withVia("SIP/2.0/UDP 198.51.100.1:5080;branch=z9hG4bK1"), kUdp),
            (Endpoint{TransportProtocol::kUdp, "198.51.100.1", 5080}));
  EXPECT_EQ(responseDestination(withVia("SIP/2.0/UDP [2001:db8::1];branch=z9hG4bK1"), kUdp),
            (Endpoint{TransportProtocol::kUdp, "2001:db8::1", 5060}));
}

TEST(ResponseRoute, UdpNumericMaddr) {
  EXPECT_EQ(responseDestination(
                withVia("SIP/2.0/UDP h:5090;maddr=239.1.1.1;received=198.51.100.1;branch=z9hG4bK1"), kUdp),
            (Endpoint{TransportProtocol::kUdp, "239.1.1.1", 5090}));
}

TEST(ResponseRoute, UdpNamesFallBackToTheSource) {
  EXPECT_EQ(responseDestination(withVia("SIP/2.0/UDP host.example.com;branch=z9hG4bK1"), kUdp), kUdp);
  EXPECT_EQ(responseDestination(withVia("not a via"), kUdp), kUdp);
}

TEST(ResponseRoute, ReliableUsesTheConnection) {
  EXPECT_EQ(
      responseDestination(withVia("SIP/2.0/TCP h:5070;rport=1;received=192.0.2.1;branch=z9hG4bK1"), kTcp),
      kTcp);
}

TEST(ResponseRoute, ReliableReconnectGoesToReceivedAndSentByPort) {
  EXPECT_EQ(
      reconnectDestination(withVia("SIP/2.0/TCP h:5070;rport=1;received=192.0.2.1;branch=z9hG4bK1"), kTcp),
      (Endpoint{TransportProtocol::kTcp, "192.0.2.1", 5070}));
  EXPECT_EQ(reconnectDestination(withVia("SIP/2.0/TLS 198.51.100.1;branch=z9hG4bK1"), kTls),
            (Endpoint{TransportProtocol::kTls, "198.51.100.1", 5061}));
}

TEST(TopViaTest, AddressComparison) {
  EXPECT_TRUE(sameAddress("[::1]", "0:0::1"));
  EXPECT_TRUE(sameAddress("127.0.0.1", "127.0.0.1"));
  EXPECT_FALSE(sameAddress("127.0.0.1", "127.0.0.2"));
  EXPECT_FALSE(sameAddress("::ffff:127.0.0.1", "127.0.0.1"));
  EXPECT_FALSE(sameAddress("localhost", "127.0.0.1"));
  EXPECT_TRUE(isNumericAddress("2001:db8::1"));
  EXPECT_FALSE(isNumericAddress("[2001:db8::1]"));
  EXPECT_FALSE(isNumericAddress(std::string(100, '1')));
}

TEST(TopViaTest, StampLeavesAMessageWithoutViaAlone) {
  auto m = parseMessage(std::string_view("OPTIONS sip:a@b SIP/2.0\r\nTo: <sip:a@b>\r\n\r\n"));
  ASSERT_TRUE(m.ok());
  Message copy = m->clone();
  EXPECT_FALSE(stampTopVia(copy, kUdp));
  EXPECT_EQ(copy, *m);
}

}  // namespace
}  // namespace callgate::sip
