// A client transaction (RFC 3261 §17.1): the INVITE state machine of §17.1.1 with RFC 6026's Accepted
// state, and the non-INVITE one of §17.1.2. It retransmits the request over UDP, gives the TU every response
// that belongs to it, generates the ACK for a non-2xx final response, and ends in exactly one outcome: a
// final response, kTimeout or kTransport.
//
//   INVITE:      Calling --1xx--> Proceeding --2xx--> Accepted --Timer M--> Terminated     (RFC 6026 §7.2)
//                   |                  |----300-699--> Completed --Timer D--> Terminated  (ACK sent)
//                   +-- Timer B: kTimeout
//   non-INVITE:  Trying --1xx--> Proceeding --final--> Completed --Timer K--> Terminated
//                   +-- Timer F: kTimeout (also in Proceeding)
#pragma once

#include <cstdint>
#include <string>

#include "core/timer_queue.hpp"
#include "sip/message/message.hpp"
#include "sip/transaction/transaction_host.hpp"
#include "sip/transaction/transaction_key.hpp"
#include "sip/transaction/transaction_layer.hpp"

namespace callgate::sip {

class ClientTransaction {
 public:
  enum class State : uint8_t { kCalling, kTrying, kProceeding, kCompleted, kAccepted, kTerminated };

  // `request` must be owned (built, or a clone()); the transaction keeps it.
  ClientTransaction(TransactionHost& host, TransactionId id, TransactionKey key, Message request, Endpoint to,
                    ClientTransactionEvents events);
  ClientTransaction(const ClientTransaction&) = delete;
  ClientTransaction& operator=(const ClientTransaction&) = delete;

  // Sends the request and arms the timers. A send failure is reported from a timer, not from inside the
  // TU's sendRequest() call.
  void start();
  // A response matched to this transaction (RFC 3261 §17.1.3).
  void receiveResponse(const Message& response);
  // The reliable connection to the next hop is gone (RFC 3261 §17.1.4).
  void transportFailed();
  // The TU sent a CANCEL for this INVITE (RFC 3261 §9.1).
  void cancelSent();

  TransactionId id() const { return id_; }
  const TransactionKey& key() const { return key_; }
  const Endpoint& to() const { return to_; }
  bool isInvite() const { return invite_; }
  State state() const { return state_; }

 private:
  bool reliable() const { return isReliable(to_.protocol); }
  void onRetransmitTimer();
  void receiveInviteResponse(const Message& response);
  void receiveNonInviteResponse(const Message& response);
  void sendAck(const Message& response);
  // Enters Completed, Accepted or Terminated-after-wait: `wait` is Timer D, K or M.
  void enterWaitState(State state, core::Duration wait);
  // Ends the transaction with an error outcome (when none was given yet); the TU hears of it from a timer.
  void fail(TransactionError error);
  void terminate();

  TransactionHost& host_;
  const TransactionId id_;
  const TransactionKey key_;
  const Message request_;
  const Endpoint to_;
  ClientTransactionEvents events_;
  const bool invite_;
  std::string requestBytes_;
  std::string ackBytes_;  // the ACK of a non-2xx final response, sent again for each retransmission of it
  State state_;
  bool outcomeGiven_ = false;  // a final response, a timeout or a transport error reached the TU
  core::Duration retransmitInterval_{};
  core::Timer retransmitTimer_;  // Timer A (INVITE) or E (non-INVITE)
  core::Timer timeoutTimer_;     // Timer B (INVITE) or F (non-INVITE)
  core::Timer waitTimer_;        // Timer D, K or M
  core::Timer cancelTimer_;      // RFC 3261 §9.1: 64*T1 after a CANCEL without a final response
  core::Timer reportTimer_;      // posts an error outcome out of the caller's stack
};

}  // namespace callgate::sip
