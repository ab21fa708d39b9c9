// callgate-sip call: one outgoing call (RFC 3261 §13.2) with a minimal audio offer, then BYE or CANCEL.
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
    placeCall(targets->front());
  });
}

void Agent::placeCall(const sip::Endpoint& nextHop) {
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
  sip::InviteSessionConfig config;
  config.localUri = "<sip:" + *fromUser + "@" + (v6 ? "[" + options_.listen + "]" : options_.listen) + ">";
  config.contact = "<sip:" + *fromUser + "@" + hostPort() + transportParam + ">";
  config.sentBy = hostPort();
  config.credentials = {options_.authUser.empty() ? options_.user : options_.authUser, options_.password};
  config.userAgent = "callgate-sip";
  config.timers.t1 = std::chrono::milliseconds(options_.t1Ms);
  config.timers.t2 = std::max(config.timers.t2, config.timers.t1);
  config.noAnswerTimeout = std::chrono::seconds(options_.noAnswerTimeout);

  sip::InviteSession::CallParams params;
  params.requestUri = options_.target;
  params.to = "<" + options_.target + ">";
  params.nextHop = nextHop;
  params.offerSdp = sdpOffer();
  for (const std::string& header : options_.headers) {
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
  auto id = ua_->call(std::move(config), std::move(owner), std::move(params), [this, slot](auto created) {
    *slot = created;
    calls_.emplace(created, timers_);
  });
  if (!id) {
    say("failed status=0 reason=" + id.error().message);
    finish(2);
    return;
  }
  say("trying");
  if (options_.cancelAfter >= 0) {
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

void Agent::onCallEvent(sip::UserAgent::SessionId id, const sip::InviteSession::Event& event) {
  using Kind = sip::InviteSession::Event::Kind;
  Call* call = callOf(id);
  if (call == nullptr) return;
  switch (event.kind) {
    case Kind::kProvisional:
      say("provisional status=" + std::to_string(event.status) + " reason=" + event.reason +
          " sdp=" + yesNo(!event.sdp.empty()));
      break;
    case Kind::kAnswered: {
      call->answered = true;
      call->timer.cancel();  // no CANCEL once answered
      say("answered status=" + std::to_string(event.status) + " sdp=" + yesNo(!event.sdp.empty()));
      const int talk = options_.talk >= 0 ? options_.talk : 2;
      call->timer.start(std::chrono::seconds(talk), [this, id] {
        Call* c = callOf(id);
        sip::InviteSession* session = ua_->session(id);
        if (c == nullptr || session == nullptr) return;
        c->hungUp = true;
        session->hangup();
      });
      break;
    }
    case Kind::kFailed:
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
    default:
      break;
  }
}

}  // namespace callgate::cli
