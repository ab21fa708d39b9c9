// The SIP transports of the gateway (RFC 3261 §18): UDP, TCP and TLS listeners and connections on one
// io_context. Received bytes are framed (streams, RFC 3261 §18.3), parsed, validated and stamped with
// received/rport by sip::processInbound; bad requests are answered here with an error response naming the
// problem; good messages go to onMessage. Outgoing bytes go through send(): UDP from the listening socket
// (symmetric, RFC 3581 §4), TCP/TLS over an existing connection to that endpoint, else a new one.
//
// Threads: everything runs on the io_context's one thread, the one that calls these members (ARCHITECTURE.md
// §3). Callbacks run there too and may call send() and stop(), but must not destroy the SipTransport.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "net/sip_transport_config.hpp"
#include "sip/message/message.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "sip/transport/endpoint.hpp"
#include "sip/transport/inbound.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace callgate::net {

struct SipTransportEvents {
  // A parsed, validated message. `from` is where it came from: responses to a request go back with
  // send(sip::responseDestination(request, from), ...) (the same connection for TCP/TLS). The Message views
  // the receive buffer: valid during the call only, clone() to keep it.
  std::function<void(const sip::Message& message, const sip::Endpoint& from)> onMessage;
  // A TCP/TLS connection to `peer` could not be opened (connect, TLS handshake or certificate check failed,
  // timed out) or was lost (reset, closed by the peer, a framing error) after send() had returned true.
  // The UA passes it to TransactionLayer::transportFailed(). Posted: never runs inside send().
  std::function<void(const sip::Endpoint& peer)> onTransportFailure;
};

struct SipTransportStats {
  sip::DropCounters drops{};      // by sip::DropReason
  uint64_t messagesReceived = 0;  // delivered to onMessage
  uint64_t errorResponsesSent = 0;
  uint64_t messagesSent = 0;  // send() calls that returned true
  uint64_t connectionsAccepted = 0;
  uint64_t connectionsOpened = 0;  // outbound connects started
  uint64_t keepAlivePings = 0;     // CRLFCRLF received and answered with CRLF (RFC 5626 §3.5.1)
};

class SipTransportImpl;

class SipTransport final : public sip::TransportSink {
 public:
  SipTransport(boost::asio::io_context& io, SipTransportConfig config);
  ~SipTransport() override;  // stop()
  SipTransport(const SipTransport&) = delete;
  SipTransport& operator=(const SipTransport&) = delete;

  void setEvents(SipTransportEvents events);

  // Opens every configured listener and loads the TLS files. On error nothing stays open and the error
  // names what failed ("TLS private key file '/etc/k.pem': ...", "TCP listen 10.0.0.1:5060: ...").
  core::Result<void> start();
  // Closes listeners and connections; pending operations end without callbacks. Idempotent.
  void stop();

  // sip::TransportSink. False when the bytes cannot be handed to a transport now: no listener of that
  // family for UDP, a socket error, the connection limit or the send queue limit.
  bool send(const sip::Endpoint& to, std::string_view bytes) override;

  // What start() bound, with the actual ports (configured port 0 = ephemeral), in configuration order:
  // UDP, then TCP, then TLS.
  std::vector<sip::Endpoint> localEndpoints() const;
  // The port of the index-th listener of that protocol, 0 when there is none.
  uint16_t localPort(sip::TransportProtocol protocol, size_t index = 0) const;

  size_t connectionCount() const;  // open TCP and TLS connections (inbound and outbound)
  const SipTransportStats& stats() const;

 private:
  // Shared with the pending asynchronous operations, which hold a weak_ptr: they end quietly once the
  // transport is gone.
  std::shared_ptr<SipTransportImpl> impl_;
};

}  // namespace callgate::net
