#include "net/udp_batch_socket.hpp"

#include <spdlog/logger.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <system_error>
#include <vector>

#include "core/logging.hpp"
#include "core/random.hpp"

namespace callgate::net {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// The receive buffer's room past Config::maxDatagram: what SRTP protect adds in place (auth tag, MKI) before
// the packet is sent on, so the relay never copies a packet to grow it.
constexpr size_t kRoomBytes = 64;
// The kernel's limit on one recvmmsg/sendmmsg vector (UIO_MAXIOV).
constexpr size_t kMaxBatch = 1024;
// An IP datagram's largest UDP payload is below this (RFC 768 length field).
constexpr size_t kMaxDatagramLimit = 65535;
// Tries at an even kernel-chosen port before giving up; each try is a coin flip.
constexpr int kEvenPortTries = 32;

spdlog::logger& log() {
  return core::logger(core::LogModule::kNet);
}

// Rate limit for drop logs: the 1st, 2nd, 4th, 8th... occurrence, so a flood costs a few lines, not one per
// packet, and a single event is still seen.
bool worthLogging(uint64_t count) {
  return (count & (count - 1)) == 0;
}

// sin_port and sin6_port sit at the same offset; the address bytes do not.
constexpr size_t kPortOffset = offsetof(sockaddr_in, sin_port);
static_assert(offsetof(sockaddr_in6, sin6_port) == kPortOffset);

// Address fields are read with memcpy/memcmp at their offsets rather than through casts of the storage, which
// keeps the comparisons free of aliasing questions and runs as fast.
const uint8_t* bytesAt(const sockaddr_storage& storage, size_t offset) {
  return reinterpret_cast<const uint8_t*>(&storage) + offset;
}

UdpAddress fromEndpoint(const asio::ip::udp::endpoint& endpoint) {
  UdpAddress address;
  std::memcpy(&address.storage, endpoint.data(), endpoint.size());
  address.length = static_cast<socklen_t>(endpoint.size());
  return address;
}

asio::ip::udp::endpoint toEndpoint(const UdpAddress& address) {
  asio::ip::udp::endpoint endpoint;
  const size_t size = std::min<size_t>(address.length, endpoint.capacity());
  std::memcpy(endpoint.data(), &address.storage, size);
  endpoint.resize(size);
  return endpoint;
}

// strerror's text, from the thread-safe path (several media threads may fail at once).
std::string errnoText(int error) {
  return std::system_category().message(error);
}

std::string rangeText(const UdpBatchSocket::Config& config) {
  return std::to_string(config.portMin) + "-" + std::to_string(config.portMax);
}

}  // namespace

std::optional<UdpAddress> UdpAddress::parse(std::string_view ip, uint16_t port) {
  error_code ec;
  // Asio takes "fe80::1%eth0" scope ids as well as plain numeric forms, and no names.
  const auto address = asio::ip::make_address(std::string(ip), ec);
  if (ec) return std::nullopt;
  return fromEndpoint(asio::ip::udp::endpoint(address, port));
}

uint16_t UdpAddress::port() const {
  if (storage.ss_family != AF_INET && storage.ss_family != AF_INET6) return 0;
  const uint8_t* p = bytesAt(storage, kPortOffset);
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

std::string UdpAddress::ip() const {
  if (storage.ss_family != AF_INET && storage.ss_family != AF_INET6) return {};
  return toEndpoint(*this).address().to_string();
}

std::string UdpAddress::toString() const {
  if (storage.ss_family != AF_INET && storage.ss_family != AF_INET6) return "(no address)";
  const std::string portText = std::to_string(port());
  return isV6() ? "[" + ip() + "]:" + portText : ip() + ":" + portText;
}

bool UdpAddress::operator==(const UdpAddress& other) const {
  // On the relay path (latching, checking a packet's source): no string forms, a few byte compares.
  if (storage.ss_family != other.storage.ss_family) return false;
  if (std::memcmp(bytesAt(storage, kPortOffset), bytesAt(other.storage, kPortOffset), 2) != 0) return false;
  switch (storage.ss_family) {
    case AF_INET: {
      constexpr size_t offset = offsetof(sockaddr_in, sin_addr);
      return std::memcmp(bytesAt(storage, offset), bytesAt(other.storage, offset), sizeof(in_addr)) == 0;
    }
    case AF_INET6: {
      constexpr size_t offset = offsetof(sockaddr_in6, sin6_addr);
      return std::memcmp(bytesAt(storage, offset), bytesAt(other.storage, offset), sizeof(in6_addr)) == 0;
    }
    default:
      return true;  // two empty addresses
  }
}

// Everything the socket's asynchronous operations need. The socket object owns it; pending waits and the
// posted flush hold only a weak_ptr, so after the socket is destroyed they find nothing and do nothing. While
// a read batch runs, the handler holds a shared_ptr, so a callback that closes the socket does not pull the
// buffers from under the loop that called it.
struct UdpBatchSocket::Impl : std::enable_shared_from_this<UdpBatchSocket::Impl> {
  // One queued send: its bytes live in sendBytes_ (offsets, since the vector may grow while queueing).
  struct QueuedSend {
    size_t offset = 0;
    size_t length = 0;
    UdpAddress to;
  };

  Impl(asio::io_context& io, const Config& config, OnDatagram onDatagram)
      : io_(io), config_(config), onDatagram_(std::move(onDatagram)), socket_(io) {}

  core::Result<void> bind();
  void prepareBuffers();
  void waitReadable();
  void readBatch();
  bool send(std::span<const uint8_t> data, const UdpAddress& to);
  void flush();
  void close();

  asio::io_context& io_;
  Config config_;
  OnDatagram onDatagram_;  // may be empty: a send-only socket counts and drops what arrives
  asio::ip::udp::socket socket_;
  UdpAddress local_;
  UdpSocketStats stats_;
  bool closed_ = false;
  bool inReadBatch_ = false;    // sends now are flushed at the end of the batch
  bool flushPosted_ = false;    // a flush is queued on the loop for sends made outside a read batch
  uint64_t receiveErrors_ = 0;  // for the log's rate limit only: a failed recvmmsg loses no datagram

  // Receive side, allocated once: `batch` slots of maxDatagram + kRoomBytes, a header, an iovec and a source
  // address per slot.
  size_t slotBytes_ = 0;
  std::vector<uint8_t> receiveBuffer_;
  std::vector<iovec> receiveIov_;
  std::vector<mmsghdr> receiveHeaders_;
  std::vector<UdpAddress> receiveFrom_;

  // Send side: the queue, and the headers of one sendmmsg call (filled at flush time).
  std::vector<uint8_t> sendBytes_;
  std::vector<QueuedSend> queue_;
  std::vector<iovec> sendIov_;
  std::vector<mmsghdr> sendHeaders_;

 private:
  // 0 when bound, else errno (EADDRINUSE: taken, try the next).
  int bindPort(UdpAddress address, uint16_t port);
  void readLocalAddress() {
    socklen_t length = sizeof local_.storage;
    ::getsockname(socket_.native_handle(), reinterpret_cast<sockaddr*>(&local_.storage), &length);
    local_.length = length;
  }
};

int UdpBatchSocket::Impl::bindPort(UdpAddress address, uint16_t port) {
  const std::array<uint8_t, 2> portBytes{static_cast<uint8_t>(port >> 8), static_cast<uint8_t>(port)};
  std::memcpy(reinterpret_cast<uint8_t*>(&address.storage) + kPortOffset, portBytes.data(), portBytes.size());
  const auto* name = reinterpret_cast<const sockaddr*>(&address.storage);
  return ::bind(socket_.native_handle(), name, address.length) == 0 ? 0 : errno;
}

core::Result<void> UdpBatchSocket::Impl::bind() {
  const auto& c = config_;
  const auto address = UdpAddress::parse(c.bindAddress, 0);
  if (!address) {
    return core::makeError("UDP bind address '" + c.bindAddress + "' is not a numeric IP address");
  }
  const bool anyPort = c.portMin == 0 && c.portMax == 0;
  if (!anyPort && (c.portMin == 0 || c.portMin > c.portMax)) {
    return core::makeError(
        "UDP port range " + rangeText(c) + " on " + c.bindAddress +
        " is not valid: the first port must be 1 or more and not above the last (0-0 lets the "
        "system choose)");
  }
  if (c.batch == 0 || c.batch > kMaxBatch) {
    return core::makeError("UDP socket batch " + std::to_string(c.batch) + " is out of range (1-" +
                           std::to_string(kMaxBatch) + ")");
  }
  if (c.maxDatagram == 0 || c.maxDatagram > kMaxDatagramLimit) {
    return core::makeError("UDP socket maxDatagram " + std::to_string(c.maxDatagram) +
                           " is out of range (1-" + std::to_string(kMaxDatagramLimit) + ")");
  }

  error_code ec;
  const auto protocol = address->isV6() ? asio::ip::udp::v6() : asio::ip::udp::v4();
  const auto reopen = [&]() -> core::Result<void> {
    socket_.close(ec);
    if (socket_.open(protocol, ec); ec) {
      return core::makeError("cannot open a UDP socket for " + c.bindAddress + ": " + ec.message());
    }
    // An IPv6 media address takes IPv6 only, as the SIP transport does: a peer's address family is then the
    // socket's, never an IPv4-mapped form.
    if (address->isV6()) socket_.set_option(asio::ip::v6_only(true), ec);
    return {};
  };
  if (auto opened = reopen(); !opened) return opened;

  if (anyPort) {
    for (int attempt = 0;; ++attempt) {
      if (const int error = bindPort(*address, 0); error != 0) {
        return core::makeError("cannot bind a UDP port on " + c.bindAddress + ": " + errnoText(error));
      }
      readLocalAddress();
      if (!c.evenPort || local_.port() % 2 == 0) break;
      // The kernel has no even-port request: an odd port is let go and another one asked for.
      if (attempt + 1 == kEvenPortTries) {
        return core::makeError("no free even UDP port chosen by the system on " + c.bindAddress);
      }
      if (auto opened = reopen(); !opened) return opened;
    }
  } else {
    // RFC 6056 §3.3.1 (Algorithm 1): a random start, then each port once, wrapping at the top. A restarted
    // gateway does not take up the ports of its previous calls at once, and an off-path sender cannot guess
    // the next call's port.
    const uint32_t size = static_cast<uint32_t>(c.portMax) - c.portMin + 1;
    const uint32_t start = static_cast<uint32_t>(core::SecureRandom().next64() % size);
    bool bound = false;
    for (uint32_t i = 0; i < size && !bound; ++i) {
      const auto port = static_cast<uint16_t>(c.portMin + (start + i) % size);
      if (c.evenPort && port % 2 != 0) continue;  // RFC 3550 §11: RTP on an even port
      const int error = bindPort(*address, port);
      if (error == 0) {
        bound = true;
      } else if (error != EADDRINUSE) {
        return core::makeError("cannot bind UDP port " + std::to_string(port) + " (range " + rangeText(c) +
                               ") on " + c.bindAddress + ": " + errnoText(error));
      }
    }
    if (!bound) {
      return core::makeError("no free " + std::string(c.evenPort ? "even " : "") + "UDP port in " +
                             rangeText(c) + " on " + c.bindAddress);
    }
    readLocalAddress();
  }

  // Reads and writes must never block the media thread: an empty queue or a full buffer is EAGAIN.
  if (socket_.non_blocking(true, ec); ec) {
    return core::makeError("cannot make the UDP socket on " + local_.toString() +
                           " non-blocking: " + ec.message());
  }
  if (c.receiveBufferBytes > 0) {
    socket_.set_option(asio::socket_base::receive_buffer_size(c.receiveBufferBytes), ec);
    if (ec)
      log().warn("UDP {}: SO_RCVBUF {} refused: {}", local_.toString(), c.receiveBufferBytes, ec.message());
  }
  if (c.sendBufferBytes > 0) {
    socket_.set_option(asio::socket_base::send_buffer_size(c.sendBufferBytes), ec);
    if (ec)
      log().warn("UDP {}: SO_SNDBUF {} refused: {}", local_.toString(), c.sendBufferBytes, ec.message());
  }
  return {};
}

void UdpBatchSocket::Impl::prepareBuffers() {
  const size_t batch = config_.batch;
  slotBytes_ = config_.maxDatagram + kRoomBytes;
  receiveBuffer_.assign(batch * slotBytes_, 0);
  receiveIov_.resize(batch);
  receiveHeaders_.resize(batch);
  receiveFrom_.resize(batch);
  for (size_t i = 0; i < batch; ++i) {
    // The kernel sees only maxDatagram bytes of each slot, so a longer datagram comes back with MSG_TRUNC
    // and the room past it stays the callback's.
    receiveIov_[i] = iovec{receiveBuffer_.data() + i * slotBytes_, config_.maxDatagram};
    receiveHeaders_[i] = mmsghdr{};
    receiveHeaders_[i].msg_hdr.msg_name = &receiveFrom_[i].storage;
    receiveHeaders_[i].msg_hdr.msg_iov = &receiveIov_[i];
    receiveHeaders_[i].msg_hdr.msg_iovlen = 1;
  }
  sendIov_.resize(batch);
  sendHeaders_.resize(batch);
}

void UdpBatchSocket::Impl::waitReadable() {
  // Asio re-arms the descriptor (EPOLL_CTL_MOD) when a wait starts, so a wait on a socket that still holds
  // datagrams completes at once: one recvmmsg per wake-up leaves nothing stranded, and a busy socket yields
  // to the loop's other work between batches.
  socket_.async_wait(asio::ip::udp::socket::wait_read, [weak = weak_from_this()](const error_code& ec) {
    auto self = weak.lock();
    if (!self || self->closed_) return;
    if (ec) {
      if (ec != asio::error::operation_aborted) {
        log().warn("UDP {}: wait for readable failed, no longer reading: {}", self->local_.toString(),
                   ec.message());
      }
      return;
    }
    self->readBatch();
  });
}

void UdpBatchSocket::Impl::readBatch() {
  const size_t batch = config_.batch;
  for (size_t i = 0; i < batch; ++i) receiveHeaders_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
  const int received = ::recvmmsg(socket_.native_handle(), receiveHeaders_.data(),
                                  static_cast<unsigned>(batch), MSG_DONTWAIT, nullptr);
  if (received < 0) {
    const int error = errno;
    if (error != EAGAIN && error != EWOULDBLOCK && error != EINTR && worthLogging(++receiveErrors_)) {
      log().warn("UDP {}: recvmmsg failed: {} ({} so far)", local_.toString(), errnoText(error),
                 receiveErrors_);
    }
  } else if (received > 0) {
    ++stats_.receiveCalls;
    inReadBatch_ = true;
    for (int i = 0; i < received && !closed_; ++i) {
      const auto& header = receiveHeaders_[static_cast<size_t>(i)];
      if ((header.msg_hdr.msg_flags & MSG_TRUNC) != 0) {
        // Longer than any packet the media plane takes: a partial packet is useless to SRTP and RTP alike.
        if (worthLogging(++stats_.truncated)) {
          log().debug("UDP {}: datagram longer than {} bytes dropped ({} so far)", local_.toString(),
                      config_.maxDatagram, stats_.truncated);
        }
        continue;
      }
      auto& from = receiveFrom_[static_cast<size_t>(i)];
      from.length = header.msg_hdr.msg_namelen;
      ++stats_.datagramsIn;
      const std::span<uint8_t> room(receiveBuffer_.data() + static_cast<size_t>(i) * slotBytes_, slotBytes_);
      if (onDatagram_) onDatagram_(room.first(header.msg_len), room, from);
    }
    inReadBatch_ = false;
    flush();
  }
  if (!closed_) waitReadable();
}

bool UdpBatchSocket::Impl::send(std::span<const uint8_t> data, const UdpAddress& to) {
  if (closed_) return false;
  if (queue_.size() >= config_.maxQueuedSends) {
    if (worthLogging(++stats_.sendDropped)) {
      log().debug("UDP {}: send queue full ({}), datagram to {} dropped ({} so far)", local_.toString(),
                  config_.maxQueuedSends, to.toString(), stats_.sendDropped);
    }
    return false;
  }
  queue_.push_back(QueuedSend{sendBytes_.size(), data.size(), to});
  sendBytes_.insert(sendBytes_.end(), data.begin(), data.end());
  if (!inReadBatch_ && !flushPosted_) {
    // One flush for the whole burst of sends this handler (a timer, a post from another thread) makes.
    flushPosted_ = true;
    asio::post(io_, [weak = weak_from_this()] {
      if (auto self = weak.lock()) {
        self->flushPosted_ = false;
        self->flush();
      }
    });
  }
  return true;
}

void UdpBatchSocket::Impl::flush() {
  if (closed_ || queue_.empty()) return;
  size_t next = 0;
  while (next < queue_.size()) {
    const size_t count = std::min(config_.batch, queue_.size() - next);
    for (size_t i = 0; i < count; ++i) {
      auto& queued = queue_[next + i];
      sendIov_[i] = iovec{sendBytes_.data() + queued.offset, queued.length};
      auto& header = sendHeaders_[i].msg_hdr;
      header = msghdr{};
      header.msg_name = &queued.to.storage;
      header.msg_namelen = queued.to.length;
      header.msg_iov = &sendIov_[i];
      header.msg_iovlen = 1;
    }
    ++stats_.sendCalls;
    const int sent =
        ::sendmmsg(socket_.native_handle(), sendHeaders_.data(), static_cast<unsigned>(count), MSG_DONTWAIT);
    if (sent > 0) {
      // A short count means the next datagram failed; the next call reports its error.
      stats_.datagramsOut += static_cast<uint64_t>(sent);
      next += static_cast<size_t>(sent);
      continue;
    }
    const int error = sent < 0 ? errno : EIO;
    if (error == EINTR) continue;
    if (error == EAGAIN || error == EWOULDBLOCK) {
      // The kernel's buffer is full: what is left would be late by the time there is room, so it is dropped
      // rather than kept for later.
      const size_t dropped = queue_.size() - next;
      const bool logIt = worthLogging(stats_.sendDropped + 1);
      stats_.sendDropped += dropped;
      if (logIt) {
        log().debug("UDP {}: send buffer full, {} datagrams dropped ({} so far)", local_.toString(), dropped,
                    stats_.sendDropped);
      }
      break;
    }
    // This one datagram cannot go (no route, an address of the other family, too long): skip it, send the
    // rest.
    ++stats_.sendDropped;
    if (worthLogging(++stats_.sendErrors)) {
      log().warn("UDP {}: send to {} failed: {} ({} send errors so far)", local_.toString(),
                 queue_[next].to.toString(), errnoText(error), stats_.sendErrors);
    }
    ++next;
  }
  queue_.clear();
  sendBytes_.clear();
}

void UdpBatchSocket::Impl::close() {
  if (closed_) return;
  closed_ = true;
  queue_.clear();
  sendBytes_.clear();
  error_code ec;
  // Closing cancels the pending wait; its handler then finds closed_ (or no Impl) and returns.
  socket_.close(ec);
}

core::Result<std::unique_ptr<UdpBatchSocket>> UdpBatchSocket::open(asio::io_context& io, const Config& config,
                                                                   OnDatagram onDatagram) {
  auto impl = std::make_shared<Impl>(io, config, std::move(onDatagram));
  if (auto bound = impl->bind(); !bound) return bound.error();
  impl->prepareBuffers();
  impl->waitReadable();
  // As Session::create does: the constructor is private, so make_unique cannot reach it.
  return std::unique_ptr<UdpBatchSocket>(new UdpBatchSocket(std::move(impl)));
}

UdpBatchSocket::UdpBatchSocket(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

UdpBatchSocket::~UdpBatchSocket() {
  impl_->close();
}

bool UdpBatchSocket::send(std::span<const uint8_t> data, const UdpAddress& to) {
  return impl_->send(data, to);
}

void UdpBatchSocket::flush() {
  impl_->flush();
}

void UdpBatchSocket::close() {
  impl_->close();
}

const UdpAddress& UdpBatchSocket::localAddress() const {
  return impl_->local_;
}

const UdpSocketStats& UdpBatchSocket::stats() const {
  return impl_->stats_;
}

}  // namespace callgate::net
