#include "loop_network.hpp"

#include <utility>

#include "sip/message/parser.hpp"
#include "sip/message/validate.hpp"
#include "sip/transaction/transaction_key.hpp"

namespace callgate::sip::test {
namespace {

std::string reasonFor(int code) {
  switch (code) {
    case 100:
      return "Trying";
    case 180:
      return "Ringing";
    case 200:
      return "OK";
    case 486:
      return "Busy Here";
    case 487:
      return "Request Terminated";
    default:
      return "Status";
  }
}

}  // namespace

std::string summaryOf(const Message& message) {
  return message.isRequest() ? std::string(message.method()) : std::to_string(message.statusCode());
}

Message makeRequest(std::string_view method, const Endpoint& from, std::string_view branch, uint32_t cseq,
                    std::string_view callId) {
  Message m = Message::request(method, "sip:bob@192.0.2.2");
  m.addHeader(HeaderId::kVia, "SIP/2.0/" + std::string(transportName(from.protocol)) + " " + from.address +
                                  ":" + std::to_string(from.port) + ";branch=" + std::string(branch));
  m.addHeader(HeaderId::kMaxForwards, "70");
  m.addHeader(HeaderId::kFrom, "<sip:alice@192.0.2.1>;tag=a1");
  m.addHeader(HeaderId::kTo, "<sip:bob@192.0.2.2>");
  m.addHeader(HeaderId::kCallId, callId);
  m.addHeader(HeaderId::kCSeq, std::to_string(cseq) + " " + std::string(method));
  return m;
}

Message makeResponse(const Message& request, int code, std::string_view toTag) {
  Message m = Message::response(code, reasonFor(code));
  for (const HeaderField& field : request.headers()) {
    switch (field.id) {
      case HeaderId::kVia:
      case HeaderId::kFrom:
      case HeaderId::kCallId:
      case HeaderId::kCSeq:
        m.addHeader(field.id, field.value);
        break;
      case HeaderId::kTo:
        if (!toTag.empty() && toTagOf(request).empty()) {
          m.addHeader(field.id, std::string(field.value) + ";tag=" + std::string(toTag));
        } else {
          m.addHeader(field.id, field.value);
        }
        break;
      default:
        break;
    }
  }
  return m;
}

LoopNode::LoopNode(LoopNetwork& network, std::string name, Endpoint address, TransactionTimers timers)
    : network_(network),
      name_(std::move(name)),
      address_(std::move(address)),
      layer_(network.queue(), *this, timers) {
  ServerTransactionEvents callbacks;
  callbacks.onRequest = [this](TransactionId id, const Message& request, const Endpoint&) {
    ++requestCount;
    events.push_back("request " + std::string(request.method()) + "@" + std::to_string(network_.nowMs()));
    if (onRequest) onRequest(id, request);
  };
  callbacks.onAck = [this](const Message&, const Endpoint&) {
    events.push_back("ack@" + std::to_string(network_.nowMs()));
  };
  callbacks.onStrayResponse = [this](const Message& response, const Endpoint&) {
    events.push_back("stray " + std::to_string(response.statusCode()) + "@" +
                     std::to_string(network_.nowMs()));
  };
  callbacks.onServerError = [this](TransactionId, TransactionError error) {
    events.push_back("server error " + std::string(transactionErrorName(error)) + "@" +
                     std::to_string(network_.nowMs()));
  };
  layer_.setServerEvents(std::move(callbacks));
}

bool LoopNode::send(const Endpoint& to, std::string_view bytes) {
  ++sends_;
  const bool refuse = refuseFrom_ != 0 && sends_ >= refuseFrom_;
  WireRecord record;
  record.atMs = network_.nowMs();
  record.sender = name_;
  record.bytes = std::string(bytes);
  record.refused = refuse;
  if (auto parsed = parseMessage(bytes)) record.summary = summaryOf(*parsed);
  network_.wire_.push_back(std::move(record));
  if (refuse) return false;
  network_.transmit(*this, to, bytes);
  return true;
}

ClientTransactionEvents LoopNode::clientEvents(const std::string& label) {
  ClientTransactionEvents callbacks;
  callbacks.onResponse = [this, label](const Message& response) {
    std::string line = label + ":" + std::to_string(response.statusCode());
    if (response.statusCode() >= 200 && response.statusCode() < 300) line += " tag=" + toTagOf(response);
    events.push_back(line + "@" + std::to_string(network_.nowMs()));
    if (afterClientEvent) afterClientEvent(label, &response);
  };
  callbacks.onError = [this, label](TransactionError error) {
    events.push_back(label + ":error " + std::string(transactionErrorName(error)) + "@" +
                     std::to_string(network_.nowMs()));
    if (afterClientEvent) afterClientEvent(label, nullptr);
  };
  return callbacks;
}

LoopNetwork::LoopNetwork(TransportProtocol protocol, TransactionTimers timers)
    : protocol_(protocol),
      uac_(std::make_unique<LoopNode>(*this, "uac", Endpoint{protocol, "192.0.2.1", 5060}, timers)),
      uas_(std::make_unique<LoopNode>(*this, "uas", Endpoint{protocol, "192.0.2.2", 5060}, timers)) {}

long LoopNetwork::nowMs() const {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now() - core::TimePoint{}).count());
}

void LoopNetwork::drop(const std::string& sender, const std::string& summary, size_t n) {
  faults_.push_back(Fault{sender, summary, n, Fault::Kind::kDrop, {}});
}

void LoopNetwork::dropAll(const std::string& sender, const std::string& summary) {
  faults_.push_back(Fault{sender, summary, 0, Fault::Kind::kDrop, {}});
}

void LoopNetwork::duplicate(const std::string& sender, const std::string& summary, size_t n,
                            core::Duration gap) {
  faults_.push_back(Fault{sender, summary, n, Fault::Kind::kDuplicate, gap});
}

void LoopNetwork::delay(const std::string& sender, const std::string& summary, size_t n,
                        core::Duration extra) {
  faults_.push_back(Fault{sender, summary, n, Fault::Kind::kDelay, extra});
}

void LoopNetwork::transmit(const LoopNode& sender, const Endpoint& to, std::string_view bytes) {
  const std::string summary = wire_.back().summary;
  // The n-th message of this sender and summary that reached the wire (refused sends did not).
  size_t n = 0;
  for (const WireRecord& record : wire_) {
    if (record.sender == sender.name() && record.summary == summary && !record.refused) ++n;
  }
  bool dropped = false;
  core::Duration extra{};
  std::vector<core::Duration> copies;
  for (const Fault& fault : faults_) {
    if (fault.sender != sender.name() || fault.summary != summary || (fault.n != 0 && fault.n != n)) continue;
    switch (fault.kind) {
      case Fault::Kind::kDrop:
        dropped = true;
        break;
      case Fault::Kind::kDuplicate:
        copies.push_back(fault.amount);
        break;
      case Fault::Kind::kDelay:
        extra += fault.amount;
        break;
    }
  }
  if (dropped) return;
  Endpoint from = sender.address();
  from.protocol = to.protocol;
  auto post = [this, to, from, text = std::string(bytes)](core::Duration after) {
    queue_.schedule(after, [this, to, from, text] { deliver(to, from, text); });
  };
  post(latency_ + extra);
  for (const core::Duration gap : copies) post(latency_ + extra + gap);
}

void LoopNetwork::deliver(const Endpoint& to, const Endpoint& from, const std::string& bytes) {
  LoopNode* node = nullptr;
  for (LoopNode* candidate : {uac_.get(), uas_.get()}) {
    if (candidate->address().address == to.address && candidate->address().port == to.port) node = candidate;
  }
  if (node == nullptr) return;
  auto message = parseMessage(std::string_view(bytes));
  if (!message || !validateMessage(*message)) {
    ++invalid_;
    return;
  }
  node->layer().receive(*message, from);
}

void LoopNetwork::inject(LoopNode& node, const Message& message, const Endpoint& from) {
  node.layer().receive(message, from);
}

void LoopNetwork::runFor(core::Duration d) {
  queue_.advanceTo(clock_, clock_.now() + d);
}

void LoopNetwork::runUntilMs(long ms) {
  queue_.advanceTo(clock_, core::TimePoint{} + std::chrono::milliseconds(ms));
}

bool LoopNetwork::idle() const {
  return uac_->layer().clientCount() == 0 && uac_->layer().serverCount() == 0 &&
         uas_->layer().clientCount() == 0 && uas_->layer().serverCount() == 0 && queue_.pending() == 0;
}

std::vector<long> LoopNetwork::sendTimes(const std::string& sender, const std::string& summary) const {
  std::vector<long> times;
  for (const WireRecord& record : wire_) {
    if (record.sender == sender && record.summary == summary) times.push_back(record.atMs);
  }
  return times;
}

}  // namespace callgate::sip::test
