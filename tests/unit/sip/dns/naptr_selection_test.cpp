#include "sip/dns/naptr_selection.hpp"

#include <gtest/gtest.h>

namespace callgate::sip {
namespace {

const std::vector<TransportProtocol> kAll = {TransportProtocol::kUdp, TransportProtocol::kTcp,
                                             TransportProtocol::kTls};

TEST(NaptrSelectionTest, ServiceFieldsOfRfc3263) {
  EXPECT_EQ(naptrServiceTransport("SIP+D2U"), TransportProtocol::kUdp);
  EXPECT_EQ(naptrServiceTransport("sip+d2t"), TransportProtocol::kTcp);
  EXPECT_EQ(naptrServiceTransport("SIPS+D2T"), TransportProtocol::kTls);
  EXPECT_EQ(naptrServiceTransport("SIP+D2S"), std::nullopt);
  EXPECT_EQ(naptrServiceTransport("E2U+sip"), std::nullopt);
  EXPECT_EQ(naptrServiceTransport(""), std::nullopt);
}

// The example of RFC 3263 §4.1.
const std::vector<NaptrRecord> kExample = {
    {50, 50, "s", "SIPS+D2T", "", "_sips._tcp.example.com"},
    {90, 50, "s", "SIP+D2T", "", "_sip._tcp.example.com"},
    {100, 50, "s", "SIP+D2U", "", "_sip._udp.example.com"},
};

TEST(NaptrSelectionTest, LowestOrderWins) {
  EXPECT_EQ(selectNaptrRecords(kExample, false, kAll),
            (std::vector<NaptrChoice>{{TransportProtocol::kTls, "_sips._tcp.example.com"}}));
}

TEST(NaptrSelectionTest, UnsupportedTransportsAreSkipped) {
  EXPECT_EQ(selectNaptrRecords(kExample, false, {TransportProtocol::kUdp}),
            (std::vector<NaptrChoice>{{TransportProtocol::kUdp, "_sip._udp.example.com"}}));
  EXPECT_TRUE(selectNaptrRecords(kExample, false, {}).empty());
}

TEST(NaptrSelectionTest, SipsTargetKeepsOnlySipsServices) {
  std::vector<NaptrRecord> records = {{10, 10, "s", "SIP+D2U", "", "_sip._udp.example.com"},
                                      {20, 10, "s", "SIPS+D2T", "", "_sips._tcp.example.com"}};
  EXPECT_EQ(selectNaptrRecords(records, true, kAll),
            (std::vector<NaptrChoice>{{TransportProtocol::kTls, "_sips._tcp.example.com"}}));
  EXPECT_TRUE(selectNaptrRecords({records[0]}, true, kAll).empty());
}

TEST(NaptrSelectionTest, SameOrderSortedByPreferenceWithoutDuplicates) {
  std::vector<NaptrRecord> records = {{10, 30, "S", "SIP+D2U", "", "_sip._udp.example.com"},
                                      {10, 10, "S", "SIP+D2T", "", "_sip._tcp.example.com"},
                                      {10, 20, "s", "SIP+D2T", "", "_sip._tcp.example.com"},
                                      {20, 0, "s", "SIPS+D2T", "", "_sips._tcp.example.com"}};
  EXPECT_EQ(selectNaptrRecords(records, false, kAll),
            (std::vector<NaptrChoice>{{TransportProtocol::kTcp, "_sip._tcp.example.com"},
                                      {TransportProtocol::kUdp, "_sip._udp.example.com"}}));
}

TEST(NaptrSelectionTest, RecordsWithoutSFlagOrReplacementAreSkipped) {
  std::vector<NaptrRecord> records = {{10, 10, "u", "SIP+D2U", "!^.*$!sip:info@example.com!", ""},
                                      {10, 10, "", "SIP+D2U", "", "_sip._udp.example.com"},
                                      {10, 10, "s", "SIP+D2U", "", "."},
                                      {10, 10, "s", "SIP+D2U", "", ""},
                                      {30, 10, "s", "SIP+D2T", "", "_sip._tcp.example.com"}};
  EXPECT_EQ(selectNaptrRecords(records, false, kAll),
            (std::vector<NaptrChoice>{{TransportProtocol::kTcp, "_sip._tcp.example.com"}}));
}

}  // namespace
}  // namespace callgate::sip
