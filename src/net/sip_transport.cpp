#include "net/sip_transport.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <spdlog/logger.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/logging.hpp"
#include "sip/message/stream_framer.hpp"

namespace callgate::net {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

// A UDP datagram's largest payload (RFC 768 length field).
constexpr size_t kDatagramBufferBytes = 65536;
constexpr size_t kReadChunkBytes = 16384;
// RFC 5626 §3.5.1: a ping is CRLFCRLF, the pong one CRLF.
constexpr std::string_view kPing = "\r\n\r\n";
constexpr std::string_view kPong = "\r\n";

spdlog::logger& log() {
  return core::logger(core::LogModule::kNet);
}

std::string protocolLabel(sip::TransportProtocol protocol) {
  return std::string(sip::transportName(protocol));
}

sip::Endpoint toEndpoint(sip::TransportProtocol protocol, const asio::ip::address& address, uint16_t port) {
  // An IPv4-mapped IPv6 peer is an IPv4 peer.
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return sip::Endpoint{protocol,
                         asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string(), port};
  }
  return sip::Endpoint{protocol, address.to_string(), port};
}

// Endpoint strings are "udp:1.2.3.4:5": a map key that tells transports and families apart.
std::string keyOf(const sip::Endpoint& endpoint) {
  return endpoint.toString();
}

}  // namespace

class Connection;

// What a connection needs of the configuration, copied: it may outlive the transport by a few handlers.
struct ConnectionSettings {
  explicit ConnectionSettings(const SipTransportConfig& config)
      : maxConnectionBufferBytes(config.maxConnectionBufferBytes),
        maxSendQueueBytes(config.maxSendQueueBytes),
        idleTimeout(config.idleTimeout),
        connectTimeout(config.connectTimeout),
        tlsVerifyPeer(config.tlsVerifyPeer),
        framer(config.framer) {}
  size_t maxConnectionBufferBytes;
  size_t maxSendQueueBytes;
  std::chrono::milliseconds idleTimeout;
  std::chrono::milliseconds connectTimeout;
  bool tlsVerifyPeer;
  sip::FramerLimits framer;
};

struct UdpListener {
  explicit UdpListener(asio::io_context& io) : socket(io), buffer(kDatagramBufferBytes) {}
  asio::ip::udp::socket socket;
  asio::ip::udp::endpoint sender;
  std::vector<char> buffer;
  sip::Endpoint local;
  bool v6 = false;
};

struct StreamListener {
  StreamListener(asio::io_context& io, bool isTls) : acceptor(io), tls(isTls) {}
  asio::ip::tcp::acceptor acceptor;
  bool tls = false;
  sip::Endpoint local;
};

class SipTransportImpl : public std::enable_shared_from_this<SipTransportImpl> {
 public:
  SipTransportImpl(asio::io_context& io, SipTransportConfig config)
      : io_(io),
        config_(std::move(config)),
        serverTls_(ssl::context::tls_server),
        clientTls_(ssl::context::tls_client) {
    streamLimits_ = config_.inbound;
  }

  core::Result<void> start();
  void stop();
  bool send(const sip::Endpoint& to, std::string_view bytes);

  // Called by connections.
  void deliver(const sip::Inbound& inbound, const sip::Endpoint& from);
  void count(sip::DropReason reason) { ++stats_.drops[static_cast<size_t>(reason)]; }
  void connectionClosed(const Connection& connection, bool report);

  asio::io_context& io_;
  SipTransportConfig config_;
  SipTransportEvents events_;
  SipTransportStats stats_;
  sip::InboundLimits streamLimits_;
  ssl::context serverTls_;
  ssl::context clientTls_;
  bool started_ = false;
  bool stopped_ = false;
  std::vector<std::shared_ptr<UdpListener>> udp_;
  std::vector<std::shared_ptr<StreamListener>> acceptors_;
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> connections_;
  std::map<std::string, uint64_t> byRemote_;  // the connection send() uses toward an endpoint
  uint64_t nextConnectionId_ = 1;

 private:
  core::Result<void> configureTls();
  core::Result<void> openUdp(const SipListen& listen);
  core::Result<void> openStream(const SipListen& listen, bool tls);
  void receiveDatagram(const std::shared_ptr<UdpListener>& listener);
  void onDatagram(const std::shared_ptr<UdpListener>& listener, size_t size);
  void accept(const std::shared_ptr<StreamListener>& listener);
  void onAccepted(const std::shared_ptr<StreamListener>& listener, asio::ip::tcp::socket socket);
  bool sendUdp(const sip::Endpoint& to, std::string_view bytes);
  bool sendStream(const sip::Endpoint& to, std::string_view bytes);
  std::shared_ptr<Connection> addConnection(asio::ip::tcp::socket socket, const sip::Endpoint& remote,
                                            bool outbound);
};

// One TCP or TLS connection: reads framed messages, writes a queue of messages. Its asynchronous operations
// hold a shared_ptr to it (so the socket and buffers outlive them) and a weak_ptr to the transport.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  enum class State : uint8_t { kConnecting, kHandshaking, kOpen, kClosing, kClosed };

  Connection(const std::shared_ptr<SipTransportImpl>& owner, asio::ip::tcp::socket socket, uint64_t id,
             sip::Endpoint remote, bool outbound)
      : owner_(owner),
        config_(owner->config_),
        id_(id),
        remote_(std::move(remote)),
        outbound_(outbound),
        timer_(owner->io_) {
    if (remote_.protocol == sip::TransportProtocol::kTls) {
      tls_.emplace(std::move(socket), outbound ? owner->clientTls_ : owner->serverTls_);
    } else {
      plain_.emplace(std::move(socket));
    }
  }

  uint64_t id() const { return id_; }
  const sip::Endpoint& remote() const { return remote_; }
  bool closed() const { return state_ == State::kClosed || state_ == State::kClosing; }

  // Outbound: connect (and handshake), then write what was queued meanwhile.
  void connect(const asio::ip::tcp::endpoint& to) {
    state_ = State::kConnecting;
    armTimer(config_.connectTimeout);
    lowest().async_connect(to, [self = shared_from_this()](const error_code& ec) {
      if (self->state_ != State::kConnecting) return;
      if (ec) {
        log().debug("connect to {} failed: {}", self->remote_.toString(), ec.message());
        self->close(true);
        return;
      }
      self->lowest().set_option(asio::ip::tcp::no_delay(true), self->ignored_);
      self->handshakeOrOpen();
    });
  }

  // Inbound: handshake (TLS), then read.
  void startAccepted() { handshakeOrOpen(); }

  // Queues one message (or a pong). False when the queue limit would be exceeded.
  bool enqueue(std::string_view bytes) {
    if (closed()) return false;
    if (queuedBytes_ + bytes.size() > config_.maxSendQueueBytes) return false;
    queue_.emplace_back(bytes);
    queuedBytes_ += bytes.size();
    if (state_ == State::kOpen && !writing_) writeNext();
    return true;
  }

  // Marks the connection closed, cancels its operations and tells the transport, which forgets it on a
  // later turn of the loop (never inside one of the connection's own handlers). `report`: the peer is told
  // about through onTransportFailure.
  void close(bool report) {
    if (state_ == State::kClosed) return;
    // An inbound connection that never opened (failed TLS handshake) carried nothing anyone waits for.
    if (!outbound_ && !opened_) report = false;
    state_ = State::kClosed;
    timer_.cancel();
    lowest().close(ignored_);
    queue_.clear();
    queuedBytes_ = 0;
    if (auto owner = owner_.lock()) owner->connectionClosed(*this, report);
  }

  // Sends what is queued (an error response), then closes: RFC 3261 §18.3 after a framing error.
  void closeAfterFlush() {
    if (closed()) return;
    if (queue_.empty() || state_ != State::kOpen) {
      close(true);
      return;
    }
    state_ = State::kClosing;
    armTimer(config_.connectTimeout);
  }

 private:
  asio::ip::tcp::socket& lowest() { return tls_ ? tls_->next_layer() : *plain_; }

  void handshakeOrOpen() {
    if (!tls_) {
      open();
      return;
    }
    state_ = State::kHandshaking;
    if (!outbound_) armTimer(config_.connectTimeout);
    if (outbound_ && config_.tlsVerifyPeer) {
      // The certificate must name the address connected to (an IP address subjectAltName).
      X509_VERIFY_PARAM* param = SSL_get0_param(tls_->native_handle());
      X509_VERIFY_PARAM_set_hostflags(param, 0);
      if (X509_VERIFY_PARAM_set1_ip_asc(param, remote_.address.c_str()) != 1) {
        close(true);
        return;
      }
    }
    const auto role = outbound_ ? ssl::stream_base::client : ssl::stream_base::server;
    tls_->async_handshake(role, [self = shared_from_this()](const error_code& ec) {
      if (self->state_ != State::kHandshaking) return;
      if (ec) {
        log().debug("TLS handshake with {} failed: {}", self->remote_.toString(), ec.message());
        self->close(true);
        return;
      }
      self->open();
    });
  }

  void open() {
    state_ = State::kOpen;
    opened_ = true;
    lastActivity_ = Clock::now();
    armTimer(config_.idleTimeout);
    read();
    if (!queue_.empty() && !writing_) writeNext();
  }

  void armTimer(std::chrono::milliseconds after) {
    timer_.expires_after(after);
    timer_.async_wait([self = shared_from_this()](const error_code& ec) {
      if (ec) return;
      self->onTimer();
    });
  }

  void onTimer() {
    switch (state_) {
      case State::kConnecting:
      case State::kHandshaking:
        log().debug("connection to {} timed out before it opened", remote_.toString());
        close(true);
        return;
      case State::kClosing:
        close(true);
        return;
      case State::kOpen: {
        const auto idle = Clock::now() - lastActivity_;
        if (idle >= config_.idleTimeout) {
          log().debug("closing idle connection {}", remote_.toString());
          close(false);
          return;
        }
        armTimer(std::chrono::duration_cast<std::chrono::milliseconds>(config_.idleTimeout - idle) +
                 std::chrono::milliseconds(1));
        return;
      }
      case State::kClosed:
        return;
    }
  }

  void read() {
    auto handler = [self = shared_from_this()](const error_code& ec, size_t n) { self->onRead(ec, n); };
    if (tls_) {
      tls_->async_read_some(asio::buffer(chunk_), handler);
    } else {
      plain_->async_read_some(asio::buffer(chunk_), handler);
    }
  }

  void onRead(const error_code& ec, size_t n) {
    if (state_ != State::kOpen) return;
    auto owner = owner_.lock();
    if (!owner || owner->stopped_) return;
    if (ec) {
      if (ec != asio::error::eof) log().debug("connection {} lost: {}", remote_.toString(), ec.message());
      close(true);
      return;
    }
    lastActivity_ = Clock::now();
    buffer_.append(chunk_.data(), n);
    if (!processBuffer(*owner)) return;
    if (buffer_.size() > config_.maxConnectionBufferBytes) {
      // A peer that sends more than any message the limits allow without completing one.
      log().debug("connection {} exceeds the buffer limit of {} bytes", remote_.toString(),
                  config_.maxConnectionBufferBytes);
      owner->count(sip::DropReason::kOversize);
      close(true);
      return;
    }
    read();
  }

  // Cuts and handles every complete message in the buffer. False when the connection closed (or is closing)
  // meanwhile.
  bool processBuffer(SipTransportImpl& owner) {
    size_t used = 0;
    bool open = true;
    while (used < buffer_.size()) {
      const std::string_view rest = std::string_view(buffer_).substr(used);
      if (rest.substr(0, kPing.size()) == kPing) {
        // RFC 5626 §3.5.1: answer each CRLFCRLF ping with a CRLF pong.
        used += kPing.size();
        ++owner.stats_.keepAlivePings;
        enqueue(kPong);
        continue;
      }
      if (rest.front() == '\r' || rest.front() == '\n') {
        // A ping may still be arriving; otherwise CRLFs before a start line are skipped (RFC 3261 §7.5) and a
        // lone CRLF is a pong.
        if (rest.size() < kPing.size() && rest.find_first_not_of("\r\n") == std::string_view::npos) break;
        ++used;
        continue;
      }
      const sip::FrameResult frame = sip::frameMessage(rest, config_.framer);
      if (frame.status == sip::FrameStatus::kNeedMore) {
        used += frame.skip;
        break;
      }
      if (frame.status == sip::FrameStatus::kInvalid) {
        const sip::Inbound inbound = sip::processUnframeable(rest, frame.error, remote_, owner.streamLimits_);
        log().debug("framing error on {}: {}", remote_.toString(), frame.error);
        if (inbound.action == sip::Inbound::Action::kRespond && enqueue(inbound.response)) {
          ++owner.stats_.errorResponsesSent;
        }
        owner.count(inbound.dropReason);
        closeAfterFlush();
        open = false;
        break;
      }
      const std::string_view message = rest.substr(frame.skip, frame.length);
      used += frame.skip + frame.length;
      const sip::Inbound inbound =
          sip::processInbound(message, remote_, sip::Framing::kStream, owner.streamLimits_);
      owner.deliver(inbound, remote_);
      // The callback may have stopped the transport or closed this connection.
      if (closed() || owner.stopped_) {
        open = false;
        break;
      }
    }
    if (!open) return false;
    buffer_.erase(0, used);
    return true;
  }

  void writeNext() {
    writing_ = true;
    auto handler = [self = shared_from_this()](const error_code& ec, size_t) { self->onWritten(ec); };
    const auto buffer = asio::buffer(queue_.front());
    if (tls_) {
      asio::async_write(*tls_, buffer, handler);
    } else {
      asio::async_write(*plain_, buffer, handler);
    }
  }

  void onWritten(const error_code& ec) {
    writing_ = false;
    if (state_ != State::kOpen && state_ != State::kClosing) return;
    if (ec) {
      log().debug("write to {} failed: {}", remote_.toString(), ec.message());
      close(true);
      return;
    }
    lastActivity_ = Clock::now();
    queuedBytes_ -= queue_.front().size();
    queue_.pop_front();
    if (!queue_.empty()) {
      writeNext();
    } else if (state_ == State::kClosing) {
      close(true);
    }
  }

  std::weak_ptr<SipTransportImpl> owner_;
  const ConnectionSettings config_;
  uint64_t id_;
  sip::Endpoint remote_;
  bool outbound_;
  State state_ = State::kConnecting;  // accepted ones open (or start their handshake) at once
  std::optional<asio::ip::tcp::socket> plain_;
  std::optional<ssl::stream<asio::ip::tcp::socket>> tls_;
  asio::steady_timer timer_;
  Clock::time_point lastActivity_ = Clock::now();
  std::array<char, kReadChunkBytes> chunk_{};
  std::string buffer_;
  std::deque<std::string> queue_;
  size_t queuedBytes_ = 0;
  bool writing_ = false;
  bool opened_ = false;
  error_code ignored_;
};

core::Result<void> SipTransportImpl::configureTls() {
  error_code ec;
  for (ssl::context* context : {&serverTls_, &clientTls_}) {
    // RFC 8996: TLS 1.0 and 1.1 are not used.
    SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3,
                         ec);
  }
  if (!config_.tls.empty()) {
    if (config_.tlsCertificateFile.empty() || config_.tlsPrivateKeyFile.empty()) {
      return core::makeError("TLS listeners need a certificate file and a private key file");
    }
    if (serverTls_.use_certificate_chain_file(config_.tlsCertificateFile, ec); ec) {
      return core::makeError("TLS certificate file '" + config_.tlsCertificateFile + "': " + ec.message());
    }
    if (serverTls_.use_private_key_file(config_.tlsPrivateKeyFile, ssl::context::pem, ec); ec) {
      return core::makeError("TLS private key file '" + config_.tlsPrivateKeyFile + "': " + ec.message());
    }
  }
  clientTls_.set_verify_mode(config_.tlsVerifyPeer ? ssl::verify_peer : ssl::verify_none, ec);
  if (!config_.tlsCaFile.empty()) {
    if (clientTls_.load_verify_file(config_.tlsCaFile, ec); ec) {
      return core::makeError("TLS CA file '" + config_.tlsCaFile + "': " + ec.message());
    }
  } else if (clientTls_.set_default_verify_paths(ec); ec) {
    return core::makeError("TLS: cannot load the system's trust anchors: " + ec.message());
  }
  return {};
}

core::Result<void> SipTransportImpl::openUdp(const SipListen& listen) {
  error_code ec;
  const auto address = asio::ip::make_address(listen.address, ec);
  if (ec) return core::makeError("UDP listen address '" + listen.address + "' is not a numeric IP address");
  const asio::ip::udp::endpoint endpoint(address, listen.port);
  auto listener = std::make_shared<UdpListener>(io_);
  auto& socket = listener->socket;
  const std::string what =
      "UDP listen " +
      sip::Endpoint{sip::TransportProtocol::kUdp, listen.address, listen.port}.toString().substr(4);
  if (socket.open(endpoint.protocol(), ec); ec) return core::makeError(what + ": " + ec.message());
  if (address.is_v6()) socket.set_option(asio::ip::v6_only(true), ec);
  if (socket.bind(endpoint, ec); ec) return core::makeError(what + ": " + ec.message());
  // send() never blocks the loop: a full socket buffer fails the send instead.
  socket.non_blocking(true, ec);
  const auto local = socket.local_endpoint(ec);
  if (ec) return core::makeError(what + ": " + ec.message());
  listener->local = toEndpoint(sip::TransportProtocol::kUdp, local.address(), local.port());
  listener->v6 = address.is_v6();
  udp_.push_back(listener);
  receiveDatagram(listener);
  return {};
}

core::Result<void> SipTransportImpl::openStream(const SipListen& listen, bool tls) {
  const auto protocol = tls ? sip::TransportProtocol::kTls : sip::TransportProtocol::kTcp;
  error_code ec;
  const auto address = asio::ip::make_address(listen.address, ec);
  if (ec) {
    return core::makeError(protocolLabel(protocol) + " listen address '" + listen.address +
                           "' is not a numeric IP address");
  }
  const asio::ip::tcp::endpoint endpoint(address, listen.port);
  auto listener = std::make_shared<StreamListener>(io_, tls);
  auto& acceptor = listener->acceptor;
  const std::string what = protocolLabel(protocol) + " listen " +
                           sip::Endpoint{protocol, listen.address, listen.port}.toString().substr(4);
  if (acceptor.open(endpoint.protocol(), ec); ec) return core::makeError(what + ": " + ec.message());
  if (address.is_v6()) acceptor.set_option(asio::ip::v6_only(true), ec);
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (acceptor.bind(endpoint, ec); ec) return core::makeError(what + ": " + ec.message());
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
    return core::makeError(what + ": " + ec.message());
  }
  const auto local = acceptor.local_endpoint(ec);
  if (ec) return core::makeError(what + ": " + ec.message());
  listener->local = toEndpoint(protocol, local.address(), local.port());
  acceptors_.push_back(listener);
  accept(listener);
  return {};
}

core::Result<void> SipTransportImpl::start() {
  if (started_) return core::makeError("the SIP transport is already started");
  started_ = true;
  if (auto ok = configureTls(); !ok) return ok;
  for (const auto& listen : config_.udp) {
    if (auto ok = openUdp(listen); !ok) {
      stop();
      return ok;
    }
  }
  for (const auto& listen : config_.tcp) {
    if (auto ok = openStream(listen, false); !ok) {
      stop();
      return ok;
    }
  }
  for (const auto& listen : config_.tls) {
    if (auto ok = openStream(listen, true); !ok) {
      stop();
      return ok;
    }
  }
  // Streams carry messages up to the framer's limits; InboundLimits::maxMessageBytes still answers 513.
  streamLimits_.parse.maxMessageBytes = std::max(
      streamLimits_.parse.maxMessageBytes, config_.framer.maxHeaderBytes + config_.framer.maxBodyBytes + 4);
  return {};
}

void SipTransportImpl::stop() {
  if (stopped_) return;
  stopped_ = true;
  error_code ec;
  for (auto& listener : udp_) listener->socket.close(ec);
  for (auto& listener : acceptors_) listener->acceptor.close(ec);
  // close() reports to connectionClosed(), which must not touch the map being walked: take it first.
  auto connections = std::move(connections_);
  connections_.clear();
  byRemote_.clear();
  for (auto& [id, connection] : connections) connection->close(false);
}

void SipTransportImpl::receiveDatagram(const std::shared_ptr<UdpListener>& listener) {
  listener->socket.async_receive_from(asio::buffer(listener->buffer), listener->sender,
                                      [weak = weak_from_this(), listener](const error_code& ec, size_t n) {
                                        auto self = weak.lock();
                                        if (!self || self->stopped_ || ec == asio::error::operation_aborted)
                                          return;
                                        // Other errors (ICMP port unreachable reported on the socket, ...)
                                        // concern one datagram: go on.
                                        if (!ec) self->onDatagram(listener, n);
                                        if (!self->stopped_) self->receiveDatagram(listener);
                                      });
}

void SipTransportImpl::onDatagram(const std::shared_ptr<UdpListener>& listener, size_t size) {
  const std::string_view bytes(listener->buffer.data(), size);
  // CRLF keep-alives over UDP carry nothing to answer.
  if (bytes.find_first_not_of("\r\n") == std::string_view::npos) return;
  const sip::Endpoint from =
      toEndpoint(sip::TransportProtocol::kUdp, listener->sender.address(), listener->sender.port());
  const sip::Inbound inbound = sip::processInbound(bytes, from, sip::Framing::kDatagram, config_.inbound);
  deliver(inbound, from);
}

void SipTransportImpl::deliver(const sip::Inbound& inbound, const sip::Endpoint& from) {
  switch (inbound.action) {
    case sip::Inbound::Action::kDeliver:
      ++stats_.messagesReceived;
      if (events_.onMessage) events_.onMessage(inbound.message, from);
      return;
    case sip::Inbound::Action::kRespond:
      count(inbound.dropReason);
      log().debug("{} from {} answered {}: {}", sip::dropReasonName(inbound.dropReason), from.toString(),
                  inbound.statusCode, inbound.error);
      if (send(inbound.respondTo, inbound.response)) ++stats_.errorResponsesSent;
      return;
    case sip::Inbound::Action::kDrop:
      count(inbound.dropReason);
      log().debug("dropped a message from {} ({}): {}", from.toString(),
                  sip::dropReasonName(inbound.dropReason), inbound.error);
      return;
  }
}

void SipTransportImpl::accept(const std::shared_ptr<StreamListener>& listener) {
  listener->acceptor.async_accept(
      [weak = weak_from_this(), listener](const error_code& ec, asio::ip::tcp::socket socket) {
        auto self = weak.lock();
        if (!self || self->stopped_ || ec == asio::error::operation_aborted) return;
        if (!ec) self->onAccepted(listener, std::move(socket));
        // Errors such as EMFILE concern one connection: keep accepting.
        if (!self->stopped_) self->accept(listener);
      });
}

void SipTransportImpl::onAccepted(const std::shared_ptr<StreamListener>& listener,
                                  asio::ip::tcp::socket socket) {
  error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return;
  if (connections_.size() >= config_.maxConnections) {
    count(sip::DropReason::kConnectionLimit);
    socket.close(ec);
    return;
  }
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  const auto protocol = listener->tls ? sip::TransportProtocol::kTls : sip::TransportProtocol::kTcp;
  ++stats_.connectionsAccepted;
  auto connection =
      addConnection(std::move(socket), toEndpoint(protocol, peer.address(), peer.port()), false);
  connection->startAccepted();
}

std::shared_ptr<Connection> SipTransportImpl::addConnection(asio::ip::tcp::socket socket,
                                                            const sip::Endpoint& remote, bool outbound) {
  const uint64_t id = nextConnectionId_++;
  auto connection = std::make_shared<Connection>(shared_from_this(), std::move(socket), id, remote, outbound);
  connections_.emplace(id, connection);
  byRemote_[keyOf(remote)] = id;
  return connection;
}

void SipTransportImpl::connectionClosed(const Connection& connection, bool report) {
  const auto key = keyOf(connection.remote());
  if (auto it = byRemote_.find(key); it != byRemote_.end() && it->second == connection.id())
    byRemote_.erase(it);
  // The connection is inside one of its own handlers (or stop()): it is released on a later turn.
  asio::post(io_, [weak = weak_from_this(), id = connection.id(), peer = connection.remote(), report] {
    auto self = weak.lock();
    if (!self) return;
    self->connections_.erase(id);
    if (report && !self->stopped_ && self->events_.onTransportFailure) self->events_.onTransportFailure(peer);
  });
}

bool SipTransportImpl::send(const sip::Endpoint& to, std::string_view bytes) {
  if (stopped_ || !started_) return false;
  const bool sent = to.protocol == sip::TransportProtocol::kUdp ? sendUdp(to, bytes) : sendStream(to, bytes);
  if (sent) {
    ++stats_.messagesSent;
  } else {
    count(sip::DropReason::kSendFailed);
  }
  return sent;
}

bool SipTransportImpl::sendUdp(const sip::Endpoint& to, std::string_view bytes) {
  error_code ec;
  const auto address = asio::ip::make_address(to.address, ec);
  if (ec) return false;
  for (auto& listener : udp_) {
    if (listener->v6 != address.is_v6()) continue;
    // From the listening socket: the source port is the listening port (symmetric, RFC 3581 §4).
    const size_t n = listener->socket.send_to(asio::buffer(bytes.data(), bytes.size()),
                                              asio::ip::udp::endpoint(address, to.port), 0, ec);
    if (ec || n != bytes.size()) {
      log().debug("UDP send to {} failed: {}", to.toString(), ec.message());
      return false;
    }
    return true;
  }
  log().debug("no UDP listener of the family of {}", to.toString());
  return false;
}

bool SipTransportImpl::sendStream(const sip::Endpoint& to, std::string_view bytes) {
  if (auto it = byRemote_.find(keyOf(to)); it != byRemote_.end()) {
    auto connection = connections_.find(it->second);
    if (connection != connections_.end() && !connection->second->closed()) {
      return connection->second->enqueue(bytes);
    }
  }
  error_code ec;
  const auto address = asio::ip::make_address(to.address, ec);
  if (ec) return false;
  if (connections_.size() >= config_.maxConnections) {
    count(sip::DropReason::kConnectionLimit);
    return false;
  }
  asio::ip::tcp::socket socket(io_);
  if (socket.open(address.is_v6() ? asio::ip::tcp::v6() : asio::ip::tcp::v4(), ec); ec) return false;
  ++stats_.connectionsOpened;
  auto connection = addConnection(std::move(socket), to, true);
  // Queued before the connect completes; written once it is open.
  if (!connection->enqueue(bytes)) {
    connection->close(false);
    return false;
  }
  connection->connect(asio::ip::tcp::endpoint(address, to.port));
  return true;
}

SipTransport::SipTransport(asio::io_context& io, SipTransportConfig config)
    : impl_(std::make_shared<SipTransportImpl>(io, std::move(config))) {}

SipTransport::~SipTransport() {
  impl_->stop();
}

void SipTransport::setEvents(SipTransportEvents events) {
  impl_->events_ = std::move(events);
}

core::Result<void> SipTransport::start() {
  return impl_->start();
}

void SipTransport::stop() {
  impl_->stop();
}

bool SipTransport::send(const sip::Endpoint& to, std::string_view bytes) {
  return impl_->send(to, bytes);
}

std::vector<sip::Endpoint> SipTransport::localEndpoints() const {
  std::vector<sip::Endpoint> out;
  for (const auto& listener : impl_->udp_) out.push_back(listener->local);
  for (const auto& listener : impl_->acceptors_) {
    if (!listener->tls) out.push_back(listener->local);
  }
  for (const auto& listener : impl_->acceptors_) {
    if (listener->tls) out.push_back(listener->local);
  }
  return out;
}

uint16_t SipTransport::localPort(sip::TransportProtocol protocol, size_t index) const {
  for (const auto& endpoint : localEndpoints()) {
    if (endpoint.protocol != protocol) continue;
    if (index == 0) return endpoint.port;
    --index;
  }
  return 0;
}

size_t SipTransport::connectionCount() const {
  size_t n = 0;
  for (const auto& [id, connection] : impl_->connections_) n += connection->closed() ? 0 : 1;
  return n;
}

const SipTransportStats& SipTransport::stats() const {
  return impl_->stats_;
}

}  // namespace callgate::net
