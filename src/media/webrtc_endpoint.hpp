// The gateway's WebRTC endpoint for one call (ARCHITECTURE.md §5): one webrtc::WebRtcTransport per
// transport the SDP negotiated (one for a BUNDLE group, one per unbundled m-line), each on a UDP socket of
// its own from media.port_min..media.port_max, or on the gateway's shared port. Created, used and destroyed
// on one media thread.
//
//   socket ─► WebRtcTransport::receive ─► Listener::onRtp / onRtcp (decrypted, with the transport index)
//   sendRtp / sendRtcp ─► WebRtcTransport (SRTP in place) ─► socket
//
// The endpoint is connected when every transport is; the first transport failure fails the endpoint (one
// onFailed, with the WCS call info and the details).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "media/shared_udp_port.hpp"
#include "net/media_thread.hpp"
#include "net/udp_batch_socket.hpp"
#include "webrtc/transport/webrtc_transport.hpp"

namespace callgate::media {

struct WebRtcEndpointConfig {
  std::string bindAddress = "127.0.0.1";
  std::string publicAddress;  // the address put in candidates; empty: bindAddress
  uint16_t portMin = 20000;
  uint16_t portMax = 29999;
  webrtc::WebRtcTransportConfig transport;
};

struct EndpointCounters {
  uint64_t socketDatagramsIn = 0;
  uint64_t socketDatagramsOut = 0;
};

class WebRtcEndpoint {
 public:
  struct Listener {
    std::function<void()> onConnected;  // every transport connected
    std::function<void(webrtc::TransportFailure failure, const std::string& reason)> onFailed;
    std::function<void(size_t transport, std::span<uint8_t> packet, std::span<uint8_t> room)> onRtp;
    std::function<void(size_t transport, std::span<uint8_t> packet, std::span<uint8_t> room)> onRtcp;
  };

  // `shared`: the gateway's shared port (on `thread`), or null for a port per transport.
  static core::Result<std::unique_ptr<WebRtcEndpoint>> create(
      net::MediaThread& thread, const WebRtcEndpointConfig& config,
      std::shared_ptr<const webrtc::dtls::DtlsCertificate> cert, size_t transports, SharedUdpPort* shared,
      Listener listener);
  ~WebRtcEndpoint();
  WebRtcEndpoint(const WebRtcEndpoint&) = delete;
  WebRtcEndpoint& operator=(const WebRtcEndpoint&) = delete;

  size_t transportCount() const { return slots_.size(); }
  uint16_t port(size_t transport) const;
  const std::string& publicAddress() const { return publicAddress_; }
  const webrtc::ice::IceCredentials& credentials(size_t transport) const;
  webrtc::WebRtcTransport& transport(size_t index) { return *slots_.at(index)->transport; }

  core::Result<void> setRemote(size_t transport, webrtc::ice::IceCredentials remote,
                               std::string_view fingerprintHash, std::string_view fingerprintValue,
                               webrtc::dtls::DtlsRole role);
  void start();

  bool sendRtp(size_t transport, std::span<uint8_t> buffer, size_t length);
  bool sendRtcp(size_t transport, std::span<uint8_t> buffer, size_t length);

  // DTLS close_notify, sockets closed, shared-port routes removed. Idempotent; nothing is delivered after.
  void close();

  bool connected() const;
  webrtc::TransportStats stats() const;  // summed over the transports
  EndpointCounters counters() const;

 private:
  struct Slot {
    std::unique_ptr<webrtc::WebRtcTransport> transport;
    std::unique_ptr<net::UdpBatchSocket> socket;  // null on the shared port
    SharedUdpPort::Id sharedId = 0;
    uint16_t port = 0;
    bool connected = false;
  };
  explicit WebRtcEndpoint(Listener listener) : listener_(std::move(listener)) {}
  void send(Slot& slot, std::span<const uint8_t> datagram, const webrtc::stun::StunAddress& to);
  void onTransportConnected(size_t index);
  void onTransportFailed(webrtc::TransportFailure failure, const std::string& reason);

  Listener listener_;
  SharedUdpPort* shared_ = nullptr;
  std::string publicAddress_;
  std::vector<std::unique_ptr<Slot>> slots_;
  bool connected_ = false;
  bool failed_ = false;
  bool closed_ = false;
};

}  // namespace callgate::media
