#include "sip/ua/invite_session.hpp"

#include <algorithm>
#include <array>

#include "core/text.hpp"
#include "sip/message/char_class.hpp"
#include "sip/message/header_values.hpp"
#include "sip/message/writer.hpp"
#include "sip/transaction/transaction_key.hpp"
#include "sip/transport/error_response.hpp"
#include "sip/ua/extensions.hpp"
#include "sip/ua/session_util.hpp"

namespace callgate::sip {

using namespace session_util;

namespace {

// Headers the session writes itself: an extra header may not replace them.
constexpr std::array kOwnHeaders = {
    HeaderId::kVia,           HeaderId::kMaxForwards,
    HeaderId::kFrom,          HeaderId::kTo,
    HeaderId::kCallId,        HeaderId::kCSeq,
    HeaderId::kContact,       HeaderId::kContentLength,
    HeaderId::kContentType,   HeaderId::kAllow,
    HeaderId::kSupported,     HeaderId::kUserAgent,
    HeaderId::kAuthorization, HeaderId::kProxyAuthorization,
    HeaderId::kRoute,         HeaderId::kRecordRoute,
};

std::string fromTagOf(const Message& message) {
  auto from = parseNameAddr(message.headerValue(HeaderId::kFrom));
  return from ? std::string(from->tag().value_or("")) : std::string();
}

// RFC 3261 §9.1: the Request-URI, Call-ID, From, To, CSeq number and top Via of the INVITE it cancels, and
// the INVITE's Route header fields.
Message cancelOf(const Message& invite, std::string_view userAgent) {
  Message request = Message::request("CANCEL", invite.requestUri());
  request.addHeader(HeaderId::kVia, topViaOf(invite).value_or(""));
  request.addHeader(HeaderId::kMaxForwards, "70");
  for (const HeaderField& field : invite.headers()) {
    if (field.id == HeaderId::kRoute) request.addHeader(field.id, field.value);
  }
  request.addHeader(HeaderId::kFrom, invite.headerValue(HeaderId::kFrom));
  request.addHeader(HeaderId::kTo, invite.headerValue(HeaderId::kTo));
  request.addHeader(HeaderId::kCallId, invite.headerValue(HeaderId::kCallId));
  request.addHeader(HeaderId::kCSeq, std::to_string(sequenceOf(invite)) + " CANCEL");
  if (!userAgent.empty()) request.addHeader(HeaderId::kUserAgent, userAgent);
  return request;
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

std::string_view inviteEventName(InviteSession::Event::Kind kind) {
  using Kind = InviteSession::Event::Kind;
  switch (kind) {
    case Kind::kProvisional:
      return "provisional";
    case Kind::kAnswered:
      return "answered";
    case Kind::kFailed:
      return "failed";
    case Kind::kCancelled:
      return "cancelled";
    case Kind::kEnded:
      return "ended";
    case Kind::kReinviteResult:
      return "reinvite";
    case Kind::kRemoteSdp:
      return "remote-sdp";
    case Kind::kInfo:
      return "info";
    case Kind::kMessage:
      return "message";
    case Kind::kUpdateResult:
      return "update";
    case Kind::kTransfer:
      return "transfer";
    case Kind::kSessionTimer:
      return "session-timer";
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
      glareTimer_(context_.timers),
      reliableTimer_(context_.timers),
      reliableGiveUp_(context_.timers),
      sessionTimerTimer_(context_.timers),
      referTimer_(context_.timers) {}

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
  // RFC 3261 §8.2.2.3: an extension we do not support is answered with 420, listed in Unsupported.
  std::string unsupported;
  for (std::string_view tag : optionTags(s.invite_, HeaderId::kRequire)) {
    if (tag == "100rel" || tag == "timer") continue;
    unsupported += (unsupported.empty() ? "" : ", ") + std::string(tag);
  }
  if (!unsupported.empty()) return refuse(420, "Bad Extension", "Unsupported", unsupported);
  // RFC 3261 §8.2.3: a body that is not SDP cannot be understood.
  if (!s.invite_.body().empty() && !hasSdp(s.invite_)) {
    return refuse(415, "Unsupported Media Type", "Accept", kSdpType);
  }
  // RFC 4028 §9: a session interval below our Min-SE is answered 422.
  auto timer = s.sessionTimerFor(s.invite_);
  if (!timer) {
    if (timer.error().code == 422) {
      return refuse(422, "Session Interval Too Small", "Min-SE",
                    std::to_string(s.config_.minSessionExpires.count()));
    }
    return refuse(400, timer.error().message);
  }
  auto dialog = Dialog::asUas(s.invite_, s.localTag_, s.config_.contact, Dialog::State::kEarly);
  if (!dialog) return refuse(400, dialog.error().message);
  s.dialog_ = std::move(*dialog);
  s.remoteSdp_ = sdpOf(s.invite_);
  s.offeredTimer_ = *timer;
  s.peerRequires100rel_ = hasOptionTag(s.invite_, HeaderId::kRequire, "100rel");
  s.peerAllowsUpdate_ = hasOptionTag(s.invite_, HeaderId::kAllow, "UPDATE");
  // RFC 3262 §3: the first RSeq is random, 1 to 2**31-1.
  s.nextRseq_ = static_cast<uint32_t>(context.random.next64() % 0x7FFFFFFEu) + 1;
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
  for (const std::string& route : config_.routeSet) request.addHeader(HeaderId::kRoute, route);
  request.addHeader(HeaderId::kFrom, config_.localUri + ";tag=" + localTag_);
  request.addHeader(HeaderId::kTo, params_.to);
  request.addHeader(HeaderId::kCallId, callId_);
  request.addHeader(HeaderId::kCSeq, std::to_string(sequence) + " INVITE");
  request.addHeader(HeaderId::kContact, config_.contact);
  for (const auto& header : credentials) request.addHeader(header.name(), header.value);
  request.addHeader(HeaderId::kAllow, kAllow);
  request.addHeader(HeaderId::kSupported, kSupported);
  if (!config_.userAgent.empty()) request.addHeader(HeaderId::kUserAgent, config_.userAgent);
  for (const auto& [name, value] : params_.headers) request.addHeader(name, value);
  setSdp(request, params_.offerSdp);
  localSdp_ = params_.offerSdp;
  invite_ = request;
  earlyDialogs_.clear();
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
      // RFC 3262 §4: a reliable provisional is PRACKed once; a retransmission is not reported again.
      if (hasOptionTag(response, HeaderId::kRequire, "100rel") && !prackReliable(response)) return;
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
  core::Result<Dialog> dialog = core::makeError("no dialog");
  auto early = std::find_if(earlyDialogs_.begin(), earlyDialogs_.end(),
                            [&tag](const EarlyDialog& e) { return e.tag == tag; });
  if (early != earlyDialogs_.end()) {
    // RFC 3261 §13.2.2.4: the 2xx confirms the early dialog its reliable 1xx made (its CSeq goes on).
    Dialog confirmed = early->dialog;
    auto ok = confirmed.confirm(response);
    dialog = ok ? core::Result<Dialog>(std::move(confirmed)) : core::Result<Dialog>(ok.error());
  } else {
    dialog = Dialog::asUac(invite_, response);
  }
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
  earlyDialogs_.clear();
  state_ = State::kConfirmed;
  if (!sdp.empty()) remoteSdp_ = sdp;
  if (!ackBody.empty()) localSdp_ = ackBody;
  sendAck(*dialog_, inviteSequence_, ackBody, fork);
  forks_.push_back(std::move(fork));
  if (refused) {
    // RFC 3261 §13.2.2.4: an unacceptable offer in the 2xx: ACK it, then BYE.
    sendBye(*dialog_, false);
    terminate(Event::Kind::kFailed, 488, "the answer's offer was refused");
    return;
  }
  peerAllowsUpdate_ = hasOptionTag(response, HeaderId::kAllow, "UPDATE");
  emit(Event::Kind::kAnswered, response.statusCode(), std::string(response.reason()), std::move(sdp));
  if (state_ != State::kConfirmed) return;
  // RFC 4028 §7.2: the 2xx's Session-Expires sets the timer; refresher=uac (or none said) makes us refresh.
  auto expires = sessionExpiresOf(response);
  if (expires && *expires) {
    applySessionTimer(
        SessionTimer{(*expires)->seconds, (*expires)->refresher != SessionExpires::Refresher::kUas});
  }
}

bool InviteSession::prackReliable(const Message& response) {
  auto rseq = parseRSeq(response.headerValue(HeaderId::kRSeq));
  const std::string tag = toTagOf(response);
  // Without RSeq or To tag it cannot be acknowledged: reported as an ordinary provisional.
  if (!rseq || tag.empty()) return true;
  auto early = std::find_if(earlyDialogs_.begin(), earlyDialogs_.end(),
                            [&tag](const EarlyDialog& e) { return e.tag == tag; });
  if (early == earlyDialogs_.end()) {
    auto dialog = Dialog::asUac(invite_, response);
    if (!dialog) return true;
    earlyDialogs_.push_back(EarlyDialog{tag, std::move(*dialog), 0});
    early = earlyDialogs_.end() - 1;
  } else if (*rseq != early->rseq + 1) {
    // RFC 3262 §4: a retransmission (RSeq seen) or out of order (a gap): not PRACKed, not reported.
    return false;
  }
  early->rseq = *rseq;
  const Endpoint to = nextHopOf(early->dialog);
  Message prack = early->dialog.makeRequest("PRACK", newVia(to));
  prack.addHeader(HeaderId::kRAck, std::to_string(*rseq) + " " + std::to_string(inviteSequence_) + " INVITE");
  if (!config_.userAgent.empty()) prack.addHeader(HeaderId::kUserAgent, config_.userAgent);
  // The PRACK's answer decides nothing: a UAS that never gets it fails the INVITE, which we report.
  context_.transactions.sendRequest(prack, to, clientEvents(nullptr, nullptr));
  return true;
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
  cancelSent_ = true;
  // The CANCEL's own answer decides nothing: the INVITE's 487 (or its timeout) does.
  context_.transactions.sendRequest(cancelOf(invite_, config_.userAgent), params_.nextHop,
                                    clientEvents(nullptr, nullptr));
}

void InviteSession::cancelReinvite() {
  if (!reinviteCancel_) return;
  reinviteCancel_->wanted = true;
  sendReinviteCancel(context_.transactions, *reinviteCancel_);
  reinviteCancel_.reset();  // the re-INVITE's events keep it until a provisional response or the end
}

void InviteSession::sendReinviteCancel(TransactionLayer& layer, ReinviteCancel& reinvite) {
  // RFC 3261 §9.1: not before a provisional response (until then Timer B bounds the INVITE), and once.
  if (!reinvite.wanted || !reinvite.provisional || reinvite.done) return;
  reinvite.done = true;
  // Its own answer decides nothing: the re-INVITE ends with its final response, or 64*T1 after the CANCEL.
  layer.sendRequest(reinvite.cancel, reinvite.to, ClientTransactionEvents{});
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
  if (!forMainDialog) {
    const Endpoint to = nextHopOf(dialog);
    Message bye = dialog.makeRequest("BYE", newVia(to));
    if (!config_.userAgent.empty()) bye.addHeader(HeaderId::kUserAgent, config_.userAgent);
    context_.transactions.sendRequest(bye, to, clientEvents(nullptr, nullptr));
    return;
  }
  state_ = State::kTerminating;
  cancelReinvite();
  pending2xx_.reset();
  retransmitTimer_.cancel();
  giveUpTimer_.cancel();
  glareTimer_.cancel();
  sessionTimerTimer_.cancel();
  referTimer_.cancel();
  // RFC 3261 §15.1.1: the session ends with the BYE's final response (whatever it is) or its timeout.
  auto out = std::make_shared<OutRequest>();
  out->method = "BYE";
  out->onResponse = [](InviteSession& s, const Message& r) {
    if (r.statusCode() >= 200 && s.state_ == State::kTerminating) {
      s.terminate(Event::Kind::kEnded, s.endReason_.empty() ? r.statusCode() : 408,
                  s.endReason_.empty() ? "hung up" : s.endReason_);
    }
  };
  out->onError = [](InviteSession& s, TransactionError e) {
    if (s.state_ == State::kTerminating) {
      s.terminate(Event::Kind::kEnded, e == TransactionError::kTimeout ? 408 : 503,
                  s.endReason_.empty() ? "hung up (no answer to the BYE)" : s.endReason_);
    }
  };
  sendInDialog(std::move(out), {});
}

void InviteSession::sendInDialog(std::shared_ptr<OutRequest> out,
                                 const std::vector<auth::AuthorizationHeader>& credentials) {
  const Endpoint to = nextHopOf(*dialog_);
  Message request = dialog_->makeRequest(out->method, newVia(to));
  for (const auto& header : credentials) request.addHeader(header.name(), header.value);
  for (const auto& [name, value] : out->headers) request.addHeader(name, value);
  if (!config_.userAgent.empty()) request.addHeader(HeaderId::kUserAgent, config_.userAgent);
  if (!out->body.empty()) {
    request.addHeader(HeaderId::kContentType, out->contentType);
    request.setBody(out->body);
  }
  std::string requestUri(request.requestUri());
  ClientTransactionEvents events = clientEvents(
      [out, requestUri](InviteSession& s, const Message& r) { s.onInDialogResponse(out, requestUri, r); },
      [out](InviteSession& s, TransactionError e) {
        if (out->onError) out->onError(s, e);
      });
  if (request.methodId() == Method::kInvite) {
    // A re-INVITE: its events outlive the session, so that a CANCEL the session's end asked for still goes
    // out when a provisional response comes (cancelReinvite()).
    auto reinvite = std::make_shared<ReinviteCancel>();
    reinvite->cancel = cancelOf(request, config_.userAgent);
    reinvite->to = to;
    reinviteCancel_ = reinvite;
    TransactionLayer& layer = context_.transactions;
    auto onResponse = std::move(events.onResponse);
    auto onError = std::move(events.onError);
    events.onResponse = [reinvite, &layer, onResponse = std::move(onResponse)](const Message& r) {
      if (r.statusCode() < 200) {
        reinvite->provisional = true;
        sendReinviteCancel(layer, *reinvite);
      } else {
        reinvite->done = true;
      }
      onResponse(r);
    };
    events.onError = [reinvite, onError = std::move(onError)](TransactionError e) {
      reinvite->done = true;
      onError(e);
    };
  }
  // A refusal of the layer comes back as onError from a 0-delay timer.
  context_.transactions.sendRequest(request, to, std::move(events));
}

void InviteSession::onInDialogResponse(const std::shared_ptr<OutRequest>& out, const std::string& requestUri,
                                       const Message& response) {
  const int status = response.statusCode();
  if ((status == 401 || status == 407) && dialog_ && state_ != State::kTerminated) {
    // RFC 3261 §22.2: the same request again with credentials, CSeq plus one; the authenticator's limits
    // (wrong password, retry count) end the loop, and the challenge is then the request's outcome.
    std::vector<auth::ReceivedChallenge> challenges;
    for (const HeaderField& field : response.headers()) {
      if (field.id == HeaderId::kWwwAuthenticate) challenges.push_back({false, field.value});
      if (field.id == HeaderId::kProxyAuthenticate) challenges.push_back({true, field.value});
    }
    if (!out->authenticator) {
      out->authenticator = std::make_unique<auth::Authenticator>(config_.credentials);
      out->authenticator->startRequest();
    }
    const auth::AuthDecision decision =
        out->authenticator->onChallenge(challenges, auth::DigestRequest{out->method, requestUri, out->body});
    if (decision.answered()) {
      sendInDialog(out, decision.headers);
      return;
    }
  }
  if (out->onResponse) out->onResponse(*this, response);
}

// ---- UAS ------------------------------------------------------------------------------------------

void InviteSession::ring(std::string_view earlySdp) {
  if (role_ != Role::kUas || finalSent_ || state_ == State::kTerminated) return;
  state_ = State::kEarly;
  if (peerRequires100rel_) {
    // RFC 3262 §3: one reliable provisional at a time; a later one waits for the PRACK of the first.
    if (unacked_) {
      queuedRing_ = std::string(earlySdp);
    } else {
      sendReliable(earlySdp);
    }
    return;
  }
  // RFC 3261 §13.3.1.1; 183 with SDP for early media (RFC 3960).
  Message response = makeResponse(invite_, earlySdp.empty() ? 180 : 183, {});
  setSdp(response, earlySdp);
  context_.transactions.respond(inviteTransaction_, response);
}

void InviteSession::sendReliable(std::string_view sdp) {
  // RFC 3262 §3: Require: 100rel and an RSeq one higher than the last, retransmitted at T1 doubling until
  // its PRACK; after 64*T1 without one the INVITE is rejected.
  Message response = makeResponse(invite_, sdp.empty() ? 180 : 183, {});
  response.addHeader(HeaderId::kRequire, "100rel");
  const uint32_t rseq = nextRseq_++;
  response.addHeader(HeaderId::kRSeq, std::to_string(rseq));
  setSdp(response, sdp);
  if (!sdp.empty()) localSdp_ = std::string(sdp);
  context_.transactions.respond(inviteTransaction_, response);
  unacked_ = Reliable{std::move(response), rseq, config_.timers.t1};
  reliableTimer_.start(config_.timers.t1, [this] { retransmitReliable(); });
  reliableGiveUp_.start(64 * config_.timers.t1, [this] {
    if (!unacked_ || finalSent_) return;
    unacked_.reset();
    reliableTimer_.cancel();
    context_.transactions.respond(
        inviteTransaction_, makeResponse(invite_, 504, "No PRACK for the reliable provisional response"));
    finalSent_ = true;
    terminate(Event::Kind::kFailed, 504, "no PRACK from the caller within 64*T1 (RFC 3262 §3)");
  });
}

void InviteSession::retransmitReliable() {
  if (!unacked_ || finalSent_) return;
  context_.transactions.respond(inviteTransaction_, unacked_->response);
  unacked_->interval *= 2;
  reliableTimer_.start(unacked_->interval, [this] { retransmitReliable(); });
}

void InviteSession::onPrack(TransactionId id, const Message& request) {
  auto rack = parseRAck(request.headerValue(HeaderId::kRAck));
  if (role_ != Role::kUas || !unacked_ || !rack || rack->rseq != unacked_->rseq ||
      rack->cseq != inviteSequence_ || rack->method != "INVITE") {
    // RFC 3262 §3: a PRACK that matches no unacknowledged reliable provisional response.
    context_.transactions.respond(
        id, makeResponse(request, 481, "No reliable provisional response matches the RAck"));
    return;
  }
  context_.transactions.respond(id, makeResponse(request, 200, {}));
  unacked_.reset();
  reliableTimer_.cancel();
  reliableGiveUp_.cancel();
  if (finalSent_ || state_ == State::kTerminated) return;
  if (deferredAnswer_) {
    std::string sdp = std::move(*deferredAnswer_);
    deferredAnswer_.reset();
    queuedRing_.reset();
    sendAnswer(sdp);
  } else if (queuedRing_) {
    std::string sdp = std::move(*queuedRing_);
    queuedRing_.reset();
    sendReliable(sdp);
  }
}

void InviteSession::answer(std::string_view sdp) {
  if (role_ != Role::kUas || finalSent_ || state_ == State::kTerminated) return;
  if (unacked_) {
    // RFC 3262 §3: the 2xx waits for the PRACK of our reliable provisional response.
    deferredAnswer_ = std::string(sdp);
    return;
  }
  sendAnswer(sdp);
}

void InviteSession::sendAnswer(std::string_view sdp) {
  Message response = makeResponse(invite_, 200, {});
  addSessionTimerAnswer(invite_, offeredTimer_, response);
  setSdp(response, sdp);
  if (!sdp.empty()) localSdp_ = std::string(sdp);
  finalSent_ = true;
  dialog_->confirm();
  state_ = State::kConfirmed;
  start2xx(inviteTransaction_, inviteSequence_, std::move(response), true);
  // RFC 4028 §9: the timer runs from the 2xx.
  if (offeredTimer_) applySessionTimer(offeredTimer_, false);  // reported with the ACK
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
    if (state_ == State::kConfirmed && sessionTimer_) {
      const SessionTimer& t = *sessionTimer_;
      emit(Event::Kind::kSessionTimer, static_cast<int>(t.seconds),
           std::string(t.weRefresh == (role_ == Role::kUac) ? "uac" : "uas"));
    }
  } else {
    reinviteIn_ = false;
    if (!sdp.empty()) emit(Event::Kind::kRemoteSdp, 200, "ACK received", std::move(sdp));
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
  if (request.methodId() == Method::kInvite && status >= 200 && status < 300) {
    response.addHeader(HeaderId::kAllow, kAllow);
    response.addHeader(HeaderId::kSupported, kSupported);
  }
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
  cancelReinvite();
  noAnswerTimer_.cancel();
  retransmitTimer_.cancel();
  giveUpTimer_.cancel();
  glareTimer_.cancel();
  reliableTimer_.cancel();
  reliableGiveUp_.cancel();
  sessionTimerTimer_.cancel();
  referTimer_.cancel();
  pending2xx_.reset();
  unacked_.reset();
  reinviteOut_ = false;
  reinviteIn_ = false;
  referOut_ = false;
  referIn_ = false;
  state_ = State::kTerminated;
  emit(kind, status, std::move(reason));
}

}  // namespace callgate::sip
