// A server transaction (RFC 3261 §17.2): the INVITE state machine of §17.2.1 with RFC 6026's Accepted
// state, and the non-INVITE one of §17.2.2. It absorbs request retransmissions (answering them with the last
// response), sends the TU's responses, retransmits a non-2xx final response to an INVITE until the ACK
// comes, and sends 100 Trying itself when the TU is slow.
//
//   INVITE:      Proceeding --300-699--> Completed --ACK--> Confirmed --Timer I--> Terminated
//                    |                       +-- Timer G: retransmit; Timer H: kTimeout
//                    +--2xx--> Accepted --Timer L--> Terminated                      (RFC 6026 §7.1)
//   non-INVITE:  Trying --1xx--> Proceeding --final--> Completed --Timer J--> Terminated
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/timer_queue.hpp"
#include "sip/message/message.hpp"
#include "sip/transaction/transaction_host.hpp"
#include "sip/transaction/transaction_key.hpp"
#include "sip/transaction/transaction_layer.hpp"

namespace callgate::sip {

class ServerTransaction {
 public:
  enum class State : uint8_t { kTrying, kProceeding, kCompleted, kConfirmed, kAccepted, kTerminated };

  // `keys`: the key the request was matched by, and for an RFC 2543 INVITE the key of its ACK.
  ServerTransaction(TransactionHost& host, TransactionId id, std::vector<TransactionKey> keys,
                    const Message& request, Endpoint from);
  ServerTransaction(const ServerTransaction&) = delete;
  ServerTransaction& operator=(const ServerTransaction&) = delete;

  // Arms the 100 Trying timer of an INVITE (RFC 3261 §17.2.1).
  void start();
  // A request matched to this transaction: a retransmission, or the ACK of an INVITE. True when it is an
  // ACK the TU must see after all (the transaction sent a 2xx, or an RFC 2543 ACK whose To tag is not the
  // one of our response: it does not match, RFC 3261 §17.2.3).
  bool receiveRequest(const Message& request);
  // A response from the TU.
  void respond(const Message& response);
  // The reliable connection the request came over is gone (RFC 3261 §17.2.4).
  void transportFailed();

  TransactionId id() const { return id_; }
  const std::vector<TransactionKey>& keys() const { return keys_; }
  const Endpoint& from() const { return from_; }
  bool isInvite() const { return invite_; }
  State state() const { return state_; }

 private:
  bool reliable() const { return isReliable(from_.protocol); }
  bool receiveAck(const Message& ack);
  void respondInvite(const Message& response, std::string bytes);
  void respondNonInvite(const Message& response, std::string bytes);
  void onTryingTimer();
  void onTimerG();
  // Sends bytes to where the request came from; on failure the transaction fails with kTransport.
  bool sendToPeer(const std::string& bytes);
  void fail(TransactionError error);
  void terminate();
  void cancelTimers();

  TransactionHost& host_;
  const TransactionId id_;
  const std::vector<TransactionKey> keys_;
  const Endpoint from_;
  const bool invite_;
  State state_;
  std::string tryingBytes_;      // the 100 Trying the layer sends for a slow TU (INVITE only)
  std::string lastProvisional_;  // sent again for a retransmitted request
  std::string lastFinal_;        // sent again for a retransmitted request, and by Timer G
  std::string finalToTag_;       // the To tag of a non-2xx final response, for RFC 2543 ACK matching
  core::Duration timerGInterval_{};
  core::Timer tryingTimer_;   // RFC 3261 §17.2.1: 200 ms
  core::Timer timerG_;        // retransmits a 300-699 final response to an INVITE over UDP
  core::Timer timeoutTimer_;  // Timer H (INVITE, waiting for the ACK)
  core::Timer waitTimer_;     // Timer I, J or L
  core::Timer reportTimer_;   // posts an error out of the caller's stack
};

}  // namespace callgate::sip
