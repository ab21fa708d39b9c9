#include "webrtc/stun/integrity.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <memory>

#include "webrtc/stun/crc32.hpp"
#include "webrtc/stun/hmac.hpp"
#include "webrtc/stun/wire.hpp"

namespace callgate::webrtc::stun {

namespace {

using core::makeError;

core::Result<void> checkHmac(const StunMessage& message, uint16_t type, HmacAlgorithm algorithm,
                             std::string_view key) {
  const std::string name(attributeName(type));
  const StunAttribute* a = message.find(type);
  if (a == nullptr) return makeError("the message has no " + name, 400);
  const size_t size = a->value.size();
  if (algorithm == HmacAlgorithm::kSha1 && size != kSha1Size) {
    return makeError(name + " is " + std::to_string(size) + " bytes, not 20", 400);
  }
  // RFC 8489 §14.6: at most 32 bytes, at least 16, a multiple of 4.
  if (algorithm == HmacAlgorithm::kSha256 && (size < 16 || size > kSha256Size || size % 4 != 0)) {
    return makeError(name + " is " + std::to_string(size) + " bytes, not a multiple of 4 from 16 to 32", 400);
  }
  const std::span<const uint8_t> bytes = message.bytes();
  std::array<uint8_t, kHeaderSize> header{};
  std::copy_n(bytes.begin(), kHeaderSize, header.begin());
  // The attribute lies inside the message, so this is at most the received Message Length.
  wire::putU16(header.data() + 2, static_cast<uint16_t>(a->offset - kHeaderSize + 4 + size));
  auto digest = computeHmac(algorithm, key, {header, bytes.subspan(kHeaderSize, a->offset - kHeaderSize)});
  if (!digest) return digest.error();
  if (CRYPTO_memcmp(digest->bytes.data(), a->value.data(), size) != 0) {
    return makeError(name + " does not match: wrong password, or the message was altered", 401);
  }
  return {};
}

struct MdFree {
  void operator()(EVP_MD* md) const { EVP_MD_free(md); }
};

}  // namespace

core::Result<void> checkMessageIntegrity(const StunMessage& message, std::string_view key) {
  return checkHmac(message, attr::kMessageIntegrity, HmacAlgorithm::kSha1, key);
}

core::Result<void> checkMessageIntegritySha256(const StunMessage& message, std::string_view key) {
  return checkHmac(message, attr::kMessageIntegritySha256, HmacAlgorithm::kSha256, key);
}

core::Result<void> checkFingerprint(const StunMessage& message) {
  const StunAttribute* a = message.find(attr::kFingerprint);
  if (a == nullptr) return makeError("the message has no FINGERPRINT");
  if (a->value.size() != 4)
    return makeError("FINGERPRINT is " + std::to_string(a->value.size()) + " bytes, not 4");
  // The parser keeps FINGERPRINT last, so the received length already counts it, as the sender's did.
  const uint32_t expected = crc32(message.bytes().first(a->offset)) ^ kFingerprintXor;
  if (wire::readU32(a->value, 0) != expected) return makeError("FINGERPRINT does not match the message");
  return {};
}

core::Result<std::string> longTermKey(std::string_view username, std::string_view realm,
                                      std::string_view password) {
  // An explicit fetch, so a provider set without MD5 (FIPS) is reported by name.
  std::unique_ptr<EVP_MD, MdFree> md(EVP_MD_fetch(nullptr, "MD5", nullptr));
  if (!md) return makeError("OpenSSL has no MD5 digest (provider configuration?)", 500);
  const std::string input = std::string(username) + ":" + std::string(realm) + ":" + std::string(password);
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int size = 0;
  if (EVP_Digest(input.data(), input.size(), out.data(), &size, md.get(), nullptr) != 1) {
    return makeError("OpenSSL could not compute MD5", 500);
  }
  return std::string(reinterpret_cast<const char*>(out.data()), size);
}

}  // namespace callgate::webrtc::stun
