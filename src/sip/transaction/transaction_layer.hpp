// The SIP transaction layer (RFC 3261 §17, with RFC 6026's Accepted states): client and server transactions
// for INVITE and non-INVITE requests, their retransmissions and timers A-M, matching by branch. Sans-I/O:
// bytes go out through a TransportSink, messages come in through receive(), time comes from the TimerQueue.
//
// Above it sits the transaction user (TU: the dialogs and the UA core). The layer tells the TU everything
// through the callbacks it was given; every client transaction ends in exactly one of: a final response,
// a timeout or a transport error (no request is ever left without an outcome).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/timer_queue.hpp"
#include "sip/message/message.hpp"
#include "sip/transport/endpoint.hpp"

namespace callgate::sip {

// RFC 3261 §17.1.1.1 and Table 4. Configurable (sip.t1_ms, sip.t2_ms, sip.t4_ms).
struct TransactionTimers {
  core::Duration t1 = std::chrono::milliseconds(500);
  core::Duration t2 = std::chrono::seconds(4);
  core::Duration t4 = std::chrono::seconds(5);
};

// Sends the bytes of one message. Implemented by net/ in the gateway and by a lossy loop in tests.
class TransportSink {
 public:
  virtual ~TransportSink() = default;
  // False when the message could not be handed to a transport (no connection could be made, socket error):
  // the transaction then reports TransactionError::kTransport (RFC 3261 §17.1.4, §17.2.4).
  virtual bool send(const Endpoint& to, std::string_view bytes) = 0;
};

enum class TransactionError : uint8_t {
  kTimeout,    // Timer B or F fired: no final response (RFC 3261 §17.1.1.2, §17.1.2.2)
  kTransport,  // the transport could not send (RFC 3261 §17.1.4)
};
std::string_view transactionErrorName(TransactionError error);

using TransactionId = uint64_t;  // never 0

// What a client transaction tells its TU. Callbacks run on the loop that owns the layer; a callback may call
// back into the layer (send a new request, cancel), but must not destroy the layer.
struct ClientTransactionEvents {
  // Every provisional response, the final response, and (INVITE, RFC 6026 Accepted state) each further 2xx
  // from any fork while Timer M runs. The Message is a view valid during the call only: clone() to keep it.
  std::function<void(const Message& response)> onResponse;
  // Timeout or transport error; no final response was or will be passed.
  std::function<void(TransactionError error)> onError;
};

// What a server transaction's TU is told about requests; set once on the layer.
struct ServerTransactionEvents {
  // A request that starts a new server transaction (not a retransmission, not an ACK). The TU answers it with
  // respond(id, ...). For INVITE the layer sends 100 Trying itself if the TU has not answered within 200 ms
  // (RFC 3261 §17.2.1). CANCEL gets its own transaction; the TU also finds the INVITE transaction it cancels
  // with findInviteServerTransaction().
  std::function<void(TransactionId id, const Message& request, const Endpoint& from)> onRequest;
  // An ACK that matches no server transaction in Completed state: the ACK for a 2xx, which belongs to the
  // dialog (RFC 3261 §17.2.3, §13.3.1.4).
  std::function<void(const Message& ack, const Endpoint& from)> onAck;
  // A response that matches no client transaction (RFC 3261 §18.1.2: for a UA, discard; logged by the TU).
  std::function<void(const Message& response, const Endpoint& from)> onStrayResponse;
  // A server transaction failed: Timer H fired without ACK, or a response could not be sent.
  std::function<void(TransactionId id, TransactionError error)> onServerError;
};

class TransactionLayer {
 public:
  // `timers` and `sink` must outlive the layer.
  TransactionLayer(core::TimerQueue& timers, TransportSink& sink, TransactionTimers config = {});
  ~TransactionLayer();
  TransactionLayer(const TransactionLayer&) = delete;
  TransactionLayer& operator=(const TransactionLayer&) = delete;

  // Set once, before the first receive(). Without onRequest, requests that would start a server
  // transaction are dropped (nobody could answer them).
  void setServerEvents(ServerTransactionEvents events);

  // Starts a client transaction for `request`, whose top Via must carry an RFC 3261 branch (z9hG4bK...)
  // unique to this transaction and the transport of `to`. The layer keeps a copy. ACK is not sent through a
  // transaction: ACK for a non-2xx is generated here (RFC 3261 §17.1.1.3), ACK for a 2xx goes straight to
  // the TransportSink from the TU. A CANCEL carries the branch of the INVITE it cancels (RFC 3261 §9.1):
  // that INVITE then ends with kTimeout if no final response comes within 64*T1 (its Proceeding state has
  // no Timer B). Returns 0, sends nothing and calls nothing when the request cannot start a transaction (a
  // response, an ACK, no RFC 3261 branch, or the branch and method of a live transaction). Events are never
  // called from inside sendRequest(): a send that fails at once is reported from a 0-delay timer.
  TransactionId sendRequest(const Message& request, const Endpoint& to, ClientTransactionEvents events);

  // Sends a response through the server transaction `id` (unknown or ended ids are ignored). Responses
  // after the final one are ignored, except further 2xx on an INVITE transaction in the Accepted state
  // (retransmissions of the 2xx, which the TU drives, RFC 6026 §7.1). A send that fails is reported through
  // onServerError from a 0-delay timer, never from inside respond().
  void respond(TransactionId id, const Message& response);

  // A message from the transport: already parsed, validated and (for requests) with received/rport set on
  // the top Via by the transport (RFC 3261 §18.2.1, RFC 3581). `from` is where it came from; responses to a
  // request go there (RFC 3261 §18.2.2 and RFC 3581 §4 for UDP; the same connection for streams).
  void receive(const Message& message, const Endpoint& from);

  // The transport lost or could not open the connection to `to` after send() had returned true (a TCP or
  // TLS connect that failed, a connection reset): every transaction whose next hop is `to` over a reliable
  // transport fails with kTransport (RFC 3261 §17.1.4).
  void transportFailed(const Endpoint& to);

  // The INVITE server transaction that a CANCEL (RFC 3261 §9.2) targets: same branch and sent-by, method
  // INVITE. 0 if none.
  TransactionId findInviteServerTransaction(const Message& cancel) const;

  // Client and server transactions still alive (for metrics and leak checks in tests). A transaction that
  // ended is destroyed from a 0-delay timer, so it is counted until the timer queue next runs.
  size_t clientCount() const;
  size_t serverCount() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace callgate::sip
