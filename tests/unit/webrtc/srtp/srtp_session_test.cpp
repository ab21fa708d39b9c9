// SRTP/SRTCP held to RFC 3711 Appendix B's key derivation vectors and, packet by packet in both directions,
// to libsrtp2 (the reference implementation) for each of the three profiles.
#include "webrtc/srtp/srtp_session.hpp"

#include <gtest/gtest.h>
#include <srtp2/srtp.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace callgate::webrtc::srtp {
namespace {

std::vector<uint8_t> hex(std::string_view text) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

TEST(SrtpKdf, Rfc3711AppendixB3) {
  const auto key = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
  const auto salt = hex("0EC675AD498AFEEBB6960B3AABE6");
  EXPECT_EQ(*deriveSessionKey(key, salt, 0x00, 16), hex("C61E7A93744F39EE10734AFE3FF7A087"));
  EXPECT_EQ(*deriveSessionKey(key, salt, 0x02, 14), hex("30CBBC08863D8C85D49DB34A9AE1"));
  EXPECT_EQ(*deriveSessionKey(key, salt, 0x01, 20), hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
  EXPECT_FALSE(deriveSessionKey(key, hex("0011"), 0, 16));
}

TEST(SrtpProfiles, IdsAndSizes) {
  EXPECT_EQ(profileFromId(0x0001), Profile::kAes128CmSha1_80);
  EXPECT_EQ(profileFromId(0x0002), Profile::kAes128CmSha1_32);
  EXPECT_EQ(profileFromId(0x0007), Profile::kAeadAes128Gcm);
  EXPECT_FALSE(profileFromId(0x0008));
  EXPECT_EQ(rtpOverhead(Profile::kAes128CmSha1_32), 4u);
  EXPECT_EQ(rtcpOverhead(Profile::kAes128CmSha1_32), 14u);  // RFC 3711 §5.2: SRTCP keeps 80 bits
  EXPECT_EQ(rtcpOverhead(Profile::kAeadAes128Gcm), 20u);
  EXPECT_EQ(masterSaltLength(Profile::kAeadAes128Gcm), 12u);
}

// An RTP packet: version 2, optional CSRCs and a one-byte header extension, G.711-sized payload.
std::vector<uint8_t> rtpPacket(uint16_t seq, uint32_t ssrc, size_t payload, bool extras, size_t room) {
  std::vector<uint8_t> p = {0x80,
                            0x00,
                            static_cast<uint8_t>(seq >> 8),
                            static_cast<uint8_t>(seq),
                            0,
                            0,
                            0x12,
                            0x34,
                            static_cast<uint8_t>(ssrc >> 24),
                            static_cast<uint8_t>(ssrc >> 16),
                            static_cast<uint8_t>(ssrc >> 8),
                            static_cast<uint8_t>(ssrc)};
  if (extras) {
    p[0] = 0x91;  // X, one CSRC
    p.insert(p.end(), {0xCA, 0xFE, 0xBA, 0xBE});
    p.insert(p.end(), {0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0x00, 0x00});  // RFC 8285 one-byte element
  }
  for (size_t i = 0; i < payload; ++i) p.push_back(static_cast<uint8_t>(i * 7 + seq));
  p.resize(p.size() + room);
  return p;
}

// An RTCP receiver report with one report block.
std::vector<uint8_t> rtcpPacket(uint32_t ssrc, size_t room) {
  std::vector<uint8_t> p = {0x81,
                            201,
                            0x00,
                            0x07,
                            static_cast<uint8_t>(ssrc >> 24),
                            static_cast<uint8_t>(ssrc >> 16),
                            static_cast<uint8_t>(ssrc >> 8),
                            static_cast<uint8_t>(ssrc)};
  for (int i = 0; i < 24; ++i) p.push_back(static_cast<uint8_t>(0x40 + i));
  p.resize(p.size() + room);
  return p;
}

class LibSrtp {
 public:
  LibSrtp(Profile profile, const std::vector<uint8_t>& keyAndSalt, bool inbound) {
    static const bool initialized = srtp_init() == srtp_err_status_ok;
    EXPECT_TRUE(initialized);
    srtp_policy_t policy;
    std::memset(&policy, 0, sizeof policy);
    switch (profile) {
      case Profile::kAes128CmSha1_80:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        break;
      case Profile::kAes128CmSha1_32:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
        break;
      case Profile::kAeadAes128Gcm:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
        break;
    }
    key_ = keyAndSalt;
    policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    policy.key = key_.data();
    policy.window_size = 128;
    EXPECT_EQ(srtp_create(&session_, &policy), srtp_err_status_ok);
  }
  ~LibSrtp() { srtp_dealloc(session_); }
  srtp_t get() { return session_; }

 private:
  std::vector<uint8_t> key_;
  srtp_t session_ = nullptr;
};

class SrtpVsLibsrtp : public ::testing::TestWithParam<Profile> {
 protected:
  SrtpVsLibsrtp() {
    std::mt19937 rng(static_cast<uint32_t>(GetParam()) + 11);
    for (size_t i = 0; i < masterKeyLength(GetParam()); ++i) key_.push_back(static_cast<uint8_t>(rng()));
    for (size_t i = 0; i < masterSaltLength(GetParam()); ++i) salt_.push_back(static_cast<uint8_t>(rng()));
    keyAndSalt_ = key_;
    keyAndSalt_.insert(keyAndSalt_.end(), salt_.begin(), salt_.end());
  }
  std::unique_ptr<Session> ours(Session::Direction direction) {
    auto session = Session::create(GetParam(), key_, salt_, direction);
    EXPECT_TRUE(session) << session.error().message;
    return session ? std::move(*session) : nullptr;
  }
  std::vector<uint8_t> key_, salt_, keyAndSalt_;
};

TEST_P(SrtpVsLibsrtp, OurRtpOpensInLibsrtpAndTheirsInOurs) {
  auto sender = ours(Session::Direction::kSend);
  auto receiver = ours(Session::Direction::kReceive);
  LibSrtp theirIn(GetParam(), keyAndSalt_, true);
  LibSrtp theirOut(GetParam(), keyAndSalt_, false);
  // Across a sequence number wrap: the rollover counter must agree on both sides (RFC 3711 §3.3.1).
  for (uint32_t i = 0; i < 40; ++i) {
    const uint16_t seq = static_cast<uint16_t>(65515 + i);
    const bool extras = i % 3 == 0;
    const std::vector<uint8_t> plain = rtpPacket(seq, 0x11223344, 160, extras, 0);
    std::vector<uint8_t> buffer = rtpPacket(seq, 0x11223344, 160, extras, 32);
    auto sealed = sender->protectRtp(buffer, plain.size());
    ASSERT_TRUE(sealed) << sealed.error().message;
    EXPECT_EQ(*sealed, plain.size() + rtpOverhead(GetParam()));
    int length = static_cast<int>(*sealed);
    ASSERT_EQ(srtp_unprotect(theirIn.get(), buffer.data(), &length), srtp_err_status_ok) << "seq " << seq;
    EXPECT_EQ(std::vector<uint8_t>(buffer.begin(), buffer.begin() + length), plain);

    std::vector<uint8_t> theirs = rtpPacket(seq, 0x55667788, 160, extras, 32);
    int theirLength = static_cast<int>(plain.size());
    ASSERT_EQ(srtp_protect(theirOut.get(), theirs.data(), &theirLength), srtp_err_status_ok);
    auto opened = receiver->unprotectRtp(theirs, static_cast<size_t>(theirLength));
    ASSERT_TRUE(opened) << "seq " << seq << ": " << opened.error().message;
    std::vector<uint8_t> expected = rtpPacket(seq, 0x55667788, 160, extras, 0);
    EXPECT_EQ(std::vector<uint8_t>(theirs.begin(), theirs.begin() + static_cast<long>(*opened)), expected);
  }
  EXPECT_EQ(receiver->stats().unprotectedPackets, 40u);
}

TEST_P(SrtpVsLibsrtp, OurRtcpOpensInLibsrtpAndTheirsInOurs) {
  auto sender = ours(Session::Direction::kSend);
  auto receiver = ours(Session::Direction::kReceive);
  LibSrtp theirIn(GetParam(), keyAndSalt_, true);
  LibSrtp theirOut(GetParam(), keyAndSalt_, false);
  for (int i = 0; i < 5; ++i) {
    const std::vector<uint8_t> plain = rtcpPacket(0x11223344, 0);
    std::vector<uint8_t> buffer = rtcpPacket(0x11223344, 32);
    auto sealed = sender->protectRtcp(buffer, plain.size());
    ASSERT_TRUE(sealed) << sealed.error().message;
    int length = static_cast<int>(*sealed);
    ASSERT_EQ(srtp_unprotect_rtcp(theirIn.get(), buffer.data(), &length), srtp_err_status_ok) << i;
    EXPECT_EQ(std::vector<uint8_t>(buffer.begin(), buffer.begin() + length), plain);

    std::vector<uint8_t> theirs = rtcpPacket(0x55667788, 32);
    int theirLength = static_cast<int>(plain.size());
    ASSERT_EQ(srtp_protect_rtcp(theirOut.get(), theirs.data(), &theirLength), srtp_err_status_ok);
    auto opened = receiver->unprotectRtcp(theirs, static_cast<size_t>(theirLength));
    ASSERT_TRUE(opened) << opened.error().message;
    EXPECT_EQ(std::vector<uint8_t>(theirs.begin(), theirs.begin() + static_cast<long>(*opened)),
              rtcpPacket(0x55667788, 0));
  }
}

TEST_P(SrtpVsLibsrtp, ReplayTamperAndMalformed) {
  auto sender = ours(Session::Direction::kSend);
  auto receiver = ours(Session::Direction::kReceive);
  std::vector<std::vector<uint8_t>> sealed;
  for (uint16_t seq = 1000; seq < 1100; ++seq) {
    std::vector<uint8_t> buffer = rtpPacket(seq, 7, 160, false, 32);
    auto n = sender->protectRtp(buffer, 172);
    ASSERT_TRUE(n);
    buffer.resize(*n);
    sealed.push_back(buffer);
  }
  std::vector<uint8_t> copy = sealed[99];
  ASSERT_TRUE(receiver->unprotectRtp(copy, copy.size()));
  copy = sealed[99];
  auto replayed = receiver->unprotectRtp(copy, copy.size());
  ASSERT_FALSE(replayed);
  EXPECT_EQ(replayed.error().code, static_cast<int>(Drop::kReplayed));
  copy = sealed[10];  // 89 behind the highest: outside the 64-packet window
  auto old = receiver->unprotectRtp(copy, copy.size());
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().code, static_cast<int>(Drop::kTooOld));
  copy = sealed[60];  // inside the window, not seen yet: accepted once
  EXPECT_TRUE(receiver->unprotectRtp(copy, copy.size()));
  copy = sealed[61];
  copy[40] ^= 0x01;  // one payload bit
  auto tampered = receiver->unprotectRtp(copy, copy.size());
  ASSERT_FALSE(tampered);
  EXPECT_EQ(tampered.error().code, static_cast<int>(Drop::kAuthFailed));
  copy = sealed[61];  // the genuine one still passes: a failed packet changes no state
  EXPECT_TRUE(receiver->unprotectRtp(copy, copy.size()));
  EXPECT_EQ(receiver->stats().authFailures, 1u);
  EXPECT_EQ(receiver->stats().replays, 2u);

  std::vector<uint8_t> tiny(8, 0x80);
  EXPECT_EQ(receiver->unprotectRtp(tiny, tiny.size()).error().code, static_cast<int>(Drop::kMalformed));
  std::vector<uint8_t> badVersion = sealed[62];
  badVersion[0] = 0x40;
  EXPECT_EQ(receiver->unprotectRtp(badVersion, badVersion.size()).error().code,
            static_cast<int>(Drop::kMalformed));
  std::vector<uint8_t> ext = rtpPacket(5, 7, 0, false, 0);
  ext[0] = 0x90;  // X set, no room for the extension header
  EXPECT_EQ(receiver->unprotectRtp(ext, ext.size()).error().code, static_cast<int>(Drop::kMalformed));
  std::vector<uint8_t> full = rtpPacket(5, 7, 160, false, 0);
  EXPECT_EQ(sender->protectRtp(full, full.size()).error().code, static_cast<int>(Drop::kNoRoom));
  EXPECT_EQ(sender->protectRtp(full, full.size() + 1).error().code, static_cast<int>(Drop::kMalformed));

  std::vector<uint8_t> rtcp = rtcpPacket(9, 32);
  auto n = sender->protectRtcp(rtcp, 32);
  ASSERT_TRUE(n);
  std::vector<uint8_t> rtcpCopy = rtcp;
  ASSERT_TRUE(receiver->unprotectRtcp(rtcpCopy, *n));
  rtcpCopy = rtcp;
  EXPECT_EQ(receiver->unprotectRtcp(rtcpCopy, *n).error().code, static_cast<int>(Drop::kReplayed));
}

TEST(SrtpSession, RefusesWrongKeyLengths) {
  const std::vector<uint8_t> key(16, 1);
  EXPECT_FALSE(
      Session::create(Profile::kAeadAes128Gcm, key, std::vector<uint8_t>(14, 2), Session::Direction::kSend));
  EXPECT_FALSE(Session::create(Profile::kAes128CmSha1_80, std::vector<uint8_t>(15, 1),
                               std::vector<uint8_t>(14, 2), Session::Direction::kSend));
  EXPECT_TRUE(Session::create(Profile::kAes128CmSha1_80, key, std::vector<uint8_t>(14, 2),
                              Session::Direction::kSend));
}

INSTANTIATE_TEST_SUITE_P(Profiles, SrtpVsLibsrtp,
                         ::testing::Values(Profile::kAes128CmSha1_80, Profile::kAes128CmSha1_32,
                                           Profile::kAeadAes128Gcm),
                         [](const auto& param) { return std::string(profileName(param.param)).substr(5); });

}  // namespace
}  // namespace callgate::webrtc::srtp
