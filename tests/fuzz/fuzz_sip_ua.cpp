// libFuzzer target: the SIP UA core (UserAgent and its INVITE sessions) driven by a script read from the
// input: requests from the wire built from templates with fuzzer-chosen extension headers (Require,
// Session-Expires, Min-SE, RSeq/RAck, Refer-To, Event, Subscription-State, sipfrag bodies), raw bytes through
// the parser and validator, responses to whatever the UA sent last, the owner's actions on a session (ring,
// answer, reject, hang up, re-INVITE, UPDATE, transfer, NOTIFY progress), outgoing calls and the clock.
// It also feeds the raw header values to the extension parsers directly. Checks that nothing crashes, that
// offers, REFERs, session removal and request outcomes never reach the owner inside its own call, and that
// once everything is hung up and the clock has run long enough, no session, request or transaction is left.
#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/random.hpp"
#include "core/timer_queue.hpp"
#include "sip/message/header_values.hpp"
#include "sip/message/parser.hpp"
#include "sip/message/validate.hpp"
#include "sip/transaction/transaction_key.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "sip/ua/extensions.hpp"
#include "sip/ua/user_agent.hpp"

using namespace callgate;
using namespace callgate::sip;

namespace {

constexpr std::array<std::string_view, 11> kMethods{
    "INVITE", "ACK", "BYE", "CANCEL", "PRACK", "UPDATE", "REFER", "NOTIFY", "MESSAGE", "OPTIONS", "INFO"};
constexpr std::array<int, 12> kCodes{100, 180, 183, 200, 202, 401, 407, 422, 481, 486, 491, 503};
constexpr std::array<std::string_view, 8> kRequire{"100rel", "timer", "100rel, timer", "foo",
                                                   "",       " ,",    "100rel,foo",    "timer;x"};
constexpr std::array<std::string_view, 8> kSessionExpires{
    "90;refresher=uac", "90;refresher=uas", "30", "1800", "abc", "90;refresher=x", "4294967295", "0"};
constexpr std::array<std::string_view, 6> kSipFrag{"SIP/2.0 100 Trying\r\n",
                                                   "SIP/2.0 200 OK\r\n",
                                                   "SIP/2.0 486 Busy Here\r\n",
                                                   "SIP/2.0 99 x",
                                                   "garbage",
                                                   "SIP/2.0 180"};

struct Sink final : TransportSink {
  std::vector<std::string> sent;
  bool send(const Endpoint&, std::string_view bytes) override {
    if (bytes.empty()) __builtin_trap();
    if (sent.size() >= 256) sent.erase(sent.begin());
    sent.emplace_back(bytes);
    return true;
  }
};

class Script {
 public:
  explicit Script(FuzzedDataProvider& input)
      : in_(input),
        layer_(queue_, sink_),
        ua_(InviteSessionContext{layer_, sink_, queue_, random_}, events()) {}

  void run() {
    while (in_.remaining_bytes() > 0 && steps_++ < 400) step();
    finish();
  }

 private:
  UserAgent::Events events() {
    UserAgent::Events events;
    events.onInvite = [this](UserAgent::SessionId id, const Message&, const Endpoint&) {
      if (busy_) __builtin_trap();
      sessions_.push_back(id);
      UserAgent::IncomingCall call;
      call.config = config();
      call.owner = owner();
      return std::optional<UserAgent::IncomingCall>(std::move(call));
    };
    events.onSessionRemoved = [this](UserAgent::SessionId) {
      if (busy_) __builtin_trap();
    };
    return events;
  }

  InviteSessionConfig config() const {
    InviteSessionConfig c;
    c.localUri = "<sip:gw@192.0.2.1>";
    c.contact = "<sip:gw@192.0.2.1:5060;cg=f>";
    c.sentBy = "192.0.2.1:5060";
    c.credentials = {"gw", "secret"};
    c.transferTimeout = std::chrono::seconds(30);
    return c;
  }

  InviteSession::Owner owner() {
    InviteSession::Owner o;
    // Events may come inside the owner's own calls (reject() reports failed at once); offers and REFERs
    // come only from the wire.
    o.onEvent = [](const InviteSession::Event&) {};
    o.onOffer = [this](std::string_view) -> std::optional<std::string> {
      if (busy_) __builtin_trap();
      return acceptOffers_ ? std::optional<std::string>("v=0 answer") : std::nullopt;
    };
    o.onRefer = [this](std::string_view) {
      if (busy_) __builtin_trap();
      return acceptOffers_;
    };
    return o;
  }

  static Endpoint peer() { return Endpoint{TransportProtocol::kUdp, "192.0.2.2", 5060}; }

  // The tag of the last response the UA sent, so requests of the fuzzer can reach its dialogs.
  std::string ourTag() const {
    for (auto it = sink_.sent.rbegin(); it != sink_.sent.rend(); ++it) {
      auto m = parseMessage(std::string_view(*it));
      if (!m) continue;
      std::string tag = m->isResponse() ? toTagOf(*m) : std::string();
      if (!tag.empty()) return tag;
      if (m->isRequest()) {
        auto from = parseNameAddr(m->headerValue(HeaderId::kFrom));
        if (from && from->tag()) return std::string(*from->tag());
      }
    }
    return "none";
  }

  std::string callIdOfLast() const {
    if (sink_.sent.empty()) return "c0";
    auto m = parseMessage(std::string_view(sink_.sent.back()));
    return m ? std::string(m->headerValue(HeaderId::kCallId)) : std::string("c0");
  }

  void receive(const Message& message) {
    probeParsers(message);
    if (!validateMessage(message)) return;
    layer_.receive(message, peer());
  }

  static void probeParsers(const Message& m) {
    (void)optionTags(m, HeaderId::kRequire);
    (void)hasOptionTag(m, HeaderId::kSupported, "timer");
    (void)sessionExpiresOf(m);
    (void)minSeOf(m);
    (void)parseRSeq(m.headerValue(HeaderId::kRSeq));
    (void)parseRAck(m.headerValue(HeaderId::kRAck));
    (void)parseSipFragStatus(m.body());
  }

  void addExtensions(Message& m) {
    const uint8_t which = in_.ConsumeIntegral<uint8_t>();
    if (which & 1) m.addHeader(HeaderId::kRequire, kRequire[in_.ConsumeIntegralInRange<size_t>(0, 7)]);
    if (which & 2) m.addHeader(HeaderId::kSupported, kRequire[in_.ConsumeIntegralInRange<size_t>(0, 7)]);
    if (which & 4)
      m.addHeader(HeaderId::kSessionExpires, kSessionExpires[in_.ConsumeIntegralInRange<size_t>(0, 7)]);
    if (which & 8) m.addHeader(HeaderId::kMinSE, in_.ConsumeBool() ? "90" : "x");
    if (which & 16) m.addHeader(HeaderId::kRSeq, std::to_string(in_.ConsumeIntegral<uint32_t>()));
    if (which & 32) {
      m.addHeader(HeaderId::kRAck, std::to_string(in_.ConsumeIntegral<uint32_t>()) + " " +
                                       std::to_string(in_.ConsumeIntegralInRange<int>(0, 3)) + " INVITE");
    }
    if (which & 64) {
      m.addHeader(HeaderId::kEvent, in_.ConsumeBool() ? "refer" : "presence");
      m.addHeader(HeaderId::kSubscriptionState, in_.ConsumeBool() ? "active;expires=60" : "terminated");
      m.addHeader(HeaderId::kContentType, "message/sipfrag");
      m.setBody(kSipFrag[in_.ConsumeIntegralInRange<size_t>(0, kSipFrag.size() - 1)]);
    } else if (which & 128) {
      m.addHeader(HeaderId::kContentType, "application/sdp");
      m.setBody("v=0 offer");
    }
  }

  void wireRequest() {
    const auto method = kMethods[in_.ConsumeIntegralInRange<size_t>(0, kMethods.size() - 1)];
    const bool inDialog = in_.ConsumeBool();
    const std::string callId =
        inDialog ? callIdOfLast() : "c" + std::to_string(in_.ConsumeIntegralInRange<int>(0, 3));
    Message m = Message::request(method, "sip:gw@192.0.2.1");
    m.addHeader(HeaderId::kVia, "SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bK" +
                                    std::to_string(in_.ConsumeIntegralInRange<int>(0, 15)));
    m.addHeader(HeaderId::kMaxForwards, "70");
    m.addHeader(HeaderId::kFrom,
                "<sip:peer@192.0.2.2>;tag=p" + std::to_string(in_.ConsumeIntegralInRange<int>(0, 1)));
    m.addHeader(HeaderId::kTo,
                inDialog ? "<sip:gw@192.0.2.1>;tag=" + ourTag() : std::string("<sip:gw@192.0.2.1>"));
    m.addHeader(HeaderId::kCallId, callId);
    m.addHeader(HeaderId::kCSeq,
                std::to_string(in_.ConsumeIntegralInRange<int>(1, 9)) + " " + std::string(method));
    m.addHeader(HeaderId::kContact, "<sip:peer@192.0.2.2:5060>");
    if (method == "REFER" && in_.ConsumeBool()) m.addHeader(HeaderId::kReferTo, "<sip:carol@192.0.2.3>");
    addExtensions(m);
    receive(m);
  }

  // A response to one of the last requests the UA sent.
  void wireResponse() {
    std::vector<Message> requests;
    for (const std::string& bytes : sink_.sent) {
      auto m = parseMessage(std::string_view(bytes));
      if (m && m->isRequest() && m->methodId() != Method::kAck) requests.push_back(m->clone());
    }
    if (requests.empty()) return;
    const Message& to = requests[in_.ConsumeIntegralInRange<size_t>(0, requests.size() - 1)];
    const int code = in_.ConsumeBool() ? kCodes[in_.ConsumeIntegralInRange<size_t>(0, kCodes.size() - 1)]
                                       : in_.ConsumeIntegralInRange<int>(100, 699);
    Message r = Message::response(code, "Reason");
    for (const HeaderField& field : to.headers()) {
      if (field.id == HeaderId::kVia || field.id == HeaderId::kFrom || field.id == HeaderId::kCallId ||
          field.id == HeaderId::kCSeq) {
        r.addHeader(field.id, field.value);
      } else if (field.id == HeaderId::kTo) {
        const bool tagged = !toTagOf(to).empty();
        r.addHeader(field.id, std::string(field.value) +
                                  (tagged || code == 100
                                       ? ""
                                       : ";tag=r" + std::to_string(in_.ConsumeIntegralInRange<int>(0, 1))));
      }
    }
    r.addHeader(HeaderId::kContact, "<sip:peer@192.0.2.2:5060>");
    if (code == 401)
      r.addHeader(HeaderId::kWwwAuthenticate,
                  "Digest realm=\"r\", nonce=\"n" + std::to_string(steps_) + "\"");
    if (code == 407)
      r.addHeader(HeaderId::kProxyAuthenticate, "Digest realm=\"r\", nonce=\"n\", qop=\"auth\"");
    addExtensions(r);
    receive(r);
  }

  InviteSession* pickSession() {
    if (sessions_.empty()) return nullptr;
    return ua_.session(sessions_[in_.ConsumeIntegralInRange<size_t>(0, sessions_.size() - 1)]);
  }

  void act() {
    InviteSession* s = pickSession();
    if (s == nullptr) return;
    busy_ = true;
    switch (in_.ConsumeIntegralInRange<int>(0, 8)) {
      case 0:
        s->ring(in_.ConsumeBool() ? "v=0 early" : "");
        break;
      case 1:
        s->answer("v=0 answer");
        break;
      case 2:
        s->reject(in_.ConsumeIntegralInRange<int>(100, 700));
        break;
      case 3:
        s->hangup();
        break;
      case 4:
        (void)s->sendReinvite("v=0 hold");
        break;
      case 5:
        (void)s->sendUpdate("v=0 update");
        break;
      case 6:
        (void)s->transfer(in_.ConsumeBool() ? "sip:carol@192.0.2.3" : "sip:x\r\ny");
        break;
      case 7:
        (void)s->notifyTransfer(in_.ConsumeIntegralInRange<int>(0, 700), "Progress");
        break;
      default:
        s->cancel();
        break;
    }
    busy_ = false;
  }

  void startCall() {
    if (sessions_.size() >= 16) return;
    InviteSession::CallParams params;
    params.requestUri = "sip:peer@192.0.2.2";
    params.to = "<sip:peer@192.0.2.2>";
    params.nextHop = peer();
    params.offerSdp = in_.ConsumeBool() ? "v=0 offer" : "";
    InviteSessionConfig c = config();
    if (in_.ConsumeBool()) c.routeSet = {"<sip:192.0.2.2;lr>"};
    busy_ = true;
    auto id = ua_.call(std::move(c), owner(), std::move(params));
    busy_ = false;
    if (id) sessions_.push_back(*id);
  }

  void step() {
    switch (in_.ConsumeIntegralInRange<int>(0, 7)) {
      case 0:
        wireRequest();
        break;
      case 1:
        wireResponse();
        break;
      case 2: {
        const std::string bytes = in_.ConsumeRandomLengthString(2048);
        auto message = parseMessage(std::string_view(bytes));
        if (message) receive(*message);
        break;
      }
      case 3:
        queue_.advanceTo(clock_,
                         clock_.now() + std::chrono::milliseconds(in_.ConsumeIntegralInRange<int>(0, 70000)));
        break;
      case 4:
        act();
        break;
      case 5:
        startCall();
        break;
      case 6:
        acceptOffers_ = in_.ConsumeBool();
        break;
      default: {
        OutOfDialogRequest request;
        request.requestUri = "sip:peer@192.0.2.2";
        request.from = "<sip:gw@192.0.2.1>";
        request.to = "<sip:peer@192.0.2.2>";
        request.nextHop = peer();
        request.sentBy = "192.0.2.1:5060";
        request.credentials = {"gw", "secret"};
        request.contentType = "text/plain";
        request.body = "hi";
        busy_ = true;
        (void)ua_.sendRequest(std::move(request), [this](const RequestClient::Outcome&) {
          if (busy_) __builtin_trap();
        });
        busy_ = false;
        break;
      }
    }
  }

  // Everything is hung up; within a few minutes of virtual time no session, request or transaction is left.
  void finish() {
    for (int round = 0; round < 3; ++round) {
      for (UserAgent::SessionId id : sessions_) {
        if (InviteSession* s = ua_.session(id)) {
          busy_ = true;
          s->hangup();
          busy_ = false;
        }
      }
      queue_.advanceTo(clock_, clock_.now() + std::chrono::seconds(200));
    }
    if (ua_.sessionCount() != 0 || ua_.requestCount() != 0) __builtin_trap();
    if (layer_.clientCount() != 0 || layer_.serverCount() != 0) __builtin_trap();
  }

  FuzzedDataProvider& in_;
  core::ManualClock clock_;
  core::TimerQueue queue_{clock_};
  core::SeededRandom random_{7};
  Sink sink_;
  TransactionLayer layer_;
  UserAgent ua_;
  std::vector<UserAgent::SessionId> sessions_;
  bool busy_ = false;
  bool acceptOffers_ = true;
  int steps_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  Script script(input);
  script.run();
  return 0;
}
