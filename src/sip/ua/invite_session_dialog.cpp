// InviteSession inside the dialog: requests from the peer (BYE, re-INVITE, UPDATE, PRACK, INFO, MESSAGE,
// OPTIONS, REFER, NOTIFY), the offers we send (re-INVITE, UPDATE, session refreshes), transfers (RFC 3515)
// and session timers (RFC 4028).
#include <algorithm>

#include "sip/message/header_values.hpp"
#include "sip/transport/error_response.hpp"
#include "sip/ua/extensions.hpp"
#include "sip/ua/invite_session.hpp"
#include "sip/ua/session_util.hpp"

namespace callgate::sip {

using namespace session_util;

namespace {

constexpr std::string_view kSipFragType = "message/sipfrag;version=2.0";
constexpr uint32_t kTransferSubscriptionSeconds = 60;

// RFC 4028 §10: the side that does not refresh gives up this long before the interval ends.
uint32_t expiryMargin(uint32_t seconds) {
  return std::min<uint32_t>(32, seconds / 3);
}

}  // namespace

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
    case Method::kPrack:
      onPrack(id, request);
      return;
    case Method::kRefer:
      onRefer(id, request);
      return;
    case Method::kNotify:
      onNotify(id, request);
      return;
    case Method::kOptions: {
      Message response = makeResponse(request, 200, {});
      response.addHeader(HeaderId::kAllow, kAllow);
      response.addHeader(HeaderId::kAccept, kSdpType);
      response.addHeader(HeaderId::kSupported, kSupported);
      context_.transactions.respond(id, response);
      return;
    }
    case Method::kInfo:
      context_.transactions.respond(id, makeResponse(request, 200, {}));
      emit(Event::Kind::kInfo, 0, "INFO", std::string(request.body()),
           std::string(request.headerValue(HeaderId::kContentType)));
      return;
    case Method::kMessage:
      // RFC 3428 §7: 200 once accepted; the owner shows it.
      context_.transactions.respond(id, makeResponse(request, 200, {}));
      emit(Event::Kind::kMessage, 0, "MESSAGE", std::string(request.body()),
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
    // RFC 3261 §14.2 (RFC 3311 §5.2 for UPDATE): our own offer is in progress: glare. While it waits for
    // its retry after a 491 it is not, and the peer's offer is answered.
    context_.transactions.respond(id, makeResponse(request, 491, {}));
    return;
  }
  // RFC 4028 §9: a refresh (or any offer) renegotiates the session timer.
  auto timer = sessionTimerFor(request);
  if (!timer) {
    Message response = makeResponse(
        request, timer.error().code == 422 ? 422 : 400,
        timer.error().code == 422 ? "Session Interval Too Small" : std::string_view(timer.error().message));
    if (timer.error().code == 422) {
      response.addHeader(HeaderId::kMinSE, std::to_string(config_.minSessionExpires.count()));
    }
    context_.transactions.respond(id, response);
    return;
  }
  const std::string offer = sdpOf(request);
  std::string answer;
  if (!offer.empty() || request.methodId() == Method::kInvite) {
    // ARCHITECTURE.md §4: the gateway answers SIP-side renegotiation itself, through the owner. An UPDATE
    // without SDP is a bare refresh (RFC 4028 §10): nothing to answer.
    std::optional<std::string> answered = owner_.onOffer ? owner_.onOffer(offer) : std::nullopt;
    if (!answered) {
      context_.transactions.respond(id, makeResponse(request, 488, {}));
      return;
    }
    answer = std::move(*answered);
  }
  // RFC 3261 §12.2: a target refresh; a request without a usable Contact keeps the old target.
  (void)dialog_->refreshTarget(request);
  if (!offer.empty()) remoteSdp_ = offer;
  if (!answer.empty()) localSdp_ = answer;
  if (hasOptionTag(request, HeaderId::kAllow, "UPDATE")) peerAllowsUpdate_ = true;
  Message response = makeResponse(request, 200, {});
  addSessionTimerAnswer(request, *timer, response);
  setSdp(response, answer);
  if (request.methodId() == Method::kInvite) {
    reinviteIn_ = true;
    start2xx(id, sequenceOf(request), std::move(response), false);
  } else {
    context_.transactions.respond(id, response);
  }
  applySessionTimer(*timer);
}

// ---- offers we send -------------------------------------------------------------------------------

bool InviteSession::sendReinvite(std::string sdp) {
  return sendOffer(Offer{"INVITE", std::move(sdp), false});
}

bool InviteSession::sendUpdate(std::string sdp) {
  return sendOffer(Offer{"UPDATE", std::move(sdp), false});
}

bool InviteSession::sendOffer(Offer offer) {
  if (state_ != State::kConfirmed || reinviteOut_ || reinviteIn_ || pending2xx_) return false;
  reinviteOut_ = true;
  sendOfferNow(offer);
  return true;
}

void InviteSession::sendOfferNow(const Offer& offer) {
  auto out = std::make_shared<OutRequest>();
  out->method = offer.method;
  out->headers.emplace_back("Allow", kAllow);
  addSessionTimerHeaders(out->headers);
  if (!offer.sdp.empty()) {
    out->contentType = std::string(kSdpType);
    out->body = offer.sdp;
  }
  out->onResponse = [offer](InviteSession& s, const Message& r) { s.onOfferResponse(r, offer); };
  out->onError = [offer](InviteSession& s, TransactionError e) {
    if (s.state_ != State::kConfirmed || !s.reinviteOut_) return;
    s.onOfferFailed(offer, e == TransactionError::kTimeout ? 408 : 503, offer.method + " got no answer");
  };
  sendInDialog(std::move(out), {});
}

void InviteSession::onOfferResponse(const Message& response, const Offer& offer) {
  const int status = response.statusCode();
  const bool invite = offer.method == "INVITE";
  const uint32_t sequence = sequenceOf(response);
  if (status < 200 || state_ != State::kConfirmed || !reinviteOut_) {
    if (invite && status >= 200 && status < 300 && sequence == reinviteAckSequence_ &&
        !reinviteAck_.ack.empty()) {
      // RFC 3261 §13.2.2.4: a retransmitted 2xx gets the same ACK again.
      context_.sink.send(reinviteAck_.to, reinviteAck_.ack);
    }
    return;
  }
  if (status < 300) {
    (void)dialog_->refreshTarget(response);
    if (invite) {
      reinviteAckSequence_ = sequence;
      sendAck(*dialog_, sequence, {}, reinviteAck_);
    }
    std::string answer = sdpOf(response);
    if (!answer.empty()) remoteSdp_ = answer;
    if (!offer.sdp.empty()) localSdp_ = offer.sdp;
    reinviteOut_ = false;
    // RFC 4028 §7.4: the 2xx says whether the timer goes on and who refreshes (we are its UAC here).
    std::optional<SessionTimer> timer;
    if (auto expires = sessionExpiresOf(response); expires && *expires) {
      timer = SessionTimer{(*expires)->seconds, (*expires)->refresher != SessionExpires::Refresher::kUas};
    }
    if (!offer.refresh) {
      emit(invite ? Event::Kind::kReinviteResult : Event::Kind::kUpdateResult, status,
           std::string(response.reason()), std::move(answer));
    }
    if (state_ == State::kConfirmed) applySessionTimer(timer);
    return;
  }
  if (status == 491) {
    // RFC 3261 §14.1: glare. The owner of the Call-ID (the UAC of the call) waits 2.1-4 s, the other
    // side 0-2 s, in units of 10 ms.
    const uint64_t tens = context_.random.next64();
    const auto wait = role_ == Role::kUac ? std::chrono::milliseconds(2100 + 10 * (tens % 191))
                                          : std::chrono::milliseconds(10 * (tens % 201));
    glareTimer_.start(wait, [this, offer] {
      if (state_ != State::kConfirmed) return;
      if (pending2xx_ || reinviteIn_) {
        // The peer's re-INVITE is still being answered: wait once more.
        glareTimer_.start(std::chrono::milliseconds(500), [this, offer] {
          if (state_ == State::kConfirmed) sendOfferNow(offer);
        });
        return;
      }
      sendOfferNow(offer);
    });
    return;
  }
  if (offer.refresh && status == 422 && sessionTimer_) {
    // RFC 4028 §7.3 (as UAC of the refresh): ask again with at least the peer's Min-SE.
    auto minSe = minSeOf(response);
    if (minSe && *minSe && **minSe > sessionTimer_->seconds) {
      sessionTimer_->seconds = **minSe;
      sendOfferNow(offer);
      return;
    }
  }
  if (offer.refresh && offer.method == "UPDATE" && (status == 405 || status == 501)) {
    // The peer does not take UPDATE after all: refresh with a re-INVITE of the same SDP (RFC 4028 §10).
    peerAllowsUpdate_ = false;
    sendOfferNow(Offer{"INVITE", localSdp_, true});
    return;
  }
  onOfferFailed(offer, status, statusText(response));
}

void InviteSession::onOfferFailed(const Offer& offer, int status, std::string reason) {
  reinviteOut_ = false;
  if (!offer.refresh) {
    emit(offer.method == "INVITE" ? Event::Kind::kReinviteResult : Event::Kind::kUpdateResult, status,
         std::move(reason));
  }
  if (state_ != State::kConfirmed) return;
  if (status == 481) {
    // RFC 3261 §12.2.1.2: the dialog is gone.
    terminate(Event::Kind::kEnded, status, "the peer lost the dialog (481)");
  } else if (status == 408 || status == 503) {
    // RFC 3261 §12.2.1.2: a timed-out request in the dialog ends it.
    endReason_ = offer.method + " in the dialog got no answer: hung up";
    sendBye(*dialog_, true);
  } else if (offer.refresh && sessionTimer_) {
    // RFC 4028 §10: the refresh failed; the session lasts until the interval ends, then we hang up.
    const uint32_t remaining = sessionTimer_->seconds - sessionTimer_->seconds / 2;
    sessionTimerTimer_.start(std::chrono::seconds(remaining), [this] {
      if (state_ != State::kConfirmed) return;
      endReason_ = "the session refresh failed and the session interval ended (RFC 4028 §10)";
      sendBye(*dialog_, true);
    });
  }
}

// ---- session timers (RFC 4028) ----------------------------------------------------------------------

core::Result<std::optional<InviteSession::SessionTimer>> InviteSession::sessionTimerFor(
    const Message& request) const {
  auto expires = sessionExpiresOf(request);
  if (!expires) return expires.error();
  if (!*expires) return std::optional<SessionTimer>{};  // §9: no Session-Expires, no timer
  const uint32_t minSe = static_cast<uint32_t>(std::max<int64_t>(config_.minSessionExpires.count(), 1));
  if ((*expires)->seconds < minSe) {
    return core::makeError("Session-Expires " + std::to_string((*expires)->seconds) +
                               " is below our Min-SE " + std::to_string(minSe),
                           422);
  }
  // §9: the requester's choice of refresher stands; when it chose none and supports timer it refreshes
  // itself, and when it does not support timer we must refresh.
  const bool supports = hasOptionTag(request, HeaderId::kSupported, "timer") ||
                        hasOptionTag(request, HeaderId::kRequire, "timer");
  bool weRefresh = false;
  switch ((*expires)->refresher) {
    case SessionExpires::Refresher::kUac:
      weRefresh = false;
      break;
    case SessionExpires::Refresher::kUas:
      weRefresh = true;
      break;
    case SessionExpires::Refresher::kUnspecified:
      weRefresh = !supports;
      break;
  }
  return std::optional<SessionTimer>{SessionTimer{(*expires)->seconds, weRefresh}};
}

void InviteSession::addSessionTimerAnswer(const Message& request, const std::optional<SessionTimer>& timer,
                                          Message& response) const {
  if (!timer) return;
  // RFC 4028 §9: the 2xx names the refresher from the request's point of view.
  response.addHeader(HeaderId::kSessionExpires,
                     std::to_string(timer->seconds) + ";refresher=" + (timer->weRefresh ? "uas" : "uac"));
  if (hasOptionTag(request, HeaderId::kSupported, "timer") ||
      hasOptionTag(request, HeaderId::kRequire, "timer")) {
    response.addHeader(HeaderId::kRequire, "timer");
  }
}

void InviteSession::addSessionTimerHeaders(std::vector<std::pair<std::string, std::string>>& headers) const {
  headers.emplace_back("Supported", kSupported);
  if (!sessionTimer_) return;
  // RFC 4028 §7.4: as UAC of this request, refresher=uac keeps us the refresher, uas leaves it to the peer.
  headers.emplace_back("Session-Expires", std::to_string(sessionTimer_->seconds) +
                                              ";refresher=" + (sessionTimer_->weRefresh ? "uac" : "uas"));
}

void InviteSession::applySessionTimer(std::optional<SessionTimer> timer, bool report) {
  const bool changed =
      timer.has_value() != sessionTimer_.has_value() ||
      (timer && (timer->seconds != sessionTimer_->seconds || timer->weRefresh != sessionTimer_->weRefresh));
  sessionTimer_ = timer;
  sessionTimerTimer_.cancel();
  if (!timer) return;
  // RFC 4028 §10: the refresher refreshes at half the interval; the other side hangs up when the interval
  // (less a margin) passes without a refresh.
  const uint32_t at = timer->weRefresh ? std::max<uint32_t>(1, timer->seconds / 2)
                                       : timer->seconds - expiryMargin(timer->seconds);
  sessionTimerTimer_.start(std::chrono::seconds(at), [this] { onSessionTimer(); });
  if (changed && report) {
    emit(Event::Kind::kSessionTimer, static_cast<int>(timer->seconds),
         std::string(timer->weRefresh == (role_ == Role::kUac) ? "uac" : "uas"));
  }
}

void InviteSession::onSessionTimer() {
  if (state_ != State::kConfirmed || !sessionTimer_) return;
  if (!sessionTimer_->weRefresh) {
    endReason_ = "no session refresh from the peer within " + std::to_string(sessionTimer_->seconds) +
                 " s (RFC 4028 §10): hung up";
    sendBye(*dialog_, true);
    return;
  }
  if (reinviteOut_ || reinviteIn_ || pending2xx_) {
    // An offer exchange is under way and will itself refresh the session; look again in a second.
    sessionTimerTimer_.start(std::chrono::seconds(1), [this] { onSessionTimer(); });
    return;
  }
  // RFC 4028 §10: UPDATE without a body when the peer takes UPDATE, else a re-INVITE with the same SDP.
  reinviteOut_ = true;
  if (peerAllowsUpdate_) {
    sendOfferNow(Offer{"UPDATE", {}, true});
  } else {
    sendOfferNow(Offer{"INVITE", localSdp_, true});
  }
}

// ---- transfer (RFC 3515) ----------------------------------------------------------------------------

bool InviteSession::transfer(std::string_view referTo) {
  if (state_ != State::kConfirmed || referOut_ || referTo.empty() ||
      referTo.find_first_of(std::string_view("\r\n\0<>", 5)) != std::string_view::npos) {
    return false;
  }
  referOut_ = true;
  auto out = std::make_shared<OutRequest>();
  out->method = "REFER";
  out->headers.emplace_back("Refer-To", "<" + std::string(referTo) + ">");
  // RFC 3892: who asks; our address of record in this dialog, without its tag.
  auto local = parseNameAddr(dialog_->localAddress());
  if (local) out->headers.emplace_back("Referred-By", "<" + std::string(local->uri.text) + ">");
  out->onResponse = [](InviteSession& s, const Message& r) {
    const int status = r.statusCode();
    if (status < 200 || !s.referOut_) return;
    if (status < 300) {
      // RFC 3515 §2.4.4: NOTIFYs follow; a final one must come in time.
      s.referTimer_.start(s.config_.transferTimeout, [&s] {
        if (!s.referOut_) return;
        s.referOut_ = false;
        s.emit(Event::Kind::kTransfer, 408,
               "no final NOTIFY for the transfer within " +
                   std::to_string(s.config_.transferTimeout.count()) + " s");
      });
      return;
    }
    s.referOut_ = false;
    s.emit(Event::Kind::kTransfer, status, "REFER refused: " + statusText(r));
  };
  out->onError = [](InviteSession& s, TransactionError e) {
    if (!s.referOut_) return;
    s.referOut_ = false;
    s.emit(Event::Kind::kTransfer, e == TransactionError::kTimeout ? 408 : 503, "REFER got no answer");
  };
  sendInDialog(std::move(out), {});
  return true;
}

void InviteSession::onNotify(TransactionId id, const Message& request) {
  // RFC 6665 §8.2.1: a NOTIFY for an event package we did not subscribe to gets 489.
  std::string_view event = core::trimLws(request.headerValue(HeaderId::kEvent));
  event = core::trimLws(event.substr(0, event.find(';')));
  if (!core::iequals(event, "refer")) {
    context_.transactions.respond(id, makeResponse(request, 489, {}));
    return;
  }
  if (!referOut_) {
    // RFC 6665 §4.1.3: no such subscription.
    context_.transactions.respond(id, makeResponse(request, 481, "No transfer in progress"));
    return;
  }
  auto frag = parseSipFragStatus(request.body());
  if (!frag) {
    context_.transactions.respond(
        id, makeResponse(request, 400, "Bad sipfrag body: the first line must be a SIP status line"));
    return;
  }
  context_.transactions.respond(id, makeResponse(request, 200, {}));
  std::string_view state = core::trimLws(request.headerValue(HeaderId::kSubscriptionState));
  const bool terminated = core::istartsWith(state, "terminated");
  if (frag->status >= 200 || terminated) {
    referOut_ = false;
    referTimer_.cancel();
  }
  std::string reason = frag->reason;
  emit(Event::Kind::kTransfer, frag->status, std::move(reason));
}

void InviteSession::onRefer(TransactionId id, const Message& request) {
  if (state_ != State::kConfirmed) {
    context_.transactions.respond(id, makeResponse(request, 481, {}));
    return;
  }
  // RFC 3515 §2.4.1: exactly one Refer-To.
  if (request.headerCount(HeaderId::kReferTo) != 1) {
    context_.transactions.respond(id, makeResponse(request, 400, "REFER needs exactly one Refer-To header"));
    return;
  }
  auto target = parseNameAddr(request.headerValue(HeaderId::kReferTo));
  if (!target) {
    context_.transactions.respond(id, makeResponse(request, 400, "Bad Refer-To: " + target.error().message));
    return;
  }
  if (referIn_) {
    // One transfer at a time in this dialog.
    context_.transactions.respond(id, makeResponse(request, 491, "A transfer is already in progress"));
    return;
  }
  const std::string uri(target->uri.text);
  if (!owner_.onRefer || !owner_.onRefer(uri)) {
    context_.transactions.respond(id, makeResponse(request, 603, {}));
    return;
  }
  if (state_ != State::kConfirmed) return;  // the owner hung up inside onRefer
  context_.transactions.respond(id, makeResponse(request, 202, {}));
  referIn_ = true;
  // RFC 3515 §2.4.4: the first NOTIFY at once.
  sendTransferNotify(100, "Trying", false);
}

bool InviteSession::notifyTransfer(int status, std::string_view reason) {
  if (!referIn_ || state_ != State::kConfirmed || status < 100 || status > 699) return false;
  std::string text = reason.empty() ? std::string(defaultReasonPhrase(status)) : sanitizeReasonPhrase(reason);
  sendTransferNotify(status, text, status >= 200);
  if (status >= 200) referIn_ = false;
  return true;
}

void InviteSession::sendTransferNotify(int status, std::string_view reason, bool final) {
  auto out = std::make_shared<OutRequest>();
  out->method = "NOTIFY";
  out->headers.emplace_back("Event", "refer");
  out->headers.emplace_back("Subscription-State",
                            final ? std::string("terminated;reason=noresource")
                                  : "active;expires=" + std::to_string(kTransferSubscriptionSeconds));
  out->contentType = std::string(kSipFragType);
  out->body = "SIP/2.0 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  out->onResponse = [](InviteSession& s, const Message& r) {
    // RFC 6665 §4.2.2: 481 ends the subscription.
    if (r.statusCode() == 481) s.referIn_ = false;
  };
  sendInDialog(std::move(out), {});
}

}  // namespace callgate::sip
