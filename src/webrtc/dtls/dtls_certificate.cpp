// The gateway's self-signed DTLS certificate (RFC 5763 §5) and certificate fingerprints (RFC 8122 §5).
#include "webrtc/dtls/dtls_certificate.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <array>
#include <memory>
#include <string>

#include "core/text.hpp"

namespace callgate::webrtc::dtls {
namespace {

struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct X509Free {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};

constexpr long kOneDay = 24L * 60 * 60;
constexpr long kValidDays = 30;
constexpr size_t kMaxCommonName = 64;  // RFC 5280 Appendix A.1: ub-common-name

// The first error OpenSSL queued on this thread, as text; the queue is cleared.
std::string opensslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no OpenSSL error queued";
  std::array<char, 256> text{};
  ERR_error_string_n(code, text.data(), text.size());
  return text.data();
}

core::Error stepFailed(std::string_view step) {
  return core::makeError("DTLS certificate: " + std::string(step) + " failed (" + opensslError() + ")");
}

// RFC 8122 §5: the hash function names of the IANA "Hash Function Textual Names" registry that a
// fingerprint may use (md2 and md5 are in the registry, but RFC 8122 §5 forbids them).
const EVP_MD* digestFor(std::string_view hashFunction) {
  if (core::iequals(hashFunction, "sha-1")) return EVP_sha1();
  if (core::iequals(hashFunction, "sha-224")) return EVP_sha224();
  if (core::iequals(hashFunction, "sha-256")) return EVP_sha256();
  if (core::iequals(hashFunction, "sha-384")) return EVP_sha384();
  if (core::iequals(hashFunction, "sha-512")) return EVP_sha512();
  return nullptr;
}

}  // namespace

DtlsCertificate::~DtlsCertificate() {
  X509_free(x509_);
  EVP_PKEY_free(key_);
}

core::Result<std::shared_ptr<const DtlsCertificate>> DtlsCertificate::generate(std::string_view commonName) {
  if (commonName.empty() || commonName.size() > kMaxCommonName) {
    return core::makeError("DTLS certificate: the common name must be 1 to 64 characters, not " +
                           std::to_string(commonName.size()));
  }
  ERR_clear_error();

  // ECDSA on P-256: what browsers generate for WebRTC, and every WebRTC peer accepts it.
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> keyCtx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!keyCtx || EVP_PKEY_keygen_init(keyCtx.get()) != 1) return stepFailed("EC key generation setup");
  if (EVP_PKEY_CTX_set_group_name(keyCtx.get(), "P-256") != 1) return stepFailed("selecting curve P-256");
  EVP_PKEY* rawKey = nullptr;
  if (EVP_PKEY_generate(keyCtx.get(), &rawKey) != 1) return stepFailed("P-256 key generation");
  std::unique_ptr<EVP_PKEY, PkeyFree> key(rawKey);

  std::unique_ptr<X509, X509Free> x509(X509_new());
  if (!x509) return stepFailed("X509_new");
  if (X509_set_version(x509.get(), X509_VERSION_3) != 1) return stepFailed("setting version 3");

  // RFC 5280 §4.1.2.2: a positive serial of at most 20 octets; 64 random bits, never zero.
  std::array<unsigned char, 8> serialBytes{};
  if (RAND_bytes(serialBytes.data(), static_cast<int>(serialBytes.size())) != 1) {
    return stepFailed("random serial number");
  }
  serialBytes[0] |= 0x01;
  std::unique_ptr<BIGNUM, BnFree> serial(
      BN_bin2bn(serialBytes.data(), static_cast<int>(serialBytes.size()), nullptr));
  if (!serial || BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x509.get())) == nullptr) {
    return stepFailed("setting the serial number");
  }

  // Valid from a day ago, so a peer whose clock is somewhat behind does not see a certificate from the
  // future.
  if (X509_gmtime_adj(X509_getm_notBefore(x509.get()), -kOneDay) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(x509.get()), kValidDays * kOneDay) == nullptr) {
    return stepFailed("setting the validity period");
  }
  if (X509_set_pubkey(x509.get(), key.get()) != 1) return stepFailed("setting the public key");

  X509_NAME* name = X509_get_subject_name(x509.get());
  const std::string cn(commonName);
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.data()),
                                 static_cast<int>(cn.size()), -1, 0) != 1) {
    return stepFailed("setting the common name");
  }
  // Self-signed: the issuer is the subject (RFC 5763 §5).
  if (X509_set_issuer_name(x509.get(), name) != 1) return stepFailed("setting the issuer name");
  if (X509_sign(x509.get(), key.get(), EVP_sha256()) <= 0)
    return stepFailed("signing with ecdsa-with-SHA256");

  auto fingerprint = certificateFingerprint(x509.get(), kHashFunction);
  if (!fingerprint) return fingerprint.error();

  std::shared_ptr<DtlsCertificate> certificate(new DtlsCertificate());  // the constructor is private
  certificate->x509_ = x509.release();
  certificate->key_ = key.release();
  certificate->fingerprint_ = std::move(*fingerprint);
  return std::shared_ptr<const DtlsCertificate>(std::move(certificate));
}

core::Result<std::string> certificateFingerprint(x509_st* certificate, std::string_view hashFunction) {
  const EVP_MD* md = digestFor(hashFunction);
  if (md == nullptr) {
    return core::makeError("unknown fingerprint hash function '" + std::string(hashFunction) +
                           "' (RFC 8122 §5: sha-1, sha-224, sha-256, sha-384 or sha-512)");
  }
  if (certificate == nullptr) return core::makeError("no certificate to fingerprint");

  // RFC 8122 §5: the hash of the DER form of the certificate, each octet as two upper-case hex digits,
  // octets separated by colons.
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  ERR_clear_error();
  if (X509_digest(certificate, md, digest.data(), &length) != 1) {
    return core::makeError("OpenSSL could not hash the certificate (" + opensslError() + ")");
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(static_cast<size_t>(length) * 3);
  for (unsigned int i = 0; i < length; ++i) {
    if (i > 0) out += ':';
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0x0F];
  }
  return out;
}

}  // namespace callgate::webrtc::dtls
