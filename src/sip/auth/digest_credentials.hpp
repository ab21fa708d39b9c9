// Digest credentials: the value of one Authorization or Proxy-Authorization header field
// (RFC 3261 §20.7 / §20.28, RFC 7616 §3.4, RFC 8760 §2.1):
//
//   Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",
//          uri="sip:bob@biloxi.com", response="245f23415f11432b3434341c022", algorithm=MD5,
//          cnonce="0a4f113b", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001
//
// The client builds one and writes it with toString(); a server (or a test) parses one to verify it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "sip/auth/digest_algorithm.hpp"
#include "sip/auth/digest_challenge.hpp"

namespace callgate::sip::auth {

struct DigestCredentials {
  std::string username;  // H(username ":" realm) when `userhash` (RFC 7616 §3.4.4)
  std::string realm;
  std::string nonce;
  std::string uri;       // the digest-uri: the Request-URI in SIP (RFC 3261 §22.4)
  std::string response;  // lowercase hex
  DigestAlgorithm algorithm = DigestAlgorithm::kMd5;
  bool algorithmGiven = false;
  std::optional<std::string> cnonce;
  std::optional<std::string> opaque;
  std::optional<Qop> qop;   // absent: the RFC 2069 form, without cnonce or nc
  uint32_t nonceCount = 0;  // "nc", sent as 8 lowercase hex digits; meaningful only with qop
  bool userhash = false;

  // Parses a header value. Errors: not Digest, a missing username/realm/nonce/uri/response, a qop without
  // cnonce or nc, an nc that is not 8 hex digits, a response of the wrong length for its algorithm.
  static core::Result<DigestCredentials> parse(std::string_view headerValue);

  // The header value. Quoted directives are escaped; the caller keeps CR and LF out of every field (the
  // client checks its inputs before building one, the parser never yields them).
  std::string toString() const;
};

// The 8-hex-digit form of a nonce count (RFC 7616 §3.4: nc=00000001).
std::string formatNonceCount(uint32_t nonceCount);

}  // namespace callgate::sip::auth
