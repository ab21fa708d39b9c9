// a=fingerprint:<hash-func> <fingerprint> (RFC 8122 §5), the certificate hash DTLS-SRTP checks (RFC 5763 §5).
//
//   a=fingerprint:sha-256 9E:0A:...:4C      (32 bytes, upper-case hex pairs separated by ':')
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "sdp/session_description.hpp"

namespace callgate::sdp {

struct Fingerprint {
  static constexpr std::string_view kName = "fingerprint";

  std::string hashFunction;  // "sha-256" ... as written; compare case-insensitively (RFC 8122 §5)
  std::string value;         // "9E:0A:..." as written

  // The hash bytes. Always succeeds on a parsed Fingerprint.
  std::vector<uint8_t> bytes() const;

  static core::Result<Fingerprint> parse(std::string_view value);
  std::string toString() const;
  Attribute toAttribute() const { return Attribute{std::string(kName), toString()}; }

  bool operator==(const Fingerprint&) const = default;
};

}  // namespace callgate::sdp
