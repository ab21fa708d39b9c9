// DTLS-SRTP between two DtlsTransports (and a bare OpenSSL peer) over an in-test link that drops, duplicates,
// reorders and delays datagrams, on a virtual clock that OpenSSL's DTLS timer shares (openssl_virtual_time):
// the handshake in both roles, the exported keys (mirrored, and working with srtp::Session), fingerprints,
// retransmission at the exact times of the schedule, the handshake timeout, garbage, close, lifetime.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/timer_queue.hpp"
#include "openssl_virtual_time.hpp"
#include "webrtc/dtls/dtls_certificate.hpp"
#include "webrtc/dtls/dtls_transport.hpp"
#include "webrtc/srtp/srtp_session.hpp"

namespace callgate::webrtc::dtls {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<uint8_t>;
using test::VirtualWallClock;

constexpr int kA = 0;
constexpr int kB = 1;

// RFC 6347 §4.1 / §4.2.2: the content type and, for a plaintext handshake record, the message type of a
// datagram's first record.
constexpr uint8_t kChangeCipherSpec = 20;
constexpr uint8_t kAlert = 21;
constexpr uint8_t kHandshake = 22;
constexpr uint8_t kApplicationData = 23;
constexpr uint8_t kClientHello = 1;
constexpr uint8_t kServerHello = 2;
constexpr uint8_t kCertificate = 11;

std::optional<uint8_t> firstHandshakeType(const Bytes& d) {
  // type, version(2), epoch(2) = 0 (plaintext), seq(6), length(2), then msg_type
  if (d.size() <= 13 || d[0] != kHandshake || d[3] != 0 || d[4] != 0) return std::nullopt;
  return d[13];
}

// A datagram link between two endpoints, delivered by the test loop on the virtual clock.
class Link {
 public:
  struct Sent {
    int from;
    core::TimePoint at;
    Bytes bytes;
    bool dropped;
  };

  Link(core::ManualClock& clock, core::TimerQueue& timers) : clock_(clock), timers_(timers) {}

  void attach(int side, std::function<void(const Bytes&)> receiver) {
    receivers_[side] = std::move(receiver);
  }
  void detach(int side) { receivers_[side] = nullptr; }

  // Called from the endpoints' send callbacks.
  void send(int from, std::span<const uint8_t> datagram) {
    Bytes bytes(datagram.begin(), datagram.end());
    const bool drop = dropIf && dropIf(from, bytes);
    log.push_back(Sent{from, clock_.now(), bytes, drop});
    if (drop) return;
    inFlight_.push_back(InFlight{clock_.now() + delay, from, bytes});
    if (duplicate) inFlight_.push_back(InFlight{clock_.now() + delay, from, bytes});
  }

  // Moves the clock forward, firing timers and delivering datagrams at their times, until `until` or until
  // `done` says so (checked between steps, so an endpoint can be destroyed in between).
  void runUntil(core::TimePoint until, const std::function<bool()>& done = {}) {
    for (;;) {
      if (done && done()) return;
      std::optional<core::TimePoint> next = timers_.nextDeadline();
      for (const auto& d : inFlight_) {
        if (!next || d.deliverAt < *next) next = d.deliverAt;
      }
      if (!next || *next > until) break;
      if (*next > clock_.now()) clock_.set(*next);
      timers_.fireDue();
      std::vector<InFlight> due;
      for (auto it = inFlight_.begin(); it != inFlight_.end();) {
        if (it->deliverAt <= clock_.now()) {
          due.push_back(std::move(*it));
          it = inFlight_.erase(it);
        } else {
          ++it;
        }
      }
      if (reorder) std::reverse(due.begin(), due.end());
      for (const auto& d : due) {
        if (const auto& receiver = receivers_[1 - d.from]) receiver(d.bytes);
      }
    }
    if (clock_.now() < until) clock_.set(until);
  }

  // What `from` sent (dropped or not) whose first record matches, as milliseconds of virtual time.
  std::vector<long> sendTimes(int from, const std::function<bool(const Bytes&)>& match) const {
    std::vector<long> out;
    for (const auto& s : log) {
      if (s.from == from && match(s.bytes)) {
        out.push_back(static_cast<long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(s.at.time_since_epoch()).count()));
      }
    }
    return out;
  }

  core::Duration delay = 5ms;
  bool duplicate = false;
  bool reorder = false;  // datagrams due at the same time arrive last-sent first
  std::function<bool(int from, const Bytes&)> dropIf;
  std::vector<Sent> log;

 private:
  struct InFlight {
    core::TimePoint deliverAt;
    int from;
    Bytes bytes;
  };
  core::ManualClock& clock_;
  core::TimerQueue& timers_;
  std::function<void(const Bytes&)> receivers_[2];
  std::vector<InFlight> inFlight_;
};

// A DtlsTransport and what its listener saw.
struct Endpoint {
  std::unique_ptr<DtlsTransport> transport;
  std::optional<SrtpKeyMaterial> keys;
  int connectedCount = 0;
  std::vector<std::pair<DtlsFailure, std::string>> failures;
  std::optional<core::TimePoint> failedAt;
  int closedCount = 0;
  std::function<void()> afterConnected;  // runs inside onConnected
};

class DtlsTransportTest : public ::testing::Test {
 protected:
  DtlsTransportTest() : timers_(clock_), link_(clock_, timers_) {
    auto a = DtlsCertificate::generate("callgate-a");
    auto b = DtlsCertificate::generate("callgate-b");
    EXPECT_TRUE(a.ok() && b.ok());
    certA_ = *a;
    certB_ = *b;
  }

  void make(int side, DtlsConfig config = {}) {
    Endpoint& e = ep_[side];
    e = Endpoint{};
    DtlsTransport::Listener listener{[this, side](std::span<const uint8_t> d) { link_.send(side, d); },
                                     [this, side](const SrtpKeyMaterial& keys) {
                                       ++ep_[side].connectedCount;
                                       ep_[side].keys = keys;
                                       if (ep_[side].afterConnected) ep_[side].afterConnected();
                                     },
                                     [this, side](DtlsFailure failure, const std::string& reason) {
                                       ep_[side].failures.emplace_back(failure, reason);
                                       ep_[side].failedAt = clock_.now();
                                     },
                                     [this, side] { ++ep_[side].closedCount; }};
    e.transport = std::make_unique<DtlsTransport>(timers_, side == kA ? certA_ : certB_, config, listener);
    link_.attach(side, [this, side](const Bytes& d) {
      if (ep_[side].transport) ep_[side].transport->receive(d);
    });
  }

  // Both endpoints, each with the other's real fingerprint.
  void makePair(DtlsConfig config = {}) {
    make(kA, config);
    make(kB, config);
    ASSERT_TRUE(ep_[kA].transport->setRemoteFingerprint("sha-256", certB_->fingerprint()).ok());
    ASSERT_TRUE(ep_[kB].transport->setRemoteFingerprint("sha-256", certA_->fingerprint()).ok());
  }

  void startPair(int client = kA) {
    // The server first, as the gateway does (a=setup:passive is ready before the peer's ClientHello).
    ep_[1 - client].transport->start(DtlsRole::kServer);
    ep_[client].transport->start(DtlsRole::kClient);
  }

  bool bothConnected() const { return ep_[kA].connectedCount > 0 && ep_[kB].connectedCount > 0; }
  void run(core::Duration d, const std::function<bool()>& done = {}) {
    link_.runUntil(clock_.now() + d, done);
  }
  long nowMs() const {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch()).count());
  }

  core::ManualClock clock_;
  VirtualWallClock wallClock_{clock_};
  core::TimerQueue timers_;
  Link link_;
  std::shared_ptr<const DtlsCertificate> certA_, certB_;
  Endpoint ep_[2];
};

// ---------------------------------------------------------------------------------------------------------
// Certificate and fingerprints

std::string independentSha256(X509* x509) {
  unsigned char* der = nullptr;
  const int length = i2d_X509(x509, &der);
  EXPECT_GT(length, 0);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digestLength = 0;
  EXPECT_EQ(EVP_Digest(der, static_cast<size_t>(length), digest, &digestLength, EVP_sha256(), nullptr), 1);
  OPENSSL_free(der);
  std::string out;
  char pair[4];
  for (unsigned int i = 0; i < digestLength; ++i) {
    std::snprintf(pair, sizeof pair, i == 0 ? "%02X" : ":%02X", digest[i]);
    out += pair;
  }
  return out;
}

bool isFingerprintFormat(const std::string& f, size_t pairs) {
  if (f.size() != pairs * 3 - 1) return false;
  for (size_t i = 0; i < f.size(); ++i) {
    const char c = f[i];
    const bool ok = i % 3 == 2 ? c == ':' : ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'));
    if (!ok) return false;
  }
  return true;
}

TEST(DtlsCertificate, IsASelfSignedP256CertificateWithTheSpecifiedFields) {
  auto generated = DtlsCertificate::generate("gateway.example");
  ASSERT_TRUE(generated.ok()) << generated.error().message;
  const auto& cert = *generated;
  X509* x509 = cert->x509();
  ASSERT_NE(x509, nullptr);
  EXPECT_EQ(X509_get_version(x509), X509_VERSION_3);
  EXPECT_EQ(X509_get_signature_nid(x509), NID_ecdsa_with_SHA256);
  EXPECT_EQ(X509_check_issued(x509, x509), X509_V_OK);  // issuer == subject
  EXPECT_EQ(X509_verify(x509, cert->privateKey()), 1);  // signed by its own key
  EXPECT_EQ(X509_check_private_key(x509, cert->privateKey()), 1);
  char group[64] = {};
  size_t groupLength = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(cert->privateKey(), group, sizeof group, &groupLength), 1);
  EXPECT_EQ(std::string(group), "prime256v1");

  char cn[128] = {};
  ASSERT_GT(X509_NAME_get_text_by_NID(X509_get_subject_name(x509), NID_commonName, cn, sizeof cn), 0);
  EXPECT_EQ(std::string(cn), "gateway.example");

  // notBefore one day ago, notAfter 30 days ahead (within a minute of the test's own clock).
  int days = 0;
  int seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notBefore(x509)), 1);
  EXPECT_NEAR(days * 86400.0 + seconds, -86400.0, 60.0);
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(x509)), 1);
  EXPECT_NEAR(days * 86400.0 + seconds, 30 * 86400.0, 60.0);

  // A random serial: positive, not zero, different for each certificate.
  auto other = DtlsCertificate::generate();
  ASSERT_TRUE(other.ok());
  const ASN1_INTEGER* serial = X509_get0_serialNumber(x509);
  EXPECT_NE(ASN1_INTEGER_cmp(serial, X509_get0_serialNumber((*other)->x509())), 0);
  EXPECT_GE(ASN1_STRING_length(serial), 7);  // 64 random bits, leading zero octets aside
  EXPECT_EQ(ASN1_STRING_type(serial), V_ASN1_INTEGER);
  EXPECT_NE(cert->fingerprint(), (*other)->fingerprint());
}

TEST(DtlsCertificate, RejectsAnUnusableCommonName) {
  EXPECT_FALSE(DtlsCertificate::generate("").ok());
  EXPECT_FALSE(DtlsCertificate::generate(std::string(65, 'x')).ok());
}

TEST(DtlsCertificate, FingerprintIsTheSha256OfTheDerInUpperCaseHexPairs) {
  auto cert = DtlsCertificate::generate();
  ASSERT_TRUE(cert.ok());
  const std::string& fingerprint = (*cert)->fingerprint();
  EXPECT_TRUE(isFingerprintFormat(fingerprint, 32)) << fingerprint;
  EXPECT_EQ(fingerprint, independentSha256((*cert)->x509()));
  EXPECT_EQ(DtlsCertificate::kHashFunction, "sha-256");

  auto computed = certificateFingerprint((*cert)->x509(), "sha-256");
  ASSERT_TRUE(computed.ok());
  EXPECT_EQ(*computed, fingerprint);
  auto upper = certificateFingerprint((*cert)->x509(), "SHA-256");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(*upper, fingerprint);
}

TEST(DtlsCertificate, FingerprintSupportsTheRfc8122HashFunctions) {
  auto cert = DtlsCertificate::generate();
  ASSERT_TRUE(cert.ok());
  for (const auto& [name, pairs] :
       {std::pair{"sha-1", 20}, std::pair{"Sha-224", 28}, std::pair{"sha-256", 32}, std::pair{"sha-384", 48},
        std::pair{"SHA-512", 64}}) {
    auto f = certificateFingerprint((*cert)->x509(), name);
    ASSERT_TRUE(f.ok()) << name;
    EXPECT_TRUE(isFingerprintFormat(*f, static_cast<size_t>(pairs))) << name << " " << *f;
  }
  auto md5 = certificateFingerprint((*cert)->x509(), "md5");
  ASSERT_FALSE(md5.ok());
  EXPECT_NE(md5.error().message.find("md5"), std::string::npos);
  EXPECT_FALSE(certificateFingerprint((*cert)->x509(), "sha-2566").ok());
  EXPECT_FALSE(certificateFingerprint(nullptr, "sha-256").ok());
}

TEST_F(DtlsTransportTest, SetRemoteFingerprintValidatesFunctionAndValue) {
  make(kA);
  DtlsTransport& t = *ep_[kA].transport;
  const std::string good = certB_->fingerprint();
  EXPECT_TRUE(t.setRemoteFingerprint("sha-256", good).ok());
  std::string lower = good;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return static_cast<char>(std::tolower(c)); });
  EXPECT_TRUE(t.setRemoteFingerprint("SHA-256", lower).ok());

  auto unknown = t.setRemoteFingerprint("md5", good);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("md5"), std::string::npos);

  auto shortValue = t.setRemoteFingerprint("sha-256", good.substr(3));
  ASSERT_FALSE(shortValue.ok());
  EXPECT_NE(shortValue.error().message.find("sha-256"), std::string::npos);
  EXPECT_FALSE(t.setRemoteFingerprint("sha-1", good).ok());  // 32 pairs are not a SHA-1
  std::string badDigit = good;
  badDigit[0] = 'G';
  EXPECT_FALSE(t.setRemoteFingerprint("sha-256", badDigit).ok());
  std::string badSeparator = good;
  badSeparator[2] = '-';
  EXPECT_FALSE(t.setRemoteFingerprint("sha-256", badSeparator).ok());
  EXPECT_FALSE(t.setRemoteFingerprint("sha-256", "").ok());
}

// ---------------------------------------------------------------------------------------------------------
// Handshake and keys

class DtlsHandshakeRoles : public DtlsTransportTest, public ::testing::WithParamInterface<int> {};

TEST_P(DtlsHandshakeRoles, CompletesWithTheSameProfileAndMirroredKeys) {
  const int client = GetParam();
  const int server = 1 - client;
  makePair();
  startPair(client);
  run(5s);

  ASSERT_EQ(ep_[kA].connectedCount, 1) << (ep_[kA].failures.empty() ? "" : ep_[kA].failures[0].second);
  ASSERT_EQ(ep_[kB].connectedCount, 1) << (ep_[kB].failures.empty() ? "" : ep_[kB].failures[0].second);
  EXPECT_TRUE(ep_[kA].transport->connected());
  EXPECT_TRUE(ep_[kB].transport->connected());
  EXPECT_TRUE(ep_[kA].failures.empty());
  EXPECT_TRUE(ep_[kB].failures.empty());

  // Both prefer AEAD_AES_128_GCM (RFC 7714 §14.2), so that is what the server selects.
  const SrtpKeyMaterial& c = *ep_[client].keys;
  const SrtpKeyMaterial& s = *ep_[server].keys;
  EXPECT_EQ(c.profile, srtp::Profile::kAeadAes128Gcm);
  EXPECT_EQ(s.profile, c.profile);
  EXPECT_EQ(c.localKey.size(), 16u);
  EXPECT_EQ(c.localSalt.size(), 12u);
  EXPECT_EQ(c.remoteKey.size(), 16u);
  EXPECT_EQ(c.remoteSalt.size(), 12u);
  EXPECT_EQ(c.localKey, s.remoteKey);
  EXPECT_EQ(c.localSalt, s.remoteSalt);
  EXPECT_EQ(c.remoteKey, s.localKey);
  EXPECT_EQ(c.remoteSalt, s.localSalt);
  EXPECT_NE(c.localKey, c.remoteKey);
  EXPECT_NE(c.localSalt, c.remoteSalt);

  // A lossless handshake retransmits nothing, and the flights took two round trips of 5 ms each way.
  EXPECT_EQ(ep_[kA].transport->stats().retransmissions, 0u);
  EXPECT_EQ(ep_[kB].transport->stats().retransmissions, 0u);
  EXPECT_EQ(ep_[kA].transport->stats().dropped, 0u);
  EXPECT_EQ(link_.sendTimes(client, [](const Bytes& d) { return firstHandshakeType(d) == kClientHello; }),
            std::vector<long>{0});
  EXPECT_EQ(link_.sendTimes(server, [](const Bytes& d) { return firstHandshakeType(d) == kServerHello; }),
            std::vector<long>{5});
  EXPECT_EQ(ep_[client].transport->stats().datagramsOut + ep_[server].transport->stats().datagramsOut,
            link_.log.size());
  EXPECT_EQ(ep_[server].transport->stats().datagramsIn, ep_[client].transport->stats().datagramsOut);
  for (const auto& sent : link_.log) EXPECT_LE(sent.bytes.size(), DtlsConfig{}.mtu);
  // Each flight is one datagram at this MTU: ClientHello; the server's five messages; the client's
  // Certificate to Finished; the server's ChangeCipherSpec and Finished.
  EXPECT_EQ(link_.log.size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(BothRoles, DtlsHandshakeRoles, ::testing::Values(kA, kB),
                         [](const ::testing::TestParamInfo<int>& param) {
                           return param.param == kA ? std::string("AIsClient") : std::string("BIsClient");
                         });

// RFC 5764 §4.2: the client's local keys protect what the server's remote keys unprotect, and back.
TEST_F(DtlsTransportTest, ExportedKeysProtectAndUnprotectSrtpBothWays) {
  makePair();
  startPair();
  run(1s);
  ASSERT_TRUE(bothConnected());

  for (const auto& [from, to] : {std::pair{kA, kB}, std::pair{kB, kA}}) {
    const SrtpKeyMaterial& sender = *ep_[from].keys;
    const SrtpKeyMaterial& receiver = *ep_[to].keys;
    auto protect = srtp::Session::create(sender.profile, sender.localKey, sender.localSalt,
                                         srtp::Session::Direction::kSend);
    auto unprotect = srtp::Session::create(receiver.profile, receiver.remoteKey, receiver.remoteSalt,
                                           srtp::Session::Direction::kReceive);
    ASSERT_TRUE(protect.ok() && unprotect.ok());

    Bytes packet = {0x80, 0x00, 0x12, 0x34, 0x00, 0x00, 0x00, 0xA0, 0xCA, 0xFE, 0xBA, 0xBE};
    for (int i = 0; i < 160; ++i) packet.push_back(static_cast<uint8_t>(i * 3 + from));
    const Bytes plain = packet;
    packet.resize(plain.size() + srtp::rtpOverhead(sender.profile));
    auto protectedLength = (*protect)->protectRtp(packet, plain.size());
    ASSERT_TRUE(protectedLength.ok());
    EXPECT_NE(Bytes(packet.begin() + 12, packet.begin() + static_cast<long>(plain.size())),
              Bytes(plain.begin() + 12, plain.end()));
    auto plainLength = (*unprotect)->unprotectRtp(packet, *protectedLength);
    ASSERT_TRUE(plainLength.ok()) << plainLength.error().message;
    packet.resize(*plainLength);
    EXPECT_EQ(packet, plain);

    // The sender's own remote keys are not the ones: unprotecting with them fails authentication.
    auto wrong = srtp::Session::create(sender.profile, sender.remoteKey, sender.remoteSalt,
                                       srtp::Session::Direction::kReceive);
    ASSERT_TRUE(wrong.ok());
    Bytes again = plain;
    again.resize(plain.size() + srtp::rtpOverhead(sender.profile));
    auto length = (*protect)->protectRtp(again, plain.size());
    ASSERT_TRUE(length.ok());
    EXPECT_FALSE((*wrong)->unprotectRtp(again, *length).ok());
  }
}

TEST_F(DtlsTransportTest, SmallMtuFragmentsTheFlightsAndStillConnects) {
  DtlsConfig config;
  config.mtu = 300;
  makePair(config);
  link_.duplicate = true;  // and every fragment twice
  link_.reorder = true;    // last sent first
  startPair();
  run(5s);
  ASSERT_TRUE(bothConnected());
  size_t largest = 0;
  for (const auto& s : link_.log) largest = std::max(largest, s.bytes.size());
  EXPECT_LE(largest, 300u);
  // The server's flight needed several datagrams (the certificate alone is about 300 bytes of DER).
  EXPECT_GT(link_.sendTimes(kB, [](const Bytes&) { return true; }).size(), 2u);
  EXPECT_EQ(ep_[kA].keys->localKey, ep_[kB].keys->remoteKey);
}

TEST_F(DtlsTransportTest, MtuBelowOpensSslMinimumFailsAtStart) {
  DtlsConfig config;
  config.mtu = 100;
  make(kA, config);
  ASSERT_TRUE(ep_[kA].transport->setRemoteFingerprint("sha-256", certB_->fingerprint()).ok());
  ep_[kA].transport->start(DtlsRole::kClient);
  ASSERT_EQ(ep_[kA].failures.size(), 1u);
  EXPECT_EQ(ep_[kA].failures[0].first, DtlsFailure::kHandshakeFailed);
  EXPECT_NE(ep_[kA].failures[0].second.find("MTU 100"), std::string::npos) << ep_[kA].failures[0].second;
  EXPECT_TRUE(link_.log.empty());
}

// ---------------------------------------------------------------------------------------------------------
// Fingerprint verification (RFC 5763 §5)

class DtlsFingerprintMismatch : public DtlsTransportTest, public ::testing::WithParamInterface<int> {};

TEST_P(DtlsFingerprintMismatch, FailsTheSideThatChecksAndConnectsNobody) {
  const int checker = GetParam();  // A is the client, B the server
  makePair();
  auto third = DtlsCertificate::generate("somebody-else");
  ASSERT_TRUE(third.ok());
  ASSERT_TRUE(ep_[checker].transport->setRemoteFingerprint("sha-256", (*third)->fingerprint()).ok());
  startPair();
  run(20s);

  EXPECT_EQ(ep_[kA].connectedCount, 0);
  EXPECT_EQ(ep_[kB].connectedCount, 0);
  ASSERT_EQ(ep_[checker].failures.size(), 1u);
  EXPECT_EQ(ep_[checker].failures[0].first, DtlsFailure::kFingerprintMismatch);
  const std::string& reason = ep_[checker].failures[0].second;
  const std::string& actual = (checker == kA ? certB_ : certA_)->fingerprint();
  EXPECT_NE(reason.find((*third)->fingerprint()), std::string::npos) << reason;
  EXPECT_NE(reason.find(actual), std::string::npos) << reason;
  EXPECT_TRUE(ep_[checker].transport->failed());

  // The checker's fatal alert fails the other side at once (not at its handshake timeout).
  const int other = 1 - checker;
  ASSERT_EQ(ep_[other].failures.size(), 1u);
  EXPECT_EQ(ep_[other].failures[0].first, DtlsFailure::kHandshakeFailed);
  EXPECT_NE(ep_[other].failures[0].second.find("alert"), std::string::npos) << ep_[other].failures[0].second;
  EXPECT_LT(*ep_[other].failedAt - *ep_[checker].failedAt, 100ms);
  bool alertSent = false;
  for (const auto& s : link_.log) alertSent |= s.from == checker && s.bytes[0] == kAlert;
  EXPECT_TRUE(alertSent);
}

INSTANTIATE_TEST_SUITE_P(EitherSide, DtlsFingerprintMismatch, ::testing::Values(kA, kB),
                         [](const ::testing::TestParamInfo<int>& param) {
                           return param.param == kA ? std::string("ClientChecks")
                                                    : std::string("ServerChecks");
                         });

TEST_F(DtlsTransportTest, CertificateBeforeAnyFingerprintFailsAsMismatch) {
  make(kA);
  make(kB);
  ASSERT_TRUE(ep_[kB].transport->setRemoteFingerprint("sha-256", certA_->fingerprint()).ok());
  startPair();  // A, the client, has no a=fingerprint yet when the server's certificate comes
  run(1s);
  ASSERT_EQ(ep_[kA].failures.size(), 1u);
  EXPECT_EQ(ep_[kA].failures[0].first, DtlsFailure::kFingerprintMismatch);
  EXPECT_NE(ep_[kA].failures[0].second.find("a=fingerprint"), std::string::npos);
  EXPECT_EQ(ep_[kB].connectedCount, 0);
}

TEST_F(DtlsTransportTest, OtherHashFunctionsVerifyToo) {
  make(kA);
  make(kB);
  auto sha1 = certificateFingerprint(certB_->x509(), "sha-1");
  auto sha512 = certificateFingerprint(certA_->x509(), "sha-512");
  ASSERT_TRUE(sha1.ok() && sha512.ok());
  ASSERT_TRUE(ep_[kA].transport->setRemoteFingerprint("SHA-1", *sha1).ok());
  ASSERT_TRUE(ep_[kB].transport->setRemoteFingerprint("sha-512", *sha512).ok());
  startPair();
  run(1s);
  EXPECT_TRUE(bothConnected());
}

// ---------------------------------------------------------------------------------------------------------
// Loss and retransmission (RFC 6347 §4.2.4) on the virtual clock: 100 ms, doubling, reset per flight

TEST_F(DtlsTransportTest, ClientHelloLostTwiceIsResentAt100And300Ms) {
  makePair();
  int clientHellos = 0;
  link_.dropIf = [&](int from, const Bytes& d) {
    return from == kA && firstHandshakeType(d) == kClientHello && ++clientHellos <= 2;
  };
  startPair();
  run(5s);
  ASSERT_TRUE(bothConnected());
  EXPECT_EQ(link_.sendTimes(kA, [](const Bytes& d) { return firstHandshakeType(d) == kClientHello; }),
            (std::vector<long>{0, 100, 300}));
  EXPECT_EQ(ep_[kA].transport->stats().retransmissions, 2u);
  EXPECT_EQ(ep_[kB].transport->stats().retransmissions, 0u);
  // 300 + 5: the server's flight; 310: the client's; 315: the server's last; connected at 320.
  EXPECT_EQ(link_.sendTimes(kB, [](const Bytes& d) { return firstHandshakeType(d) == kServerHello; }),
            std::vector<long>{305});
}

TEST_F(DtlsTransportTest, ServerFlightLostOnceIsResentAfter100Ms) {
  makePair();
  int serverHellos = 0;
  link_.dropIf = [&](int from, const Bytes& d) {
    return from == kB && firstHandshakeType(d) == kServerHello && ++serverHellos == 1;
  };
  startPair();
  run(5s);
  ASSERT_TRUE(bothConnected());
  // The flight left at 5 ms (dropped); the server resends it at 105 ms. The client's ClientHello timer also
  // runs out at 100 ms, so the client resent its flight once too.
  EXPECT_EQ(link_.sendTimes(kB, [](const Bytes& d) { return firstHandshakeType(d) == kServerHello; }),
            (std::vector<long>{5, 105}));
  EXPECT_EQ(link_.sendTimes(kA, [](const Bytes& d) { return firstHandshakeType(d) == kClientHello; }),
            (std::vector<long>{0, 100}));
  EXPECT_EQ(ep_[kB].transport->stats().retransmissions, 1u);
  EXPECT_EQ(ep_[kA].transport->stats().retransmissions, 1u);
}

TEST_F(DtlsTransportTest, ClientFinishedFlightLostIsResentAfter100Ms) {
  makePair();
  int certificates = 0;
  link_.dropIf = [&](int from, const Bytes& d) {
    // The client's flight (Certificate ... Finished) starts with its Certificate.
    return from == kA && firstHandshakeType(d) == kCertificate && ++certificates == 1;
  };
  startPair();
  run(5s);
  ASSERT_TRUE(bothConnected());
  // Sent at 10 ms after the server's flight; the schedule starts again at 100 ms for this new flight.
  EXPECT_EQ(link_.sendTimes(kA, [](const Bytes& d) { return firstHandshakeType(d) == kCertificate; }),
            (std::vector<long>{10, 110}));
  EXPECT_EQ(ep_[kA].transport->stats().retransmissions, 1u);
  // The server, which sent its flight at 5 ms and heard nothing back, resent it at 105 ms.
  EXPECT_EQ(link_.sendTimes(kB, [](const Bytes& d) { return firstHandshakeType(d) == kServerHello; }),
            (std::vector<long>{5, 105}));
  EXPECT_EQ(ep_[kB].transport->stats().retransmissions, 1u);
}

TEST_F(DtlsTransportTest, ServerFinalFlightLostIsResentWhenTheClientFinishedComesAgain) {
  makePair();
  int finals = 0;
  link_.dropIf = [&](int from, const Bytes& d) {
    // The server's last flight: ChangeCipherSpec and Finished.
    return from == kB && d[0] == kChangeCipherSpec && ++finals == 1;
  };
  startPair();
  run(5s);
  ASSERT_TRUE(bothConnected());
  // The server is done at 15 ms; the client's timer resends its flight at 110 ms, and the server answers
  // that retransmitted Finished with its last flight again (OpenSSL does this while reading, no timer).
  EXPECT_EQ(link_.sendTimes(kB, [](const Bytes& d) { return d[0] == kChangeCipherSpec; }),
            (std::vector<long>{15, 115}));
  EXPECT_EQ(ep_[kA].transport->stats().retransmissions, 1u);
  EXPECT_EQ(ep_[kB].transport->stats().retransmissions, 0u);
  EXPECT_EQ(ep_[kA].connectedCount, 1);
  EXPECT_EQ(ep_[kB].connectedCount, 1);
}

TEST_F(DtlsTransportTest, RetransmissionIntervalDoublesUpToTheMaximum) {
  DtlsConfig config;
  config.initialRetransmit = 50ms;
  config.maxRetransmit = 300ms;
  config.handshakeTimeout = 2s;
  makePair(config);
  link_.dropIf = [](int, const Bytes&) { return true; };
  startPair();
  run(3s);
  // 50, 100, 200, then 300 each: sent at 0, 50, 150, 350, 650, 950, 1250, 1550, 1850.
  EXPECT_EQ(link_.sendTimes(kA, [](const Bytes& d) { return firstHandshakeType(d) == kClientHello; }),
            (std::vector<long>{0, 50, 150, 350, 650, 950, 1250, 1550, 1850}));
  ASSERT_EQ(ep_[kA].failures.size(), 1u);
  EXPECT_EQ(ep_[kA].failures[0].first, DtlsFailure::kTimeout);
}

// OpenSSL gives up after 12 timeouts of one flight (DTLS1_TMO_ALERT_COUNT) whatever the handshake timeout:
// with a short schedule that comes first, and it is reported as the timeout it is.
TEST_F(DtlsTransportTest, OpenSslRetransmissionLimitEndsTheHandshakeAsTimeout) {
  DtlsConfig config;
  config.initialRetransmit = 20ms;
  config.maxRetransmit = 20ms;
  makePair(config);
  link_.dropIf = [](int, const Bytes&) { return true; };
  startPair();
  run(20s);
  ASSERT_EQ(ep_[kA].failures.size(), 1u);
  EXPECT_EQ(ep_[kA].failures[0].first, DtlsFailure::kTimeout);
  EXPECT_NE(ep_[kA].failures[0].second.find("gave up"), std::string::npos) << ep_[kA].failures[0].second;
  EXPECT_EQ(*ep_[kA].failedAt, core::TimePoint{} + 260ms);  // the 13th timeout
  EXPECT_EQ(link_.sendTimes(kA, [](const Bytes& d) { return firstHandshakeType(d) == kClientHello; }).size(),
            13u);
  // The server, which never heard anything, still waits for its own handshake timeout.
  ASSERT_EQ(ep_[kB].failures.size(), 1u);
  EXPECT_EQ(*ep_[kB].failedAt, core::TimePoint{} + 15s);
}

TEST_F(DtlsTransportTest, TotalLossFailsEachSideOnceWithTimeoutAtTheHandshakeTimeout) {
  makePair();
  link_.dropIf = [](int, const Bytes&) { return true; };
  startPair();
  run(60s);

  for (int side : {kA, kB}) {
    ASSERT_EQ(ep_[side].failures.size(), 1u) << side;
    EXPECT_EQ(ep_[side].failures[0].first, DtlsFailure::kTimeout);
    EXPECT_EQ(*ep_[side].failedAt, core::TimePoint{} + 15s);
    EXPECT_TRUE(ep_[side].transport->failed());
    EXPECT_EQ(ep_[side].connectedCount, 0);
  }
  EXPECT_NE(ep_[kA].failures[0].second.find("15000 ms"), std::string::npos) << ep_[kA].failures[0].second;
  // 100, 200, 400, 800, 1600, then 2000 each, until 15 s: ten retransmissions, none after the failure.
  EXPECT_EQ(link_.sendTimes(kA, [](const Bytes& d) { return firstHandshakeType(d) == kClientHello; }),
            (std::vector<long>{0, 100, 300, 700, 1500, 3100, 5100, 7100, 9100, 11100, 13100}));
  EXPECT_EQ(ep_[kA].transport->stats().retransmissions, 10u);
  EXPECT_EQ(link_.sendTimes(kB, [](const Bytes&) { return true; }).size(), 0u);
  EXPECT_EQ(timers_.pending(), 0u);

  // Nothing is received after the failure.
  const uint64_t dropped = ep_[kA].transport->stats().dropped;
  ASSERT_FALSE(link_.log.empty());
  ep_[kA].transport->receive(link_.log.front().bytes);
  EXPECT_EQ(ep_[kA].transport->stats().dropped, dropped + 1);
  EXPECT_EQ(ep_[kA].failures.size(), 1u);
}

TEST_F(DtlsTransportTest, DuplicatedAndReorderedDatagramsStillConnect) {
  makePair();
  link_.duplicate = true;
  link_.reorder = true;
  startPair();
  run(5s);
  ASSERT_TRUE(bothConnected());
  EXPECT_EQ(ep_[kA].connectedCount, 1);
  EXPECT_EQ(ep_[kB].connectedCount, 1);
  EXPECT_TRUE(ep_[kA].failures.empty());
  EXPECT_TRUE(ep_[kB].failures.empty());
}

// ---------------------------------------------------------------------------------------------------------
// Garbage, close, lifetime

Bytes record(uint8_t type, uint16_t epoch, uint64_t sequence, const Bytes& body) {
  Bytes r = {type, 0xFE, 0xFD, static_cast<uint8_t>(epoch >> 8), static_cast<uint8_t>(epoch)};
  for (int shift = 40; shift >= 0; shift -= 8) r.push_back(static_cast<uint8_t>(sequence >> shift));
  r.push_back(static_cast<uint8_t>(body.size() >> 8));
  r.push_back(static_cast<uint8_t>(body.size()));
  r.insert(r.end(), body.begin(), body.end());
  return r;
}

TEST_F(DtlsTransportTest, GarbageNeitherCrashesNorFailsAConnectedTransport) {
  makePair();
  startPair();
  run(1s);
  ASSERT_TRUE(bothConnected());
  DtlsTransport& t = *ep_[kB].transport;
  const DtlsStats before = t.stats();

  std::mt19937 random(20240611);
  std::vector<Bytes> garbage;
  uint64_t malformed = 0;
  for (int i = 0; i < 200; ++i) {  // random bytes; a first byte outside 20-63 is not DTLS (RFC 7983)
    Bytes g(1 + random() % 1500);
    for (auto& b : g) b = static_cast<uint8_t>(random());
    if (i % 2 == 0) g[0] = static_cast<uint8_t>(20 + random() % 4);
    garbage.push_back(std::move(g));
  }
  for (const auto& s : link_.log) {  // every handshake datagram again, and truncated at every few bytes
    garbage.push_back(s.bytes);
    for (size_t n = 1; n < s.bytes.size(); n += 7) {
      garbage.emplace_back(s.bytes.begin(), s.bytes.begin() + static_cast<long>(n));
      ++malformed;
    }
  }
  // Well-framed records no one could have sent: epoch 1 with a body that does not authenticate, a
  // plaintext fatal alert and a ClientHello in epoch 0, application data in an unknown epoch, an empty
  // record.
  garbage.push_back(record(kApplicationData, 1, 99, Bytes(64, 0xAB)));
  garbage.push_back(record(kHandshake, 1, 100, Bytes(48, 0x01)));
  garbage.push_back(record(kAlert, 0, 77, {2, 40}));
  garbage.push_back(record(kAlert, 1, 101, {2, 40}));
  garbage.push_back(record(kHandshake, 0, 78, {kClientHello, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  garbage.push_back(record(kApplicationData, 7, 1, Bytes(32, 0)));
  garbage.push_back(record(kChangeCipherSpec, 1, 102, {}));
  for (const auto& g : garbage) t.receive(g);

  EXPECT_TRUE(t.connected());
  EXPECT_FALSE(t.failed());
  EXPECT_TRUE(ep_[kB].failures.empty());
  EXPECT_EQ(ep_[kB].closedCount, 0);
  EXPECT_EQ(t.stats().datagramsIn, before.datagramsIn + garbage.size());
  EXPECT_GE(t.stats().dropped, before.dropped + malformed);

  // The association still works: A's close_notify reaches B.
  ep_[kA].transport->close();
  run(1s);
  EXPECT_EQ(ep_[kB].closedCount, 1);
}

TEST_F(DtlsTransportTest, GarbageDuringTheHandshakeIsDroppedAndTheHandshakeCompletes) {
  makePair();
  startPair();
  // Before the server's flight arrives, both sides get a burst of non-DTLS and truncated datagrams.
  for (int side : {kA, kB}) {
    ep_[side].transport->receive(Bytes{0x00, 0x01, 0x02});
    ep_[side].transport->receive(Bytes(40, 0xFF));
    ep_[side].transport->receive(Bytes{kHandshake, 0xFE, 0xFD, 0, 0});
    ep_[side].transport->receive(Bytes{kHandshake});
  }
  EXPECT_EQ(ep_[kA].transport->stats().dropped, 4u);
  run(5s);
  EXPECT_TRUE(bothConnected());
  EXPECT_EQ(ep_[kA].transport->stats().retransmissions, 0u);
}

TEST_F(DtlsTransportTest, DatagramsBeforeStartAreDropped) {
  make(kA);
  ep_[kA].transport->receive(record(kHandshake, 0, 0, Bytes(20, 0)));
  EXPECT_EQ(ep_[kA].transport->stats().datagramsIn, 1u);
  EXPECT_EQ(ep_[kA].transport->stats().dropped, 1u);
  EXPECT_TRUE(link_.log.empty());
}

TEST_F(DtlsTransportTest, CloseDeliversOnClosedToThePeerOnly) {
  makePair();
  startPair();
  run(1s);
  ASSERT_TRUE(bothConnected());
  const size_t sentBefore = link_.log.size();
  ep_[kA].transport->close();
  ep_[kA].transport->close();  // once only
  // One close_notify: an encrypted alert record.
  ASSERT_EQ(link_.log.size(), sentBefore + 1);
  EXPECT_EQ(link_.log.back().bytes[0], kAlert);
  EXPECT_FALSE(ep_[kA].transport->connected());
  run(1s);
  EXPECT_EQ(ep_[kB].closedCount, 1);
  EXPECT_FALSE(ep_[kB].transport->connected());
  EXPECT_FALSE(ep_[kB].transport->failed());
  EXPECT_EQ(ep_[kA].closedCount, 0);
  EXPECT_TRUE(ep_[kA].failures.empty());
  EXPECT_TRUE(ep_[kB].failures.empty());
  // B answered with its own close_notify (RFC 5246 §7.2.1), which A, closed, drops.
  EXPECT_EQ(ep_[kA].transport->stats().dropped, 1u);
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(DtlsTransportTest, CloseDuringTheHandshakeSendsNothingAndStopsRetransmitting) {
  makePair();
  link_.dropIf = [](int, const Bytes&) { return true; };
  startPair();
  run(150ms);
  const size_t sent = link_.log.size();
  EXPECT_EQ(sent, 2u);  // the ClientHello at 0 and 100 ms
  ep_[kA].transport->close();
  run(30s);
  EXPECT_EQ(link_.log.size(), sent);
  EXPECT_TRUE(ep_[kA].failures.empty());  // the owner closed it: no timeout is reported
  EXPECT_EQ(ep_[kA].connectedCount, 0);
}

TEST_F(DtlsTransportTest, CloseInsideOnConnectedIsSafe) {
  makePair();
  ep_[kA].afterConnected = [this] { ep_[kA].transport->close(); };
  startPair();
  run(2s);
  EXPECT_EQ(ep_[kA].connectedCount, 1);
  EXPECT_EQ(ep_[kB].connectedCount, 1);
  EXPECT_EQ(ep_[kB].closedCount, 1);
  EXPECT_EQ(ep_[kA].closedCount, 0);
  EXPECT_TRUE(ep_[kA].failures.empty());
}

TEST_F(DtlsTransportTest, DestroyingATransportRightAfterOnFailedIsSafe) {
  makePair();
  auto third = DtlsCertificate::generate("somebody-else");
  ASSERT_TRUE(third.ok());
  ASSERT_TRUE(ep_[kA].transport->setRemoteFingerprint("sha-256", (*third)->fingerprint()).ok());
  startPair();
  // The loop stops after the step in which A failed; A is destroyed there, with B's datagrams and timers
  // still in flight.
  run(5s, [this] { return !ep_[kA].failures.empty(); });
  ASSERT_EQ(ep_[kA].failures.size(), 1u);
  ep_[kA].transport.reset();
  run(20s);
  ASSERT_EQ(ep_[kB].failures.size(), 1u);
  ep_[kB].transport.reset();
  run(20s);
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(DtlsTransportTest, DestroyingATransportRightAfterItsTimeoutIsSafe) {
  DtlsConfig config;
  config.handshakeTimeout = 1s;
  makePair(config);
  link_.dropIf = [](int, const Bytes&) { return true; };
  startPair();
  run(5s, [this] { return !ep_[kA].failures.empty(); });
  EXPECT_EQ(nowMs(), 1000);
  ep_[kA].transport.reset();
  ep_[kB].transport.reset();
  EXPECT_EQ(timers_.pending(), 0u);
}

// ---------------------------------------------------------------------------------------------------------
// Against a bare OpenSSL peer: what two DtlsTransports never do to each other

// A DTLS client or server on OpenSSL with memory BIOs, no retransmission (the link is lossless here).
class BarePeer {
 public:
  BarePeer(std::shared_ptr<const DtlsCertificate> cert, bool useSrtp, bool client)
      : cert_(std::move(cert)), ctx_(SSL_CTX_new(DTLS_method())) {
    SSL_CTX_use_certificate(ctx_, cert_->x509());
    SSL_CTX_use_PrivateKey(ctx_, cert_->privateKey());
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
    if (useSrtp) SSL_CTX_set_tlsext_use_srtp(ctx_, "SRTP_AES128_CM_SHA1_80");
    ssl_ = SSL_new(ctx_);
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in_, -1);
    SSL_set_bio(ssl_, in_, out_);
    if (client) {
      SSL_set_connect_state(ssl_);
    } else {
      SSL_set_accept_state(ssl_);
    }
  }
  ~BarePeer() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
  }
  BarePeer(const BarePeer&) = delete;
  BarePeer& operator=(const BarePeer&) = delete;

  // Runs OpenSSL and returns what it wrote as one datagram (whole records, so still valid DTLS).
  Bytes step(const Bytes* in = nullptr) {
    if (in != nullptr) BIO_write(in_, in->data(), static_cast<int>(in->size()));
    if (!SSL_is_init_finished(ssl_)) {
      SSL_do_handshake(ssl_);
    } else {
      char buf[2048];
      while (SSL_read(ssl_, buf, sizeof buf) > 0) {
      }
    }
    return drain();
  }
  Bytes write(const std::string& text) {
    SSL_write(ssl_, text.data(), static_cast<int>(text.size()));
    return drain();
  }
  Bytes shutdown() {
    SSL_shutdown(ssl_);
    return drain();
  }
  bool finished() const { return SSL_is_init_finished(ssl_) == 1; }

 private:
  Bytes drain() {
    Bytes out(static_cast<size_t>(BIO_ctrl_pending(out_)));
    if (!out.empty()) BIO_read(out_, out.data(), static_cast<int>(out.size()));
    return out;
  }
  std::shared_ptr<const DtlsCertificate> cert_;
  SSL_CTX* ctx_;
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;
  BIO* out_ = nullptr;
};

// Connects ep_[kA] (a DtlsTransport server) with a BarePeer client by passing datagrams by hand.
class DtlsBarePeerTest : public DtlsTransportTest {
 protected:
  void handshake(BarePeer& peer) {
    make(kA);
    ASSERT_TRUE(ep_[kA].transport->setRemoteFingerprint("sha-256", certB_->fingerprint()).ok());
    ep_[kA].transport->start(DtlsRole::kServer);
    Bytes toServer = peer.step();
    for (int round = 0; round < 6 && !toServer.empty(); ++round) {
      const size_t first = link_.log.size();
      ep_[kA].transport->receive(toServer);
      Bytes reply;
      for (size_t i = first; i < link_.log.size(); ++i) {
        reply.insert(reply.end(), link_.log[i].bytes.begin(), link_.log[i].bytes.end());
      }
      toServer = reply.empty() ? Bytes{} : peer.step(&reply);
    }
  }
};

TEST_F(DtlsBarePeerTest, NoSrtpProfileNegotiatedFailsTheHandshake) {
  BarePeer peer(certB_, /*useSrtp=*/false, /*client=*/true);
  handshake(peer);
  EXPECT_EQ(ep_[kA].connectedCount, 0);
  ASSERT_EQ(ep_[kA].failures.size(), 1u);
  EXPECT_EQ(ep_[kA].failures[0].first, DtlsFailure::kHandshakeFailed);
  EXPECT_NE(ep_[kA].failures[0].second.find("SRTP"), std::string::npos) << ep_[kA].failures[0].second;
}

TEST_F(DtlsBarePeerTest, ApplicationDataIsDiscardedAndCloseNotifyClosesTheTransport) {
  BarePeer peer(certB_, /*useSrtp=*/true, /*client=*/true);
  handshake(peer);
  ASSERT_EQ(ep_[kA].connectedCount, 1) << (ep_[kA].failures.empty() ? "" : ep_[kA].failures[0].second);
  ASSERT_TRUE(peer.finished());
  EXPECT_EQ(ep_[kA].keys->profile, srtp::Profile::kAes128CmSha1_80);
  EXPECT_EQ(ep_[kA].keys->localSalt.size(), 14u);

  DtlsTransport& t = *ep_[kA].transport;
  const Bytes data = peer.write(std::string(200, 'x'));  // a data channel would be here: no SCTP, discarded
  ASSERT_FALSE(data.empty());
  EXPECT_EQ(data[0], kApplicationData);
  const uint64_t dropped = t.stats().dropped;
  const size_t sent = link_.log.size();
  t.receive(data);
  EXPECT_TRUE(t.connected());
  EXPECT_EQ(t.stats().dropped, dropped);
  EXPECT_EQ(link_.log.size(), sent);  // nothing answered

  t.receive(peer.shutdown());
  EXPECT_EQ(ep_[kA].closedCount, 1);
  EXPECT_FALSE(t.connected());
  EXPECT_TRUE(ep_[kA].failures.empty());
  ASSERT_EQ(link_.log.size(), sent + 1);  // our close_notify in answer
  EXPECT_EQ(link_.log.back().bytes[0], kAlert);
}

TEST_F(DtlsTransportTest, TheVirtualWallClockIsWhatOpenSslSees) {
  // Every retransmission test depends on this: gettimeofday() follows the ManualClock.
  timeval before{};
  gettimeofday(&before, nullptr);
  clock_.advance(1234ms);
  timeval after{};
  gettimeofday(&after, nullptr);
  EXPECT_EQ(before.tv_sec, VirtualWallClock::kBaseSeconds);
  EXPECT_EQ((after.tv_sec - before.tv_sec) * 1000000 + (after.tv_usec - before.tv_usec), 1234000);
}

TEST(DtlsFailureNames, AreWords) {
  EXPECT_EQ(toString(DtlsFailure::kFingerprintMismatch), "fingerprint mismatch");
  EXPECT_EQ(toString(DtlsFailure::kHandshakeFailed), "handshake failed");
  EXPECT_EQ(toString(DtlsFailure::kTimeout), "timeout");
}

}  // namespace
}  // namespace callgate::webrtc::dtls
