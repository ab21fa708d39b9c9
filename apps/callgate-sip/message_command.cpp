// callgate-sip message: one out-of-dialog MESSAGE (RFC 3428), answered 401/407 with the credentials.
#include "agent.hpp"
#include "sip/message/identity.hpp"
#include "sip/message/uri.hpp"

namespace callgate::cli {

void Agent::startMessage() {
  const std::string& via = options_.proxy.empty() ? options_.target : options_.proxy;
  locator_->locate(via, [this](core::Result<std::vector<sip::Endpoint>> targets) {
    if (!targets) {
      say("message status=0 reason=" + targets.error().message);
      finish(1);
      return;
    }
    const std::string typed = !options_.fromUser.empty() ? options_.fromUser
                              : !options_.user.empty()   ? options_.user
                                                         : "callgate";
    auto fromUser = sip::userPartFromTyped(typed, "--from-user");
    if (!fromUser) {
      say("message status=0 reason=" + fromUser.error().message);
      finish(2);
      return;
    }
    const bool v6 = options_.listen.find(':') != std::string::npos;
    sip::OutOfDialogRequest request;
    request.method = "MESSAGE";
    request.requestUri = options_.target;
    request.from = "<sip:" + *fromUser + "@" + (v6 ? "[" + options_.listen + "]" : options_.listen) + ">";
    request.to = "<" + options_.target + ">";
    request.nextHop = targets->front();
    if (!options_.proxy.empty()) {
      auto proxy = sip::parseUri(options_.proxy);
      if (!proxy) {
        say("message status=0 reason=--proxy: " + proxy.error().message);
        finish(2);
        return;
      }
      request.routeSet.push_back("<" + options_.proxy + (proxy->param("lr") ? "" : ";lr") + ">");
    }
    request.sentBy = hostPort();
    request.userAgent = "callgate-sip";
    request.credentials = {options_.authUser.empty() ? options_.user : options_.authUser, options_.password};
    request.contentType = options_.contentType;
    request.body = options_.text;
    auto sent = ua_->sendRequest(std::move(request), [this](const sip::RequestClient::Outcome& outcome) {
      say("message status=" + std::to_string(outcome.status) + " reason=" + outcome.reason);
      finish(outcome.status >= 200 && outcome.status < 300 ? 0 : 1);
    });
    if (!sent) {
      say("message status=0 reason=" + sent.error().message);
      finish(2);
    }
  });
}

}  // namespace callgate::cli
