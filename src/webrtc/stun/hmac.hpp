// The HMACs of MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5) and MESSAGE-INTEGRITY-SHA256 (§14.6), through
// OpenSSL 3's EVP_MAC. The input comes in parts so a check can hash a patched copy of the header followed by
// the received bytes, without copying the message.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

#include "core/result.hpp"

namespace callgate::webrtc::stun {

enum class HmacAlgorithm : uint8_t { kSha1, kSha256 };

inline constexpr size_t kSha1Size = 20;
inline constexpr size_t kSha256Size = 32;

struct HmacDigest {
  std::array<uint8_t, kSha256Size> bytes{};
  size_t size = 0;  // 20 or 32

  std::span<const uint8_t> view() const { return {bytes.data(), size}; }
};

// HMAC of the concatenated parts. An empty key is refused: it authenticates nothing, and only a
// configuration mistake produces one (ICE passwords have at least 22 characters, RFC 8839 §5.4). Fails,
// code 500, when OpenSSL does.
core::Result<HmacDigest> computeHmac(HmacAlgorithm algorithm, std::string_view key,
                                     std::initializer_list<std::span<const uint8_t>> parts);

}  // namespace callgate::webrtc::stun
