// Scenario tests of the gateway's SIP call state machine (SipCall through Session and SessionRegistry;
// PROTOCOL.md §3-5, ADR 0009): what the client sees (its status sequence, its one setRemoteSDP) and what the
// SIP peer receives, for outgoing and incoming calls.
//
// The SIP side runs on a virtual clock: a TransactionLayer and a UserAgent on a core::TimerQueue with a
// ManualClock, their sends captured by a TransportSink; the test plays the SIP peer (a SIP server for
// outgoing calls, a phone for incoming ones), reading what the gateway sent and answering what each scenario
// says. The client side is a Session with an attached listener collecting CallEvents.
//
// The media plane is real: MediaServices with one started net::MediaThread, a DTLS certificate and relays on
// 127.0.0.1 in a port range. Its postToControl queues functions that the test runs on its own thread (the
// "control loop", ControlLoop below), waiting with bounded deadlines for the media thread's reports. No
// media flows (no ICE): a call is ESTABLISHED by signalling alone.
#include "gateway/sip_call.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gateway/call_counters.hpp"
#include "gateway/media_services.hpp"
#include "gateway/session.hpp"
#include "gateway/session_registry.hpp"
#include "net/media_thread.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/session_description.hpp"
#include "sdp/sip_sdp.hpp"
#include "sip/auth/digest_credentials.hpp"
#include "sip/auth/digest_response.hpp"
#include "sip/dns/server_locator.hpp"
#include "sip/message/parser.hpp"
#include "sip/message/writer.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "sip/transport/error_response.hpp"
#include "sip/ua/user_agent.hpp"
#include "webrtc/dtls/dtls_certificate.hpp"

namespace callgate::gateway {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

constexpr auto kMediaTimeout = 5s;  // one round trip to the media thread (a relay opens its sockets)
constexpr uint16_t kPortMin = 47000;
constexpr uint16_t kPortMax = 47999;

// The SIP server of outgoing calls (the account's domain and port) and the phone of incoming ones.
const sip::Endpoint kServer{sip::TransportProtocol::kUdp, "127.0.0.1", 5060};
const sip::Endpoint kPhone{sip::TransportProtocol::kUdp, "127.0.0.1", 5070};
constexpr std::string_view kServerTag = "srv-tag";
constexpr std::string_view kServerContact = "<sip:3001@127.0.0.1:5060>";

std::string readSdpFile(const std::string& name) {
  std::ifstream in(std::string(CALLGATE_TEST_DATA_DIR) + "/sdp/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The captured Chromium offer (opus 111, red 63, G722 9, PCMU 0, PCMA 8, CN 13, telephone-event 110/48000
// and 126/8000).
const std::string& chromiumOffer() {
  static const std::string offer = readSdpFile("chromium-offer-audio.sdp");
  return offer;
}

// `text` with its lines passed through `edit` (which returns nullopt to drop one); CRLF kept.
std::string editLines(const std::string& text,
                      const std::function<std::optional<std::string>(const std::string&)>& edit) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (auto kept = edit(line)) out += *kept + "\r\n";
  }
  return out;
}

// The Chromium offer without PCMU and PCMA: what a client that offers no G.711 sends.
std::string offerWithoutG711() {
  return editLines(chromiumOffer(), [](const std::string& line) -> std::optional<std::string> {
    if (std::string_view(line).starts_with("m=audio "))
      return std::string("m=audio 38841 UDP/TLS/RTP/SAVPF 111 63 9 13 110 126");
    if (std::string_view(line).starts_with("a=rtpmap:0 ") ||
        std::string_view(line).starts_with("a=rtpmap:8 "))
      return std::nullopt;
    return line;
  });
}

// The captured Chromium answer (its ICE credentials, fingerprint, a=setup:active) as Chromium writes it to an
// offer of PCMU, PCMA and telephone-event 101, with `formats` ("8 0 101": PCMA preferred) on its m-line.
std::string chromiumAnswer(const std::string& formats) {
  return editLines(readSdpFile("chromium-answer-audio.sdp"),
                   [&](const std::string& line) -> std::optional<std::string> {
                     if (std::string_view(line).starts_with("m=audio "))
                       return "m=audio 9 UDP/TLS/RTP/SAVPF " + formats;
                     if (std::string_view(line).starts_with("a=rtpmap:111 ") ||
                         std::string_view(line).starts_with("a=fmtp:111 ") ||
                         std::string_view(line).starts_with("a=rtpmap:9 ")) {
                       return std::nullopt;
                     }
                     return line;
                   });
}

// A SIP peer's SDP (RFC 3264, as Asterisk or a phone writes it) with static RFC 3551 payload types and
// telephone-event 101.
// `rtcpPort`: an a=rtcp line (RFC 3605) sending the relay's RTCP for the SIP side there.
std::string peerSdp(uint16_t port, const std::vector<int>& payloads, std::string_view direction = "sendrecv",
                    int version = 1, std::optional<uint16_t> rtcpPort = std::nullopt) {
  std::string formats;
  std::string maps;
  for (int pt : payloads) {
    formats += " " + std::to_string(pt);
    switch (pt) {
      case 0:
        maps += "a=rtpmap:0 PCMU/8000\r\n";
        break;
      case 8:
        maps += "a=rtpmap:8 PCMA/8000\r\n";
        break;
      case 18:
        maps += "a=rtpmap:18 G729/8000\r\na=fmtp:18 annexb=no\r\n";
        break;
      case 101:
        maps += "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n";
        break;
      default:
        ADD_FAILURE() << "peerSdp: no rtpmap for " << pt;
    }
  }
  if (rtcpPort) maps += "a=rtcp:" + std::to_string(*rtcpPort) + "\r\n";
  return "v=0\r\no=peer 4242 " + std::to_string(version) +
         " IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " + std::to_string(port) +
         " RTP/AVP" + formats + "\r\n" + maps + "a=ptime:20\r\na=" + std::string(direction) + "\r\n";
}

// Whether a UDP port of 127.0.0.1 is taken: the relay binds its sockets without SO_REUSEADDR.
bool udpPortTaken(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool taken =
      ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 && errno == EADDRINUSE;
  ::close(fd);
  return taken;
}

// A UDP socket of the SIP peer's media on 127.0.0.1, a port the kernel picks: where its SDP asks for the
// relay's RTCP. The relay reports to the SIP side every 0.5-1.5 s once started (RFC 3550 §6.3.1), whether
// or not media flows, and sends nothing there while the SIP side holds the call: what it sends shows where
// the relay's SIP side is, with no client media.
class RtcpListener {
 public:
  RtcpListener() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) return;
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~RtcpListener() {
    if (fd_ >= 0) ::close(fd_);
  }
  RtcpListener(const RtcpListener&) = delete;
  RtcpListener& operator=(const RtcpListener&) = delete;

  uint16_t port() const { return port_; }

  // Whether an RTCP compound (version 2, SR/RR/SDES/BYE/APP first) comes within `timeout`.
  bool receivesRtcp(std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      uint8_t buffer[1500];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n >= 8 && (buffer[0] >> 6) == 2 && buffer[1] >= 200 && buffer[1] <= 204) return true;
    }
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

constexpr auto kRtcpTimeout = 3s;  // twice the longest RTCP interval
constexpr auto kRtcpQuiet = 2s;    // longer than the longest RTCP interval: nothing comes

bool inPortRange(uint16_t port) {
  return port >= kPortMin && port <= kPortMax;
}

// The URI inside a name-addr ("<sip:x@h;cg=t>;tag=1" -> "sip:x@h;cg=t").
std::string uriOf(std::string_view nameAddr) {
  const size_t open = nameAddr.find('<');
  const size_t close = nameAddr.find('>', open);
  if (open == std::string_view::npos || close == std::string_view::npos) return std::string(nameAddr);
  return std::string(nameAddr.substr(open + 1, close - open - 1));
}

// The control loop: what the media thread posts through MediaServices::postToControl, run on the test's
// thread when it waits.
class ControlLoop {
 public:
  void post(std::function<void()> fn) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(fn));
    }
    ready_.notify_one();
  }

  // Runs posted functions until `done` holds; false when `timeout` passed first.
  bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = kMediaTimeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      std::function<void()> fn;
      {
        std::unique_lock lock(mutex_);
        if (!ready_.wait_until(lock, deadline, [this] { return !queue_.empty(); })) return done();
        fn = std::move(queue_.front());
        queue_.pop_front();
      }
      fn();
    }
    return true;
  }

  // Runs what is queued now, without waiting.
  void runPending() {
    for (;;) {
      std::function<void()> fn;
      {
        std::lock_guard lock(mutex_);
        if (queue_.empty()) return;
        fn = std::move(queue_.front());
        queue_.pop_front();
      }
      fn();
    }
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
};

// Every message the gateway sends on the SIP side.
class CapturingSink final : public sip::TransportSink {
 public:
  struct Sent {
    sip::Endpoint to;
    std::string bytes;
  };
  bool send(const sip::Endpoint& to, std::string_view bytes) override {
    sent.push_back({to, std::string(bytes)});
    return true;
  }
  std::vector<Sent> sent;
};

// Numeric hosts need no DNS; anything else fails as NXDOMAIN.
class NoDns final : public sip::DnsResolver {
 public:
  void query(sip::DnsRecordType, std::string, Callback callback) override {
    sip::DnsAnswer answer;
    answer.status = sip::DnsStatus::kNotFound;
    callback(answer);
  }
};

std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate() {
  static const auto cert = webrtc::dtls::DtlsCertificate::generate("callgate").value();
  return cert;
}

media::WebRtcEndpointConfig endpointConfig() {
  media::WebRtcEndpointConfig c;
  c.bindAddress = "127.0.0.1";
  c.portMin = kPortMin;
  c.portMax = kPortMax;
  return c;
}

class SipCallTest : public ::testing::Test {
 protected:
  SipCallTest() {
    threads_.start();
    services_.calls.rtpTimeout = std::chrono::seconds(0);  // no media flows in these tests
    services_.calls.localSip = sip::Endpoint{sip::TransportProtocol::kUdp, "127.0.0.1", 5062};
  }

  void TearDown() override {
    // The sessions (and their calls, which post their relays' end to the media thread) go first, then the
    // media thread runs what was posted and stops, while MediaServices is still there.
    registry_.reset();
    threads_.stop();
  }

  // ---- the client ----------------------------------------------------------------------------------

  // A session of "3000" at 127.0.0.1:5060 that registers nowhere; its calls go to kServer.
  Session& openSession(bool attach = true) {
    SipAccount a;
    a.login = "3000";
    a.user = "3000";
    a.authName = "3000";
    a.password = "1234";
    a.domain = "127.0.0.1";
    a.port = 5060;
    auto created = registry_->create(false, a, json::object());
    EXPECT_TRUE(created);
    Session& s = **created;
    if (attach) {
      Session::Listener listener;
      listener.onCallEvent = [this](const CallEvent& event) { events_.push_back(event); };
      s.attach(std::move(listener));
    }
    s.start();
    return s;
  }

  static json outgoingCall(const std::string& callId) {
    return json{{"callId", callId},  {"incoming", false},   {"hasAudio", true},
                {"hasVideo", false}, {"status", "PENDING"}, {"mediaProvider", "WebRTC"},
                {"caller", "3000"},  {"callee", "3001"},    {"visibleName", "3000"}};
  }

  // Starts an outgoing call and waits for its INVITE (the relay is made on the media thread first).
  sip::Message startOutgoing(Session& s, json call, const std::string& offer = chromiumOffer()) {
    const size_t invites = count("INVITE");
    auto started = s.startCall(std::move(call), offer);
    EXPECT_TRUE(started) << started.error().message;
    EXPECT_TRUE(control_.runUntil([&] { return count("INVITE") > invites; })) << "no INVITE";
    return lastRequest("INVITE");
  }

  // An outgoing call "c1" answered 200 with `sdp` (ESTABLISHED); its INVITE.
  sip::Message establishOutgoing(Session& s, const std::string& sdp = peerSdp(40000, {0, 101})) {
    sip::Message invite = startOutgoing(s, outgoingCall("c1"));
    respond(invite, 180);
    respond(invite, 200, sdp);
    EXPECT_EQ(statuses("c1"), (Strings{"TRYING", "RING", "ESTABLISHED"}));
    return invite;
  }

  // The statuses the client saw for `callId`, in order.
  Strings statuses(const std::string& callId) const {
    Strings out;
    for (const CallEvent& e : events_) {
      if (e.callId == callId && e.kind == CallEvent::Kind::kStatus) out.push_back(e.call.value("status", ""));
    }
    return out;
  }
  // Every event of `callId`: "status TRYING", "sdp", "incoming RING".
  Strings kinds(const std::string& callId) const {
    Strings out;
    for (const CallEvent& e : events_) {
      if (e.callId != callId) continue;
      switch (e.kind) {
        case CallEvent::Kind::kStatus:
          out.push_back("status " + e.call.value("status", std::string()));
          break;
        case CallEvent::Kind::kRemoteSdp:
          out.emplace_back("sdp");
          break;
        case CallEvent::Kind::kIncoming:
          out.push_back("incoming " + e.call.value("status", std::string()));
          break;
      }
    }
    return out;
  }
  Strings remoteSdps(const std::string& callId) const {
    Strings out;
    for (const CallEvent& e : events_) {
      if (e.callId == callId && e.kind == CallEvent::Kind::kRemoteSdp) out.push_back(e.sdp);
    }
    return out;
  }
  // The call object of the last status event of `callId`.
  json lastCall(const std::string& callId) const {
    for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
      if (it->callId == callId && it->kind == CallEvent::Kind::kStatus) return it->call;
    }
    ADD_FAILURE() << "no status for " << callId;
    return json::object();
  }

  // ---- the SIP side --------------------------------------------------------------------------------

  static sip::Message parse(std::string_view text) {
    auto m = sip::parseMessage(text);
    EXPECT_TRUE(m) << (m ? "" : m.error().message) << "\n" << text;
    return m ? m->clone() : sip::Message{};
  }
  // "INVITE", "ACK", "180 INVITE", "487 INVITE", "200 BYE".
  static std::string summaryOf(const sip::Message& m) {
    if (m.isRequest()) return std::string(m.method());
    const std::string_view cseq = m.headerValue(sip::HeaderId::kCSeq);
    const size_t space = cseq.rfind(' ');
    return std::to_string(m.statusCode()) + " " +
           std::string(space == std::string_view::npos ? cseq : cseq.substr(space + 1));
  }
  // What the gateway sent on the SIP side, in order.
  Strings wire() const {
    Strings out;
    for (const auto& s : sink_.sent) out.push_back(summaryOf(parse(s.bytes)));
    return out;
  }
  size_t count(const std::string& summary) const {
    size_t n = 0;
    for (const std::string& s : wire()) n += s == summary ? 1 : 0;
    return n;
  }
  sip::Message lastSent(const std::string& summary) const {
    for (auto it = sink_.sent.rbegin(); it != sink_.sent.rend(); ++it) {
      sip::Message m = parse(it->bytes);
      if (summaryOf(m) == summary) return m;
    }
    ADD_FAILURE() << "the gateway sent no " << summary;
    return sip::Message{};
  }
  sip::Message lastRequest(const std::string& method) const { return lastSent(method); }

  // Gives `message` to the gateway's transaction layer as the transport would, from `from`.
  void deliver(const sip::Message& message, const sip::Endpoint& from) {
    received_.push_back(sip::toString(message));
    auto parsed = sip::parseMessage(std::string_view(received_.back()));
    ASSERT_TRUE(parsed) << parsed.error().message << "\n" << received_.back();
    layer_.receive(*parsed, from);
  }

  // The SIP server's response to `request` (RFC 3261 §8.2.6.2), its To tag kServerTag past 100, a Contact in
  // those that make a dialog, `sdp` as body, `extra` headers.
  void respond(const sip::Message& request, int status, const std::string& sdp = {},
               const std::vector<std::pair<std::string, std::string>>& extra = {},
               const sip::Endpoint& from = kServer) {
    sip::Message r = sip::makeResponse(request, status, "", status > 100 ? kServerTag : "", true);
    if (request.methodId() == sip::Method::kInvite && status > 100 && status < 300) {
      r.addHeader(sip::HeaderId::kContact, kServerContact);
    }
    for (const auto& [name, value] : extra) r.addHeader(name, value);
    if (!sdp.empty()) {
      r.addHeader(sip::HeaderId::kContentType, "application/sdp");
      r.setBody(sdp);
    }
    deliver(r, from);
  }

  // A request of the SIP server in the dialog of our outgoing `invite` (answered with kServerTag).
  void serverRequest(const sip::Message& invite, const std::string& method, uint32_t cseq,
                     const std::string& sdp = {}) {
    sip::Message m = sip::Message::request(method, uriOf(invite.headerValue(sip::HeaderId::kContact)));
    m.addHeader(sip::HeaderId::kVia,
                "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKsrv" + std::to_string(++branch_) + ";rport");
    m.addHeader(sip::HeaderId::kMaxForwards, "70");
    m.addHeader(sip::HeaderId::kFrom,
                std::string(invite.headerValue(sip::HeaderId::kTo)) + ";tag=" + std::string(kServerTag));
    m.addHeader(sip::HeaderId::kTo, invite.headerValue(sip::HeaderId::kFrom));
    m.addHeader(sip::HeaderId::kCallId, invite.headerValue(sip::HeaderId::kCallId));
    m.addHeader(sip::HeaderId::kCSeq, std::to_string(cseq) + " " + method);
    m.addHeader(sip::HeaderId::kContact, kServerContact);
    if (!sdp.empty()) {
      m.addHeader(sip::HeaderId::kContentType, "application/sdp");
      m.setBody(sdp);
    }
    deliver(m, kServer);
  }

  // ---- the phone of incoming calls -------------------------------------------------------------------

  // The phone's INVITE to `requestUri`, its offer `sdp` (empty: a delayed offer).
  sip::Message phoneInvite(const std::string& requestUri, const std::string& sdp,
                           std::string contentType = "application/sdp") {
    sip::Message m = sip::Message::request("INVITE", requestUri);
    m.addHeader(sip::HeaderId::kVia,
                "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKph" + std::to_string(++branch_));
    m.addHeader(sip::HeaderId::kMaxForwards, "70");
    m.addHeader(sip::HeaderId::kFrom, "\"Bob Phone\" <sip:3001@127.0.0.1>;tag=ph-tag");
    m.addHeader(sip::HeaderId::kTo, "<sip:3000@127.0.0.1>");
    m.addHeader(sip::HeaderId::kCallId, "in-" + std::to_string(branch_) + "@127.0.0.1");
    m.addHeader(sip::HeaderId::kCSeq, "1 INVITE");
    m.addHeader(sip::HeaderId::kContact, "<sip:3001@127.0.0.1:5070>");
    if (!sdp.empty()) {
      m.addHeader(sip::HeaderId::kContentType, contentType);
      m.setBody(sdp);
    }
    return m;
  }
  std::string requestUriFor(const Session& s) const {
    return "sip:3000@127.0.0.1:5062;cg=" + s.contactToken();
  }

  // Sends `invite` and waits until the client heard of the call; its callId.
  std::string ringIncoming(const sip::Message& invite) {
    deliver(invite, kPhone);
    EXPECT_TRUE(control_.runUntil([this] { return incomingCallId().has_value(); })) << "no incoming call";
    return incomingCallId().value_or("");
  }
  std::optional<std::string> incomingCallId() const {
    for (const CallEvent& e : events_) {
      if (e.kind == CallEvent::Kind::kIncoming) return e.callId;
    }
    return std::nullopt;
  }

  // A request of the phone in the dialog its `invite` made, the gateway's 2xx `ok` answering it.
  void phoneRequest(const sip::Message& invite, const sip::Message& ok, const std::string& method,
                    uint32_t cseq, const std::string& sdp = {}) {
    sip::Message m = sip::Message::request(method, uriOf(ok.headerValue(sip::HeaderId::kContact)));
    m.addHeader(sip::HeaderId::kVia,
                "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKph" + std::to_string(++branch_));
    m.addHeader(sip::HeaderId::kMaxForwards, "70");
    m.addHeader(sip::HeaderId::kFrom, invite.headerValue(sip::HeaderId::kFrom));
    m.addHeader(sip::HeaderId::kTo, ok.headerValue(sip::HeaderId::kTo));
    m.addHeader(sip::HeaderId::kCallId, invite.headerValue(sip::HeaderId::kCallId));
    m.addHeader(sip::HeaderId::kCSeq, std::to_string(cseq) + " " + method);
    if (!sdp.empty()) {
      m.addHeader(sip::HeaderId::kContentType, "application/sdp");
      m.setBody(sdp);
    }
    deliver(m, kPhone);
  }

  // The phone's CANCEL of `invite` (RFC 3261 §9.1: its Request-URI, top Via, From, To, Call-ID, CSeq number).
  void phoneCancel(const sip::Message& invite) {
    sip::Message m = sip::Message::request("CANCEL", invite.requestUri());
    m.addHeader(sip::HeaderId::kVia, invite.headerValue(sip::HeaderId::kVia));
    m.addHeader(sip::HeaderId::kMaxForwards, "70");
    m.addHeader(sip::HeaderId::kFrom, invite.headerValue(sip::HeaderId::kFrom));
    m.addHeader(sip::HeaderId::kTo, invite.headerValue(sip::HeaderId::kTo));
    m.addHeader(sip::HeaderId::kCallId, invite.headerValue(sip::HeaderId::kCallId));
    m.addHeader(sip::HeaderId::kCSeq, "1 CANCEL");
    deliver(m, kPhone);
  }

  // ---- time ------------------------------------------------------------------------------------------

  void advance(core::Duration d) { timers_.advanceTo(clock_, clock_.now() + d); }
  // What is due now on the SIP loop (the 0-delay reapers of calls, UA sessions and sessions).
  void runTimers() { advance(core::Duration::zero()); }

  ControlLoop control_;
  net::MediaThreads threads_{1};
  MediaServices media_{threads_, certificate(),
                       nullptr,  endpointConfig(),
                       "echo",   [this](std::function<void()> fn) { control_.post(std::move(fn)); }};
  core::ManualClock clock_;
  core::TimerQueue timers_{clock_};
  CapturingSink sink_;
  sip::TransactionLayer layer_{timers_, sink_};
  core::SeededRandom random_{7};
  NoDns dns_;
  sip::ServerLocator locator_{dns_, sip::ServerLocatorConfig{}};
  sip::UserAgent ua_{sip::InviteSessionContext{layer_, sink_, timers_, random_}, uaEvents()};
  CallCounters counters_;
  SessionServices services_{
      layer_,          ua_,  locator_, timers_,   random_, "127.0.0.1:5062", "127.0.0.1:5062",
      "callgate-test", 600s, &media_,  &counters_};
  std::optional<SessionRegistry> registry_{std::in_place, services_, SessionLimits{}};
  std::vector<CallEvent> events_;
  std::deque<std::string> received_;  // what was delivered: parsed messages view their text
  uint64_t branch_ = 0;

 private:
  sip::UserAgent::Events uaEvents() {
    sip::UserAgent::Events events;
    // As the app routes them: the session whose Contact token the Request-URI carries takes the INVITE.
    events.onInvite = [this](sip::UserAgent::SessionId id, const sip::Message& invite,
                             const sip::Endpoint&) -> std::optional<sip::UserAgent::IncomingCall> {
      if (!registry_) return std::nullopt;
      return registry_->incomingCall(id, invite);
    };
    return events;
  }
};

// ---- 1. Outgoing: the whole call ----------------------------------------------------------------------

TEST_F(SipCallTest, OutgoingRingsWithEarlyMediaAnswersTheClientOnceAndHangsUp) {
  Session& s = openSession();
  ASSERT_TRUE(s.startCall(outgoingCall("c1"), chromiumOffer()));
  // PROTOCOL.md §3: TRYING at once, before the relay exists and before any SIP.
  EXPECT_EQ(statuses("c1"), Strings{"TRYING"});
  EXPECT_TRUE(sink_.sent.empty());
  ASSERT_TRUE(control_.runUntil([this] { return count("INVITE") > 0; }));
  ASSERT_EQ(wire(), Strings{"INVITE"});
  EXPECT_EQ(sink_.sent[0].to, kServer);
  const sip::Message invite = lastRequest("INVITE");
  EXPECT_EQ(invite.requestUri(), "sip:3001@127.0.0.1:5060");

  respond(invite, 100);
  EXPECT_EQ(statuses("c1"), Strings{"TRYING"});
  respond(invite, 180);
  EXPECT_EQ(statuses("c1"), (Strings{"TRYING", "RING"}));
  EXPECT_TRUE(remoteSdps("c1").empty());

  // 183 with PCMA: the client gets its answer (before RING_MEDIA), with PCMA.
  respond(invite, 183, peerSdp(40000, {8, 101}));
  EXPECT_EQ(kinds("c1"), (Strings{"status TRYING", "status RING", "sdp", "status RING_MEDIA"}));
  const Strings sdps = remoteSdps("c1");
  ASSERT_EQ(sdps.size(), 1u);
  auto answer = sdp::parseSdp(sdps[0]);
  ASSERT_TRUE(answer) << answer.error().message << "\n" << sdps[0];
  EXPECT_TRUE(sdp::hasAttribute(answer->attributes, "ice-lite")) << sdps[0];
  ASSERT_EQ(answer->media.size(), 1u);
  const sdp::MediaDescription& m = answer->media[0];
  EXPECT_EQ(m.media, "audio");
  EXPECT_EQ(m.proto, "UDP/TLS/RTP/SAVPF");
  // The SIP codec under the client's payload type: PCMA 8, and telephone-event under the client's 126 (the
  // SIP side's is 101).
  EXPECT_EQ(m.formats, (Strings{"8", "126"})) << sdps[0];
  EXPECT_EQ(sdp::attributeValue(m.attributes, "rtpmap"), std::optional<std::string_view>("8 PCMA/8000"));
  EXPECT_NE(sdps[0].find("a=rtpmap:126 telephone-event/8000\r\n"), std::string::npos) << sdps[0];
  const std::string fingerprint = "sha-256 " + certificate()->fingerprint();
  EXPECT_EQ(sdp::attributeValue(m.attributes, "fingerprint"), std::optional<std::string_view>(fingerprint));
  // RFC 5763 §5: the client offered actpass; the gateway, ICE-lite, waits for its DTLS ClientHello.
  EXPECT_EQ(sdp::attributeValue(m.attributes, "setup"), std::optional<std::string_view>("passive"));
  // The relay's WebRTC port: in the range, bound, and the one of its host candidate.
  EXPECT_TRUE(inPortRange(m.port)) << m.port;
  EXPECT_TRUE(udpPortTaken(m.port)) << m.port;
  EXPECT_NE(sdps[0].find(" 127.0.0.1 " + std::to_string(m.port) + " typ host"), std::string::npos) << sdps[0];
  auto sipOffer = sdp::readSipSdp(invite.body());
  ASSERT_TRUE(sipOffer && sipOffer->audio);
  EXPECT_NE(sipOffer->audio->port, m.port);

  // 200 with the same codec on another port: ACK, ESTABLISHED, and no second setRemoteSDP.
  respond(invite, 200, peerSdp(40002, {8, 101}, "sendrecv", 2));
  EXPECT_EQ(wire(), (Strings{"INVITE", "ACK"}));
  EXPECT_EQ(kinds("c1"),
            (Strings{"status TRYING", "status RING", "sdp", "status RING_MEDIA", "status ESTABLISHED"}));
  EXPECT_EQ(registry_->callsByStatus(), (std::map<std::string, size_t>{{"ESTABLISHED", 1}}));

  ASSERT_TRUE(s.hangupCall("c1"));
  EXPECT_EQ(wire(), (Strings{"INVITE", "ACK", "BYE"}));
  EXPECT_EQ(statuses("c1").back(), "FINISH");
  EXPECT_EQ(lastCall("c1")["info"], "Normal call clearing");
  EXPECT_EQ(remoteSdps("c1").size(), 1u);
  respond(lastRequest("BYE"), 200);
  runTimers();
  EXPECT_EQ(s.callCount(), 0u);
  EXPECT_EQ(ua_.sessionCount(), 0u);
  EXPECT_FALSE(s.hangupCall("c1"));
  EXPECT_EQ(statuses("c1"), (Strings{"TRYING", "RING", "RING_MEDIA", "ESTABLISHED", "FINISH"}));
}

// ---- 2. Outgoing: refusals, challenges, timeouts -------------------------------------------------------

TEST_F(SipCallTest, Outgoing486IsBusy) {
  Session& s = openSession();
  const sip::Message invite = startOutgoing(s, outgoingCall("c1"));
  respond(invite, 180);
  respond(invite, 486);
  EXPECT_EQ(statuses("c1"), (Strings{"TRYING", "RING", "BUSY"}));
  EXPECT_EQ(lastCall("c1")["sipStatus"], 486);
  EXPECT_EQ(lastCall("c1")["info"], "Busy Here");
  EXPECT_EQ(wire(), (Strings{"INVITE", "ACK"}));  // the transaction layer ACKs the 486
  EXPECT_TRUE(remoteSdps("c1").empty());
  runTimers();
  EXPECT_EQ(s.callCount(), 0u);
}

TEST_F(SipCallTest, Outgoing404FailsWithTheReasonPhrase) {
  Session& s = openSession();
  const sip::Message invite = startOutgoing(s, outgoingCall("c1"));
  respond(invite, 100);
  respond(invite, 404);
  EXPECT_EQ(statuses("c1"), (Strings{"TRYING", "FAILED"}));
  EXPECT_EQ(lastCall("c1")["sipStatus"], 404);
  EXPECT_EQ(lastCall("c1")["info"], "Not Found");
  EXPECT_EQ(wire(), (Strings{"INVITE", "ACK"}));
}

TEST_F(SipCallTest, OutgoingProxyChallengeIsAnsweredWithCredentials) {
  Session& s = openSession();
  const sip::Message first = startOutgoing(s, outgoingCall("c1"));
  respond(
      first, 407, {},
      {{"Proxy-Authenticate", "Digest realm=\"127.0.0.1\", nonce=\"n407\", qop=\"auth\", algorithm=MD5"}});
  ASSERT_EQ(wire(), (Strings{"INVITE", "ACK", "INVITE"}));
  EXPECT_EQ(statuses("c1"), Strings{"TRYING"});  // a challenge is no news to the client
  const sip::Message second = lastRequest("INVITE");
  EXPECT_EQ(second.headerValue(sip::HeaderId::kCallId), first.headerValue(sip::HeaderId::kCallId));
  EXPECT_EQ(second.headerValue(sip::HeaderId::kCSeq), "2 INVITE");
  EXPECT_EQ(second.body(), first.body());
  const sip::HeaderField* authorization = second.header(sip::HeaderId::kProxyAuthorization);
  ASSERT_NE(authorization, nullptr);
  auto credentials = sip::auth::DigestCredentials::parse(authorization->value);
  ASSERT_TRUE(credentials) << credentials.error().message;
  EXPECT_EQ(credentials->realm, "127.0.0.1");
  EXPECT_EQ(credentials->nonce, "n407");
  EXPECT_EQ(credentials->uri, "sip:3001@127.0.0.1:5060");
  auto verified = sip::auth::verifyDigestCredentials(*credentials, "3000", "1234", "INVITE", second.body());
  EXPECT_TRUE(verified) << verified.error().message;

  respond(second, 200, peerSdp(40000, {0, 101}));
  EXPECT_EQ(kinds("c1"), (Strings{"status TRYING", "sdp", "status ESTABLISHED"}));
  EXPECT_EQ(wire().back(), "ACK");
}

TEST_F(SipCallTest, OutgoingNoAnswerTimeoutCancels) {
  services_.calls.noAnswerTimeout = std::chrono::seconds(20);
  Session& s = openSession();
  const sip::Message invite = startOutgoing(s, outgoingCall("c1"));
  respond(invite, 180);
  advance(19s);
  EXPECT_EQ(wire(), Strings{"INVITE"});
  EXPECT_EQ(statuses("c1"), (Strings{"TRYING", "RING"}));
  advance(1s);
  EXPECT_EQ(wire(), (Strings{"INVITE", "CANCEL"}));
  EXPECT_EQ(statuses("c1"), (Strings{"TRYING", "RING", "FAILED"}));
  EXPECT_EQ(lastCall("c1")["info"], "Failed by request timeout");
  EXPECT_EQ(lastCall("c1")["sipStatus"], 408);
  // The server ends the INVITE with 487: ACKed, nothing more for the client.
  respond(lastRequest("CANCEL"), 200);
  respond(invite, 487);
  EXPECT_EQ(wire(), (Strings{"INVITE", "CANCEL", "ACK"}));
  EXPECT_EQ(statuses("c1"), (Strings{"TRYING", "RING", "FAILED"}));
  runTimers();
  EXPECT_EQ(s.callCount(), 0u);
  EXPECT_EQ(ua_.sessionCount(), 0u);
}

TEST_F(SipCallTest, OutgoingTimerBFailsWithRequestTimeout) {
  Session& s = openSession();
  startOutgoing(s, outgoingCall("c1"));
  advance(31s);
  EXPECT_EQ(statuses("c1"), Strings{"TRYING"});
  // RFC 3261 §17.1.1.2: Timer B, 64*T1 = 32 s.
  advance(1s);
  EXPECT_EQ(statuses("c1"), (Strings{"TRYING", "FAILED"}));
  EXPECT_EQ(lastCall("c1")["info"], "Failed by request timeout");
  EXPECT_EQ(lastCall("c1")["sipStatus"], 408);
  EXPECT_EQ(count("CANCEL"), 0u);  // RFC 3261 §9.1: no CANCEL without a provisional response
  EXPECT_GT(count("INVITE"), 1u);  // Timer A retransmissions
  runTimers();
  EXPECT_EQ(s.callCount(), 0u);
}

// ---- 3. Outgoing: what the INVITE carries, and calls refused before any SIP ------------------------------

TEST_F(SipCallTest, InviteCarriesDisplayNameParametersSdpLinesAndTheCodecsInOrder) {
  Session& s = openSession();
  json call = outgoingCall("c1");
  call["visibleName"] = "Alice Smith";
  call["inviteParameters"] = json{{"X-Account-Id", "acme-42"}, {"X-Campaign", "spring sale"}};
  call["sipSDP"] = json::array({"a=X-nat:0", "b=AS:80"});
  const sip::Message invite = startOutgoing(s, call);
  const std::string from(invite.headerValue(sip::HeaderId::kFrom));
  EXPECT_EQ(from.rfind("\"Alice Smith\" <sip:3000@127.0.0.1>;tag=", 0), 0u) << from;
  ASSERT_NE(invite.header("X-Account-Id"), nullptr);
  EXPECT_EQ(invite.header("X-Account-Id")->value, "acme-42");
  ASSERT_NE(invite.header("X-Campaign"), nullptr);
  EXPECT_EQ(invite.header("X-Campaign")->value, "spring sale");
  EXPECT_NE(invite.headerValue(sip::HeaderId::kContact).find(";cg=" + s.contactToken()),
            std::string_view::npos);

  const std::string body(invite.body());
  EXPECT_NE(body.find("\r\na=X-nat:0\r\n"), std::string::npos) << body;
  EXPECT_NE(body.find("\r\nb=AS:80\r\n"), std::string::npos) << body;
  auto offer = sdp::readSipSdp(body);
  ASSERT_TRUE(offer && offer->audio) << body;
  const sdp::SipAudio& audio = *offer->audio;
  EXPECT_FALSE(audio.secure);
  EXPECT_EQ(audio.address, "127.0.0.1");
  EXPECT_TRUE(inPortRange(audio.port)) << audio.port;
  EXPECT_TRUE(udpPortTaken(audio.port)) << audio.port;
  ASSERT_EQ(audio.codecs.size(), 2u) << body;  // opus and G722 are not in media.codecs
  EXPECT_EQ(audio.codecs[0].name, "PCMU");
  EXPECT_EQ(audio.codecs[0].payloadType, 0);
  EXPECT_EQ(audio.codecs[1].name, "PCMA");
  EXPECT_EQ(audio.codecs[1].payloadType, 8);
  ASSERT_TRUE(audio.telephoneEvent);
  EXPECT_EQ(audio.telephoneEvent->payloadType, 101);

  // media.codecs in the other order: the offer follows it.
  services_.calls.codecs = {"PCMA", "PCMU"};
  const sip::Message second = startOutgoing(s, outgoingCall("c2"));
  auto reordered = sdp::readSipSdp(second.body());
  ASSERT_TRUE(reordered && reordered->audio);
  ASSERT_EQ(reordered->audio->codecs.size(), 2u);
  EXPECT_EQ(reordered->audio->codecs[0].name, "PCMA");
  EXPECT_EQ(reordered->audio->codecs[1].name, "PCMU");
}

TEST_F(SipCallTest, BadInviteParameterRefusesTheCallBeforeAnySip) {
  Session& s = openSession();
  for (const json& params : {json{{"Bad Name", "x"}}, json{{"X-Ok", "a\r\nX-Injected: 1"}}}) {
    events_.clear();
    json call = outgoingCall("c1");
    call["inviteParameters"] = params;
    auto started = s.startCall(call, chromiumOffer());
    ASSERT_FALSE(started) << params.dump();
    EXPECT_NE(started.error().message.find("call.inviteParameters"), std::string::npos)
        << started.error().message;
    EXPECT_EQ(statuses("c1"), Strings{"FAILED"});
    EXPECT_EQ(lastCall("c1")["info"], "Failed by session creation");
    control_.runPending();
    runTimers();
    EXPECT_TRUE(sink_.sent.empty());
    EXPECT_EQ(s.callCount(), 0u);
  }
}

TEST_F(SipCallTest, BadSipSdpLineRefusesTheCallBeforeAnySip) {
  Session& s = openSession();
  // Lines the SIP offer cannot carry: not an attribute or bandwidth line, a direction (hold and resume set
  // that), not one line.
  for (const json& lines : {json::array({"c=IN IP4 192.0.2.1"}), json::array({"a=sendonly"}),
                            json::array({"a=X-ok:1\r\na=X-injected:1"}), json("a=X-nat:0")}) {
    events_.clear();
    json call = outgoingCall("c1");
    call["sipSDP"] = lines;
    auto started = s.startCall(call, chromiumOffer());
    ASSERT_FALSE(started) << lines.dump();
    EXPECT_NE(started.error().message.find("call.sipSDP"), std::string::npos) << started.error().message;
    EXPECT_EQ(statuses("c1"), Strings{"FAILED"}) << lines.dump();
    EXPECT_EQ(lastCall("c1")["info"], "Failed by session creation");
    control_.runUntil([] { return false; }, 100ms);  // a relay's report, had one been asked for
    runTimers();
    EXPECT_TRUE(sink_.sent.empty()) << lines.dump();
    EXPECT_EQ(s.callCount(), 0u);
  }
}

TEST_F(SipCallTest, ClientOfferWithoutG711IsRefusedBeforeAnySip) {
  Session& s = openSession();
  auto started = s.startCall(outgoingCall("c1"), offerWithoutG711());
  ASSERT_FALSE(started);
  EXPECT_NE(started.error().message.find("No common codecs"), std::string::npos) << started.error().message;
  EXPECT_EQ(statuses("c1"), Strings{"FAILED"});
  EXPECT_EQ(lastCall("c1")["info"], "No common codecs");
  control_.runPending();
  runTimers();
  EXPECT_TRUE(sink_.sent.empty());
  EXPECT_EQ(s.callCount(), 0u);
}

TEST_F(SipCallTest, SipAnswerWithOnlyG729EndsTheCallWithBye) {
  Session& s = openSession();
  const sip::Message invite = startOutgoing(s, outgoingCall("c1"));
  respond(invite, 200, peerSdp(40000, {18, 101}));
  EXPECT_EQ(wire(), (Strings{"INVITE", "ACK", "BYE"}));
  EXPECT_EQ(statuses("c1"), (Strings{"TRYING", "FAILED"}));
  EXPECT_EQ(lastCall("c1")["info"], "No common codecs");
  EXPECT_TRUE(remoteSdps("c1").empty());
  respond(lastRequest("BYE"), 200);
  runTimers();
  EXPECT_EQ(s.callCount(), 0u);
  EXPECT_EQ(ua_.sessionCount(), 0u);
}

TEST_F(SipCallTest, AnswerThatChangesTheCodecAfterEarlyMediaEndsTheCall) {
  Session& s = openSession();
  const sip::Message invite = startOutgoing(s, outgoingCall("c1"));
  respond(invite, 183, peerSdp(40000, {8, 101}));
  // ADR 0009 §4: the client was answered with PCMA; a 2xx with PCMU cannot be followed without renegotiation.
  respond(invite, 200, peerSdp(40000, {0, 101}, "sendrecv", 2));
  EXPECT_EQ(wire(), (Strings{"INVITE", "ACK", "BYE"}));
  EXPECT_EQ(statuses("c1"), (Strings{"TRYING", "RING_MEDIA", "FAILED"}));
  EXPECT_EQ(lastCall("c1")["info"], "No common codecs");
  EXPECT_EQ(remoteSdps("c1").size(), 1u);
}

// ---- 4. Outgoing: the client hangs up while the INVITE is pending ----------------------------------------

TEST_F(SipCallTest, HangupWhileRingingCancelsAndThe487ChangesNothing) {
  Session& s = openSession();
  const sip::Message invite = startOutgoing(s, outgoingCall("c1"));
  respond(invite, 100);
  respond(invite, 180);
  ASSERT_TRUE(s.hangupCall("c1"));
  EXPECT_EQ(wire(), (Strings{"INVITE", "CANCEL"}));
  EXPECT_EQ(statuses("c1"), (Strings{"TRYING", "RING", "FINISH"}));
  const sip::Message cancel = lastRequest("CANCEL");
  EXPECT_EQ(cancel.headerValue(sip::HeaderId::kVia),
            invite.headerValue(sip::HeaderId::kVia));  // RFC 3261 §9.1
  EXPECT_EQ(cancel.headerValue(sip::HeaderId::kCSeq), "1 CANCEL");
  respond(cancel, 200);
  respond(invite, 487);
  EXPECT_EQ(wire(), (Strings{"INVITE", "CANCEL", "ACK"}));
  const sip::Message ack = lastRequest("ACK");
  EXPECT_EQ(ack.headerValue(sip::HeaderId::kCSeq), "1 ACK");
  EXPECT_EQ(ack.headerValue(sip::HeaderId::kVia),
            invite.headerValue(sip::HeaderId::kVia));  // RFC 3261 §17.1.1.3
  EXPECT_EQ(statuses("c1"), (Strings{"TRYING", "RING", "FINISH"}));
  EXPECT_EQ(lastCall("c1")["info"], "Normal call clearing");
  EXPECT_FALSE(lastCall("c1").contains("sipStatus"));
  runTimers();
  EXPECT_EQ(s.callCount(), 0u);
  EXPECT_EQ(ua_.sessionCount(), 0u);
}

TEST_F(SipCallTest, HangupRacingTheAnswerAcksAndHangsUpTheLateDialog) {
  Session& s = openSession();
  const sip::Message invite = startOutgoing(s, outgoingCall("c1"));
  respond(invite, 180);
  ASSERT_TRUE(s.hangupCall("c1"));
  // The 200 crossed our CANCEL (RFC 3261 §9.1): it is ACKed and its dialog ended with BYE.
  respond(lastRequest("CANCEL"), 200);
  respond(invite, 200, peerSdp(40000, {0, 101}));
  EXPECT_EQ(wire(), (Strings{"INVITE", "CANCEL", "ACK", "BYE"}));
  EXPECT_EQ(statuses("c1"), (Strings{"TRYING", "RING", "FINISH"}));
  EXPECT_TRUE(remoteSdps("c1").empty());
  respond(lastRequest("BYE"), 200);
  runTimers();
  EXPECT_EQ(s.callCount(), 0u);
  EXPECT_EQ(ua_.sessionCount(), 0u);
}

// ---- 5. Incoming calls ----------------------------------------------------------------------------------

TEST_F(SipCallTest, IncomingRingsIsAnsweredWithTheClientsCodecAndEndsByBye) {
  Session& s = openSession();
  const sip::Message invite = phoneInvite(requestUriFor(s), peerSdp(40010, {0, 8, 101}));
  const std::string callId = ringIncoming(invite);
  ASSERT_FALSE(callId.empty());
  // PROTOCOL.md §4: setRemoteSDP first, then notifyIncomingCall, then RING; 180 to the phone.
  EXPECT_EQ(kinds(callId), (Strings{"sdp", "incoming RING", "status RING"}));
  EXPECT_EQ(wire(), Strings{"180 INVITE"});
  EXPECT_EQ(sink_.sent[0].to, kPhone);
  const CallEvent* incoming = nullptr;
  for (const CallEvent& e : events_) {
    if (e.kind == CallEvent::Kind::kIncoming) incoming = &e;
  }
  ASSERT_NE(incoming, nullptr);
  EXPECT_EQ(incoming->call["incoming"], true);
  EXPECT_EQ(incoming->call["caller"], "3001");
  EXPECT_EQ(incoming->call["callee"], "3000");
  EXPECT_EQ(incoming->call["visibleName"], "Bob Phone");
  EXPECT_EQ(incoming->call["mediaProvider"], "WebRTC");

  // The client's offer: ICE-lite, our fingerprint, the relay's port, the phone's codecs under its types.
  const Strings sdps = remoteSdps(callId);
  ASSERT_EQ(sdps.size(), 1u);
  auto offer = sdp::parseSdp(sdps[0]);
  ASSERT_TRUE(offer) << offer.error().message;
  EXPECT_TRUE(sdp::hasAttribute(offer->attributes, "ice-lite"));
  ASSERT_EQ(offer->media.size(), 1u);
  EXPECT_EQ(offer->media[0].proto, "UDP/TLS/RTP/SAVPF");
  EXPECT_EQ(offer->media[0].formats, (Strings{"0", "8", "101"}));
  EXPECT_EQ(sdp::attributeValue(offer->media[0].attributes, "setup"),
            std::optional<std::string_view>("actpass"));
  const std::string fingerprint = "sha-256 " + certificate()->fingerprint();
  EXPECT_EQ(sdp::attributeValue(offer->media[0].attributes, "fingerprint"),
            std::optional<std::string_view>(fingerprint));
  EXPECT_TRUE(inPortRange(offer->media[0].port));
  EXPECT_TRUE(udpPortTaken(offer->media[0].port));

  // The client prefers PCMA: the 200 carries PCMA alone.
  auto answered = s.answerCall(callId, chromiumAnswer("8 0 101"));
  ASSERT_TRUE(answered) << answered.error().message;
  EXPECT_EQ(wire(), (Strings{"180 INVITE", "200 INVITE"}));
  EXPECT_EQ(statuses(callId), Strings{"RING"});  // ESTABLISHED waits for the ACK
  const sip::Message ok = lastSent("200 INVITE");
  EXPECT_EQ(ok.headerValue(sip::HeaderId::kContentType), "application/sdp");
  auto sipAnswer = sdp::readSipSdp(ok.body());
  ASSERT_TRUE(sipAnswer && sipAnswer->audio) << ok.body();
  ASSERT_EQ(sipAnswer->audio->codecs.size(), 1u) << ok.body();
  EXPECT_EQ(sipAnswer->audio->codecs[0].name, "PCMA");
  EXPECT_EQ(sipAnswer->audio->codecs[0].payloadType, 8);
  ASSERT_TRUE(sipAnswer->audio->telephoneEvent);
  EXPECT_EQ(sipAnswer->audio->telephoneEvent->payloadType, 101);
  EXPECT_EQ(sipAnswer->audio->direction, sdp::Direction::kSendRecv);
  EXPECT_TRUE(inPortRange(sipAnswer->audio->port));
  EXPECT_TRUE(udpPortTaken(sipAnswer->audio->port));
  // A second answer is refused.
  EXPECT_FALSE(s.answerCall(callId, chromiumAnswer("8 0 101")));

  phoneRequest(invite, ok, "ACK", 1);
  EXPECT_EQ(statuses(callId), (Strings{"RING", "ESTABLISHED"}));
  phoneRequest(invite, ok, "BYE", 2);
  EXPECT_EQ(wire(), (Strings{"180 INVITE", "200 INVITE", "200 BYE"}));
  EXPECT_EQ(statuses(callId), (Strings{"RING", "ESTABLISHED", "FINISH"}));
  EXPECT_EQ(remoteSdps(callId).size(), 1u);
  runTimers();
  EXPECT_EQ(s.callCount(), 0u);
  EXPECT_EQ(ua_.sessionCount(), 0u);
}

class SipCallDeclineTest : public SipCallTest, public ::testing::WithParamInterface<int> {};

TEST_P(SipCallDeclineTest, HangupBeforeAnswerDeclinesWithTheConfiguredStatus) {
  services_.calls.declineStatus = GetParam();
  Session& s = openSession();
  const std::string callId = ringIncoming(phoneInvite(requestUriFor(s), peerSdp(40010, {0, 8, 101})));
  ASSERT_TRUE(s.hangupCall(callId));
  const std::string expected = std::to_string(GetParam()) + " INVITE";
  EXPECT_EQ(wire(), (Strings{"180 INVITE", expected}));
  EXPECT_EQ(lastSent(expected).reason(), GetParam() == 603 ? "Decline" : "Busy Here");
  // The client's own hangup: FINISH, not FAILED 486.
  EXPECT_EQ(statuses(callId), (Strings{"RING", "FINISH"}));
  EXPECT_FALSE(lastCall(callId).contains("sipStatus"));
  runTimers();
  EXPECT_EQ(s.callCount(), 0u);
}

INSTANTIATE_TEST_SUITE_P(DeclineStatus, SipCallDeclineTest, ::testing::Values(486, 603));

TEST_F(SipCallTest, IncomingCancelledByThePhoneFinishes) {
  Session& s = openSession();
  const sip::Message invite = phoneInvite(requestUriFor(s), peerSdp(40010, {0, 8, 101}));
  const std::string callId = ringIncoming(invite);
  phoneCancel(invite);
  EXPECT_EQ(wire(), (Strings{"180 INVITE", "200 CANCEL", "487 INVITE"}));
  EXPECT_EQ(statuses(callId), (Strings{"RING", "FINISH"}));
  EXPECT_FALSE(s.answerCall(callId, chromiumAnswer("0 8 101")));
  runTimers();
  EXPECT_EQ(s.callCount(), 0u);
}

TEST_F(SipCallTest, IncomingDelayedOfferIsOfferedInThe200AndAnsweredInTheAck) {
  Session& s = openSession();
  const sip::Message invite = phoneInvite(requestUriFor(s), {});
  const std::string callId = ringIncoming(invite);
  // PROTOCOL.md §4: the client still gets an offer (media.codecs with RFC 3551 types, telephone-event).
  const Strings sdps = remoteSdps(callId);
  ASSERT_EQ(sdps.size(), 1u);
  auto offer = sdp::parseSdp(sdps[0]);
  ASSERT_TRUE(offer && offer->media.size() == 1u);
  EXPECT_EQ(offer->media[0].formats, (Strings{"0", "8", "101"}));

  ASSERT_TRUE(s.answerCall(callId, chromiumAnswer("8 0 101")));
  const sip::Message ok = lastSent("200 INVITE");
  auto sipOffer = sdp::readSipSdp(ok.body());
  ASSERT_TRUE(sipOffer && sipOffer->audio) << ok.body();
  ASSERT_EQ(sipOffer->audio->codecs.size(), 1u);
  EXPECT_EQ(sipOffer->audio->codecs[0].name, "PCMA");
  EXPECT_EQ(sipOffer->audio->direction, sdp::Direction::kSendRecv);
  EXPECT_EQ(statuses(callId), Strings{"RING"});

  // The ACK's answer is taken: the relay's SIP side reports to the a=rtcp it names.
  RtcpListener phone;
  phoneRequest(invite, ok, "ACK", 1, peerSdp(40020, {8, 101}, "sendrecv", 1, phone.port()));
  EXPECT_EQ(statuses(callId), (Strings{"RING", "ESTABLISHED"}));
  EXPECT_EQ(remoteSdps(callId).size(), 1u);
  EXPECT_EQ(wire(), (Strings{"180 INVITE", "200 INVITE"}));
  EXPECT_TRUE(phone.receivesRtcp(kRtcpTimeout));
}

TEST_F(SipCallTest, IncomingDelayedOfferWhoseAckAnswersNoOfferedCodecEndsTheCall) {
  Session& s = openSession();
  const sip::Message invite = phoneInvite(requestUriFor(s), {});
  const std::string callId = ringIncoming(invite);
  ASSERT_TRUE(s.answerCall(callId, chromiumAnswer("8 0 101")));
  const sip::Message ok = lastSent("200 INVITE");
  // RFC 3264 §6.1: the answer's formats come from the offer (PCMA); G.729 cannot be relayed to the client.
  phoneRequest(invite, ok, "ACK", 1, peerSdp(40020, {18}));
  EXPECT_EQ(statuses(callId), (Strings{"RING", "FAILED"}));
  EXPECT_EQ(lastCall(callId)["info"], "No common codecs");
  EXPECT_EQ(wire(), (Strings{"180 INVITE", "200 INVITE", "BYE"}));
}

TEST_F(SipCallTest, IncomingNotAnsweredInTimeIs480) {
  services_.calls.noAnswerTimeout = std::chrono::seconds(20);
  Session& s = openSession();
  const std::string callId = ringIncoming(phoneInvite(requestUriFor(s), peerSdp(40010, {0, 8, 101})));
  advance(19s);
  EXPECT_EQ(statuses(callId), Strings{"RING"});
  EXPECT_EQ(count("480 INVITE"), 0u);
  advance(1s);
  EXPECT_EQ(count("480 INVITE"), 1u);
  EXPECT_EQ(statuses(callId), (Strings{"RING", "FAILED"}));
  EXPECT_EQ(lastCall(callId)["info"], "Failed by request timeout");
  EXPECT_EQ(lastCall(callId)["sipStatus"], 480);
  EXPECT_FALSE(s.answerCall(callId, chromiumAnswer("0 8 101")));
}

TEST_F(SipCallTest, IncomingReinviteWithoutSdpWhoseAckChangesTheCodecEndsTheCall) {
  Session& s = openSession();
  const sip::Message invite = phoneInvite(requestUriFor(s), peerSdp(40010, {0, 8, 101}));
  const std::string callId = ringIncoming(invite);
  ASSERT_TRUE(s.answerCall(callId, chromiumAnswer("0 8 101")));
  const sip::Message ok = lastSent("200 INVITE");
  phoneRequest(invite, ok, "ACK", 1);
  ASSERT_EQ(statuses(callId), (Strings{"RING", "ESTABLISHED"}));

  phoneRequest(invite, ok, "INVITE", 2);
  ASSERT_EQ(wire().back(), "200 INVITE");
  auto offer = sdp::readSipSdp(lastSent("200 INVITE").body());
  ASSERT_TRUE(offer && offer->audio);
  ASSERT_EQ(offer->audio->codecs.size(), 1u);
  EXPECT_EQ(offer->audio->codecs[0].name, "PCMU");
  // An answer outside our offer (RFC 3264 §6.1): the client leg cannot follow it.
  phoneRequest(invite, ok, "ACK", 2, peerSdp(40010, {8, 101}, "sendrecv", 2));
  EXPECT_EQ(wire().back(), "BYE");
  EXPECT_EQ(statuses(callId), (Strings{"RING", "ESTABLISHED", "FAILED"}));
  EXPECT_EQ(lastCall(callId)["info"], "No common codecs");
  EXPECT_EQ(remoteSdps(callId).size(), 1u);
}

TEST_F(SipCallTest, IncomingWithAnUnknownTokenIs404) {
  openSession();
  deliver(phoneInvite("sip:3000@127.0.0.1:5062;cg=0123456789abcdef", peerSdp(40010, {0, 101})), kPhone);
  deliver(phoneInvite("sip:3000@127.0.0.1:5062", peerSdp(40010, {0, 101})), kPhone);
  control_.runPending();
  EXPECT_EQ(wire(), (Strings{"404 INVITE", "404 INVITE"}));
  EXPECT_TRUE(events_.empty());
  EXPECT_EQ(counters_.refusals(), (std::map<int, uint64_t>{{404, 2}}));
  EXPECT_EQ(counters_.total(), 0u);  // no call ended: none began
}

TEST_F(SipCallTest, IncomingForASessionWithoutItsClientIs480) {
  Session& s = openSession(false);
  deliver(phoneInvite(requestUriFor(s), peerSdp(40010, {0, 101})), kPhone);
  control_.runPending();
  EXPECT_EQ(wire(), Strings{"480 INVITE"});
  EXPECT_EQ(counters_.refusals(), (std::map<int, uint64_t>{{480, 1}}));
  runTimers();
  EXPECT_EQ(s.callCount(), 0u);
}

TEST_F(SipCallTest, IncomingWithUnreadableSdpIs400NamingTheProblem) {
  Session& s = openSession();
  deliver(
      phoneInvite(requestUriFor(s), "v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nm=audio x RTP/AVP 0\r\n"),
      kPhone);
  control_.runPending();
  ASSERT_EQ(wire(), Strings{"400 INVITE"});
  const std::string reason(lastSent("400 INVITE").reason());
  EXPECT_EQ(reason.rfind("Bad SDP: ", 0), 0u) << reason;
  EXPECT_GT(reason.size(), std::string("Bad SDP: ").size() + 5) << reason;
  EXPECT_TRUE(events_.empty());  // the client never heard of it
  EXPECT_EQ(counters_.refusals(), (std::map<int, uint64_t>{{400, 1}}));
  runTimers();
  EXPECT_EQ(s.callCount(), 0u);
}

TEST_F(SipCallTest, IncomingOfferingOnlyG729Is488) {
  Session& s = openSession();
  deliver(phoneInvite(requestUriFor(s), peerSdp(40010, {18, 101})), kPhone);
  control_.runPending();
  ASSERT_EQ(wire(), Strings{"488 INVITE"});
  EXPECT_NE(lastSent("488 INVITE").reason().find("No common codecs"), std::string_view::npos);
  EXPECT_TRUE(events_.empty());
  EXPECT_EQ(counters_.refusals(), (std::map<int, uint64_t>{{488, 1}}));
  runTimers();
  EXPECT_EQ(s.callCount(), 0u);
}

// ---- 6. Re-INVITEs of the SIP side -----------------------------------------------------------------------

TEST_F(SipCallTest, ReinviteToHoldIsAnsweredRecvonlyWithoutTheClient) {
  Session& s = openSession();
  RtcpListener server;
  const sip::Message invite = establishOutgoing(s, peerSdp(40000, {0, 101}, "sendrecv", 1, server.port()));
  EXPECT_TRUE(server.receivesRtcp(kRtcpTimeout));
  const auto ourOffer = sdp::readSipSdp(invite.body());
  ASSERT_TRUE(ourOffer && ourOffer->audio);
  const size_t eventsBefore = events_.size();

  serverRequest(invite, "INVITE", 1, peerSdp(40000, {0, 101}, "sendonly", 2));
  ASSERT_EQ(wire().back(), "200 INVITE");
  const sip::Message ok = lastSent("200 INVITE");
  auto answer = sdp::readSipSdp(ok.body());
  ASSERT_TRUE(answer && answer->audio) << ok.body();
  EXPECT_EQ(answer->audio->direction, sdp::Direction::kRecvOnly) << ok.body();
  ASSERT_EQ(answer->audio->codecs.size(), 1u);
  EXPECT_EQ(answer->audio->codecs[0].name, "PCMU");
  EXPECT_EQ(answer->audio->port, ourOffer->audio->port);  // the same relay
  // RFC 3264 §8: the same session, a new version.
  EXPECT_EQ(answer->origin.sessionId, ourOffer->origin.sessionId);
  EXPECT_NE(answer->origin.sessionVersion, ourOffer->origin.sessionVersion);
  // ADR 0009 §4: the client hears nothing of it.
  EXPECT_EQ(events_.size(), eventsBefore);
  EXPECT_EQ(remoteSdps("c1").size(), 1u);
  serverRequest(invite, "ACK", 1);
  // ADR 0009 §4: nothing goes to a SIP side that holds (a report already on its way aside).
  while (server.receivesRtcp(200ms)) {
  }
  EXPECT_FALSE(server.receivesRtcp(kRtcpQuiet));

  // Resumed: sendrecv again, and the relay sends there again.
  serverRequest(invite, "INVITE", 2, peerSdp(40000, {0, 101}, "sendrecv", 3, server.port()));
  auto resumed = sdp::readSipSdp(lastSent("200 INVITE").body());
  ASSERT_TRUE(resumed && resumed->audio);
  EXPECT_EQ(resumed->audio->direction, sdp::Direction::kSendRecv);
  EXPECT_EQ(events_.size(), eventsBefore);
  EXPECT_EQ(statuses("c1"), (Strings{"TRYING", "RING", "ESTABLISHED"}));
  EXPECT_TRUE(server.receivesRtcp(kRtcpTimeout));
}

TEST_F(SipCallTest, ReinviteWithoutSdpGetsOurOfferAndItsAckMovesTheSipSide) {
  Session& s = openSession();
  RtcpListener before;
  RtcpListener after;
  const sip::Message invite = establishOutgoing(s, peerSdp(40000, {0, 101}, "sendrecv", 1, before.port()));
  EXPECT_TRUE(before.receivesRtcp(kRtcpTimeout));
  const size_t eventsBefore = events_.size();

  // RFC 3264 §4, RFC 3261 §14.2: a re-INVITE without SDP (a B2BUA moving the media, 3pcc) asks for our
  // offer; the answer comes in its ACK, with the SIP side's new address.
  serverRequest(invite, "INVITE", 1);
  ASSERT_EQ(wire().back(), "200 INVITE");
  auto offer = sdp::readSipSdp(lastSent("200 INVITE").body());
  ASSERT_TRUE(offer && offer->audio);
  ASSERT_EQ(offer->audio->codecs.size(), 1u);
  EXPECT_EQ(offer->audio->codecs[0].name, "PCMU");
  EXPECT_EQ(offer->audio->direction, sdp::Direction::kSendRecv);
  serverRequest(invite, "ACK", 1, peerSdp(40100, {0, 101}, "sendrecv", 2, after.port()));
  EXPECT_TRUE(after.receivesRtcp(kRtcpTimeout)) << "the ACK's answer did not move the relay's SIP side";
  EXPECT_EQ(events_.size(), eventsBefore);
  EXPECT_EQ(registry_->callsByStatus(), (std::map<std::string, size_t>{{"ESTABLISHED", 1}}));
}

TEST_F(SipCallTest, ReinviteThatChangesTheCodecGets488AndTheCallStays) {
  Session& s = openSession();
  const sip::Message invite = establishOutgoing(s);
  const size_t eventsBefore = events_.size();
  serverRequest(invite, "INVITE", 1, peerSdp(40000, {8, 101}, "sendrecv", 2));
  EXPECT_EQ(wire().back(), "488 INVITE");
  EXPECT_EQ(events_.size(), eventsBefore);
  EXPECT_EQ(registry_->callsByStatus(), (std::map<std::string, size_t>{{"ESTABLISHED", 1}}));
  // The call goes on: a hold with the codec it has is still answered.
  serverRequest(invite, "INVITE", 2, peerSdp(40000, {0, 101}, "sendonly", 3));
  EXPECT_EQ(wire().back(), "200 INVITE");
  EXPECT_EQ(events_.size(), eventsBefore);
}

// ---- 7. The session ends with calls ----------------------------------------------------------------------

TEST_F(SipCallTest, SocketLostWithAnEstablishedCallSendsBye) {
  Session& s = openSession();
  establishOutgoing(s);
  const size_t eventsBefore = events_.size();
  registry_->detached(s.id());  // not keepAlive: closed at once
  EXPECT_EQ(wire().back(), "BYE");
  EXPECT_EQ(events_.size(), eventsBefore);  // the client is gone
  respond(lastRequest("BYE"), 200);
  runTimers();
  EXPECT_EQ(registry_->size(), 0u);
  EXPECT_EQ(ua_.sessionCount(), 0u);
}

TEST_F(SipCallTest, SessionClosedWithARingingCallCancelsIt) {
  Session& s = openSession();
  const sip::Message invite = startOutgoing(s, outgoingCall("c1"));
  respond(invite, 180);
  EXPECT_EQ(s.callCount(), 1u);
  s.close("the client's socket closed");
  EXPECT_EQ(wire(), (Strings{"INVITE", "CANCEL"}));
  control_.runPending();
  runTimers();
  EXPECT_EQ(s.callCount(), 0u);
  respond(lastRequest("CANCEL"), 200);
  respond(invite, 487);
  EXPECT_EQ(wire(), (Strings{"INVITE", "CANCEL", "ACK"}));
  runTimers();
  EXPECT_EQ(ua_.sessionCount(), 0u);
}

TEST_F(SipCallTest, SessionClosedWithARingingIncomingCallAnswers480NotTheDecline) {
  services_.calls.declineStatus = 603;
  Session& s = openSession();
  const std::string callId = ringIncoming(phoneInvite(requestUriFor(s), peerSdp(40010, {0, 8, 101})));
  s.close("the client's socket closed");
  // Nobody declined the call: the callee went away, which is 480, whatever sip.decline_status says.
  EXPECT_EQ(wire(), (Strings{"180 INVITE", "480 INVITE"}));
  EXPECT_EQ(lastSent("480 INVITE").reason(), "Temporarily Unavailable");
  EXPECT_TRUE(counters_.refusals().empty());  // the client had heard of it: a call that ended, not a refusal
  control_.runPending();
  runTimers();
  EXPECT_EQ(s.callCount(), 0u);
  EXPECT_EQ(ua_.sessionCount(), 0u);
}

TEST_F(SipCallTest, SessionClosedBeforeTheRelayExistsSendsNothing) {
  Session& s = openSession();
  ASSERT_TRUE(s.startCall(outgoingCall("c1"), chromiumOffer()));
  s.close("the client's socket closed");  // the relay's report is still on its way
  runTimers();
  EXPECT_EQ(s.callCount(), 0u);
  // The report finds no call: no INVITE goes out for it.
  control_.runUntil([] { return false; }, 300ms);
  EXPECT_TRUE(sink_.sent.empty());
}

}  // namespace
}  // namespace callgate::gateway
