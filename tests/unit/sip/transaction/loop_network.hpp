// A test network for the transaction layer (pjproject's loop transport): two TransactionLayers, the UAC
// node and the UAS node, joined by a simulated wire on a ManualClock. The wire records every send with its
// virtual time and can drop, duplicate, delay (and so reorder) chosen messages, or make the transport refuse
// sends. Each node also plays a scripted TU that logs what the layer tells it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/timer_queue.hpp"
#include "sip/message/message.hpp"
#include "sip/transaction/transaction_layer.hpp"

namespace callgate::sip::test {

class LoopNetwork;

// One message handed to a node's TransportSink.
struct WireRecord {
  long atMs = 0;        // virtual time of the send, in ms since the start
  std::string sender;   // "uac" or "uas"
  std::string summary;  // the method of a request, the status code of a response ("INVITE", "486")
  std::string bytes;
  bool refused = false;  // the transport returned false
};

class LoopNode final : public TransportSink {
 public:
  LoopNode(LoopNetwork& network, std::string name, Endpoint address, TransactionTimers timers);

  bool send(const Endpoint& to, std::string_view bytes) override;

  TransactionLayer& layer() { return layer_; }
  const Endpoint& address() const { return address_; }
  const std::string& name() const { return name_; }

  // From the n-th send of this node on (1-based), the transport refuses: send() returns false. 0: never.
  void refuseSendsFrom(size_t n) { refuseFrom_ = n; }
  size_t sendCount() const { return sends_; }

  // Client events that log "label:<code>@<ms>" (with " tag=<To tag>" for 2xx) and "label:error <name>@<ms>".
  ClientTransactionEvents clientEvents(const std::string& label);
  // Called on each onRequest after it is logged; the TU's script (respond, remember the id...).
  std::function<void(TransactionId id, const Message& request)> onRequest;
  // Called after a client event was logged (for re-entrant scripts).
  std::function<void(const std::string& label, const Message* response)> afterClientEvent;

  // What the TU was told, in order: "request INVITE@0", "ack@500", "stray 200@40000", "server error
  // timeout@32000", and the client event lines.
  std::vector<std::string> events;
  size_t requestCount = 0;

 private:
  LoopNetwork& network_;
  std::string name_;
  Endpoint address_;
  TransactionLayer layer_;
  size_t sends_ = 0;
  size_t refuseFrom_ = 0;
};

class LoopNetwork {
 public:
  explicit LoopNetwork(TransportProtocol protocol = TransportProtocol::kUdp, TransactionTimers timers = {});

  LoopNode& uac() { return *uac_; }
  LoopNode& uas() { return *uas_; }
  core::ManualClock& clock() { return clock_; }
  core::TimerQueue& queue() { return queue_; }
  TransportProtocol protocol() const { return protocol_; }
  long nowMs() const;

  // Faults on the wire, applied to the n-th message (1-based) that `sender` sends with this summary.
  void drop(const std::string& sender, const std::string& summary, size_t n);
  void dropAll(const std::string& sender, const std::string& summary);
  // Delivers the n-th such message a second time, `gap` after the first.
  void duplicate(const std::string& sender, const std::string& summary, size_t n, core::Duration gap);
  // Delivers the n-th such message `extra` later than it would be.
  void delay(const std::string& sender, const std::string& summary, size_t n, core::Duration extra);
  // Every message takes this long on the wire (default 0: delivered from a 0-delay timer).
  void setLatency(core::Duration latency) { latency_ = latency; }

  // Moves the virtual clock, running every timer and delivery due on the way.
  void runFor(core::Duration d);
  void runUntilMs(long ms);

  // Hands `message` to `node`'s layer as if it came from `from` (messages no node sends, e.g. another fork).
  void inject(LoopNode& node, const Message& message, const Endpoint& from);

  // No transaction left on either node and no timer pending: everything ended and was destroyed.
  bool idle() const;

  const std::vector<WireRecord>& wire() const { return wire_; }
  // Send times (ms) of the messages `sender` handed to its transport with this summary (refused included).
  std::vector<long> sendTimes(const std::string& sender, const std::string& summary) const;
  // Messages that reached the wire but failed to parse or validate at the receiver (must stay 0).
  size_t invalidDeliveries() const { return invalid_; }

 private:
  friend class LoopNode;
  struct Fault {
    std::string sender;
    std::string summary;
    size_t n = 0;  // 0: every message
    enum class Kind { kDrop, kDuplicate, kDelay } kind = Kind::kDrop;
    core::Duration amount{};
  };

  void transmit(const LoopNode& sender, const Endpoint& to, std::string_view bytes);
  void deliver(const Endpoint& to, const Endpoint& from, const std::string& bytes);

  TransportProtocol protocol_;
  core::ManualClock clock_;
  core::TimerQueue queue_{clock_};
  core::Duration latency_{};
  std::vector<Fault> faults_;
  std::vector<WireRecord> wire_;
  size_t invalid_ = 0;
  std::unique_ptr<LoopNode> uac_;  // after the queue: destroyed first
  std::unique_ptr<LoopNode> uas_;
};

// Messages for the scenarios. The Via names `from` as sent-by, with `branch`.
Message makeRequest(std::string_view method, const Endpoint& from, std::string_view branch, uint32_t cseq,
                    std::string_view callId = "call-1@test");
// A response to `request` (Via, From, To, Call-ID and CSeq copied), with `toTag` added to To when given.
Message makeResponse(const Message& request, int code, std::string_view toTag = {});
// The summary of a message: its method, or its status code.
std::string summaryOf(const Message& message);

}  // namespace callgate::sip::test
