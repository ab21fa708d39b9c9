// The gateway's DTLS identity (RFC 5763 §5): one self-signed ECDSA P-256 certificate generated at start,
// shared by every transport, whose SHA-256 fingerprint goes into every SDP the gateway sends.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

// OpenSSL types, forward-declared so that users of this header do not pull OpenSSL in.
struct x509_st;
struct evp_pkey_st;

namespace callgate::webrtc::dtls {

class DtlsCertificate {
 public:
  // A fresh P-256 key and a self-signed X.509 certificate (CN `commonName`, random 64-bit serial, valid from
  // one day ago for 30 days, ecdsa-with-SHA256). Errors name the OpenSSL step that failed.
  static core::Result<std::shared_ptr<const DtlsCertificate>> generate(
      std::string_view commonName = "callgate");
  ~DtlsCertificate();
  DtlsCertificate(const DtlsCertificate&) = delete;
  DtlsCertificate& operator=(const DtlsCertificate&) = delete;

  // "sha-256" and the upper-case colon-separated hex of the DER certificate's SHA-256 (RFC 8122 §5), as it
  // goes into a=fingerprint.
  static constexpr std::string_view kHashFunction = "sha-256";
  const std::string& fingerprint() const { return fingerprint_; }

  x509_st* x509() const { return x509_; }
  evp_pkey_st* privateKey() const { return key_; }

 private:
  DtlsCertificate() = default;
  x509_st* x509_ = nullptr;
  evp_pkey_st* key_ = nullptr;
  std::string fingerprint_;
};

// The fingerprint of a DER-encoded certificate with `hashFunction` ("sha-1", "sha-224", "sha-256", "sha-384",
// "sha-512"; case-insensitive, RFC 8122 §5), formatted as above. An unknown function is an error.
core::Result<std::string> certificateFingerprint(x509_st* certificate, std::string_view hashFunction);

}  // namespace callgate::webrtc::dtls
