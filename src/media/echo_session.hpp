// The echo extension's media (issue 5): a call to the configured echo name is answered by the gateway, and
// whatever the client sends comes back to it on the same m-line: a microphone and network check for users,
// and the proof of the WebRTC endpoint without any SIP peer.
//
// The answer accepts each usable m-line with one codec the client offered (audio: opus, else G.711, else
// G.722, with telephone-event at the same clock; video: VP8, else VP9, else H.264) and BUNDLE when offered.
// Packets come back unchanged but for the SSRC: each stream is re-sent under an SSRC of the gateway's own,
// declared in the answer, so the client does not see its own SSRC arrive (RFC 3550 §8.2 collisions).
// The client's PLI, FIR and NACK on an echoed stream are passed back to it for the stream it sends; RTCP
// reports are generated for both directions (RtcpReporter).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "media/rtcp_reporter.hpp"
#include "media/webrtc_endpoint.hpp"
#include "sdp/webrtc_offer.hpp"

namespace callgate::media {

struct EchoStats {
  uint64_t rtpEchoed = 0;
  uint64_t rtpUnrouted = 0;  // a payload type no answered m-line has
  uint64_t feedbackForwarded = 0;
  webrtc::TransportStats transport;
  RtcpCounters rtcp;  // summed over the transports
};

class EchoSession {
 public:
  struct Listener {
    std::function<void()> onConnected;
    // Once: the call's info ("Failed by ICE error", ...) and the details.
    std::function<void(const std::string& info, const std::string& reason)> onFailed;
  };

  // Opens the endpoint for `offer` on `thread` and builds the answer. An offer with nothing to echo (no
  // m-line with a codec the echo takes) is an error naming what was missing ("No common codecs: ...").
  static core::Result<std::unique_ptr<EchoSession>> create(
      net::MediaThread& thread, const WebRtcEndpointConfig& config,
      std::shared_ptr<const webrtc::dtls::DtlsCertificate> cert, SharedUdpPort* shared,
      const sdp::WebRtcOffer& offer, Listener listener);
  ~EchoSession();
  EchoSession(const EchoSession&) = delete;
  EchoSession& operator=(const EchoSession&) = delete;

  const std::string& answerSdp() const { return answer_; }
  void close();
  EchoStats stats() const;
  bool connected() const { return endpoint_ && endpoint_->connected(); }

 private:
  struct Stream {
    size_t mline = 0;
    size_t transport = 0;
    std::string kind;
    std::vector<uint8_t> payloadTypes;
    uint32_t clockRate = 0;
    uint32_t localSsrc = 0;
    uint32_t remoteSsrc = 0;  // the last one seen
    bool echo = false;        // the offer's direction lets us both receive and send
    uint8_t firSequence = 0;
  };
  explicit EchoSession(net::MediaThread& thread, Listener listener)
      : thread_(thread), listener_(std::move(listener)) {}
  void onRtp(size_t transport, std::span<uint8_t> packet, std::span<uint8_t> room);
  void onRtcp(size_t transport, std::span<uint8_t> packet);
  void onFeedback(size_t transport, RtcpReporter::Feedback kind, uint32_t mediaSsrc,
                  std::span<const uint8_t> packet);
  Stream* streamByPayloadType(size_t transport, uint8_t pt);

  net::MediaThread& thread_;
  Listener listener_;
  std::unique_ptr<WebRtcEndpoint> endpoint_;
  std::vector<std::unique_ptr<RtcpReporter>> reporters_;  // one per transport
  std::vector<Stream> streams_;
  std::string answer_;
  uint64_t rtpEchoed_ = 0;
  uint64_t rtpUnrouted_ = 0;
  uint64_t feedbackForwarded_ = 0;
  bool closed_ = false;
};

}  // namespace callgate::media
