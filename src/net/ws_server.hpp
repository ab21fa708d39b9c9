// The gateway's HTTP and WebSocket server (RFC 6455 over RFC 9112 HTTP/1.1) on Boost.Beast, ws and wss.
// It hands text frames and closes to its owner by connection id and never interprets them (ADR 0005); plain
// HTTP requests go to a handler the app installs (404 without one).
//
// Threads: everything runs on the io_context's one thread (the control loop, ARCHITECTURE.md §3), the one
// that calls these members. The events run there too. Inside an event the owner may call send(), close()
// and stop(), but must not destroy the WsServer.
//
// Limits: every phase of a connection is bounded: maxConnections TCP connections, handshakeTimeout for the
// TLS handshake plus the HTTP request, maxFrameBytes per message and per HTTP body, maxQueuedBytes of
// unsent text per connection, Beast's idle pings (a peer silent for 300 s is dropped) and handshakeTimeout
// again for the closing handshake.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace callgate::net {

struct WsListen {
  std::string address;  // numeric IPv4 or IPv6 ("0.0.0.0", "::", "127.0.0.1")
  uint16_t port = 0;    // 0: any free port, see WsServer::localPort()
  bool tls = false;     // wss: TLS (1.2 or later) before the HTTP request
};

struct WsServerConfig {
  std::vector<WsListen> listen;
  std::string tlsCertificateFile;  // PEM chain, needed when a listener has tls
  std::string tlsPrivateKeyFile;   // PEM key
  // Larger messages close the connection with 1009 (RFC 6455 §7.4.1); larger HTTP bodies are answered 413.
  size_t maxFrameBytes = 65536;
  // TCP connections held at once, in any phase (TLS, HTTP, WebSocket). Further ones on a ws listener are
  // answered 503 and closed; on a wss listener they are closed at once (no TLS handshake spent on them).
  size_t maxConnections = 1000;
  // Text queued by send() and not yet written, per connection: a client that does not read is closed with
  // 1008 (RFC 6455 §7.4.1, policy violation) once this would be exceeded.
  size_t maxQueuedBytes = 4 * 1024 * 1024;
  // The TLS handshake plus the HTTP request (upgrade or not) must complete within this; it also bounds each
  // later HTTP keep-alive request, each HTTP response write and the WebSocket closing handshake.
  std::chrono::seconds handshakeTimeout{10};
};

using WsConnectionId = uint64_t;  // never 0, never reused within a process

struct WsPeer {
  std::string address;  // the TCP peer (an IPv4-mapped IPv6 peer is shown as IPv4)
  uint16_t port = 0;
  bool tls = false;
  std::string path;       // the request-target of the upgrade ("/", "/ws?x=1")
  std::string userAgent;  // the User-Agent header, empty when absent
};

// One plain HTTP request. Views into the connection's buffers: valid during onHttp only.
struct HttpRequestView {
  std::string_view method;  // as sent ("GET")
  std::string_view target;  // as sent ("/metrics?x=1")
  std::string_view body;
  std::vector<std::pair<std::string_view, std::string_view>> headers;  // in the order received
  std::string_view remoteAddress;
  uint16_t remotePort = 0;
  bool tls = false;

  // The first header of that name (case-insensitive), empty when absent.
  std::string_view header(std::string_view name) const;
};

struct HttpResponse {
  int status = 404;  // outside 100..599: answered 500
  std::string contentType = "text/plain";
  std::string body;
  // Further headers (Cache-Control, Allow, Location...). A name or value with CR, LF or NUL is left out:
  // it would split the response.
  std::vector<std::pair<std::string, std::string>> headers;
};

struct WsServerEvents {
  // After the upgrade (the 101 is written). The id is open until onClose.
  std::function<void(WsConnectionId, const WsPeer&)> onOpen;
  // One per complete message. `text` views the receive buffer: valid during the call only. After close()
  // on that id, no further message is delivered.
  std::function<void(WsConnectionId, std::string_view text, bool binary)> onMessage;
  // Exactly once per opened connection, whoever closed it (peer close frame, our close(), socket error,
  // oversize frame, server stop). `code`/`reason`: the close frame's: after close(), ours as sent (also
  // when the peer never answered it); the peer's when it closed first (1005 when its
  // frame had no code, RFC 6455 §7.1.5); 1002/1007/1009 when the peer broke the protocol or a limit and Beast
  // closed; 1006 with a text saying what happened when there was no close frame (RFC 6455 §7.1.5). The id
  // is dead after this. From stop(), it runs inside stop().
  std::function<void(WsConnectionId, uint16_t code, std::string reason)> onClose;
  // Plain HTTP requests (not upgrades). Unset: 404. Keep-alive honoured; body size limited by maxFrameBytes.
  // An exception thrown here is answered 500 (and logged): a handler bug does not take the loop down.
  std::function<HttpResponse(const HttpRequestView&)> onHttp;
};

// What was refused or dropped, for logs and /metrics. Counts only grow.
struct WsServerStats {
  uint64_t connectionsAccepted = 0;  // TCP connections taken in
  uint64_t connectionsRefused = 0;   // over maxConnections
  uint64_t handshakeFailures = 0;    // TLS handshake failed, upgrade refused by Beast, handshakeTimeout
  uint64_t badHttpRequests = 0;      // unparseable or over a limit: answered 400, 413 or 431 and closed
  uint64_t httpRequests = 0;         // plain requests answered (onHttp or 404)
  uint64_t websocketsOpened = 0;
  uint64_t messagesReceived = 0;
  uint64_t messagesQueued = 0;  // send() calls that returned true
  uint64_t oversizeFrames = 0;  // closed with 1009
  uint64_t protocolErrors = 0;  // the peer broke RFC 6455: Beast closed with 1002 or 1007
  uint64_t slowConsumers = 0;   // closed with 1008: more than maxQueuedBytes waiting
  uint64_t idleTimeouts = 0;    // no answer to Beast's pings, or no close frame back in time
};

class WsServerImpl;

class WsServer {
 public:
  WsServer(boost::asio::io_context& io, WsServerConfig config, WsServerEvents events);
  // Stops without any event: the owner is going away. Connections still send their 1001 close frame in the
  // background as far as the loop runs.
  ~WsServer();
  WsServer(const WsServer&) = delete;
  WsServer& operator=(const WsServer&) = delete;

  // Loads the TLS files (when a listener has tls) and binds every listener (SO_REUSEADDR). On error nothing
  // stays open and the error names the file and OpenSSL's reason ("TLS certificate file '/etc/c.pem': ...")
  // or the listener ("WebSocket listen 192.0.2.1:8080: Address already in use"). Once only.
  core::Result<void> start();
  // Closes the listeners and every connection: open ones get a close frame 1001 "server stopping" where
  // possible, and onClose runs for each of them before stop() returns. No event after that. Idempotent.
  void stop();

  // Queues one text frame; frames go out in the order queued. False when the id is not open (unknown,
  // closing or closed) or when the queue limit is reached (the connection then closes with 1008).
  bool send(WsConnectionId id, std::string text);
  // Sends what is queued, then a close frame (RFC 6455 §5.5.1) with `code` and `reason` (cut to 123 bytes
  // on a UTF-8 boundary, §5.5: a control frame's payload is at most 125 bytes). Only the codes of RFC 6455
  // §7.4.1-7.4.2 a peer accepts go on the wire (1000-1003, 1007-1013, 3000-4999); any other is sent as 1000.
  // onClose follows with the code and reason as sent (never inside this call). Nothing for an id that is
  // not open.
  void close(WsConnectionId id, uint16_t code, std::string reason);

  // The port the index-th configured listener is bound to; 0 before start() or for a bad index.
  uint16_t localPort(size_t listenIndex) const;
  size_t connectionCount() const;  // TCP connections held now, in any phase (what maxConnections bounds)
  const WsServerStats& stats() const;

 private:
  // Shared with the pending asynchronous operations, which hold a weak_ptr: they end quietly once the
  // server is gone.
  std::shared_ptr<WsServerImpl> impl_;
};

}  // namespace callgate::net
