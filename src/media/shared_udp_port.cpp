#include "media/shared_udp_port.hpp"

#include "rtp/demux.hpp"
#include "webrtc/ice/ice_lite_agent.hpp"
#include "webrtc/stun/stun_message.hpp"

namespace callgate::media {

core::Result<std::unique_ptr<SharedUdpPort>> SharedUdpPort::open(net::MediaThread& thread,
                                                                 const std::string& bindAddress,
                                                                 uint16_t port) {
  std::unique_ptr<SharedUdpPort> self(new SharedUdpPort(thread));
  net::UdpBatchSocket::Config config;
  config.bindAddress = bindAddress;
  config.portMin = port;
  config.portMax = port;
  SharedUdpPort* raw = self.get();
  auto socket =
      net::UdpBatchSocket::open(thread.io(), config,
                                [raw](std::span<uint8_t> data, std::span<uint8_t> room,
                                      const net::UdpAddress& from) { raw->onDatagram(data, room, from); });
  if (!socket) return socket.error();
  self->socket_ = std::move(*socket);
  return self;
}

SharedUdpPort::Id SharedUdpPort::add(const std::string& localUfrag, Receiver receiver) {
  const Id id = nextId_++;
  byId_[id] = Entry{localUfrag, std::make_shared<Receiver>(std::move(receiver))};
  byUfrag_[localUfrag] = id;
  return id;
}

void SharedUdpPort::remove(Id id) {
  auto it = byId_.find(id);
  if (it == byId_.end()) return;
  if (auto u = byUfrag_.find(it->second.ufrag); u != byUfrag_.end() && u->second == id) byUfrag_.erase(u);
  for (auto s = bySource_.begin(); s != bySource_.end();) {
    s = s->second == id ? bySource_.erase(s) : std::next(s);
  }
  byId_.erase(it);
}

void SharedUdpPort::onDatagram(std::span<uint8_t> data, std::span<uint8_t> room,
                               const net::UdpAddress& from) {
  const std::string source = from.toString();
  Id id = 0;
  bool byUfrag = false;
  if (rtp::classify(data) == rtp::PacketClass::kStun) {
    // A request names its transport whatever the source: a client may move (a new 5-tuple after a network
    // change, RFC 8445 §2.2) or two transports may be checked from one address.
    if (auto message = webrtc::stun::parseStun(std::span<const uint8_t>(data))) {
      if (auto ufrag = webrtc::ice::localUfragOf(*message)) {
        if (auto u = byUfrag_.find(std::string(*ufrag)); u != byUfrag_.end()) {
          id = u->second;
          byUfrag = true;
        }
      }
    }
  }
  if (id == 0) {
    if (auto s = bySource_.find(source); s != bySource_.end()) id = s->second;
  }
  auto entry = byId_.find(id);
  if (entry == byId_.end()) {
    ++stats_.unknownSource;
    return;
  }
  if (byUfrag) {
    // Learnt from a request that still has to pass the transport's integrity check; a forged one only
    // moves where unauthenticated datagrams from that source go, and the transport drops those.
    if (bySource_.size() < 4 * byId_.size() + 16 || bySource_.count(source) != 0) bySource_[source] = id;
    ++stats_.routedByUfrag;
  } else {
    ++stats_.routedByAddress;
  }
  std::shared_ptr<Receiver> receiver = entry->second.receiver;  // survives a remove() inside the call
  (*receiver)(data, room, from);
}

}  // namespace callgate::media
