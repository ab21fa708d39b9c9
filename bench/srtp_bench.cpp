// The relay hot path of a call (ARCHITECTURE.md §4, issue 5): SRTP unprotect of a 160-byte G.711 packet from
// one leg, the RTP header rewrite (SSRC, sequence number, timestamp), SRTP protect toward the other leg, per
// profile. One packet per iteration; items_per_second is packets per second on one core.
#include <benchmark/benchmark.h>
#include <srtp2/srtp.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "webrtc/srtp/srtp_session.hpp"

namespace {

using callgate::webrtc::srtp::Profile;
using callgate::webrtc::srtp::Session;

std::unique_ptr<Session> session(Profile profile, uint8_t seed, Session::Direction direction) {
  std::vector<uint8_t> key(callgate::webrtc::srtp::masterKeyLength(profile), seed);
  std::vector<uint8_t> salt(callgate::webrtc::srtp::masterSaltLength(profile),
                            static_cast<uint8_t>(seed + 1));
  auto created = Session::create(profile, key, salt, direction);
  return created ? std::move(*created) : nullptr;
}

void put32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

using Packet = std::array<uint8_t, 12 + 160 + 16>;

// A plain G.711 RTP packet (12-byte header, 160-byte payload) with this sequence number, SSRC 0x1234.
void fillPacket(Packet& p, uint16_t seq) {
  p.fill(0x55);
  p[0] = 0x80;
  p[1] = 0;
  p[2] = static_cast<uint8_t>(seq >> 8);
  p[3] = static_cast<uint8_t>(seq);
  put32(p.data() + 4, static_cast<uint32_t>(seq) * 160);
  put32(p.data() + 8, 0x1234);
}

// The relay's header rewrite toward the other leg: its SSRC, sequence number and timestamp.
void rewrite(Packet& p, uint32_t outSeq) {
  p[2] = static_cast<uint8_t>(outSeq >> 8);
  p[3] = static_cast<uint8_t>(outSeq);
  put32(p.data() + 4, outSeq * 160);
  put32(p.data() + 8, 0xCAFE);
}

void BM_SrtpRelay(benchmark::State& state) {
  const auto profile = static_cast<Profile>(state.range(0));
  // The far end protects with leg A's keys; the gateway opens with A and seals with B.
  auto farEnd = session(profile, 1, Session::Direction::kSend);
  auto legA = session(profile, 1, Session::Direction::kReceive);
  auto legB = session(profile, 2, Session::Direction::kSend);
  const size_t overhead = callgate::webrtc::srtp::rtpOverhead(profile);
  // Enough packets ahead that each iteration opens a fresh one (no replay); regenerated when used up.
  constexpr size_t kBatch = 4096;
  std::vector<Packet> wire(kBatch);
  uint16_t seq = 0;
  size_t next = kBatch;
  size_t sealedLength = 0;
  uint32_t outSeq = 100;
  for (auto _ : state) {
    if (next == kBatch) {
      state.PauseTiming();
      for (auto& p : wire) {
        fillPacket(p, seq);
        sealedLength = *farEnd->protectRtp(p, 172);
        ++seq;
      }
      next = 0;
      state.ResumeTiming();
    }
    auto& p = wire[next++];
    auto opened = legA->unprotectRtp(p, sealedLength);
    rewrite(p, outSeq++);
    auto sealed = legB->protectRtp(p, *opened);
    benchmark::DoNotOptimize(sealed);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(callgate::webrtc::srtp::profileName(profile)) + " +" + std::to_string(overhead) +
                 " B");
}
BENCHMARK(BM_SrtpRelay)
    ->Arg(static_cast<int>(Profile::kAes128CmSha1_80))
    ->Arg(static_cast<int>(Profile::kAes128CmSha1_32))
    ->Arg(static_cast<int>(Profile::kAeadAes128Gcm));

// The same relay through libsrtp2 (Debian's, built against NSS): the comparison behind ADR 6.
srtp_t libsrtp(Profile profile, uint8_t seed, bool inbound, std::vector<uint8_t>& keyStore) {
  static const bool initialized = srtp_init() == srtp_err_status_ok;
  (void)initialized;
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof policy);
  if (profile == Profile::kAeadAes128Gcm) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
  } else {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
  }
  keyStore.assign(callgate::webrtc::srtp::masterKeyLength(profile), seed);
  keyStore.insert(keyStore.end(), callgate::webrtc::srtp::masterSaltLength(profile),
                  static_cast<uint8_t>(seed + 1));
  policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
  policy.key = keyStore.data();
  policy.window_size = 1024;
  srtp_t session = nullptr;
  srtp_create(&session, &policy);
  return session;
}

void BM_LibsrtpRelay(benchmark::State& state) {
  const auto profile = static_cast<Profile>(state.range(0));
  std::vector<uint8_t> k1, k2, k3;
  srtp_t farEnd = libsrtp(profile, 1, false, k1);
  srtp_t legA = libsrtp(profile, 1, true, k2);
  srtp_t legB = libsrtp(profile, 2, false, k3);
  constexpr size_t kBatch = 4096;
  std::vector<Packet> wire(kBatch);
  uint16_t seq = 0;
  size_t next = kBatch;
  int sealedLength = 0;
  uint32_t outSeq = 100;
  for (auto _ : state) {
    if (next == kBatch) {
      state.PauseTiming();
      for (auto& p : wire) {
        fillPacket(p, seq);
        sealedLength = 172;
        srtp_protect(farEnd, p.data(), &sealedLength);
        ++seq;
      }
      next = 0;
      state.ResumeTiming();
    }
    auto& p = wire[next++];
    int length = sealedLength;
    srtp_unprotect(legA, p.data(), &length);
    rewrite(p, outSeq++);
    srtp_protect(legB, p.data(), &length);
    benchmark::DoNotOptimize(length);
  }
  srtp_dealloc(farEnd);
  srtp_dealloc(legA);
  srtp_dealloc(legB);
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("libsrtp2 " + std::string(callgate::webrtc::srtp::profileName(profile)));
}
BENCHMARK(BM_LibsrtpRelay)
    ->Arg(static_cast<int>(Profile::kAes128CmSha1_80))
    ->Arg(static_cast<int>(Profile::kAeadAes128Gcm));

}  // namespace
