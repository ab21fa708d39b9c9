// callgate-sip wait: answers (or rejects) incoming calls (RFC 3261 §13.3), optionally registered first.
#include <algorithm>

#include "agent.hpp"
#include "sip/message/header_values.hpp"
#include "sip/message/uri.hpp"

namespace callgate::cli {

void Agent::startWait() {
  if (options_.registrar.empty()) {
    listening();
    return;
  }
  locator_->locate(options_.proxy.empty() ? options_.registrar : options_.proxy,
                   [this](core::Result<std::vector<sip::Endpoint>> targets) {
                     if (!targets) {
                       say("failed status=0 reason=" + targets.error().message);
                       finish(1);
                       return;
                     }
                     startRegistration(targets->front());
                   });
}

void Agent::listening() {
  if (listening_) return;
  listening_ = true;
  say("listening port=" + std::to_string(localPort_));
}

std::optional<sip::UserAgent::IncomingCall> Agent::onInvite(sip::UserAgent::SessionId id,
                                                            const sip::Message& invite) {
  // Only `wait` takes calls, and only while it waits; `call` and `register` refuse them (486).
  if (options_.command != Command::kWait || stopping_ || !listening_) return std::nullopt;
  auto from = sip::parseNameAddr(invite.headerValue(sip::HeaderId::kFrom));
  say("incoming from=" + (from ? std::string(from->uri.text) : std::string("?")) +
      " sdp=" + (invite.body().empty() ? "no" : "yes"));
  const std::string transportParam =
      protocol_ == sip::TransportProtocol::kUdp ? "" : ";transport=" + std::string(protocolName());
  sip::UserAgent::IncomingCall incoming;
  incoming.config = sessionConfig({}, "<sip:callgate@" + hostPort() + transportParam + ">");
  incoming.owner.onEvent = [this, id](const sip::InviteSession::Event& event) { onWaitEvent(id, event); };
  incoming.owner.onRefer = [this, id](std::string_view uri) { return onRefer(id, uri); };
  incoming.owner.onOffer = [this](std::string_view) -> std::optional<std::string> { return sdpOffer(); };
  incoming.owner.resolve = [this](std::string_view uri) { return resolveNumeric(uri); };
  incoming.onCreated = [this, id](sip::InviteSession& session) {
    Call& call = calls_.emplace(id, timers_).first->second;
    session.ring();
    say("ringing");
    call.timer.start(std::chrono::seconds(options_.answerAfter), [this, id] {
      sip::InviteSession* s = ua_->session(id);
      if (s == nullptr || s->finished()) return;
      if (options_.rejectStatus != 0) {
        s->reject(options_.rejectStatus);
      } else {
        s->answer(sdpOffer());
      }
    });
  };
  return incoming;
}

void Agent::onWaitEvent(sip::UserAgent::SessionId id, const sip::InviteSession::Event& event) {
  using Kind = sip::InviteSession::Event::Kind;
  Call* call = callOf(id);
  if (call == nullptr) return;
  switch (event.kind) {
    case Kind::kAnswered:
      if (call->answered) break;  // the ACK of a re-INVITE we answered is no new answer
      call->answered = true;
      say("answered");
      if (options_.talk >= 0) {
        call->timer.start(std::chrono::seconds(options_.talk), [this, id] {
          Call* c = callOf(id);
          sip::InviteSession* session = ua_->session(id);
          if (c == nullptr || session == nullptr) return;
          c->hungUp = true;
          session->hangup();
        });
      }
      break;
    case Kind::kFailed:
      if (options_.rejectStatus != 0 && event.status == options_.rejectStatus) {
        say("rejected status=" + std::to_string(event.status));
      } else {
        say("failed status=" + std::to_string(event.status) + " reason=" + event.reason);
      }
      break;
    case Kind::kCancelled:
      say("cancelled");
      break;
    case Kind::kEnded:
      say(std::string("ended by=") + (call->hungUp ? "local" : "remote"));
      break;
    default:
      onDialogEvent(id, event);
      break;
  }
}

void Agent::onSessionRemoved(sip::UserAgent::SessionId id) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  const bool referred = it->second.referredBy.has_value();
  calls_.erase(it);
  if (options_.command == Command::kCall) {
    // Done once every call is over: the one asked for and any a transfer made.
    if (calls_.empty()) finish(exitCode_);
    return;
  }
  if (!referred) ++callsEnded_;
  if (!stopping_ && callsEnded_ >= options_.calls && !calls_.empty()) return;  // a transfer's call goes on
  if (stopping_ && calls_.empty()) {
    shutdownBound_.cancel();
    stopRegistration();
  } else if (!stopping_ && callsEnded_ >= options_.calls) {
    stopping_ = true;
    stopRegistration();
  }
}

void Agent::hangupAll() {
  for (auto& [id, call] : calls_) {
    call.timer.cancel();
    if (sip::InviteSession* session = ua_->session(id)) {
      call.hungUp = true;
      session->hangup();
    }
  }
}

}  // namespace callgate::cli
