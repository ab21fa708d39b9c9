// One UDP port for every WebRTC transport of the gateway (ARCHITECTURE.md §5, media.shared_port): the
// firewall-friendly deployment, where a client needs one UDP port open toward the gateway. Datagrams are
// routed to their transport by the source 5-tuple once it is known; a datagram from an unknown source must
// be a STUN Binding request, routed by the local ufrag in its USERNAME (RFC 8445 §7.2.2), which also
// teaches the port the source's transport. Anything else from an unknown source is dropped and counted.
//
// Lives on one media thread (the one every transport of a shared port runs on) and is touched only there.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>

#include "core/result.hpp"
#include "net/media_thread.hpp"
#include "net/udp_batch_socket.hpp"

namespace callgate::media {

struct SharedPortStats {
  uint64_t routedByAddress = 0;
  uint64_t routedByUfrag = 0;
  uint64_t unknownSource = 0;  // not STUN, or STUN without a known ufrag
};

class SharedUdpPort {
 public:
  using Receiver =
      std::function<void(std::span<uint8_t> data, std::span<uint8_t> room, const net::UdpAddress& from)>;
  using Id = uint64_t;

  static core::Result<std::unique_ptr<SharedUdpPort>> open(net::MediaThread& thread,
                                                           const std::string& bindAddress, uint16_t port);

  // A transport known by its local ufrag. The receiver runs on the port's thread, inside the socket's read.
  Id add(const std::string& localUfrag, Receiver receiver);
  // Forgets the transport and every source routed to it. Safe inside its own receiver.
  void remove(Id id);

  bool send(std::span<const uint8_t> data, const net::UdpAddress& to) { return socket_->send(data, to); }
  uint16_t port() const { return socket_->localPort(); }
  net::MediaThread& thread() { return thread_; }
  const SharedPortStats& stats() const { return stats_; }
  const net::UdpSocketStats& socketStats() const { return socket_->stats(); }
  size_t transports() const { return byId_.size(); }

 private:
  explicit SharedUdpPort(net::MediaThread& thread) : thread_(thread) {}
  void onDatagram(std::span<uint8_t> data, std::span<uint8_t> room, const net::UdpAddress& from);

  struct Entry {
    std::string ufrag;
    std::shared_ptr<Receiver> receiver;
  };
  net::MediaThread& thread_;
  std::unique_ptr<net::UdpBatchSocket> socket_;
  std::map<Id, Entry> byId_;
  std::unordered_map<std::string, Id> byUfrag_;
  std::map<std::string, Id> bySource_;  // UdpAddress::toString() -> transport
  Id nextId_ = 1;
  SharedPortStats stats_;
};

}  // namespace callgate::media
