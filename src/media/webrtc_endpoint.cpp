#include "media/webrtc_endpoint.hpp"

#include <algorithm>

#include "media/media_address.hpp"

namespace callgate::media {

core::Result<std::unique_ptr<WebRtcEndpoint>> WebRtcEndpoint::create(
    net::MediaThread& thread, const WebRtcEndpointConfig& config,
    std::shared_ptr<const webrtc::dtls::DtlsCertificate> cert, size_t transports, SharedUdpPort* shared,
    Listener listener) {
  std::unique_ptr<WebRtcEndpoint> self(new WebRtcEndpoint(std::move(listener)));
  self->shared_ = shared;
  self->publicAddress_ = config.publicAddress.empty() ? config.bindAddress : config.publicAddress;
  WebRtcEndpoint* raw = self.get();
  for (size_t i = 0; i < transports; ++i) {
    auto slot = std::make_unique<Slot>();
    Slot* s = slot.get();
    webrtc::WebRtcTransport::Listener tl;
    tl.send = [raw, s](std::span<const uint8_t> datagram, const webrtc::stun::StunAddress& to) {
      raw->send(*s, datagram, to);
    };
    tl.onConnected = [raw, i] { raw->onTransportConnected(i); };
    tl.onRtp = [raw, i](std::span<uint8_t> packet, std::span<uint8_t> room) {
      if (raw->listener_.onRtp) raw->listener_.onRtp(i, packet, room);
    };
    tl.onRtcp = [raw, i](std::span<uint8_t> packet, std::span<uint8_t> room) {
      if (raw->listener_.onRtcp) raw->listener_.onRtcp(i, packet, room);
    };
    tl.onFailed = [raw](webrtc::TransportFailure failure, const std::string& reason) {
      raw->onTransportFailed(failure, reason);
    };
    s->transport = std::make_unique<webrtc::WebRtcTransport>(
        thread.timers(), webrtc::ice::generateCredentials(thread.random()), cert, config.transport,
        std::move(tl));
    auto receiver = [s](std::span<uint8_t> data, std::span<uint8_t> room, const net::UdpAddress& from) {
      s->transport->receive(data, room, toStunAddress(from));
    };
    if (shared != nullptr) {
      s->sharedId = shared->add(s->transport->localCredentials().ufrag, receiver);
      s->port = shared->port();
    } else {
      net::UdpBatchSocket::Config sc;
      sc.bindAddress = config.bindAddress;
      sc.portMin = config.portMin;
      sc.portMax = config.portMax;
      auto socket = net::UdpBatchSocket::open(thread.io(), sc, receiver);
      if (!socket) {
        self->close();
        return core::makeError("media.port_min..media.port_max: " + socket.error().message);
      }
      s->socket = std::move(*socket);
      s->port = s->socket->localPort();
    }
    self->slots_.push_back(std::move(slot));
  }
  return self;
}

WebRtcEndpoint::~WebRtcEndpoint() {
  close();
}

uint16_t WebRtcEndpoint::port(size_t transport) const {
  return slots_.at(transport)->port;
}

const webrtc::ice::IceCredentials& WebRtcEndpoint::credentials(size_t transport) const {
  return slots_.at(transport)->transport->localCredentials();
}

core::Result<void> WebRtcEndpoint::setRemote(size_t transport, webrtc::ice::IceCredentials remote,
                                             std::string_view fingerprintHash,
                                             std::string_view fingerprintValue, webrtc::dtls::DtlsRole role) {
  if (transport >= slots_.size()) return core::makeError("no transport " + std::to_string(transport));
  return slots_[transport]->transport->setRemote(std::move(remote), fingerprintHash, fingerprintValue, role);
}

void WebRtcEndpoint::start() {
  for (auto& s : slots_) s->transport->start();
}

void WebRtcEndpoint::send(Slot& slot, std::span<const uint8_t> datagram,
                          const webrtc::stun::StunAddress& to) {
  if (closed_) return;
  const net::UdpAddress address = toUdpAddress(to);
  if (slot.socket) {
    slot.socket->send(datagram, address);
  } else if (shared_ != nullptr) {
    shared_->send(datagram, address);
  }
}

bool WebRtcEndpoint::sendRtp(size_t transport, std::span<uint8_t> buffer, size_t length) {
  if (closed_ || transport >= slots_.size()) return false;
  return slots_[transport]->transport->sendRtp(buffer, length);
}

bool WebRtcEndpoint::sendRtcp(size_t transport, std::span<uint8_t> buffer, size_t length) {
  if (closed_ || transport >= slots_.size()) return false;
  return slots_[transport]->transport->sendRtcp(buffer, length);
}

void WebRtcEndpoint::onTransportConnected(size_t index) {
  slots_[index]->connected = true;
  if (connected_ || failed_ || closed_) return;
  if (std::all_of(slots_.begin(), slots_.end(), [](const auto& s) { return s->connected; })) {
    connected_ = true;
    if (listener_.onConnected) listener_.onConnected();
  }
}

void WebRtcEndpoint::onTransportFailed(webrtc::TransportFailure failure, const std::string& reason) {
  if (failed_ || closed_) return;
  failed_ = true;
  if (listener_.onFailed) listener_.onFailed(failure, reason);
}

void WebRtcEndpoint::close() {
  if (closed_) return;
  for (auto& s : slots_) {
    s->transport->close();  // close_notify goes out before the socket closes
    if (s->socket) {
      s->socket->flush();
      s->socket->close();
    }
    if (shared_ != nullptr && s->sharedId != 0) shared_->remove(s->sharedId);
  }
  closed_ = true;
}

bool WebRtcEndpoint::connected() const {
  return connected_;
}

webrtc::TransportStats WebRtcEndpoint::stats() const {
  webrtc::TransportStats sum;
  for (const auto& s : slots_) {
    const webrtc::TransportStats& t = s->transport->stats();
    sum.rtpIn += t.rtpIn;
    sum.rtpOut += t.rtpOut;
    sum.rtcpIn += t.rtcpIn;
    sum.rtcpOut += t.rtcpOut;
    sum.rtpBytesIn += t.rtpBytesIn;
    sum.rtpBytesOut += t.rtpBytesOut;
    sum.stunIn += t.stunIn;
    sum.dtlsIn += t.dtlsIn;
    sum.sendFailures += t.sendFailures;
    for (size_t i = 0; i < sum.drops.size(); ++i) sum.drops[i] += t.drops[i];
  }
  return sum;
}

EndpointCounters WebRtcEndpoint::counters() const {
  EndpointCounters c;
  for (const auto& s : slots_) {
    if (!s->socket) continue;
    c.socketDatagramsIn += s->socket->stats().datagramsIn;
    c.socketDatagramsOut += s->socket->stats().datagramsOut;
  }
  return c;
}

}  // namespace callgate::media
