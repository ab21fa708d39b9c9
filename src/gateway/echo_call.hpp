// A call to the echo extension (issue 5), on the control thread: the client's offer is checked here, the
// media (media::EchoSession) is created on a media thread, and the statuses go to the client as a SIP call's
// would (PROTOCOL.md §3): TRYING at once, then setRemoteSDP with the answer and ESTABLISHED, and FINISH on
// hangup or FAILED with the WCS info when the media fails ("Failed by ICE error", "Failed by DTLS
// fingerprint error", "Failed by DTLS error") or cannot be set up.
//
//   start(offer) ─► TRYING ─► (media thread) endpoint + answer ─► setRemoteSDP, ESTABLISHED
//                                          └─► error ─► FAILED
//   hangup() ─► FINISH;  media failure ─► FAILED;  after either, the media is closed on its thread.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.hpp"
#include "gateway/call.hpp"
#include "gateway/call_event.hpp"
#include "gateway/media_services.hpp"

namespace callgate::media {
class EchoSession;
}  // namespace callgate::media

namespace callgate::gateway {

class EchoCall final : public Call {
 public:
  // `call` is the client's call object without its sdp.
  EchoCall(MediaServices& media, nlohmann::json call, Listener listener);
  ~EchoCall() override;
  EchoCall(const EchoCall&) = delete;
  EchoCall& operator=(const EchoCall&) = delete;

  // Reads the offer. A bad offer is an error (the call then ends FAILED with the same info).
  core::Result<void> start(const std::string& offerSdp);
  // The client hung up: FINISH.
  void hangup(const std::string& info = "Normal call clearing") override;
  // The session is ending (socket lost, gateway stopping): FINISH with `info`.
  void terminate(const std::string& info) override { hangup(info); }

  const std::string& callId() const override { return callId_; }
  bool ended() const override { return ended_; }
  const std::string& status() const override { return status_; }

 private:
  struct MediaSide;
  void emitStatus(const std::string& status, const std::string& info = {});
  void end(const std::string& status, const std::string& info);
  void onAnswer(core::Result<std::string> answer);

  MediaServices& media_;
  nlohmann::json call_;
  std::string callId_;
  Listener listener_;
  std::string status_ = "PENDING";
  bool ended_ = false;
  net::MediaThread* thread_ = nullptr;
  std::shared_ptr<MediaSide> side_;  // touched only on thread_
  std::shared_ptr<EchoCall*> self_;  // media-thread reports hold a weak_ptr
};

}  // namespace callgate::gateway
