#include "sip/transaction/server_transaction.hpp"

#include <algorithm>
#include <utility>

#include "sip/message/writer.hpp"

namespace callgate::sip {
namespace {

// RFC 3261 §17.2.1: the TU has 200 ms to answer an INVITE before the transaction sends 100 Trying itself.
constexpr core::Duration kTryingDelay = std::chrono::milliseconds(200);

// RFC 3261 §8.2.6.1: a 100 Trying copies Via, From, To, Call-ID, CSeq and Timestamp from the request.
std::string tryingFor(const Message& request) {
  Message trying = Message::response(100, "Trying");
  for (const HeaderField& field : request.headers()) {
    switch (field.id) {
      case HeaderId::kVia:
      case HeaderId::kFrom:
      case HeaderId::kTo:
      case HeaderId::kCallId:
      case HeaderId::kCSeq:
      case HeaderId::kTimestamp:
        trying.addHeader(field.id, field.value);
        break;
      default:
        break;
    }
  }
  return toString(trying);
}

}  // namespace

ServerTransaction::ServerTransaction(TransactionHost& host, TransactionId id,
                                     std::vector<TransactionKey> keys, const Message& request, Endpoint from)
    : host_(host),
      id_(id),
      keys_(std::move(keys)),
      from_(std::move(from)),
      invite_(request.methodId() == Method::kInvite),
      // RFC 3261 §17.2.1: an INVITE server transaction starts in Proceeding; §17.2.2: others in Trying.
      state_(invite_ ? State::kProceeding : State::kTrying),
      tryingBytes_(invite_ ? tryingFor(request) : std::string()),
      tryingTimer_(host.timers()),
      timerG_(host.timers()),
      timeoutTimer_(host.timers()),
      waitTimer_(host.timers()),
      reportTimer_(host.timers()) {}

void ServerTransaction::start() {
  if (invite_) tryingTimer_.start(kTryingDelay, [this] { onTryingTimer(); });
}

void ServerTransaction::onTryingTimer() {
  if (state_ != State::kProceeding || !lastProvisional_.empty()) return;
  if (sendToPeer(tryingBytes_)) lastProvisional_ = tryingBytes_;
}

bool ServerTransaction::receiveRequest(const Message& request) {
  if (state_ == State::kTerminated) return false;
  if (request.methodId() == Method::kAck) return invite_ ? receiveAck(request) : false;
  // A retransmission of the request (RFC 3261 §17.2.1, §17.2.2): answered with the last response sent, if
  // any; absorbed in Trying, Confirmed and Accepted (RFC 6026 §7.1).
  switch (state_) {
    case State::kProceeding:
      if (!lastProvisional_.empty()) sendToPeer(lastProvisional_);
      break;
    case State::kCompleted:
      sendToPeer(lastFinal_);
      break;
    case State::kTrying:
    case State::kConfirmed:
    case State::kAccepted:
    case State::kTerminated:
      break;
  }
  return false;
}

bool ServerTransaction::receiveAck(const Message& ack) {
  switch (state_) {
    case State::kCompleted:
      // RFC 3261 §17.2.3: an RFC 2543 ACK matches only if its To tag is the one of our response.
      if (keys_.front().rfc2543 && toTagOf(ack) != finalToTag_) return true;
      // RFC 3261 §17.2.1: the ACK ends retransmissions; Confirmed absorbs further ACKs for Timer I.
      state_ = State::kConfirmed;
      timerG_.cancel();
      timeoutTimer_.cancel();
      waitTimer_.start(reliable() ? core::Duration::zero() : host_.timerValues().t4, [this] { terminate(); });
      return false;
    case State::kAccepted:
      // RFC 6026 §7.1: the ACK of a 2xx belongs to the TU (here it reused the INVITE's branch).
      return true;
    case State::kProceeding:  // no final response yet: nothing to acknowledge
    case State::kConfirmed:   // a retransmitted ACK, absorbed
    case State::kTrying:
    case State::kTerminated:
      return false;
  }
  return false;
}

void ServerTransaction::respond(const Message& response) {
  if (state_ == State::kTerminated || !response.isResponse()) return;
  if (response.statusCode() < 100 || response.statusCode() > 699) return;
  if (invite_) {
    respondInvite(response, toString(response));
  } else {
    respondNonInvite(response, toString(response));
  }
}

void ServerTransaction::respondInvite(const Message& response, std::string bytes) {
  const int code = response.statusCode();
  if (state_ == State::kAccepted) {
    // RFC 6026 §7.1: retransmissions of the 2xx come from the TU and are sent; nothing else is.
    if (code >= 200 && code < 300) sendToPeer(bytes);
    return;
  }
  if (state_ != State::kProceeding) return;  // a response after the final one
  tryingTimer_.cancel();
  if (!sendToPeer(bytes)) return;
  const TransactionTimers& t = host_.timerValues();
  if (code < 200) {
    lastProvisional_ = std::move(bytes);
  } else if (code < 300) {
    // RFC 6026 §7.1: a 2xx moves to Accepted, which absorbs INVITE retransmissions until Timer L.
    state_ = State::kAccepted;
    waitTimer_.start(64 * t.t1, [this] { terminate(); });
  } else {
    // RFC 3261 §17.2.1: Completed retransmits the response (Timer G, UDP only) until the ACK, at most until
    // Timer H.
    state_ = State::kCompleted;
    lastFinal_ = std::move(bytes);
    finalToTag_ = toTagOf(response);
    if (!reliable()) {
      timerGInterval_ = t.t1;
      timerG_.start(timerGInterval_, [this] { onTimerG(); });
    }
    timeoutTimer_.start(64 * t.t1, [this] { fail(TransactionError::kTimeout); });
  }
}

void ServerTransaction::respondNonInvite(const Message& response, std::string bytes) {
  if (state_ != State::kTrying && state_ != State::kProceeding) return;  // a response after the final one
  if (!sendToPeer(bytes)) return;
  if (response.statusCode() < 200) {
    state_ = State::kProceeding;
    lastProvisional_ = std::move(bytes);
    return;
  }
  // RFC 3261 §17.2.2: Completed answers retransmissions with the final response until Timer J.
  state_ = State::kCompleted;
  lastFinal_ = std::move(bytes);
  waitTimer_.start(reliable() ? core::Duration::zero() : 64 * host_.timerValues().t1,
                   [this] { terminate(); });
}

void ServerTransaction::onTimerG() {
  if (state_ != State::kCompleted) return;
  if (!sendToPeer(lastFinal_)) return;
  // RFC 3261 §17.2.1: Timer G doubles each time, capped at T2.
  timerGInterval_ = std::min(2 * timerGInterval_, host_.timerValues().t2);
  timerG_.start(timerGInterval_, [this] { onTimerG(); });
}

bool ServerTransaction::sendToPeer(const std::string& bytes) {
  if (host_.send(from_, bytes)) return true;
  fail(TransactionError::kTransport);  // RFC 3261 §17.2.4
  return false;
}

void ServerTransaction::transportFailed() {
  switch (state_) {
    case State::kConfirmed:
      terminate();  // only waiting for ACK retransmissions, which cannot come any more
      break;
    case State::kTrying:
    case State::kProceeding:
    case State::kCompleted:
    case State::kAccepted:
      fail(TransactionError::kTransport);
      break;
    case State::kTerminated:
      break;
  }
}

void ServerTransaction::fail(TransactionError error) {
  if (state_ == State::kTerminated) return;
  state_ = State::kTerminated;
  cancelTimers();
  // Reported from a timer: fail() may run inside the TU's respond() call.
  reportTimer_.start(core::Duration::zero(), [this, error] {
    host_.retire(id_);
    if (host_.serverEvents().onServerError) host_.serverEvents().onServerError(id_, error);
  });
}

void ServerTransaction::terminate() {
  if (state_ == State::kTerminated) return;
  state_ = State::kTerminated;
  cancelTimers();
  host_.retire(id_);
}

void ServerTransaction::cancelTimers() {
  tryingTimer_.cancel();
  timerG_.cancel();
  timeoutTimer_.cancel();
  waitTimer_.cancel();
}

}  // namespace callgate::sip
