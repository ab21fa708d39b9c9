// H() of Digest (RFC 7616 §3.4.1 / RFC 2617 §3.2.1) through OpenSSL 3 EVP: a hash whose output is sent
// as lowercase hex. Incremental so callers can feed "a" ":" "b" without building the joined string.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sip/auth/digest_algorithm.hpp"

// OpenSSL's context type, kept out of the header so users need not include OpenSSL.
struct evp_md_ctx_st;

namespace callgate::sip::auth {

class DigestHash {
 public:
  // Fails (never throws) when the OpenSSL providers lack the hash, e.g. MD5 under a FIPS-only config.
  static core::Result<DigestHash> create(DigestAlgorithm algorithm);

  // One-shot H(data) as lowercase hex.
  static core::Result<std::string> hex(DigestAlgorithm algorithm, std::string_view data);

  DigestHash(DigestHash&&) noexcept;
  DigestHash& operator=(DigestHash&&) noexcept;
  ~DigestHash();

  // Feeds bytes. An internal OpenSSL failure is remembered and reported by finishHex().
  DigestHash& update(std::string_view data);
  // The lowercase hex digest. The object is spent afterwards (further calls fail).
  core::Result<std::string> finishHex();

 private:
  struct CtxFree {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  DigestHash(DigestAlgorithm algorithm, std::unique_ptr<evp_md_ctx_st, CtxFree> ctx);

  DigestAlgorithm algorithm_;
  std::unique_ptr<evp_md_ctx_st, CtxFree> ctx_;
  bool failed_ = false;
};

// Lowercase hex of raw bytes.
std::string toLowerHex(std::string_view bytes);

}  // namespace callgate::sip::auth
