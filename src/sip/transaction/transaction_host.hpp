// What a client or server transaction needs from the layer that owns it. The layer owns every transaction
// (STYLE.md: registries own) and outlives it, so a transaction keeps a plain reference to its host.
#pragma once

#include <string_view>

#include "core/timer_queue.hpp"
#include "sip/transaction/transaction_layer.hpp"

namespace callgate::sip {

class TransactionHost {
 public:
  virtual ~TransactionHost() = default;
  virtual core::TimerQueue& timers() = 0;
  virtual const TransactionTimers& timerValues() const = 0;
  // Hands bytes to the TransportSink; false when they could not be sent.
  virtual bool send(const Endpoint& to, std::string_view bytes) = 0;
  // The transaction has terminated: it stops matching messages at once and is destroyed later, outside of
  // every callback of its own (STYLE.md: never destroy an object inside its own callback).
  virtual void retire(TransactionId id) = 0;
  virtual const ServerTransactionEvents& serverEvents() const = 0;
};

}  // namespace callgate::sip
