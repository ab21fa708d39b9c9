#include "sip/transaction/client_transaction.hpp"

#include <algorithm>
#include <utility>

#include "sip/message/header_values.hpp"
#include "sip/message/writer.hpp"

namespace callgate::sip {
namespace {

// RFC 3261 §17.1.1.2, Table 4: Timer D is "> 32 s for UDP", independent of T1.
constexpr core::Duration kTimerDUdp = std::chrono::seconds(32);

}  // namespace

ClientTransaction::ClientTransaction(TransactionHost& host, TransactionId id, TransactionKey key,
                                     Message request, Endpoint to, ClientTransactionEvents events)
    : host_(host),
      id_(id),
      key_(std::move(key)),
      request_(std::move(request)),
      to_(std::move(to)),
      events_(std::move(events)),
      invite_(request_.methodId() == Method::kInvite),
      state_(invite_ ? State::kCalling : State::kTrying),
      retransmitTimer_(host.timers()),
      timeoutTimer_(host.timers()),
      waitTimer_(host.timers()),
      cancelTimer_(host.timers()),
      reportTimer_(host.timers()) {}

void ClientTransaction::start() {
  requestBytes_ = toString(request_);
  const TransactionTimers& t = host_.timerValues();
  // RFC 3261 §17.1.1.2 (Timer B) and §17.1.2.2 (Timer F): 64*T1 without a final response is a timeout.
  timeoutTimer_.start(64 * t.t1, [this] { fail(TransactionError::kTimeout); });
  if (!host_.send(to_, requestBytes_)) {
    fail(TransactionError::kTransport);  // RFC 3261 §17.1.4
    return;
  }
  // RFC 3261 §17.1.1.2 (Timer A), §17.1.2.2 (Timer E): retransmissions only over unreliable transports.
  if (!reliable()) {
    retransmitInterval_ = t.t1;
    retransmitTimer_.start(retransmitInterval_, [this] { onRetransmitTimer(); });
  }
}

void ClientTransaction::onRetransmitTimer() {
  const bool retransmitting =
      invite_ ? state_ == State::kCalling : (state_ == State::kTrying || state_ == State::kProceeding);
  if (!retransmitting) return;
  if (!host_.send(to_, requestBytes_)) {
    fail(TransactionError::kTransport);
    return;
  }
  const TransactionTimers& t = host_.timerValues();
  if (invite_) {
    retransmitInterval_ *= 2;  // RFC 3261 §17.1.1.2: Timer A doubles each time, without a cap
  } else if (state_ == State::kTrying) {
    retransmitInterval_ = std::min(2 * retransmitInterval_, t.t2);  // RFC 3261 §17.1.2.2: min(2*E, T2)
  } else {
    retransmitInterval_ = t.t2;  // RFC 3261 §17.1.2.2: in Proceeding, Timer E is reset to T2
  }
  retransmitTimer_.start(retransmitInterval_, [this] { onRetransmitTimer(); });
}

void ClientTransaction::receiveResponse(const Message& response) {
  if (state_ == State::kTerminated || !response.isResponse()) return;
  if (response.statusCode() < 100 || response.statusCode() > 699) return;
  if (invite_) {
    receiveInviteResponse(response);
  } else {
    receiveNonInviteResponse(response);
  }
}

void ClientTransaction::receiveInviteResponse(const Message& response) {
  const int code = response.statusCode();
  switch (state_) {
    case State::kCalling:
    case State::kProceeding:
      if (code < 200) {
        // RFC 3261 §17.1.1.2: a provisional response stops retransmissions (and Timer B, which only runs in
        // Calling; the TU bounds Proceeding with a CANCEL, see cancelSent()).
        state_ = State::kProceeding;
        retransmitTimer_.cancel();
        timeoutTimer_.cancel();
      } else if (code < 300) {
        // RFC 6026 §7.2: a 2xx moves to Accepted, where Timer M keeps the transaction for the 2xx of other
        // forks and for retransmissions, all passed to the TU (which ACKs them).
        outcomeGiven_ = true;
        cancelTimer_.cancel();
        enterWaitState(State::kAccepted, 64 * host_.timerValues().t1);
      } else {
        // RFC 3261 §17.1.1.2: 300-699 is acknowledged by the transaction itself, then Completed waits
        // Timer D for retransmissions of the response.
        outcomeGiven_ = true;
        cancelTimer_.cancel();
        sendAck(response);
        if (state_ != State::kTerminated) {  // else the ACK could not be sent; the TU still gets the response
          enterWaitState(State::kCompleted, reliable() ? core::Duration::zero() : kTimerDUdp);
        }
      }
      if (events_.onResponse) events_.onResponse(response);
      break;
    case State::kAccepted:
      // RFC 6026 §7.2: every 2xx received in Accepted (retransmissions, other forks) is passed up to the TU;
      // anything else is absorbed.
      if (code >= 200 && code < 300 && events_.onResponse) events_.onResponse(response);
      break;
    case State::kCompleted:
      // RFC 3261 §17.1.1.2: a retransmitted final response gets the ACK again and is not passed up.
      if (code >= 300 && !host_.send(to_, ackBytes_)) terminate();
      break;
    case State::kTrying:
    case State::kTerminated:
      break;
  }
}

void ClientTransaction::receiveNonInviteResponse(const Message& response) {
  if (state_ != State::kTrying && state_ != State::kProceeding) return;  // RFC 3261 §17.1.2.2: absorbed
  if (response.statusCode() < 200) {
    state_ = State::kProceeding;  // Timer E keeps running and will be reset to T2 when it fires
  } else {
    // RFC 3261 §17.1.2.2: Completed buffers response retransmissions for Timer K.
    outcomeGiven_ = true;
    enterWaitState(State::kCompleted, reliable() ? core::Duration::zero() : host_.timerValues().t4);
  }
  if (events_.onResponse) events_.onResponse(response);
}

void ClientTransaction::sendAck(const Message& response) {
  // RFC 3261 §17.1.1.3: Request-URI, Call-ID, From and the CSeq number of the INVITE, the To of the response
  // (with its tag), one Via equal to the INVITE's top Via (same branch), the INVITE's Route header fields,
  // method ACK.
  Message ack = Message::request("ACK", request_.requestUri());
  if (const auto via = topViaOf(request_)) ack.addHeader(HeaderId::kVia, *via);
  for (const HeaderField& field : request_.headers()) {
    if (field.id == HeaderId::kRoute) ack.addHeader(HeaderId::kRoute, field.value);
  }
  const std::string_view maxForwards = request_.headerValue(HeaderId::kMaxForwards);
  ack.addHeader(HeaderId::kMaxForwards, maxForwards.empty() ? std::string_view("70") : maxForwards);
  ack.addHeader(HeaderId::kFrom, request_.headerValue(HeaderId::kFrom));
  ack.addHeader(HeaderId::kTo, response.headerValue(HeaderId::kTo));
  ack.addHeader(HeaderId::kCallId, request_.headerValue(HeaderId::kCallId));
  const auto cseq = parseCSeq(request_.headerValue(HeaderId::kCSeq));
  ack.addHeader(HeaderId::kCSeq, (cseq ? std::to_string(cseq->sequence) : std::string("0")) + " ACK");
  ackBytes_ = toString(ack);
  if (!host_.send(to_, ackBytes_)) terminate();  // the TU still gets the final response
}

void ClientTransaction::enterWaitState(State state, core::Duration wait) {
  state_ = state;
  retransmitTimer_.cancel();
  timeoutTimer_.cancel();
  waitTimer_.start(wait, [this] { terminate(); });
}

void ClientTransaction::transportFailed() {
  if (state_ == State::kTerminated) return;
  if (outcomeGiven_) {
    terminate();  // Completed or Accepted: nothing more can arrive over the lost connection
    return;
  }
  fail(TransactionError::kTransport);
}

void ClientTransaction::cancelSent() {
  // RFC 3261 §9.1: "If no final response has been received after 64*T1 seconds, the client SHOULD consider
  // the INVITE transaction cancelled and destroy it." This also bounds Proceeding, which has no Timer B.
  if (!invite_ || outcomeGiven_ || state_ == State::kTerminated || cancelTimer_.active()) return;
  cancelTimer_.start(64 * host_.timerValues().t1, [this] { fail(TransactionError::kTimeout); });
}

void ClientTransaction::fail(TransactionError error) {
  if (state_ == State::kTerminated) return;
  if (outcomeGiven_) {
    terminate();
    return;
  }
  outcomeGiven_ = true;
  state_ = State::kTerminated;
  retransmitTimer_.cancel();
  timeoutTimer_.cancel();
  waitTimer_.cancel();
  cancelTimer_.cancel();
  // Reported from a timer: fail() may run inside the TU's sendRequest() or another callback.
  reportTimer_.start(core::Duration::zero(), [this, error] {
    host_.retire(id_);
    if (events_.onError) events_.onError(error);
  });
}

void ClientTransaction::terminate() {
  if (state_ == State::kTerminated) return;
  state_ = State::kTerminated;
  retransmitTimer_.cancel();
  timeoutTimer_.cancel();
  waitTimer_.cancel();
  cancelTimer_.cancel();
  host_.retire(id_);
}

}  // namespace callgate::sip
