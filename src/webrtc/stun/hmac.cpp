#include "webrtc/stun/hmac.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>

namespace callgate::webrtc::stun {

namespace {

struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

// Fetched once: a fetch searches the provider tables, and the fetched algorithm is immutable and may be
// shared by every thread (OpenSSL 3 "Fetching algorithms"). Never freed: it lives as long as the process.
EVP_MAC* hmacAlgorithm() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  return mac;
}

}  // namespace

core::Result<HmacDigest> computeHmac(HmacAlgorithm algorithm, std::string_view key,
                                     std::initializer_list<std::span<const uint8_t>> parts) {
  if (key.empty()) return core::makeError("the MESSAGE-INTEGRITY key is empty", 500);
  EVP_MAC* mac = hmacAlgorithm();
  if (mac == nullptr) return core::makeError("OpenSSL has no HMAC (provider configuration?)", 500);
  std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx(EVP_MAC_CTX_new(mac));
  char sha1[] = "SHA1";  // OSSL_PARAM takes a mutable pointer; it does not write through it
  char sha256[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                       algorithm == HmacAlgorithm::kSha1 ? sha1 : sha256, 0),
      OSSL_PARAM_construct_end(),
  };
  if (!ctx ||
      EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) != 1) {
    return core::makeError("OpenSSL could not start an HMAC", 500);
  }
  for (const auto& part : parts) {
    if (!part.empty() && EVP_MAC_update(ctx.get(), part.data(), part.size()) != 1) {
      return core::makeError("OpenSSL failed while computing an HMAC", 500);
    }
  }
  HmacDigest digest;
  if (EVP_MAC_final(ctx.get(), digest.bytes.data(), &digest.size, digest.bytes.size()) != 1) {
    return core::makeError("OpenSSL could not finish an HMAC", 500);
  }
  return digest;
}

}  // namespace callgate::webrtc::stun
