// The media plane's socket path on 127.0.0.1 (ARCHITECTURE.md §5, issue 5): what the kernel calls cost per
// 172-byte datagram (an SRTP G.711 packet) when each packet is one sendto and one recvfrom, against
// sendmmsg/recvmmsg in batches, and what a relay through UdpBatchSocket costs (receive, send on, on one
// loop). items_per_second is datagrams per second on one core; the sender and receiver share that core, as a
// relay's two legs do.
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <vector>

#include "net/udp_batch_socket.hpp"

namespace {

using callgate::net::UdpAddress;
using callgate::net::UdpBatchSocket;

constexpr size_t kDatagram = 172;

// A blocking loopback UDP socket on a kernel-chosen port. Reads time out after a second, so a lost datagram
// ends the benchmark with an error instead of hanging it.
class RawSocket {
 public:
  RawSocket() : fd_(::socket(AF_INET, SOCK_DGRAM, 0)) {
    address_ = *UdpAddress::parse("127.0.0.1", 0);
    ::bind(fd_, reinterpret_cast<const sockaddr*>(&address_.storage), address_.length);
    socklen_t length = sizeof address_.storage;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address_.storage), &length);
    address_.length = length;
    const timeval timeout{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~RawSocket() { ::close(fd_); }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  int fd() const { return fd_; }
  const UdpAddress& address() const { return address_; }

 private:
  int fd_;
  UdpAddress address_;
};

// `count` datagrams of kDatagram bytes toward one address, ready for sendmmsg (or, one by one, for sendto).
struct SendBatch {
  SendBatch(size_t count, const UdpAddress& to) : bytes(count * kDatagram, 0x55), iov(count), headers(count) {
    target = to;
    for (size_t i = 0; i < count; ++i) {
      iov[i] = iovec{bytes.data() + i * kDatagram, kDatagram};
      headers[i].msg_hdr.msg_name = &target.storage;
      headers[i].msg_hdr.msg_namelen = target.length;
      headers[i].msg_hdr.msg_iov = &iov[i];
      headers[i].msg_hdr.msg_iovlen = 1;
    }
  }
  UdpAddress target;
  std::vector<uint8_t> bytes;
  std::vector<iovec> iov;
  std::vector<mmsghdr> headers;
};

// Room for `count` datagrams, ready for recvmmsg (or, one by one, for recvfrom).
struct ReceiveBatch {
  explicit ReceiveBatch(size_t count) : bytes(count * 1500), iov(count), headers(count), from(count) {
    for (size_t i = 0; i < count; ++i) {
      iov[i] = iovec{bytes.data() + i * 1500, 1500};
      headers[i].msg_hdr.msg_iov = &iov[i];
      headers[i].msg_hdr.msg_iovlen = 1;
    }
  }
  // Blocks until `count` datagrams are in (MSG_WAITFORONE returns what is there once one is); false on
  // timeout.
  bool receive(int fd) {
    size_t got = 0;
    while (got < headers.size()) {
      for (size_t i = got; i < headers.size(); ++i) {
        headers[i].msg_hdr.msg_name = &from[i];
        headers[i].msg_hdr.msg_namelen = sizeof from[i];
      }
      const int n = ::recvmmsg(fd, headers.data() + got, static_cast<unsigned>(headers.size() - got),
                               MSG_WAITFORONE, nullptr);
      if (n <= 0) return false;
      got += static_cast<size_t>(n);
    }
    return true;
  }
  std::vector<uint8_t> bytes;
  std::vector<iovec> iov;
  std::vector<mmsghdr> headers;
  std::vector<sockaddr_storage> from;
};

// One sendto and one recvfrom per datagram: what a socket without batching costs.
void BM_UdpSendtoRecvfrom(benchmark::State& state) {
  RawSocket sender;
  RawSocket receiver;
  const UdpAddress to = receiver.address();
  std::array<uint8_t, kDatagram> out{};
  std::array<uint8_t, 1500> in{};
  for (auto _ : state) {
    ::sendto(sender.fd(), out.data(), out.size(), 0, reinterpret_cast<const sockaddr*>(&to.storage),
             to.length);
    sockaddr_storage from{};
    socklen_t fromLength = sizeof from;
    const ssize_t n =
        ::recvfrom(receiver.fd(), in.data(), in.size(), 0, reinterpret_cast<sockaddr*>(&from), &fromLength);
    if (n != static_cast<ssize_t>(kDatagram)) {
      state.SkipWithError("datagram lost");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UdpSendtoRecvfrom);

// One sendmmsg and one recvmmsg per batch of state.range(0) datagrams.
void BM_UdpSendmmsgRecvmmsg(benchmark::State& state) {
  const auto batch = static_cast<size_t>(state.range(0));
  RawSocket sender;
  RawSocket receiver;
  SendBatch out(batch, receiver.address());
  ReceiveBatch in(batch);
  for (auto _ : state) {
    const int sent = ::sendmmsg(sender.fd(), out.headers.data(), static_cast<unsigned>(batch), 0);
    if (sent != static_cast<int>(batch) || !in.receive(receiver.fd())) {
      state.SkipWithError("datagram lost");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
}
BENCHMARK(BM_UdpSendmmsgRecvmmsg)->Arg(8)->Arg(32);

// A relay leg without batching: a source sends a datagram, the relay reads it with recvfrom and sends it on
// with sendto, the sink reads it. Items are relayed datagrams.
void BM_UdpRelayPerPacket(benchmark::State& state) {
  RawSocket source;
  RawSocket relay;
  RawSocket sink;
  const UdpAddress toRelay = relay.address();
  const UdpAddress toSink = sink.address();
  std::array<uint8_t, kDatagram> out{};
  std::array<uint8_t, 1500> in{};
  for (auto _ : state) {
    ::sendto(source.fd(), out.data(), out.size(), 0, reinterpret_cast<const sockaddr*>(&toRelay.storage),
             toRelay.length);
    sockaddr_storage from{};
    socklen_t fromLength = sizeof from;
    const ssize_t n =
        ::recvfrom(relay.fd(), in.data(), in.size(), 0, reinterpret_cast<sockaddr*>(&from), &fromLength);
    if (n <= 0) {
      state.SkipWithError("datagram lost");
      break;
    }
    ::sendto(relay.fd(), in.data(), static_cast<size_t>(n), 0,
             reinterpret_cast<const sockaddr*>(&toSink.storage), toSink.length);
    if (::recv(sink.fd(), in.data(), in.size(), 0) != n) {
      state.SkipWithError("datagram lost");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UdpRelayPerPacket);

// The same relay leg through UdpBatchSocket on an io_context: the source sends a batch with sendmmsg, the
// socket's read handler takes it with recvmmsg and its callback send()s each datagram on, the end of the
// batch flushes them with sendmmsg, the sink reads them with recvmmsg. Includes the loop's wait (epoll) per
// batch.
void BM_UdpBatchSocketRelay(benchmark::State& state) {
  const auto batch = static_cast<size_t>(state.range(0));
  boost::asio::io_context io;
  RawSocket source;
  RawSocket sink;
  const UdpAddress toSink = sink.address();
  UdpBatchSocket::Config config;
  config.batch = batch;
  std::unique_ptr<UdpBatchSocket> relay;
  auto opened = UdpBatchSocket::open(
      io, config,
      [&](std::span<uint8_t> data, std::span<uint8_t>, const UdpAddress&) { relay->send(data, toSink); });
  if (!opened) {
    state.SkipWithError(opened.error().message.c_str());
    return;
  }
  relay = std::move(*opened);
  SendBatch out(batch, relay->localAddress());
  ReceiveBatch in(batch);
  uint64_t relayed = 0;
  for (auto _ : state) {
    if (::sendmmsg(source.fd(), out.headers.data(), static_cast<unsigned>(batch), 0) !=
        static_cast<int>(batch)) {
      state.SkipWithError("sendmmsg fell short");
      break;
    }
    relayed += batch;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (relay->stats().datagramsOut < relayed && std::chrono::steady_clock::now() < deadline) {
      io.run_one_for(std::chrono::milliseconds(100));
    }
    if (relay->stats().datagramsOut < relayed || !in.receive(sink.fd())) {
      state.SkipWithError("datagram lost");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
  state.counters["recvmmsg_calls_per_batch"] =
      benchmark::Counter(static_cast<double>(relay->stats().receiveCalls) /
                         static_cast<double>(std::max<int64_t>(1, state.iterations())));
}
BENCHMARK(BM_UdpBatchSocketRelay)->Arg(32);

}  // namespace
