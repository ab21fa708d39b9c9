// The running gateway (ARCHITECTURE.md §2-3): one control loop with the SIP stack (one transport, one
// transaction layer and one user agent for all client sessions), the session registry, and the WebSocket
// server whose sockets become api::ClientConnections. Runs until SIGINT or SIGTERM, then drains: every
// session unREGISTERs (bounded by the REGISTER's own timeout) before the loop ends.
#pragma once

#include <memory>

#include "app/config.hpp"

namespace callgate::app {

class GatewayApp {
 public:
  explicit GatewayApp(Config config);
  ~GatewayApp();
  GatewayApp(const GatewayApp&) = delete;
  GatewayApp& operator=(const GatewayApp&) = delete;

  // Binds, serves, drains. 0 after a clean stop; 1 when a listener or resource could not be set up (the
  // reason is logged, naming the config key).
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace callgate::app
