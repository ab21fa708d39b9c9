// A UDP socket of the media plane (ARCHITECTURE.md §5): bound to one address, on one io_context (a media
// thread's), reading and writing in batches with recvmmsg/sendmmsg so that a busy socket costs one system
// call per batch rather than per packet.
//
//   readable ─► recvmmsg (up to Config::batch datagrams) ─► onDatagram for each ─► flush() the sends the
//               callbacks queued ─► wait for readable again
//
// send() queues a datagram; the queue is flushed with sendmmsg at the end of the read batch that queued it,
// or, for sends made outside a read (a timer, a post from the control thread), by a flush posted once to
// the loop. A full kernel buffer (EAGAIN) drops what is left and counts it: media is late or it is useless.
//
// Threads: every member runs on the io_context's thread. Callbacks may call send() and close(), never
// destroy the socket.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace callgate::net {

// An IPv4 or IPv6 transport address in the form the socket calls take.
struct UdpAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  // "127.0.0.1", "::1" with a port; nullopt when `ip` is not a numeric address.
  static std::optional<UdpAddress> parse(std::string_view ip, uint16_t port);
  bool isV6() const { return storage.ss_family == AF_INET6; }
  uint16_t port() const;
  std::string ip() const;                          // "127.0.0.1", "::1"
  std::string toString() const;                    // "127.0.0.1:5004", "[::1]:5004"
  bool operator==(const UdpAddress& other) const;  // family, address bytes and port
};

struct UdpSocketStats {
  uint64_t datagramsIn = 0;
  uint64_t datagramsOut = 0;
  uint64_t receiveCalls = 0;  // recvmmsg calls that returned data
  uint64_t sendCalls = 0;     // sendmmsg calls
  uint64_t truncated = 0;     // datagrams longer than Config::maxDatagram (dropped)
  uint64_t sendDropped = 0;   // queued sends lost to EAGAIN or an error, or past the queue bound
  uint64_t sendErrors = 0;    // sendmmsg failures other than EAGAIN
};

class UdpBatchSocket {
 public:
  struct Config {
    std::string bindAddress = "127.0.0.1";
    uint16_t portMin = 0;       // 0 with portMax 0: any port the kernel picks
    uint16_t portMax = 0;       // inclusive; the first free port from a random start in [portMin, portMax]
    bool evenPort = false;      // RTP on the SIP side wants an even port (RFC 3550 §11)
    size_t batch = 32;          // datagrams per recvmmsg / sendmmsg
    size_t maxDatagram = 1500;  // bytes; longer datagrams are counted as truncated and dropped
    size_t maxQueuedSends = 256;
    int receiveBufferBytes = 0;  // SO_RCVBUF / SO_SNDBUF; 0 keeps the system's
    int sendBufferBytes = 0;
  };
  // The datagram's bytes are valid only during the call; the callback may modify them in place (SRTP
  // unprotect/protect work in the receive buffer, which has Config::maxDatagram + 64 bytes of room:
  // `room` is the whole writable span, `data` its first bytes).
  using OnDatagram =
      std::function<void(std::span<uint8_t> data, std::span<uint8_t> room, const UdpAddress& from)>;

  // Binds (trying the range as Config says) and starts reading. Errors name the address and the range.
  static core::Result<std::unique_ptr<UdpBatchSocket>> open(boost::asio::io_context& io, const Config& config,
                                                            OnDatagram onDatagram);
  ~UdpBatchSocket();
  UdpBatchSocket(const UdpBatchSocket&) = delete;
  UdpBatchSocket& operator=(const UdpBatchSocket&) = delete;

  // Copies `data` into the send queue (see the file comment). False when closed or the queue is full.
  bool send(std::span<const uint8_t> data, const UdpAddress& to);
  // Sends whatever is queued now.
  void flush();
  // Stops reading and closes the descriptor; queued sends are dropped. Idempotent.
  void close();

  const UdpAddress& localAddress() const;
  uint16_t localPort() const { return localAddress().port(); }
  const UdpSocketStats& stats() const;

 private:
  struct Impl;
  explicit UdpBatchSocket(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace callgate::net
