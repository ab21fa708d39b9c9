#include "sip/auth/digest_algorithm.hpp"

#include "core/text.hpp"

namespace callgate::sip::auth {

namespace {

struct AlgorithmInfo {
  DigestAlgorithm algorithm;
  std::string_view name;
};

constexpr AlgorithmInfo kAlgorithms[] = {
    {DigestAlgorithm::kMd5, "MD5"},
    {DigestAlgorithm::kMd5Sess, "MD5-sess"},
    {DigestAlgorithm::kSha256, "SHA-256"},
    {DigestAlgorithm::kSha256Sess, "SHA-256-sess"},
    {DigestAlgorithm::kSha512_256, "SHA-512-256"},
    {DigestAlgorithm::kSha512_256Sess, "SHA-512-256-sess"},
};

}  // namespace

std::optional<DigestAlgorithm> parseDigestAlgorithm(std::string_view name) {
  for (const auto& info : kAlgorithms) {
    if (core::iequals(info.name, name)) return info.algorithm;
  }
  return std::nullopt;
}

std::string_view digestAlgorithmName(DigestAlgorithm algorithm) {
  for (const auto& info : kAlgorithms) {
    if (info.algorithm == algorithm) return info.name;
  }
  return "MD5";  // unreachable: the table covers every enumerator
}

bool isSessionAlgorithm(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::kMd5Sess || algorithm == DigestAlgorithm::kSha256Sess ||
         algorithm == DigestAlgorithm::kSha512_256Sess;
}

std::string_view evpDigestName(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::kMd5:
    case DigestAlgorithm::kMd5Sess:
      return "MD5";
    case DigestAlgorithm::kSha256:
    case DigestAlgorithm::kSha256Sess:
      return "SHA256";
    case DigestAlgorithm::kSha512_256:
    case DigestAlgorithm::kSha512_256Sess:
      return "SHA512-256";  // FIPS 180-4 SHA-512/256 (own IV), not a truncated SHA-512
  }
  return "MD5";
}

size_t digestHexLength(DigestAlgorithm algorithm) {
  return (algorithm == DigestAlgorithm::kMd5 || algorithm == DigestAlgorithm::kMd5Sess) ? 32 : 64;
}

int digestAlgorithmStrength(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::kMd5:
    case DigestAlgorithm::kMd5Sess:
      return 1;
    case DigestAlgorithm::kSha256:
    case DigestAlgorithm::kSha256Sess:
      return 2;
    case DigestAlgorithm::kSha512_256:
    case DigestAlgorithm::kSha512_256Sess:
      return 3;
  }
  return 0;
}

}  // namespace callgate::sip::auth
