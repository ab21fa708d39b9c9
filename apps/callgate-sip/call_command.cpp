// callgate-sip call: one outgoing call (RFC 3261 §13.2) with a minimal audio offer, then BYE or CANCEL; on
// the way, if asked, a hold re-INVITE, an UPDATE and a transfer (REFER) in the dialog.
#include <algorithm>
#include <memory>

#include "agent.hpp"
#include "sip/message/identity.hpp"
#include "sip/message/uri.hpp"

namespace callgate::cli {
namespace {

std::string yesNo(bool value) {
  return value ? "yes" : "no";
}

}  // namespace

void Agent::startCall() {
  const std::string& via = options_.proxy.empty() ? options_.target : options_.proxy;
  locator_->locate(via, [this](core::Result<std::vector<sip::Endpoint>> targets) {
    if (!targets) {
      say("failed status=0 reason=" + targets.error().message);
      finish(1);
      return;
    }
    placeCall(targets->front(), options_.target, std::nullopt);
  });
}

void Agent::placeCall(const sip::Endpoint& nextHop, const std::string& target,
                      std::optional<sip::UserAgent::SessionId> referredBy) {
  const std::string typed = !options_.fromUser.empty() ? options_.fromUser
                            : !options_.user.empty()   ? options_.user
                                                       : "callgate";
  auto fromUser = sip::userPartFromTyped(typed, "--from-user");
  if (!fromUser) {
    say("failed status=0 reason=" + fromUser.error().message);
    finish(2);
    return;
  }
  const std::string transportParam =
      protocol_ == sip::TransportProtocol::kUdp ? "" : ";transport=" + std::string(protocolName());
  const bool v6 = options_.listen.find(':') != std::string::npos;
  sip::InviteSessionConfig config =
      sessionConfig("<sip:" + *fromUser + "@" + (v6 ? "[" + options_.listen + "]" : options_.listen) + ">",
                    "<sip:" + *fromUser + "@" + hostPort() + transportParam + ">");
  config.noAnswerTimeout = std::chrono::seconds(options_.noAnswerTimeout);
  if (!options_.proxy.empty() && !referredBy) {
    // RFC 3261 §8.1.2: a preloaded Route to the outbound proxy, loose routing (;lr) so the Request-URI
    // stays the callee.
    auto proxy = sip::parseUri(options_.proxy);
    if (!proxy) {
      say("failed status=0 reason=--proxy: " + proxy.error().message);
      finish(2);
      return;
    }
    config.routeSet.push_back("<" + options_.proxy + (proxy->param("lr") ? "" : ";lr") + ">");
  }

  sip::InviteSession::CallParams params;
  params.requestUri = target;
  params.to = "<" + target + ">";
  params.nextHop = nextHop;
  params.offerSdp = sdpOffer();
  for (const std::string& header : referredBy ? std::vector<std::string>{} : options_.headers) {
    const size_t colon = header.find(':');
    if (colon == std::string::npos) {
      say("failed status=0 reason=--header '" + header + "' is not \"Name: value\"");
      finish(2);
      return;
    }
    std::string name = header.substr(0, colon);
    std::string value = header.substr(colon + 1);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    while (!value.empty() && value.front() == ' ') value.erase(value.begin());
    params.headers.emplace_back(std::move(name), std::move(value));
  }

  auto slot = std::make_shared<sip::UserAgent::SessionId>(0);
  sip::InviteSession::Owner owner;
  owner.onEvent = [this, slot](const sip::InviteSession::Event& event) { onCallEvent(*slot, event); };
  owner.onOffer = [this](std::string_view) -> std::optional<std::string> { return sdpOffer(); };
  owner.resolve = [this](std::string_view uri) { return resolveNumeric(uri); };
  owner.onRefer = [this, slot](std::string_view uri) { return onRefer(*slot, uri); };
  auto id = ua_->call(std::move(config), std::move(owner), std::move(params),
                      [this, slot, referredBy](auto created) {
                        *slot = created;
                        Call& call = calls_.emplace(created, timers_).first->second;
                        call.referredBy = referredBy;
                      });
  if (!id) {
    say("failed status=0 reason=" + id.error().message);
    if (calls_.empty()) finish(2);
    return;
  }
  say("trying");
  if (options_.cancelAfter >= 0 && !referredBy) {
    if (Call* call = callOf(*id)) {
      call->timer.start(std::chrono::seconds(options_.cancelAfter), [this, sessionId = *id] {
        Call* c = callOf(sessionId);
        sip::InviteSession* session = ua_->session(sessionId);
        if (c == nullptr || session == nullptr || c->answered) return;
        c->cancelled = true;
        session->cancel();  // RFC 3261 §9.1: sent once a provisional came
      });
    }
  }
}

void Agent::armDialogActions(sip::UserAgent::SessionId id, Call& call) {
  if (call.referredBy) return;  // only the call the user asked for acts in its dialog
  if (options_.reinviteAfter >= 0) {
    call.reinviteTimer.start(std::chrono::seconds(options_.reinviteAfter), [this, id] {
      sip::InviteSession* session = ua_->session(id);
      // Hold (RFC 3264 §8.4): our offer made sendonly, its o= version one higher.
      if (session != nullptr && !session->sendReinvite(sdpOffer(2, "sendonly"))) {
        say("reinvite status=0 reason=not possible now");
      }
    });
  }
  if (options_.updateAfter >= 0) {
    call.updateTimer.start(std::chrono::seconds(options_.updateAfter), [this, id] {
      sip::InviteSession* session = ua_->session(id);
      if (session != nullptr && !session->sendUpdate(sdpOffer(3))) {
        say("update status=0 reason=not possible now");
      }
    });
  }
  if (!options_.transferTo.empty()) {
    call.transferTimer.start(std::chrono::seconds(options_.transferAfter), [this, id] {
      sip::InviteSession* session = ua_->session(id);
      if (session != nullptr && !session->transfer(options_.transferTo)) {
        say("transfer status=0 reason=not possible now");
      }
    });
  }
}

void Agent::onCallEvent(sip::UserAgent::SessionId id, const sip::InviteSession::Event& event) {
  using Kind = sip::InviteSession::Event::Kind;
  Call* call = callOf(id);
  if (call == nullptr) return;
  switch (event.kind) {
    case Kind::kProvisional:
      say("provisional status=" + std::to_string(event.status) + " reason=" + event.reason +
          " sdp=" + yesNo(!event.sdp.empty()));
      if (event.status > 100) reportTransfer(*call, event.status, event.reason);
      break;
    case Kind::kAnswered: {
      call->answered = true;
      call->timer.cancel();  // no CANCEL once answered
      say("answered status=" + std::to_string(event.status) + " sdp=" + yesNo(!event.sdp.empty()));
      reportTransfer(*call, event.status, "OK");
      const int talk = options_.talk >= 0 ? options_.talk : 2;
      call->timer.start(std::chrono::seconds(talk), [this, id] {
        Call* c = callOf(id);
        sip::InviteSession* session = ua_->session(id);
        if (c == nullptr || session == nullptr) return;
        c->hungUp = true;
        session->hangup();
      });
      armDialogActions(id, *call);
      break;
    }
    case Kind::kFailed:
      reportTransfer(*call, event.status, event.reason);
      if (call->cancelled && event.status == 487) {
        say("cancelled");
        exitCode_ = 0;
      } else {
        say("failed status=" + std::to_string(event.status) + " reason=" + event.reason);
        exitCode_ = 1;
      }
      break;
    case Kind::kEnded:
      say(std::string("ended by=") + (call->hungUp ? "local" : "remote"));
      exitCode_ = call->answered ? 0 : 1;
      break;
    case Kind::kTransfer:
      say("transfer status=" + std::to_string(event.status) + " reason=" + event.reason);
      if (event.status >= 200 && event.status < 300) {
        // RFC 5589 §6.1: once the transfer succeeded the transferor hangs up (after a failure it stays).
        if (sip::InviteSession* session = ua_->session(id)) {
          call->hungUp = true;
          session->hangup();
        }
      }
      break;
    default:
      onDialogEvent(id, event);
      break;
  }
}

}  // namespace callgate::cli
