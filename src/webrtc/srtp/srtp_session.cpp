// Per-packet crypto on OpenSSL (ADR 6): AES through EVP contexts keyed once per session (only the IV is set
// per packet), HMAC-SHA1 from inner and outer SHA-1 states precomputed from the key and copied per packet
// (a plain struct copy: no allocation, no provider lookup). The SHA1_* functions are deprecated in OpenSSL 3
// in favour of EVP, whose context copies allocate; the deprecation is silenced here on purpose.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "webrtc/srtp/srtp_session.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <vector>

namespace callgate::webrtc::srtp {
namespace {

constexpr size_t kRtpHeader = 12;
constexpr size_t kRtcpHeader = 8;  // header and sender SSRC: authenticated, never encrypted
constexpr size_t kSha1Tag80 = 10;
constexpr size_t kSha1Tag32 = 4;
constexpr size_t kGcmTag = 16;
constexpr size_t kRtcpIndexBytes = 4;
constexpr uint32_t kEFlag = 0x80000000u;
constexpr uint64_t kReplayWindow = 64;

core::Error drop(Drop reason, const char* what) {
  return core::makeError(what, static_cast<int>(reason));
}

uint16_t get16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
uint32_t get32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}
void put32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// RFC 3550 §5.1: the RTP header's length (fixed part, CSRCs, extension); 0 when malformed.
size_t rtpHeaderLength(const uint8_t* p, size_t length) {
  if (length < kRtpHeader || (p[0] >> 6) != 2) return 0;
  size_t header = kRtpHeader + 4u * (p[0] & 0x0F);
  if ((p[0] & 0x10) != 0) {
    if (length < header + 4) return 0;
    header += 4 + 4u * get16(p + header + 2);
  }
  return header <= length ? header : 0;
}

// RFC 3711 §4.3.1: the AES-CM PRF, key_id = label || r with r = 0 (key derivation rate 0).
bool deriveKey(const uint8_t masterKey[16], const uint8_t salt14[14], uint8_t label, uint8_t* out, size_t n) {
  uint8_t iv[16] = {};
  std::memcpy(iv, salt14, 14);
  iv[7] ^= label;
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return false;
  std::vector<uint8_t> zeros(n, 0);
  int produced = 0;
  const bool ok = EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, masterKey, iv) == 1 &&
                  EVP_EncryptUpdate(ctx, out, &produced, zeros.data(), static_cast<int>(n)) == 1 &&
                  static_cast<size_t>(produced) == n;
  EVP_CIPHER_CTX_free(ctx);
  return ok;
}

// HMAC-SHA1 (RFC 2104) with the key's inner and outer states computed once.
class HmacSha1 {
 public:
  void setKey(const uint8_t* key, size_t length) {
    uint8_t block[SHA_CBLOCK] = {};
    std::memcpy(block, key, std::min<size_t>(length, SHA_CBLOCK));
    uint8_t pad[SHA_CBLOCK];
    for (size_t i = 0; i < SHA_CBLOCK; ++i) pad[i] = block[i] ^ 0x36;
    SHA1_Init(&inner_);
    SHA1_Update(&inner_, pad, SHA_CBLOCK);
    for (size_t i = 0; i < SHA_CBLOCK; ++i) pad[i] = block[i] ^ 0x5c;
    SHA1_Init(&outer_);
    SHA1_Update(&outer_, pad, SHA_CBLOCK);
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
  }
  // The MAC of a || b.
  void mac(const uint8_t* a, size_t aLength, const uint8_t* b, size_t bLength,
           uint8_t out[SHA_DIGEST_LENGTH]) const {
    SHA_CTX ctx = inner_;
    SHA1_Update(&ctx, a, aLength);
    if (bLength > 0) SHA1_Update(&ctx, b, bLength);
    uint8_t digest[SHA_DIGEST_LENGTH];
    SHA1_Final(digest, &ctx);
    ctx = outer_;
    SHA1_Update(&ctx, digest, sizeof digest);
    SHA1_Final(out, &ctx);
  }

 private:
  SHA_CTX inner_{};
  SHA_CTX outer_{};
};

// One set of session keys (RTP or RTCP, RFC 3711 §4.3.2) with the contexts that use them.
struct Keys {
  uint8_t salt[14] = {};  // 14 bytes for AES-CM, the first 12 for GCM
  HmacSha1 hmac;
  EVP_CIPHER_CTX* cipher = nullptr;

  Keys() = default;
  Keys(const Keys&) = delete;
  Keys& operator=(const Keys&) = delete;
  ~Keys() { EVP_CIPHER_CTX_free(cipher); }
};

// What a receiver knows of one SSRC (RFC 3711 §3.2.3, Appendix A) and what a sender counts.
struct Stream {
  bool rtpStarted = false;
  uint32_t roc = 0;
  uint16_t highestSeq = 0;
  uint64_t highestIndex = 0;
  uint64_t window = 0;  // bit n: highestIndex - n was seen
  bool rtcpStarted = false;
  uint32_t rtcpIndex = 0;  // sender: the last index used; receiver: the highest seen
  uint64_t rtcpWindow = 0;
};

// RFC 3711 Appendix A: the rollover counter this sequence number most likely belongs to.
uint32_t estimateRoc(const Stream& s, uint16_t seq) {
  if (!s.rtpStarted) return 0;
  if (s.highestSeq < 32768) {
    return (seq > s.highestSeq && seq - s.highestSeq > 32768) ? s.roc - 1 : s.roc;
  }
  return (s.highestSeq - 32768 > seq) ? s.roc + 1 : s.roc;
}

// RFC 3711 §3.3.2: -1 too old, 0 replayed, 1 fresh.
int replayCheck(bool started, uint64_t highest, uint64_t window, uint64_t index) {
  if (!started || index > highest) return 1;
  const uint64_t delta = highest - index;
  if (delta >= kReplayWindow) return -1;
  return (window >> delta & 1) != 0 ? 0 : 1;
}

void replayAccept(uint64_t& highest, uint64_t& window, bool& started, uint64_t index) {
  if (!started) {
    started = true;
    highest = index;
    window = 1;
    return;
  }
  if (index > highest) {
    const uint64_t shift = index - highest;
    window = shift >= kReplayWindow ? 1 : (window << shift) | 1;
    highest = index;
  } else {
    window |= uint64_t{1} << (highest - index);
  }
}

}  // namespace

core::Result<std::vector<uint8_t>> deriveSessionKey(std::span<const uint8_t> masterKey,
                                                    std::span<const uint8_t> masterSalt, uint8_t label,
                                                    size_t length) {
  if (masterKey.size() != 16 || (masterSalt.size() != 14 && masterSalt.size() != 12)) {
    return core::makeError("the SRTP PRF needs a 16-byte master key and a 14- or 12-byte master salt");
  }
  uint8_t salt14[14] = {};
  std::memcpy(salt14, masterSalt.data(), masterSalt.size());
  std::vector<uint8_t> out(length);
  if (!deriveKey(masterKey.data(), salt14, label, out.data(), length))
    return core::makeError("AES-CTR failed");
  return out;
}

std::optional<Profile> profileFromId(uint16_t id) {
  switch (id) {
    case 0x0001:
      return Profile::kAes128CmSha1_80;
    case 0x0002:
      return Profile::kAes128CmSha1_32;
    case 0x0007:
      return Profile::kAeadAes128Gcm;
    default:
      return std::nullopt;
  }
}

uint16_t profileId(Profile profile) {
  switch (profile) {
    case Profile::kAes128CmSha1_80:
      return 0x0001;
    case Profile::kAes128CmSha1_32:
      return 0x0002;
    case Profile::kAeadAes128Gcm:
      return 0x0007;
  }
  return 0;
}

std::string_view profileName(Profile profile) {
  switch (profile) {
    case Profile::kAes128CmSha1_80:
      return "SRTP_AES128_CM_HMAC_SHA1_80";
    case Profile::kAes128CmSha1_32:
      return "SRTP_AES128_CM_HMAC_SHA1_32";
    case Profile::kAeadAes128Gcm:
      return "SRTP_AEAD_AES_128_GCM";
  }
  return "";
}

size_t masterKeyLength(Profile) {
  return 16;
}

size_t masterSaltLength(Profile profile) {
  return profile == Profile::kAeadAes128Gcm ? 12 : 14;
}

size_t rtpOverhead(Profile profile) {
  switch (profile) {
    case Profile::kAes128CmSha1_80:
      return kSha1Tag80;
    case Profile::kAes128CmSha1_32:
      return kSha1Tag32;
    case Profile::kAeadAes128Gcm:
      return kGcmTag;
  }
  return 0;
}

size_t rtcpOverhead(Profile profile) {
  // RFC 3711 §5.2: SRTCP keeps the 80-bit tag for the _32 profile too; RFC 7714 §9: GCM's 16-byte tag.
  return kRtcpIndexBytes + (profile == Profile::kAeadAes128Gcm ? kGcmTag : kSha1Tag80);
}

struct Session::Impl {
  Profile profile;
  Direction direction;
  size_t maxStreams;
  bool gcm;
  size_t rtpTag;
  Keys rtp;
  Keys rtcp;
  std::unordered_map<uint32_t, Stream> streams;
  SessionStats stats;

  Stream* stream(uint32_t ssrc, bool create) {
    auto it = streams.find(ssrc);
    if (it != streams.end()) return &it->second;
    if (!create || streams.size() >= maxStreams) return nullptr;
    return &streams.emplace(ssrc, Stream{}).first->second;
  }

  // AES-CM: counter mode over [data, data+n) with the IV of RFC 3711 §4.1.1.
  bool ctr(Keys& keys, uint32_t ssrc, uint64_t index, uint8_t* data, size_t n) {
    uint8_t iv[16] = {};
    std::memcpy(iv, keys.salt, 14);
    for (int i = 0; i < 4; ++i) iv[4 + i] ^= static_cast<uint8_t>(ssrc >> (24 - 8 * i));
    for (int i = 0; i < 6; ++i) iv[8 + i] ^= static_cast<uint8_t>(index >> (40 - 8 * i));
    int out = 0;
    return EVP_EncryptInit_ex(keys.cipher, nullptr, nullptr, nullptr, iv) == 1 &&
           (n == 0 || EVP_EncryptUpdate(keys.cipher, data, &out, data, static_cast<int>(n)) == 1);
  }

  // AEAD_AES_128_GCM (RFC 7714 §8.1, §9.1): seal or open [data, data+n) with `aad`; the tag at `tag`.
  bool gcmRun(Keys& keys, const uint8_t iv[12], const uint8_t* aad, size_t aadLength, uint8_t* data, size_t n,
              uint8_t* tag, bool seal) {
    EVP_CIPHER_CTX* c = keys.cipher;
    int out = 0;
    if (seal) {
      if (EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, iv) != 1 ||
          EVP_EncryptUpdate(c, nullptr, &out, aad, static_cast<int>(aadLength)) != 1 ||
          (n > 0 && EVP_EncryptUpdate(c, data, &out, data, static_cast<int>(n)) != 1) ||
          EVP_EncryptFinal_ex(c, data + n, &out) != 1) {
        return false;
      }
      return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTag), tag) == 1;
    }
    return EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, iv) == 1 &&
           EVP_DecryptUpdate(c, nullptr, &out, aad, static_cast<int>(aadLength)) == 1 &&
           (n == 0 || EVP_DecryptUpdate(c, data, &out, data, static_cast<int>(n)) == 1) &&
           EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTag), tag) == 1 &&
           EVP_DecryptFinal_ex(c, data + n, &out) == 1;
  }

  static void gcmIv(const Keys& keys, uint32_t ssrc, uint32_t high, uint32_t low, uint8_t iv[12]) {
    // RFC 7714 §8.1: 00 00 | SSRC | ROC | SEQ, or §9.1: 00 00 | SSRC | 00 00 | 0 | SRTCP index (as `high` 0,
    // `low` the index), XORed with the salt.
    uint8_t block[12] = {};
    put32(block + 2, ssrc);
    put32(block + 6, high);
    block[10] = static_cast<uint8_t>(low >> 8);
    block[11] = static_cast<uint8_t>(low);
    for (int i = 0; i < 12; ++i) iv[i] = block[i] ^ keys.salt[i];
  }
};

core::Result<std::unique_ptr<Session>> Session::create(Profile profile, std::span<const uint8_t> masterKey,
                                                       std::span<const uint8_t> masterSalt,
                                                       Direction direction, size_t maxStreams) {
  if (masterKey.size() != masterKeyLength(profile) || masterSalt.size() != masterSaltLength(profile)) {
    return core::makeError(std::string(profileName(profile)) + " needs a " +
                           std::to_string(masterKeyLength(profile)) + "-byte master key and a " +
                           std::to_string(masterSaltLength(profile)) + "-byte master salt");
  }
  auto impl = std::make_unique<Impl>();
  impl->profile = profile;
  impl->direction = direction;
  impl->maxStreams = std::max<size_t>(1, maxStreams);
  impl->gcm = profile == Profile::kAeadAes128Gcm;
  impl->rtpTag = rtpOverhead(profile);
  // RFC 7714 §11: the 96-bit GCM master salt goes through the same PRF, padded with zeros to 112 bits.
  uint8_t salt14[14] = {};
  std::memcpy(salt14, masterSalt.data(), masterSalt.size());
  const size_t saltBytes = impl->gcm ? 12 : 14;
  for (int set = 0; set < 2; ++set) {
    Keys& keys = set == 0 ? impl->rtp : impl->rtcp;
    const uint8_t base = set == 0 ? 0 : 3;  // RFC 3711 §4.3.2 labels: 0-2 SRTP, 3-5 SRTCP
    uint8_t encKey[16];
    uint8_t authKey[20];
    if (!deriveKey(masterKey.data(), salt14, base, encKey, sizeof encKey) ||
        !deriveKey(masterKey.data(), salt14, static_cast<uint8_t>(base + 2), keys.salt, saltBytes) ||
        (!impl->gcm &&
         !deriveKey(masterKey.data(), salt14, static_cast<uint8_t>(base + 1), authKey, sizeof authKey))) {
      return core::makeError("SRTP key derivation failed (OpenSSL AES-CTR)");
    }
    keys.cipher = EVP_CIPHER_CTX_new();
    const EVP_CIPHER* cipher = impl->gcm ? EVP_aes_128_gcm() : EVP_aes_128_ctr();
    if (keys.cipher == nullptr || EVP_EncryptInit_ex(keys.cipher, cipher, nullptr, encKey, nullptr) != 1) {
      return core::makeError("SRTP cipher set-up failed (OpenSSL)");
    }
    if (!impl->gcm) keys.hmac.setKey(authKey, sizeof authKey);
    OPENSSL_cleanse(encKey, sizeof encKey);
    OPENSSL_cleanse(authKey, sizeof authKey);
  }
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

Profile Session::profile() const {
  return impl_->profile;
}

const SessionStats& Session::stats() const {
  return impl_->stats;
}

core::Result<size_t> Session::protectRtp(std::span<uint8_t> packet, size_t length) {
  Impl& s = *impl_;
  uint8_t* p = packet.data();
  const size_t header = length <= packet.size() ? rtpHeaderLength(p, length) : 0;
  if (header == 0) return drop(Drop::kMalformed, "not an RTP packet");
  if (packet.size() < length + s.rtpTag) return drop(Drop::kNoRoom, "no room for the SRTP tag");
  const uint32_t ssrc = get32(p + 8);
  const uint16_t seq = get16(p + 2);
  Stream* stream = s.stream(ssrc, true);
  if (stream == nullptr) return drop(Drop::kTooManyStreams, "too many SSRCs in this SRTP session");
  // The sender's own rollover counter (RFC 3711 §3.3.1): it goes up when the sequence number wraps.
  const uint32_t roc = estimateRoc(*stream, seq);
  const uint64_t index = (uint64_t{roc} << 16) | seq;
  if (!stream->rtpStarted || index > stream->highestIndex) {
    stream->rtpStarted = true;
    stream->roc = roc;
    stream->highestSeq = seq;
    stream->highestIndex = index;
  }
  if (s.gcm) {
    uint8_t iv[12];
    Impl::gcmIv(s.rtp, ssrc, roc, seq, iv);
    if (!s.gcmRun(s.rtp, iv, p, header, p + header, length - header, p + length, true)) {
      return drop(Drop::kMalformed, "AES-GCM failed");
    }
    ++s.stats.protectedPackets;
    return length + kGcmTag;
  }
  if (!s.ctr(s.rtp, ssrc, index, p + header, length - header)) return drop(Drop::kMalformed, "AES-CM failed");
  uint8_t rocBytes[4];
  put32(rocBytes, roc);
  uint8_t mac[SHA_DIGEST_LENGTH];
  s.rtp.hmac.mac(p, length, rocBytes, sizeof rocBytes, mac);
  std::memcpy(p + length, mac, s.rtpTag);
  ++s.stats.protectedPackets;
  return length + s.rtpTag;
}

core::Result<size_t> Session::unprotectRtp(std::span<uint8_t> packet, size_t length) {
  Impl& s = *impl_;
  uint8_t* p = packet.data();
  if (length > packet.size() || length < kRtpHeader + s.rtpTag) {
    ++s.stats.malformed;
    return drop(Drop::kMalformed, "too short for SRTP");
  }
  const size_t body = length - s.rtpTag;
  const size_t header = rtpHeaderLength(p, body);
  if (header == 0) {
    ++s.stats.malformed;
    return drop(Drop::kMalformed, "not an SRTP packet");
  }
  const uint32_t ssrc = get32(p + 8);
  const uint16_t seq = get16(p + 2);
  Stream* known = s.stream(ssrc, false);
  Stream fresh;
  Stream& stream = known != nullptr ? *known : fresh;
  const uint32_t roc = estimateRoc(stream, seq);
  const uint64_t index = (uint64_t{roc} << 16) | seq;
  const int replay = replayCheck(stream.rtpStarted, stream.highestIndex, stream.window, index);
  if (replay <= 0) {
    ++s.stats.replays;
    return replay < 0 ? drop(Drop::kTooOld, "SRTP index left of the replay window")
                      : drop(Drop::kReplayed, "SRTP packet replayed");
  }
  if (s.gcm) {
    uint8_t iv[12];
    Impl::gcmIv(s.rtp, ssrc, roc, seq, iv);
    if (!s.gcmRun(s.rtp, iv, p, header, p + header, body - header, p + body, false)) {
      ++s.stats.authFailures;
      return drop(Drop::kAuthFailed, "SRTP GCM tag does not verify");
    }
  } else {
    uint8_t rocBytes[4];
    put32(rocBytes, roc);
    uint8_t mac[SHA_DIGEST_LENGTH];
    s.rtp.hmac.mac(p, body, rocBytes, sizeof rocBytes, mac);
    if (CRYPTO_memcmp(mac, p + body, s.rtpTag) != 0) {
      ++s.stats.authFailures;
      return drop(Drop::kAuthFailed, "SRTP tag does not verify");
    }
    if (!s.ctr(s.rtp, ssrc, index, p + header, body - header)) return drop(Drop::kMalformed, "AES-CM failed");
  }
  Stream* target = known;
  if (target == nullptr) {
    target = s.stream(ssrc, true);
    if (target == nullptr) return drop(Drop::kTooManyStreams, "too many SSRCs in this SRTP session");
  }
  // RFC 3711 Appendix A: the counter and the highest sequence number move only on an authenticated packet.
  bool started = target->rtpStarted;
  if (!started || index > target->highestIndex) {
    target->roc = roc;
    target->highestSeq = seq;
  }
  replayAccept(target->highestIndex, target->window, started, index);
  target->rtpStarted = true;
  ++s.stats.unprotectedPackets;
  return body;
}

core::Result<size_t> Session::protectRtcp(std::span<uint8_t> packet, size_t length) {
  Impl& s = *impl_;
  uint8_t* p = packet.data();
  if (length > packet.size() || length < kRtcpHeader || (p[0] >> 6) != 2) {
    return drop(Drop::kMalformed, "not an RTCP packet");
  }
  if (packet.size() < length + rtcpOverhead(s.profile))
    return drop(Drop::kNoRoom, "no room for the SRTCP trailer");
  const uint32_t ssrc = get32(p + 4);
  Stream* stream = s.stream(ssrc, true);
  if (stream == nullptr) return drop(Drop::kTooManyStreams, "too many SSRCs in this SRTP session");
  // RFC 3711 §3.4: a 31-bit index per packet sent, starting at 0.
  const uint32_t index = stream->rtcpStarted ? (stream->rtcpIndex + 1) & 0x7FFFFFFFu : 0;
  stream->rtcpStarted = true;
  stream->rtcpIndex = index;
  const uint32_t eIndex = kEFlag | index;
  if (s.gcm) {
    uint8_t iv[12];
    Impl::gcmIv(s.rtcp, ssrc, 0, 0, iv);
    // §9.1: the index goes in the IV's last 32 bits (after 00 00 | SSRC | 00 00 and a zero bit).
    uint8_t indexBytes[4];
    put32(indexBytes, index);
    for (int i = 0; i < 4; ++i) iv[8 + i] = static_cast<uint8_t>(indexBytes[i] ^ s.rtcp.salt[8 + i]);
    // AAD: the first 8 octets and E | index (§9.2); the trailer follows the tag (§9.1).
    uint8_t aad[kRtcpHeader + 4];
    std::memcpy(aad, p, kRtcpHeader);
    put32(aad + kRtcpHeader, eIndex);
    if (!s.gcmRun(s.rtcp, iv, aad, sizeof aad, p + kRtcpHeader, length - kRtcpHeader, p + length, true)) {
      return drop(Drop::kMalformed, "AES-GCM failed");
    }
    put32(p + length + kGcmTag, eIndex);
    ++s.stats.protectedPackets;
    return length + kGcmTag + kRtcpIndexBytes;
  }
  if (!s.ctr(s.rtcp, ssrc, index, p + kRtcpHeader, length - kRtcpHeader))
    return drop(Drop::kMalformed, "AES-CM failed");
  put32(p + length, eIndex);
  uint8_t mac[SHA_DIGEST_LENGTH];
  s.rtcp.hmac.mac(p, length + kRtcpIndexBytes, nullptr, 0, mac);
  std::memcpy(p + length + kRtcpIndexBytes, mac, kSha1Tag80);
  ++s.stats.protectedPackets;
  return length + kRtcpIndexBytes + kSha1Tag80;
}

core::Result<size_t> Session::unprotectRtcp(std::span<uint8_t> packet, size_t length) {
  Impl& s = *impl_;
  uint8_t* p = packet.data();
  const size_t overhead = rtcpOverhead(s.profile);
  if (length > packet.size() || length < kRtcpHeader + overhead || (p[0] >> 6) != 2) {
    ++s.stats.malformed;
    return drop(Drop::kMalformed, "not an SRTCP packet");
  }
  const size_t body = length - overhead;
  const uint32_t ssrc = get32(p + 4);
  const uint32_t eIndex = s.gcm ? get32(p + length - kRtcpIndexBytes) : get32(p + body);
  const uint32_t index = eIndex & 0x7FFFFFFFu;
  Stream* known = s.stream(ssrc, false);
  const bool started = known != nullptr && known->rtcpStarted;
  const int replay =
      replayCheck(started, started ? known->rtcpIndex : 0, started ? known->rtcpWindow : 0, index);
  if (replay <= 0) {
    ++s.stats.replays;
    return replay < 0 ? drop(Drop::kTooOld, "SRTCP index left of the replay window")
                      : drop(Drop::kReplayed, "SRTCP packet replayed");
  }
  const bool encrypted = (eIndex & kEFlag) != 0;
  if (s.gcm) {
    uint8_t iv[12];
    Impl::gcmIv(s.rtcp, ssrc, 0, 0, iv);
    uint8_t indexBytes[4];
    put32(indexBytes, index);
    for (int i = 0; i < 4; ++i) iv[8 + i] = static_cast<uint8_t>(indexBytes[i] ^ s.rtcp.salt[8 + i]);
    uint8_t aad[kRtcpHeader + 4];
    std::memcpy(aad, p, kRtcpHeader);
    put32(aad + kRtcpHeader, eIndex);
    // RFC 7714 §9.2: with E clear the whole packet is AAD; callgate's peers always encrypt, so refuse it.
    if (!encrypted ||
        !s.gcmRun(s.rtcp, iv, aad, sizeof aad, p + kRtcpHeader, body - kRtcpHeader, p + body, false)) {
      ++s.stats.authFailures;
      return drop(Drop::kAuthFailed, "SRTCP GCM tag does not verify");
    }
  } else {
    uint8_t mac[SHA_DIGEST_LENGTH];
    s.rtcp.hmac.mac(p, body + kRtcpIndexBytes, nullptr, 0, mac);
    if (CRYPTO_memcmp(mac, p + body + kRtcpIndexBytes, kSha1Tag80) != 0) {
      ++s.stats.authFailures;
      return drop(Drop::kAuthFailed, "SRTCP tag does not verify");
    }
    if (encrypted && !s.ctr(s.rtcp, ssrc, index, p + kRtcpHeader, body - kRtcpHeader)) {
      return drop(Drop::kMalformed, "AES-CM failed");
    }
  }
  Stream* target = known != nullptr ? known : s.stream(ssrc, true);
  if (target == nullptr) return drop(Drop::kTooManyStreams, "too many SSRCs in this SRTP session");
  uint64_t highest = target->rtcpIndex;
  bool rtcpStarted = target->rtcpStarted;
  replayAccept(highest, target->rtcpWindow, rtcpStarted, index);
  target->rtcpIndex = static_cast<uint32_t>(highest);
  target->rtcpStarted = true;
  ++s.stats.unprotectedPackets;
  return body;
}

}  // namespace callgate::webrtc::srtp
