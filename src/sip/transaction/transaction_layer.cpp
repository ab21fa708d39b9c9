#include "sip/transaction/transaction_layer.hpp"

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sip/transaction/client_transaction.hpp"
#include "sip/transaction/server_transaction.hpp"
#include "sip/transaction/transaction_host.hpp"
#include "sip/transaction/transaction_key.hpp"

namespace callgate::sip {

std::string_view transactionErrorName(TransactionError error) {
  switch (error) {
    case TransactionError::kTimeout:
      return "timeout";
    case TransactionError::kTransport:
      return "transport";
  }
  return "unknown";
}

// The registry of transactions: owns them, finds them by key, destroys them from a 0-delay timer once they
// have ended (never inside one of their own callbacks).
class TransactionLayer::Impl final : public TransactionHost {
 public:
  Impl(core::TimerQueue& timers, TransportSink& sink, TransactionTimers config)
      : timers_(timers), sink_(sink), config_(config), reapTimer_(timers) {}

  core::TimerQueue& timers() override { return timers_; }
  const TransactionTimers& timerValues() const override { return config_; }
  bool send(const Endpoint& to, std::string_view bytes) override { return sink_.send(to, bytes); }
  const ServerTransactionEvents& serverEvents() const override { return serverEvents_; }
  void retire(TransactionId id) override;

  TransactionId sendRequest(const Message& request, const Endpoint& to, ClientTransactionEvents events);
  void respond(TransactionId id, const Message& response);
  void receive(const Message& message, const Endpoint& from);
  void transportFailed(const Endpoint& to);
  TransactionId findInviteServerTransaction(const Message& cancel) const;

  ServerTransactionEvents serverEvents_;
  std::unordered_map<TransactionId, std::unique_ptr<ClientTransaction>> clients_;
  std::unordered_map<TransactionId, std::unique_ptr<ServerTransaction>> servers_;

 private:
  void receiveResponse(const Message& response, const Endpoint& from);
  void receiveRequest(const Message& request, const Endpoint& from);
  ClientTransaction* findClient(const std::string& key) const;
  ServerTransaction* findServer(const std::string& key) const;
  void reap();

  core::TimerQueue& timers_;
  TransportSink& sink_;
  const TransactionTimers config_;
  std::unordered_map<std::string, TransactionId> clientKeys_;
  std::unordered_map<std::string, TransactionId> serverKeys_;
  std::vector<TransactionId> retired_;
  TransactionId nextId_ = 1;
  core::Timer reapTimer_;  // last member: cancelled first on destruction
};

ClientTransaction* TransactionLayer::Impl::findClient(const std::string& key) const {
  const auto k = clientKeys_.find(key);
  if (k == clientKeys_.end()) return nullptr;
  const auto t = clients_.find(k->second);
  return t == clients_.end() ? nullptr : t->second.get();
}

ServerTransaction* TransactionLayer::Impl::findServer(const std::string& key) const {
  const auto k = serverKeys_.find(key);
  if (k == serverKeys_.end()) return nullptr;
  const auto t = servers_.find(k->second);
  return t == servers_.end() ? nullptr : t->second.get();
}

TransactionId TransactionLayer::Impl::sendRequest(const Message& request, const Endpoint& to,
                                                  ClientTransactionEvents events) {
  // RFC 3261 §17.1.1.3, §13.2.2.4: ACKs are never sent through a client transaction.
  if (!request.isRequest() || request.methodId() == Method::kAck) return 0;
  auto key = TransactionKey::forClientRequest(request);
  if (!key || clientKeys_.contains(key->value)) return 0;
  const TransactionId id = nextId_++;
  auto owned = std::make_unique<ClientTransaction>(*this, id, *key, request.clone(), to, std::move(events));
  ClientTransaction& transaction = *owned;
  clients_.emplace(id, std::move(owned));
  clientKeys_.emplace(key->value, id);
  if (request.methodId() == Method::kCancel) {
    // RFC 3261 §9.1: the CANCEL has the branch of the INVITE it cancels.
    if (const auto inviteKey = TransactionKey::forClientRequest(request, "INVITE")) {
      if (ClientTransaction* invite = findClient(inviteKey->value)) invite->cancelSent();
    }
  }
  transaction.start();
  return id;
}

void TransactionLayer::Impl::respond(TransactionId id, const Message& response) {
  const auto it = servers_.find(id);
  if (it != servers_.end()) it->second->respond(response);
}

void TransactionLayer::Impl::receive(const Message& message, const Endpoint& from) {
  if (message.isResponse()) {
    receiveResponse(message, from);
  } else {
    receiveRequest(message, from);
  }
}

void TransactionLayer::Impl::receiveResponse(const Message& response, const Endpoint& from) {
  // RFC 3261 §17.1.3: top Via branch and CSeq method.
  if (const auto key = TransactionKey::forResponse(response)) {
    if (ClientTransaction* transaction = findClient(key->value)) {
      transaction->receiveResponse(response);
      return;
    }
  }
  // RFC 3261 §18.1.2 (RFC 6026 §7.2 for 2xx): a UA discards responses that match no transaction; the TU logs.
  if (serverEvents_.onStrayResponse) serverEvents_.onStrayResponse(response, from);
}

void TransactionLayer::Impl::receiveRequest(const Message& request, const Endpoint& from) {
  const auto key = TransactionKey::forServerRequest(request);
  if (!key) return;  // no usable top Via or CSeq: validation should have answered it already
  if (ServerTransaction* transaction = findServer(key->value)) {
    if (transaction->receiveRequest(request) && serverEvents_.onAck) serverEvents_.onAck(request, from);
    return;
  }
  if (request.methodId() == Method::kAck) {
    // RFC 3261 §17.2.3, §13.3.1.4: the ACK of a 2xx matches no transaction and belongs to the dialog.
    if (serverEvents_.onAck) serverEvents_.onAck(request, from);
    return;
  }
  if (!serverEvents_.onRequest) return;
  std::vector<TransactionKey> keys{*key};
  if (request.methodId() == Method::kInvite && key->rfc2543) {
    if (auto ackKey = TransactionKey::forRfc2543Ack(request)) keys.push_back(std::move(*ackKey));
  }
  const TransactionId id = nextId_++;
  auto owned = std::make_unique<ServerTransaction>(*this, id, keys, request, from);
  ServerTransaction& transaction = *owned;
  servers_.emplace(id, std::move(owned));
  for (const TransactionKey& k : keys) serverKeys_.emplace(k.value, id);
  transaction.start();
  // Last: the TU may answer (or do anything else) from inside onRequest.
  serverEvents_.onRequest(id, request, from);
}

void TransactionLayer::Impl::transportFailed(const Endpoint& to) {
  // RFC 3261 §17.1.4, §17.2.4. A UDP "failure" is an ICMP error at best; those are reported per send.
  if (!isReliable(to.protocol)) return;
  std::vector<TransactionId> clientIds;
  std::vector<TransactionId> serverIds;
  for (const auto& [id, transaction] : clients_) {
    if (transaction->to() == to) clientIds.push_back(id);
  }
  for (const auto& [id, transaction] : servers_) {
    if (transaction->from() == to) serverIds.push_back(id);
  }
  // Transactions only end here; they are destroyed from a timer, so the ids collected stay valid.
  for (const TransactionId id : clientIds) clients_.at(id)->transportFailed();
  for (const TransactionId id : serverIds) servers_.at(id)->transportFailed();
}

TransactionId TransactionLayer::Impl::findInviteServerTransaction(const Message& cancel) const {
  const auto key = TransactionKey::forCancelledInvite(cancel);
  if (!key) return 0;
  const ServerTransaction* transaction = findServer(key->value);
  if (transaction == nullptr || !transaction->isInvite()) return 0;
  return transaction->id();
}

void TransactionLayer::Impl::retire(TransactionId id) {
  auto forget = [id](std::unordered_map<std::string, TransactionId>& keys, const TransactionKey& key) {
    const auto it = keys.find(key.value);
    if (it != keys.end() && it->second == id) keys.erase(it);
  };
  if (const auto it = clients_.find(id); it != clients_.end()) {
    forget(clientKeys_, it->second->key());
  } else if (const auto st = servers_.find(id); st != servers_.end()) {
    for (const TransactionKey& key : st->second->keys()) forget(serverKeys_, key);
  } else {
    return;
  }
  retired_.push_back(id);
  if (!reapTimer_.active()) reapTimer_.start(core::Duration::zero(), [this] { reap(); });
}

void TransactionLayer::Impl::reap() {
  // Moved out first: a destructor only cancels timers, but the containers must not change under the loop.
  std::vector<std::unique_ptr<ClientTransaction>> deadClients;
  std::vector<std::unique_ptr<ServerTransaction>> deadServers;
  for (const TransactionId id : std::exchange(retired_, {})) {
    if (auto it = clients_.find(id); it != clients_.end()) {
      deadClients.push_back(std::move(it->second));
      clients_.erase(it);
    } else if (auto st = servers_.find(id); st != servers_.end()) {
      deadServers.push_back(std::move(st->second));
      servers_.erase(st);
    }
  }
}

TransactionLayer::TransactionLayer(core::TimerQueue& timers, TransportSink& sink, TransactionTimers config)
    : impl_(std::make_unique<Impl>(timers, sink, config)) {}

TransactionLayer::~TransactionLayer() = default;

void TransactionLayer::setServerEvents(ServerTransactionEvents events) {
  impl_->serverEvents_ = std::move(events);
}

TransactionId TransactionLayer::sendRequest(const Message& request, const Endpoint& to,
                                            ClientTransactionEvents events) {
  return impl_->sendRequest(request, to, std::move(events));
}

void TransactionLayer::respond(TransactionId id, const Message& response) {
  impl_->respond(id, response);
}

void TransactionLayer::receive(const Message& message, const Endpoint& from) {
  impl_->receive(message, from);
}

void TransactionLayer::transportFailed(const Endpoint& to) {
  impl_->transportFailed(to);
}

TransactionId TransactionLayer::findInviteServerTransaction(const Message& cancel) const {
  return impl_->findInviteServerTransaction(cancel);
}

size_t TransactionLayer::clientCount() const {
  return impl_->clients_.size();
}

size_t TransactionLayer::serverCount() const {
  return impl_->servers_.size();
}

}  // namespace callgate::sip
