#include "sip/auth/digest_hash.hpp"

#include <openssl/evp.h>

#include <string>

namespace callgate::sip::auth {

namespace {

struct MdFree {
  void operator()(EVP_MD* md) const { EVP_MD_free(md); }
};

}  // namespace

void DigestHash::CtxFree::operator()(evp_md_ctx_st* ctx) const {
  EVP_MD_CTX_free(ctx);
}

DigestHash::DigestHash(DigestAlgorithm algorithm, std::unique_ptr<evp_md_ctx_st, CtxFree> ctx)
    : algorithm_(algorithm), ctx_(std::move(ctx)) {}
DigestHash::DigestHash(DigestHash&&) noexcept = default;
DigestHash& DigestHash::operator=(DigestHash&&) noexcept = default;
DigestHash::~DigestHash() = default;

core::Result<DigestHash> DigestHash::create(DigestAlgorithm algorithm) {
  const std::string evpName(evpDigestName(algorithm));
  // An explicit fetch (not EVP_md5()) so a provider that lacks the hash is reported here, by name.
  std::unique_ptr<EVP_MD, MdFree> md(EVP_MD_fetch(nullptr, evpName.c_str(), nullptr));
  if (!md) {
    return core::makeError("OpenSSL has no " + evpName + " digest (provider configuration?) for algorithm " +
                           std::string(digestAlgorithmName(algorithm)));
  }
  std::unique_ptr<evp_md_ctx_st, CtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md.get(), nullptr) != 1) {
    return core::makeError("OpenSSL could not start a " + evpName + " digest");
  }
  return DigestHash(algorithm, std::move(ctx));
}

core::Result<std::string> DigestHash::hex(DigestAlgorithm algorithm, std::string_view data) {
  auto hash = create(algorithm);
  if (!hash) return hash.error();
  return hash->update(data).finishHex();
}

DigestHash& DigestHash::update(std::string_view data) {
  if (!ctx_ || failed_) return *this;
  if (!data.empty() && EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) failed_ = true;
  return *this;
}

core::Result<std::string> DigestHash::finishHex() {
  const std::string_view name = digestAlgorithmName(algorithm_);
  if (!ctx_) return core::makeError("digest " + std::string(name) + " was already finished");
  if (failed_) return core::makeError("OpenSSL failed while hashing for " + std::string(name));
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const int rc = EVP_DigestFinal_ex(ctx_.get(), out, &len);
  ctx_.reset();
  if (rc != 1) return core::makeError("OpenSSL could not finish the " + std::string(name) + " digest");
  return toLowerHex(std::string_view(reinterpret_cast<const char*>(out), len));
}

std::string toLowerHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    out += kHex[u >> 4];
    out += kHex[u & 0x0f];
  }
  return out;
}

}  // namespace callgate::sip::auth
