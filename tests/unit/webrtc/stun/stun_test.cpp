// The STUN codec: RFC 5769 vectors in both directions, the RFC 7983 demultiplexing test, every rejection, the
// typed accessors, MESSAGE-INTEGRITY-SHA256 and the builder's limits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/random.hpp"
#include "webrtc/stun/crc32.hpp"
#include "webrtc/stun/hmac.hpp"
#include "webrtc/stun/integrity.hpp"
#include "webrtc/stun/stun_builder.hpp"
#include "webrtc/stun/stun_message.hpp"

namespace callgate::webrtc::stun {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes hex(std::string_view text) {
  Bytes out;
  int high = -1;
  for (const char c : text) {
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (v < 0) continue;  // spaces and line breaks
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high * 16 + v));
      high = -1;
    }
  }
  return out;
}

std::span<const uint8_t> bytesOf(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// RFC 5769 §2.1: a Binding request with short-term credentials (padding bytes are 0x20 in §2.1-2.3).
const Bytes kSampleRequest =
    hex("00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae"
        "80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74"  // SOFTWARE "STUN test client"
        "00 24 00 04 6e 00 01 ff"                                      // PRIORITY
        "80 29 00 08 93 2f f9 b1 51 26 3b 36"                          // ICE-CONTROLLED
        "00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20"              // USERNAME "evtj:h6vY"
        "00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2"
        "80 28 00 04 e5 7a 3b cf");
// RFC 5769 §2.2: the success response with XOR-MAPPED-ADDRESS 192.0.2.1:32853.
const Bytes kSampleIpv4Response =
    hex("01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae"
        "80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20"  // SOFTWARE "test vector"
        "00 20 00 08 00 01 a1 47 e1 12 a6 43"
        "00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7"
        "80 28 00 04 c0 7d 4c 96");
// RFC 5769 §2.3: the same with [2001:db8:1234:5678:11:2233:4455:6677]:32853.
const Bytes kSampleIpv6Response =
    hex("01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae"
        "80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20"
        "00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9"
        "00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41"
        "80 28 00 04 c8 fb 0b 4c");
// RFC 5769 §2.4: a request with long-term credentials, no FINGERPRINT (padding bytes are zero here).
const Bytes kSampleLongTermRequest =
    hex("00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e"
        "00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00"
        "00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41"
        "00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00"
        "00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66");

constexpr std::string_view kPassword = "VOkJxbRl1RmTxUk/WvJxBt";  // RFC 5769 §2.1-2.3
const TransactionId kSampleId{0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
const TransactionId kLongTermId{0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e};
// RFC 5769 §2.4: "<U+30DE><U+30C8><U+30EA><U+30C3><U+30AF><U+30B9>" (katakana "matorikkusu") in UTF-8.
constexpr std::string_view kLongTermUsername =
    "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9";
// The password "The<U+00AD>M<U+00AA>tr<U+2168>" after SASLprep (RFC 4013): the soft hyphen maps to nothing,
// NFKC turns the feminine ordinal indicator into "a" and ROMAN NUMERAL NINE into "IX".
constexpr std::string_view kLongTermPassword = "TheMatrIX";
constexpr std::string_view kLongTermPasswordUnprepared =
    "The\xc2\xad"
    "M\xc2\xaatr\xe2\x85\xa8";
constexpr std::string_view kNonce = "f//499k954d6OL34oL9FSTvy64sA";
constexpr std::string_view kRealm = "example.org";

StunMessage parsed(const Bytes& bytes) {
  auto m = parseStun(bytes);
  EXPECT_TRUE(m) << m.error().message;
  return m ? *m : StunMessage{};
}

std::string parseError(const Bytes& bytes) {
  auto m = parseStun(bytes);
  return m ? "<parsed>" : m.error().message;
}

std::vector<uint16_t> typesOf(const StunMessage& m) {
  std::vector<uint16_t> types;
  for (const auto& a : m.attributes()) types.push_back(a.type);
  return types;
}

// Hand-made messages for what the builder refuses to write.
void appendRaw(Bytes& out, uint16_t type, std::span<const uint8_t> value) {
  out.push_back(static_cast<uint8_t>(type >> 8));
  out.push_back(static_cast<uint8_t>(type));
  out.push_back(static_cast<uint8_t>(value.size() >> 8));
  out.push_back(static_cast<uint8_t>(value.size()));
  out.insert(out.end(), value.begin(), value.end());
  while (out.size() % 4 != 0) out.push_back(0);
}
void fixLength(Bytes& m) {
  const size_t length = m.size() - kHeaderSize;
  m[2] = static_cast<uint8_t>(length >> 8);
  m[3] = static_cast<uint8_t>(length);
}
void appendFingerprint(Bytes& m) {
  const size_t at = m.size();
  appendRaw(m, attr::kFingerprint, Bytes(4));
  fixLength(m);
  const uint32_t fp = crc32(std::span<const uint8_t>(m).first(at)) ^ kFingerprintXor;
  for (int i = 0; i < 4; ++i) m[at + 4 + i] = static_cast<uint8_t>(fp >> (24 - 8 * i));
}
Bytes header(uint16_t type = 0x0001) {
  Bytes m = hex("00 00 00 00 21 12 a4 42");
  m[0] = static_cast<uint8_t>(type >> 8);
  m[1] = static_cast<uint8_t>(type);
  m.insert(m.end(), kSampleId.begin(), kSampleId.end());
  return m;
}

// --- CRC-32 and the message type ---

TEST(StunCrc32, MatchesTheCheckValueAndContinues) {
  EXPECT_EQ(crc32(bytesOf("123456789")), 0xCBF43926u);
  EXPECT_EQ(crc32(bytesOf("")), 0u);
  EXPECT_EQ(crc32(bytesOf("6789"), crc32(bytesOf("12345"))), 0xCBF43926u);
}

TEST(StunMessageType, ClassAndMethodRoundTrip) {
  for (const StunClass cls : {StunClass::kRequest, StunClass::kIndication, StunClass::kSuccessResponse,
                              StunClass::kErrorResponse}) {
    for (const uint16_t method :
         {uint16_t{0x000}, kMethodBinding, uint16_t{0x0ABC}, uint16_t{0x0F0F}, kMaxMethod}) {
      const uint16_t type = composeMessageType(cls, method);
      EXPECT_LT(type, 0x4000) << "the top two bits stay zero";
      EXPECT_EQ(messageClassOf(type), cls);
      EXPECT_EQ(methodOf(type), method);
    }
  }
  EXPECT_EQ(className(StunClass::kErrorResponse), "error response");
}

// --- RFC 5769, parsed and checked ---

TEST(StunRfc5769, SampleRequestParses) {
  const StunMessage m = parsed(kSampleRequest);
  EXPECT_EQ(m.messageClass(), StunClass::kRequest);
  EXPECT_EQ(m.method(), kMethodBinding);
  EXPECT_EQ(m.transactionId(), kSampleId);
  EXPECT_EQ(m.bytes().size(), kSampleRequest.size());
  EXPECT_EQ(typesOf(m),
            (std::vector<uint16_t>{attr::kSoftware, attr::kPriority, attr::kIceControlled, attr::kUsername,
                                   attr::kMessageIntegrity, attr::kFingerprint}));
  std::vector<size_t> offsets;
  for (const auto& a : m.attributes()) {
    offsets.push_back(a.offset);
    EXPECT_FALSE(a.ignored);
  }
  EXPECT_EQ(offsets, (std::vector<size_t>{20, 40, 48, 60, 76, 100}));
  EXPECT_EQ(m.software().value(), "STUN test client");
  EXPECT_EQ(m.priority().value(), 0x6e0001ffu);
  EXPECT_EQ(m.iceControlled().value(), 0x932ff9b151263b36u);
  EXPECT_EQ(m.iceControlling().value(), std::nullopt);
  EXPECT_EQ(m.username().value(), "evtj:h6vY");
  EXPECT_FALSE(m.useCandidate().value());
  EXPECT_EQ(m.xorMappedAddress().value(), std::nullopt);
  EXPECT_TRUE(m.unknownComprehensionRequired().empty());
  EXPECT_TRUE(checkMessageIntegrity(m, kPassword));
  EXPECT_TRUE(checkFingerprint(m));
  const auto wrong = checkMessageIntegrity(m, "VOkJxbRl1RmTxUk/WvJxBu");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, 401);
  EXPECT_EQ(checkMessageIntegritySha256(m, kPassword).error().code, 400) << "it has none";
}

TEST(StunRfc5769, SampleIpv4ResponseParses) {
  const StunMessage m = parsed(kSampleIpv4Response);
  EXPECT_EQ(m.messageClass(), StunClass::kSuccessResponse);
  EXPECT_EQ(m.method(), kMethodBinding);
  EXPECT_EQ(m.transactionId(), kSampleId);
  EXPECT_EQ(m.software().value(), "test vector");
  EXPECT_EQ(m.xorMappedAddress().value(), StunAddress::ipv4({192, 0, 2, 1}, 32853));
  EXPECT_EQ(m.xorMappedAddress().value()->toString(), "192.0.2.1:32853");
  EXPECT_EQ(m.mappedAddress().value(), std::nullopt);
  EXPECT_TRUE(checkMessageIntegrity(m, kPassword));
  EXPECT_TRUE(checkFingerprint(m));
}

TEST(StunRfc5769, SampleIpv6ResponseParses) {
  const StunMessage m = parsed(kSampleIpv6Response);
  EXPECT_EQ(m.messageClass(), StunClass::kSuccessResponse);
  EXPECT_EQ(m.software().value(), "test vector");
  EXPECT_EQ(m.xorMappedAddress().value(), StunAddress::parse("2001:db8:1234:5678:11:2233:4455:6677", 32853));
  EXPECT_EQ(m.xorMappedAddress().value()->toString(), "[2001:db8:1234:5678:11:2233:4455:6677]:32853");
  EXPECT_TRUE(checkMessageIntegrity(m, kPassword));
  EXPECT_TRUE(checkFingerprint(m));
}

TEST(StunRfc5769, LongTermRequestParsesAndVerifiesWithTheMd5Key) {
  const StunMessage m = parsed(kSampleLongTermRequest);
  EXPECT_EQ(m.messageClass(), StunClass::kRequest);
  EXPECT_EQ(m.transactionId(), kLongTermId);
  EXPECT_EQ(typesOf(m),
            (std::vector<uint16_t>{attr::kUsername, attr::kNonce, attr::kRealm, attr::kMessageIntegrity}));
  EXPECT_EQ(m.username().value(), kLongTermUsername);
  ASSERT_NE(m.find(attr::kNonce), nullptr);
  EXPECT_EQ(m.find(attr::kNonce)->text(), kNonce);
  ASSERT_NE(m.find(attr::kRealm), nullptr);
  EXPECT_EQ(m.find(attr::kRealm)->text(), kRealm);

  const auto key = longTermKey(kLongTermUsername, kRealm, kLongTermPassword);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->size(), 16u);
  EXPECT_TRUE(checkMessageIntegrity(m, *key));
  // Without SASLprep the key differs: the preparation is the caller's, and it matters.
  const auto unprepared = longTermKey(kLongTermUsername, kRealm, kLongTermPasswordUnprepared);
  ASSERT_TRUE(unprepared);
  EXPECT_EQ(checkMessageIntegrity(m, *unprepared).error().code, 401);
  EXPECT_FALSE(checkFingerprint(m)) << "§2.4 has no FINGERPRINT";
}

TEST(StunRfc5769, LongTermKeyIsMd5OfTheJoinedStrings) {
  // MD5("user:realm:pass"), as `printf 'user:realm:pass' | md5sum` gives it.
  const auto key = longTermKey("user", "realm", "pass");
  ASSERT_TRUE(key);
  EXPECT_EQ(Bytes(key->begin(), key->end()), hex("8493fbc53ba582fb4c044c456bdc40eb"));
}

// --- RFC 5769, reproduced by the builder ---

TEST(StunRfc5769, BuilderReproducesTheSampleRequest) {
  StunBuilder b(StunClass::kRequest, kMethodBinding, kSampleId);
  b.setPaddingByte(0x20)
      .addSoftware("STUN test client")
      .addPriority(0x6e0001ff)
      .addIceControlled(0x932ff9b151263b36)
      .addUsername("evtj:h6vY");
  const auto bytes = b.finish(Integrity::kSha1, kPassword);
  ASSERT_TRUE(bytes) << bytes.error().message;
  EXPECT_EQ(*bytes, kSampleRequest);
}

TEST(StunRfc5769, BuilderReproducesTheSampleResponses) {
  StunBuilder b;
  b.setPaddingByte(0x20);
  b.start(StunClass::kSuccessResponse, kMethodBinding, kSampleId)
      .addSoftware("test vector")
      .addXorMappedAddress(StunAddress::ipv4({192, 0, 2, 1}, 32853));
  const auto v4 = b.finish(Integrity::kSha1, kPassword);
  ASSERT_TRUE(v4) << v4.error().message;
  EXPECT_EQ(*v4, kSampleIpv4Response);

  b.start(StunClass::kSuccessResponse, kMethodBinding, kSampleId)
      .addSoftware("test vector")
      .addXorMappedAddress(*StunAddress::parse("2001:db8:1234:5678:11:2233:4455:6677", 32853));
  const auto v6 = b.finish(Integrity::kSha1, kPassword);
  ASSERT_TRUE(v6) << v6.error().message;
  EXPECT_EQ(*v6, kSampleIpv6Response);
}

TEST(StunRfc5769, BuilderReproducesTheLongTermRequest) {
  const auto key = longTermKey(kLongTermUsername, kRealm, kLongTermPassword);
  ASSERT_TRUE(key);
  StunBuilder b(StunClass::kRequest, kMethodBinding, kLongTermId);
  b.addUsername(kLongTermUsername).addAttribute(attr::kNonce, kNonce).addAttribute(attr::kRealm, kRealm);
  const auto bytes = b.finish(Integrity::kSha1, *key, /*fingerprint=*/false);
  ASSERT_TRUE(bytes) << bytes.error().message;
  EXPECT_EQ(*bytes, kSampleLongTermRequest);
}

// One flipped byte anywhere breaks FINGERPRINT, and anywhere before FINGERPRINT breaks MESSAGE-INTEGRITY too
// (or the message no longer parses at all).
TEST(StunRfc5769, EveryFlippedByteFailsTheChecks) {
  for (const Bytes* vector : {&kSampleRequest, &kSampleIpv4Response, &kSampleIpv6Response}) {
    const size_t fingerprintAt = vector->size() - 8;
    for (size_t i = 0; i < vector->size(); ++i) {
      for (const uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xFF}}) {
        Bytes mutated = *vector;
        mutated[i] ^= flip;
        const auto m = parseStun(mutated);
        if (!m) continue;
        EXPECT_FALSE(checkFingerprint(*m)) << "byte " << i << " ^ " << int{flip};
        if (i < fingerprintAt) {
          EXPECT_FALSE(checkMessageIntegrity(*m, kPassword)) << "byte " << i;
        }
      }
    }
  }
  Bytes mutated = kSampleLongTermRequest;
  mutated[30] ^= 0x01;  // inside USERNAME
  const auto key = longTermKey(kLongTermUsername, kRealm, kLongTermPassword);
  ASSERT_TRUE(key);
  EXPECT_EQ(checkMessageIntegrity(parsed(mutated), *key).error().code, 401);
}

// --- RFC 7983 demultiplexing ---

TEST(StunDemux, FirstByteZeroToThreeIsStun) {
  EXPECT_TRUE(isStun(kSampleRequest));
  EXPECT_TRUE(isStun(kSampleIpv4Response));
  for (int first = 0; first < 256; ++first) {
    Bytes packet = kSampleRequest;
    packet[0] = static_cast<uint8_t>(first);
    // 0-3 STUN; 16-19 ZRTP, 20-63 DTLS, 64-79 TURN channel, 128-191 RTP/RTCP, the rest dropped.
    EXPECT_EQ(isStun(packet), first <= 3) << first;
    // The parser follows RFC 8489 §5 alone (two zero bits): methods 0x080 and up give first bytes 4-63, which
    // only a socket shared per RFC 7983 has to give to DTLS.
    EXPECT_EQ(parseStun(packet).ok(), first < 64) << first;
  }
}

TEST(StunDemux, HeaderSanity) {
  EXPECT_FALSE(isStun(Bytes{}));
  EXPECT_FALSE(isStun(Bytes(kSampleRequest.begin(), kSampleRequest.begin() + 19)));
  EXPECT_TRUE(isStun(header())) << "a message without attributes";
  Bytes truncated = kSampleRequest;
  truncated.pop_back();
  EXPECT_FALSE(isStun(truncated));
  Bytes longer = kSampleRequest;
  longer.push_back(0);
  EXPECT_FALSE(isStun(longer));
  Bytes cookie = kSampleRequest;
  cookie[7] ^= 0x01;
  EXPECT_FALSE(isStun(cookie));
  Bytes odd = header();
  odd[3] = 2;
  odd.insert(odd.end(), {0, 0});
  EXPECT_FALSE(isStun(odd)) << "length 2 matches the datagram but is not a multiple of 4";
  // A DTLS record and an RTP packet of the same size.
  Bytes dtls = kSampleRequest;
  dtls[0] = 22;
  EXPECT_FALSE(isStun(dtls));
  Bytes rtp = kSampleRequest;
  rtp[0] = 0x80;
  EXPECT_FALSE(isStun(rtp));
}

// --- rejections ---

TEST(StunParse, RejectsShortPackets) {
  EXPECT_NE(parseError(Bytes{}).find("shorter than its header"), std::string::npos);
  EXPECT_NE(parseError(Bytes(kSampleRequest.begin(), kSampleRequest.begin() + 19)).find("shorter"),
            std::string::npos);
}

TEST(StunParse, RejectsTheTopBitsSet) {
  for (const uint8_t first : {uint8_t{0x40}, uint8_t{0x80}, uint8_t{0xC0}}) {
    Bytes m = header();
    m[0] = first;
    EXPECT_NE(parseError(m).find("two zero bits"), std::string::npos);
  }
}

TEST(StunParse, RejectsABadMagicCookie) {
  Bytes m = kSampleRequest;
  m[4] = 0x22;
  EXPECT_NE(parseError(m).find("magic cookie"), std::string::npos);
}

TEST(StunParse, RejectsALengthThatIsNotAMultipleOfFour) {
  Bytes m = header();
  m.insert(m.end(), {0, 0, 0, 0, 0, 0});
  fixLength(m);  // 6
  EXPECT_NE(parseError(m).find("not a multiple of 4"), std::string::npos);
}

TEST(StunParse, RejectsALengthThatDoesNotMatchTheDatagram) {
  Bytes longer = kSampleRequest;
  longer.insert(longer.end(), {0, 0, 0, 0});
  EXPECT_NE(parseError(longer).find("does not match"), std::string::npos);
  const Bytes shorter(kSampleRequest.begin(), kSampleRequest.end() - 4);
  EXPECT_NE(parseError(shorter).find("does not match"), std::string::npos);
}

TEST(StunParse, RejectsAnAttributeRunningPastTheEnd) {
  Bytes m = header();
  appendRaw(m, attr::kSoftware, bytesOf("abcdefgh"));
  m[kHeaderSize + 3] = 9;  // claims 9 bytes where 8 remain
  fixLength(m);
  EXPECT_NE(parseError(m).find("runs past the end"), std::string::npos);
  // The same with a length far beyond the message.
  m[kHeaderSize + 2] = 0xFF;
  EXPECT_NE(parseError(m).find("runs past the end"), std::string::npos);
}

TEST(StunParse, BoundsTheNumberOfAttributes) {
  Bytes m = header();
  for (size_t i = 0; i < kMaxAttributes; ++i) appendRaw(m, 0x8000 + static_cast<uint16_t>(i), {});
  fixLength(m);
  EXPECT_EQ(parsed(m).attributes().size(), kMaxAttributes);
  appendRaw(m, 0x9000, {});
  fixLength(m);
  EXPECT_NE(parseError(m).find("more than 32 attributes"), std::string::npos);
}

TEST(StunParse, RejectsAnAttributeAfterFingerprint) {
  Bytes m = kSampleRequest;
  appendRaw(m, attr::kSoftware, bytesOf("late"));
  fixLength(m);
  EXPECT_NE(parseError(m).find("follows FINGERPRINT"), std::string::npos);
  // Even a second FINGERPRINT.
  Bytes twice = kSampleRequest;
  appendFingerprint(twice);
  EXPECT_NE(parseError(twice).find("follows FINGERPRINT"), std::string::npos);
}

// RFC 8489 §14.5: attributes after MESSAGE-INTEGRITY other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are
// ignored. They stay visible in attributes() but no accessor returns them.
TEST(StunParse, KeepsButIgnoresAttributesAfterMessageIntegrity) {
  StunBuilder b(StunClass::kRequest, kMethodBinding, kSampleId);
  b.addUsername("a:b").addPriority(1).addMessageIntegrity(kPassword);
  auto built = b.finish();
  ASSERT_TRUE(built);
  Bytes m = *built;
  const Bytes priority = hex("7f 00 00 02");
  appendRaw(m, attr::kPriority, priority);
  appendRaw(m, 0x7F00, bytesOf("unknown, required"));
  appendRaw(m, attr::kMessageIntegrity, Bytes(20));
  appendFingerprint(m);

  const StunMessage msg = parsed(m);
  ASSERT_EQ(msg.attributes().size(), 7u);
  const std::vector<bool> ignored{false, false, false, true, true, true, false};
  for (size_t i = 0; i < ignored.size(); ++i) EXPECT_EQ(msg.attributes()[i].ignored, ignored[i]) << i;
  EXPECT_EQ(msg.priority().value(), 1u) << "the first, covered PRIORITY";
  EXPECT_TRUE(msg.unknownComprehensionRequired().empty()) << "an ignored attribute asks for no 420";
  EXPECT_TRUE(checkMessageIntegrity(msg, kPassword))
      << "the covered MESSAGE-INTEGRITY, not the zeros after it";
  EXPECT_TRUE(checkFingerprint(msg));

  // Without the first PRIORITY, the one after MESSAGE-INTEGRITY is still not taken.
  StunBuilder b2(StunClass::kRequest, kMethodBinding, kSampleId);
  auto bare = b2.addUsername("a:b").finish(Integrity::kSha1, kPassword, false);
  ASSERT_TRUE(bare);
  Bytes m2 = *bare;
  appendRaw(m2, attr::kPriority, priority);
  fixLength(m2);
  const StunMessage msg2 = parsed(m2);
  EXPECT_EQ(msg2.find(attr::kPriority), nullptr);
  EXPECT_EQ(msg2.priority().value(), std::nullopt);
  EXPECT_TRUE(checkMessageIntegrity(msg2, kPassword));
}

// RFC 8489 §14.6: after MESSAGE-INTEGRITY-SHA256 only FINGERPRINT counts, even a MESSAGE-INTEGRITY.
TEST(StunParse, IgnoresAttributesAfterMessageIntegritySha256) {
  StunBuilder b(StunClass::kRequest, kMethodBinding, kSampleId);
  auto built = b.addUsername("a:b").finish(Integrity::kSha256, kPassword, false);
  ASSERT_TRUE(built);
  Bytes m = *built;
  appendRaw(m, attr::kMessageIntegrity, Bytes(20));
  appendRaw(m, attr::kMessageIntegritySha256, Bytes(32));
  appendFingerprint(m);
  const StunMessage msg = parsed(m);
  EXPECT_EQ(typesOf(msg),
            (std::vector<uint16_t>{attr::kUsername, attr::kMessageIntegritySha256, attr::kMessageIntegrity,
                                   attr::kMessageIntegritySha256, attr::kFingerprint}));
  EXPECT_TRUE(msg.attributes()[2].ignored);
  EXPECT_TRUE(msg.attributes()[3].ignored);
  EXPECT_FALSE(msg.attributes()[4].ignored);
  EXPECT_TRUE(checkMessageIntegritySha256(msg, kPassword));
  EXPECT_EQ(checkMessageIntegrity(msg, kPassword).error().code, 400)
      << "the only MESSAGE-INTEGRITY is ignored";
  EXPECT_TRUE(checkFingerprint(msg));
}

TEST(StunParse, TheFirstOfRepeatedAttributesCounts) {
  StunBuilder b(StunClass::kRequest, kMethodBinding, kSampleId);
  auto built = b.addPriority(7).addPriority(8).addUsername("x:y").addUsername("z:w").finish();
  ASSERT_TRUE(built);
  const StunMessage m = parsed(*built);
  EXPECT_EQ(m.priority().value(), 7u);
  EXPECT_EQ(m.username().value(), "x:y");
}

TEST(StunParse, ListsUnknownComprehensionRequiredAttributesOnce) {
  StunBuilder b(StunClass::kRequest, kMethodBinding, kSampleId);
  b.addAttribute(0x7F00, bytesOf("a"))
      .addUsername("x:y")
      .addAttribute(0xC001, bytesOf("optional"))
      .addAttribute(0x0033, bytesOf(""))
      .addAttribute(0x7F00, bytesOf("again"))
      .addAttribute(attr::kRealm, bytesOf("known"));
  auto built = b.finish();
  ASSERT_TRUE(built);
  EXPECT_EQ(parsed(*built).unknownComprehensionRequired(), (std::vector<uint16_t>{0x7F00, 0x0033}));
}

// --- typed accessors ---

TEST(StunAttributes, XorMappedAddressRoundTripsIpv4AndIpv6) {
  core::SeededRandom random(5769);
  const std::vector<StunAddress> addresses{
      StunAddress::ipv4({192, 0, 2, 1}, 32853),
      StunAddress::ipv4({0, 0, 0, 0}, 0),
      StunAddress::ipv4({255, 255, 255, 255}, 65535),
      *StunAddress::parse("2001:db8::1", 3478),
      *StunAddress::parse("::", 1),
      *StunAddress::parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535),
  };
  for (int round = 0; round < 20; ++round) {
    const TransactionId id = newTransactionId(random);
    for (const StunAddress& address : addresses) {
      StunBuilder b(StunClass::kSuccessResponse, kMethodBinding, id);
      auto built =
          b.addXorMappedAddress(address).addMappedAddress(address).finish(Integrity::kSha1, kPassword);
      ASSERT_TRUE(built) << built.error().message;
      const StunMessage m = parsed(*built);
      EXPECT_EQ(m.xorMappedAddress().value(), address) << address.toString();
      EXPECT_EQ(m.mappedAddress().value(), address) << address.toString();
      // The XORed form is not the plain one (the port always differs: 0x2112 is not zero).
      EXPECT_FALSE(std::equal(m.find(attr::kXorMappedAddress)->value.begin(),
                              m.find(attr::kXorMappedAddress)->value.end(),
                              m.find(attr::kMappedAddress)->value.begin()));
      EXPECT_TRUE(checkMessageIntegrity(m, kPassword));
    }
  }
}

TEST(StunAttributes, RejectsMalformedAddresses) {
  auto addressError = [](const Bytes& value) {
    StunBuilder b(StunClass::kSuccessResponse, kMethodBinding, kSampleId);
    auto built = b.addAttribute(attr::kXorMappedAddress, value).finish();
    EXPECT_TRUE(built);
    auto m = parseStun(*built);
    EXPECT_TRUE(m);
    auto a = m->xorMappedAddress();
    EXPECT_FALSE(a);
    return a ? std::string() : a.error().message + " / " + std::to_string(a.error().code);
  };
  EXPECT_EQ(addressError(hex("00 03 a1 47 e1 12 a6 43")),
            "XOR-MAPPED-ADDRESS has unknown address family 3 / 400");
  EXPECT_EQ(addressError(hex("00 01 a1 47 e1 12 a6 43 00 00 00 00")),
            "XOR-MAPPED-ADDRESS value is 12 bytes, not 8 for family IPv4 / 400");
  EXPECT_EQ(addressError(hex("00 02 a1 47 e1 12 a6 43")),
            "XOR-MAPPED-ADDRESS value is 8 bytes, not 20 for family IPv6 / 400");
  EXPECT_EQ(addressError(hex("00 01 a1")),
            "XOR-MAPPED-ADDRESS value is 3 bytes, not 8 (IPv4) or 20 (IPv6) / 400");
  // The first byte is reserved and ignored (RFC 8489 §14.2).
  StunBuilder b(StunClass::kSuccessResponse, kMethodBinding, kSampleId);
  auto built = b.addAttribute(attr::kXorMappedAddress, hex("ff 01 a1 47 e1 12 a6 43")).finish();
  ASSERT_TRUE(built);
  EXPECT_EQ(parsed(*built).xorMappedAddress().value(), StunAddress::ipv4({192, 0, 2, 1}, 32853));
}

TEST(StunAttributes, IceAttributesRoundTrip) {
  StunBuilder b(StunClass::kRequest, kMethodBinding, kSampleId);
  auto built = b.addUsername("remote:local")
                   .addPriority(0x7E0000FF)
                   .addIceControlling(0xDEADBEEFCAFEBABE)
                   .addUseCandidate()
                   .finish(Integrity::kSha1, kPassword);
  ASSERT_TRUE(built);
  const StunMessage m = parsed(*built);
  EXPECT_EQ(m.username().value(), "remote:local");
  EXPECT_EQ(m.priority().value(), 0x7E0000FFu);
  EXPECT_EQ(m.iceControlling().value(), 0xDEADBEEFCAFEBABEu);
  EXPECT_EQ(m.iceControlled().value(), std::nullopt);
  EXPECT_TRUE(m.useCandidate().value());
  EXPECT_EQ(m.find(attr::kUseCandidate)->value.size(), 0u);
  EXPECT_TRUE(checkMessageIntegrity(m, kPassword));
  EXPECT_TRUE(checkFingerprint(m));
}

TEST(StunAttributes, RejectsMalformedValuesWith400) {
  auto errorOf = [](uint16_t type, const Bytes& value, auto read) {
    StunBuilder b(StunClass::kRequest, kMethodBinding, kSampleId);
    auto built = b.addAttribute(type, value).finish();
    EXPECT_TRUE(built);
    auto m = parseStun(*built);
    EXPECT_TRUE(m) << "a malformed value does not fail the parse";
    const auto result = read(*m);
    EXPECT_FALSE(result);
    return result ? std::string() : result.error().message + " / " + std::to_string(result.error().code);
  };
  EXPECT_EQ(errorOf(attr::kPriority, Bytes(3), [](const StunMessage& m) { return m.priority(); }),
            "PRIORITY value is 3 bytes, not 4 / 400");
  EXPECT_EQ(errorOf(attr::kIceControlling, Bytes(4), [](const StunMessage& m) { return m.iceControlling(); }),
            "ICE-CONTROLLING value is 4 bytes, not 8 / 400");
  EXPECT_EQ(errorOf(attr::kIceControlled, Bytes(9), [](const StunMessage& m) { return m.iceControlled(); }),
            "ICE-CONTROLLED value is 9 bytes, not 8 / 400");
  EXPECT_EQ(errorOf(attr::kUseCandidate, Bytes(1), [](const StunMessage& m) { return m.useCandidate(); }),
            "USE-CANDIDATE value is 1 bytes, not 0 / 400");
  EXPECT_EQ(errorOf(attr::kUsername, Bytes(514, 'u'), [](const StunMessage& m) { return m.username(); }),
            "USERNAME of 514 bytes exceeds the limit of 513 / 400");
  EXPECT_EQ(errorOf(attr::kSoftware, Bytes(764, 's'), [](const StunMessage& m) { return m.software(); }),
            "SOFTWARE of 764 bytes exceeds the limit of 763 / 400");
  EXPECT_EQ(errorOf(attr::kErrorCode, hex("00 00 02 00"), [](const StunMessage& m) { return m.errorCode(); }),
            "ERROR-CODE class 2 number 0 is not a code from 300 to 699 / 400");
  EXPECT_EQ(errorOf(attr::kErrorCode, hex("00 00 04 64"), [](const StunMessage& m) { return m.errorCode(); }),
            "ERROR-CODE class 4 number 100 is not a code from 300 to 699 / 400");
  EXPECT_EQ(errorOf(attr::kErrorCode, hex("00 00 04"), [](const StunMessage& m) { return m.errorCode(); }),
            "ERROR-CODE value is 3 bytes, not at least 4 / 400");
  EXPECT_EQ(errorOf(attr::kUnknownAttributes, hex("00 01 00"),
                    [](const StunMessage& m) { return m.unknownAttributes(); }),
            "UNKNOWN-ATTRIBUTES value is 3 bytes, not a multiple of 2 / 400");
  EXPECT_EQ(errorOf(attr::kUnknownAttributes, Bytes(2 * (kMaxUnknownAttributes + 1)),
                    [](const StunMessage& m) { return m.unknownAttributes(); }),
            "UNKNOWN-ATTRIBUTES lists more than 32 types / 400");
}

TEST(StunAttributes, UsernameOfTheLimitIsAcceptedBothWays) {
  const std::string username(kMaxUsernameBytes, 'u');
  StunBuilder b(StunClass::kRequest, kMethodBinding, kSampleId);
  auto built = b.addUsername(username).finish(Integrity::kSha1, kPassword);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(parsed(*built).username().value(), username);
}

TEST(StunAttributes, ErrorResponseFor420RoundTrips) {
  const std::vector<uint16_t> unknown{0x7F00, 0x0033, 0x0001};
  StunBuilder b(StunClass::kErrorResponse, kMethodBinding, kSampleId);
  auto built = b.addErrorCode(420, "Unknown Attribute")
                   .addUnknownAttributes(unknown)
                   .finish(Integrity::kSha1, kPassword);
  ASSERT_TRUE(built);
  const StunMessage m = parsed(*built);
  EXPECT_EQ(m.messageClass(), StunClass::kErrorResponse);
  const auto error = m.errorCode().value();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, 420);
  EXPECT_EQ(error->reason, "Unknown Attribute");
  EXPECT_EQ(m.unknownAttributes().value(), unknown);
  // Codes at both ends of the range, and an empty reason.
  for (const int code : {300, 699}) {
    StunBuilder e(StunClass::kErrorResponse, kMethodBinding, kSampleId);
    auto out = e.addErrorCode(code, "").finish();
    ASSERT_TRUE(out);
    EXPECT_EQ(parsed(*out).errorCode().value()->code, code);
  }
}

// --- MESSAGE-INTEGRITY-SHA256 ---

TEST(StunIntegrity, Sha256RoundTrip) {
  StunBuilder b(StunClass::kRequest, kMethodBinding, kSampleId);
  auto built = b.addUsername("evtj:h6vY").addPriority(1).finish(Integrity::kSha256, kPassword);
  ASSERT_TRUE(built);
  const StunMessage m = parsed(*built);
  ASSERT_NE(m.find(attr::kMessageIntegritySha256), nullptr);
  EXPECT_EQ(m.find(attr::kMessageIntegritySha256)->value.size(), 32u);
  EXPECT_TRUE(checkMessageIntegritySha256(m, kPassword));
  EXPECT_EQ(checkMessageIntegritySha256(m, "another password").error().code, 401);
  EXPECT_EQ(checkMessageIntegrity(m, kPassword).error().code, 400) << "no SHA-1 MESSAGE-INTEGRITY";
  EXPECT_TRUE(checkFingerprint(m));
}

// Without FINGERPRINT the message ends at the integrity attribute, so the received length is the patched one
// and a plain HMAC of the bytes before the attribute must equal its value: an oracle independent of the
// offset arithmetic in the checks.
TEST(StunIntegrity, HmacCoversExactlyTheBytesBeforeTheAttribute) {
  for (const Integrity integrity : {Integrity::kSha1, Integrity::kSha256}) {
    StunBuilder b(StunClass::kRequest, kMethodBinding, kSampleId);
    auto built = b.addUsername("evtj:h6vY").addSoftware("odd").finish(integrity, kPassword, false);
    ASSERT_TRUE(built);
    const StunMessage m = parsed(*built);
    const StunAttribute& a = m.attributes().back();
    const auto digest =
        computeHmac(integrity == Integrity::kSha1 ? HmacAlgorithm::kSha1 : HmacAlgorithm::kSha256, kPassword,
                    {m.bytes().first(a.offset)});
    ASSERT_TRUE(digest);
    EXPECT_TRUE(std::equal(a.value.begin(), a.value.end(), digest->bytes.begin()));
  }
}

TEST(StunIntegrity, TruncatedSha256IsAccepted) {
  for (const size_t size : {16u, 20u, 24u, 28u, 32u}) {
    StunBuilder b(StunClass::kRequest, kMethodBinding, kSampleId);
    auto built = b.addUsername("a:b").addMessageIntegritySha256(kPassword, size).addFingerprint().finish();
    ASSERT_TRUE(built) << built.error().message;
    const StunMessage m = parsed(*built);
    EXPECT_EQ(m.find(attr::kMessageIntegritySha256)->value.size(), size);
    EXPECT_TRUE(checkMessageIntegritySha256(m, kPassword)) << size;
    EXPECT_EQ(checkMessageIntegritySha256(m, "wrong").error().code, 401) << size;
  }
  for (const size_t size : {0u, 12u, 18u, 36u}) {
    StunBuilder b(StunClass::kRequest, kMethodBinding, kSampleId);
    EXPECT_FALSE(b.addMessageIntegritySha256(kPassword, size).finish()) << size;
    // And a received one of that size is refused by the check.
    Bytes m = header();
    appendRaw(m, attr::kMessageIntegritySha256, Bytes(size));
    fixLength(m);
    EXPECT_EQ(checkMessageIntegritySha256(parsed(m), kPassword).error().code, 400) << size;
  }
}

TEST(StunIntegrity, BothIntegrityAttributesVerify) {
  StunBuilder b(StunClass::kRequest, kMethodBinding, kSampleId);
  auto built = b.addUsername("a:b")
                   .addMessageIntegrity(kPassword)
                   .addMessageIntegritySha256(kPassword)
                   .addFingerprint()
                   .finish();
  ASSERT_TRUE(built);
  const StunMessage m = parsed(*built);
  for (const auto& a : m.attributes()) EXPECT_FALSE(a.ignored) << attributeName(a.type);
  EXPECT_TRUE(checkMessageIntegrity(m, kPassword));
  EXPECT_TRUE(checkMessageIntegritySha256(m, kPassword));
  EXPECT_TRUE(checkFingerprint(m));
}

TEST(StunIntegrity, WrongSizesAndEmptyKeysAreRefused) {
  Bytes m = header();
  appendRaw(m, attr::kMessageIntegrity, Bytes(16));
  appendRaw(m, attr::kFingerprint, Bytes(3));
  fixLength(m);
  const StunMessage msg = parsed(m);
  EXPECT_EQ(checkMessageIntegrity(msg, kPassword).error().message, "MESSAGE-INTEGRITY is 16 bytes, not 20");
  EXPECT_EQ(checkFingerprint(msg).error().message, "FINGERPRINT is 3 bytes, not 4");
  EXPECT_EQ(checkMessageIntegrity(parsed(kSampleRequest), "").error().code, 500);
  StunBuilder b(StunClass::kRequest, kMethodBinding, kSampleId);
  const auto built = b.finish(Integrity::kSha1, "");
  ASSERT_FALSE(built);
  EXPECT_EQ(built.error().code, 500);
}

// --- the builder's rules ---

TEST(StunBuilderRules, PadsWithZerosByDefault) {
  StunBuilder b(StunClass::kRequest, kMethodBinding, kSampleId);
  auto built = b.addUsername("abc").finish();
  ASSERT_TRUE(built);
  EXPECT_EQ(*built, [] {
    Bytes m = header();
    m[3] = 8;
    const Bytes tail = hex("00 06 00 03 61 62 63 00");
    m.insert(m.end(), tail.begin(), tail.end());
    return m;
  }());
}

TEST(StunBuilderRules, RefusesAttributesAfterTheSealingOnes) {
  StunBuilder b(StunClass::kRequest, kMethodBinding, kSampleId);
  auto afterFingerprint = b.addFingerprint().addPriority(1).finish();
  ASSERT_FALSE(afterFingerprint);
  EXPECT_EQ(afterFingerprint.error().message,
            "PRIORITY after FINGERPRINT, which must be last (RFC 8489 §14.7)");

  b.start(StunClass::kRequest, kMethodBinding, kSampleId);
  auto afterIntegrity = b.addMessageIntegrity(kPassword).addUsername("late").finish();
  ASSERT_FALSE(afterIntegrity);
  EXPECT_EQ(afterIntegrity.error().message,
            "USERNAME after MESSAGE-INTEGRITY would be ignored by the receiver (RFC 8489 §14.5)");

  b.start(StunClass::kRequest, kMethodBinding, kSampleId);
  EXPECT_FALSE(b.addMessageIntegrity(kPassword).addMessageIntegrity(kPassword).finish());
  b.start(StunClass::kRequest, kMethodBinding, kSampleId);
  EXPECT_FALSE(b.addMessageIntegritySha256(kPassword).addMessageIntegrity(kPassword).finish());
  b.start(StunClass::kRequest, kMethodBinding, kSampleId);
  EXPECT_FALSE(b.addFingerprint().addFingerprint().finish());
  b.start(StunClass::kRequest, kMethodBinding, kSampleId);
  EXPECT_FALSE(b.addAttribute(attr::kFingerprint, Bytes(4)).finish()) << "computed attributes are not raw";
  b.start(StunClass::kRequest, kMethodBinding, kSampleId);
  EXPECT_FALSE(b.addAttribute(attr::kMessageIntegrity, Bytes(20)).finish());
}

TEST(StunBuilderRules, ErrorsAreStickyUntilStart) {
  StunBuilder b;
  const auto notStarted = b.addPriority(1).finish();
  ASSERT_FALSE(notStarted);
  EXPECT_EQ(notStarted.error().message, "add PRIORITY: the message was not started");

  b.start(StunClass::kRequest, kMethodBinding, kSampleId);
  auto failed = b.addUsername(std::string(kMaxUsernameBytes + 1, 'u')).addSoftware("fine").finish();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "USERNAME of 514 bytes exceeds 513");

  b.start(StunClass::kRequest, kMethodBinding, kSampleId);
  EXPECT_TRUE(b.addSoftware("fine").finish()) << "start() clears the error";
  EXPECT_FALSE(b.finish()) << "finish() leaves the builder empty";
}

TEST(StunBuilderRules, EnforcesTheLimits) {
  auto fails = [](auto add) {
    StunBuilder b(StunClass::kErrorResponse, kMethodBinding, kSampleId);
    add(b);
    return !b.finish().ok();
  };
  EXPECT_TRUE(fails([](StunBuilder& b) { b.addSoftware(std::string(kMaxSoftwareBytes + 1, 's')); }));
  EXPECT_FALSE(fails([](StunBuilder& b) { b.addSoftware(std::string(kMaxSoftwareBytes, 's')); }));
  EXPECT_TRUE(fails([](StunBuilder& b) { b.addErrorCode(299, "x"); }));
  EXPECT_TRUE(fails([](StunBuilder& b) { b.addErrorCode(700, "x"); }));
  EXPECT_TRUE(fails([](StunBuilder& b) { b.addErrorCode(400, std::string(kMaxReasonBytes + 1, 'r')); }));
  EXPECT_TRUE(fails(
      [](StunBuilder& b) { b.addUnknownAttributes(std::vector<uint16_t>(kMaxUnknownAttributes + 1)); }));
  EXPECT_TRUE(fails([](StunBuilder& b) {
    StunAddress bad;
    bad.family = static_cast<AddressFamily>(3);
    b.addXorMappedAddress(bad);
  }));
  // The 16-bit Message Length: 0xFFFC bytes of attributes at most.
  EXPECT_FALSE(fails([](StunBuilder& b) { b.addAttribute(0x8123, Bytes(0xFFFC - 4)); }));
  EXPECT_TRUE(fails([](StunBuilder& b) { b.addAttribute(0x8123, Bytes(0xFFFC - 3)); }));
  EXPECT_TRUE(fails([](StunBuilder& b) { b.addAttribute(0x8123, Bytes(0xFFFC - 8)).addFingerprint(); }));
  EXPECT_TRUE(fails([](StunBuilder& b) { b.start(StunClass::kRequest, 0x1000, kSampleId); }));
}

TEST(StunBuilderRules, TheLargestMessageParses) {
  StunBuilder b(StunClass::kIndication, kMethodBinding, kSampleId);
  auto built = b.addAttribute(0x8123, Bytes(0xFFFC - 12)).finish(Integrity::kNone, "", true);
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->size(), kHeaderSize + 0xFFFC);
  const StunMessage m = parsed(*built);
  EXPECT_EQ(m.messageClass(), StunClass::kIndication);
  EXPECT_TRUE(checkFingerprint(m));
}

// --- addresses ---

TEST(StunAddressType, ParsesAndPrints) {
  const auto v4 = StunAddress::parse("192.0.2.1", 3478);
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->family, AddressFamily::kIpv4);
  EXPECT_EQ(v4->toString(), "192.0.2.1:3478");
  const auto v6 = StunAddress::parse("2001:db8::1", 3478);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->family, AddressFamily::kIpv6);
  EXPECT_EQ(v6->toString(), "[2001:db8::1]:3478");
  EXPECT_FALSE(StunAddress::parse("", 1));
  EXPECT_FALSE(StunAddress::parse("example.org", 1));
  EXPECT_FALSE(StunAddress::parse("[2001:db8::1]", 1));
  EXPECT_FALSE(StunAddress::parse("192.0.2.1:3478", 1));
  EXPECT_NE(*StunAddress::parse("192.0.2.1", 1), *StunAddress::parse("::ffff:192.0.2.1", 1));
}

}  // namespace
}  // namespace callgate::webrtc::stun
