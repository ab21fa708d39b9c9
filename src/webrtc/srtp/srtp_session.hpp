// SRTP and SRTCP for one direction of one DTLS-SRTP association (RFC 3711, AEAD per RFC 7714), in place on
// the caller's buffer, no allocation per packet. The three protection profiles WebRTC negotiates (RFC 5764
// §4.1.2, RFC 7714 §14.2):
//
//   SRTP_AES128_CM_HMAC_SHA1_80  0x0001   AES-128 counter mode, HMAC-SHA1 tag of 80 bits (SRTCP: 80)
//   SRTP_AES128_CM_HMAC_SHA1_32  0x0002   the same with a 32-bit SRTP tag (SRTCP keeps 80, RFC 3711 §5.2)
//   SRTP_AEAD_AES_128_GCM        0x0007   AES-128-GCM, 128-bit tag, 96-bit salt
//
//   SRTP packet:  | RTP header (authenticated) | payload (encrypted) | tag |
//   SRTCP packet: | first 8 octets (auth) | rest (encrypted) | E + 31-bit index | tag |   (AES-CM)
//                 | first 8 octets (AAD) | rest (encrypted) | tag | E + 31-bit index |   (GCM, RFC 7714 §9)
//
// A receiving session keeps, per SSRC, the rollover counter (RFC 3711 §3.3.1, Appendix A) and a 64-packet
// replay window (§3.3.2); SRTCP has its own window on the SRTCP index. Streams are created on the first
// packet that authenticates, up to a bound. Sans-I/O and single-threaded: one session per media thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace callgate::webrtc::srtp {

enum class Profile : uint8_t { kAes128CmSha1_80, kAes128CmSha1_32, kAeadAes128Gcm };

// RFC 5764 §4.1.2 / RFC 7714 §14.2 identifiers (the DTLS use_srtp extension's values).
std::optional<Profile> profileFromId(uint16_t id);
uint16_t profileId(Profile profile);
std::string_view profileName(Profile profile);  // "SRTP_AES128_CM_HMAC_SHA1_80", ...
size_t masterKeyLength(Profile profile);        // 16
size_t masterSaltLength(Profile profile);       // 14, or 12 for GCM
// Bytes protect adds to an RTP or RTCP packet: the buffer must have that much room past the packet.
size_t rtpOverhead(Profile profile);
size_t rtcpOverhead(Profile profile);

// RFC 3711 §4.3.1: the AES-CM PRF with key derivation rate 0: `length` bytes of the session key `label`
// (0-2 SRTP encryption, authentication, salt; 3-5 the same for SRTCP). A 12-byte (GCM) master salt is padded
// with zeros to 112 bits (RFC 7714 §11).
core::Result<std::vector<uint8_t>> deriveSessionKey(std::span<const uint8_t> masterKey,
                                                    std::span<const uint8_t> masterSalt, uint8_t label,
                                                    size_t length);

// Why a packet was refused (core::Error::code).
enum class Drop : int {
  kMalformed = 1,   // too short, not version 2, header longer than the packet
  kNoRoom,          // protect: the buffer cannot take the tag
  kAuthFailed,      // the tag (or GCM's) does not verify
  kReplayed,        // index already seen
  kTooOld,          // index left of the replay window
  kTooManyStreams,  // more SSRCs than the session keeps
};

struct SessionStats {
  uint64_t protectedPackets = 0;
  uint64_t unprotectedPackets = 0;
  uint64_t authFailures = 0;
  uint64_t replays = 0;
  uint64_t malformed = 0;
};

class Session {
 public:
  enum class Direction : uint8_t { kSend, kReceive };

  // Derives the session keys (RFC 3711 §4.3 with a key derivation rate of 0). The key and salt lengths must
  // be masterKeyLength/masterSaltLength of the profile.
  static core::Result<std::unique_ptr<Session>> create(Profile profile, std::span<const uint8_t> masterKey,
                                                       std::span<const uint8_t> masterSalt,
                                                       Direction direction, size_t maxStreams = 64);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // In place: `packet` holds `length` bytes of RTP (RTCP) and room for the overhead after them. Returns the
  // new length.
  core::Result<size_t> protectRtp(std::span<uint8_t> packet, size_t length);
  core::Result<size_t> unprotectRtp(std::span<uint8_t> packet, size_t length);
  core::Result<size_t> protectRtcp(std::span<uint8_t> packet, size_t length);
  core::Result<size_t> unprotectRtcp(std::span<uint8_t> packet, size_t length);

  Profile profile() const;
  const SessionStats& stats() const;

 private:
  struct Impl;
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace callgate::webrtc::srtp
