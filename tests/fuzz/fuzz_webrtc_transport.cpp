// libFuzzer target: one WebRtcTransport (ICE-lite, DTLS-SRTP, SRTP over one 5-tuple) on a virtual clock, fed
// datagrams from the wire. OpenSSL's DTLS timer follows the same clock through the unit tests' gettimeofday()
// stand-in, so a run does not depend on the machine's time.
//
//   byte 0   flags   bit 0: the first datagram is replaced by a valid ICE check (USERNAME local:remote,
//                           MESSAGE-INTEGRITY with the local ice-pwd, FINGERPRINT), so that its source is
//                           validated and DTLS and SRTP get past the ICE gate
//                    bit 1: the injected checks carry no USE-CANDIDATE (validated, not selected)
//                    bit 2: the injected checks use MESSAGE-INTEGRITY-SHA256
//                    bit 3: the gateway is the DTLS client (its a=setup:active): it sends a ClientHello on
//                           selection
//                    bit 4: close() after the last datagram
//   then records, until the input ends:
//     length (2 bytes, big-endian; cut to what is left) | meta (1 byte) | datagram (length bytes)
//     meta bit 7 picks the source address (B instead of A); bits 0-6 are v: after the datagram the clock
//     moves v * v * 5 ms (up to 80 s: past the ICE connect, consent and DTLS handshake timeouts), firing
//     timers. A record of length 0 is a valid ICE check as well (the fuzzer cannot compute an HMAC): it lets
//     an input validate the second address, renew consent or move the selection.
//
// Nothing may crash, leak or hit UB. Oracles (a broken one traps): each receive() is counted exactly once in
// TransportStats; the transport sends only to the two sources; every STUN datagram it sends parses and
// carries a valid FINGERPRINT; DTLS goes only to an address that got a STUN success response; onFailed fires
// at most once and nothing is sent after it (RFC 7675 §5.1: transmission ceases when consent expires).
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "../unit/webrtc/dtls/openssl_virtual_time.hpp"
#include "core/clock.hpp"
#include "core/timer_queue.hpp"
#include "rtp/demux.hpp"
#include "webrtc/dtls/dtls_certificate.hpp"
#include "webrtc/dtls/dtls_transport.hpp"
#include "webrtc/stun/integrity.hpp"
#include "webrtc/stun/stun_builder.hpp"
#include "webrtc/stun/stun_message.hpp"
#include "webrtc/transport/webrtc_transport.hpp"

using namespace callgate;
using namespace callgate::webrtc;

namespace {

constexpr uint8_t kFlagInjectCheck = 0x01;
constexpr uint8_t kFlagNoUseCandidate = 0x02;
constexpr uint8_t kFlagSha256 = 0x04;
constexpr uint8_t kFlagDtlsClient = 0x08;
constexpr uint8_t kFlagClose = 0x10;

constexpr std::string_view kLocalUfrag = "locU";
constexpr std::string_view kLocalPwd = "localpasswordlocalpasswd";
constexpr std::string_view kRemoteUfrag = "rmtU";
constexpr std::string_view kRemotePwd = "remotepasswordremotepass";
// Some peer certificate's SHA-256: no input can present a certificate that matches it.
constexpr std::string_view kRemoteFingerprint =
    "6B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1F:82:5A:55:0E:8C:2C:2C:2C:2C:2C:2C";

// Spare bytes after each datagram: what the socket's buffer leaves for SRTP in place.
constexpr size_t kRoom = 64;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// Generated once: a P-256 key per input would dominate the run time. Kept until exit, reachable.
const std::shared_ptr<const dtls::DtlsCertificate>& certificate() {
  static const std::shared_ptr<const dtls::DtlsCertificate> cert = [] {
    auto generated = dtls::DtlsCertificate::generate("fuzz");
    check(generated.ok());
    return *generated;
  }();
  return cert;
}

const stun::StunAddress kSourceA = stun::StunAddress::ipv4({192, 0, 2, 10}, 50000);
const stun::StunAddress kSourceB =
    stun::StunAddress::ipv6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42}, 40000);

uint64_t counted(const TransportStats& s) {
  return s.stunIn + s.dtlsIn + s.rtpIn + s.rtcpIn + s.droppedTotal();
}

class Harness {
 public:
  explicit Harness(uint8_t flags)
      : flags_(flags), timers_(clock_), wallClock_(clock_), transport_(makeTransport()) {
    check(transport_
              ->setRemote(ice::IceCredentials{std::string(kRemoteUfrag), std::string(kRemotePwd)}, "sha-256",
                          kRemoteFingerprint,
                          (flags_ & kFlagDtlsClient) != 0 ? dtls::DtlsRole::kClient : dtls::DtlsRole::kServer)
              .ok());
    transport_->start();
  }

  // A Binding request as Chromium sends it, sealed with the local ice-pwd.
  void deliverCheck(const stun::StunAddress& from) {
    stun::TransactionId id{};
    for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<uint8_t>(checks_ >> (8 * (i % 8)));
    id[11] = 0xC7;
    ++checks_;
    stun::StunBuilder b(stun::StunClass::kRequest, stun::kMethodBinding, id);
    b.addUsername(std::string(kLocalUfrag) + ":" + std::string(kRemoteUfrag))
        .addPriority(1845501695)
        .addIceControlling(0x0123456789ABCDEFull);
    if ((flags_ & kFlagNoUseCandidate) == 0) b.addUseCandidate();
    auto bytes =
        b.finish((flags_ & kFlagSha256) != 0 ? stun::Integrity::kSha256 : stun::Integrity::kSha1, kLocalPwd);
    check(bytes.ok());
    deliver(*bytes, from);
  }

  void deliver(std::span<const uint8_t> datagram, const stun::StunAddress& from) {
    // Exactly the datagram and its room on the heap, so that a read or write past the room is caught.
    const size_t size = datagram.size();
    auto buffer = std::make_unique<uint8_t[]>(size + kRoom);
    std::copy(datagram.begin(), datagram.end(), buffer.get());
    const std::span<uint8_t> room(buffer.get(), size + kRoom);
    const uint64_t before = counted(transport_->stats());
    transport_->receive(room.first(size), room, from);
    check(counted(transport_->stats()) == before + 1);
  }

  void advance(core::Duration d) { timers_.advanceTo(clock_, clock_.now() + d); }
  void close() { transport_->close(); }

 private:
  std::unique_ptr<WebRtcTransport> makeTransport() {
    WebRtcTransport::Listener l;
    l.send = [this](std::span<const uint8_t> datagram, const stun::StunAddress& to) { onSend(datagram, to); };
    l.onConnected = [this] { check(!failed_); };
    l.onRtp = [this](std::span<uint8_t> packet, std::span<uint8_t> room) { onMedia(packet, room); };
    l.onRtcp = [this](std::span<uint8_t> packet, std::span<uint8_t> room) { onMedia(packet, room); };
    l.onFailed = [this](TransportFailure failure, const std::string& reason) {
      check(!failed_);
      check(!reason.empty() && !callInfoOf(failure).empty());
      failed_ = true;
    };
    return std::make_unique<WebRtcTransport>(
        timers_, ice::IceCredentials{std::string(kLocalUfrag), std::string(kLocalPwd)}, certificate(),
        WebRtcTransportConfig{}, std::move(l));
  }

  void onSend(std::span<const uint8_t> datagram, const stun::StunAddress& to) {
    check(!failed_);
    check(to == kSourceA || to == kSourceB);
    check(!datagram.empty());
    const bool toB = to == kSourceB;
    switch (rtp::classify(datagram)) {
      case rtp::PacketClass::kStun: {
        auto message = stun::parseStun(datagram);
        check(message.ok());
        check(stun::checkFingerprint(*message).ok());
        check(message->messageClass() == stun::StunClass::kSuccessResponse ||
              message->messageClass() == stun::StunClass::kErrorResponse);
        if (message->messageClass() == stun::StunClass::kSuccessResponse)
          (toB ? answeredB_ : answeredA_) = true;
        break;
      }
      case rtp::PacketClass::kDtls:
        // RFC 8445 §7.3.1.3, RFC 7675: DTLS only toward an address a valid check came from.
        check(toB ? answeredB_ : answeredA_);
        break;
      default:
        check(false);  // nothing else is sent without SRTP keys, which no input can obtain
    }
  }

  void onMedia(std::span<uint8_t> packet, std::span<uint8_t> room) {
    check(!failed_);
    check(packet.data() == room.data() && packet.size() <= room.size());
  }

  uint8_t flags_;
  core::ManualClock clock_;
  core::TimerQueue timers_;
  dtls::test::VirtualWallClock wallClock_;  // OpenSSL's DTLS timer follows clock_
  bool failed_ = false;
  bool answeredA_ = false;
  bool answeredB_ = false;
  uint64_t checks_ = 0;
  std::unique_ptr<WebRtcTransport> transport_;  // last: destroyed first, while the queue is still there
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  (void)certificate();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  const std::span<const uint8_t> input(data + 1, size - 1);
  Harness harness(flags);

  size_t offset = 0;
  bool first = true;
  while (input.size() - offset >= 3) {
    const size_t declared = static_cast<size_t>(input[offset]) << 8 | input[offset + 1];
    const uint8_t meta = input[offset + 2];
    offset += 3;
    const size_t length = std::min(declared, input.size() - offset);
    const std::span<const uint8_t> datagram = input.subspan(offset, length);
    offset += length;

    const stun::StunAddress& from = (meta & 0x80) != 0 ? kSourceB : kSourceA;
    if (length == 0 || (first && (flags & kFlagInjectCheck) != 0)) {
      harness.deliverCheck(from);
    } else {
      harness.deliver(datagram, from);
    }
    first = false;
    const unsigned v = meta & 0x7F;
    harness.advance(std::chrono::milliseconds(v * v * 5));
  }
  if ((flags & kFlagClose) != 0) harness.close();
  return 0;
}
