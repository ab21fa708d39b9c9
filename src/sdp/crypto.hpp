// a=crypto (RFC 4568 §9.1), SDES keys for SRTP as SIP devices offer them over RTP/SAVP:
//
//   a=crypto:<tag> <crypto-suite> <key-params> [<session-params>]
//   key-params = key-param *(";" key-param); key-param = "inline:" <key||salt
//   base64>["|"<lifetime>]["|"<mki>:<len>]
//
//   a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4 KDR=1
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sdp/session_description.hpp"

namespace callgate::sdp {

struct CryptoKeyParam {
  std::string method = "inline";        // the only method RFC 4568 §6.1 defines; others keep `keySalt` raw
  std::string keySalt;                  // base64 of master key || master salt (RFC 4568 §6.1)
  std::optional<std::string> lifetime;  // "2^20" or "1048576"
  std::optional<uint64_t> mkiValue;
  std::optional<uint8_t> mkiLength;  // bytes, 1-128

  // The decoded master key || master salt.
  core::Result<std::vector<uint8_t>> keySaltBytes() const;

  bool operator==(const CryptoKeyParam&) const = default;
};

struct Crypto {
  static constexpr std::string_view kName = "crypto";

  uint32_t tag = 1;   // 1*9DIGIT
  std::string suite;  // "AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM", ...
  std::vector<CryptoKeyParam> keyParams;
  std::vector<std::string> sessionParams;  // "KDR=1", "UNENCRYPTED_SRTCP", ...

  static core::Result<Crypto> parse(std::string_view value);
  std::string toString() const;
  Attribute toAttribute() const { return Attribute{std::string(kName), toString()}; }

  bool operator==(const Crypto&) const = default;
};

}  // namespace callgate::sdp
