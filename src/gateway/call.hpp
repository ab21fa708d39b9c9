// A client's call as its session sees it (PROTOCOL.md §3-5): the echo extension or a SIP call. The session
// owns its calls by callId, routes the client's requests to them and destroys ended ones from the loop.
#pragma once

#include <functional>
#include <string>

#include "core/result.hpp"
#include "gateway/call_event.hpp"

namespace callgate::gateway {

class Call {
 public:
  // Events; `onEnded` last, after the final status, from the control loop. The owner may destroy the call
  // only from the loop, not inside these.
  struct Listener {
    std::function<void(const CallEvent& event)> onEvent;
    std::function<void()> onEnded;
  };

  virtual ~Call() = default;

  // The client hung up: BYE, CANCEL or a rejection, then FINISH.
  virtual void hangup(const std::string& info = "Normal call clearing") = 0;
  // The session is ending (socket lost, gateway stopping): the call is hung up with `info`.
  virtual void terminate(const std::string& info) = 0;
  // The client answered an incoming call with its WebRTC answer. An error names the field and the rule.
  virtual core::Result<void> answer(const std::string& answerSdp) {
    (void)answerSdp;
    return core::makeError("answer.callId: '" + callId() + "' is not an incoming call waiting for an answer");
  }

  virtual const std::string& callId() const = 0;
  virtual bool ended() const = 0;
  virtual const std::string& status() const = 0;
};

}  // namespace callgate::gateway
