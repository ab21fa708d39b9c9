#include "gateway/echo_call.hpp"

#include <spdlog/logger.h>

#include "core/logging.hpp"
#include "media/echo_session.hpp"
#include "sdp/sdp_parser.hpp"
#include "sdp/webrtc_offer.hpp"

namespace callgate::gateway {

bool isEchoCallee(std::string_view callee, std::string_view echoName) {
  if (echoName.empty()) return false;
  std::string_view user = callee;
  for (std::string_view scheme : {"sip:", "sips:"}) {
    if (user.substr(0, scheme.size()) == scheme) user.remove_prefix(scheme.size());
  }
  if (auto at = user.find('@'); at != std::string_view::npos) user = user.substr(0, at);
  return user == echoName;
}

// The media thread's part of the call: created, used and destroyed there.
struct EchoCall::MediaSide {
  std::unique_ptr<media::EchoSession> session;
};

EchoCall::EchoCall(MediaServices& media, nlohmann::json call, Listener listener)
    : media_(media),
      call_(std::move(call)),
      listener_(std::move(listener)),
      self_(std::make_shared<EchoCall*>(this)) {
  if (auto id = call_.find("callId"); id != call_.end() && id->is_string()) callId_ = id->get<std::string>();
}

EchoCall::~EchoCall() {
  *self_ = nullptr;
  if (side_ && thread_ != nullptr) {
    // The media goes away on its own thread (ARCHITECTURE.md §3), whatever state the call is in.
    thread_->post([side = std::move(side_)] { side->session.reset(); });
  }
}

void EchoCall::emitStatus(const std::string& status, const std::string& info) {
  status_ = status;
  call_["status"] = status;
  if (!info.empty()) call_["info"] = info;
  if (listener_.onEvent) listener_.onEvent(CallEvent{CallEvent::Kind::kStatus, callId_, call_, {}});
}

core::Result<void> EchoCall::start(const std::string& offerSdp) {
  auto& log = core::logger(core::LogModule::kGateway);
  auto parsed = sdp::parseSdp(offerSdp);
  std::optional<sdp::WebRtcOffer> offer;
  std::string problem;
  if (!parsed) {
    problem = "sdp: " + parsed.error().message;
  } else if (auto read = sdp::readWebRtcOffer(*parsed); !read) {
    problem = read.error().message;
  } else {
    offer = std::move(*read);
  }
  if (!offer) {
    log.info("call {} to echo: the offer is unusable: {}", callId_, problem);
    end("FAILED", "Failed by session creation");
    return core::makeError("call.sdp: " + problem);
  }
  emitStatus("TRYING");
  thread_ = &media_.pickThread();
  side_ = std::make_shared<MediaSide>();
  std::weak_ptr<EchoCall*> weak = self_;
  MediaServices* services = &media_;
  net::MediaThread* thread = thread_;
  const std::string callId = callId_;
  thread_->post([side = side_, services, thread, offer = std::move(*offer), weak, callId] {
    // On the media thread. Reports go back to the control loop, to a call that may be gone by then.
    auto report = [services, weak](std::function<void(EchoCall&)> fn) {
      services->postToControl([weak, fn = std::move(fn)] {
        if (auto self = weak.lock(); self && *self) fn(**self);
      });
    };
    media::EchoSession::Listener listener;
    listener.onConnected = [report, callId] {
      core::logger(core::LogModule::kMedia).info("call {} to echo: media connected", callId);
    };
    listener.onFailed = [report, callId](const std::string& info, const std::string& reason) {
      core::logger(core::LogModule::kMedia).info("call {} to echo: {} ({})", callId, info, reason);
      report([info](EchoCall& call) { call.end("FAILED", info); });
    };
    auto session = media::EchoSession::create(*thread, services->endpoint, services->certificate,
                                              services->sharedPort, offer, std::move(listener));
    if (!session) {
      report([error = session.error().message](EchoCall& call) { call.onAnswer(core::makeError(error)); });
      return;
    }
    side->session = std::move(*session);
    report([answer = side->session->answerSdp()](EchoCall& call) { call.onAnswer(answer); });
  });
  return {};
}

void EchoCall::onAnswer(core::Result<std::string> answer) {
  if (ended_) return;
  if (!answer) {
    core::logger(core::LogModule::kGateway).info("call {} to echo: {}", callId_, answer.error().message);
    const std::string& m = answer.error().message;
    end("FAILED", m.rfind("No common codecs", 0) == 0 ? "No common codecs" : "Failed by session creation");
    return;
  }
  // PROTOCOL.md §3: exactly one setRemoteSDP, then the status.
  if (listener_.onEvent) listener_.onEvent(CallEvent{CallEvent::Kind::kRemoteSdp, callId_, {}, *answer});
  emitStatus("ESTABLISHED");
}

void EchoCall::hangup(const std::string& info) {
  if (ended_) return;
  end("FINISH", info);
}

void EchoCall::end(const std::string& status, const std::string& info) {
  if (ended_) return;
  ended_ = true;
  emitStatus(status, info);
  if (side_ && thread_ != nullptr) {
    thread_->post([side = std::move(side_)] { side->session.reset(); });
  }
  if (listener_.onEnded) listener_.onEnded();
}

}  // namespace callgate::gateway
