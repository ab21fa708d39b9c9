// libFuzzer target: the SIP transaction layer driven by a script of operations read from the input: messages
// received (built from templates with fuzzer-chosen fields, or raw bytes through the parser and the
// validator), the clock advancing, the TU sending requests and responding, transports failing. Checks that
// nothing crashes, that no callback runs inside sendRequest()/respond(), that each client transaction gets
// at most one outcome (a final response or an error; further 2xx only after a 2xx, RFC 6026 §7.2), and that
// every transaction is gone once the TU has answered everything and the clock has run long enough.
#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/timer_queue.hpp"
#include "sip/message/parser.hpp"
#include "sip/message/validate.hpp"
#include "sip/transaction/transaction_layer.hpp"

using namespace callgate;
using namespace callgate::sip;

namespace {

constexpr std::array<std::string_view, 6> kMethods{"INVITE", "OPTIONS", "BYE", "CANCEL", "ACK", "REGISTER"};
constexpr std::array<int, 10> kCodes{100, 180, 183, 200, 202, 302, 404, 486, 487, 503};

struct Sink final : TransportSink {
  bool refuse = false;
  size_t sent = 0;
  bool send(const Endpoint&, std::string_view bytes) override {
    if (bytes.empty()) __builtin_trap();
    ++sent;
    return !refuse;
  }
};

struct ClientRecord {
  TransactionId id = 0;
  std::string branch;
  bool invite = false;
  bool final2xx = false;
  bool outcome = false;  // a final response or an error
  bool reentrant = false;
};

struct ServerRecord {
  TransactionId id = 0;
  Message request;  // owned clone
};

class Script {
 public:
  explicit Script(FuzzedDataProvider& input) : in_(input), layer_(queue_, sink_) {
    ServerTransactionEvents events;
    events.onRequest = [this](TransactionId id, const Message& request, const Endpoint&) {
      if (busy_) __builtin_trap();
      if (id == 0 || request.methodId() == Method::kAck) __builtin_trap();
      servers_.push_back(ServerRecord{id, request.clone()});
    };
    events.onServerError = [this](TransactionId id, TransactionError) {
      if (busy_ || id == 0) __builtin_trap();
    };
    layer_.setServerEvents(std::move(events));
  }

  void run() {
    while (in_.remaining_bytes() > 0) step();
    finish();
  }

 private:
  Endpoint peer(uint8_t choice) const {
    const TransportProtocol protocol = (choice & 1) != 0 ? TransportProtocol::kTcp : TransportProtocol::kUdp;
    return Endpoint{protocol, (choice & 2) != 0 ? "192.0.2.3" : "192.0.2.2", 5060};
  }

  std::string branch(uint8_t choice) const {
    if ((choice & 8) != 0) return "old" + std::to_string(choice & 3);  // an RFC 2543 peer
    return "z9hG4bK-" + std::to_string(choice & 7);
  }

  Message request(std::string_view method, const std::string& viaBranch, uint8_t fields) {
    Message m = Message::request(method, (fields & 1) != 0 ? "sip:bob@192.0.2.1" : "sip:carol@192.0.2.1");
    std::string via = "SIP/2.0/UDP 192.0.2." + std::to_string(2 + ((fields >> 1) & 1)) + ":5060";
    if (viaBranch.substr(0, 3) != "old") via += ";branch=" + viaBranch;
    m.addHeader(HeaderId::kVia, via);
    m.addHeader(HeaderId::kMaxForwards, "70");
    m.addHeader(HeaderId::kFrom, "<sip:alice@192.0.2.2>;tag=f" + std::to_string((fields >> 2) & 1));
    m.addHeader(HeaderId::kTo, (fields & 8) != 0
                                   ? "<sip:bob@192.0.2.1>;tag=t" + std::to_string((fields >> 4) & 1)
                                   : std::string("<sip:bob@192.0.2.1>"));
    m.addHeader(HeaderId::kCallId, "call" + std::to_string((fields >> 5) & 1));
    m.addHeader(HeaderId::kCSeq, std::to_string(1 + ((fields >> 6) & 1)) + " " + std::string(method));
    return m;
  }

  Message response(int code, const Message& to, std::string_view toTag) {
    Message m = Message::response(code, "Reason");
    for (const HeaderField& field : to.headers()) {
      if (field.id == HeaderId::kVia || field.id == HeaderId::kFrom || field.id == HeaderId::kCallId ||
          field.id == HeaderId::kCSeq) {
        m.addHeader(field.id, field.value);
      } else if (field.id == HeaderId::kTo) {
        m.addHeader(field.id, std::string(field.value) + (toTag.empty() ? "" : ";tag=" + std::string(toTag)));
      }
    }
    return m;
  }

  void receive(const Message& message, const Endpoint& from) {
    if (!validateMessage(message)) return;  // the transport answers or drops these (RFC 3261 §18)
    layer_.receive(message, from);
  }

  void startClient(std::string_view method, const std::string& viaBranch, const Endpoint& to,
                   bool reentrant) {
    const size_t index = clients_.size();
    clients_.push_back(ClientRecord{0, viaBranch, method == "INVITE", false, false, reentrant});
    ClientTransactionEvents events;
    events.onResponse = [this, index](const Message& response) { onResponse(index, response); };
    events.onError = [this, index](TransactionError) { onError(index); };
    Message m = request(method, viaBranch, 0);
    m.setHeader(HeaderId::kVia,
                "SIP/2.0/" + std::string(transportName(to.protocol)) + " 192.0.2.1:5060;branch=" + viaBranch);
    busy_ = true;
    const TransactionId id = layer_.sendRequest(m, to, std::move(events));
    busy_ = false;
    clients_[index].id = id;
  }

  void onResponse(size_t index, const Message& response) {
    if (busy_) __builtin_trap();
    ClientRecord& c = clients_[index];
    const int code = response.statusCode();
    if (code >= 200) {
      const bool is2xx = code < 300;
      // RFC 6026 §7.2: only further 2xx may follow a 2xx; nothing follows a non-2xx final or an error.
      if (c.outcome && !(c.final2xx && is2xx && c.invite)) __builtin_trap();
      c.outcome = true;
      c.final2xx = c.final2xx || is2xx;
    } else if (c.outcome) {
      __builtin_trap();
    }
    if (c.reentrant && clients_.size() < 64) {
      c.reentrant = false;
      startClient("OPTIONS", "z9hG4bK-re" + std::to_string(clients_.size()), peer(0), false);
    }
  }

  void onError(size_t index) {
    if (busy_) __builtin_trap();
    ClientRecord& c = clients_[index];
    if (c.outcome) __builtin_trap();
    c.outcome = true;
    if (c.reentrant && clients_.size() < 64) {
      c.reentrant = false;
      startClient("OPTIONS", "z9hG4bK-re" + std::to_string(clients_.size()), peer(0), false);
    }
  }

  void advance(core::Duration d) { queue_.advanceTo(clock_, clock_.now() + d); }

  void step() {
    switch (in_.ConsumeIntegralInRange<int>(0, 8)) {
      case 0: {  // the TU sends a request
        const auto method = kMethods[in_.ConsumeIntegralInRange<size_t>(0, kMethods.size() - 1)];
        const std::string b = "z9hG4bK-" + std::to_string(in_.ConsumeIntegralInRange<int>(0, 7));
        const Endpoint to = peer(in_.ConsumeIntegral<uint8_t>());
        startClient(method, b, to, in_.ConsumeBool());
        break;
      }
      case 1: {  // a response from the wire, built from a template
        const int code = in_.ConsumeBool() ? kCodes[in_.ConsumeIntegralInRange<size_t>(0, kCodes.size() - 1)]
                                           : in_.ConsumeIntegralInRange<int>(100, 699);
        const auto method = kMethods[in_.ConsumeIntegralInRange<size_t>(0, kMethods.size() - 1)];
        const std::string b = "z9hG4bK-" + std::to_string(in_.ConsumeIntegralInRange<int>(0, 7));
        Message m = request(method, b, 0);
        m.setHeader(HeaderId::kVia, "SIP/2.0/UDP 192.0.2.1:5060;branch=" + b);
        receive(response(code, m, in_.ConsumeBool() ? "x" : "y"), peer(in_.ConsumeIntegral<uint8_t>()));
        break;
      }
      case 2: {  // a request from the wire, built from a template
        const auto method = kMethods[in_.ConsumeIntegralInRange<size_t>(0, kMethods.size() - 1)];
        const uint8_t b = in_.ConsumeIntegral<uint8_t>();
        const uint8_t fields = in_.ConsumeIntegral<uint8_t>();
        receive(request(method, branch(b), fields), peer(in_.ConsumeIntegral<uint8_t>()));
        break;
      }
      case 3: {  // raw bytes from the wire
        const std::string bytes = in_.ConsumeRandomLengthString(2048);
        auto message = parseMessage(std::string_view(bytes));
        if (message) receive(*message, peer(in_.ConsumeIntegral<uint8_t>()));
        break;
      }
      case 4:  // time passes
        advance(std::chrono::milliseconds(in_.ConsumeIntegralInRange<int>(0, 70000)));
        break;
      case 5: {  // the TU answers a server transaction
        if (servers_.empty()) break;
        const ServerRecord& s = servers_[in_.ConsumeIntegralInRange<size_t>(0, servers_.size() - 1)];
        const int code = kCodes[in_.ConsumeIntegralInRange<size_t>(0, kCodes.size() - 1)];
        const Message answer = response(code, s.request, "u");
        busy_ = true;
        layer_.respond(s.id, answer);
        busy_ = false;
        break;
      }
      case 6:
        layer_.transportFailed(peer(in_.ConsumeIntegral<uint8_t>()));
        break;
      case 7:
        sink_.refuse = in_.ConsumeBool();
        break;
      case 8: {
        const uint8_t b = in_.ConsumeIntegral<uint8_t>();
        const TransactionId id =
            layer_.findInviteServerTransaction(request("CANCEL", branch(b), in_.ConsumeIntegral<uint8_t>()));
        (void)id;
        break;
      }
      default:
        break;
    }
  }

  // The TU answers everything still open and cancels INVITEs still waiting; then every transaction must end.
  void finish() {
    for (int round = 0; round < 2; ++round) {
      for (const ServerRecord& s : servers_) {
        busy_ = true;
        layer_.respond(s.id, response(500, s.request, "u"));
        busy_ = false;
      }
      const size_t known = clients_.size();
      for (size_t i = 0; i < known; ++i) {
        const ClientRecord c = clients_[i];
        if (c.id != 0 && c.invite && !c.outcome) startClient("CANCEL", c.branch, peer(0), false);
      }
      advance(std::chrono::seconds(100));
    }
    advance(std::chrono::seconds(100));
    if (layer_.clientCount() != 0 || layer_.serverCount() != 0) __builtin_trap();
    for (const ClientRecord& c : clients_) {
      if (c.id != 0 && !c.outcome) __builtin_trap();  // every client transaction ends in an outcome
    }
  }

  FuzzedDataProvider& in_;
  core::ManualClock clock_;
  core::TimerQueue queue_{clock_};
  Sink sink_;
  TransactionLayer layer_;
  std::vector<ClientRecord> clients_;
  std::vector<ServerRecord> servers_;
  bool busy_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  Script script(input);
  script.run();
  return 0;
}
