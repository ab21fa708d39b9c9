#include "sip/auth/digest_hash.hpp"

#include <gtest/gtest.h>

#include "sip/auth/digest_algorithm.hpp"

namespace callgate::sip::auth {
namespace {

std::string hexOf(DigestAlgorithm a, std::string_view data) {
  auto r = DigestHash::hex(a, data);
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : std::string();
}

// Known answers: MD5 from RFC 1321 §A.5; SHA-256("abc") from FIPS 180-2 appendix B.1; SHA-512/256("abc")
// from the NIST SHA-512/256 example (also `printf abc | openssl dgst -sha512-256`), which differs from a
// truncated SHA-512 ("ddaf35a1...").
TEST(DigestHash, KnownAnswers) {
  EXPECT_EQ(hexOf(DigestAlgorithm::kMd5, ""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hexOf(DigestAlgorithm::kMd5, "abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(hexOf(DigestAlgorithm::kSha256, "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hexOf(DigestAlgorithm::kSha512_256, "abc"),
            "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23");
  // `printf '' | openssl dgst -sha512-256`
  EXPECT_EQ(hexOf(DigestAlgorithm::kSha512_256, ""),
            "c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a");
}

TEST(DigestHash, SessVariantsUseTheirBaseHash) {
  EXPECT_EQ(hexOf(DigestAlgorithm::kMd5Sess, "abc"), hexOf(DigestAlgorithm::kMd5, "abc"));
  EXPECT_EQ(hexOf(DigestAlgorithm::kSha256Sess, "abc"), hexOf(DigestAlgorithm::kSha256, "abc"));
  EXPECT_EQ(hexOf(DigestAlgorithm::kSha512_256Sess, "abc"), hexOf(DigestAlgorithm::kSha512_256, "abc"));
}

TEST(DigestHash, IncrementalEqualsOneShot) {
  auto h = DigestHash::create(DigestAlgorithm::kSha256);
  ASSERT_TRUE(h);
  h->update("a").update("").update("bc");
  auto hex = h->finishHex();
  ASSERT_TRUE(hex);
  EXPECT_EQ(*hex, hexOf(DigestAlgorithm::kSha256, "abc"));
  auto again = h->finishHex();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, "digest SHA-256 was already finished");
}

TEST(DigestHash, LowerHex) {
  EXPECT_EQ(toLowerHex(std::string_view("\x00\x7f\xff\xa5", 4)), "007fffa5");
  EXPECT_EQ(toLowerHex(""), "");
}

TEST(DigestAlgorithm, NamesParseCaseInsensitivelyAndRoundTrip) {
  for (auto a :
       {DigestAlgorithm::kMd5, DigestAlgorithm::kMd5Sess, DigestAlgorithm::kSha256,
        DigestAlgorithm::kSha256Sess, DigestAlgorithm::kSha512_256, DigestAlgorithm::kSha512_256Sess}) {
    const auto parsed = parseDigestAlgorithm(digestAlgorithmName(a));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, a);
  }
  EXPECT_EQ(parseDigestAlgorithm("sha-512-256-SESS"), DigestAlgorithm::kSha512_256Sess);
  EXPECT_EQ(parseDigestAlgorithm("md5"), DigestAlgorithm::kMd5);
  EXPECT_FALSE(parseDigestAlgorithm("SHA-1"));
  EXPECT_FALSE(parseDigestAlgorithm("SHA-512"));
  EXPECT_FALSE(parseDigestAlgorithm("AKAv1-MD5"));
  EXPECT_FALSE(parseDigestAlgorithm(""));
}

TEST(DigestAlgorithm, Properties) {
  EXPECT_TRUE(isSessionAlgorithm(DigestAlgorithm::kSha256Sess));
  EXPECT_FALSE(isSessionAlgorithm(DigestAlgorithm::kSha256));
  EXPECT_EQ(digestHexLength(DigestAlgorithm::kMd5Sess), 32u);
  EXPECT_EQ(digestHexLength(DigestAlgorithm::kSha512_256), 64u);
  EXPECT_GT(digestAlgorithmStrength(DigestAlgorithm::kSha512_256),
            digestAlgorithmStrength(DigestAlgorithm::kSha256));
  EXPECT_GT(digestAlgorithmStrength(DigestAlgorithm::kSha256),
            digestAlgorithmStrength(DigestAlgorithm::kMd5));
  EXPECT_EQ(digestAlgorithmStrength(DigestAlgorithm::kMd5Sess),
            digestAlgorithmStrength(DigestAlgorithm::kMd5));
  EXPECT_EQ(evpDigestName(DigestAlgorithm::kSha512_256Sess), "SHA512-256");
}

}  // namespace
}  // namespace callgate::sip::auth
