#include "net/ws_server.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <spdlog/logger.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cstring>
#include <deque>
#include <exception>
#include <optional>
#include <type_traits>
#include <unordered_map>

#include "core/logging.hpp"
#include "core/text.hpp"

namespace callgate::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = boost::asio::ssl;
namespace websocket = beast::websocket;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

constexpr char kServerName[] = "callgate";
// Browsers send cookies with the upgrade; 16 KiB is far above any real request line plus headers.
constexpr uint32_t kMaxHttpHeaderBytes = 16384;
// RFC 6455 §5.5: a control frame carries at most 125 bytes; the close code takes 2 of them (§5.5.1).
constexpr size_t kMaxCloseReasonBytes = 123;
// RFC 9112 §9.6: a connection we close after an HTTP answer (and a refused one after its 503) is half-closed,
// then read and dropped for this long, so that closing it does not turn into a reset (the kernel's answer to
// unread bytes) that destroys the answer before the client has read it.
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr size_t kLingerBytes = 512;
// Refused connections lingering at once; beyond, a refusal is a bare close.
constexpr size_t kMaxRefusalsInFlight = 64;
constexpr std::string_view kRefusal =
    "HTTP/1.1 503 Service Unavailable\r\nServer: callgate\r\nContent-Type: text/plain\r\n"
    "Content-Length: 20\r\nConnection: close\r\n\r\ntoo many connections";

spdlog::logger& log() {
  return core::logger(core::LogModule::kNet);
}

std::string_view toStd(beast::string_view s) {
  return std::string_view(s.data(), s.size());
}

// Ids are unique in the process, not only in one server: logs and registries never see one twice.
WsConnectionId nextConnectionId() {
  static std::atomic<WsConnectionId> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

std::string endpointText(const asio::ip::address& address, uint16_t port) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string() + ":" +
           std::to_string(port);
  }
  if (address.is_v6()) return "[" + address.to_string() + "]:" + std::to_string(port);
  return address.to_string() + ":" + std::to_string(port);
}

std::string peerAddress(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

// RFC 6455 §7.4.1 and §7.4.2: codes a close frame may carry; Beast (and so our peers) refuses the others.
uint16_t wireCloseCode(uint16_t code) {
  const bool allowed =
      (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1013) || (code >= 3000 && code <= 4999);
  return allowed ? code : uint16_t{1000};
}

// RFC 6455 §5.5.1: the reason is UTF-8 and must stay so when cut: never split a multi-byte sequence.
std::string cutCloseReason(std::string reason) {
  if (reason.size() <= kMaxCloseReasonBytes) return reason;
  size_t n = kMaxCloseReasonBytes;
  // reason[n] is the first byte cut off; while it is a continuation byte (10xxxxxx) its sequence started
  // before n and is cut whole.
  while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) --n;
  reason.resize(n);
  return reason;
}

bool splitsResponse(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// The first (root) cause in OpenSSL's error queue, which is left empty: "No such file or directory",
// "PEM routines: no start line". (Asio 1.74 reports OpenSSL 3 system errors only as "asio.ssl error".)
std::string opensslReason() {
  const unsigned long first = ERR_get_error();
  ERR_clear_error();
  if (first == 0) return "unknown OpenSSL error";
  if (ERR_SYSTEM_ERROR(first)) return std::strerror(static_cast<int>(ERR_GET_REASON(first)));
  const char* library = ERR_lib_error_string(first);
  const char* reason = ERR_reason_error_string(first);
  std::string text = library ? std::string(library) + ": " : std::string();
  return text + (reason ? reason : "error " + std::to_string(first));
}

bool isHttpError(const error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

// How a connection ended, for onClose.
struct CloseInfo {
  uint16_t code = 1006;
  std::string reason;
};

// What a connection needs of the configuration, copied: it may outlive the server by a few handlers while
// its closing handshake finishes.
struct ConnectionSettings {
  size_t maxFrameBytes;
  size_t maxQueuedBytes;
  Clock::duration handshakeTimeout;
};

// The part of a connection the server sees, whatever its stream type.
class WsConnection {
 public:
  virtual ~WsConnection() = default;
  virtual void start() = 0;
  virtual bool send(std::string text) = 0;
  virtual void close(uint16_t code, std::string reason) = 0;
  // The server stops: an open connection starts its closing handshake (1001) in the background and never
  // reports again; the close it owes the owner is returned, once. Any other connection is dropped.
  virtual std::optional<CloseInfo> stopByServer() = 0;
};

struct Listener {
  Listener(asio::io_context& io, bool isTls) : acceptor(io), tls(isTls) {}
  asio::ip::tcp::acceptor acceptor;
  bool tls = false;
  uint16_t port = 0;
};

}  // namespace

std::string_view HttpRequestView::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (core::iequals(key, name)) return value;
  }
  return {};
}

class WsServerImpl : public std::enable_shared_from_this<WsServerImpl> {
 public:
  WsServerImpl(asio::io_context& io, WsServerConfig config, WsServerEvents events)
      : io_(io),
        config_(std::move(config)),
        events_(std::move(events)),
        settings_{config_.maxFrameBytes, config_.maxQueuedBytes,
                  std::chrono::duration_cast<Clock::duration>(config_.handshakeTimeout)} {}

  core::Result<void> start();
  void stop(bool report);
  bool send(WsConnectionId id, std::string text);
  void close(WsConnectionId id, uint16_t code, std::string reason);

  // Called by connections.
  void count(uint64_t WsServerStats::*field) { ++(stats_.*field); }
  void opened(WsConnectionId id, const WsPeer& peer);
  void delivered(WsConnectionId id, std::string_view text, bool binary);
  void finished(WsConnectionId id, std::optional<CloseInfo> report);
  void refusalDone() { --refusalsInFlight_; }

  asio::io_context& io_;
  const WsServerConfig config_;
  const WsServerEvents events_;
  const ConnectionSettings settings_;
  WsServerStats stats_;
  // Shared with the TLS connections: one still closing after the server is gone keeps its context.
  std::shared_ptr<ssl::context> tls_;
  std::vector<std::shared_ptr<Listener>> listeners_;  // in configuration order
  std::unordered_map<WsConnectionId, std::shared_ptr<WsConnection>> connections_;
  size_t live_ = 0;  // connections not finished yet (a finished one leaves the map a turn later)
  size_t refusalsInFlight_ = 0;
  bool started_ = false;
  bool stopped_ = false;

 private:
  core::Result<void> configureTls();
  core::Result<void> openListener(const WsListen& listen);
  void closeListeners();
  void accept(const std::shared_ptr<Listener>& listener);
  void onAccepted(const std::shared_ptr<Listener>& listener, asio::ip::tcp::socket socket);
  void refuse(const Listener& listener, asio::ip::tcp::socket socket);
};

namespace {

// One TCP connection on a ws (NextLayer = tcp_stream) or wss (ssl_stream) listener, through its phases:
//
//   kHandshaking: TLS handshake, then HTTP requests (answered by onHttp, kept alive) until an upgrade
//   kUpgrading:   Beast checks the upgrade and writes 101 (or 400/426)
//   kOpen:        messages both ways; send() queues, one write at a time (Beast allows one)
//   kClosing:     close() was called: the queue drains, then our close frame, then Beast waits for the peer's
//   kClosed:      the socket is closed; late handlers return at once
//
// Its asynchronous operations hold a shared_ptr to it; the server holds one in its map until a turn after
// the connection finished, and the connection holds a weak_ptr to the server.
template <class NextLayer>
class Connection final : public WsConnection, public std::enable_shared_from_this<Connection<NextLayer>> {
  static constexpr bool kTls = !std::is_same_v<NextLayer, beast::tcp_stream>;

 public:
  enum class State : uint8_t { kHandshaking, kUpgrading, kOpen, kClosing, kClosed };

  Connection(const std::shared_ptr<WsServerImpl>& owner, WsConnectionId id, asio::ip::tcp::socket socket,
             std::string address, uint16_t port) requires(!kTls)
      : owner_(owner),
        settings_(owner->settings_),
        id_(id),
        address_(std::move(address)),
        port_(port),
        ws_(std::move(socket)),
        closeTimer_(owner->io_) {}

  Connection(const std::shared_ptr<WsServerImpl>& owner, WsConnectionId id, asio::ip::tcp::socket socket,
             std::string address, uint16_t port) requires(kTls)
      : owner_(owner),
        settings_(owner->settings_),
        id_(id),
        address_(std::move(address)),
        port_(port),
        tls_(owner->tls_),
        ws_(std::move(socket), *tls_),
        closeTimer_(owner->io_) {}

  void start() override {
    handshakeDeadline_ = Clock::now() + settings_.handshakeTimeout;
    // One deadline for the TLS handshake and the whole HTTP request: a peer that trickles bytes does not
    // hold a connection longer than that.
    beast::get_lowest_layer(ws_).expires_at(handshakeDeadline_);
    if constexpr (kTls) {
      ws_.next_layer().async_handshake(
          ssl::stream_base::server,
          [self = this->shared_from_this()](const error_code& ec) { self->onTlsHandshake(ec); });
    } else {
      readRequest();
    }
  }

  bool send(std::string text) override {
    if (state_ != State::kOpen) return false;
    if (queuedBytes_ + text.size() > settings_.maxQueuedBytes) {
      count(&WsServerStats::slowConsumers);
      log().debug("ws {} {}:{}: {} bytes queued and not written, closing", id_, address_, port_,
                  queuedBytes_);
      closeNow(1008, "send queue over " + std::to_string(settings_.maxQueuedBytes) + " bytes");
      return false;
    }
    queuedBytes_ += text.size();
    queue_.push_back(std::move(text));
    if (!writing_) writeNext();
    return true;
  }

  void close(uint16_t code, std::string reason) override {
    if (state_ != State::kOpen) return;
    beginClose(wireCloseCode(code), cutCloseReason(std::move(reason)));
  }

  std::optional<CloseInfo> stopByServer() override {
    switch (state_) {
      case State::kClosed:
        return std::nullopt;
      case State::kHandshaking:
      case State::kUpgrading:
        detached_ = true;
        finish(CloseInfo{});
        return std::nullopt;
      case State::kOpen:
        closeNow(1001, "server stopping");  // RFC 6455 §7.4.1: going away
        [[fallthrough]];
      case State::kClosing:
        break;
    }
    detached_ = true;
    if (reported_ || !opened_) return std::nullopt;
    reported_ = true;
    return CloseInfo{closeCode_, closeReason_};
  }

 private:
  void count(uint64_t WsServerStats::*field) {
    if (auto owner = owner_.lock()) owner->count(field);
  }

  void onTlsHandshake(const error_code& ec) {
    if (state_ != State::kHandshaking) return;
    if (ec) {
      count(&WsServerStats::handshakeFailures);
      log().debug("wss {}:{}: TLS handshake failed: {}", address_, port_, ec.message());
      finish(CloseInfo{});
      return;
    }
    readRequest();
  }

  void readRequest() {
    parser_.emplace();
    parser_->header_limit(kMaxHttpHeaderBytes);
    parser_->body_limit(settings_.maxFrameBytes);
    // A kept-alive connection gets the same bound for each further request.
    if (requestsServed_ > 0) beast::get_lowest_layer(ws_).expires_after(settings_.handshakeTimeout);
    http::async_read(
        ws_.next_layer(), buffer_, *parser_,
        [self = this->shared_from_this()](const error_code& ec, size_t) { self->onRequest(ec); });
  }

  void onRequest(const error_code& ec) {
    if (state_ != State::kHandshaking) return;
    if (ec) {
      onRequestError(ec);
      return;
    }
    if (websocket::is_upgrade(parser_->get())) {
      upgrade();
    } else {
      answerHttp();
    }
  }

  void onRequestError(const error_code& ec) {
    // A clean close between requests, or a peer that went away mid-request: nothing to answer.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) {
      finish(CloseInfo{});
      return;
    }
    if (ec == http::error::body_limit) {
      answerError(http::status::payload_too_large,
                  "body over " + std::to_string(settings_.maxFrameBytes) + " bytes");
      return;
    }
    if (ec == http::error::header_limit) {
      answerError(http::status::request_header_fields_too_large,
                  "header over " + std::to_string(kMaxHttpHeaderBytes) + " bytes");
      return;
    }
    if (isHttpError(ec)) {
      answerError(http::status::bad_request, "bad HTTP request: " + ec.message());
      return;
    }
    // Timeout, reset, TLS error: before the first request it is a failed handshake; on a kept-alive
    // connection it is the end of an idle one.
    if (requestsServed_ == 0) {
      count(&WsServerStats::handshakeFailures);
      log().debug("ws {}:{}: no HTTP request: {}", address_, port_, ec.message());
    }
    finish(CloseInfo{});
  }

  void answerHttp() {
    const auto& request = parser_->get();
    HttpRequestView view;
    view.method = toStd(request.method_string());
    view.target = toStd(request.target());
    view.body = request.body();
    for (const auto& field : request)
      view.headers.emplace_back(toStd(field.name_string()), toStd(field.value()));
    view.remoteAddress = address_;
    view.remotePort = port_;
    view.tls = kTls;

    HttpResponse response;
    response.body = "not found";
    if (auto owner = owner_.lock(); owner && !owner->stopped_) {
      owner->count(&WsServerStats::httpRequests);
      if (owner->events_.onHttp) {
        try {
          response = owner->events_.onHttp(view);
        } catch (const std::exception& e) {
          log().error("HTTP handler failed on {} {}: {}", view.method, view.target, e.what());
          response = HttpResponse{500, "text/plain", "internal error", {}};
        } catch (...) {
          log().error("HTTP handler failed on {} {}", view.method, view.target);
          response = HttpResponse{500, "text/plain", "internal error", {}};
        }
      }
    }
    // The handler may have stopped the server.
    if (state_ != State::kHandshaking) return;
    if (response.status < 100 || response.status > 599) {
      log().error("HTTP handler answered status {} to {} {}", response.status, view.method, view.target);
      response = HttpResponse{500, "text/plain", "internal error", {}};
    }
    writeResponse(std::move(response), request.keep_alive(), request.method() == http::verb::head);
  }

  void answerError(http::status status, std::string text) {
    count(&WsServerStats::badHttpRequests);
    log().debug("ws {}:{}: answered {}: {}", address_, port_, static_cast<unsigned>(status), text);
    writeResponse(HttpResponse{static_cast<int>(status), "text/plain", std::move(text), {}}, false, false);
  }

  void writeResponse(HttpResponse answer, bool keepAlive, bool head) {
    auto& response = response_.emplace(static_cast<http::status>(answer.status), 11);
    response.set(http::field::server, kServerName);
    response.set(http::field::content_type,
                 splitsResponse(answer.contentType) ? "text/plain" : answer.contentType);
    for (const auto& [name, value] : answer.headers) {
      if (name.empty() || splitsResponse(name) || splitsResponse(value)) continue;
      response.set(name, value);
    }
    response.keep_alive(keepAlive);
    if (head) {
      // RFC 9110 §9.3.2: the length a GET would have, no body.
      response.content_length(answer.body.size());
    } else {
      response.body() = std::move(answer.body);
      response.prepare_payload();
    }
    beast::get_lowest_layer(ws_).expires_after(settings_.handshakeTimeout);
    http::async_write(ws_.next_layer(), response,
                      [self = this->shared_from_this(), keepAlive](const error_code& ec, size_t) {
                        self->onResponseWritten(ec, keepAlive);
                      });
  }

  void onResponseWritten(const error_code& ec, bool keepAlive) {
    if (state_ != State::kHandshaking) return;
    response_.reset();
    ++requestsServed_;
    if (ec) {
      finish(CloseInfo{});
      return;
    }
    if (!keepAlive) {
      lingerThenFinish();
      return;
    }
    readRequest();
  }

  // RFC 9112 §9.6: half-close, then read until the client closes too or kLingerTime passes.
  void lingerThenFinish() {
    auto& tcp = beast::get_lowest_layer(ws_);
    error_code ignored;
    tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    tcp.expires_after(kLingerTime);
    drain();
  }

  void drain() {
    beast::get_lowest_layer(ws_).async_read_some(
        asio::buffer(sink_), [self = this->shared_from_this()](const error_code& ec, size_t) {
          if (self->state_ != State::kHandshaking) return;
          if (ec) {
            self->finish(CloseInfo{});  // the client's FIN, or kLingerTime
            return;
          }
          self->drain();
        });
  }

  void upgrade() {
    const auto& request = parser_->get();
    peer_ = WsPeer{address_, port_, kTls, std::string(toStd(request.target())),
                   std::string(toStd(request[http::field::user_agent]))};
    state_ = State::kUpgrading;
    // From here Beast's own timers run the stream; the TCP stream's would fight them.
    beast::get_lowest_layer(ws_).expires_never();
    const auto left = requestsServed_ == 0 ? handshakeDeadline_ - Clock::now() : settings_.handshakeTimeout;
    ws_.set_option(timeouts(std::max<Clock::duration>(left, std::chrono::milliseconds(1))));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(http::field::server, kServerName); }));
    // RFC 6455 §10.4: an endpoint limits the size of what it accepts; beyond it Beast closes with 1009.
    ws_.read_message_max(settings_.maxFrameBytes);
    ws_.async_accept(request,
                     [self = this->shared_from_this()](const error_code& ec) { self->onUpgraded(ec); });
  }

  // Beast's suggested server timeouts (pings after 150 s of silence, closed after 300 s), our handshake
  // bound for the opening and the closing handshake.
  static websocket::stream_base::timeout timeouts(Clock::duration handshake) {
    auto timeout = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeout.handshake_timeout = handshake;
    return timeout;
  }

  void onUpgraded(const error_code& ec) {
    if (state_ != State::kUpgrading) return;
    parser_.reset();
    if (ec) {
      // Beast answered the bad upgrade (400 or 426) before failing.
      count(&WsServerStats::handshakeFailures);
      log().debug("ws {}:{}: upgrade refused: {}", address_, port_, ec.message());
      finish(CloseInfo{});
      return;
    }
    ws_.set_option(timeouts(settings_.handshakeTimeout));
    ws_.text(true);
    // RFC 6455 §4.1: the client sends no frame before the 101; anything buffered is not ours to read.
    buffer_.consume(buffer_.size());
    state_ = State::kOpen;
    opened_ = true;
    auto owner = owner_.lock();
    if (!owner || owner->stopped_) {
      finish(CloseInfo{});
      return;
    }
    owner->opened(id_, peer_);
    // onOpen may have closed this connection or stopped the server.
    if (state_ == State::kOpen) readMessage();
  }

  void readMessage() {
    ws_.async_read(buffer_,
                   [self = this->shared_from_this()](const error_code& ec, size_t) { self->onMessage(ec); });
  }

  void onMessage(const error_code& ec) {
    if (state_ == State::kClosed) return;
    if (ec) {
      // Once our close frame is out, Beast ends this read and finishes the handshake in async_close.
      if (closeStarted_) return;
      finish(closeInfoFor(ec));
      return;
    }
    if (state_ == State::kOpen) {
      const auto data = buffer_.cdata();
      const std::string_view text(static_cast<const char*>(data.data()), data.size());
      if (auto owner = owner_.lock(); owner && !owner->stopped_) owner->delivered(id_, text, !ws_.got_text());
    }
    buffer_.consume(buffer_.size());
    // While our queue drains before the close frame, reading goes on: it answers pings and sees the
    // peer's close.
    if (state_ == State::kOpen || (state_ == State::kClosing && !closeStarted_)) readMessage();
  }

  CloseInfo closeInfoFor(const error_code& ec) {
    CloseInfo info;
    if (ec == websocket::error::closed) {
      // The peer's close frame; Beast has answered it (RFC 6455 §5.5.1).
      const auto& reason = ws_.reason();
      info.code = reason.code == websocket::close_code::none ? uint16_t{1005} : reason.code;
      info.reason.assign(reason.reason.data(), reason.reason.size());
    } else if (ec == websocket::error::message_too_big) {
      count(&WsServerStats::oversizeFrames);
      info = CloseInfo{1009, "message over " + std::to_string(settings_.maxFrameBytes) + " bytes"};
    } else if (ec == websocket::error::bad_frame_payload) {
      count(&WsServerStats::protocolErrors);
      info = CloseInfo{1007, ec.message()};  // RFC 6455 §8.1: text that is not UTF-8
    } else if (ec == websocket::condition::protocol_violation) {
      count(&WsServerStats::protocolErrors);
      info = CloseInfo{1002, ec.message()};
    } else if (ec == beast::error::timeout) {
      count(&WsServerStats::idleTimeouts);
      info = CloseInfo{1006, "no answer to pings"};
    } else {
      info = CloseInfo{1006, "connection lost: " + ec.message()};
    }
    if (info.code != 1006 && info.code != 1005) {
      log().debug("ws {} {}:{} closed {}: {}", id_, address_, port_, info.code, info.reason);
    } else {
      log().debug("ws {} {}:{} closed without a close frame: {}", id_, address_, port_, info.reason);
    }
    // After close() the owner hears the code it chose, whatever the peer did meanwhile.
    if (closeRequested_) return CloseInfo{closeCode_, closeReason_};
    return info;
  }

  void writeNext() {
    writing_ = true;
    ws_.async_write(asio::buffer(queue_.front()),
                    [self = this->shared_from_this()](const error_code& ec, size_t) { self->onWritten(ec); });
  }

  void onWritten(const error_code& ec) {
    writing_ = false;
    if (state_ == State::kClosed) return;
    if (ec) {
      finish(closeRequested_ ? CloseInfo{closeCode_, closeReason_}
                             : CloseInfo{1006, "write failed: " + ec.message()});
      return;
    }
    queuedBytes_ -= queue_.front().size();
    queue_.pop_front();
    if (!queue_.empty()) {
      writeNext();
    } else if (state_ == State::kClosing && !closeStarted_) {
      sendCloseFrame();
    }
  }

  // A close that does not wait for the queue (policy violation, server stop): only the frame being written
  // stays, since Beast is in the middle of it.
  void closeNow(uint16_t code, std::string reason) {
    if (state_ != State::kOpen) return;
    while (queue_.size() > (writing_ ? 1u : 0u)) {
      queuedBytes_ -= queue_.back().size();
      queue_.pop_back();
    }
    beginClose(code, std::move(reason));
  }

  void beginClose(uint16_t code, std::string reason) {
    state_ = State::kClosing;
    closeRequested_ = true;
    closeCode_ = code;
    closeReason_ = std::move(reason);
    // Beast bounds the closing handshake once it starts; this also bounds the wait for the queue to drain
    // toward a peer that does not read.
    closeTimer_.expires_after(settings_.handshakeTimeout);
    closeTimer_.async_wait([self = this->shared_from_this()](const error_code& ec) {
      if (ec || self->state_ == State::kClosed) return;
      self->count(&WsServerStats::idleTimeouts);
      log().debug("ws {} {}:{}: closing handshake timed out", self->id_, self->address_, self->port_);
      self->finish(CloseInfo{self->closeCode_, self->closeReason_});
    });
    if (!writing_) sendCloseFrame();
  }

  void sendCloseFrame() {
    closeStarted_ = true;
    websocket::close_reason frame;
    frame.code = closeCode_;
    // At most 123 bytes (cutCloseReason). Through a const char*: with a plain char* Beast's static_string
    // picks its assign(T const&, pos, count) template and assigns the empty tail.
    const std::string& reason = closeReason_;
    frame.reason.assign(reason.data(), reason.size());
    ws_.async_close(frame, [self = this->shared_from_this()](const error_code&) {
      self->finish(CloseInfo{self->closeCode_, self->closeReason_});
    });
  }

  // The end, once: the socket closes (pending handlers return at once), the server forgets the id on a later
  // turn and onClose runs if the connection had opened.
  void finish(CloseInfo info) {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    closeTimer_.cancel();
    beast::get_lowest_layer(ws_).close();
    queue_.clear();
    queuedBytes_ = 0;
    if (detached_) return;
    auto owner = owner_.lock();
    if (!owner) return;
    const bool report = opened_ && !reported_;
    reported_ = true;
    owner->finished(id_, report ? std::optional<CloseInfo>(std::move(info)) : std::nullopt);
  }

  std::weak_ptr<WsServerImpl> owner_;
  const ConnectionSettings settings_;
  const WsConnectionId id_;
  const std::string address_;
  const uint16_t port_;
  std::shared_ptr<ssl::context> tls_;  // before ws_, which uses it
  websocket::stream<NextLayer> ws_;
  asio::steady_timer closeTimer_;
  State state_ = State::kHandshaking;
  Clock::time_point handshakeDeadline_{};
  beast::flat_buffer buffer_;  // HTTP requests, then WebSocket messages
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  size_t requestsServed_ = 0;
  std::array<char, kLingerBytes> sink_{};  // what a lingering connection still receives, dropped
  WsPeer peer_;
  std::deque<std::string> queue_;  // the front is being written when writing_
  size_t queuedBytes_ = 0;
  bool writing_ = false;
  bool opened_ = false;
  bool reported_ = false;
  bool detached_ = false;  // the server stopped: no more calls into it
  bool closeRequested_ = false;
  bool closeStarted_ = false;
  uint16_t closeCode_ = 1000;
  std::string closeReason_;
};

// A connection over maxConnections on a ws listener: 503, our FIN, then its bytes are read and dropped for a
// short while so that the close does not turn into a reset before the client has read the answer.
class Refusal : public std::enable_shared_from_this<Refusal> {
 public:
  Refusal(const std::shared_ptr<WsServerImpl>& owner, asio::ip::tcp::socket socket)
      : owner_(owner), socket_(std::move(socket)), timer_(owner->io_) {}

  void run() {
    error_code ignored;
    // A fresh socket's send buffer takes these few bytes whole: no need to wait for a write.
    socket_.non_blocking(true, ignored);
    socket_.write_some(asio::buffer(kRefusal), ignored);
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    timer_.expires_after(kLingerTime);
    timer_.async_wait([self = shared_from_this()](const error_code& ec) {
      error_code closeError;
      if (!ec) self->socket_.close(closeError);
    });
    drain();
  }

 private:
  void drain() {
    socket_.async_read_some(asio::buffer(sink_), [self = shared_from_this()](const error_code& ec, size_t) {
      if (!ec) {
        self->drain();
        return;
      }
      // EOF, or the timer closed the socket: done either way, and only here.
      error_code ignored;
      self->timer_.cancel();
      self->socket_.close(ignored);
      if (auto owner = self->owner_.lock()) owner->refusalDone();
    });
  }

  std::weak_ptr<WsServerImpl> owner_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
  std::array<char, kLingerBytes> sink_{};
};

}  // namespace

core::Result<void> WsServerImpl::configureTls() {
  if (config_.tlsCertificateFile.empty() || config_.tlsPrivateKeyFile.empty()) {
    return core::makeError("a wss listener needs tlsCertificateFile and tlsPrivateKeyFile");
  }
  tls_ = std::make_shared<ssl::context>(ssl::context::tls_server);
  // RFC 8996: TLS 1.0 and 1.1 are not used.
  SSL_CTX_set_min_proto_version(tls_->native_handle(), TLS1_2_VERSION);
  error_code ec;
  tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                        ssl::context::single_dh_use,
                    ec);
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(tls_->native_handle(), config_.tlsCertificateFile.c_str()) != 1) {
    return core::makeError("TLS certificate file '" + config_.tlsCertificateFile + "': " + opensslReason());
  }
  // OpenSSL also checks here that the key belongs to the certificate.
  if (SSL_CTX_use_PrivateKey_file(tls_->native_handle(), config_.tlsPrivateKeyFile.c_str(),
                                  SSL_FILETYPE_PEM) != 1) {
    return core::makeError("TLS private key file '" + config_.tlsPrivateKeyFile + "': " + opensslReason());
  }
  return {};
}

core::Result<void> WsServerImpl::openListener(const WsListen& listen) {
  const std::string label = listen.tls ? "wss listen " : "ws listen ";
  error_code ec;
  const auto address = asio::ip::make_address(listen.address, ec);
  if (ec) return core::makeError(label + "address '" + listen.address + "' is not a numeric IP address");
  const std::string what = label + endpointText(address, listen.port);
  const asio::ip::tcp::endpoint endpoint(address, listen.port);
  auto listener = std::make_shared<Listener>(io_, listen.tls);
  auto& acceptor = listener->acceptor;
  if (acceptor.open(endpoint.protocol(), ec); ec) return core::makeError(what + ": " + ec.message());
  if (address.is_v6()) acceptor.set_option(asio::ip::v6_only(true), ec);
  // A restarted gateway binds again at once, whatever its old connections' TIME_WAIT.
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (acceptor.bind(endpoint, ec); ec) return core::makeError(what + ": " + ec.message());
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
    return core::makeError(what + ": " + ec.message());
  }
  const auto local = acceptor.local_endpoint(ec);
  if (ec) return core::makeError(what + ": " + ec.message());
  listener->port = local.port();
  listeners_.push_back(listener);
  return {};
}

void WsServerImpl::closeListeners() {
  error_code ignored;
  for (auto& listener : listeners_) listener->acceptor.close(ignored);
}

core::Result<void> WsServerImpl::start() {
  if (started_ || stopped_) return core::makeError("the WebSocket server was already started");
  started_ = true;
  const bool anyTls =
      std::any_of(config_.listen.begin(), config_.listen.end(), [](const WsListen& l) { return l.tls; });
  if (anyTls) {
    if (auto ok = configureTls(); !ok) return ok;
  }
  for (const auto& listen : config_.listen) {
    if (auto ok = openListener(listen); !ok) {
      closeListeners();
      listeners_.clear();
      return ok;
    }
  }
  for (const auto& listener : listeners_) accept(listener);
  return {};
}

void WsServerImpl::stop(bool report) {
  if (stopped_) return;
  stopped_ = true;
  // Events below may drop the last other reference to the server.
  auto keep = shared_from_this();
  closeListeners();
  // Connections report nothing from now on; what open ones owe the owner is reported here, in id order.
  auto connections = std::move(connections_);
  connections_.clear();
  live_ = 0;
  std::vector<std::pair<WsConnectionId, CloseInfo>> owed;
  for (auto& [id, connection] : connections) {
    if (auto info = connection->stopByServer()) owed.emplace_back(id, std::move(*info));
  }
  std::sort(owed.begin(), owed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if (!report || !events_.onClose) return;
  for (auto& [id, info] : owed) events_.onClose(id, info.code, std::move(info.reason));
}

bool WsServerImpl::send(WsConnectionId id, std::string text) {
  if (stopped_) return false;
  auto it = connections_.find(id);
  if (it == connections_.end()) return false;
  // The connection may close itself (queue limit) and report: keep it alive past the call.
  auto connection = it->second;
  if (!connection->send(std::move(text))) return false;
  count(&WsServerStats::messagesQueued);
  return true;
}

void WsServerImpl::close(WsConnectionId id, uint16_t code, std::string reason) {
  if (stopped_) return;
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  auto connection = it->second;
  connection->close(code, std::move(reason));
}

void WsServerImpl::opened(WsConnectionId id, const WsPeer& peer) {
  count(&WsServerStats::websocketsOpened);
  log().debug("ws {} open from {}:{}{} path {}", id, peer.address, peer.port, peer.tls ? " (tls)" : "",
              peer.path);
  if (events_.onOpen) events_.onOpen(id, peer);
}

void WsServerImpl::delivered(WsConnectionId id, std::string_view text, bool binary) {
  count(&WsServerStats::messagesReceived);
  if (events_.onMessage) events_.onMessage(id, text, binary);
}

void WsServerImpl::finished(WsConnectionId id, std::optional<CloseInfo> report) {
  if (live_ > 0) --live_;
  // The connection is inside one of its own handlers: it leaves the map on a later turn.
  asio::post(io_, [weak = weak_from_this(), id] {
    if (auto self = weak.lock()) self->connections_.erase(id);
  });
  if (report && !stopped_ && events_.onClose) events_.onClose(id, report->code, std::move(report->reason));
}

void WsServerImpl::accept(const std::shared_ptr<Listener>& listener) {
  listener->acceptor.async_accept(
      [weak = weak_from_this(), listener](const error_code& ec, asio::ip::tcp::socket socket) {
        auto self = weak.lock();
        if (!self || self->stopped_ || ec == asio::error::operation_aborted) return;
        if (!ec) self->onAccepted(listener, std::move(socket));
        // Errors such as EMFILE concern one connection: keep accepting.
        if (!self->stopped_) self->accept(listener);
      });
}

void WsServerImpl::onAccepted(const std::shared_ptr<Listener>& listener, asio::ip::tcp::socket socket) {
  error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  if (live_ >= config_.maxConnections) {
    refuse(*listener, std::move(socket));
    return;
  }
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  ++stats_.connectionsAccepted;
  const WsConnectionId id = nextConnectionId();
  std::shared_ptr<WsConnection> connection;
  if (listener->tls) {
    connection = std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(
        shared_from_this(), id, std::move(socket), peerAddress(remote.address()), remote.port());
  } else {
    connection = std::make_shared<Connection<beast::tcp_stream>>(
        shared_from_this(), id, std::move(socket), peerAddress(remote.address()), remote.port());
  }
  connections_.emplace(id, connection);
  ++live_;
  connection->start();
}

void WsServerImpl::refuse(const Listener& listener, asio::ip::tcp::socket socket) {
  ++stats_.connectionsRefused;
  log().debug("refused a connection: {} connections open", live_);
  // On wss a 503 would cost a TLS handshake, the very work the limit saves; a flood of refusals only gets
  // the close.
  if (listener.tls || refusalsInFlight_ >= kMaxRefusalsInFlight) {
    error_code ignored;
    socket.close(ignored);
    return;
  }
  ++refusalsInFlight_;
  std::make_shared<Refusal>(shared_from_this(), std::move(socket))->run();
}

WsServer::WsServer(asio::io_context& io, WsServerConfig config, WsServerEvents events)
    : impl_(std::make_shared<WsServerImpl>(io, std::move(config), std::move(events))) {}

WsServer::~WsServer() {
  impl_->stop(false);
}

core::Result<void> WsServer::start() {
  return impl_->start();
}

void WsServer::stop() {
  impl_->stop(true);
}

bool WsServer::send(WsConnectionId id, std::string text) {
  return impl_->send(id, std::move(text));
}

void WsServer::close(WsConnectionId id, uint16_t code, std::string reason) {
  impl_->close(id, code, std::move(reason));
}

uint16_t WsServer::localPort(size_t listenIndex) const {
  if (listenIndex >= impl_->listeners_.size()) return 0;
  return impl_->listeners_[listenIndex]->port;
}

size_t WsServer::connectionCount() const {
  return impl_->live_;
}

const WsServerStats& WsServer::stats() const {
  return impl_->stats_;
}

}  // namespace callgate::net
