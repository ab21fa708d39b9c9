// DTLS 1.2 for DTLS-SRTP on OpenSSL 3.0, sans-I/O.
//
//   receive() ─► framing check ─► read BIO (memory) ─► SSL_do_handshake / SSL_read
//                                                              │
//   Listener::send ◄── outbox ◄── write BIO (ours: one write = one datagram)
//
// Nothing reaches the listener while OpenSSL runs: the write BIO only queues, and datagrams and events are
// delivered once the SSL call has returned, so a callback can never re-enter OpenSSL on the same SSL.
//
// Why one BIO write is one datagram: during the handshake OpenSSL puts a buffering BIO in front of the write
// BIO and flushes it once per flight, or when the next message would not fit config.mtu (it asks the buffer's
// BIO_CTRL_WPENDING for that), so each flush hands over whole records that fit one datagram. A memory BIO
// would concatenate the flushes and lose the datagram boundaries (BIO_s_dgram_mem() exists only from 3.2).
//
// Retransmission (RFC 6347 §4.2.4): OpenSSL keeps the flight and the deadline; DTLS_set_timer_cb gives it
// this transport's schedule (DtlsConfig::initialRetransmit, doubling up to maxRetransmit, and back to the
// initial value for each new flight); a core::Timer is armed at the deadline DTLSv1_get_timeout reports and
// calls DTLSv1_handle_timeout when it fires. OpenSSL reads the deadline against gettimeofday(), and checks it
// on every read as well: a deadline shorter than its 15 ms floor counts as already expired, which makes the
// first read after a flight retransmit in a loop until it gives up ("read timeout expired"). So durations
// are never below kMinRetransmit, and a virtual clock for tests must also stand in for gettimeofday().
#include "webrtc/dtls/dtls_transport.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/time.h>

#include <algorithm>
#include <array>
#include <deque>
#include <limits>
#include <optional>
#include <utility>

#include "core/text.hpp"

namespace callgate::webrtc::dtls {
namespace {

// RFC 7714 §14.2 and RFC 5764 §4.1.2, in our order of preference (OpenSSL names).
constexpr const char* kSrtpProfiles = "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32";

// ECDHE only (forward secrecy), AEAD first; the ECDSA suites for our own certificate, the RSA ones for peers
// that still use RSA certificates; the CBC suites for older DTLS stacks.
constexpr const char* kCipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA";

// RFC 5764 §4.2: the exporter label of DTLS-SRTP.
constexpr std::string_view kExporterLabel = "EXTRACTOR-dtls_srtp";

// OpenSSL counts a deadline less than 15 ms away as expired (see the top of the file).
constexpr core::Duration kMinRetransmit = std::chrono::milliseconds(20);
// The timer callback answers an unsigned int of microseconds.
constexpr core::Duration kMaxTimerValue = std::chrono::hours(1);

// RFC 6347 §4.1: type(1) version(2) epoch(2) sequence_number(6) length(2).
constexpr size_t kRecordHeader = 13;
// RFC 6347 §4.1 / RFC 5246 §6.2.3: a DTLSCiphertext fragment is at most 2^14 + 2048 bytes.
constexpr size_t kMaxRecordBody = 16384 + 2048;
constexpr size_t kReadChunk = 4096;

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
struct BioMethodFree {
  void operator()(BIO_METHOD* method) const { BIO_meth_free(method); }
};

unsigned int toMicros(core::Duration d) {
  d = std::clamp(d, kMinRetransmit, kMaxTimerValue);
  return static_cast<unsigned int>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

// The first error OpenSSL queued on this thread, as text; the queue is cleared.
std::string takeOpensslError(std::string_view fallback) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return std::string(fallback);
  std::array<char, 256> text{};
  ERR_error_string_n(code, text.data(), text.size());
  return text.data();
}

const EVP_MD* knownDigest(std::string_view hashFunction) {
  // Same names as certificateFingerprint() (RFC 8122 §5).
  for (const auto& [name, md] : {std::pair{"sha-1", EVP_sha1()}, std::pair{"sha-224", EVP_sha224()},
                                 std::pair{"sha-256", EVP_sha256()}, std::pair{"sha-384", EVP_sha384()},
                                 std::pair{"sha-512", EVP_sha512()}}) {
    if (core::iequals(hashFunction, name)) return md;
  }
  return nullptr;
}

// RFC 6347 §4.1: every record of the datagram is complete and has a DTLS version. RFC 6347 §4.1.2.7 lets
// invalid records be discarded silently; checking here keeps garbage away from OpenSSL and makes it count.
bool wellFramed(std::span<const uint8_t> datagram) {
  if (datagram.size() < kRecordHeader) return false;
  size_t offset = 0;
  while (offset < datagram.size()) {
    if (datagram.size() - offset < kRecordHeader) return false;
    const uint8_t* record = datagram.data() + offset;
    // RFC 7983 §7: DTLS content types are 20-63; the version's major byte is 254 (DTLS 1.0 and 1.2).
    if (record[0] < 20 || record[0] > 63 || record[1] != 0xFE) return false;
    const size_t length = static_cast<size_t>(record[11]) << 8 | record[12];
    if (length > kMaxRecordBody || length > datagram.size() - offset - kRecordHeader) return false;
    offset += kRecordHeader + length;
  }
  return true;
}

}  // namespace

std::string_view toString(DtlsFailure failure) {
  switch (failure) {
    case DtlsFailure::kFingerprintMismatch:
      return "fingerprint mismatch";
    case DtlsFailure::kHandshakeFailed:
      return "handshake failed";
    case DtlsFailure::kTimeout:
      return "timeout";
  }
  return "unknown";
}

struct DtlsTransport::Impl {
  enum class State : uint8_t { kNew, kConnecting, kConnected, kClosed, kFailed };

  Impl(core::TimerQueue& timers, std::shared_ptr<const DtlsCertificate> certificate, DtlsConfig config,
       Listener listener);

  // OpenSSL callbacks; they find the Impl through the SSL's ex_data and the BIO's data.
  static int verifyCallback(int preverifyOk, X509_STORE_CTX* store);
  static unsigned int timerCallback(SSL* ssl, unsigned int previousUs);
  static int bioWrite(BIO* bio, const char* data, int length);
  static long bioCtrl(BIO* bio, int command, long larg, void* parg);
  static int bioCreate(BIO* bio);
  static int bioDestroy(BIO* bio);
  static BIO_METHOD* writeMethod();
  static int exDataIndex();

  core::Result<void> setup();
  bool checkPeerCertificate(X509* certificate);
  void start(DtlsRole role);
  void receive(std::span<const uint8_t> datagram);
  void close();
  void onRetransmitTimer();
  void onHandshakeTimeout();

  // The result of SSL_do_handshake or SSL_read: an error, a close, or nothing more to do.
  void handleSslError(int result, bool handshaking);
  void completeHandshake();
  void readApplicationData();
  void fail(DtlsFailure failure, std::string reason);
  void rearmRetransmit();
  // Sends what OpenSSL wrote and reports what happened, outside every OpenSSL call.
  void deliver();

  std::shared_ptr<const DtlsCertificate> certificate_;
  DtlsConfig config_;
  Listener listener_;
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx_;
  std::unique_ptr<SSL, SslFree> ssl_;
  BIO* readBio_ = nullptr;  // owned by ssl_
  std::string setupError_;

  State state_ = State::kNew;
  DtlsRole role_ = DtlsRole::kServer;
  std::string remoteHash_;         // lower-case, as certificateFingerprint() takes it
  std::string remoteFingerprint_;  // upper-case, colon-separated
  std::string verifyFailure_;      // set by verifyCallback when the peer's certificate does not match

  std::deque<std::vector<uint8_t>> outbox_;
  std::optional<SrtpKeyMaterial> pendingConnected_;
  std::optional<std::pair<DtlsFailure, std::string>> pendingFailure_;
  bool pendingClosed_ = false;
  bool delivering_ = false;

  DtlsStats stats_;
  core::Timer retransmitTimer_;
  core::Timer handshakeTimer_;
};

DtlsTransport::Impl::Impl(core::TimerQueue& timers, std::shared_ptr<const DtlsCertificate> certificate,
                          DtlsConfig config, Listener listener)
    : certificate_(std::move(certificate)),
      config_(config),
      listener_(std::move(listener)),
      retransmitTimer_(timers),
      handshakeTimer_(timers) {
  if (auto ok = setup(); !ok) setupError_ = ok.error().message;
  ERR_clear_error();
}

int DtlsTransport::Impl::exDataIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

BIO_METHOD* DtlsTransport::Impl::writeMethod() {
  static const std::unique_ptr<BIO_METHOD, BioMethodFree> method = [] {
    std::unique_ptr<BIO_METHOD, BioMethodFree> m(
        BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "callgate DTLS datagrams"));
    if (m &&
        (BIO_meth_set_write(m.get(), bioWrite) != 1 || BIO_meth_set_ctrl(m.get(), bioCtrl) != 1 ||
         BIO_meth_set_create(m.get(), bioCreate) != 1 || BIO_meth_set_destroy(m.get(), bioDestroy) != 1)) {
      m.reset();
    }
    return m;
  }();
  return method.get();
}

core::Result<void> DtlsTransport::Impl::setup() {
  ERR_clear_error();
  auto failed = [](std::string_view step) {
    return core::makeError("DTLS setup: " + std::string(step) + " failed (" +
                           takeOpensslError("no OpenSSL error queued") + ")");
  };
  if (!certificate_ || certificate_->x509() == nullptr || certificate_->privateKey() == nullptr) {
    return core::makeError("DTLS setup: no certificate");
  }
  if (exDataIndex() < 0) return failed("SSL_get_ex_new_index");
  if (writeMethod() == nullptr) return failed("creating the datagram BIO method");

  ctx_.reset(SSL_CTX_new(DTLS_method()));
  if (!ctx_) return failed("SSL_CTX_new(DTLS_method())");
  // RFC 8827 §6.5: DTLS 1.2 or later (DTLS 1.0 is deprecated by RFC 8996).
  if (SSL_CTX_set_min_proto_version(ctx_.get(), DTLS1_2_VERSION) != 1) return failed("requiring DTLS 1.2");
  if (SSL_CTX_use_certificate(ctx_.get(), certificate_->x509()) != 1)
    return failed("loading the certificate");
  if (SSL_CTX_use_PrivateKey(ctx_.get(), certificate_->privateKey()) != 1) return failed("loading the key");
  if (SSL_CTX_check_private_key(ctx_.get()) != 1) return failed("matching the key to the certificate");
  if (SSL_CTX_set_cipher_list(ctx_.get(), kCipherList) != 1) return failed("setting the cipher list");
  // RFC 5763 §5: both sides present a certificate; it is self-signed and checked against a=fingerprint only.
  SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verifyCallback);
  // RFC 5764 §4.1.1: the use_srtp extension. (This one returns 0 on success.)
  if (SSL_CTX_set_tlsext_use_srtp(ctx_.get(), kSrtpProfiles) != 0)
    return failed("offering the SRTP profiles");
  // No MTU discovery through the BIO (config.mtu is the size), no tickets or renegotiation (one handshake
  // per association: RFC 5764 §4.1.3 is silent on resumption, and WebRTC peers do not resume).
  SSL_CTX_set_options(ctx_.get(), SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_session_cache_mode(ctx_.get(), SSL_SESS_CACHE_OFF);

  ssl_.reset(SSL_new(ctx_.get()));
  if (!ssl_) return failed("SSL_new");
  if (SSL_set_ex_data(ssl_.get(), exDataIndex(), this) != 1) return failed("SSL_set_ex_data");
  BIO* readBio = BIO_new(BIO_s_mem());
  BIO* writeBio = BIO_new(writeMethod());
  if (readBio == nullptr || writeBio == nullptr) {
    BIO_free(readBio);
    BIO_free(writeBio);
    return failed("creating the BIOs");
  }
  // An empty read BIO means "no datagram yet" (retry), not end of file.
  BIO_set_mem_eof_return(readBio, -1);
  BIO_set_data(writeBio, this);
  SSL_set_bio(ssl_.get(), readBio, writeBio);  // the SSL owns both from here
  readBio_ = readBio;

  // config.mtu is the datagram payload: handshake messages are fragmented to fit it (RFC 6347 §4.2.3).
  if (config_.mtu > static_cast<size_t>(std::numeric_limits<long>::max()) ||
      SSL_set_mtu(ssl_.get(), static_cast<long>(config_.mtu)) <= 0) {  // answers the MTU it took, or 0
    return core::makeError("DTLS setup: MTU " + std::to_string(config_.mtu) +
                           " is below what OpenSSL accepts");
  }
  DTLS_set_timer_cb(ssl_.get(), timerCallback);
  return {};
}

int DtlsTransport::Impl::bioCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

int DtlsTransport::Impl::bioDestroy(BIO* bio) {
  BIO_set_data(bio, nullptr);  // the Impl is not owned by the BIO
  return 1;
}

int DtlsTransport::Impl::bioWrite(BIO* bio, const char* data, int length) {
  BIO_clear_retry_flags(bio);
  auto* impl = static_cast<Impl*>(BIO_get_data(bio));
  if (impl == nullptr || data == nullptr || length <= 0) return length == 0 ? 0 : -1;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data);
  impl->outbox_.emplace_back(bytes, bytes + length);
  return length;
}

long DtlsTransport::Impl::bioCtrl(BIO* bio, int command, long /*larg*/, void* /*parg*/) {
  auto* impl = static_cast<Impl*>(BIO_get_data(bio));
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;  // every write is already a datagram in the outbox
    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
      return impl != nullptr ? static_cast<long>(impl->config_.mtu) : 0;
    default:
      // BIO_CTRL_PENDING and _WPENDING: nothing is held back here (OpenSSL's own buffer counts its bytes).
      // BIO_CTRL_DGRAM_GET_MTU_OVERHEAD: config.mtu already is the payload size. No peer address (sans-I/O),
      // no socket timeouts, no MTU exceeded: _GET_PEER, _SET_CONNECTED, _SET_NEXT_TIMEOUT, _MTU_EXCEEDED.
      return 0;
  }
}

unsigned int DtlsTransport::Impl::timerCallback(SSL* ssl, unsigned int previousUs) {
  auto* impl = static_cast<Impl*>(SSL_get_ex_data(ssl, exDataIndex()));
  if (impl == nullptr) return previousUs == 0 ? 1000000 : previousUs;
  // 0: a new flight starts the schedule again (RFC 6347 §4.2.4.1); otherwise a timeout is being handled and
  // the flight is about to be resent: double the interval up to the maximum.
  if (previousUs == 0) return toMicros(impl->config_.initialRetransmit);
  ++impl->stats_.retransmissions;
  const auto doubled = std::chrono::microseconds(2ULL * previousUs);
  return toMicros(std::min<core::Duration>(doubled, std::max(impl->config_.maxRetransmit, kMinRetransmit)));
}

int DtlsTransport::Impl::verifyCallback(int /*preverifyOk*/, X509_STORE_CTX* store) {
  // RFC 5763 §5: the chain is self-signed and not validated (every preverify failure is accepted); the
  // certificate is trusted only if its fingerprint is the one the peer's SDP announced.
  if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* impl = ssl != nullptr ? static_cast<Impl*>(SSL_get_ex_data(ssl, exDataIndex())) : nullptr;
  if (impl == nullptr) return 0;
  if (impl->checkPeerCertificate(X509_STORE_CTX_get_current_cert(store))) return 1;
  // OpenSSL then fails the handshake and sends a fatal bad_certificate alert (RFC 5246 §7.2.2).
  X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
  return 0;
}

bool DtlsTransport::Impl::checkPeerCertificate(X509* certificate) {
  if (remoteFingerprint_.empty()) {
    verifyFailure_ = "the peer's certificate arrived before its a=fingerprint was set";
    return false;
  }
  auto actual = certificateFingerprint(certificate, remoteHash_);
  if (!actual) {
    verifyFailure_ = "cannot fingerprint the peer's certificate: " + actual.error().message;
    return false;
  }
  if (*actual == remoteFingerprint_) return true;
  verifyFailure_ = "DTLS fingerprint mismatch: a=fingerprint is " + remoteHash_ + " " + remoteFingerprint_ +
                   ", the peer's certificate has " + remoteHash_ + " " + *actual;
  return false;
}

void DtlsTransport::Impl::start(DtlsRole role) {
  if (state_ != State::kNew) return;
  if (!setupError_.empty()) {
    fail(DtlsFailure::kHandshakeFailed, setupError_);
    deliver();
    return;
  }
  role_ = role;
  state_ = State::kConnecting;
  handshakeTimer_.start(config_.handshakeTimeout, [this] { onHandshakeTimeout(); });
  if (role == DtlsRole::kClient) {
    SSL_set_connect_state(ssl_.get());
    ERR_clear_error();
    const int result = SSL_do_handshake(ssl_.get());  // writes the ClientHello
    if (result == 1) {
      completeHandshake();
    } else {
      handleSslError(result, true);
    }
  } else {
    SSL_set_accept_state(ssl_.get());
  }
  rearmRetransmit();
  deliver();
}

void DtlsTransport::Impl::receive(std::span<const uint8_t> datagram) {
  ++stats_.datagramsIn;
  if (state_ != State::kConnecting && state_ != State::kConnected) {
    ++stats_.dropped;  // not started yet, or failed or closed: nothing is received afterwards
    return;
  }
  if (!wellFramed(datagram) || datagram.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    ++stats_.dropped;
    return;
  }
  ERR_clear_error();
  // One datagram at a time: the read BIO is empty here, so OpenSSL reads exactly this datagram.
  if (BIO_write(readBio_, datagram.data(), static_cast<int>(datagram.size())) !=
      static_cast<int>(datagram.size())) {
    ++stats_.dropped;
    ERR_clear_error();
    return;
  }
  if (state_ == State::kConnecting) {
    ERR_clear_error();
    const int result = SSL_do_handshake(ssl_.get());
    if (result == 1) {
      completeHandshake();
    } else {
      handleSslError(result, true);
    }
  }
  // Records after the handshake (or behind the Finished in the same datagram): application data is read and
  // discarded (no data channels), a retransmitted Finished makes OpenSSL resend our last flight, and
  // close_notify ends the association.
  if (state_ == State::kConnected) readApplicationData();
  (void)BIO_reset(readBio_);  // whatever OpenSSL left of this datagram is not read with the next one
  ERR_clear_error();
  rearmRetransmit();
  deliver();
}

void DtlsTransport::Impl::readApplicationData() {
  std::array<uint8_t, kReadChunk> buffer{};
  for (;;) {
    ERR_clear_error();
    const int result = SSL_read(ssl_.get(), buffer.data(), static_cast<int>(buffer.size()));
    if (result > 0) continue;
    handleSslError(result, false);
    return;
  }
}

void DtlsTransport::Impl::handleSslError(int result, bool handshaking) {
  const int error = SSL_get_error(ssl_.get(), result);
  switch (error) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      ERR_clear_error();
      return;  // waiting for the next datagram
    case SSL_ERROR_ZERO_RETURN:
      ERR_clear_error();
      if (handshaking) {
        fail(DtlsFailure::kHandshakeFailed, "the peer sent close_notify during the DTLS handshake");
        return;
      }
      // RFC 5246 §7.2.1: the peer closed; answer with our close_notify and stop.
      state_ = State::kClosed;
      retransmitTimer_.cancel();
      handshakeTimer_.cancel();
      ERR_clear_error();
      (void)SSL_shutdown(ssl_.get());
      ERR_clear_error();
      pendingClosed_ = true;
      return;
    default:
      break;
  }
  if (!verifyFailure_.empty()) {
    ERR_clear_error();
    fail(DtlsFailure::kFingerprintMismatch, verifyFailure_);
    return;
  }
  const unsigned long code = ERR_peek_error();
  const bool openSslGaveUp =
      ERR_GET_LIB(code) == ERR_LIB_SSL && ERR_GET_REASON(code) == SSL_R_READ_TIMEOUT_EXPIRED;
  std::string reason = takeOpensslError("SSL_get_error " + std::to_string(error));
  if (openSslGaveUp) {
    fail(DtlsFailure::kTimeout, "OpenSSL gave up retransmitting the flight (" + reason + ")");
    return;
  }
  fail(DtlsFailure::kHandshakeFailed,
       (handshaking ? "DTLS handshake failed: " : "DTLS failed after the handshake: ") + reason);
}

void DtlsTransport::Impl::completeHandshake() {
  // The verify callback has checked the certificate already; checking the leaf again here also covers a
  // handshake in which OpenSSL did not call it.
  X509* peer = SSL_get0_peer_certificate(ssl_.get());
  if (peer == nullptr) {
    fail(DtlsFailure::kFingerprintMismatch, "the peer sent no certificate (RFC 5763 §5)");
  } else if (!checkPeerCertificate(peer)) {
    fail(DtlsFailure::kFingerprintMismatch, verifyFailure_);
  }
  if (state_ == State::kFailed) {
    (void)SSL_shutdown(ssl_.get());  // the handshake is over: close_notify is the alert left to send
    ERR_clear_error();
    return;
  }

  // RFC 5764 §4.1.2: the server selected one of our profiles; without one there are no SRTP keys.
  const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl_.get());
  const std::optional<srtp::Profile> profile = selected != nullptr && selected->id <= 0xFFFF
                                                   ? srtp::profileFromId(static_cast<uint16_t>(selected->id))
                                                   : std::nullopt;
  if (!profile) {
    fail(DtlsFailure::kHandshakeFailed,
         selected == nullptr
             ? "no SRTP profile was negotiated (use_srtp, RFC 5764 §4.1.2)"
             : "the negotiated SRTP profile " + std::string(selected->name) + " is not supported");
    (void)SSL_shutdown(ssl_.get());
    ERR_clear_error();
    return;
  }

  // RFC 5764 §4.2: 2 * (key + salt) bytes from the exporter, no context, split as
  //   client_write_SRTP_master_key | server_write_SRTP_master_key |
  //   client_write_SRTP_master_salt | server_write_SRTP_master_salt
  const size_t keyLength = srtp::masterKeyLength(*profile);
  const size_t saltLength = srtp::masterSaltLength(*profile);
  std::vector<uint8_t> material(2 * (keyLength + saltLength));
  ERR_clear_error();
  if (SSL_export_keying_material(ssl_.get(), material.data(), material.size(), kExporterLabel.data(),
                                 kExporterLabel.size(), nullptr, 0, 0) != 1) {
    fail(DtlsFailure::kHandshakeFailed,
         "exporting the SRTP keys failed (" + takeOpensslError("no OpenSSL error queued") + ")");
    return;
  }
  const auto at = [&](size_t offset, size_t length) {
    return std::vector<uint8_t>(material.begin() + static_cast<std::ptrdiff_t>(offset),
                                material.begin() + static_cast<std::ptrdiff_t>(offset + length));
  };
  std::vector<uint8_t> clientKey = at(0, keyLength);
  std::vector<uint8_t> serverKey = at(keyLength, keyLength);
  std::vector<uint8_t> clientSalt = at(2 * keyLength, saltLength);
  std::vector<uint8_t> serverSalt = at(2 * keyLength + saltLength, saltLength);
  OPENSSL_cleanse(material.data(), material.size());

  SrtpKeyMaterial keys;
  keys.profile = *profile;
  const bool client = role_ == DtlsRole::kClient;
  keys.localKey = std::move(client ? clientKey : serverKey);
  keys.localSalt = std::move(client ? clientSalt : serverSalt);
  keys.remoteKey = std::move(client ? serverKey : clientKey);
  keys.remoteSalt = std::move(client ? serverSalt : clientSalt);

  state_ = State::kConnected;
  handshakeTimer_.cancel();
  pendingConnected_ = std::move(keys);
}

void DtlsTransport::Impl::fail(DtlsFailure failure, std::string reason) {
  if (state_ == State::kFailed || state_ == State::kClosed) return;
  state_ = State::kFailed;
  retransmitTimer_.cancel();
  handshakeTimer_.cancel();
  pendingConnected_.reset();
  pendingFailure_.emplace(failure, std::move(reason));
}

void DtlsTransport::Impl::rearmRetransmit() {
  // While OpenSSL has a flight outstanding it reports when to resend it; after the handshake (and for the
  // server's final flight, which OpenSSL resends when the client's Finished comes again) there is none.
  timeval left{};
  if (state_ != State::kConnecting || SSL_ctrl(ssl_.get(), DTLS_CTRL_GET_TIMEOUT, 0, &left) != 1) {
    retransmitTimer_.cancel();
    return;
  }
  const core::Duration delay = std::chrono::seconds(left.tv_sec) + std::chrono::microseconds(left.tv_usec);
  retransmitTimer_.start(delay, [this] { onRetransmitTimer(); });
}

void DtlsTransport::Impl::onRetransmitTimer() {
  if (state_ != State::kConnecting) return;
  ERR_clear_error();
  // RFC 6347 §4.2.4: resend the last flight. 0 means OpenSSL's deadline has not come yet (its clock is
  // gettimeofday(), ours the TimerQueue's); rearmRetransmit() then waits for it.
  const long result = SSL_ctrl(ssl_.get(), DTLS_CTRL_HANDLE_TIMEOUT, 0, nullptr);
  if (result < 0) handleSslError(static_cast<int>(result), true);
  ERR_clear_error();
  rearmRetransmit();
  deliver();
}

void DtlsTransport::Impl::onHandshakeTimeout() {
  if (state_ != State::kConnecting) return;
  fail(DtlsFailure::kTimeout,
       "DTLS handshake not complete after " +
           std::to_string(
               std::chrono::duration_cast<std::chrono::milliseconds>(config_.handshakeTimeout).count()) +
           " ms (" + std::to_string(stats_.retransmissions) + " retransmissions)");
  deliver();
}

void DtlsTransport::Impl::close() {
  if (state_ == State::kClosed || state_ == State::kFailed) return;
  const bool connected = state_ == State::kConnected;
  state_ = State::kClosed;
  retransmitTimer_.cancel();
  handshakeTimer_.cancel();
  // The owner asked to stop: nothing more is reported to it.
  pendingConnected_.reset();
  pendingClosed_ = false;
  if (connected) {
    ERR_clear_error();
    (void)SSL_shutdown(ssl_.get());  // RFC 5246 §7.2.1: close_notify
    ERR_clear_error();
  }
  deliver();
}

void DtlsTransport::Impl::deliver() {
  // Re-entrancy: a callback may call close() (or receive() through a synchronous link); the outermost
  // deliver() keeps going until everything queued is out, so nothing is delivered twice or out of order.
  if (delivering_) return;
  delivering_ = true;
  for (;;) {
    if (!outbox_.empty()) {
      const std::vector<uint8_t> datagram = std::move(outbox_.front());
      outbox_.pop_front();
      ++stats_.datagramsOut;
      if (listener_.send) listener_.send(datagram);
    } else if (pendingConnected_) {
      const SrtpKeyMaterial keys = std::move(*pendingConnected_);
      pendingConnected_.reset();
      if (listener_.onConnected) listener_.onConnected(keys);
    } else if (pendingClosed_) {
      pendingClosed_ = false;
      if (listener_.onClosed) listener_.onClosed();
    } else if (pendingFailure_) {
      const auto [failure, reason] = std::move(*pendingFailure_);
      pendingFailure_.reset();
      if (listener_.onFailed) listener_.onFailed(failure, reason);
    } else {
      break;
    }
  }
  delivering_ = false;
}

DtlsTransport::DtlsTransport(core::TimerQueue& timers, std::shared_ptr<const DtlsCertificate> certificate,
                             DtlsConfig config, Listener listener)
    : impl_(std::make_unique<Impl>(timers, std::move(certificate), config, std::move(listener))) {}

// The Impl's Timer members cancel whatever is still scheduled; SSL_free frees both BIOs.
DtlsTransport::~DtlsTransport() = default;

core::Result<void> DtlsTransport::setRemoteFingerprint(std::string_view hashFunction,
                                                       std::string_view value) {
  const EVP_MD* md = knownDigest(hashFunction);
  if (md == nullptr) {
    return core::makeError("unknown a=fingerprint hash function '" + std::string(hashFunction) +
                           "' (RFC 8122 §5: sha-1, sha-224, sha-256, sha-384 or sha-512)");
  }
  // RFC 8122 §5: fingerprint = 2UHEX *(":" 2UHEX); lower-case digits are accepted too.
  const auto size = static_cast<size_t>(EVP_MD_get_size(md));
  std::string normalized;
  normalized.reserve(value.size());
  bool wellFormed = value.size() == size * 3 - 1;
  for (size_t i = 0; wellFormed && i < value.size(); ++i) {
    const char c = value[i];
    if (i % 3 == 2) {
      wellFormed = c == ':';
      normalized += ':';
    } else {
      wellFormed = core::isHexDigit(c);
      normalized += (c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c;
    }
  }
  if (!wellFormed) {
    return core::makeError("malformed a=fingerprint value '" + std::string(value.substr(0, 200)) +
                           "': " + std::string(hashFunction) + " needs " + std::to_string(size) +
                           " colon-separated hex pairs (RFC 8122 §5)");
  }
  impl_->remoteHash_ = std::string(hashFunction);
  for (char& c : impl_->remoteHash_) c = core::toLowerAscii(c);
  impl_->remoteFingerprint_ = std::move(normalized);
  return {};
}

void DtlsTransport::start(DtlsRole role) {
  impl_->start(role);
}

void DtlsTransport::receive(std::span<const uint8_t> datagram) {
  impl_->receive(datagram);
}

void DtlsTransport::close() {
  impl_->close();
}

bool DtlsTransport::connected() const {
  return impl_->state_ == Impl::State::kConnected;
}

bool DtlsTransport::failed() const {
  return impl_->state_ == Impl::State::kFailed;
}

const DtlsStats& DtlsTransport::stats() const {
  return impl_->stats_;
}

}  // namespace callgate::webrtc::dtls
