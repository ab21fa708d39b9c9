#include "app/gateway_app.hpp"

#include <pthread.h>
#include <signal.h>
#include <spdlog/logger.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <map>
#include <optional>

#include <thread>

#include "api/client_connection.hpp"
#include "api/metrics_page.hpp"
#include "api/static_files.hpp"
#include "app/version.hpp"
#include "core/logging.hpp"
#include "core/random.hpp"
#include "core/stop_signals.hpp"
#include "core/timer_queue.hpp"
#include "gateway/call_counters.hpp"
#include "gateway/media_services.hpp"
#include "gateway/session_registry.hpp"
#include "media/media_counters.hpp"
#include "media/shared_udp_port.hpp"
#include "net/dns/cares_resolver.hpp"
#include "net/media_thread.hpp"
#include "net/sip_transport.hpp"
#include "net/timer_driver.hpp"
#include "net/ws_server.hpp"
#include "sip/dns/server_locator.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "sip/ua/user_agent.hpp"

namespace callgate::app {
namespace {

std::string hostPort(const std::string& address, uint16_t port) {
  return address.find(':') != std::string::npos ? "[" + address + "]:" + std::to_string(port)
                                                : address + ":" + std::to_string(port);
}

}  // namespace

struct GatewayApp::Impl {
  explicit Impl(Config c) : config(std::move(c)), timers(clock), driver(io, timers) {}

  core::Result<void> startMedia();
  core::Result<void> startSip();
  core::Result<void> startWs();
  core::Result<void> startHttp();
  net::HttpResponse answerHttp(const net::HttpRequestView& request);
  api::MetricsSnapshot metricsSnapshot() const;
  void onSignal();
  void drainPoll();
  void finish();

  Config config;
  boost::asio::io_context io;
  core::SteadyClock clock;
  core::TimerQueue timers;
  net::TimerDriver driver;
  core::SecureRandom random;
  const core::TimePoint startedAt = clock.now();
  // Before everything that counts into them: media threads count until they are stopped.
  media::MediaCounters counters;
  gateway::CallCounters callCounters;
  std::unique_ptr<net::MediaThreads> mediaThreads;
  std::unique_ptr<media::SharedUdpPort> sharedPort;
  std::unique_ptr<gateway::MediaServices> media;
  std::unique_ptr<net::SipTransport> transport;
  std::unique_ptr<sip::TransactionLayer> transactions;
  std::unique_ptr<sip::UserAgent> ua;
  std::unique_ptr<net::CaresResolver> resolver;
  std::unique_ptr<sip::ServerLocator> locator;
  std::unique_ptr<gateway::SessionServices> services;
  std::unique_ptr<gateway::SessionRegistry> sessions;
  std::unique_ptr<net::WsServer> ws;
  std::optional<api::StaticFiles> webRoot;  // http.web_root, read at start-up
  std::unique_ptr<net::WsServer> http;      // http.port: /metrics, /healthz, the web phone
  std::map<net::WsConnectionId, std::unique_ptr<api::ClientConnection>> clients;
  core::Timer drainCheck{timers};
  core::Timer drainBound{timers};
  bool stopping = false;
};

core::Result<void> GatewayApp::Impl::startMedia() {
  const MediaConfig& mc = config.media;
  // RFC 5763 §5: one certificate for the process, its fingerprint in every answer.
  auto certificate = webrtc::dtls::DtlsCertificate::generate("callgate");
  if (!certificate) return core::makeError("DTLS certificate: " + certificate.error().message);
  const size_t threads = mc.threads != 0 ? mc.threads : std::max(1u, std::thread::hardware_concurrency());
  mediaThreads = std::make_unique<net::MediaThreads>(threads);
  if (mc.sharedPort != 0) {
    // Opened before the threads run, so the socket is set up without a race; it is used only on thread 0.
    auto port = media::SharedUdpPort::open(mediaThreads->at(0), mc.bindAddress, mc.sharedPort);
    if (!port) return core::makeError("media.bind_address/media.shared_port: " + port.error().message);
    sharedPort = std::move(*port);
  }
  media::WebRtcEndpointConfig ec;
  ec.bindAddress = mc.bindAddress;
  ec.publicAddress = mc.publicAddress;
  ec.portMin = mc.portMin;
  ec.portMax = mc.portMax;
  ec.transport.ice.connectTimeout = mc.iceConnectTimeout;
  ec.transport.ice.consentTimeout = mc.iceConsentTimeout;
  ec.transport.dtls.handshakeTimeout = mc.dtlsHandshakeTimeout;
  media = std::make_unique<gateway::MediaServices>(
      gateway::MediaServices{*mediaThreads, std::move(*certificate), sharedPort.get(), ec, mc.echoName,
                             [this](std::function<void()> fn) { boost::asio::post(io, std::move(fn)); }});
  media->counters = &counters;
  mediaThreads->start();
  core::logger(core::LogModule::kApp)
      .info("media: {} thread(s), WebRTC on {} {}, DTLS fingerprint sha-256 {}", threads, mc.bindAddress,
            sharedPort ? "shared port " + std::to_string(sharedPort->port())
                       : "ports " + std::to_string(mc.portMin) + "-" + std::to_string(mc.portMax),
            media->certificate->fingerprint());
  return {};
}

core::Result<void> GatewayApp::Impl::startSip() {
  net::SipTransportConfig tc;
  std::vector<sip::TransportProtocol> protocols;
  for (SipTransport t : config.sip.transports) {
    const net::SipListen listen{config.sip.listenAddress, config.sip.port};
    switch (t) {
      case SipTransport::kUdp:
        tc.udp.push_back(listen);
        protocols.push_back(sip::TransportProtocol::kUdp);
        break;
      case SipTransport::kTcp:
        tc.tcp.push_back(listen);
        protocols.push_back(sip::TransportProtocol::kTcp);
        break;
      case SipTransport::kTls:
        return core::makeError(
            "sip.transports: tls needs a SIP certificate, which this version cannot be given yet");
    }
  }
  transport = std::make_unique<net::SipTransport>(io, tc);
  sip::TransactionTimers t;
  t.t1 = config.sip.t1;
  t.t2 = config.sip.t2;
  t.t4 = config.sip.t4;
  transactions = std::make_unique<sip::TransactionLayer>(timers, *transport, t);
  transport->setEvents(
      {[this](const sip::Message& m, const sip::Endpoint& from) { transactions->receive(m, from); },
       [this](const sip::Endpoint& peer) { transactions->transportFailed(peer); }});
  // An INVITE goes to the session whose Contact token its Request-URI carries (ARCHITECTURE.md §4).
  sip::UserAgent::Events uaEvents;
  uaEvents.onInvite = [this](sip::UserAgent::SessionId id, const sip::Message& invite,
                             const sip::Endpoint&) -> std::optional<sip::UserAgent::IncomingCall> {
    if (!sessions || stopping) return std::nullopt;
    return sessions->incomingCall(id, invite);
  };
  ua = std::make_unique<sip::UserAgent>(sip::InviteSessionContext{*transactions, *transport, timers, random},
                                        std::move(uaEvents));
  if (auto started = transport->start(); !started) {
    return core::makeError("sip.listen_address/sip.port: " + started.error().message);
  }
  auto created = net::CaresResolver::create(
      net::CaresResolverConfig{}, [this](std::function<void()> fn) { boost::asio::post(io, std::move(fn)); });
  if (!created) return core::makeError("DNS resolver: " + created.error().message);
  resolver = std::move(*created);
  sip::ServerLocatorConfig lc;
  lc.transports = protocols;
  locator = std::make_unique<sip::ServerLocator>(*resolver, lc);

  const std::string publicAddress =
      config.sip.publicAddress.empty() ? config.sip.listenAddress : config.sip.publicAddress;
  const uint16_t port =
      transport->localEndpoints().empty() ? config.sip.port : transport->localEndpoints()[0].port;
  services = std::make_unique<gateway::SessionServices>(gateway::SessionServices{
      *transactions, *ua, *locator, timers, random, hostPort(publicAddress, port),
      hostPort(publicAddress, port), config.sip.userAgent, config.sip.registerExpires, media.get(),
      &callCounters, gateway::SipCallSettings{}, nullptr});
  gateway::SipCallSettings& calls = services->calls;
  calls.noAnswerTimeout = config.sip.noAnswerTimeout;
  calls.declineStatus = static_cast<int>(config.sip.declineStatus);
  calls.codecs.clear();
  for (Codec codec : config.media.codecs) calls.codecs.emplace_back(codecName(codec));
  calls.rtpTimeout = config.media.rtpTimeout;
  calls.timers = t;
  // Calls between two sessions of this gateway go to its own SIP listener (UDP when it has one).
  calls.localSip = transport->localEndpoints().empty()
                       ? sip::Endpoint{sip::TransportProtocol::kUdp, config.sip.listenAddress, port}
                       : transport->localEndpoints()[0];
  sessions = std::make_unique<gateway::SessionRegistry>(
      *services, gateway::SessionLimits{config.ws.maxSessions, config.ws.keepAliveGrace});
  core::logger(core::LogModule::kApp)
      .info("SIP on {} ({} transport(s))", hostPort(config.sip.listenAddress, port), protocols.size());
  return {};
}

core::Result<void> GatewayApp::Impl::startWs() {
  net::WsServerConfig wc;
  wc.listen.push_back(net::WsListen{config.ws.listenAddress, config.ws.port, false});
  const bool wss = !config.ws.tlsCertificate.empty();
  if (wss) {
    wc.listen.push_back(net::WsListen{config.ws.listenAddress, config.ws.wssPort, true});
    wc.tlsCertificateFile = config.ws.tlsCertificate;
    wc.tlsPrivateKeyFile = config.ws.tlsPrivateKey;
  }
  wc.maxFrameBytes = config.ws.maxFrameBytes;
  // Sockets beyond the session limit still get their refusal (a fail and close 4503) from the api layer.
  wc.maxConnections = static_cast<size_t>(config.ws.maxSessions) + 64;

  net::WsServerEvents events;
  events.onOpen = [this](net::WsConnectionId id, const net::WsPeer& peer) {
    if (stopping) {
      ws->close(id, 4503, "the gateway is stopping");
      return;
    }
    api::ClientConnection::Io clientIo;
    clientIo.send = [this, id](std::string frame) { ws->send(id, std::move(frame)); };
    clientIo.close = [this, id](uint16_t code, std::string reason) {
      ws->close(id, code, std::move(reason));
    };
    api::ClientLimits limits{config.ws.pingInterval, config.ws.maxMissedPongs,
                             config.ws.maxMessagesPerSecond};
    clients.emplace(id,
                    std::make_unique<api::ClientConnection>(id, hostPort(peer.address, peer.port),
                                                            std::move(clientIo), timers, *sessions, limits));
  };
  events.onMessage = [this](net::WsConnectionId id, std::string_view text, bool binary) {
    auto it = clients.find(id);
    if (it != clients.end()) it->second->onMessage(text, binary);
  };
  events.onClose = [this](net::WsConnectionId id, uint16_t code, std::string reason) {
    auto it = clients.find(id);
    if (it == clients.end()) return;
    it->second->onClosed(code, reason);
    // Destroyed from the loop, never inside a call chain that may have started in the connection itself.
    std::shared_ptr<api::ClientConnection> doomed(std::move(it->second));
    clients.erase(it);
    boost::asio::post(io, [doomed] {});
  };
  ws = std::make_unique<net::WsServer>(io, std::move(wc), std::move(events));
  if (auto started = ws->start(); !started) {
    return core::makeError(
        (wss ? "ws.listen_address/ws.port/ws.wss_port/ws.tls_*: " : "ws.listen_address/ws.port: ") +
        started.error().message);
  }
  auto& log = core::logger(core::LogModule::kApp);
  log.info("WebSocket: ws://{}", hostPort(config.ws.listenAddress, ws->localPort(0)));
  if (wss) log.info("WebSocket over TLS: wss://{}", hostPort(config.ws.listenAddress, ws->localPort(1)));
  return {};
}

core::Result<void> GatewayApp::Impl::startHttp() {
  const HttpConfig& hc = config.http;
  if (!hc.webRoot.empty()) {
    auto loaded = api::StaticFiles::load(hc.webRoot);
    if (!loaded) return core::makeError("http.web_root: " + loaded.error().message);
    webRoot = std::move(*loaded);
  }
  const std::string address = hc.listenAddress.empty() ? config.ws.listenAddress : hc.listenAddress;
  net::WsServerConfig wc;
  wc.listen.push_back(net::WsListen{address, hc.port, false});
  // GET requests only: no body worth more than a few KiB.
  wc.maxFrameBytes = 8192;
  wc.maxConnections = 256;
  net::WsServerEvents events;
  // The client API is on ws.port; a WebSocket opened here is told so and closed.
  events.onOpen = [this](net::WsConnectionId id, const net::WsPeer&) {
    http->close(id, 1008, "the WebSocket API is on ws.port, not http.port");
  };
  events.onHttp = [this](const net::HttpRequestView& request) { return answerHttp(request); };
  http = std::make_unique<net::WsServer>(io, std::move(wc), std::move(events));
  if (auto started = http->start(); !started) {
    return core::makeError(
        (hc.listenAddress.empty() ? "ws.listen_address/http.port: " : "http.listen_address/http.port: ") +
        started.error().message);
  }
  auto& log = core::logger(core::LogModule::kApp);
  log.info("HTTP: http://{} (/metrics, /healthz{})", hostPort(address, http->localPort(0)),
           webRoot ? ", " + std::to_string(webRoot->size()) + " file(s) of " + hc.webRoot : std::string());
  return {};
}

api::MetricsSnapshot GatewayApp::Impl::metricsSnapshot() const {
  api::MetricsSnapshot snapshot;
  snapshot.version = std::string(kVersion);
  snapshot.uptime = std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - startedAt);
  if (sessions) {
    snapshot.sessions = sessions->size();
    snapshot.registrations = sessions->registeredCount();
    snapshot.callsByStatus = sessions->callsByStatus();
  }
  snapshot.callsEnded = callCounters.counts();
  snapshot.incomingRefused = callCounters.refusals();
  snapshot.readMedia(counters);
  return snapshot;
}

net::HttpResponse GatewayApp::Impl::answerHttp(const net::HttpRequestView& request) {
  const std::string_view path = request.target.substr(0, request.target.find_first_of("?#"));
  net::HttpResponse response;
  response.contentType = "text/plain; charset=utf-8";
  // RFC 9110 §15.5.6: 405 names the methods that are allowed.
  if (request.method != "GET" && request.method != "HEAD") {
    response.status = 405;
    response.body = "method not allowed\n";
    response.headers.emplace_back("Allow", "GET, HEAD");
    return response;
  }
  if (path == "/metrics") {
    response.status = 200;
    response.contentType = std::string(api::kMetricsContentType);
    response.body = api::renderMetrics(metricsSnapshot());
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
  }
  if (path == "/healthz") {
    // 503 while draining, so a load balancer stops sending new clients here.
    response.status = stopping ? 503 : 200;
    response.body = stopping ? "stopping\n" : "ok\n";
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
  }
  if (webRoot) {
    if (const api::StaticFile* file = webRoot->find(request.target)) {
      response.status = 200;
      response.contentType = file->contentType;
      response.body = file->body;
      response.headers.emplace_back("Cache-Control", "no-cache");
      response.headers.emplace_back("X-Content-Type-Options", "nosniff");
      return response;
    }
  }
  response.status = 404;
  response.body = "not found\n";
  return response;
}

void GatewayApp::Impl::onSignal() {
  if (stopping) return;
  stopping = true;
  core::logger(core::LogModule::kApp)
      .info("stopping: closing {} session(s)", sessions ? sessions->size() : 0);
  // New sockets are refused; open ones are told why, then every session unREGISTERs.
  if (ws) {
    for (auto& [id, client] : clients) ws->close(id, 4503, "the gateway is stopping");
  }
  if (sessions) sessions->closeAll("the gateway is stopping");
  // Bounded by the unREGISTERs' own timeout (64*T1) plus a margin.
  drainBound.start(64 * config.sip.t1 + std::chrono::seconds(2), [this] { finish(); });
  drainPoll();
}

void GatewayApp::Impl::drainPoll() {
  if (!sessions || sessions->size() == 0) {
    finish();
    return;
  }
  drainCheck.start(std::chrono::milliseconds(100), [this] { drainPoll(); });
}

void GatewayApp::Impl::finish() {
  drainCheck.cancel();
  drainBound.cancel();
  if (ws) ws->stop();
  if (http) http->stop();
  clients.clear();
  if (transport) transport->stop();
  resolver.reset();
  io.stop();
}

GatewayApp::GatewayApp(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}

GatewayApp::~GatewayApp() = default;

int GatewayApp::run() {
  Impl& s = *impl_;
  auto& log = core::logger(core::LogModule::kApp);
  if (auto m = s.startMedia(); !m) {
    log.error("cannot start: {}", m.error().message);
    return 1;
  }
  if (auto sip = s.startSip(); !sip) {
    log.error("cannot start: {}", sip.error().message);
    return 1;
  }
  if (auto ws = s.startWs(); !ws) {
    log.error("cannot start: {}", ws.error().message);
    s.transport->stop();
    return 1;
  }
  if (auto http = s.startHttp(); !http) {
    log.error("cannot start: {}", http.error().message);
    s.ws->stop();
    s.transport->stop();
    return 1;
  }
  boost::asio::signal_set signals(s.io, SIGINT, SIGTERM);
  signals.async_wait([&s](const boost::system::error_code& error, int signal) {
    if (error) return;
    core::logger(core::LogModule::kApp)
        .info("received {}, stopping", signal == SIGINT ? "SIGINT" : "SIGTERM");
    s.onSignal();
  });
  // main() blocked them until now; a signal that came during start-up is delivered here, to the handler.
  core::deliverStopSignals();
  log.info("running until SIGINT (Ctrl-C) or SIGTERM");
  s.io.run();
  // A stop signal repeated during the teardown (`timeout` sends SIGTERM to the process and to its group) must
  // not kill the process half-way: blocked again before the handler goes.
  core::blockStopSignals();
  signals.cancel();
  s.clients.clear();
  s.ws.reset();
  s.http.reset();
  s.sessions.reset();
  s.ua.reset();
  // The calls' media was handed back to the media threads to close; they run that, then end.
  if (s.mediaThreads) s.mediaThreads->stop();
  s.sharedPort.reset();
  log.info("stopped");
  return 0;
}

}  // namespace callgate::app
