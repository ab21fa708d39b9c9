// What calls need of the media plane; owned by the app, shared by every session's calls.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "media/media_counters.hpp"
#include "media/shared_udp_port.hpp"
#include "media/webrtc_endpoint.hpp"
#include "net/media_thread.hpp"
#include "webrtc/dtls/dtls_certificate.hpp"

namespace callgate::gateway {

struct MediaServices {
  net::MediaThreads& threads;
  std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate;
  // The shared media port (media.shared_port), on threads.at(0); null for a port per transport.
  media::SharedUdpPort* sharedPort = nullptr;
  media::WebRtcEndpointConfig endpoint;
  std::string echoName = "echo";
  // Runs a function on the control loop; media threads report back through it.
  std::function<void(std::function<void()>)> postToControl;
  // Gateway-wide packet counters for /metrics, incremented on the media threads; null: not counted.
  media::MediaCounters* counters = nullptr;

  // The media thread a new call runs on: round-robin, or the shared port's thread.
  net::MediaThread& pickThread() { return sharedPort != nullptr ? sharedPort->thread() : threads.next(); }
};

// Whether `callee` (as a client sends it: "echo", "echo@domain", "sip:echo@domain") names the echo.
bool isEchoCallee(std::string_view callee, std::string_view echoName);

}  // namespace callgate::gateway
