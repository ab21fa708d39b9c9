#include "sip/ua/invite_session.hpp"

#include <algorithm>
#include <array>

#include "core/text.hpp"
#include "sip/message/char_class.hpp"
#include "sip/message/header_values.hpp"
#include "sip/message/writer.hpp"
#include "sip/transaction/transaction_key.hpp"
#include "sip/transport/error_response.hpp"

namespace callgate::sip {
namespace {

constexpr std::string_view kAllow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE";
constexpr std::string_view kSdpType = "application/sdp";

// Headers the session writes itself: an extra header may not replace them.
constexpr std::array kOwnHeaders = {
    HeaderId::kVia,
    HeaderId::kMaxForwards,
    HeaderId::kFrom,
    HeaderId::kTo,
    HeaderId::kCallId,
    HeaderId::kCSeq,
    HeaderId::kContact,
    HeaderId::kContentLength,
    HeaderId::kContentType,
    HeaderId::kAllow,
    HeaderId::kUserAgent,
    HeaderId::kAuthorization,
    HeaderId::kProxyAuthorization,
    HeaderId::kRoute,
    HeaderId::kRecordRoute,
};

// The body is SDP when Content-Type says application/sdp (parameters aside).
bool hasSdp(const Message& message) {
  if (message.body().empty()) return false;
  std::string_view type = message.headerValue(HeaderId::kContentType);
  type = core::trimLws(type.substr(0, type.find(';')));
  return core::iequals(type, kSdpType);
}

std::string sdpOf(const Message& message) {
  return hasSdp(message) ? std::string(message.body()) : std::string();
}

void setSdp(Message& message, std::string_view sdp) {
  if (sdp.empty()) return;
  message.addHeader(HeaderId::kContentType, kSdpType);
  message.setBody(sdp);
}

std::string fromTagOf(const Message& message) {
  auto from = parseNameAddr(message.headerValue(HeaderId::kFrom));
  return from ? std::string(from->tag().value_or("")) : std::string();
}

uint32_t sequenceOf(const Message& message) {
  auto cseq = parseCSeq(message.headerValue(HeaderId::kCSeq));
  return cseq ? cseq->sequence : 0;
}

std::string statusText(const Message& response) {
  return std::to_string(response.statusCode()) + " " + std::string(response.reason());
}

}  // namespace

std::string_view inviteSessionStateName(InviteSession::State state) {
  switch (state) {
    case InviteSession::State::kIdle:
      return "idle";
    case InviteSession::State::kCalling:
      return "calling";
    case InviteSession::State::kEarly:
      return "early";
    case InviteSession::State::kConfirmed:
      return "confirmed";
    case InviteSession::State::kTerminating:
      return "terminating";
    case InviteSession::State::kTerminated:
      return "terminated";
  }
  return "unknown";
}

InviteSession::InviteSession(InviteSessionContext context, InviteSessionConfig config, Owner owner)
    : context_(context),
      config_(std::move(config)),
      owner_(std::move(owner)),
      role_(Role::kUac),
      authenticator_(config_.credentials),
      self_(std::make_shared<InviteSession*>(this)),
      callId_(context_.random.hex(16)),
      localTag_(context_.random.hex(8)),
      noAnswerTimer_(context_.timers),
      retransmitTimer_(context_.timers),
      giveUpTimer_(context_.timers),
      glareTimer_(context_.timers) {}

InviteSession::~InviteSession() = default;

core::Result<std::unique_ptr<InviteSession>> InviteSession::fromInvite(InviteSessionContext context,
                                                                       InviteSessionConfig config,
                                                                       Owner owner, TransactionId id,
                                                                       const Message& invite,
                                                                       const Endpoint& from) {
  auto session = std::make_unique<InviteSession>(context, std::move(config), std::move(owner));
  InviteSession& s = *session;
  s.role_ = Role::kUas;
  s.state_ = State::kCalling;
  s.invite_ = invite.clone();
  s.inviteFrom_ = from;
  s.inviteTransaction_ = id;
  s.inviteSequence_ = sequenceOf(invite);
  s.callId_ = std::string(invite.headerValue(HeaderId::kCallId));

  auto refuse = [&](int status, std::string reason, std::string_view header = {},
                    std::string_view value = {}) -> core::Error {
    Message response = s.makeResponse(s.invite_, status, reason);
    if (!header.empty()) response.addHeader(header, value);
    context.transactions.respond(id, response);
    s.finalSent_ = true;
    s.state_ = State::kTerminated;
    return core::makeError(std::move(reason), status);
  };
  // RFC 3261 §8.2.2.3: no extension is supported, so any Require is answered with 420 and Unsupported.
  if (const HeaderField* require = s.invite_.header(HeaderId::kRequire)) {
    return refuse(420, "Bad Extension", "Unsupported", require->value);
  }
  // RFC 3261 §8.2.3: a body that is not SDP cannot be understood.
  if (!s.invite_.body().empty() && !hasSdp(s.invite_)) {
    return refuse(415, "Unsupported Media Type", "Accept", kSdpType);
  }
  auto dialog = Dialog::asUas(s.invite_, s.localTag_, s.config_.contact, Dialog::State::kEarly);
  if (!dialog) return refuse(400, dialog.error().message);
  s.dialog_ = std::move(*dialog);
  s.remoteSdp_ = sdpOf(s.invite_);
  return session;
}

DialogId InviteSession::dialogKey(const Message& request) {
  return DialogId{std::string(request.headerValue(HeaderId::kCallId)), toTagOf(request), fromTagOf(request)};
}

DialogId InviteSession::key() const {
  return DialogId{callId_, localTag_, dialog_ ? dialog_->id().remoteTag : std::string()};
}

ClientTransactionEvents InviteSession::clientEvents(ResponseHandler onResponse, ErrorHandler onError) const {
  std::weak_ptr<InviteSession*> weak = self_;
  ClientTransactionEvents events;
  events.onResponse = [weak, onResponse = std::move(onResponse)](const Message& response) {
    auto self = weak.lock();
    if (self && onResponse) onResponse(**self, response);
  };
  events.onError = [weak, onError = std::move(onError)](TransactionError error) {
    auto self = weak.lock();
    if (self && onError) onError(**self, error);
  };
  return events;
}

// ---- UAC ------------------------------------------------------------------------------------------

core::Result<void> InviteSession::start(CallParams params) {
  if (role_ != Role::kUac || state_ != State::kIdle) return core::makeError("the call was already started");
  for (const auto& [name, value] : params.headers) {
    if (name.empty() || !chars::isToken(name)) {
      return core::makeError("extra header name '" + core::printable(name) + "' is not a SIP token");
    }
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return core::makeError("extra header '" + name + "' has a CR, LF or NUL in its value");
    }
    const HeaderId id = headerIdFromName(name);
    if (std::find(kOwnHeaders.begin(), kOwnHeaders.end(), id) != kOwnHeaders.end()) {
      return core::makeError("extra header '" + name + "' is written by the session itself");
    }
  }
  params_ = std::move(params);
  state_ = State::kCalling;
  authenticator_.startRequest();
  if (config_.noAnswerTimeout.count() > 0) {
    noAnswerTimer_.start(config_.noAnswerTimeout, [this] {
      cancelReason_ = "cancelled: no answer within " + std::to_string(config_.noAnswerTimeout.count()) + " s";
      cancel();
    });
  }
  sendInvite({});
  return {};
}

void InviteSession::sendInvite(const std::vector<auth::AuthorizationHeader>& credentials) {
  // RFC 3261 §8.1.1, §13.2.1; a re-send after a challenge keeps Call-ID and From tag, with CSeq plus one
  // and a new branch (§22.2).
  const uint32_t sequence = ++inviteSequence_;
  Message request = Message::request("INVITE", params_.requestUri);
  request.addHeader(HeaderId::kVia, newVia(params_.nextHop));
  request.addHeader(HeaderId::kMaxForwards, "70");
  request.addHeader(HeaderId::kFrom, config_.localUri + ";tag=" + localTag_);
  request.addHeader(HeaderId::kTo, params_.to);
  request.addHeader(HeaderId::kCallId, callId_);
  request.addHeader(HeaderId::kCSeq, std::to_string(sequence) + " INVITE");
  request.addHeader(HeaderId::kContact, config_.contact);
  for (const auto& header : credentials) request.addHeader(header.name(), header.value);
  request.addHeader(HeaderId::kAllow, kAllow);
  if (!config_.userAgent.empty()) request.addHeader(HeaderId::kUserAgent, config_.userAgent);
  for (const auto& [name, value] : params_.headers) request.addHeader(name, value);
  setSdp(request, params_.offerSdp);
  invite_ = request;
  provisionalSeen_ = false;
  cancelSent_ = false;

  // Only the newest INVITE decides: the challenged one's late answers are ignored.
  inviteTransaction_ =
      context_.transactions.sendRequest(request, params_.nextHop,
                                        clientEvents(
                                            [sequence](InviteSession& s, const Message& r) {
                                              if (s.inviteSequence_ == sequence) s.onInviteResponse(r);
                                            },
                                            [sequence](InviteSession& s, TransactionError e) {
                                              if (s.inviteSequence_ == sequence) s.onInviteError(e);
                                            }));
  if (inviteTransaction_ == 0)
    terminate(Event::Kind::kFailed, 500, "the transaction layer refused the INVITE");
}

void InviteSession::onInviteResponse(const Message& response) {
  const int status = response.statusCode();
  if (status >= 200 && status < 300) {
    on2xx(response);
    return;
  }
  if (state_ == State::kTerminated || dialog_) return;
  if (status < 200) {
    provisionalSeen_ = true;
    // RFC 3261 §9.1: a CANCEL waits for a provisional response.
    if (cancelWanted_ && !cancelSent_) sendCancel();
    if (status > 100) {
      state_ = State::kEarly;
      std::string sdp = sdpOf(response);
      if (!sdp.empty()) remoteSdp_ = sdp;
      emit(Event::Kind::kProvisional, status, std::string(response.reason()), std::move(sdp));
    }
    return;
  }
  noAnswerTimer_.cancel();
  if ((status == 401 || status == 407) && !cancelWanted_) {
    std::vector<auth::ReceivedChallenge> challenges;
    for (const HeaderField& field : response.headers()) {
      if (field.id == HeaderId::kWwwAuthenticate) challenges.push_back({false, field.value});
      if (field.id == HeaderId::kProxyAuthenticate) challenges.push_back({true, field.value});
    }
    const auth::AuthDecision decision =
        authenticator_.onChallenge(challenges, auth::DigestRequest{"INVITE", params_.requestUri, ""});
    if (decision.answered()) {
      if (config_.noAnswerTimeout.count() > 0 && !noAnswerTimer_.active()) {
        noAnswerTimer_.start(config_.noAnswerTimeout, [this] {
          cancelReason_ =
              "cancelled: no answer within " + std::to_string(config_.noAnswerTimeout.count()) + " s";
          cancel();
        });
      }
      sendInvite(decision.headers);
      return;
    }
    terminate(Event::Kind::kFailed, status, "call refused: " + decision.reason);
    return;
  }
  if (cancelWanted_) {
    terminate(Event::Kind::kFailed, 487, cancelReason_);
    return;
  }
  terminate(Event::Kind::kFailed, status, "call refused: " + statusText(response));
}

void InviteSession::onInviteError(TransactionError error) {
  if (state_ == State::kTerminated || dialog_) return;
  if (cancelWanted_) {
    // RFC 3261 §9.1: no provisional came (Timer B), or no final after the CANCEL (64*T1): give up.
    terminate(Event::Kind::kFailed, 487, cancelReason_);
  } else if (error == TransactionError::kTimeout) {
    terminate(Event::Kind::kFailed, 408,
              "no answer from " + params_.nextHop.toString() + " (INVITE timed out)");
  } else {
    terminate(Event::Kind::kFailed, 503,
              "could not reach " + params_.nextHop.toString() + " (transport error)");
  }
}

void InviteSession::on2xx(const Message& response) {
  const std::string tag = toTagOf(response);
  // RFC 3261 §13.2.2.4: a retransmitted 2xx gets the same ACK again.
  for (const Fork& fork : forks_) {
    if (fork.tag == tag) {
      if (!fork.ack.empty()) context_.sink.send(fork.to, fork.ack);
      return;
    }
  }
  auto dialog = Dialog::asUac(invite_, response);
  if (!dialog) {
    // No To tag or no usable Contact: nothing can be ACKed. The first such 2xx ends the attempt.
    if (!dialog_ && state_ != State::kTerminated) {
      noAnswerTimer_.cancel();
      terminate(Event::Kind::kFailed, 502, "unusable 2xx: " + dialog.error().message);
    }
    return;
  }
  Fork fork{tag, {}, {}};
  const bool winner = !dialog_ && state_ != State::kTerminated && !cancelWanted_;
  if (!winner) {
    // RFC 3261 §13.2.2.4: a 2xx from another fork (or one that raced our CANCEL) is ACKed and the dialog
    // it made ended with BYE.
    sendAck(*dialog, inviteSequence_, {}, fork);
    forks_.push_back(std::move(fork));
    sendBye(*dialog, false);
    if (!dialog_ && state_ != State::kTerminated) {
      terminate(Event::Kind::kFailed, 487, cancelReason_ + " (answered meanwhile: ACKed and hung up)");
    }
    return;
  }
  noAnswerTimer_.cancel();
  std::string sdp = sdpOf(response);
  std::string ackBody;
  bool refused = false;
  if (params_.offerSdp.empty()) {
    // Delayed offer (RFC 3264 §4): the 2xx offers, the ACK answers.
    std::optional<std::string> answer = owner_.onOffer ? owner_.onOffer(sdp) : std::nullopt;
    if (answer) ackBody = std::move(*answer);
    refused = !answer || sdp.empty();
  }
  dialog_ = std::move(*dialog);
  state_ = State::kConfirmed;
  if (!sdp.empty()) remoteSdp_ = sdp;
  sendAck(*dialog_, inviteSequence_, ackBody, fork);
  forks_.push_back(std::move(fork));
  if (refused) {
    // RFC 3261 §13.2.2.4: an unacceptable offer in the 2xx: ACK it, then BYE.
    sendBye(*dialog_, false);
    terminate(Event::Kind::kFailed, 488, "the answer's offer was refused");
    return;
  }
  emit(Event::Kind::kAnswered, response.statusCode(), std::string(response.reason()), std::move(sdp));
}

void InviteSession::cancel() {
  if (role_ != Role::kUac || cancelWanted_ || dialog_) return;
  if (state_ != State::kCalling && state_ != State::kEarly) return;
  cancelWanted_ = true;
  if (cancelReason_.empty()) cancelReason_ = "cancelled";
  noAnswerTimer_.cancel();
  // RFC 3261 §9.1: only after a provisional; until then the INVITE's Timer B is the limit.
  if (provisionalSeen_) sendCancel();
}

void InviteSession::sendCancel() {
  // RFC 3261 §9.1: Request-URI, Call-ID, From, To, CSeq number and the top Via of the INVITE, and its Route.
  cancelSent_ = true;
  Message request = Message::request("CANCEL", invite_.requestUri());
  request.addHeader(HeaderId::kVia, topViaOf(invite_).value_or(""));
  request.addHeader(HeaderId::kMaxForwards, "70");
  for (const HeaderField& field : invite_.headers()) {
    if (field.id == HeaderId::kRoute) request.addHeader(field.id, field.value);
  }
  request.addHeader(HeaderId::kFrom, invite_.headerValue(HeaderId::kFrom));
  request.addHeader(HeaderId::kTo, invite_.headerValue(HeaderId::kTo));
  request.addHeader(HeaderId::kCallId, callId_);
  request.addHeader(HeaderId::kCSeq, std::to_string(inviteSequence_) + " CANCEL");
  if (!config_.userAgent.empty()) request.addHeader(HeaderId::kUserAgent, config_.userAgent);
  // The CANCEL's own answer decides nothing: the INVITE's 487 (or its timeout) does.
  context_.transactions.sendRequest(request, params_.nextHop, clientEvents(nullptr, nullptr));
}

void InviteSession::sendAck(const Dialog& dialog, uint32_t sequence, std::string_view body, Fork& fork) {
  // RFC 3261 §13.2.2.4: the ACK for a 2xx goes from the TU straight to the transport, with a new branch.
  fork.to = nextHopOf(dialog);
  Message ack = dialog.makeAck(sequence, newVia(fork.to));
  if (!config_.userAgent.empty()) ack.addHeader(HeaderId::kUserAgent, config_.userAgent);
  setSdp(ack, body);
  fork.ack = toString(ack);
  context_.sink.send(fork.to, fork.ack);
}

void InviteSession::sendBye(Dialog& dialog, bool forMainDialog) {
  const Endpoint to = nextHopOf(dialog);
  Message bye = dialog.makeRequest("BYE", newVia(to));
  if (!config_.userAgent.empty()) bye.addHeader(HeaderId::kUserAgent, config_.userAgent);
  if (!forMainDialog) {
    context_.transactions.sendRequest(bye, to, clientEvents(nullptr, nullptr));
    return;
  }
  state_ = State::kTerminating;
  pending2xx_.reset();
  retransmitTimer_.cancel();
  giveUpTimer_.cancel();
  glareTimer_.cancel();
  // RFC 3261 §15.1.1: the session ends with the BYE's final response (whatever it is) or its timeout.
  context_.transactions.sendRequest(bye, to,
                                    clientEvents(
                                        [](InviteSession& s, const Message& r) {
                                          if (r.statusCode() >= 200 && s.state_ == State::kTerminating) {
                                            s.terminate(Event::Kind::kEnded, r.statusCode(), "hung up");
                                          }
                                        },
                                        [](InviteSession& s, TransactionError e) {
                                          if (s.state_ == State::kTerminating) {
                                            s.terminate(Event::Kind::kEnded,
                                                        e == TransactionError::kTimeout ? 408 : 503,
                                                        "hung up (no answer to the BYE)");
                                          }
                                        }));
}

// ---- UAS ------------------------------------------------------------------------------------------

void InviteSession::ring(std::string_view earlySdp) {
  if (role_ != Role::kUas || finalSent_ || state_ == State::kTerminated) return;
  // RFC 3261 §13.3.1.1; 183 with SDP for early media (RFC 3960).
  Message response = makeResponse(invite_, earlySdp.empty() ? 180 : 183, {});
  setSdp(response, earlySdp);
  context_.transactions.respond(inviteTransaction_, response);
  state_ = State::kEarly;
}

void InviteSession::answer(std::string_view sdp) {
  if (role_ != Role::kUas || finalSent_ || state_ == State::kTerminated) return;
  Message response = makeResponse(invite_, 200, {});
  setSdp(response, sdp);
  finalSent_ = true;
  dialog_->confirm();
  state_ = State::kConfirmed;
  start2xx(inviteTransaction_, inviteSequence_, std::move(response), true);
}

void InviteSession::reject(int status, std::string_view reason) {
  if (role_ != Role::kUas || finalSent_ || state_ == State::kTerminated) return;
  if (status < 300 || status > 699) status = config_.declineStatus;
  Message response = makeResponse(invite_, status, reason);
  context_.transactions.respond(inviteTransaction_, response);
  finalSent_ = true;
  terminate(Event::Kind::kFailed, status, std::string(response.reason()));
}

void InviteSession::start2xx(TransactionId id, uint32_t sequence, Message response, bool initial) {
  context_.transactions.respond(id, response);
  pending2xx_ =
      std::make_unique<Pending2xx>(Pending2xx{id, sequence, std::move(response), config_.timers.t1, initial});
  // RFC 3261 §13.3.1.4: the TU retransmits the 2xx at T1, doubling up to T2, until the ACK; 64*T1 at most.
  retransmitTimer_.start(config_.timers.t1, [this] { retransmit2xx(); });
  giveUpTimer_.start(64 * config_.timers.t1, [this] { noAck(); });
}

void InviteSession::retransmit2xx() {
  if (!pending2xx_) return;
  context_.transactions.respond(pending2xx_->id, pending2xx_->response);
  pending2xx_->interval = std::min(2 * pending2xx_->interval, config_.timers.t2);
  retransmitTimer_.start(pending2xx_->interval, [this] { retransmit2xx(); });
}

void InviteSession::noAck() {
  if (!pending2xx_) return;
  const bool initial = pending2xx_->initial;
  pending2xx_.reset();
  retransmitTimer_.cancel();
  reinviteIn_ = false;
  // RFC 3261 §13.3.1.4: no ACK within 64*T1: the dialog is confirmed but the session is ended with BYE.
  sendBye(*dialog_, false);
  terminate(initial && !byeAfterAck_ ? Event::Kind::kFailed : Event::Kind::kEnded, 408,
            "no ACK for our 2xx within 64*T1: hung up");
}

void InviteSession::onAck(const Message& ack, const Endpoint& /*from*/) {
  if (!pending2xx_ || sequenceOf(ack) != pending2xx_->sequence) return;  // a retransmitted or stray ACK
  const bool initial = pending2xx_->initial;
  pending2xx_.reset();
  retransmitTimer_.cancel();
  giveUpTimer_.cancel();
  std::string sdp = sdpOf(ack);
  if (!sdp.empty()) remoteSdp_ = sdp;
  if (byeAfterAck_) {
    // RFC 3261 §15: the callee's BYE waited for the ACK.
    sendBye(*dialog_, true);
    return;
  }
  if (initial) {
    emit(Event::Kind::kAnswered, 200, "ACK received", std::move(sdp));
  } else {
    reinviteIn_ = false;
    if (!sdp.empty()) emit(Event::Kind::kRemoteSdp, 200, "ACK received", std::move(sdp));
  }
}

// ---- both roles -----------------------------------------------------------------------------------

void InviteSession::hangup() {
  if (state_ == State::kTerminated || state_ == State::kTerminating || state_ == State::kIdle) return;
  if (role_ == Role::kUac && !dialog_) {
    cancel();
    return;
  }
  if (role_ == Role::kUas && !finalSent_) {
    reject(config_.declineStatus);
    return;
  }
  if (role_ == Role::kUas && pending2xx_ && pending2xx_->initial) {
    byeAfterAck_ = true;
    return;
  }
  sendBye(*dialog_, true);
}

void InviteSession::onRequest(TransactionId id, const Message& request, const Endpoint& /*from*/) {
  if (request.methodId() == Method::kCancel) {
    onCancel(id, request);
    return;
  }
  if (state_ == State::kTerminated || !dialog_ ||
      (role_ == Role::kUac && state_ != State::kConfirmed && state_ != State::kTerminating)) {
    // RFC 3261 §12.2.2: no dialog for it (here).
    context_.transactions.respond(id, makeResponse(request, 481, {}));
    return;
  }
  if (auto accepted = dialog_->acceptRequest(request); !accepted) {
    // RFC 3261 §12.2.2: a CSeq lower than the last one is refused with 500.
    const int status = accepted.error().code != 0 ? accepted.error().code : 400;
    context_.transactions.respond(id, makeResponse(request, status, accepted.error().message));
    return;
  }
  switch (request.methodId()) {
    case Method::kBye:
      context_.transactions.respond(id, makeResponse(request, 200, {}));
      if (role_ == Role::kUas && !finalSent_) {
        // RFC 3261 §15.1.2: a BYE in the early dialog ends the INVITE with 487.
        context_.transactions.respond(inviteTransaction_, makeResponse(invite_, 487, {}));
        finalSent_ = true;
        terminate(Event::Kind::kCancelled, 487, "the caller hung up before the answer");
      } else {
        terminate(Event::Kind::kEnded, 200, "BYE from the peer");
      }
      return;
    case Method::kInvite:
      onIncomingInvite(id, request);
      return;
    case Method::kUpdate:
      onIncomingOffer(id, request);
      return;
    case Method::kOptions: {
      Message response = makeResponse(request, 200, {});
      response.addHeader(HeaderId::kAllow, kAllow);
      response.addHeader(HeaderId::kAccept, kSdpType);
      context_.transactions.respond(id, response);
      return;
    }
    case Method::kInfo:
      context_.transactions.respond(id, makeResponse(request, 200, {}));
      emit(Event::Kind::kInfo, 0, "INFO", std::string(request.body()),
           std::string(request.headerValue(HeaderId::kContentType)));
      return;
    default: {
      // RFC 3261 §8.2.1: 405 with Allow.
      Message response = makeResponse(request, 405, {});
      response.addHeader(HeaderId::kAllow, kAllow);
      context_.transactions.respond(id, response);
      return;
    }
  }
}

void InviteSession::onIncomingInvite(TransactionId id, const Message& request) {
  if (pending2xx_ || reinviteIn_ || (role_ == Role::kUas && !finalSent_)) {
    // RFC 3261 §14.2: an INVITE while our answer to an earlier one is unfinished: 500 with Retry-After.
    Message response = makeResponse(request, 500, "an earlier INVITE is still in progress");
    response.addHeader(HeaderId::kRetryAfter, std::to_string(context_.random.next64() % 10));
    context_.transactions.respond(id, response);
    return;
  }
  onIncomingOffer(id, request);
}

void InviteSession::onIncomingOffer(TransactionId id, const Message& request) {
  if (state_ != State::kConfirmed) {
    context_.transactions.respond(id, makeResponse(request, 481, {}));
    return;
  }
  if (reinviteOut_ && !glareTimer_.active()) {
    // RFC 3261 §14.2 (RFC 3311 §5.2 for UPDATE): our own re-INVITE is in progress: glare. While it waits
    // for its retry after a 491 it is not, and the peer's offer is answered.
    context_.transactions.respond(id, makeResponse(request, 491, {}));
    return;
  }
  const std::string offer = sdpOf(request);
  // ARCHITECTURE.md §4: the gateway answers SIP-side renegotiation itself, through the owner.
  std::optional<std::string> answer = owner_.onOffer ? owner_.onOffer(offer) : std::nullopt;
  if (!answer) {
    context_.transactions.respond(id, makeResponse(request, 488, {}));
    return;
  }
  // RFC 3261 §12.2: a target refresh; a request without a usable Contact keeps the old target.
  (void)dialog_->refreshTarget(request);
  if (!offer.empty()) remoteSdp_ = offer;
  Message response = makeResponse(request, 200, {});
  setSdp(response, *answer);
  if (request.methodId() == Method::kInvite) {
    reinviteIn_ = true;
    start2xx(id, sequenceOf(request), std::move(response), false);
  } else {
    context_.transactions.respond(id, response);
  }
}

void InviteSession::onCancel(TransactionId id, const Message& cancel) {
  if (role_ != Role::kUas || id == 0) {
    context_.transactions.respond(id, makeResponse(cancel, 481, {}));
    return;
  }
  // RFC 3261 §9.2: 200 to the CANCEL (with the To tag of our INVITE responses); 487 to the INVITE if it has
  // no final response yet, else the CANCEL changes nothing.
  context_.transactions.respond(id, makeResponse(cancel, 200, {}));
  if (finalSent_ || state_ == State::kTerminated) return;
  context_.transactions.respond(inviteTransaction_, makeResponse(invite_, 487, {}));
  finalSent_ = true;
  terminate(Event::Kind::kCancelled, 487, "cancelled by the caller");
}

bool InviteSession::sendReinvite(std::string sdp) {
  if (state_ != State::kConfirmed || reinviteOut_ || reinviteIn_ || pending2xx_) return false;
  reinviteOut_ = true;
  sendReinviteNow(sdp);
  return true;
}

void InviteSession::sendReinviteNow(const std::string& sdp) {
  const Endpoint to = nextHopOf(*dialog_);
  Message request = dialog_->makeRequest("INVITE", newVia(to));
  request.addHeader(HeaderId::kAllow, kAllow);
  if (!config_.userAgent.empty()) request.addHeader(HeaderId::kUserAgent, config_.userAgent);
  setSdp(request, sdp);
  const uint32_t sequence = dialog_->localSequence();
  context_.transactions.sendRequest(
      request, to,
      clientEvents(
          [sequence, sdp](InviteSession& s, const Message& r) { s.onReinviteResponse(r, sequence, sdp); },
          [](InviteSession& s, TransactionError e) {
            if (s.state_ != State::kConfirmed || !s.reinviteOut_) return;
            s.reinviteOut_ = false;
            s.emit(Event::Kind::kReinviteResult, e == TransactionError::kTimeout ? 408 : 503,
                   "re-INVITE got no answer");
            // RFC 3261 §12.2.1.2: a timed-out request in the dialog ends it.
            if (s.state_ == State::kConfirmed) s.sendBye(*s.dialog_, true);
          }));
}

void InviteSession::onReinviteResponse(const Message& response, uint32_t sequence, const std::string& sdp) {
  const int status = response.statusCode();
  if (status < 200 || state_ != State::kConfirmed) {
    if (status >= 200 && status < 300 && sequence == reinviteAckSequence_ && !reinviteAck_.ack.empty()) {
      context_.sink.send(reinviteAck_.to, reinviteAck_.ack);
    }
    return;
  }
  if (status < 300) {
    if (sequence == reinviteAckSequence_) {
      // RFC 3261 §13.2.2.4: a retransmitted 2xx gets the same ACK again.
      if (!reinviteAck_.ack.empty()) context_.sink.send(reinviteAck_.to, reinviteAck_.ack);
      return;
    }
    (void)dialog_->refreshTarget(response);
    reinviteAckSequence_ = sequence;
    sendAck(*dialog_, sequence, {}, reinviteAck_);
    std::string answer = sdpOf(response);
    if (!answer.empty()) remoteSdp_ = answer;
    reinviteOut_ = false;
    emit(Event::Kind::kReinviteResult, status, std::string(response.reason()), std::move(answer));
    return;
  }
  if (status == 491) {
    // RFC 3261 §14.1: glare. The owner of the Call-ID (the UAC of the call) waits 2.1-4 s, the other
    // side 0-2 s, in units of 10 ms.
    const uint64_t tens = context_.random.next64();
    const auto wait = role_ == Role::kUac ? std::chrono::milliseconds(2100 + 10 * (tens % 191))
                                          : std::chrono::milliseconds(10 * (tens % 201));
    glareTimer_.start(wait, [this, sdp] {
      if (state_ != State::kConfirmed) return;
      if (pending2xx_ || reinviteIn_) {
        // The peer's re-INVITE is still being answered: wait once more.
        glareTimer_.start(std::chrono::milliseconds(500), [this, sdp] {
          if (state_ == State::kConfirmed) sendReinviteNow(sdp);
        });
        return;
      }
      sendReinviteNow(sdp);
    });
    return;
  }
  reinviteOut_ = false;
  emit(Event::Kind::kReinviteResult, status, statusText(response));
  if ((status == 481 || status == 408) && state_ == State::kConfirmed) {
    // RFC 3261 §12.2.1.2: the dialog is gone.
    if (status == 408) {
      sendBye(*dialog_, true);
    } else {
      terminate(Event::Kind::kEnded, status, "the peer lost the dialog (481)");
    }
  }
}

// ---- helpers --------------------------------------------------------------------------------------

Message InviteSession::makeResponse(const Message& request, int status, std::string_view reason) const {
  // RFC 3261 §8.2.6.2: Via (all), From, To (with our tag once past 100), Call-ID, CSeq; Record-Route in the
  // responses that form the dialog (§12.1.1).
  const bool dialogForming = request.methodId() == Method::kInvite && status > 100 && status < 300;
  Message response = sip::makeResponse(request, status, reason,
                                       status > 100 ? std::string_view(localTag_) : "", dialogForming);
  const bool refresh = (request.methodId() == Method::kInvite && status > 100 && status < 300) ||
                       (request.methodId() == Method::kUpdate && status >= 200 && status < 300);
  if (refresh) response.addHeader(HeaderId::kContact, config_.contact);
  if (!config_.userAgent.empty()) response.addHeader(HeaderId::kServer, config_.userAgent);
  return response;
}

std::string InviteSession::newVia(const Endpoint& to) {
  // RFC 3261 §8.1.1.7: a new branch with the magic cookie; RFC 3581 rport.
  return "SIP/2.0/" + std::string(transportName(to.protocol)) + " " + config_.sentBy + ";branch=z9hG4bK" +
         context_.random.hex(12) + ";rport";
}

Endpoint InviteSession::nextHopOf(const Dialog& dialog) const {
  if (owner_.resolve) {
    if (auto resolved = owner_.resolve(dialog.nextHopUri())) return *resolved;
  }
  return role_ == Role::kUac ? params_.nextHop : inviteFrom_;
}

void InviteSession::emit(Event::Kind kind, int status, std::string reason, std::string sdp,
                         std::string type) {
  if (owner_.onEvent) owner_.onEvent(Event{kind, status, std::move(reason), std::move(sdp), std::move(type)});
}

void InviteSession::terminate(Event::Kind kind, int status, std::string reason) {
  noAnswerTimer_.cancel();
  retransmitTimer_.cancel();
  giveUpTimer_.cancel();
  glareTimer_.cancel();
  pending2xx_.reset();
  reinviteOut_ = false;
  reinviteIn_ = false;
  state_ = State::kTerminated;
  emit(kind, status, std::move(reason));
}

}  // namespace callgate::sip
