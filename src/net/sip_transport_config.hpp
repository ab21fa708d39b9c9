// What SipTransport listens on and how far it lets peers go. Independent of the app's TOML config, which
// fills it in.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sip/message/stream_framer.hpp"
#include "sip/transport/inbound.hpp"

namespace callgate::net {

struct SipListen {
  std::string address;  // numeric IPv4 or IPv6 ("0.0.0.0", "::", "127.0.0.1", "::1")
  uint16_t port = 0;    // 0: an ephemeral port, see SipTransport::localEndpoints()
};

struct SipTransportConfig {
  std::vector<SipListen> udp;
  std::vector<SipListen> tcp;
  std::vector<SipListen> tls;

  // TLS server side (needed when `tls` is not empty): PEM certificate chain and private key.
  std::string tlsCertificateFile;
  std::string tlsPrivateKeyFile;
  // TLS client side: the trust anchors (PEM) that server certificates must chain to; empty: the system's.
  std::string tlsCaFile;
  // Client side: verify the server's certificate and that it names the address connected to (RFC 5922
  // §7.2 uses the domain; endpoints are numeric here, so the IP address SAN is checked). Off only for tests
  // and closed networks.
  bool tlsVerifyPeer = true;

  // Streams: connections open at once (inbound and outbound), bytes buffered from a peer before a complete
  // message (a peer that sends more is cut off), bytes queued toward a peer (send() fails beyond).
  size_t maxConnections = 1024;
  size_t maxConnectionBufferBytes = 128 * 1024;
  size_t maxSendQueueBytes = 1024 * 1024;
  // A connection with no traffic either way for this long is closed.
  std::chrono::milliseconds idleTimeout = std::chrono::minutes(5);
  // Bound on TCP connect plus TLS handshake (outbound), and on the TLS handshake (inbound).
  std::chrono::milliseconds connectTimeout = std::chrono::seconds(10);

  sip::FramerLimits framer;
  sip::InboundLimits inbound;
};

}  // namespace callgate::net
